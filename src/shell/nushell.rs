//! nushell: the hook runs from `$env.config.hooks.pre_prompt`; an export is JSON that the
//! hook's `_autovenv_apply` carries out, since nushell cannot evaluate code it reads.
//!
//! The JSON shape (every key always present):
//!
//! ```text
//! { "set":     { NAME: "value", ... },        load-env
//!   "unset":   [ NAME, ... ],                 hide-env
//!   "path":    null | { "remove": [entry, ...], "prepend": [entry, ...] },
//!   "prompt":  "leave" | "remove" | "(name) ",
//!   "session": "...", "anchor": "...", "names": [ "...", ... ] }
//! ```
//!
//! `PATH` is a list in nushell, so a change to it is given as entries to take out (the
//! first equal element each) and entries to put in front, never as a whole new string.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::Shell;
use crate::update::{PromptChange, Update};

/// nushell 0.100 and later.
pub struct Nushell;

const HOOK: &str = include_str!("../../shells/nushell.nu");

impl Shell for Nushell {
    fn name(&self) -> &'static str {
        "nu"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["nushell"]
    }

    fn hook(&self, exe: &Path) -> Vec<u8> {
        HOOK.replace("@AUTOVENV@", &json_string(&exe.to_string_lossy()))
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
                    path = path_edit(&before, value);
                }
                Some(value) => set.push(format!(
                    "{}: {}",
                    json_string(name),
                    json_string(&value.to_string_lossy())
                )),
                None => unset.push(json_string(name)),
            }
        }
        let prompt = match &update.prompt {
            PromptChange::Leave => json_string("leave"),
            PromptChange::Remove => json_string("remove"),
            PromptChange::Show(name) => json_string(&super::prompt_prefix(name)),
        };
        let anchor = update.anchor.to_string_lossy();
        let anchor = anchor.strip_suffix('/').unwrap_or(&anchor);
        let names: Vec<String> = update
            .watch
            .iter()
            .map(|n| json_string(&n.to_string_lossy()))
            .collect();
        format!(
            "{{\"set\": {{{}}}, \"unset\": [{}], \"path\": {path}, \"prompt\": {prompt}, \"session\": {}, \"anchor\": {}, \"names\": [{}]}}\n",
            set.join(", "),
            unset.join(", "),
            json_string(&update.session),
            json_string(anchor),
            names.join(", ")
        )
        .into_bytes()
    }

    /// nushell's strings are UTF-8: bytes that are not cannot be held exactly.
    fn can_express(&self, value: &OsStr) -> bool {
        value.to_str().is_some()
    }
}

/// The `path` object turning `before` into `after` (see [`path_ops`]).
fn path_edit(before: &OsStr, after: &OsStr) -> String {
    let (remove, prepend) = path_ops(before.as_bytes(), after.as_bytes());
    let list = |l: &[Vec<u8>]| {
        l.iter()
            .map(|e| json_string(&String::from_utf8_lossy(e)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "{{\"remove\": [{}], \"prepend\": [{}]}}",
        list(&remove),
        list(&prepend)
    )
}

/// A change of `PATH` as list operations for shells whose `PATH` is a list: the entries
/// to take out (the first equal element each, in order), then the entries to put in
/// front. Entries whose count went down are taken out and those whose count went up put
/// in front; when that does not give `after` exactly, every entry is taken out and
/// `after` put in.
pub(super) fn path_ops(before: &[u8], after: &[u8]) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let split = |p: &[u8]| -> Vec<Vec<u8>> {
        if p.is_empty() {
            Vec::new()
        } else {
            p.split(|&b| b == b':').map(<[u8]>::to_vec).collect()
        }
    };
    let (old, new) = (split(before), split(after));
    let count = |list: &[Vec<u8>], e: &Vec<u8>| list.iter().filter(|x| *x == e).count();
    let mut remove: Vec<Vec<u8>> = Vec::new();
    for e in &old {
        if count(&old, e) - count(&remove, e) > count(&new, e) {
            remove.push(e.clone());
        }
    }
    let mut kept = old.clone();
    for r in &remove {
        if let Some(i) = kept.iter().position(|e| e == r) {
            kept.remove(i);
        }
    }
    let (prepend, rest) = new.split_at(new.len().saturating_sub(kept.len()));
    if rest == kept.as_slice() {
        (remove, prepend.to_vec())
    } else {
        (old, new)
    }
}

/// `text` as a JSON string.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_edits_are_list_operations() {
        let edit = |a: &str, b: &str| path_edit(OsStr::new(a), OsStr::new(b));
        assert_eq!(
            edit("/u:/b", "/v/bin:/u:/b"),
            r#"{"remove": [], "prepend": ["/v/bin"]}"#
        );
        assert_eq!(
            edit("/u:/v/bin:/b", "/u:/b"),
            r#"{"remove": ["/v/bin"], "prepend": []}"#
        );
        assert_eq!(
            edit("/a/bin:/u", "/b/bin:/u"),
            r#"{"remove": ["/a/bin"], "prepend": ["/b/bin"]}"#
        );
    }

    #[test]
    fn json_strings_escape_controls() {
        assert_eq!(json_string("a\"b\\\n"), r#""a\"b\\\u000a""#);
    }
}
