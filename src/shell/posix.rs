//! What bash and zsh share: quoting (single quotes around raw bytes) and the shape of the
//! code that applies an update; [`Dialect`] holds where they differ.

use std::os::unix::ffi::OsStrExt;

use crate::shell_update::{Deactivate, PromptChange, Update};

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
/// and unsets, the hand-over to a venv activated by hand, `deactivate`, the prompt prefix
/// (escaped both ways; the hook picks one by the user's option), rehash, then the hook's
/// bookkeeping and `_autovenv_done`.
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
        PromptChange::Show(prefix) => {
            out.extend_from_slice(b"_autovenv_prompt_show ");
            out.extend(quote(&(dialect.prompt_escape)(prefix.as_bytes(), true)));
            out.push(b' ');
            out.extend(quote(&(dialect.prompt_escape)(prefix.as_bytes(), false)));
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
    out.extend(quote(update.anchor.as_bytes()));
    out.extend_from_slice(b"\n_AUTOVENV_NAMES=(");
    for (i, name) in update.watch.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        out.extend(quote(name.as_bytes()));
    }
    out.extend_from_slice(b")\n_autovenv_done\n");
    if update.again {
        out.extend_from_slice(b"_AUTOVENV_PWD=\n");
    }
    out
}

/// Bytes that mean nothing to bash or zsh anywhere in a word, under any option a user may
/// turn on: a word made only of these is written bare, every other one is quoted.
fn is_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-' | b'+' | b':' | b'@')
}

/// Quotes `bytes` as one word of bash or zsh. A word made only of `is_safe` bytes is
/// written as it is; any other goes in single quotes, where every byte but `'` is literal
/// (newlines and invalid UTF-8 included; NUL is in no environment value or path), and
/// each `'` is written as `\'` between the quoted runs. No two quotes ever touch, so zsh's
/// `RC_QUOTES` (where `''` inside quotes is a quote) reads it the same.
pub fn quote(bytes: &[u8]) -> Vec<u8> {
    if bytes.is_empty() {
        return b"''".to_vec();
    }
    if bytes.iter().all(|&b| is_safe(b)) {
        return bytes.to_vec();
    }
    let mut out = Vec::with_capacity(bytes.len() + 2);
    for (i, run) in bytes.split(|&b| b == b'\'').enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\\'");
        }
        if !run.is_empty() {
            out.push(b'\'');
            out.extend_from_slice(run);
            out.push(b'\'');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_every_kind_of_word() {
        assert_eq!(quote(b""), b"''");
        assert_eq!(quote(b"plain/path-1.2+x:y@z"), b"plain/path-1.2+x:y@z");
        assert_eq!(quote(b"it's $(x)"), b"'it'\\''s $(x)'");
        assert_eq!(quote(b"a\xffb'"), b"'a\xffb'\\'");
        assert_eq!(quote(b"''x"), b"\\'\\''x'");
        for word in [
            "{a,b}", "}", "~", "=x", "#", "!!", "^x", "[a]", "*", "?", "a,b", "%F{r}",
        ] {
            assert_eq!(quote(word.as_bytes()), format!("'{word}'").into_bytes());
        }
    }
}
