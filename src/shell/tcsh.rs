//! tcsh: the hook runs from the `precmd` and `cwdcmd` aliases, chained before the
//! user's own.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use super::Shell;
use crate::shell_update::{Deactivate, PromptChange, Update};

/// tcsh 6 (and csh-compatible shells that read the same syntax).
pub struct Tcsh;

const HOOK: &str = include_str!("../../shells/tcsh.csh");

/// The `deactivate` alias: `deactivate [nondestructive]`, the forms venv scripts use. `!*` is the alias's arguments.
const DEACTIVATE: &[u8] = b"set _autovenv_args = (!* full) ; \
set _autovenv_args = \"--deactivate=$_autovenv_args[1]\" ; _autovenv_run ; \
if (\"$_autovenv_args\" == --deactivate=nondestructive) set _autovenv_pwd = '' ; \
set _autovenv_args = ''";

impl Shell for Tcsh {
    fn name(&self) -> &'static str {
        "tcsh"
    }

    fn hook(&self, exe: &Path) -> Vec<u8> {
        let clock = crate::stamp::clock().unwrap_or_default();
        let mut out = Vec::with_capacity(HOOK.len() + 64);
        for line in HOOK.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if !out.is_empty() {
                out.extend_from_slice(b" ; ");
            }
            let value: &[u8] = if line.contains("@AUTOVENV@") {
                exe.as_os_str().as_bytes()
            } else {
                clock.as_os_str().as_bytes()
            };
            match line.split_once("@AUTOVENV@").or(line.split_once("@CLOCK@")) {
                Some((before, after)) => {
                    out.extend_from_slice(before.as_bytes());
                    out.extend(quote(value));
                    out.extend_from_slice(after.as_bytes());
                }
                None => out.extend_from_slice(line.as_bytes()),
            }
        }
        out.push(b'\n');
        out
    }

    fn render(&self, update: &Update) -> Vec<u8> {
        let mut cmds: Vec<Vec<u8>> = Vec::new();
        for (name, value) in &update.env {
            cmds.push(match value {
                Some(value) => [
                    format!("setenv {name} ").as_bytes(),
                    &quote(value.as_bytes()),
                ]
                .concat(),
                None => format!("unsetenv {name}").into_bytes(),
            });
        }
        match update.deactivate {
            Deactivate::Leave => {}
            Deactivate::Define => {
                cmds.push(b"_autovenv_keep_users".to_vec());
                cmds.push([b"alias deactivate ", &quote(DEACTIVATE)[..]].concat());
            }
            Deactivate::Remove => {
                cmds.push(b"unalias deactivate".to_vec());
                cmds.push(b"_autovenv_give_back".to_vec());
            }
        }
        // Before the prompt changes: the hook compares the saved prompt with its own.
        if let Some(hand_over) = &update.hand_over {
            if let Some(saved) = hand_over
                .saved_path
                .as_ref()
                .filter(|p| self.can_express(p))
            {
                cmds.push([b"set _OLD_VIRTUAL_PATH = ", &quote(saved.as_bytes())[..]].concat());
            }
            cmds.push(b"_autovenv_hand_over".to_vec());
        }
        let base = prompt_base(
            std::env::var_os("_AUTOVENV_PROMPT"),
            std::env::var_os("_AUTOVENV_PROMPT_PREFIX"),
        );
        let set_base = |cmds: &mut Vec<Vec<u8>>, base: &[u8], then: &[u8]| {
            cmds.push([b"set _autovenv_prompt_old = ", &quote(base)[..]].concat());
            cmds.push(then.to_vec());
        };
        match (&update.prompt, &base) {
            (PromptChange::Show(prefix), _) => {
                cmds.push(
                    [
                        b"set _autovenv_p = ",
                        &quote(&prompt_escape(prefix.as_bytes()))[..],
                    ]
                    .concat(),
                );
                match &base {
                    Some(base) => set_base(&mut cmds, base, b"_autovenv_prompt_put"),
                    None => cmds.push(b"_autovenv_prompt_show".to_vec()),
                }
            }
            (PromptChange::Remove, Some(base)) => {
                set_base(&mut cmds, base, b"_autovenv_prompt_back")
            }
            (PromptChange::Remove, None) => cmds.push(b"_autovenv_prompt_remove".to_vec()),
        }
        if update.rehash {
            cmds.push(b"rehash".to_vec());
        }
        cmds.push(
            [
                b"set _autovenv_session = ",
                &quote(update.session.as_bytes())[..],
            ]
            .concat(),
        );
        let venv_on = match update.env.get("VIRTUAL_ENV") {
            Some(value) => value.is_some(),
            None => std::env::var_os("VIRTUAL_ENV").is_some(),
        };
        let old_path_on =
            std::env::var_os("_AUTOVENV_OLD_VIRTUAL_PATH").is_some() || update.hand_over.is_some();
        cmds.extend(steady(update, venv_on, old_path_on));
        if update.again {
            // A venv to make was left for the prompt (see shells/tcsh.csh).
            cmds.push(b"set _autovenv_again".to_vec());
        }
        let mut out = cmds.join(&b" ; "[..]);
        out.push(b'\n');
        out
    }

    /// A newline cannot pass through `eval "`…`"`, which turns it into a space.
    fn can_express(&self, value: &OsStr) -> bool {
        !value.as_bytes().contains(&b'\n')
    }

    fn disable_prompt_when_empty(&self) -> bool {
        true
    }
}

