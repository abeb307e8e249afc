//! zsh: the hook runs first in `precmd_functions`.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::posix::{self, quote, Dialect};
use super::Shell;
use crate::shell_update::Update;

/// zsh 5 and later.
pub struct Zsh;

const DIALECT: Dialect = Dialect {
    unset: "\\builtin unset",
    remove_deactivate: "_autovenv_deactivate_remove",
    rehash: "\\builtin rehash",
    prompt_escape,
};

const HOOK: &str = include_str!("../../shells/zsh.zsh");

impl Shell for Zsh {
    fn name(&self) -> &'static str {
        "zsh"
    }

    fn hook(&self, exe: &Path) -> Vec<u8> {
        super::fill_template(HOOK, &quote(exe.as_os_str().as_bytes()))
    }

    /// The code runs inside `_autovenv_eval`, under `emulate -L zsh`: plain zsh syntax,
    /// and `export` there is global (`typeset -gx`).
    fn render(&self, update: &Update) -> Vec<u8> {
        posix::render(update, &DIALECT)
    }
}

/// Escapes text for `PROMPT` so that it shows literally: `%` starts a prompt escape, and
/// with `setopt PROMPT_SUBST` the prompt is expanded like a double-quoted string first,
/// so `$(…)` or a backtick in a venv's name would run on every prompt unless escaped.
fn prompt_escape(text: &[u8], subst: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 8);
    for &b in text {
        match (b, subst) {
            (b'%', _) => out.extend_from_slice(b"%%"),
            (b'\\' | b'$' | b'`', true) => {
                out.push(b'\\');
                out.push(b);
            }
            _ => out.push(b),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_escapes() {
        assert_eq!(
            prompt_escape(b"($(x) `y` \\ 100%) ", true),
            b"(\\$(x) \\`y\\` \\\\ 100%%) "
        );
        assert_eq!(
            prompt_escape(b"($(x) `y` \\ 100%) ", false),
            b"($(x) `y` \\ 100%%) "
        );
    }
}
