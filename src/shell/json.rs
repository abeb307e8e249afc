//! What nushell and xonsh share: neither can evaluate code it reads, so an export for
//! them is one line of JSON that their hook carries out. The shape (every key present):
//!
//! ```text
//! { "set":        { NAME: <value>, ... },
//!   "unset":      [ NAME, ... ],
//!   "path":       null | { "remove": [<value>, ...], "prepend": [<value>, ...] },
//!   "deactivate": "leave" | "define" | "remove",      (xonsh only)
//!   "again":      true | false,                       (xonsh only)
//!   "hand_over":  null | { "path_entry": <value>,     (xonsh only)
//!                          "pythonhome": null | <value> },
//!   "prompt":     "remove" | <the prefix, as the dialect writes it>,
//!   "session":    <value>, "anchor": <value>, "names": [<value>, ...] }
//! ```
//!
//! `PATH` is a list in both shells, so a change to it is given as entries to take out
//! and entries to put in front (see [`crate::shell_update::PathEdit`]), never as a whole new
//! string. How a value is written is the [`Dialect`]'s: nushell's strings are text,
//! xonsh's hook decodes bytes.

use std::os::unix::ffi::OsStrExt;

use crate::shell_update::{PromptChange, Update};

/// Where the nushell and xonsh exports differ.
pub(super) struct Dialect {
    /// Writes a value (a path, a variable's value, the session) as a JSON string that
    /// the hook turns back into the same value.
    pub value: fn(&[u8]) -> String,
    /// Whether the hook reads the `deactivate`, `again` and `hand_over` keys (xonsh):
    /// nushell's `deactivate` is a command its hook defines once, which asks the binary,
    /// and its hook evaluates only at a prompt.
    pub deactivate: bool,
    /// Writes the `prompt` key's value for a prefix, given as [`Dialect::value`] wrote it.
    pub show: fn(String) -> String,
}

/// Renders `update` as the one line of JSON the hook reads.
pub(super) fn render(update: &Update, dialect: &Dialect) -> Vec<u8> {
    let value = dialect.value;
    let list = |items: &[std::ffi::OsString]| {
        items
            .iter()
            .map(|i| value(i.as_bytes()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut set = Vec::new();
    let mut unset = Vec::new();
    for (name, change) in &update.env {
        match change {
            // Given as list operations below.
            Some(_) if name == "PATH" => {}
            Some(new) => set.push(format!("{}: {}", string(name), value(new.as_bytes()))),
            None => unset.push(string(name)),
        }
    }
    let path = update.path_edit.as_ref().map_or("null".to_owned(), |edit| {
        format!(
            "{{\"remove\": [{}], \"prepend\": [{}]}}",
            list(&edit.remove),
            list(&edit.prepend)
        )
    });
    let deactivate = if dialect.deactivate {
        let hand_over = update.hand_over.as_ref().map_or("null".to_owned(), |h| {
            let pythonhome = h
                .pythonhome
                .as_ref()
                .map_or("null".to_owned(), |p| value(p.as_bytes()));
            format!(
                "{{\"path_entry\": {}, \"pythonhome\": {pythonhome}}}",
                value(h.path_entry.as_bytes())
            )
        });
        format!(
            ", \"deactivate\": {}, \"again\": {}, \"hand_over\": {hand_over}",
            string(update.deactivate.word()),
            update.again
        )
    } else {
        String::new()
    };
    let prompt = match &update.prompt {
        PromptChange::Remove => string("remove"),
        PromptChange::Show(prefix) => (dialect.show)(value(prefix.as_bytes())),
    };
    format!(
        "{{\"set\": {{{}}}, \"unset\": [{}], \"path\": {path}{deactivate}, \"prompt\": {prompt}, \"session\": {}, \"anchor\": {}, \"names\": [{}]}}\n",
        set.join(", "),
        unset.join(", "),
        value(update.session.as_bytes()),
        value(update.anchor.as_bytes()),
        list(&update.watch),
    )
    .into_bytes()
}

/// `text` as a JSON string: `"` and `\` escaped, control characters (and DEL) as
/// `\u00XX`, everything else as it is.
pub(super) fn string(text: &str) -> String {
    crate::json_text::quote(text, crate::json_text::Escapes::Numeric)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell_update::{Deactivate, EnvChange, PathEdit};
    use std::ffi::{OsStr, OsString};

    /// An activation: `PATH` changes, one variable is set and one unset.
    fn activation() -> Update {
        let mut env = EnvChange::new();
        env.insert("PATH".into(), Some("/p/.venv/bin:/usr/bin".into()));
        env.insert("PYTHONHOME".into(), None);
        env.insert("VIRTUAL_ENV".into(), Some("/p/.venv".into()));
        Update {
            env,
            path_edit: PathEdit::between(
                Some(OsStr::new("/usr/bin")),
                Some(OsStr::new("/p/.venv/bin:/usr/bin")),
            ),
            deactivate: Deactivate::Define,
            prompt: PromptChange::show(OsStr::new("it's")),
            hand_over: None,
            rehash: true,
            session: String::new(),
            anchor: OsString::from("/p"),
            watch: vec![".venv".into()],
            again: false,
        }
    }

    #[test]
    fn path_is_given_as_the_update_s_list_edit() {
        // What the process's own PATH holds plays no part: the edit is the update's.
        let nushell = String::from_utf8(render(
            &activation(),
            &Dialect {
                value: |b| string(&String::from_utf8_lossy(b)),
                deactivate: false,
                show: |prefix| prefix,
            },
        ));
        assert_eq!(
            nushell.as_deref(),
            Ok("{\"set\": {\"VIRTUAL_ENV\": \"/p/.venv\"}, \"unset\": [\"PYTHONHOME\"], \"path\": {\"remove\": [], \"prepend\": [\"/p/.venv/bin\"]}, \"prompt\": \"(it's) \", \"session\": \"\", \"anchor\": \"/p\", \"names\": [\".venv\"]}\n")
        );
    }

    #[test]
    fn a_dialect_may_add_deactivate_and_wrap_the_prefix() {
        let mut update = activation();
        update.path_edit = None;
        update.env.remove("PATH");
        update.prompt = PromptChange::Remove;
        let xonsh = String::from_utf8(render(
            &update,
            &Dialect {
                value: |b| format!("<{}>", String::from_utf8_lossy(b)),
                deactivate: true,
                show: |prefix| format!("{{\"show\": {prefix}}}"),
            },
        ));
        assert_eq!(
            xonsh.as_deref(),
            Ok("{\"set\": {\"VIRTUAL_ENV\": </p/.venv>}, \"unset\": [\"PYTHONHOME\"], \"path\": null, \"deactivate\": \"define\", \"again\": false, \"hand_over\": null, \"prompt\": \"remove\", \"session\": <>, \"anchor\": </p>, \"names\": [<.venv>]}\n")
        );
    }

    #[test]
    fn json_strings_escape_controls() {
        assert_eq!(string("a\"b\\\n\u{7f}é"), r#""a\"b\\\u000a\u007fé""#);
    }
}
