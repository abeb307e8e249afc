//! What bash and zsh share: quoting (single quotes around raw bytes) and the shape of the
//! code that applies an update; [`Dialect`] holds where they differ.

use std::os::unix::ffi::OsStrExt;

use crate::update::{Deactivate, PromptChange, Update};

/// Where bash and zsh differ in the code that applies an update.
pub struct Dialect {
    /// The command that unsets a variable, e.g. `\builtin unset -v`.
    pub unset: &'static str,
    /// The command that removes the `deactivate` function.
    pub remove_deactivate: &'static str,
    /// The command that makes the shell forget command locations.
    pub rehash: &'static str,
    /// Escapes prompt text to show literally; the flag says whether the prompt is
    /// expanded like a double-quoted string first (bash `promptvars`, zsh `PROMPT_SUBST`).
    pub prompt_escape: fn(&[u8], bool) -> Vec<u8>,
}

/// Renders `update` as code for the hook in `shells/bash.sh` or `shells/zsh.zsh`: exports
/// and unsets, the hand-over to a venv activated by hand, `deactivate`, the prompt prefix (escaped both ways; the hook picks one by
/// the user's option), rehash, then the hook's bookkeeping and `_autovenv_done`.
pub fn render(update: &Update, dialect: &Dialect) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in &update.env {
        match value {
            Some(value) => {
                out.extend_from_slice(format!("\\builtin export {name}=").as_bytes());
                out.extend(quote(value.as_bytes()));
            }
            None => out.extend_from_slice(format!("{} {name}", dialect.unset).as_bytes()),
        }
        out.push(b'\n');
    }
    // Before the prompt changes: the hook finds autovenv's prefix by what it last showed.
    if let Some(hand_over) = &update.hand_over {
        out.extend(super::hand_over_line(hand_over, quote));
    }
    match update.deactivate {
        Deactivate::Leave => {}
        Deactivate::Define => out.extend_from_slice(b"_autovenv_deactivate_define\n"),
        Deactivate::Remove => {
            out.extend_from_slice(dialect.remove_deactivate.as_bytes());
            out.push(b'\n');
        }
    }
    match &update.prompt {
        PromptChange::Leave => {}
        PromptChange::Show(name) => {
            let mut prefix = b"(".to_vec();
            prefix.extend_from_slice(name.as_bytes());
            prefix.extend_from_slice(b") ");
            out.extend_from_slice(b"_autovenv_prompt_show ");
            out.extend(quote(&(dialect.prompt_escape)(&prefix, true)));
            out.push(b' ');
            out.extend(quote(&(dialect.prompt_escape)(&prefix, false)));
            out.push(b'\n');
        }
        PromptChange::Remove => out.extend_from_slice(b"_autovenv_prompt_remove\n"),
    }
    if update.rehash {
        out.extend_from_slice(dialect.rehash.as_bytes());
        out.push(b'\n');
    }
    out.extend_from_slice(b"_AUTOVENV_SESSION=");
    out.extend(quote(update.session.as_bytes()));
    out.extend_from_slice(b"\n_AUTOVENV_ANCHOR=");
    let anchor = update.anchor.as_os_str().as_bytes();
    out.extend(quote(anchor.strip_suffix(b"/").unwrap_or(anchor)));
    out.extend_from_slice(b"\n_AUTOVENV_NAMES=(");
    for (i, name) in update.watch.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        out.extend(quote(name.as_bytes()));
    }
    out.extend_from_slice(b")\n_autovenv_done\n");
    out
}

/// Quotes `bytes` as one word: `'...'`, each `'` written as `'\''`. Every byte but NUL
/// (which no environment value or path holds) survives as it is, newlines and invalid
/// UTF-8 included. Text goes through `shell_words`; other bytes are quoted the same way.
pub fn quote(bytes: &[u8]) -> Vec<u8> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        if !text.is_empty() {
            return shell_words::quote(text).into_owned().into_bytes();
        }
    }
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'\'');
    for &b in bytes {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_every_kind_of_word() {
        assert_eq!(quote(b""), b"''");
        assert_eq!(quote(b"plain"), b"plain");
        assert_eq!(quote(b"it's $(x)"), b"'it'\\''s $(x)'");
        assert_eq!(quote(b"a\xffb'"), b"'a\xffb'\\'''");
    }
}
