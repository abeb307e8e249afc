//! zsh: the hook runs first in `precmd_functions`.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::posix::quote;
use super::Shell;
use crate::update::{Deactivate, PromptChange, Update};

/// zsh 5 and later.
pub struct Zsh;

const HOOK: &str = include_str!("../../shells/zsh.zsh");

impl Shell for Zsh {
    fn name(&self) -> &'static str {
        "zsh"
    }

    fn hook(&self, exe: &Path) -> Vec<u8> {
        let mut out = Vec::with_capacity(HOOK.len() + 64);
        let (before, after) = HOOK.split_once("@AUTOVENV@").unwrap_or((HOOK, ""));
        out.extend_from_slice(before.as_bytes());
        out.extend(quote(exe.as_os_str().as_bytes()));
        out.extend_from_slice(after.as_bytes());
        out
    }

    /// The code runs inside `_autovenv_eval`, under `emulate -L zsh`: plain zsh syntax,
    /// and `export` there is global (`typeset -gx`).
    fn render(&self, update: &Update) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, value) in &update.env {
            match value {
                Some(value) => {
                    out.extend_from_slice(format!("\\builtin export {name}=").as_bytes());
                    out.extend(quote(value.as_bytes()));
                    out.push(b'\n');
                }
                None => out.extend_from_slice(format!("\\builtin unset {name}\n").as_bytes()),
            }
        }
        match update.deactivate {
            Deactivate::Leave => {}
            Deactivate::Define => out.extend_from_slice(b"_autovenv_deactivate_define\n"),
            Deactivate::Remove => {
                out.extend_from_slice(b"\\builtin unfunction deactivate 2>/dev/null\n")
            }
        }
        match &update.prompt {
            PromptChange::Leave => {}
            PromptChange::Show(name) => {
                let mut prefix = b"(".to_vec();
                prefix.extend_from_slice(name.as_bytes());
                prefix.extend_from_slice(b") ");
                out.extend_from_slice(b"_autovenv_prompt_show ");
                out.extend(quote(&prompt_escape(&prefix, true)));
                out.push(b' ');
                out.extend(quote(&prompt_escape(&prefix, false)));
                out.push(b'\n');
            }
            PromptChange::Remove => out.extend_from_slice(b"_autovenv_prompt_remove\n"),
        }
        if update.rehash {
            out.extend_from_slice(b"\\builtin rehash\n");
        }
        out.extend_from_slice(b"_AUTOVENV_SESSION=");
        out.extend(quote(update.session.as_bytes()));
        out.extend_from_slice(b"\n_AUTOVENV_ANCHOR=");
        let anchor = update.anchor.as_os_str().as_bytes();
        out.extend(quote(anchor.strip_suffix(b"/").unwrap_or(anchor)));
        out.extend_from_slice(b"\n_AUTOVENV_NAMES=(");
        for (i, name) in update.watch.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            out.extend(quote(name.as_bytes()));
        }
        out.extend_from_slice(b")\n_autovenv_done\n");
        out
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
