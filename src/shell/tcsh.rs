//! tcsh: the hook runs from the `precmd` and `cwdcmd` aliases, chained before the
//! user's own.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use super::Shell;
use crate::shell_update::{Deactivate, PromptChange, Update};

/// tcsh 6 (and csh-compatible shells that read the same syntax).
pub struct Tcsh;

const HOOK: &str = include_str!("../../shells/tcsh.csh");

/// The `deactivate` alias: `deactivate [nondestructive]`, the forms venv scripts use. `!*` is the alias's arguments.
const DEACTIVATE: &[u8] = b"set _autovenv_args = (!* full) ; \
set _autovenv_args = \"--deactivate=$_autovenv_args[1]\" ; _autovenv_run ; \
if (\"$_autovenv_args\" == --deactivate=nondestructive) set _autovenv_pwd = '' ; \
set _autovenv_args = ''";

impl Shell for Tcsh {
    fn name(&self) -> &'static str {
        "tcsh"
    }

    fn hook(&self, exe: &Path) -> Vec<u8> {
        let mut out = Vec::with_capacity(HOOK.len() + 64);
        for line in HOOK.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if !out.is_empty() {
                out.extend_from_slice(b" ; ");
            }
            let (before, after) = line.split_once("@AUTOVENV@").unwrap_or((line, ""));
            out.extend_from_slice(before.as_bytes());
            if line.contains("@AUTOVENV@") {
                out.extend(quote(exe.as_os_str().as_bytes()));
            }
            out.extend_from_slice(after.as_bytes());
        }
        out.push(b'\n');
        out
    }

    fn render(&self, update: &Update) -> Vec<u8> {
        let mut cmds: Vec<Vec<u8>> = Vec::new();
        for (name, value) in &update.env {
            cmds.push(match value {
                Some(value) => [
                    format!("setenv {name} ").as_bytes(),
                    &quote(value.as_bytes()),
                ]
                .concat(),
                None => format!("unsetenv {name}").into_bytes(),
            });
        }
        match update.deactivate {
            Deactivate::Leave => {}
            Deactivate::Define => {
                cmds.push([b"alias deactivate ", &quote(DEACTIVATE)[..]].concat())
            }
            Deactivate::Remove => cmds.push(b"unalias deactivate".to_vec()),
        }
        // Before the prompt changes: the hook compares the saved prompt with its own.
        if let Some(hand_over) = &update.hand_over {
            if let Some(saved) = hand_over
                .saved_path
                .as_ref()
                .filter(|p| self.can_express(p))
            {
                cmds.push([b"set _OLD_VIRTUAL_PATH = ", &quote(saved.as_bytes())[..]].concat());
            }
            cmds.push(b"_autovenv_hand_over".to_vec());
        }
        let base = prompt_base(
            std::env::var_os("_AUTOVENV_PROMPT"),
            std::env::var_os("_AUTOVENV_PROMPT_PREFIX"),
        );
        let set_base = |cmds: &mut Vec<Vec<u8>>, base: &[u8], then: &[u8]| {
            cmds.push([b"set _autovenv_prompt_old = ", &quote(base)[..]].concat());
            cmds.push(then.to_vec());
        };
        match (&update.prompt, &base) {
            (PromptChange::Show(prefix), _) => {
                cmds.push(
                    [
                        b"set _autovenv_p = ",
                        &quote(&prompt_escape(prefix.as_bytes()))[..],
                    ]
                    .concat(),
                );
                match &base {
                    Some(base) => set_base(&mut cmds, base, b"_autovenv_prompt_put"),
                    None => cmds.push(b"_autovenv_prompt_show".to_vec()),
                }
            }
            (PromptChange::Remove, Some(base)) => {
                set_base(&mut cmds, base, b"_autovenv_prompt_back")
            }
            (PromptChange::Remove, None) => cmds.push(b"_autovenv_prompt_remove".to_vec()),
        }
        if update.rehash {
            cmds.push(b"rehash".to_vec());
        }
        cmds.push(
            [
                b"set _autovenv_session = ",
                &quote(update.session.as_bytes())[..],
            ]
            .concat(),
        );
        cmds.push([b"alias _autovenv_watch ", &quote(&watch(update))[..]].concat());
        if update.again {
            // A venv to make was left for the prompt (see shells/tcsh.csh).
            cmds.push(b"set _autovenv_again".to_vec());
        }
        let mut out = cmds.join(&b" ; "[..]);
        out.push(b'\n');
        out
    }

    /// A newline cannot pass through `eval "`…`"`, which turns it into a space.
    fn can_express(&self, value: &OsStr) -> bool {
        !value.as_bytes().contains(&b'\n')
    }
}

