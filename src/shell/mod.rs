//! Rendering for each shell: one trait, one file per shell, the hook text in `shells/`.
//!
//! Every hook remembers the same few facts between prompts, under the same words: `bin`
//! (this binary), `session`, `pwd` and `venv` (what the last evaluation saw), `anchor` and
//! `names` (the project root and the entries watched there), `snapshot` (which of them
//! existed), `pending` (an evaluation a running command line put off), `missing` (the
//! binary is gone, said once). They are shell variables `_autovenv_<word>` in bash, zsh,
//! fish and tcsh, fields of `$env._AUTOVENV` in nushell, of the hook's `st` dict in xonsh,
//! and variables of the hook's own namespace in elvish (`last-pwd`, `last-venv`, since
//! `$pwd` is elvish's own). Only what must reach the binary is exported, in capitals:
//! `AUTOVENV_STATE`, `AUTOVENV_SESSION`, and what tcsh passes for one run
//! (`_AUTOVENV_PROMPT`, `_AUTOVENV_PROMPT_PREFIX`, `_AUTOVENV_OLD_VIRTUAL_PATH`).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::shell_update::{HandOver, Update};

mod bash;
mod elvish;
mod fish;
mod json;
mod nushell;
pub mod posix;
mod tcsh;
mod xonsh;
mod zsh;

/// A shell autovenv can hook into.
pub trait Shell {
    /// The name used on the command line (`autovenv hook bash`).
    fn name(&self) -> &'static str;

    /// The hook code the user's rc file evaluates once per shell start. `exe` is the
    /// absolute path of this binary, which the hook calls from then on.
    fn hook(&self, exe: &Path) -> Vec<u8>;

    /// The code that applies one evaluation's [`Update`] in this shell.
    fn render(&self, update: &Update) -> Vec<u8>;

    /// Other names the command line accepts for this shell.
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }

    /// Whether this shell can hold `value` (a venv path and the values made from it)
    /// exactly. A venv whose path it cannot hold is not activated, with one line saying
    /// why, rather than handing the shell code that would mangle or break it.
    fn can_express(&self, value: &OsStr) -> bool {
        let _ = value;
        true
    }

    /// Whether an empty `VIRTUAL_ENV_DISABLE_PROMPT` turns the venv's prompt off too, as
    /// this shell's `activate` script reads it (`activate.csh`: set at all).
    fn disable_prompt_when_empty(&self) -> bool {
        false
    }
}

/// The hook's `_autovenv_hand_over ENTRY [PYTHONHOME]` line (bash, zsh and fish), with
/// the words quoted by `quote`.
fn hand_over_line(hand_over: &HandOver, quote: fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut out = b"_autovenv_hand_over ".to_vec();
    out.extend(quote(hand_over.path_entry.as_bytes()));
    if let Some(home) = &hand_over.pythonhome {
        out.push(b' ');
        out.extend(quote(home.as_bytes()));
    }
    out.push(b'\n');
    out
}

/// `update`'s environment changes, a line each: `set(name, value)` for a variable given a
/// value, `unset(name)` for one taken away.
fn env_lines(
    update: &Update,
    set: impl Fn(&str, &OsStr) -> Vec<u8>,
    unset: impl Fn(&str) -> String,
) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in &update.env {
        match value {
            Some(value) => out.extend(set(name, value)),
            None => out.extend_from_slice(unset(name).as_bytes()),
        }
        out.push(b'\n');
    }
    out
}

/// `command` followed by `value` quoted by `quote`: a line that sets a variable in bash,
/// zsh and elvish.
fn with_quoted(command: String, value: &OsStr, quote: fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut out = command.into_bytes();
    out.extend(quote(value.as_bytes()));
    out
}

/// The session, the anchor and the watched names of `update`, each word quoted by
/// `quote`, in the frame a shell writes them in: `frame` is what goes before the session,
/// between it and the anchor, between the anchor and the names, and after them. Names are
/// separated by a space, and with `space_first` (fish's `set` takes them as further
/// words) one goes before the first name too.
fn bookkeeping(
    update: &Update,
    quote: fn(&[u8]) -> Vec<u8>,
    frame: [&str; 4],
    space_first: bool,
) -> Vec<u8> {
    let [before_session, before_anchor, before_names, after] = frame;
    let mut out = before_session.as_bytes().to_vec();
    out.extend(quote(update.session.as_bytes()));
    out.extend_from_slice(before_anchor.as_bytes());
    out.extend(quote(update.anchor.as_bytes()));
    out.extend_from_slice(before_names.as_bytes());
    for (i, name) in update.watch.iter().enumerate() {
        if i > 0 || space_first {
            out.push(b' ');
        }
        out.extend(quote(name.as_bytes()));
    }
    out.extend_from_slice(after.as_bytes());
    out
}

/// The hook text of `template` with `@AUTOVENV@` (once) replaced by `exe_word`, the
/// binary's path already quoted as one word of that shell.
fn fill_template(template: &str, exe_word: &[u8]) -> Vec<u8> {
    let (before, after) = template.split_once("@AUTOVENV@").unwrap_or((template, ""));
    [before.as_bytes(), exe_word, after.as_bytes()].concat()
}

/// Asserts, for each `input => word`, that `quote` writes `input` as `word`: the table the
/// shells' quoting is tested by.
#[cfg(test)]
macro_rules! assert_quotes {
    ($quote:expr, $($input:expr => $word:expr),+ $(,)?) => {
        $(assert_eq!($quote($input), $word, "quoting {:?}", $input);)+
    };
}
#[cfg(test)]
use assert_quotes;

/// Every supported shell, in the order the documentation lists them.
pub const ALL: &[&dyn Shell] = &[
    &bash::BASH,
    &zsh::ZSH,
    &fish::Fish,
    &tcsh::Tcsh,
    &elvish::Elvish,
    &nushell::Nushell,
    &xonsh::Xonsh,
];

/// The shell with this name (or alias), if supported.
pub fn by_name(name: &str) -> Option<&'static dyn Shell> {
    ALL.iter()
        .copied()
        .find(|s| s.name() == name || s.aliases().contains(&name))
}
