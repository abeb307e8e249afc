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

/// Where autovenv's one-line messages go: stderr, each line prefixed `autovenv:`,
/// coloured by level on a terminal (unless `NO_COLOR` is set), informational lines
/// silenced when the config says `quiet`. Made once per command, from its config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Output {
    /// Whether informational lines are left out.
    quiet: bool,
    /// Whether the prefix is coloured by level.
    color: bool,
}

impl Output {
    /// Messages to stderr as it is now; informational ones left out when `quiet`.
    pub(crate) fn new(quiet: bool) -> Output {
        let color = std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Output { quiet, color }
    }

    /// The same output with informational lines shown, for what the user is watching
    /// (`sync --watch` reports every run).
    pub(crate) fn unquiet(self) -> Output {
        Output {
            quiet: false,
            ..self
        }
    }

    /// Says what autovenv did, unless quiet.
    pub(crate) fn info(self, text: &str) {
        self.say(Level::Info, text);
    }

    /// Says what the user should look at.
    pub(crate) fn warning(self, text: &str) {
        self.say(Level::Warning, text);
    }

    /// Says what failed.
    pub(crate) fn error(self, text: &str) {
        self.say(Level::Error, text);
    }

    /// Writes `text` as one line at `level`, unless it is informational and quiet.
    pub(crate) fn say(self, level: Level, text: &str) {
        if let Some(line) = self.line(level, text) {
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
        }
    }

    /// The line written for `text` at `level`, if any.
    fn line(self, level: Level, text: &str) -> Option<String> {
        if level == Level::Info && self.quiet {
            return None;
        }
        let prefix = match (self.color, level) {
            (false, _) => "autovenv:",
            (true, Level::Info) => "\x1b[2mautovenv:\x1b[0m",
            (true, Level::Warning) => "\x1b[33mautovenv:\x1b[0m",
            (true, Level::Error) => "\x1b[31mautovenv:\x1b[0m",
        };
        Some(format!("{prefix} {}\n", text.replace('\n', "\\n")))
    }
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
    fn quiet_leaves_out_only_informational_lines() {
        let quiet = Output {
            quiet: true,
            color: false,
        };
        assert_eq!(quiet.line(Level::Info, "made"), None);
        assert_eq!(
            quiet.line(Level::Warning, "look"),
            Some("autovenv: look\n".to_owned())
        );
        assert_eq!(
            quiet.unquiet().line(Level::Info, "a\nb"),
            Some("autovenv: a\\nb\n".to_owned())
        );
        let color = Output {
            quiet: false,
            color: true,
        };
        assert_eq!(
            color.line(Level::Error, "x"),
            Some("\x1b[31mautovenv:\x1b[0m x\n".to_owned())
        );
    }

    #[test]
    fn shown_is_one_printable_line() {
        let raw = OsStr::from_bytes(b"/a b/\xff\n\x1b[31m/\xc3\xa9");
        assert_eq!(shown(raw), "/a b/\\xff\\n\\x1b[31m/é");
    }
}
