//! bash: the hook runs from `PROMPT_COMMAND` (string or bash 5.1 array).

use super::posix::Dialect;

/// GNU bash, 3.2 and later. Its `PS1` decodes backslash escapes, then (with `shopt -s
/// promptvars`, the default) expands `$`, `` ` `` and `\` once more, so `$(…)` in a
/// directory name would run on every prompt unless escaped.
pub const BASH: Dialect = Dialect {
    name: "bash",
    hook: HOOK,
    unset: "\\builtin unset -v",
    rehash: "\\builtin hash -r",
    prompt_escape: b'\\',
};

const HOOK: &str = include_str!("../../shells/bash.sh");
