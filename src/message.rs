//! One-line messages on stderr, prefixed `autovenv:`.

use std::ffi::OsStr;
use std::io::{IsTerminal, Write};
use std::os::unix::ffi::OsStrExt;

/// How much a message matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    /// What autovenv did; silenced by `AUTOVENV_QUIET=1` or `quiet = true`.
    Info,
    /// Something the user should look at; always shown.
    Warning,
    /// Something failed; always shown.
    Error,
}

/// Writes one line to stderr unless it is informational and `quiet` is set.
pub(crate) fn say(level: Level, quiet: bool, text: &str) {
    if level == Level::Info && quiet {
        return;
    }
    let color = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let prefix = match (color, level) {
        (false, _) => "autovenv:",
        (true, Level::Info) => "\x1b[2mautovenv:\x1b[0m",
        (true, Level::Warning) => "\x1b[33mautovenv:\x1b[0m",
        (true, Level::Error) => "\x1b[31mautovenv:\x1b[0m",
    };
    let line = format!("{prefix} {}\n", text.replace('\n', "\\n"));
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Shows a path (or any bytes) on one line: invalid UTF-8 and control characters are
/// written as escapes, so a message never spans lines or prints raw bytes.
pub fn shown(value: impl AsRef<OsStr>) -> String {
    let mut out = String::new();
    for chunk in value.as_ref().as_bytes().utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn shown_is_one_printable_line() {
        let raw = OsStr::from_bytes(b"/a b/\xff\n\x1b[31m/\xc3\xa9");
        assert_eq!(shown(raw), "/a b/\\xff\\n\\x1b[31m/é");
    }
}
