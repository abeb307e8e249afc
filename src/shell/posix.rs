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
    ///
    /// `@STAMP@` becomes the path of the shell's stamp (see [`crate::stamp`]), made now,
    /// or nothing where there is none.
    fn hook(&self, exe: &Path) -> Vec<u8> {
        let stamp = match crate::stamp::create() {
            Some(path) => quote(path.as_os_str().as_bytes()),
            None => b"''".to_vec(),
        };
        let text = without_comment_lines(self.hook);
        let (before, after) = text.split_once("@STAMP@").unwrap_or((&text, ""));
        [
            super::fill_template(before, &quote(exe.as_os_str().as_bytes())),
            stamp,
            after.as_bytes().to_vec(),
        ]
        .concat()
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
    out.extend_from_slice(b"_autovenv_session=");
    out.extend(quote(update.session.as_bytes()));
    out.extend_from_slice(b"\n_autovenv_anchor=");
    out.extend(quote(update.anchor.as_bytes()));
    out.push(b'\n');
    out.extend(steady_check(update));
    out.extend_from_slice(b"_autovenv_done\n");
    if update.again {
        out.extend_from_slice(b"_autovenv_pwd=\n");
    }
    out
}

/// The watched entries as the hook tests them: `_autovenv_names` (the hook's
/// `_autovenv_absent_in` and `_autovenv_anchored` go through them, after a cd below the
/// anchor), `_autovenv_snapshot` (a `1` or `0` for each: present or absent at the anchor
/// now), and what the steady prompt's `[[ ]]` tests beside the stamp (see
/// `_autovenv_define_hook`): `_autovenv_check`, also run as `_autovenv_others`.
///
/// A directory's mtime moves whenever an entry is added, removed or renamed in it, so the
/// stamp speaks for every name directly in the current directory and the anchor (see
/// [`crate::stamp`]). A name with a `/` in it, which lies in a directory below, and an
/// absolute one are tested by themselves, at the anchor: their paths go in
/// `_autovenv_w1`, `_autovenv_w2`, … (bash spends on every byte of a word it expands, and
/// little on a variable's value). A present entry is one that exists or is a symlink; an
/// absent one is tested with `-e` alone: a symlink to nowhere appearing is not a venv, and
/// the next cd notices it.
fn steady_check(update: &Update) -> Vec<u8> {
    let mut names = b"_autovenv_names=(".to_vec();
    let mut snapshot = b"\n_autovenv_snapshot=".to_vec();
    let mut paths = Vec::new();
    let mut check = Vec::new();
    for (i, name) in update.watch.iter().enumerate() {
        let bytes = name.as_bytes();
        if i > 0 {
            names.push(b' ');
        }
        names.extend(quote(bytes));
        let path = if bytes.starts_with(b"/") {
            name.clone()
        } else {
            let mut path = update.anchor.clone();
            path.push("/");
            path.push(name);
            path
        };
        let present = std::fs::symlink_metadata(&path).is_ok();
        snapshot.push(if present { b'1' } else { b'0' });
        if bytes.contains(&b'/') {
            let variable = format!("$_autovenv_w{}", paths.len() + 1);
            paths.extend_from_slice(&variable.as_bytes()[1..]);
            paths.push(b'=');
            paths.extend(quote(path.as_bytes()));
            paths.push(b'\n');
            check.extend(
                if present {
                    format!(" && ( -e {variable} || -L {variable} )")
                } else {
                    format!(" && ! -e {variable}")
                }
                .into_bytes(),
            );
        }
    }
    let mut out = names;
    out.push(b')');
    out.extend(snapshot);
    out.push(b'\n');
    out.extend(paths);
    match check.strip_prefix(b" && ") {
        Some(tests) => {
            out.extend_from_slice(b"_autovenv_others() { [[ ");
            out.extend_from_slice(tests);
            out.extend_from_slice(b" ]]; }\n");
        }
        None => out.extend_from_slice(b"_autovenv_others() { :; }\n"),
    }
    out.extend_from_slice(b"_autovenv_check=");
    out.extend(quote(&check));
    out.push(b'\n');
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
