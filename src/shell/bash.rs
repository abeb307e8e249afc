//! bash: the hook runs from `PROMPT_COMMAND` (string or bash 5.1 array).

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::posix::{self, quote, Dialect};
use super::Shell;
use crate::shell_update::Update;

/// GNU bash, 3.2 and later.
pub struct Bash;

const DIALECT: Dialect = Dialect {
    unset: "\\builtin unset -v",
    remove_deactivate: "_autovenv_deactivate_remove",
    rehash: "\\builtin hash -r",
    prompt_escape: ps1_escape,
};

const HOOK: &str = include_str!("../../shells/bash.sh");

impl Shell for Bash {
    fn name(&self) -> &'static str {
        "bash"
    }

    fn hook(&self, exe: &Path) -> Vec<u8> {
        super::fill_template(HOOK, &quote(exe.as_os_str().as_bytes()))
    }

    fn render(&self, update: &Update) -> Vec<u8> {
        posix::render(update, &DIALECT)
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
