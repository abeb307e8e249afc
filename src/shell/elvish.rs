//! elvish: the hook runs from `edit:before-readline` and, with `--no-create`, from
//! `$after-chdir`; an export is elvish code whose variables the hook reads back from its
//! namespace.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::Shell;
use crate::shell_update::{PromptChange, Update};

/// elvish 0.19 and later.
pub struct Elvish;

const HOOK: &str = include_str!("../../shells/elvish.elv");

/// What [`super::bookkeeping`] writes around the session, the anchor and the watched names:
/// the hook reads them back from these variables, and `again` from the line that follows.
const BOOKKEEPING: [&str; 4] = [
    "var session = ",
    "\nvar anchor = ",
    "\nvar names = [",
    "]\nvar again = ",
];

impl Shell for Elvish {
    fn render(&self, update: &Update) -> Vec<u8> {
        let mut out = super::env_lines(
            update,
            |name, value| super::with_quoted(format!("set-env {name} "), value, quote),
            |name| format!("unset-env {name}"),
        );
        let deactivate = update.deactivate.word();
        out.extend_from_slice(format!("var deactivate = {deactivate}\n").as_bytes());
        match &update.prompt {
            PromptChange::Remove => out.extend_from_slice(b"var prompt = remove\n"),
            PromptChange::Show(prefix) => {
                out.extend_from_slice(b"var prompt = show\nvar prefix = ");
                out.extend(quote(prefix.as_bytes()));
                out.push(b'\n');
            }
        }
        out.extend(super::bookkeeping(update, quote, BOOKKEEPING, false));
        out.extend_from_slice(if update.again {
            b"$true\n"
        } else {
            b"$false\n"
        });
        out
    }

    fn name(&self) -> &'static str {
        "elvish"
    }

    fn hook(&self, exe: &Path) -> Vec<u8> {
        super::fill_template(HOOK, &quote(exe.as_os_str().as_bytes()))
    }
}

/// Quotes `bytes` as an elvish double-quoted string: printable ASCII as it is (elvish
/// does not interpolate `$` in strings), `"` and `\` escaped, every other byte as `\xNN`,
/// which elvish keeps as that raw byte, so newlines and invalid UTF-8 survive.
pub fn quote(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'"');
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push(b'\\');
                out.push(b);
            }
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_any_bytes() {
        super::super::assert_quotes!(quote,
            b"a\"b\\ $x" => b"\"a\\\"b\\\\ $x\"",
            b"\n\xff" => b"\"\\x0a\\xff\"",
        );
    }
}