/// The body of the `_autovenv_watch` alias: sets `_autovenv_s` to the indexes of the
/// watched entries that exist in `$cwd` and at the anchor, with `-e` tests only. Entries
/// whose names hold characters that would need quoting inside an alias inside `eval` are
/// left out (the default names never do): a change to them is seen at the next `cd`.
fn watch(update: &Update) -> Vec<u8> {
    let plain = |b: &[u8]| {
        b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"._+-,@%~/ ".contains(c))
    };
    let anchor = update.anchor.as_bytes();
    let mut out = b"set _autovenv_s = ''".to_vec();
    let mut i = 0;
    for name in &update.watch {
        let name = name.as_bytes();
        if name.is_empty() || !plain(name) {
            continue;
        }
        let mut places: Vec<Vec<u8>> = Vec::new();
        if name.starts_with(b"/") {
            places.push(name.to_vec());
        } else {
            places.push([b"$cwd:q/", name].concat());
            if plain(anchor) {
                places.push([anchor, b"/", name].concat());
            }
        }
        for place in places {
            out.extend_from_slice(b" ; if (-e \"");
            out.extend_from_slice(&place);
            out.extend_from_slice(
                format!("\") set _autovenv_s = \"${{_autovenv_s}}{i},\"").as_bytes(),
            );
            i += 1;
        }
    }
    out
}

/// Quotes `bytes` as one csh word inside evaluated code: runs of bytes in `'…'`, and
/// outside the quotes each `'` as `"'"`, each `!` as `\!` (history substitution acts even
/// inside single quotes) and each `\` as `\\` (with `set backslash_quote`, a backslash
/// inside quotes escapes the next quote). Every byte but NUL and newline survives as it
/// is, invalid UTF-8, backquotes, `$` and globs included.
pub fn quote(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    let mut quoted = false;
    for &b in bytes {
        let outside: &[u8] = match b {
            b'\'' => b"\"'\"",
            b'!' => b"\\!",
            b'\\' => b"\\\\",
            _ => {
                if !quoted {
                    out.push(b'\'');
                    quoted = true;
                }
                out.push(b);
                continue;
            }
        };
        if quoted {
            out.push(b'\'');
            quoted = false;
        }
        out.extend_from_slice(outside);
    }
    if quoted {
        out.push(b'\'');
    } else if out.is_empty() {
        out.extend_from_slice(b"''");
    }
    out
}

/// The prompt without the prefix autovenv put in front of it, from what the hook passes
/// when it runs the binary: `prompt` as the shell has it, and autovenv's prefix (as the
/// prompt shows it) when autovenv put one there. The user's edits made while the venv was
/// active are kept; a prompt that no longer starts with the prefix is left as it is.
/// `None` where the hook passed no prompt or one that cannot come back through `eval`
/// (a newline): the hook then compares the whole prompt instead.
fn prompt_base(prompt: Option<OsString>, prefix: Option<OsString>) -> Option<Vec<u8>> {
    let prompt = prompt?.into_vec();
    if prompt.contains(&b'\n') {
        return None;
    }
    let prefix = prefix.map(OsString::into_vec).unwrap_or_default();
    match prompt.strip_prefix(&prefix[..]) {
        Some(rest) if !prefix.is_empty() => Some(rest.to_vec()),
        _ => Some(prompt),
    }
}

/// Escapes text for tcsh's `prompt`, where `%` starts a sequence and `!` is the history
/// number.
fn prompt_escape(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 4);
    for &b in text {
        match b {
            b'%' => out.extend_from_slice(b"%%"),
            b'!' => out.extend_from_slice(b"\\!"),
            _ => out.push(b),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_history_and_quotes() {
        super::super::assert_quotes!(quote,
            b"a!b" => b"'a'\\!'b'",
            b"it's `x` $y \xff" => b"'it'\"'\"'s `x` $y \xff'",
            b"a\\'b\\" => b"'a'\\\\\"'\"'b'\\\\",
            b"" => b"''",
        );
    }

    #[test]
    fn the_prompt_base_drops_only_autovenvs_prefix() {
        let base = |p: &str, x: Option<&str>| prompt_base(Some(p.into()), x.map(Into::into));
        assert_eq!(
            base("(.venv) me%% ", Some("(.venv) ")),
            Some(b"me%% ".to_vec())
        );
        assert_eq!(
            base("x (.venv) %% ", Some("(.venv) ")),
            Some(b"x (.venv) %% ".to_vec())
        );
        assert_eq!(base("(.venv) %% ", None), Some(b"(.venv) %% ".to_vec()));
        assert_eq!(base("a\nb", Some("a")), None);
        assert_eq!(prompt_base(None, Some("(.venv) ".into())), None);
    }

    #[test]
    fn newlines_are_refused() {
        assert!(!Tcsh.can_express(OsStr::new("a\nb")));
        assert!(Tcsh.can_express(OsStr::new("a b!'")));
    }
}
