//! bash: the hook runs from `PROMPT_COMMAND` (string or bash 5.1 array).

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::posix::quote;
use super::Shell;
use crate::update::{Deactivate, PromptChange, Update};

/// GNU bash, 3.2 and later.
pub struct Bash;

const HOOK: &str = include_str!("../../shells/bash.sh");

impl Shell for Bash {
    fn name(&self) -> &'static str {
        "bash"
    }

    fn hook(&self, exe: &Path) -> Vec<u8> {
        let mut out = Vec::with_capacity(HOOK.len() + 64);
        let (before, after) = HOOK.split_once("@AUTOVENV@").unwrap_or((HOOK, ""));
        out.extend_from_slice(before.as_bytes());
        out.extend(quote(exe.as_os_str().as_bytes()));
        out.extend_from_slice(after.as_bytes());
        out
    }

    fn render(&self, update: &Update) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, value) in &update.env {
            match value {
                Some(value) => {
                    out.extend_from_slice(format!("\\builtin export {name}=").as_bytes());
                    out.extend(quote(value.as_bytes()));
                    out.push(b'\n');
                }
                None => out.extend_from_slice(format!("\\builtin unset -v {name}\n").as_bytes()),
            }
        }
        match update.deactivate {
            Deactivate::Leave => {}
            Deactivate::Define => out.extend_from_slice(b"_autovenv_deactivate_define\n"),
            Deactivate::Remove => out.extend_from_slice(b"\\builtin unset -f deactivate\n"),
        }
        match &update.prompt {
            PromptChange::Leave => {}
            PromptChange::Show(name) => {
                let mut prefix = b"(".to_vec();
                prefix.extend_from_slice(name.as_bytes());
                prefix.extend_from_slice(b") ");
                out.extend_from_slice(b"_autovenv_prompt_show ");
                out.extend(quote(&ps1_escape(&prefix, true)));
                out.push(b' ');
                out.extend(quote(&ps1_escape(&prefix, false)));
                out.push(b'\n');
            }
            PromptChange::Remove => out.extend_from_slice(b"_autovenv_prompt_remove\n"),
        }
        if update.rehash {
            out.extend_from_slice(b"\\builtin hash -r\n");
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

/// Escapes text for `PS1` so that it shows literally. bash first decodes backslash
/// escapes, then (with `shopt -s promptvars`, the default) expands `$`, `` ` `` and `\`
/// once more, so `$(…)` in a directory name would run on every prompt unless escaped.
fn ps1_escape(text: &[u8], promptvars: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 8);
    for &b in text {
        match (b, promptvars) {
            (b'\\', true) => out.extend_from_slice(b"\\\\\\\\"),
            (b'\\', false) => out.extend_from_slice(b"\\\\"),
            (b'$' | b'`', true) => {
                out.extend_from_slice(b"\\\\");
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
            ps1_escape(b"($(x) `y` \\) ", true),
            b"(\\\\$(x) \\\\`y\\\\` \\\\\\\\) "
        );
        assert_eq!(ps1_escape(b"($(x) \\) ", false), b"($(x) \\\\) ");
    }
}
