# autovenv: Python virtual environments that follow you around the shell.
# Loaded with `eval "$(autovenv hook zsh)"`; loading it again is harmless.
#
# On every prompt and cd, _autovenv_hook (first in precmd_functions and chpwd_functions)
# decides, with shell builtins only, whether anything that matters may have changed: $PWD
# (walked up to the anchor the binary named last time), $VIRTUAL_ENV, or the entries it
# watches at the current directory and the anchor. Only then does it run
# `autovenv export zsh` (one process) and evaluate what that prints.
#
# Every function starts with `emulate -L zsh`, so the user's options (KSH_ARRAYS, NO_UNSET,
# ERR_EXIT, SH_WORD_SPLIT, RC_QUOTES, ...) neither break it nor are changed by it. Builtins
# are called as `\builtin`, so aliases and functions of the same name cannot hijack them.
# zsh keeps `$?` and `$pipestatus` across precmd functions by itself.

# Sets _autovenv_s to one 0/1 per watched name: whether it exists in directory $1 (an
# absolute name: whether it exists at all).
_autovenv_snap() {
    \builtin emulate -L zsh
    _autovenv_s=
    \builtin local _autovenv_n _autovenv_p
    for _autovenv_n in "${_AUTOVENV_NAMES[@]}"; do
        case ${_autovenv_n} in
            /*) _autovenv_p=${_autovenv_n} ;;
            *) _autovenv_p=$1/${_autovenv_n} ;;
        esac
        if [[ -e ${_autovenv_p} || -L ${_autovenv_p} ]]; then
            _autovenv_s+=1
        else
            _autovenv_s+=0
        fi
    done
    \builtin return 0
}

# Sets _AUTOVENV_SNAP (one 0/1 per watched name: whether it exists at the anchor, an
# absolute name: at all) and _AUTOVENV_FAST to the steady prompt's whole check: one
# `[[ ]]` with one test per watched entry unrolled, the anchor's entries as found here,
# and the prompt prefix already in the form PROMPT_SUBST asks for. _autovenv_hook evaluates it
# first, under the user's options (a zsh function call costs more than the checks), so it
# reads every variable with a default and quotes every path. One stat(2) per entry (the
# stat is the cost): an absent entry is tested with `-e` alone, since a symlink to nowhere
# appearing there is not a venv, and the next cd notices it.
_autovenv_fast() {
    \builtin emulate -L zsh
    \builtin local _autovenv_t='' _autovenv_d='' _autovenv_n _autovenv_p
    _AUTOVENV_SNAP=
    for _autovenv_n in "${_AUTOVENV_NAMES[@]}"; do
        _autovenv_p=${(q)_autovenv_n}
        if [[ ${_autovenv_n} != /* ]]; then
            _autovenv_d+=" && ! -e \${PWD%/}/${_autovenv_p}"
            _autovenv_n=${_AUTOVENV_ANCHOR}/${_autovenv_n}
            _autovenv_p=${(q)_autovenv_n}
        fi
        if [[ -e ${_autovenv_n} || -L ${_autovenv_n} ]]; then
            _AUTOVENV_SNAP+=1
            _autovenv_t+=" && ( -e ${_autovenv_p} || -L ${_autovenv_p} )"
        else
            _AUTOVENV_SNAP+=0
            _autovenv_t+=" && ! -e ${_autovenv_p}"
        fi
    done
    # Below the anchor (where the last check found it), none of them may be in $PWD.
    if [[ -n ${_autovenv_d} ]]; then
        _autovenv_t=" && ( \${PWD%/} == ${(q)_AUTOVENV_ANCHOR} || ( ${_autovenv_d# && } ) )${_autovenv_t}"
    fi
    \builtin typeset -g _AUTOVENV_FAST="[[ \${PWD} == \"\${_AUTOVENV_PWD-}\" && \${VIRTUAL_ENV-} == \"\${_AUTOVENV_VENV-}\" &&
        \${_OLD_VIRTUAL_PATH+x\${_OLD_VIRTUAL_PATH}} == \"\${_AUTOVENV_OLD_PATH-}\" &&
        ( -z \${_AUTOVENV_PS1_PREFIX-} || ( -o promptsubst && -n \${_AUTOVENV_SUBST-} ) ||
            ( ! -o promptsubst && -z \${_AUTOVENV_SUBST-} ) )${_autovenv_t} ]]"
}

# Succeeds when the last evaluation still holds after a cd below the anchor, without
# starting any process: nothing on the way up may hold a watched entry, and the anchor's
# are as they were. A venv's own `activate` sets VIRTUAL_ENV and _OLD_VIRTUAL_PATH: either
# changing counts.
_autovenv_unchanged() {
    \builtin emulate -L zsh
    [[ -n ${_AUTOVENV_PWD} && ${VIRTUAL_ENV-} == "${_AUTOVENV_VENV}" ]] || \builtin return 1
    [[ ${_OLD_VIRTUAL_PATH+x${_OLD_VIRTUAL_PATH}} == "${_AUTOVENV_OLD_PATH}" ]] || \builtin return 1
    \builtin local _autovenv_a="${_AUTOVENV_ANCHOR}" _autovenv_d="${PWD%/}" _autovenv_n _autovenv_s
    [[ ${_autovenv_d} == "${_autovenv_a}" || ${_autovenv_d} == "${_autovenv_a}"/* ]] || \builtin return 1
    while [[ ${_autovenv_d} != "${_autovenv_a}" ]]; do
        for _autovenv_n in "${_AUTOVENV_NAMES[@]}"; do
            [[ ${_autovenv_n} == /* || ! (-e ${_autovenv_d}/${_autovenv_n} || -L ${_autovenv_d}/${_autovenv_n}) ]] ||
                \builtin return 1
        done
        _autovenv_d=${_autovenv_d%/*}
    done
    _autovenv_snap "${_autovenv_a}"
    [[ ${_autovenv_s} == "${_AUTOVENV_SNAP}" ]] || \builtin return 1
    _AUTOVENV_PWD=${PWD}
}

# Records that the shell is in step with $PWD; the last line of every evaluation.
_autovenv_done() {
    \builtin emulate -L zsh
    _AUTOVENV_PENDING=
    _AUTOVENV_PWD=${PWD}
    _AUTOVENV_VENV=${VIRTUAL_ENV-}
    if [[ -n ${AUTOVENV_STATE-} ]]; then
        _AUTOVENV_OURS=${VIRTUAL_ENV-}
    fi
    _AUTOVENV_OLD_PATH=${_OLD_VIRTUAL_PATH+x${_OLD_VIRTUAL_PATH}}
    _autovenv_fast
}

# Runs `autovenv export zsh` with the given options and applies what it prints. The text
# is kept in _AUTOVENV_PENDING until its last line ran, so a Ctrl-C half way through is
# completed at the next prompt instead of leaving half an environment.
_autovenv_eval() {
    \builtin emulate -L zsh
    # In a ZLE widget: what is printed goes above the line being edited (_autovenv_chpwd).
    if [[ ${_AUTOVENV_WIDGET-} == 1 ]]; then
        \builtin zle -I
        _AUTOVENV_WIDGET=2
    fi
    if [[ ! -x ${_AUTOVENV_BIN} || -d ${_AUTOVENV_BIN} ]]; then
        if [[ -z ${_AUTOVENV_MISSING} ]]; then
            \builtin printf 'autovenv: %s is missing or not executable: reinstall autovenv, or remove `eval "$(autovenv hook zsh)"` from ~/.zshrc\n' "${_AUTOVENV_BIN}" >&2
            _AUTOVENV_MISSING=1
        fi
        _autovenv_settle
        \builtin return 0
    fi
    _AUTOVENV_MISSING=
    # `exec`: the command substitution's own process becomes autovenv, one fork in all.
    if _AUTOVENV_PENDING=$(\builtin exec "${_AUTOVENV_BIN}" export zsh "$@" --session="${_AUTOVENV_SESSION}"); then
        \builtin eval "${_AUTOVENV_PENDING}"
    else
        _AUTOVENV_PENDING=
        _autovenv_settle
    fi
}

# After a failure, stays quiet until the user changes directory.
_autovenv_settle() {
    \builtin emulate -L zsh
    _AUTOVENV_ANCHOR=${PWD%/}
    _AUTOVENV_NAMES=()
    _autovenv_done
}

# Runs on every prompt, first in precmd_functions so that prompts rebuilt by later
# functions (oh-my-zsh themes) already see the new VIRTUAL_ENV_PROMPT. Its arguments go to
# `autovenv export` (`--no-create` on a cd).
_autovenv_hook() {
    # A steady prompt: nothing else to do.
    if [[ -z ${_AUTOVENV_PENDING-} && -n ${_AUTOVENV_FAST-} ]] && \builtin eval "${_AUTOVENV_FAST}"; then
        \builtin return 0
    fi
    _autovenv_options
    \builtin emulate -L zsh
    if [[ -n ${_AUTOVENV_PENDING} ]]; then
        \builtin eval "${_AUTOVENV_PENDING}"
    fi
    if _autovenv_unchanged; then
        :
    elif [[ -n ${AUTOVENV_STATE-} && -n ${VIRTUAL_ENV-} && ${VIRTUAL_ENV} == "${_AUTOVENV_VENV}" &&
        -n ${_OLD_VIRTUAL_PATH+x} && x${_OLD_VIRTUAL_PATH} != "${_AUTOVENV_OLD_PATH}" ]]; then
        # The venv's own `activate` ran over autovenv's activation of that same venv.
        _autovenv_eval --activated-by-hand "$@"
    elif [[ -z ${VIRTUAL_ENV-} && -n ${_AUTOVENV_VENV} && ${_AUTOVENV_VENV} == "${_AUTOVENV_OURS-}" &&
        -z ${_OLD_VIRTUAL_PATH+x} && ${PWD} == "${_AUTOVENV_PWD}" &&
        ( ( -z ${AUTOVENV_STATE-} && -n ${_AUTOVENV_OLD_PATH} ) ||
            ( -n ${AUTOVENV_STATE-} && ${+functions[deactivate]} == 0 ) ) ]]; then
        # autovenv's venv, activated again by hand (out of habit), was deactivated here by
        # its own `deactivate`: the project stays off until you leave it, as after
        # autovenv's `deactivate`. Typed on separate lines, the prompt between them handed
        # the activation over (AUTOVENV_STATE is gone); on one line (`source
        # .venv/bin/activate; deactivate`) it is still there, and the venv's `deactivate`,
        # which replaced autovenv's, has removed itself.
        _autovenv_eval --deactivate=full "$@"
        # With it gone, a `deactivate` of the user's own is theirs again.
        if (( ! ${+functions[deactivate]} )); then
            _autovenv_deactivate_remove
        fi
    else
        _autovenv_eval "$@"
    fi
    _autovenv_prompt_sync
    \builtin return 0
}

# Runs on every cd, so `cd project && python` uses the project's venv; not in subshells
# (`$(cd dir && ...)` in a prompt theme), whose changes would be lost anyway. A cd may be
# one step of a loop or script: a venv is activated here, but only created at a prompt.
# In a ZLE widget (fzf's Alt-C) the line being edited is on the screen: when autovenv is
# about to run (and may print), `zle -I` moves that line out of the way, so a message
# shows above it, and `zle -R` afterwards draws the line again below the message at once.
# Without it, the widget's own `zle reset-prompt` would draw its prompt one line up, over
# the message. A cd that runs nothing leaves the screen alone.
_autovenv_chpwd() {
    if (( ZSH_SUBSHELL == 0 )); then
        if [[ -n ${WIDGET-} ]] && \builtin zle; then
            \builtin typeset -g _AUTOVENV_WIDGET=1
        fi
        _autovenv_hook --no-create
        if [[ ${_AUTOVENV_WIDGET-} == 2 ]]; then
            \builtin zle -R
        fi
        \builtin typeset -g _AUTOVENV_WIDGET=
    fi
    \builtin return 0
}

# Notes the user's PROMPT_SUBST before `emulate -L zsh` hides it: the prompt prefix is
# escaped for the setting the prompt is expanded with.
_autovenv_options() {
    if [[ -o promptsubst ]]; then
        _AUTOVENV_SUBST=1
    else
        _AUTOVENV_SUBST=
    fi
}

# Defines autovenv's `deactivate`. A `deactivate` function of the user's own is kept
# under the name _autovenv_user_deactivate until autovenv's goes again.
_autovenv_deactivate_define() {
    if (( ${+functions[deactivate]} )) && [[ ${functions[deactivate]} != *"_autovenv_eval --deactivate"* ]]; then
        functions[_autovenv_user_deactivate]=${functions[deactivate]}
    fi
    # Restores what the activation replaced; keeps this project off in this shell until
    # you leave it. `deactivate nondestructive` (the form venv scripts use) does not.
    function deactivate {
        _autovenv_options
        \builtin emulate -L zsh
        _autovenv_eval --deactivate="${1:-full}"
        if [[ ${1-} == nondestructive ]]; then
            _AUTOVENV_PWD=
        fi
        \builtin return 0
    }
}

# Removes autovenv's `deactivate` and puts the user's own back, if there was one.
_autovenv_deactivate_remove() {
    \builtin emulate -L zsh
    \builtin unfunction deactivate 2>/dev/null
    if (( ${+functions[_autovenv_user_deactivate]} )); then
        functions[deactivate]=${functions[_autovenv_user_deactivate]}
        \builtin unfunction _autovenv_user_deactivate
    fi
}

# Shows "(name) " before PROMPT. $1 is the prefix escaped for PROMPT_SUBST, $2 without.
_autovenv_prompt_show() {
    \builtin emulate -L zsh
    if [[ -n ${VIRTUAL_ENV_DISABLE_PROMPT-} ]]; then
        _autovenv_prompt_remove
        \builtin return 0
    fi
    _AUTOVENV_PS1_SUBST=$1
    _AUTOVENV_PS1_PLAIN=$2
    \builtin local _autovenv_p="$2"
    if [[ -n ${_AUTOVENV_SUBST} ]]; then
        _autovenv_p=$1
    fi
    if [[ -n ${_AUTOVENV_PS1_PREFIX} && ${_AUTOVENV_PS1_PREFIX} != "${_autovenv_p}" ]]; then
        _autovenv_prompt_remove
    fi
    if [[ ${PS1-} != "${_autovenv_p}"* ]]; then
        PS1=${_autovenv_p}${PS1-}
    fi
    _AUTOVENV_PS1_PREFIX=${_autovenv_p}
    _AUTOVENV_PS1_HIDDEN=
}

# Keeps the prefix in PS1 escaped for PROMPT_SUBST as it is now, at every prompt: turned
# on after the prefix was shown (a theme loaded later, or by hand), the unescaped form
# would run a `$(…)` in a venv's name at every prompt; turned off, the escaped one would
# show its backslashes.
_autovenv_prompt_sync() {
    \builtin emulate -L zsh
    [[ -n ${_AUTOVENV_PS1_PREFIX} ]] || \builtin return 0
    \builtin local _autovenv_p="${_AUTOVENV_PS1_PLAIN}"
    if [[ -n ${_AUTOVENV_SUBST} ]]; then
        _autovenv_p=${_AUTOVENV_PS1_SUBST}
    fi
    [[ ${_autovenv_p} != "${_AUTOVENV_PS1_PREFIX}" ]] || \builtin return 0
    if [[ ${PS1-} == *"${_AUTOVENV_PS1_PREFIX}"* ]]; then
        PS1=${PS1%%"${_AUTOVENV_PS1_PREFIX}"*}${_autovenv_p}${PS1#*"${_AUTOVENV_PS1_PREFIX}"}
    fi
    _AUTOVENV_PS1_PREFIX=${_autovenv_p}
}

# Takes the prefix off again, only if it is still there. A venv activated by hand keeps
# it under its own prefix (its `activate` saved PS1 with it): then it is taken out there,
# and remembered as hidden, because that venv's `deactivate` brings the saved PS1 back.
_autovenv_prompt_remove() {
    \builtin emulate -L zsh
    if [[ -n ${_AUTOVENV_PS1_PREFIX} && ${PS1-} == *"${_AUTOVENV_PS1_PREFIX}"* ]]; then
        PS1=${PS1/"${_AUTOVENV_PS1_PREFIX}"/}
        if [[ -n ${VIRTUAL_ENV-} ]]; then
            _AUTOVENV_PS1_HIDDEN=${_AUTOVENV_PS1_PREFIX}
        fi
    elif [[ -n ${_AUTOVENV_PS1_HIDDEN} && -z ${VIRTUAL_ENV-} && ${PS1-} == "${_AUTOVENV_PS1_HIDDEN}"* ]]; then
        PS1=${PS1#"${_AUTOVENV_PS1_HIDDEN}"}
    fi
    if [[ -z ${VIRTUAL_ENV-} ]]; then
        _AUTOVENV_PS1_HIDDEN=
    fi
    _AUTOVENV_PS1_PREFIX=
}

# A venv activated by hand over autovenv's activation saved PATH, PS1 and PYTHONHOME with
# autovenv's changes in them (_OLD_VIRTUAL_*, as every venv's `activate` names them), for
# its `deactivate` to bring back: take autovenv's PATH entry ($1) and prompt prefix out of
# those copies, and hand it PYTHONHOME as it was before autovenv ($2, when it was set).
_autovenv_hand_over() {
    \builtin emulate -L zsh
    if (( ! ${+_OLD_VIRTUAL_PATH} )); then
        \builtin return 0
    fi
    \builtin local _autovenv_p=":${_OLD_VIRTUAL_PATH}:"
    if [[ ${_autovenv_p} == *":$1:"* ]]; then
        _autovenv_p=${_autovenv_p/":$1:"/:}
        _autovenv_p=${_autovenv_p#:}
        _OLD_VIRTUAL_PATH=${_autovenv_p%:}
    fi
    if [[ -n ${_AUTOVENV_PS1_PREFIX} ]] && (( ${+_OLD_VIRTUAL_PS1} )); then
        _OLD_VIRTUAL_PS1=${_OLD_VIRTUAL_PS1/"${_AUTOVENV_PS1_PREFIX}"/}
    fi
    if (( $# >= 2 )); then
        \builtin typeset -g _OLD_VIRTUAL_PYTHONHOME=$2
    fi
}

# `autovenv allow`, `deny`, `create`, `reload` change the answer without a cd: run the
# binary, then make the next prompt evaluate again.
function autovenv {
    \builtin emulate -L zsh
    \builtin local _autovenv_rc=0
    AUTOVENV_SESSION=${_AUTOVENV_SESSION-} \builtin command "${_AUTOVENV_BIN}" "$@" || _autovenv_rc=$?
    if [[ ${1-} == reload ]]; then
        _AUTOVENV_SESSION=r
    fi
    _AUTOVENV_PWD=
    \builtin return "${_autovenv_rc}"
}

_autovenv_register() {
    \builtin emulate -L zsh
    \builtin typeset -g _AUTOVENV_BIN=$1 _AUTOVENV_PWD= _AUTOVENV_PENDING=
    \builtin typeset -g _AUTOVENV_VENV="${_AUTOVENV_VENV-}" _AUTOVENV_ANCHOR="${_AUTOVENV_ANCHOR-}"
    \builtin typeset -g _AUTOVENV_OLD_PATH="${_AUTOVENV_OLD_PATH-}" _AUTOVENV_OURS="${_AUTOVENV_OURS-}"
    \builtin typeset -g _AUTOVENV_SNAP="${_AUTOVENV_SNAP-}" _AUTOVENV_SESSION="${_AUTOVENV_SESSION-}"
    \builtin typeset -g _AUTOVENV_MISSING="${_AUTOVENV_MISSING-}" _AUTOVENV_SUBST="${_AUTOVENV_SUBST-}"
    \builtin typeset -g _AUTOVENV_PS1_PREFIX="${_AUTOVENV_PS1_PREFIX-}" _AUTOVENV_PS1_HIDDEN="${_AUTOVENV_PS1_HIDDEN-}"
    \builtin typeset -g _AUTOVENV_PS1_SUBST="${_AUTOVENV_PS1_SUBST-}" _AUTOVENV_PS1_PLAIN="${_AUTOVENV_PS1_PLAIN-}"
    if (( ! ${+_AUTOVENV_NAMES} )); then
        \builtin typeset -ga _AUTOVENV_NAMES
    fi
    if (( ! ${+precmd_functions} )); then
        \builtin typeset -ga precmd_functions
    fi
    if (( ! ${precmd_functions[(Ie)_autovenv_hook]} )); then
        precmd_functions=(_autovenv_hook "${precmd_functions[@]}")
    fi
    if (( ! ${+chpwd_functions} )); then
        \builtin typeset -ga chpwd_functions
    fi
    if (( ! ${chpwd_functions[(Ie)_autovenv_chpwd]} )); then
        chpwd_functions=(_autovenv_chpwd "${chpwd_functions[@]}")
    fi
}
_autovenv_register @AUTOVENV@
\builtin unfunction _autovenv_register
