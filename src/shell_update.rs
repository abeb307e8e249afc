//! What one `autovenv export` asks the shell to do: explicit data, every value in it
//! computed here once, so that each shell's renderer only writes it in its own syntax.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

/// A change to the environment: variable name to its new value, `None` to unset it.
pub type EnvChange = BTreeMap<String, Option<OsString>>;

/// What happens to autovenv's prompt prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptChange {
    /// Show this prefix, `(<name>) `, before the prompt (unless
    /// `VIRTUAL_ENV_DISABLE_PROMPT` is set); see [`PromptChange::show`].
    Show(String),
    /// Take autovenv's prefix off again, if it is still there.
    Remove,
}

impl PromptChange {
    /// Shows the prefix for a venv whose prompt is `name`: `(name) `, with control
    /// characters (ESC and the other C0 and C1 ones) and bytes that are not UTF-8 written
    /// as escapes, as in autovenv's messages, so that no name can send the terminal a
    /// control sequence at every prompt. `VIRTUAL_ENV_PROMPT` itself keeps the exact bytes.
    pub fn show(name: &OsStr) -> PromptChange {
        PromptChange::Show(format!("({}) ", crate::message::shown(name)))
    }
}

/// What happens to the `deactivate` command, which a shell does not pass on to the
/// shells it starts, so it is defined again at each activation or kept one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deactivate {
    /// No venv of autovenv's was taken off or put on: whatever `deactivate` there is,
    /// autovenv's or a venv's activated by hand, stays.
    Leave,
    /// autovenv's venv is active: define the `deactivate` that undoes its activation.
    Define,
    /// autovenv's venv was taken off and none put on: its `deactivate` goes too.
    Remove,
}

impl Deactivate {
    /// The word the elvish and xonsh hooks read: `leave`, `define` or `remove`.
    pub fn word(self) -> &'static str {
        match self {
            Deactivate::Leave => "leave",
            Deactivate::Define => "define",
            Deactivate::Remove => "remove",
        }
    }
}

/// A venv activated by hand over autovenv's activation: its `activate` script saved the
/// environment with autovenv's changes in it, for its `deactivate` to bring back, in
/// `_OLD_VIRTUAL_PATH`, `_OLD_VIRTUAL_PS1` (`_OLD_VIRTUAL_PROMPT` in csh) and
/// `_OLD_VIRTUAL_PYTHONHOME`. The hook corrects those copies, so that deactivating that
/// venv restores the environment as it was before autovenv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandOver {
    /// autovenv's `PATH` entry, to take out of the saved `PATH`.
    pub path_entry: OsString,
    /// `PYTHONHOME` before autovenv's activation, for that `deactivate` to put back.
    pub pythonhome: Option<OsString>,
    /// The saved `PATH` without autovenv's entry, for shells that cannot edit it in their
    /// own syntax (tcsh): their hook passes the saved `PATH` in
    /// `_AUTOVENV_OLD_VIRTUAL_PATH`.
    pub saved_path: Option<OsString>,
}

/// A change of `PATH` as list operations, for shells that keep `PATH` as a list
/// (nushell, xonsh) and would lose their own edits to it if it were replaced whole.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathEdit {
    /// Entries to take out, in order, the first equal element each.
    pub remove: Vec<OsString>,
    /// Entries to put in front, after the removals, in this order.
    pub prepend: Vec<OsString>,
}

impl PathEdit {
    /// The edit that turns `PATH` from `before` (unset counts as empty) into `after`, or
    /// `None` when `after` is unset or the same as `before`. Entries whose count went down
    /// are taken out and those whose count went up put in front; when that does not give
    /// `after` exactly, every entry is taken out and `after` put in.
    pub fn between(before: Option<&OsStr>, after: Option<&OsStr>) -> Option<PathEdit> {
        let after = after?;
        if before == Some(after) {
            return None;
        }
        let before = before.unwrap_or_default();
        let split = |p: &OsStr| -> Vec<OsString> {
            if p.is_empty() {
                Vec::new()
            } else {
                p.as_bytes()
                    .split(|&b| b == b':')
                    .map(|e| OsString::from_vec(e.to_vec()))
                    .collect()
            }
        };
        let (old, new) = (split(before), split(after));
        let count = |list: &[OsString], e: &OsString| list.iter().filter(|x| *x == e).count();
        let mut remove: Vec<OsString> = Vec::new();
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
        Some(if rest == kept.as_slice() {
            PathEdit {
                remove,
                prepend: prepend.to_vec(),
            }
        } else {
            PathEdit {
                remove: old,
                prepend: new,
            }
        })
    }
}

