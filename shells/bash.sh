# autovenv: Python virtual environments that follow you around the shell.
# Loaded with `eval "$(autovenv hook bash)"`; loading it again is harmless.
#
# On every prompt _autovenv_hook decides, with shell builtins only, whether anything that
# matters may have changed: $PWD (walked up to the anchor the binary named last time),
# $VIRTUAL_ENV, or the entries it watches at the current directory and the anchor (on a
# steady prompt: whether either directory is newer than the shell's stamp, a file
# written just before each look). Only then does it run `autovenv export bash` (one
# process) and evaluate what that prints.
#
# Note: `\builtin local` is not a declaration command, so its assignments are quoted.

_autovenv_bin=@AUTOVENV@
_autovenv_stamp=@STAMP@
_autovenv_pwd=
_autovenv_pending=

# Runs on every prompt (PROMPT_COMMAND) and after every cd, pushd and popd that changed
# the directory (with --no-create); its arguments go to `autovenv export`. Until the first
# evaluation it hands over to _autovenv_change alone; _autovenv_define_hook then defines
# it again with the steady prompt's whole check inline.
_autovenv_hook() {
    _autovenv_status=$?
    _autovenv_change "$@"
}

# Defines _autovenv_hook with the steady prompt's whole check inline, for the state the
# last evaluation left: one `[[ ]]` over $PWD, $VIRTUAL_ENV and $_OLD_VIRTUAL_PATH as it
# saw them (a test for empty where they were), the prompt prefix in the form `promptvars`
# asks for, the stamp newer than $PWD and the anchor (nothing appeared or vanished in
# either since the last look; see `autovenv hook`), and _autovenv_check, which the binary
# printed: a test for each watched entry a directory's mtime does not cover. bash copies a
# function's body at every call and spends on every byte of every word it expands, so the
# check is as short as the state allows, and paths are in variables. Without a stamp the
# names are tested one by one. A steady prompt after a command that succeeded ends
# without `return`, which costs more than the check.
# `-nt` takes a file that is not there for an old one, so the anchor, which a project
# deleted under the shell takes away, is tested for being there.
# shellcheck disable=SC2016 # the check's text is meant literally, for the eval below
_autovenv_define_hook() {
    \builtin local _autovenv_t='$PWD == "$_autovenv_pwd"'
    if [[ -z ${_OLD_VIRTUAL_PATH+x}${VIRTUAL_ENV-} ]]; then
        _autovenv_t+=' && -z ${_OLD_VIRTUAL_PATH+x}${VIRTUAL_ENV-}'
    elif [[ -z ${_OLD_VIRTUAL_PATH+x} && ${VIRTUAL_ENV} == /* ]]; then
        # A path starts with `/`, so the `x` for _OLD_VIRTUAL_PATH cannot pass for one.
        _autovenv_t+=' && ${_OLD_VIRTUAL_PATH+x}${VIRTUAL_ENV-} == "$_autovenv_venv"'
    else
        _autovenv_t+=' && ${VIRTUAL_ENV-} == "$_autovenv_venv"'
        _autovenv_t+=' && ${_OLD_VIRTUAL_PATH+x$_OLD_VIRTUAL_PATH} == "$_autovenv_old_path"'
    fi
    if [[ -n ${_autovenv_ps1_prefix-} && ${_autovenv_ps1_vars-} != "${_autovenv_ps1_plain-}" ]]; then
        if \builtin shopt -q promptvars; then
            _autovenv_t+=' && :$BASHOPTS: == *:promptvars:*'
        else
            _autovenv_t+=' && :$BASHOPTS: != *:promptvars:*'
        fi
    fi
    _autovenv_t="[[ ${_autovenv_t}${_autovenv_check-}"
    if [[ -z ${_autovenv_stamp} ]]; then
        _autovenv_t+=' ]] && _autovenv_anchored'
        if [[ ${PWD%/} != "${_autovenv_anchor-}" ]]; then
            _autovenv_t+=' && _autovenv_absent_in .'
        fi
    elif [[ ${PWD%/} != "${_autovenv_anchor-}" ]]; then
        _autovenv_t+=' && $_autovenv_stamp -nt . && -d $_autovenv_top && $_autovenv_stamp -nt $_autovenv_top ]]'
    else
        _autovenv_t+=' && $_autovenv_stamp -nt . ]]'
    fi
    _autovenv_at_top=0
    if [[ ${PWD%/} == "${_autovenv_anchor-}" ]]; then
        _autovenv_at_top=1
    fi
    \builtin local _autovenv_first=''
    if [[ ${1-} == first ]]; then
        _autovenv_first='_autovenv_wrap; _autovenv_define_hook; '
    fi
    \builtin eval "_autovenv_hook() {
    _autovenv_status=\$?
    ${_autovenv_first}if ${_autovenv_t}; then
        [[ \$_autovenv_status == 0 ]] || _autovenv_keep_status
    else
        _autovenv_change \"\$@\"
    fi
}"
}

# Hands a steady prompt's hook the status it was called with (0 under `set -e`, where a
# failing PROMPT_COMMAND would end the shell).
_autovenv_keep_status() {
    [[ $- == *e* ]] || \builtin return "${_autovenv_status}"
}

# Succeeds when the last evaluation still holds after a cd below the anchor, or after a
# change in a directory the steady check looks at, without starting any process: nothing
# on the way down from the anchor may hold a watched entry, and the anchor's are as they
# were (top down: a project entered from outside shows at its root, the first new level).
# A level looked at since the stamp was written, and older than the stamp, needs no test
# per name; one older than it is tested and noted; one newer (something was added, removed
# or renamed in it since) has the stamp written anew and every level tested. A venv's own
# `activate` sets VIRTUAL_ENV and _OLD_VIRTUAL_PATH: either changing counts.
_autovenv_unchanged() {
    [[ -n ${_autovenv_pwd-} && ${VIRTUAL_ENV-} == "${_autovenv_venv-}" &&
        ${_OLD_VIRTUAL_PATH+x${_OLD_VIRTUAL_PATH}} == "${_autovenv_old_path-}" ]] || \builtin return 1
    [[ ${PWD%/} == "${_autovenv_anchor-}" || ${PWD%/} == "${_autovenv_anchor-}"/* ]] || \builtin return 1
    _autovenv_others || \builtin return 1
    _autovenv_walk
}

# The walk from the anchor down to $PWD, for _autovenv_unchanged. With `anew` (or no
# stamp, or a level newer than the stamp: then it starts over so) the stamp is written
# first and every level tested name by name.
_autovenv_walk() {
    \builtin local _autovenv_d="${_autovenv_anchor-}" _autovenv_r="${PWD%/}"
    _autovenv_r=${_autovenv_r#"${_autovenv_d}"}
    if [[ ${1-} == anew ]]; then
        _autovenv_restamp
        _autovenv_anchored || \builtin return 1
    elif [[ -z ${_autovenv_stamp} || -z ${_autovenv_seen[${_autovenv_d}/]-} || ! -d ${_autovenv_d}/ ||
        ! ${_autovenv_stamp} -nt ${_autovenv_d}/ ]]; then
        _autovenv_walk anew
        \builtin return
    fi
    while [[ -n ${_autovenv_r} ]]; do
        _autovenv_r=${_autovenv_r#/}
        _autovenv_d=${_autovenv_d}/${_autovenv_r%%/*}
        if [[ ${_autovenv_r} == */* ]]; then
            _autovenv_r=/${_autovenv_r#*/}
        else
            _autovenv_r=
        fi
        if [[ ${1-} == anew ]]; then
            _autovenv_absent_in "${_autovenv_d}" || \builtin return 1
        elif [[ ! ${_autovenv_stamp} -nt ${_autovenv_d}/ ]]; then
            _autovenv_walk anew
            \builtin return
        elif [[ -z ${_autovenv_seen[${_autovenv_d}/]-} ]]; then
            _autovenv_absent_in "${_autovenv_d}" || \builtin return 1
            _autovenv_seen[${_autovenv_d}/]=1
        fi
    done
    if [[ ${1-} == anew ]]; then
        _autovenv_looked
    fi
    _autovenv_moved
}

# Records a cd that changed nothing: the steady check is for $PWD now, and is defined
# again where it differs, at the anchor or below it.
_autovenv_moved() {
    _autovenv_pwd=${PWD}
    if [[ ${PWD%/} == "${_autovenv_anchor-}" ]]; then
        [[ ${_autovenv_at_top-} == 1 ]] || _autovenv_define_hook
    else
        [[ ${_autovenv_at_top-} == 0 ]] || _autovenv_define_hook
    fi
}

# Whether directory $1 holds none of the watched names (the absolute ones aside).
_autovenv_absent_in() {
    \builtin local _autovenv_n
    for _autovenv_n in ${_autovenv_names[@]+"${_autovenv_names[@]}"}; do
        [[ ${_autovenv_n} == /* || ! ( -e $1/${_autovenv_n} || -L $1/${_autovenv_n} ) ]] || \builtin return 1
    done
}

# Whether each watched entry at the anchor is present (it exists or is a symlink) or absent
# as _autovenv_snapshot, the binary's `1` or `0` for each, says.
_autovenv_anchored() {
    \builtin local _autovenv_n _autovenv_s="${_autovenv_snapshot-}" _autovenv_p
    for _autovenv_n in ${_autovenv_names[@]+"${_autovenv_names[@]}"}; do
        [[ ${_autovenv_n} == /* ]] || _autovenv_n=${_autovenv_anchor-}/${_autovenv_n}
        _autovenv_p=0
        if [[ -e ${_autovenv_n} || -L ${_autovenv_n} ]]; then
            _autovenv_p=1
        fi
        [[ ${_autovenv_s:0:1} == "${_autovenv_p}" ]] || \builtin return 1
        _autovenv_s=${_autovenv_s:1}
    done
}

# Writes the stamp anew, before a look at the disk, so that whatever changes after it is
# newer; what was looked at before it no longer counts.
_autovenv_restamp() {
    if [[ -n ${_autovenv_stamp} ]]; then
        : 2>/dev/null >|"${_autovenv_stamp}"
    fi
    _autovenv_seen=()
}

# Notes every level from $PWD up to the anchor as looked at (since the stamp).
_autovenv_looked() {
    [[ -n ${_autovenv_stamp} ]] || \builtin return 0
    \builtin local _autovenv_d="${PWD%/}"
    while :; do
        _autovenv_seen[${_autovenv_d}/]=1
        [[ ${_autovenv_d} != "${_autovenv_anchor-}" && ${_autovenv_d} == */* ]] || \builtin return 0
        _autovenv_d=${_autovenv_d%/*}
    done
}

# The levels looked at since the stamp was written (`_autovenv_seen[DIR/]`); one older than
# the stamp has had nothing added, removed or renamed since. bash before 4.2 has no
# associative arrays global from a function, and no stamp.
if ((BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 2))); then
    \builtin declare -gA _autovenv_seen
    _autovenv_seen=()
else
    _autovenv_stamp=
fi

# Records that the shell is in step with $PWD; the last line of every evaluation.
_autovenv_done() {
    _autovenv_pending=
    _autovenv_pwd=${PWD}
    _autovenv_venv=${VIRTUAL_ENV-}
    if [[ -n ${AUTOVENV_STATE-} ]]; then
        _autovenv_ours=${VIRTUAL_ENV-}
    fi
    _autovenv_old_path=${_OLD_VIRTUAL_PATH+x${_OLD_VIRTUAL_PATH}}
    _autovenv_top=${_autovenv_anchor:-/}
    _autovenv_looked
    _autovenv_define_hook
}

# Runs `autovenv export bash` with the given options and applies what it prints. The text
# is kept in _autovenv_pending until its last line ran, so a Ctrl-C half way through is
# completed at the next prompt instead of leaving half an environment.
_autovenv_eval() {
    if [[ ! -x ${_autovenv_bin} || -d ${_autovenv_bin} ]]; then
        if [[ -z ${_autovenv_missing-} ]]; then
            # shellcheck disable=SC2016 # the backticks and $(…) are meant literally
            \builtin printf 'autovenv: %s is missing or not executable: reinstall autovenv, or remove `eval "$(autovenv hook bash)"` from ~/.bashrc\n' "${_autovenv_bin}" >&2
            _autovenv_missing=1
        fi
        _autovenv_settle
        \builtin return 0
    fi
    _autovenv_missing=
    # Reaching this directory through autovenv's own cd wrapper proves the wrappers are in
    # place; any other way here (a cd of the user's defined since, `builtin cd`) has them
    # checked again, which forks.
    if [[ ${PWD} != "${_autovenv_cd_pwd-}" ]]; then
        _autovenv_wrap
    fi
    # Until the evaluation's last line ran, the next prompt's check fails.
    _autovenv_pwd=
    _autovenv_restamp
    # `exec`: the command substitution's own process becomes autovenv, one fork in all.
    if _autovenv_pending=$(\builtin exec "${_autovenv_bin}" export bash "$@" --session="${_autovenv_session-}"); then
        \builtin eval "${_autovenv_pending}"
    else
        _autovenv_pending=
        _autovenv_settle
    fi
}

# After a failure, stays quiet until the user changes directory.
_autovenv_settle() {
    _autovenv_anchor=${PWD%/}
    _autovenv_names=()
    _autovenv_snapshot=
    # shellcheck disable=SC2317 # called by _autovenv_unchanged
    _autovenv_others() { :; }
    _autovenv_check=
    _autovenv_done
}

# What _autovenv_hook does when its steady check fails: completes an evaluation a Ctrl-C
# cut short, then either finds nothing changed after a cd below the anchor, or runs the
# binary. Returns the status _autovenv_hook was called with.
_autovenv_change() {
    \builtin local _autovenv_status="${_autovenv_status-0}"
    if [[ -n ${_autovenv_pending-} ]]; then
        \builtin eval "${_autovenv_pending}"
    fi
    _autovenv_unchanged || _autovenv_changed "$@"
    [[ -z ${_autovenv_ps1_prefix-} ]] || _autovenv_prompt_sync
    # Hand the last command's status on to the rest of PROMPT_COMMAND and to PS1; under
    # `set -e` a failing PROMPT_COMMAND would end the shell, so there it is 0.
    [[ ${_autovenv_status} == 0 ]] || _autovenv_keep_status
}

# Runs the binary, for _autovenv_change: bash copies a function's body at every call, so
# what a cd inside a project does not need is kept out of _autovenv_change.
_autovenv_changed() {
    if [[ -n ${AUTOVENV_STATE-} && -n ${VIRTUAL_ENV-} && ${VIRTUAL_ENV} == "${_autovenv_venv-}" &&
        -n ${_OLD_VIRTUAL_PATH+x} && x${_OLD_VIRTUAL_PATH} != "${_autovenv_old_path-}" ]]; then
        # The venv's own `activate` ran over autovenv's activation of that same venv.
        _autovenv_eval --activated-by-hand "$@"
    elif [[ -z ${VIRTUAL_ENV-} && -n ${_autovenv_venv-} && ${_autovenv_venv} == "${_autovenv_ours-}" &&
        -z ${_OLD_VIRTUAL_PATH+x} && ${PWD} == "${_autovenv_pwd-}" ]] &&
        { [[ -z ${AUTOVENV_STATE-} && -n ${_autovenv_old_path-} ]] ||
            { [[ -n ${AUTOVENV_STATE-} ]] && ! \builtin declare -F deactivate >/dev/null; }; }; then
        # autovenv's venv, activated again by hand (out of habit), was deactivated here by
        # its own `deactivate`: the project stays off until you leave it, as after
        # autovenv's `deactivate`. Typed on separate lines, the prompt between them handed
        # the activation over (AUTOVENV_STATE is gone); on one line (`source
        # .venv/bin/activate; deactivate`) it is still there, and the venv's `deactivate`,
        # which replaced autovenv's, has removed itself.
        _autovenv_eval --deactivate=full "$@"
        # With it gone, a `deactivate` of the user's own is theirs again.
        if ! \builtin declare -F deactivate >/dev/null; then
            _autovenv_deactivate_remove
        fi
    else
        _autovenv_eval "$@"
    fi
}

# Defines autovenv's `deactivate`. A `deactivate` function of the user's own is kept
# under the name _autovenv_user_deactivate until autovenv's goes again.
_autovenv_deactivate_define() {
    _autovenv_fn=
    if \builtin declare -F deactivate >/dev/null; then
        _autovenv_functions deactivate
    fi
    if [[ -n ${_autovenv_fn} && ${_autovenv_fn} != *"_autovenv_eval --deactivate"* ]]; then
        \builtin eval "_autovenv_user_${_autovenv_fn}"
    fi
    # Restores what the activation replaced; keeps this project off in this shell until
    # you leave it. `deactivate nondestructive` (the form venv scripts use) does not.
    # shellcheck disable=SC2317 # called by the user, not from here
    deactivate() {
        _autovenv_eval --deactivate="${1:-full}"
        if [[ ${1-} == nondestructive ]]; then
            _autovenv_pwd=
        fi
    }
}

# Removes autovenv's `deactivate` and puts the user's own back, if there was one.
_autovenv_deactivate_remove() {
    \builtin unset -f deactivate
    if \builtin declare -F _autovenv_user_deactivate > /dev/null; then
        _autovenv_functions _autovenv_user_deactivate
        \builtin eval "${_autovenv_fn#_autovenv_user_}"
        \builtin unset -f _autovenv_user_deactivate
    fi
}

# Shows "(name) " before PS1. $1 is the prefix escaped for `shopt -s promptvars`, $2 as is.
_autovenv_prompt_show() {
    if [[ -n ${VIRTUAL_ENV_DISABLE_PROMPT-} ]]; then
        _autovenv_prompt_remove
        \builtin return 0
    fi
    _autovenv_ps1_vars=$1
    _autovenv_ps1_plain=$2
    \builtin local _autovenv_p="$2"
    if \builtin shopt -q promptvars; then
        _autovenv_p=$1
    fi
    if [[ -n ${_autovenv_ps1_prefix-} && ${_autovenv_ps1_prefix} != "${_autovenv_p}" ]]; then
        _autovenv_prompt_remove
    fi
    if [[ ${PS1-} != "${_autovenv_p}"* ]]; then
        PS1=${_autovenv_p}${PS1-}
    fi
    _autovenv_ps1_prefix=${_autovenv_p}
    _autovenv_ps1_hidden=
}

# Keeps the prefix in PS1 escaped for `promptvars` as it is now, at every prompt: turned on
# after the prefix was shown (a theme loaded later, or by hand), the unescaped form would
# run a `$(…)` in a venv's name at every prompt; turned off, the escaped one would show
# its backslashes.
_autovenv_prompt_sync() {
    [[ -n ${_autovenv_ps1_prefix-} ]] || \builtin return 0
    \builtin local _autovenv_p="${_autovenv_ps1_plain-}"
    if \builtin shopt -q promptvars; then
        _autovenv_p=${_autovenv_ps1_vars-}
    fi
    [[ ${_autovenv_p} != "${_autovenv_ps1_prefix}" ]] || \builtin return 0
    if [[ ${PS1-} == *"${_autovenv_ps1_prefix}"* ]]; then
        PS1=${PS1%%"${_autovenv_ps1_prefix}"*}${_autovenv_p}${PS1#*"${_autovenv_ps1_prefix}"}
    fi
    _autovenv_ps1_prefix=${_autovenv_p}
    _autovenv_define_hook
}

# Takes the prefix off again, only if it is still there. A venv activated by hand keeps
# it under its own prefix (its `activate` saved PS1 with it): then it is taken out there,
# and remembered as hidden, because that venv's `deactivate` brings the saved PS1 back.
_autovenv_prompt_remove() {
    if [[ -n ${_autovenv_ps1_prefix-} && ${PS1-} == *"${_autovenv_ps1_prefix}"* ]]; then
        PS1=${PS1/"${_autovenv_ps1_prefix}"/}
        if [[ -n ${VIRTUAL_ENV-} ]]; then
            _autovenv_ps1_hidden=${_autovenv_ps1_prefix}
        fi
    elif [[ -n ${_autovenv_ps1_hidden-} && -z ${VIRTUAL_ENV-} && ${PS1-} == "${_autovenv_ps1_hidden}"* ]]; then
        PS1=${PS1#"${_autovenv_ps1_hidden}"}
    fi
    if [[ -z ${VIRTUAL_ENV-} ]]; then
        _autovenv_ps1_hidden=
    fi
    _autovenv_ps1_prefix=
}

# A venv activated by hand over autovenv's activation saved PATH, PS1 and PYTHONHOME with
# autovenv's changes in them (_OLD_VIRTUAL_*, as every venv's `activate` names them), for
# its `deactivate` to bring back: take autovenv's PATH entry ($1) and prompt prefix out of
# those copies, and hand it PYTHONHOME as it was before autovenv ($2, when it was set).
_autovenv_hand_over() {
    if [[ -z ${_OLD_VIRTUAL_PATH+x} ]]; then
        \builtin return 0
    fi
    \builtin local _autovenv_p=":${_OLD_VIRTUAL_PATH}:"
    if [[ ${_autovenv_p} == *":$1:"* ]]; then
        _autovenv_p=${_autovenv_p/":$1:"/:}
        _autovenv_p=${_autovenv_p#:}
        _OLD_VIRTUAL_PATH=${_autovenv_p%:}
    fi
    if [[ -n ${_autovenv_ps1_prefix-} && -n ${_OLD_VIRTUAL_PS1+x} ]]; then
        _OLD_VIRTUAL_PS1=${_OLD_VIRTUAL_PS1/"${_autovenv_ps1_prefix}"/}
    fi
    if [[ $# -ge 2 ]]; then
        _OLD_VIRTUAL_PYTHONHOME=$2
    fi
}

# Makes cd, pushd and popd take effect at once, so that `cd project && python` runs the
# project's venv: each becomes a function that runs the user's own (or the builtin), then
# the hook. A user's function of that name, defined before the hook or after it (it is
# taken in at the first prompt, or at the next run of the binary not reached through the
# wrapper), keeps working under the name _autovenv_user_NAME. Only a function that exists
# is read.
_autovenv_wrap() {
    \builtin local _autovenv_all='' _autovenv_c
    if \builtin declare -F cd >/dev/null || \builtin declare -F pushd >/dev/null ||
        \builtin declare -F popd >/dev/null; then
        _autovenv_functions cd pushd popd
        _autovenv_all=${_autovenv_fn}
    fi
    for _autovenv_c in cd pushd popd; do
        [[ ${_autovenv_all} != *"_autovenv_cd ${_autovenv_c} "* ]] || \builtin continue
        _autovenv_fn=
        if \builtin declare -F "${_autovenv_c}" >/dev/null; then
            _autovenv_functions "${_autovenv_c}"
        fi
        if [[ -n ${_autovenv_fn} ]]; then
            \builtin eval "_autovenv_user_${_autovenv_fn}"
        else
            \builtin eval "_autovenv_user_${_autovenv_c}() { \\builtin ${_autovenv_c} \"\$@\"; }"
        fi
        \builtin eval "${_autovenv_c}() { _autovenv_cd ${_autovenv_c} \"\$@\"; }"
    done
}

# Puts the text of the functions named (all of which exist) in _autovenv_fn: through a
# file beside the stamp where there is one (no fork), else through `$(…)`, which forks.
_autovenv_functions() {
    _autovenv_fn=
    if [[ -n ${_autovenv_stamp} ]] &&
        { \builtin declare -f "$@"; \builtin true; } 2>/dev/null >|"${_autovenv_stamp}.fn"; then
        IFS= \builtin read -r -d '' _autovenv_fn <"${_autovenv_stamp}.fn" || :
    else
        _autovenv_fn=$(\builtin declare -f "$@" 2>/dev/null) || :
    fi
}

# Runs the user's cd, pushd or popd ($1) with the rest of the arguments and keeps its
# status; when the directory changed, evaluates at once. A cd may be one step of a loop or
# script: a venv is activated here, but only created at a prompt. Not in subshells
# (`$(cd dir && ...)` in a prompt), whose changes would be lost anyway.
_autovenv_cd() {
    \builtin local _autovenv_c="$1" _autovenv_was="${PWD}" _autovenv_rc=0
    \builtin shift
    "_autovenv_user_${_autovenv_c}" "$@" || _autovenv_rc=$?
    if [[ ${PWD} != "${_autovenv_was}" ]] && ((BASH_SUBSHELL == 0)); then
        [[ ${PROMPT_COMMAND[0]-} == *_autovenv_hook* ]] || _autovenv_register
        _autovenv_cd_pwd=${PWD}
        _autovenv_hook --no-create
    fi
    \builtin return "${_autovenv_rc}"
}

# `autovenv allow`, `deny`, `create`, `reload` change the answer without a cd: run the
# binary, then make the next prompt evaluate again.
autovenv() {
    \builtin local _autovenv_rc=0
    AUTOVENV_SESSION=${_autovenv_session-} \builtin command "${_autovenv_bin}" "$@" || _autovenv_rc=$?
    if [[ ${1-} == reload ]]; then
        _autovenv_session=r
    fi
    _autovenv_pwd=
    \builtin return "${_autovenv_rc}"
}

# Puts _autovenv_hook first in PROMPT_COMMAND, once. From bash 5.1 PROMPT_COMMAND may be an
# array, and it is made one: the hook goes in front of its first element and
# _autovenv_guard is added last, so that when a theme or rc line after the hook line
# assigns the variable (`PROMPT_COMMAND=mytheme`, `PROMPT_COMMAND='history -a'`, which
# replace the first element alone) the guard puts the hook back in front of what they
# wrote. An exported PROMPT_COMMAND stays a string: an array cannot be passed on.
_autovenv_register() {
    \builtin local _autovenv_pc
    # Under `set -u` an unset PROMPT_COMMAND cannot even be asked for its attributes.
    [[ -n ${PROMPT_COMMAND+x} ]] || PROMPT_COMMAND=
    if ((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1))) &&
        [[ ${PROMPT_COMMAND@a} != *x* ]]; then
        if [[ ${PROMPT_COMMAND@a} != *a* ]]; then
            # shellcheck disable=SC2128,SC2178 # a string (or nothing) made an array of one
            _autovenv_pc=${PROMPT_COMMAND-}
            \builtin unset PROMPT_COMMAND
            PROMPT_COMMAND=("${_autovenv_pc}")
        fi
        _autovenv_prompt_command_first
        for _autovenv_pc in "${PROMPT_COMMAND[@]}"; do
            [[ ${_autovenv_pc} != _autovenv_guard ]] || \builtin return 0
        done
        PROMPT_COMMAND+=(_autovenv_guard)
    elif [[ ${PROMPT_COMMAND-} != *_autovenv_hook* ]]; then
        _autovenv_pc=${PROMPT_COMMAND-}
        # shellcheck disable=SC2178 # here PROMPT_COMMAND is a string, above an array
        PROMPT_COMMAND="_autovenv_hook${_autovenv_pc:+;${_autovenv_pc#;}}"
    fi
}

# Puts the hook in front of PROMPT_COMMAND's first element unless it is there; fails when
# it was there.
_autovenv_prompt_command_first() {
    [[ ${PROMPT_COMMAND[0]-} != *_autovenv_hook* ]] || \builtin return 1
    PROMPT_COMMAND[0]="_autovenv_hook${PROMPT_COMMAND[0]:+;${PROMPT_COMMAND[0]#;}}"
}

# The last element of PROMPT_COMMAND (bash 5.1 and later) until a prompt finds the hook in
# place: when an assignment since the hook line replaced the element that ran it, the
# guard puts it back in front and runs it now. Found in place, the guard takes itself out,
# as it would cost every prompt; a theme that assigns PROMPT_COMMAND at every prompt keeps
# it. A cd checks again (_autovenv_cd). bash gives each element of PROMPT_COMMAND the last
# command's status anew.
_autovenv_guard() {
    if _autovenv_prompt_command_first; then
        _autovenv_hook
    else
        \builtin local _autovenv_i
        for _autovenv_i in "${!PROMPT_COMMAND[@]}"; do
            if [[ ${PROMPT_COMMAND[_autovenv_i]} == _autovenv_guard ]]; then
                \builtin unset "PROMPT_COMMAND[_autovenv_i]"
            fi
        done
    fi
}
_autovenv_register
_autovenv_wrap
@START@
# With the first evaluation taken in above, the first prompt takes in a cd, pushd or popd
# of the user's own defined later in the rc file, then checks as every prompt does.
if [[ -n ${_autovenv_pwd} ]]; then
    _autovenv_define_hook first
fi
