//! What bash and zsh share: quoting (single quotes around raw bytes), the shape of the
//! code that applies an update, and with them one implementation of [`Shell`];
//! [`Dialect`] holds where they differ.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::Shell;
use crate::shell_update::{Deactivate, PromptChange, Update};

/// Where bash and zsh differ: their names, their hooks, and the commands and prompt
/// escapes of the code that applies an update.
pub struct Dialect {
    /// The name used on the command line.
    pub name: &'static str,
    /// The hook text, with `@AUTOVENV@` where the binary's path goes.
    pub hook: &'static str,
    /// The command that unsets a variable, e.g. `\builtin unset -v`.
    pub unset: &'static str,
    /// The command that makes the shell forget command locations.
    pub rehash: &'static str,
    /// The byte that starts an escape in the prompt (`\` in bash, `%` in zsh); written
    /// twice, it shows itself.
    pub prompt_escape: u8,
}

/// bash and zsh are one shell to autovenv but for their [`Dialect`].
impl Shell for Dialect {
    fn name(&self) -> &'static str {
        self.name
    }

    /// Comment lines are left out: the shell parses every byte of the rc line's text at
    /// each start-up, and the comments are nearly half of it.
    fn hook(&self, exe: &Path) -> Vec<u8> {
        super::fill_template(
            &without_comment_lines(self.hook),
            &quote(exe.as_os_str().as_bytes()),
        )
    }

    /// The code runs inside the hook's `_autovenv_eval` (zsh's under `emulate -L zsh`:
    /// plain zsh syntax, and `export` there is global, `typeset -gx`).
    fn render(&self, update: &Update) -> Vec<u8> {
        render(update, self)
    }
}

/// `script` without its lines that hold only a comment, but for shellcheck's directives.
/// The hooks have no multi-line string with such a line in it (tests/bash.rs and
/// tests/zsh.rs load both forms and compare the functions they define).
fn without_comment_lines(script: &str) -> String {
    script
        .lines()
        .filter(|line| {
            let line = line.trim_start();
            !line.starts_with('#') || line.starts_with("# shellcheck ")
        })
        .map(|line| [line, "\n"].concat())
        .collect()
}

/// `text` escaped by `dialect` to show literally in a prompt that is `expanded` like a
/// double-quoted string first (bash `promptvars`, zsh `PROMPT_SUBST`), or not: `\`, `$`
/// and `` ` `` behind a backslash if it is, then the dialect's escape byte doubled. The
/// order suits both shells: bash decodes its escapes before it expands, and in zsh the two
/// never touch the same byte.
fn prompt_escape(dialect: &Dialect, text: &[u8], expanded: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 8);
    for &b in text {
        if expanded && matches!(b, b'\\' | b'$' | b'`') {
            push_prompt_byte(&mut out, dialect, b'\\');
        }
        push_prompt_byte(&mut out, dialect, b);
    }
    out
}

/// Pushes `b` to `out`, twice if it is `dialect`'s prompt escape byte.
fn push_prompt_byte(out: &mut Vec<u8>, dialect: &Dialect, b: u8) {
    if b == dialect.prompt_escape {
        out.push(b);
    }
    out.push(b);
}

/// Renders `update` as code for the hook in `shells/bash.sh` or `shells/zsh.zsh`: exports
/// and unsets, the hand-over to a venv activated by hand, `deactivate`, the prompt prefix
/// (escaped both ways; the hook picks one by the user's option), rehash, then the hook's
/// bookkeeping and `_autovenv_done`.
pub fn render(update: &Update, dialect: &Dialect) -> Vec<u8> {
    let mut out = super::env_lines(
        update,
        |name, value| super::with_quoted(format!("\\builtin export {name}="), value, quote),
        |name| format!("{} {name}", dialect.unset),
    );
    // Before the prompt changes: the hook finds autovenv's prefix by what it last showed.
    if let Some(hand_over) = &update.hand_over {
        out.extend(super::hand_over_line(hand_over, quote));
    }
    match update.deactivate {
        Deactivate::Leave => {}
        Deactivate::Define => out.extend_from_slice(b"_autovenv_deactivate_define\n"),
        Deactivate::Remove => out.extend_from_slice(b"_autovenv_deactivate_remove\n"),
    }
    match &update.prompt {
        PromptChange::Show(prefix) => {
            out.extend_from_slice(b"_autovenv_prompt_show ");
            out.extend(quote(&prompt_escape(dialect, prefix.as_bytes(), true)));
            out.push(b' ');
            out.extend(quote(&prompt_escape(dialect, prefix.as_bytes(), false)));
            out.push(b'\n');
        }
        PromptChange::Remove => out.extend_from_slice(b"_autovenv_prompt_remove\n"),
    }
    if update.rehash {
        out.extend_from_slice(dialect.rehash.as_bytes());
        out.push(b'\n');
    }
    out.extend(super::bookkeeping(
        update,
        quote,
        [
            "_autovenv_session=",
            "\n_autovenv_anchor=",
            "\n_autovenv_names=(",
            ")\n_autovenv_done\n",
        ],
        false,
    ));
    if update.again {
        out.extend_from_slice(b"_autovenv_pwd=\n");
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

    /// bash decodes backslash escapes, then (with `shopt -s promptvars`, the default)
    /// expands `$`, `` ` `` and `\` once more; zsh reads `%` as a prompt escape, and
    /// with `setopt PROMPT_SUBST` expands like a double-quoted string first.
    #[test]
    fn prompt_escapes() {
        let bash = |text: &str, on| prompt_escape(&super::super::bash::BASH, text.as_bytes(), on);
        assert_eq!(
            bash("($(x) `y` \\) ", true),
            b"(\\\\$(x) \\\\`y\\\\` \\\\\\\\) "
        );
        assert_eq!(bash("($(x) \\) ", false), b"($(x) \\\\) ");
        let zsh = |text: &str, on| prompt_escape(&super::super::zsh::ZSH, text.as_bytes(), on);
        assert_eq!(
            zsh("($(x) `y` \\ 100%) ", true),
            b"(\\$(x) \\`y\\` \\\\ 100%%) "
        );
        assert_eq!(zsh("($(x) `y` \\ 100%) ", false), b"($(x) `y` \\ 100%%) ");
    }

    #[test]
    fn quotes_every_kind_of_word() {
        super::super::assert_quotes!(quote,
            b"" => b"''",
            b"plain/path-1.2+x:y@z" => b"plain/path-1.2+x:y@z",
            b"it's $(x)" => b"'it'\\''s $(x)'",
            b"a\xffb'" => b"'a\xffb'\\'",
            b"''x" => b"\\'\\''x'",
        );
        for word in [
            "{a,b}", "}", "~", "=x", "#", "!!", "^x", "[a]", "*", "?", "a,b", "%F{r}",
        ] {
            assert_eq!(quote(word.as_bytes()), format!("'{word}'").into_bytes());
        }
    }
}