/// The anchor directory as the hooks use it: they append `/NAME` to it, so `/` is the
/// empty string and no other directory (all absolute, none ending in `/`) changes.
pub fn hook_anchor(dir: &Path) -> OsString {
    let bytes = dir.as_os_str().as_bytes();
    OsString::from_vec(bytes.strip_suffix(b"/").unwrap_or(bytes).to_vec())
}

/// Everything the shell applies after one evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    /// Variables to export or unset, `PATH` among them with its whole new value.
    pub env: EnvChange,
    /// The same change of `PATH` as list operations (see [`PathEdit`]), when `PATH` is
    /// set to a new value.
    pub path_edit: Option<PathEdit>,
    /// Whether to define or remove the `deactivate` function.
    pub deactivate: Deactivate,
    /// What happens to the prompt prefix.
    pub prompt: PromptChange,
    /// The copies a venv activated by hand saved, to correct (see [`HandOver`]).
    pub hand_over: Option<HandOver>,
    /// Whether `PATH` changed, so the shell must forget its command lookups.
    pub rehash: bool,
    /// The shell's memory afterwards (see [`crate::session`]), for the hook to pass back.
    pub session: String,
    /// Where the fast path looks for changes besides the current directory (see
    /// [`crate::discover::Discovery::anchor`]), as [`hook_anchor`] gives it.
    pub anchor: OsString,
    /// The entries the fast path checks for at each directory level and at the anchor.
    pub watch: Vec<OsString>,
    /// Whether the hook must evaluate again at the next prompt whatever its fast path
    /// finds: a venv to create was left for it (see `autovenv export --no-create`).
    pub again: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(before: &str, after: &str) -> Option<(Vec<OsString>, Vec<OsString>)> {
        PathEdit::between(Some(OsStr::new(before)), Some(OsStr::new(after)))
            .map(|e| (e.remove, e.prepend))
    }

    fn list(entries: &[&str]) -> Vec<OsString> {
        entries.iter().map(OsString::from).collect()
    }

    #[test]
    fn path_edits_are_list_operations() {
        assert_eq!(
            edit("/u:/b", "/v/bin:/u:/b"),
            Some((list(&[]), list(&["/v/bin"])))
        );
        assert_eq!(
            edit("/u:/v/bin:/b", "/u:/b"),
            Some((list(&["/v/bin"]), list(&[])))
        );
        assert_eq!(
            edit("/a/bin:/u", "/b/bin:/u"),
            Some((list(&["/a/bin"]), list(&["/b/bin"])))
        );
        // Only the first of two equal entries goes.
        assert_eq!(edit("/x:/u:/x", "/u:/x"), Some((list(&["/x"]), list(&[]))));
        // An order that removals and prepends cannot give: everything is replaced.
        assert_eq!(
            edit("/a:/b", "/b:/a:/c"),
            Some((list(&["/a", "/b"]), list(&["/b", "/a", "/c"])))
        );
    }

    #[test]
    fn no_edit_without_a_new_value() {
        assert_eq!(edit("/u", "/u"), None);
        assert_eq!(
            PathEdit::between(None, Some(OsStr::new(""))),
            Some(PathEdit::default())
        );
        assert_eq!(PathEdit::between(Some(OsStr::new("/u")), None), None);
        assert_eq!(
            PathEdit::between(None, Some(OsStr::new("/v/bin"))),
            Some(PathEdit {
                remove: Vec::new(),
                prepend: list(&["/v/bin"])
            })
        );
    }

    #[test]
    fn the_hook_anchor_has_no_trailing_slash() {
        assert_eq!(hook_anchor(Path::new("/")), OsString::new());
        assert_eq!(hook_anchor(Path::new("/a/b")), OsString::from("/a/b"));
    }

    #[test]
    fn the_prefix_shows_control_characters_as_escapes() {
        assert_eq!(
            PromptChange::show(OsStr::new("a\x1b[31m")),
            PromptChange::Show("(a\\x1b[31m) ".to_owned())
        );
    }
}
