//! xonsh: the hook is an `on_pre_prompt_format` handler; an export is the JSON of
//! [`super::json`], every value the percent-encoded bytes, which the handler decodes with
//! `os.fsdecode`, so any byte round-trips through xonsh's str-based environment. The
//! prompt key is `{"show": <value>}` for a prefix, and the `deactivate` key says whether
//! the handler defines or removes its `deactivate` alias.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::json::{self, Dialect};
use super::Shell;
use crate::percent_encoding;
use crate::shell_update::Update;

/// xonsh 0.13 and later.
pub struct Xonsh;

const HOOK: &str = include_str!("../../shells/xonsh.xsh");

const DIALECT: Dialect = Dialect {
    value: text,
    deactivate: true,
    show: |prefix| format!("{{\"show\": {prefix}}}"),
};

impl Shell for Xonsh {
    fn name(&self) -> &'static str {
        "xonsh"
    }

    fn hook(&self, exe: &Path) -> Vec<u8> {
        HOOK.replace("@AUTOVENV@", &text(exe.as_os_str().as_bytes()))
            .into_bytes()
    }

    fn render(&self, update: &Update) -> Vec<u8> {
        json::render(update, &DIALECT)
    }
}

/// `bytes` as a JSON (and Python) string literal of its percent-encoding.
fn text(bytes: &[u8]) -> String {
    format!("\"{}\"", percent_encoding::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_percent_encoded_bytes() {
        assert_eq!(text(b"a b\n\xff\""), "\"a%20b%0A%FF%22\"");
    }
}
