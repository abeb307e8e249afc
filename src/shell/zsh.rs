//! zsh: the hook runs first in `precmd_functions`.

use super::posix::Dialect;

/// zsh 5 and later. In its `PROMPT`, `%` starts a prompt escape, and with `setopt
/// PROMPT_SUBST` the prompt is expanded like a double-quoted string first, so `$(…)` or a
/// backtick in a venv's name would run on every prompt unless escaped.
pub const ZSH: Dialect = Dialect {
    name: "zsh",
    hook: HOOK,
    unset: "\\builtin unset",
    rehash: "\\builtin rehash",
    prompt_escape: b'%',
};

const HOOK: &str = include_str!("../../shells/zsh.zsh");
