//! nushell: the hook runs from `$env.config.hooks.pre_prompt`; an export is the JSON of
//! [`super::json`], which the hook's `_autovenv_apply` carries out. Values are JSON text
//! (nushell's strings are UTF-8), the prompt key is the prefix itself, and there is no
//! `deactivate` key: the hook's `_autovenv_deactivate` asks the binary, and hooks given as
//! text point `deactivate` at it, or at the user's own, as the venv goes on and off.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::json::{self, Dialect};
use super::Shell;
use crate::shell_update::Update;

/// nushell 0.100 and later.
pub struct Nushell;

const HOOK: &str = include_str!("../../shells/nushell.nu");

const DIALECT: Dialect = Dialect {
    value: text,
    deactivate: false,
    show: |prefix| prefix,
};

impl Shell for Nushell {
    fn name(&self) -> &'static str {
        "nu"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["nushell"]
    }

    fn hook(&self, exe: &Path) -> Vec<u8> {
        HOOK.replace("@AUTOVENV@", &text(exe.as_os_str().as_bytes()))
            .into_bytes()
    }

    fn render(&self, update: &Update) -> Vec<u8> {
        json::render(update, &DIALECT)
    }

    /// nushell's strings are UTF-8: bytes that are not cannot be held exactly.
    fn can_express(&self, value: &OsStr) -> bool {
        value.to_str().is_some()
    }
}

/// `bytes` as a JSON string of their text ([`Nushell::can_express`] keeps bytes that are
/// not UTF-8 out of every value that matters; elsewhere they show as U+FFFD).
fn text(bytes: &[u8]) -> String {
    json::string(&String::from_utf8_lossy(bytes))
}