/// The aliases of the steady prompt's check for the state this evaluation leaves:
/// `_autovenv_precmd`, run on every prompt, and `_autovenv_names`, the per-name tests it
/// falls back on (see shells/tcsh.csh); with `_autovenv_anchor` (`venv_on`: whether
/// `VIRTUAL_ENV` is set after it; `old_path_on`: whether `_OLD_VIRTUAL_PATH`, a venv's own
/// activate.csh, is). tcsh pays for every statement it runs, alias and `eval` (each one
/// juggles its file descriptors) and for every word it parses, so the check is as few
/// statements as the state allows: one `if` outside a venv; two in one, since an unset
/// variable cannot appear in an expression even where it would not be evaluated (the
/// first stands an empty shell variable in for a `VIRTUAL_ENV` that was unset); with
/// `_OLD_VIRTUAL_PATH` set (rare) the values are read and compared. When anything may
/// differ it runs `_autovenv_recheck`.
fn steady(update: &Update, venv_on: bool, old_path_on: bool) -> Vec<Vec<u8>> {
    let tests = watch_tests(update);
    let fast = &tests.fast;
    let moved = r#""$cwd:q" != "$_autovenv_pwd:q""#;
    let precmd = if old_path_on {
        format!(
            r#"_autovenv_readve ; _autovenv_readold ; if ({moved} || "$_autovenv_v:q" != "$_autovenv_venv:q" || "$_autovenv_o:q" != "$_autovenv_oseen:q"{fast}) eval _autovenv_recheck"#
        )
    } else if venv_on {
        format!(
            r#"if (! $?VIRTUAL_ENV) set VIRTUAL_ENV = "" ; if ({moved} || $?_OLD_VIRTUAL_PATH || "$VIRTUAL_ENV:q" != "$_autovenv_venv:q"{fast}) eval _autovenv_recheck_ve"#
        )
    } else {
        format!("if ({moved} || $?VIRTUAL_ENV || $?_OLD_VIRTUAL_PATH{fast}) eval _autovenv_recheck")
    };
    let names = format!("if (0{}{}) set _autovenv_stale", tests.here, tests.there);
    let step = if tests.walk {
        format!(
            r#"if ({}) set _autovenv_d = x ; set _autovenv_d = "$_autovenv_d{}:q" ; if ("$_autovenv_d:q" =~ "$_autovenv_anchor:q"/?*) eval _autovenv_step"#,
            tests.levels,
            ":h".repeat(LEVELS),
        )
    } else {
        "set _autovenv_d = x".to_string()
    };
    let mut out: Vec<Vec<u8>> = [
        ("_autovenv_names", names.as_str()),
        ("_autovenv_step", &step),
        ("_autovenv_precmd", &precmd),
    ]
    .iter()
    .map(|(name, body)| {
        [
            format!("alias {name} ").as_bytes(),
            &quote(body.as_bytes())[..],
        ]
        .concat()
    })
    .collect();
    out.push(
        [
            b"set _autovenv_anchor = ",
            &quote(update.anchor.as_bytes())[..],
        ]
        .concat(),
    );
    out
}

