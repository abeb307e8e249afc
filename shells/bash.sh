# autovenv: Python virtual environments that follow you around the shell.
# Loaded with `eval "$(autovenv hook bash)"`; loading it again is harmless.
#
# On every prompt _autovenv_hook decides, with shell builtins only, whether anything that
# matters may have changed: $PWD (walked up to the anchor the binary named last time),
# $VIRTUAL_ENV, or the entries it watches at the current directory and the anchor. Only
# then does it run `autovenv export bash` (one process) and evaluate what that prints.
#
# Note: `\builtin local` is not a declaration command, so its assignments are quoted.

_autovenv_bin=@AUTOVENV@
_autovenv_pwd=
_autovenv_pending=

# Runs on every prompt (PROMPT_COMMAND) and after every cd, pushd and popd that changed
# the directory (with --no-create); its arguments go to `autovenv export`. Until the first
# evaluation it hands over to _autovenv_change alone; _autovenv_fast then defines it again
# with the steady prompt's whole check inline.
_autovenv_hook() {
    _autovenv_status=$?
    _autovenv_change "$@"
}

# Defines _autovenv_hook with the steady prompt's check unrolled (one `[[ ]]`: the
# variables the last evaluation saw, the prompt prefix in the form `promptvars` asks for,
# then one test per watched entry in $PWD and at the anchor, as found here), and
# _autovenv_absent_in and _autovenv_anchored for _autovenv_unchanged; sets
# _autovenv_snapshot. Names in $PWD are tested relative to it, so stat(2) walks one
# component rather than the whole path: the stats are most of the cost. An absent entry is
# tested with `-e` alone at the prompt: a symlink to nowhere appearing there is not a venv,
# and the next cd notices it.
_autovenv_fast() {
    \builtin local _autovenv_a="${_autovenv_anchor-}" _autovenv_n _autovenv_q _autovenv_r
    \builtin local _autovenv_here='' _autovenv_in='' _autovenv_at='' _autovenv_rel=''
    _autovenv_snapshot=
    if [[ -z ${_autovenv_a} || ${_autovenv_a} == *[!A-Za-z0-9_./-]* ]]; then
        \builtin printf -v _autovenv_a %q "${_autovenv_a}"
    fi
    for _autovenv_n in ${_autovenv_names[@]+"${_autovenv_names[@]}"}; do
        _autovenv_q=${_autovenv_n}
        if [[ -z ${_autovenv_n} || ${_autovenv_n} == *[!A-Za-z0-9_./-]* ]]; then
            \builtin printf -v _autovenv_q %q "${_autovenv_n}"
        fi
        if [[ ${_autovenv_n} == /* ]]; then
            _autovenv_r=${_autovenv_q}
        else
            _autovenv_r=./${_autovenv_q}
            _autovenv_here+=" && ! -e ${_autovenv_r}"
            _autovenv_in+=" && ! ( -e \$1/${_autovenv_q} || -L \$1/${_autovenv_q} )"
            _autovenv_q=${_autovenv_a}/${_autovenv_q}
            _autovenv_n=${_autovenv_anchor-}/${_autovenv_n}
        fi
        if [[ -e ${_autovenv_n} || -L ${_autovenv_n} ]]; then
            _autovenv_snapshot+=1
            _autovenv_at+=" && ( -e ${_autovenv_q} || -L ${_autovenv_q} )"
            _autovenv_rel+=" && ( -e ${_autovenv_r} || -L ${_autovenv_r} )"
        else
            _autovenv_snapshot+=0
            _autovenv_at+=" && ! -e ${_autovenv_q}"
            _autovenv_rel+=" && ! -e ${_autovenv_r}"
        fi
    done
    \builtin eval "_autovenv_absent_in() { [[ -n \$1${_autovenv_in} ]]; }
_autovenv_anchored() { [[ -n . ${_autovenv_at} ]]; }
_autovenv_hook() {
    _autovenv_status=\$?
    if [[ -z \${_autovenv_pending-} && \${PWD} == \"\${_autovenv_pwd-}\" && \${VIRTUAL_ENV-} == \"\${_autovenv_venv-}\" &&
        \${_OLD_VIRTUAL_PATH+x\${_OLD_VIRTUAL_PATH}} == \"\${_autovenv_old_path-}\" &&
        ( -z \${_autovenv_ps1_prefix-} || \${_autovenv_ps1_vars-} == \"\${_autovenv_ps1_plain-}\" ||
            ( :\${BASHOPTS}: == *:promptvars:* && \${_autovenv_ps1_prefix} == \"\${_autovenv_ps1_vars-}\" ) ||
            ( :\${BASHOPTS}: != *:promptvars:* && \${_autovenv_ps1_prefix} == \"\${_autovenv_ps1_plain-}\" ) ) &&
        ( \${PWD%/} == ${_autovenv_a}${_autovenv_rel} ||
            \${PWD%/} != ${_autovenv_a}${_autovenv_here}${_autovenv_at} ) ]]; then
        [[ \$- == *e* ]] || \\builtin return \"\${_autovenv_status}\"
        \\builtin return 0
    fi
    _autovenv_change \"\$@\"
}"
}

# Succeeds when the last evaluation still holds after a cd below the anchor, without
# starting any process: nothing on the way up may hold a watched entry, and the anchor's
# are as they were. A venv's own `activate` sets VIRTUAL_ENV and _OLD_VIRTUAL_PATH: either
# changing counts.
_autovenv_unchanged() {
    [[ -n ${_autovenv_pwd-} && ${VIRTUAL_ENV-} == "${_autovenv_venv-}" ]] || \builtin return 1
    [[ ${_OLD_VIRTUAL_PATH+x${_OLD_VIRTUAL_PATH}} == "${_autovenv_old_path-}" ]] || \builtin return 1
    \builtin local _autovenv_a="${_autovenv_anchor-}" _autovenv_d="${PWD%/}"
    [[ ${_autovenv_d} == "${_autovenv_a}" || ${_autovenv_d} == "${_autovenv_a}"/* ]] || \builtin return 1
    while [[ ${_autovenv_d} != "${_autovenv_a}" ]]; do
        _autovenv_absent_in "${_autovenv_d}" || \builtin return 1
        _autovenv_d=${_autovenv_d%/*}
    done
    _autovenv_anchored || \builtin return 1
    _autovenv_pwd=${PWD}
}

# Records that the shell is in step with $PWD; the last line of every evaluation.
_autovenv_done() {
    _autovenv_pending=
    _autovenv_pwd=${PWD}
    _autovenv_venv=${VIRTUAL_ENV-}
    if [[ -n ${AUTOVENV_STATE-} ]]; then
        _autovenv_ours=${VIRTUAL_ENV-}
    fi
    _autovenv_old_path=${_OLD_VIRTUAL_PATH+x${_OLD_VIRTUAL_PATH}}
    _autovenv_fast
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
    if _autovenv_unchanged; then
        :
    elif [[ -n ${AUTOVENV_STATE-} && -n ${VIRTUAL_ENV-} && ${VIRTUAL_ENV} == "${_autovenv_venv-}" &&
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
    _autovenv_prompt_sync
    # Hand the last command's status on to the rest of PROMPT_COMMAND and to PS1; under
    # `set -e` a failing PROMPT_COMMAND would end the shell, so there it is 0.
    if [[ $- == *e* ]]; then
        \builtin return 0
    fi
    \builtin return "${_autovenv_status}"
}

# Defines autovenv's `deactivate`. A `deactivate` function of the user's own is kept
# under the name _autovenv_user_deactivate until autovenv's goes again.
_autovenv_deactivate_define() {
    \builtin local _autovenv_f=
    # Only a `deactivate` that exists is read (reading it forks).
    if \builtin declare -F deactivate >/dev/null; then
        _autovenv_f=$(\builtin declare -f deactivate 2>/dev/null) || :
    fi
    if [[ -n ${_autovenv_f} && ${_autovenv_f} != *"_autovenv_eval --deactivate"* ]]; then
        \builtin eval "_autovenv_user_${_autovenv_f}"
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
    \builtin local _autovenv_f
    if \builtin declare -F _autovenv_user_deactivate > /dev/null; then
        _autovenv_f=$(\builtin declare -f _autovenv_user_deactivate)
        \builtin eval "${_autovenv_f#_autovenv_user_}"
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
# taken in at the next evaluation, which the first prompt always is), keeps working under
# the name _autovenv_user_NAME. Only a function that exists is read (reading it forks,
# but starts no program), so loading the hook in a shell without one forks nothing.
_autovenv_wrap() {
    \builtin local _autovenv_all='' _autovenv_f _autovenv_c
    if \builtin declare -F cd >/dev/null || \builtin declare -F pushd >/dev/null ||
        \builtin declare -F popd >/dev/null; then
        _autovenv_all=$(\builtin declare -f cd pushd popd 2>/dev/null) || :
    fi
    for _autovenv_c in cd pushd popd; do
        [[ ${_autovenv_all} != *"_autovenv_cd ${_autovenv_c} "* ]] || \builtin continue
        _autovenv_f=
        if \builtin declare -F "${_autovenv_c}" >/dev/null; then
            _autovenv_f=$(\builtin declare -f "${_autovenv_c}" 2>/dev/null) || :
        fi
        if [[ -n ${_autovenv_f} ]]; then
            \builtin eval "_autovenv_user_${_autovenv_f}"
        else
            \builtin eval "_autovenv_user_${_autovenv_c}() { \\builtin ${_autovenv_c} \"\$@\"; }"
        fi
        \builtin eval "${_autovenv_c}() { _autovenv_cd ${_autovenv_c} \"\$@\"; }"
    done
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

# The last element of PROMPT_COMMAND (bash 5.1 and later): when an assignment since
# replaced the element that ran the hook, _autovenv_guard_late puts it back in front and
# runs it now. Keeps the status for PS1; a prompt where the hook is in place costs one test.
_autovenv_guard() {
    _autovenv_status=$?
    [[ ${PROMPT_COMMAND[0]-} == *_autovenv_hook* ]] || _autovenv_guard_late
    \builtin return "${_autovenv_status}"
}

# Puts the hook back in front of PROMPT_COMMAND and runs it, for _autovenv_guard.
_autovenv_guard_late() {
    \builtin local _autovenv_s="${_autovenv_status}"
    _autovenv_prompt_command_first
    _autovenv_hook
    _autovenv_status=${_autovenv_s}
}
_autovenv_register
\builtin unset -f _autovenv_register
_autovenv_wrap
