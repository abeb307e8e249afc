//! xonsh: the hook is an `on_pre_prompt_format` handler; an export is JSON, every value the
//! percent-encoded bytes, which the handler decodes with `os.fsdecode`, so any byte
//! round-trips through xonsh's str-based environment.
//!
//! The JSON shape (every key always present; `<pct>` a percent-encoded string):
//!
//! ```text
//! { "set":        { NAME: <pct>, ... },
//!   "unset":      [ NAME, ... ],
//!   "path":       null | { "remove": [<pct>, ...], "prepend": [<pct>, ...] },
//!   "deactivate": "leave" | "define" | "remove",
//!   "prompt":     "leave" | "remove" | { "show": <pct> },
//!   "session":    <pct>, "anchor": <pct>, "names": [<pct>, ...] }
//! ```

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::nushell::path_ops;
use super::Shell;
use crate::percent_encoding;
use crate::update::{Deactivate, PromptChange, Update};

/// xonsh 0.13 and later.
pub struct Xonsh;

const HOOK: &str = include_str!("../../shells/xonsh.xsh");

impl Shell for Xonsh {
    fn name(&self) -> &'static str {
        "xonsh"
    }

    fn hook(&self, exe: &Path) -> Vec<u8> {
        HOOK.replace("@AUTOVENV@", &text(exe.as_os_str().as_bytes()))
            .into_bytes()
    }

    fn render(&self, update: &Update) -> Vec<u8> {
        let mut set = Vec::new();
        let mut unset = Vec::new();
        let mut path = "null".to_owned();
        for (name, value) in &update.env {
            match value {
                Some(value) if name == "PATH" => {
                    let before = std::env::var_os("PATH").unwrap_or_default();
                    let (remove, prepend) = path_ops(before.as_bytes(), value.as_bytes());
                    path = format!(
                        "{{\"remove\": [{}], \"prepend\": [{}]}}",
                        list(&remove),
                        list(&prepend)
                    );
                }
                Some(value) => set.push(format!("\"{name}\": {}", text(value.as_bytes()))),
                None => unset.push(format!("\"{name}\"")),
            }
        }
        let deactivate = match update.deactivate {
            Deactivate::Leave => "leave",
            Deactivate::Define => "define",
            Deactivate::Remove => "remove",
        };
        let prompt = match &update.prompt {
            PromptChange::Leave => "\"leave\"".to_owned(),
            PromptChange::Remove => "\"remove\"".to_owned(),
            PromptChange::Show(name) => {
                format!(
                    "{{\"show\": {}}}",
                    text(super::prompt_prefix(name).as_bytes())
                )
            }
        };
        let anchor = update.anchor.as_os_str().as_bytes();
        let anchor = anchor.strip_suffix(b"/").unwrap_or(anchor);
        let names: Vec<Vec<u8>> = update.watch.iter().map(|n| n.as_bytes().to_vec()).collect();
        format!(
            "{{\"set\": {{{}}}, \"unset\": [{}], \"path\": {path}, \"deactivate\": \"{deactivate}\", \"prompt\": {prompt}, \"session\": {}, \"anchor\": {}, \"names\": [{}]}}\n",
            set.join(", "),
            unset.join(", "),
            text(update.session.as_bytes()),
            text(anchor),
            list(&names)
        )
        .into_bytes()
    }
}

/// `bytes` as a JSON (and Python) string literal of its percent-encoding.
fn text(bytes: &[u8]) -> String {
    format!("\"{}\"", percent_encoding::encode(bytes))
}

fn list(items: &[Vec<u8>]) -> String {
    items.iter().map(|i| text(i)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_percent_encoded_bytes() {
        assert_eq!(text(b"a b\n\xff\""), "\"a%20b%0A%FF%22\"");
    }
}