/// How many levels up from the new directory one step of a cd's walk tests (in one `if`:
/// tcsh pays more for each statement and `eval` than for the words of a longer one).
const LEVELS: usize = 3;

/// The file tests of the steady check and of a cd decided in tcsh, each `|| TEST`, true
/// when an entry may have changed.
struct WatchTests {
    /// Every prompt's: the current directory's and the anchor's modification times
    /// against the last look's (`$_autovenv_t`), and the names a directory's time does
    /// not cover (with a `/` in them, or absolute) one test each.
    fast: String,
    /// Below the anchor, a watched name in the current directory (one test each).
    here: String,
    /// At the anchor, a watched entry that appeared or vanished since the look (a present
    /// entry is one that exists or is a symlink), and the absolute entries.
    there: String,
    /// A watched name in `$_autovenv_d` or in one of the [`LEVELS`] - 1 directories
    /// above it that are below the anchor: the levels on the way up after a cd.
    levels: String,
    /// Whether a cd below the anchor may be decided with these: every name and the anchor
    /// could be written.
    walk: bool,
}

/// The file tests (see [`WatchTests`]), each one stat(2). A name or anchor that would
/// need quoting inside an alias inside `eval` is left out (the defaults never do): a
/// change there is seen at the next look, and every cd then runs the binary.
fn watch_tests(update: &Update) -> WatchTests {
    let plain = |b: &[u8]| {
        b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"._+-,@%~/ '".contains(c))
    };
    let anchor = update.anchor.as_bytes();
    let mut tests = WatchTests {
        fast: String::new(),
        here: String::new(),
        there: String::new(),
        levels: String::new(),
        walk: plain(anchor),
    };
    if !plain(anchor) {
        return tests;
    }
    let anchor_text = String::from_utf8_lossy(anchor);
    let anchor_dir = word(if anchor.is_empty() { "/" } else { &anchor_text });
    tests.fast = format!(
        " || -M . >= $_autovenv_t || -M {anchor_dir} >= $_autovenv_t || -M {anchor_dir} < 0"
    );
    let mut names = Vec::new();
    for name in &update.watch {
        let bytes = name.as_bytes();
        if bytes.is_empty() || !plain(bytes) {
            tests.walk &= bytes.starts_with(b"/");
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        let absolute = bytes.starts_with(b"/");
        let place = if absolute {
            text.to_string()
        } else {
            tests.here.push_str(&format!(" || -e {}", word(&text)));
            names.push(word(&text));
            format!("{anchor_text}/{text}")
        };
        let check = if std::fs::symlink_metadata(&place).is_ok() {
            format!(" || ! (-e {0} || -l {0})", word(&place))
        } else {
            format!(" || -e {}", word(&place))
        };
        if absolute || bytes.contains(&b'/') {
            if !absolute {
                tests.fast.push_str(&format!(" || -e {}", word(&text)));
            }
            tests.fast.push_str(&check);
        }
        tests.there.push_str(&check);
    }
    // Each level only where it is below the anchor, or its names are not looked at (`&&`
    // skips their stat): the walk may start at the anchor itself.
    let dir = |up: usize| format!(r#""$_autovenv_d{}:q""#, ":h".repeat(up));
    tests.levels = (0..LEVELS)
        .map(|up| {
            let tests: String = names
                .iter()
                .map(|n| format!(" || -e {}/{n}", dir(up)))
                .collect();
            format!(r#"({} =~ "$_autovenv_anchor:q"/?* && (0{tests}))"#, dir(up))
        })
        .collect::<Vec<_>>()
        .join(" || ");
    if !tests.here.is_empty() {
        // Only below the anchor: the anchor's own entries are what the look found.
        tests.here = format!(
            r#" || ("$cwd:q" =~ "$_autovenv_anchor:q"/?* && (0{}))"#,
            tests.here
        );
    }
    tests
}

/// A path as one word of a tcsh expression: as it is where no character in it means
/// anything to tcsh, else in double quotes (`plain` names only).
fn word(path: &str) -> String {
    let bare = !path.starts_with('~')
        && path
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._+-,@%/".contains(&c));
    if bare {
        path.to_string()
    } else {
        format!("\"{path}\"")
    }
}

/// Quotes `bytes` as one csh word inside evaluated code: runs of bytes in `'…'`, and
/// outside the quotes each `'` as `"'"`, each `!` as `\!` (history substitution acts even
/// inside single quotes) and each `\` as `\\` (with `set backslash_quote`, a backslash
/// inside quotes escapes the next quote). Every byte but NUL and newline survives as it
/// is, invalid UTF-8, backquotes, `$` and globs included.
pub fn quote(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    let mut quoted = false;
    for &b in bytes {
        let outside: &[u8] = match b {
            b'\'' => b"\"'\"",
            b'!' => b"\\!",
            b'\\' => b"\\\\",
            _ => {
                if !quoted {
                    out.push(b'\'');
                    quoted = true;
                }
                out.push(b);
                continue;
            }
        };
        if quoted {
            out.push(b'\'');
            quoted = false;
        }
        out.extend_from_slice(outside);
    }
    if quoted {
        out.push(b'\'');
    } else if out.is_empty() {
        out.extend_from_slice(b"''");
    }
    out
}

/// The prompt without the prefix autovenv put in front of it, from what the hook passes
/// when it runs the binary: `prompt` as the shell has it, and autovenv's prefix (as the
/// prompt shows it) when autovenv put one there. The user's edits made while the venv was
/// active are kept; a prompt that no longer starts with the prefix is left as it is.
/// `None` where the hook passed no prompt or one that cannot come back through `eval`
/// (a newline): the hook then compares the whole prompt instead.
fn prompt_base(prompt: Option<OsString>, prefix: Option<OsString>) -> Option<Vec<u8>> {
    let prompt = prompt?.into_vec();
    if prompt.contains(&b'\n') {
        return None;
    }
    let prefix = prefix.map(OsString::into_vec).unwrap_or_default();
    match prompt.strip_prefix(&prefix[..]) {
        Some(rest) if !prefix.is_empty() => Some(rest.to_vec()),
        _ => Some(prompt),
    }
}

/// Escapes text for tcsh's `prompt`, where `%` starts a sequence and `!` is the history
/// number.
fn prompt_escape(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 4);
    for &b in text {
        match b {
            b'%' => out.extend_from_slice(b"%%"),
            b'!' => out.extend_from_slice(b"\\!"),
            _ => out.push(b),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_history_and_quotes() {
        super::super::assert_quotes!(quote,
            b"a!b" => b"'a'\\!'b'",
            b"it's `x` $y \xff" => b"'it'\"'\"'s `x` $y \xff'",
            b"a\\'b\\" => b"'a'\\\\\"'\"'b'\\\\",
            b"" => b"''",
        );
    }

    #[test]
    fn the_prompt_base_drops_only_autovenvs_prefix() {
        let base = |p: &str, x: Option<&str>| prompt_base(Some(p.into()), x.map(Into::into));
        assert_eq!(
            base("(.venv) me%% ", Some("(.venv) ")),
            Some(b"me%% ".to_vec())
        );
        assert_eq!(
            base("x (.venv) %% ", Some("(.venv) ")),
            Some(b"x (.venv) %% ".to_vec())
        );
        assert_eq!(base("(.venv) %% ", None), Some(b"(.venv) %% ".to_vec()));
        assert_eq!(base("a\nb", Some("a")), None);
        assert_eq!(prompt_base(None, Some("(.venv) ".into())), None);
    }

    #[test]
    fn newlines_are_refused() {
        assert!(!Tcsh.can_express(OsStr::new("a\nb")));
        assert!(Tcsh.can_express(OsStr::new("a b!'")));
    }
}
