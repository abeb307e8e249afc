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

# Defines _autovenv_hook with the steady prompt's whole check inline, for the state the
# last evaluation left: one `[[ ]]` over $PWD, $VIRTUAL_ENV and $_OLD_VIRTUAL_PATH as it
# saw them (a test for empty where they were), the prompt prefix in the form PROMPT_SUBST
# asks for, the stamp newer than $PWD and the anchor (nothing appeared or vanished in
# either since the last look; see `autovenv hook`), and _autovenv_check, which the binary
# printed: a test for each watched entry a directory's mtime does not cover. The hook
# runs the check under the user's options (a zsh function call costs more than the
# checks), so it reads every variable with a default. Without a stamp the names are
# tested one by one.
# `-nt` takes a file that is not there for an old one, so the anchor, which a project
# deleted under the shell takes away, is tested for being there.
_autovenv_define_hook() {
    \builtin emulate -L zsh
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
    if [[ -n ${_autovenv_ps1_prefix} && ${_autovenv_ps1_subst} != "${_autovenv_ps1_plain}" ]]; then
        if [[ -n ${_autovenv_subst} ]]; then
            _autovenv_t+=' && -o promptsubst'
        else
            _autovenv_t+=' && ! -o promptsubst'
        fi
    fi
    _autovenv_t="[[ ${_autovenv_t}${_autovenv_check}"
    if [[ -z ${_autovenv_stamp} ]]; then
        _autovenv_t+=' ]] && _autovenv_anchored'
        if [[ ${PWD%/} != "${_autovenv_anchor}" ]]; then
            _autovenv_t+=' && _autovenv_absent_in .'
        fi
    elif [[ ${PWD%/} != "${_autovenv_anchor}" ]]; then
        _autovenv_t+=' && $_autovenv_stamp -nt . && -d $_autovenv_top && $_autovenv_stamp -nt $_autovenv_top ]]'
    else
        _autovenv_t+=' && $_autovenv_stamp -nt . ]]'
    fi
    _autovenv_at_top=0
    if [[ ${PWD%/} == "${_autovenv_anchor}" ]]; then
        _autovenv_at_top=1
    fi
    \builtin eval "_autovenv_hook() {
    ${_autovenv_t} || _autovenv_change \"\$@\"
}"
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
    \builtin emulate -L zsh
    [[ -n ${_autovenv_pwd} && ${VIRTUAL_ENV-} == "${_autovenv_venv}" &&
        ${_OLD_VIRTUAL_PATH+x${_OLD_VIRTUAL_PATH}} == "${_autovenv_old_path}" ]] || \builtin return 1
    [[ ${PWD%/} == "${_autovenv_anchor}" || ${PWD%/} == "${_autovenv_anchor}"/* ]] || \builtin return 1
    _autovenv_others || \builtin return 1
    _autovenv_walk
}

# The walk from the anchor down to $PWD, for _autovenv_unchanged. With `anew` (or no
# stamp, or a level newer than the stamp: then it starts over so) the stamp is written
# first and every level tested name by name.
_autovenv_walk() {
    \builtin emulate -L zsh
    \builtin local _autovenv_d="${_autovenv_anchor}" _autovenv_r="${PWD%/}"
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
    \builtin emulate -L zsh
    _autovenv_pwd=${PWD}
    if [[ ${PWD%/} == "${_autovenv_anchor}" ]]; then
        [[ ${_autovenv_at_top} == 1 ]] || _autovenv_define_hook
    else
        [[ ${_autovenv_at_top} == 0 ]] || _autovenv_define_hook
    fi
}

# Whether directory $1 holds none of the watched names (the absolute ones aside).
_autovenv_absent_in() {
    \builtin emulate -L zsh
    \builtin local _autovenv_n
    for _autovenv_n in "${_autovenv_names[@]}"; do
        [[ ${_autovenv_n} == /* || ! ( -e $1/${_autovenv_n} || -L $1/${_autovenv_n} ) ]] || \builtin return 1
    done
}

# Whether each watched entry at the anchor is present (it exists or is a symlink) or absent
# as _autovenv_snapshot, the binary's `1` or `0` for each, says.
_autovenv_anchored() {
    \builtin emulate -L zsh
    \builtin local _autovenv_n _autovenv_s="${_autovenv_snapshot}" _autovenv_p
    for _autovenv_n in "${_autovenv_names[@]}"; do
        [[ ${_autovenv_n} == /* ]] || _autovenv_n=${_autovenv_anchor}/${_autovenv_n}
        _autovenv_p=0
        if [[ -e ${_autovenv_n} || -L ${_autovenv_n} ]]; then
            _autovenv_p=1
        fi
        [[ ${_autovenv_s[1]} == "${_autovenv_p}" ]] || \builtin return 1
        _autovenv_s=${_autovenv_s[2,-1]}
    done
}

# Writes the stamp anew, before a look at the disk, so that whatever changes after it is
# newer; what was looked at before it no longer counts.
_autovenv_restamp() {
    \builtin emulate -L zsh
    if [[ -n ${_autovenv_stamp} ]]; then
        : 2>/dev/null >|"${_autovenv_stamp}"
    fi
    _autovenv_seen=()
}

# Notes every level from $PWD up to the anchor as looked at (since the stamp).
_autovenv_looked() {
    \builtin emulate -L zsh
    \builtin local _autovenv_d="${PWD%/}"
    while :; do
        _autovenv_seen[${_autovenv_d}/]=1
        [[ ${_autovenv_d} != "${_autovenv_anchor}" && ${_autovenv_d} == */* ]] || \builtin return 0
        _autovenv_d=${_autovenv_d%/*}
    done
}

# Records that the shell is in step with $PWD; the last line of every evaluation.
_autovenv_done() {
    \builtin emulate -L zsh
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

# Runs `autovenv export zsh` with the given options and applies what it prints. The text
# is kept in _autovenv_pending until its last line ran, so a Ctrl-C half way through is
# completed at the next prompt instead of leaving half an environment.
_autovenv_eval() {
    \builtin emulate -L zsh
    # In a ZLE widget: what is printed goes above the line being edited (_autovenv_chpwd).
    if [[ ${_autovenv_widget-} == 1 ]]; then
        \builtin zle -I
        _autovenv_widget=2
    fi
    if [[ ! -x ${_autovenv_bin} || -d ${_autovenv_bin} ]]; then
        if [[ -z ${_autovenv_missing} ]]; then
            \builtin printf 'autovenv: %s is missing or not executable: reinstall autovenv, or remove `eval "$(autovenv hook zsh)"` from ~/.zshrc\n' "${_autovenv_bin}" >&2
            _autovenv_missing=1
        fi
        _autovenv_settle
        \builtin return 0
    fi
    _autovenv_missing=
    # Until the evaluation's last line ran, the next prompt's check fails.
    _autovenv_pwd=
    _autovenv_restamp
    # `exec`: the command substitution's own process becomes autovenv, one fork in all.
    if _autovenv_pending=$(\builtin exec "${_autovenv_bin}" export zsh "$@" --session="${_autovenv_session}"); then
        \builtin eval "${_autovenv_pending}"
    else
        _autovenv_pending=
        _autovenv_settle
    fi
}

# After a failure, stays quiet until the user changes directory.
_autovenv_settle() {
    \builtin emulate -L zsh
    _autovenv_anchor=${PWD%/}
    _autovenv_names=()
    _autovenv_snapshot=
    _autovenv_others() { :; }
    _autovenv_check=
    _autovenv_done
}

# Runs on every prompt, first in precmd_functions so that prompts rebuilt by later
# functions (oh-my-zsh themes) already see the new VIRTUAL_ENV_PROMPT. Its arguments go to
# `autovenv export` (`--no-create` on a cd). Until the first evaluation it hands over to
# _autovenv_change alone; _autovenv_define_hook then defines it again with the steady
# prompt's whole check inline.
_autovenv_hook() {
    _autovenv_change "$@"
}

# What _autovenv_hook does when its steady check fails: completes an evaluation a Ctrl-C
# cut short, then either finds nothing changed after a cd below the anchor, or runs the
# binary.
_autovenv_change() {
    _autovenv_options
    \builtin emulate -L zsh
    if [[ -n ${_autovenv_pending} ]]; then
        \builtin eval "${_autovenv_pending}"
    fi
    if _autovenv_unchanged; then
        :
    elif [[ -n ${AUTOVENV_STATE-} && -n ${VIRTUAL_ENV-} && ${VIRTUAL_ENV} == "${_autovenv_venv}" &&
        -n ${_OLD_VIRTUAL_PATH+x} && x${_OLD_VIRTUAL_PATH} != "${_autovenv_old_path}" ]]; then
        # The venv's own `activate` ran over autovenv's activation of that same venv.
        _autovenv_eval --activated-by-hand "$@"
    elif [[ -z ${VIRTUAL_ENV-} && -n ${_autovenv_venv} && ${_autovenv_venv} == "${_autovenv_ours-}" &&
        -z ${_OLD_VIRTUAL_PATH+x} && ${PWD} == "${_autovenv_pwd}" &&
        ( ( -z ${AUTOVENV_STATE-} && -n ${_autovenv_old_path} ) ||
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
            \builtin typeset -g _autovenv_widget=1
        fi
        _autovenv_hook --no-create
        if [[ ${_autovenv_widget-} == 2 ]]; then
            \builtin zle -R
        fi
        \builtin typeset -g _autovenv_widget=
    fi
    \builtin return 0
}

# Notes the user's PROMPT_SUBST before `emulate -L zsh` hides it: the prompt prefix is
# escaped for the setting the prompt is expanded with.
_autovenv_options() {
    if [[ -o promptsubst ]]; then
        _autovenv_subst=1
    else
        _autovenv_subst=
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
            _autovenv_pwd=
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
    _autovenv_ps1_subst=$1
    _autovenv_ps1_plain=$2
    \builtin local _autovenv_p="$2"
    if [[ -n ${_autovenv_subst} ]]; then
        _autovenv_p=$1
    fi
    if [[ -n ${_autovenv_ps1_prefix} && ${_autovenv_ps1_prefix} != "${_autovenv_p}" ]]; then
        _autovenv_prompt_remove
    fi
    if [[ ${PS1-} != "${_autovenv_p}"* ]]; then
        PS1=${_autovenv_p}${PS1-}
    fi
    _autovenv_ps1_prefix=${_autovenv_p}
    _autovenv_ps1_hidden=
}

# Keeps the prefix in PS1 escaped for PROMPT_SUBST as it is now, at every prompt: turned
# on after the prefix was shown (a theme loaded later, or by hand), the unescaped form
# would run a `$(…)` in a venv's name at every prompt; turned off, the escaped one would
# show its backslashes.
_autovenv_prompt_sync() {
    \builtin emulate -L zsh
    [[ -n ${_autovenv_ps1_prefix} ]] || \builtin return 0
    \builtin local _autovenv_p="${_autovenv_ps1_plain}"
    if [[ -n ${_autovenv_subst} ]]; then
        _autovenv_p=${_autovenv_ps1_subst}
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
    \builtin emulate -L zsh
    if [[ -n ${_autovenv_ps1_prefix} && ${PS1-} == *"${_autovenv_ps1_prefix}"* ]]; then
        PS1=${PS1/"${_autovenv_ps1_prefix}"/}
        if [[ -n ${VIRTUAL_ENV-} ]]; then
            _autovenv_ps1_hidden=${_autovenv_ps1_prefix}
        fi
    elif [[ -n ${_autovenv_ps1_hidden} && -z ${VIRTUAL_ENV-} && ${PS1-} == "${_autovenv_ps1_hidden}"* ]]; then
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
    if [[ -n ${_autovenv_ps1_prefix} ]] && (( ${+_OLD_VIRTUAL_PS1} )); then
        _OLD_VIRTUAL_PS1=${_OLD_VIRTUAL_PS1/"${_autovenv_ps1_prefix}"/}
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
    AUTOVENV_SESSION=${_autovenv_session-} \builtin command "${_autovenv_bin}" "$@" || _autovenv_rc=$?
    if [[ ${1-} == reload ]]; then
        _autovenv_session=r
    fi
    _autovenv_pwd=
    \builtin return "${_autovenv_rc}"
}

_autovenv_register() {
    \builtin emulate -L zsh
    \builtin typeset -g _autovenv_bin=$1 _autovenv_stamp=$2 _autovenv_pwd= _autovenv_pending=
    \builtin typeset -g _autovenv_top=/ _autovenv_at_top= _autovenv_check= _autovenv_snapshot=
    \builtin typeset -gA _autovenv_seen
    _autovenv_seen=()
    \builtin typeset -g _autovenv_venv="${_autovenv_venv-}" _autovenv_anchor="${_autovenv_anchor-}"
    \builtin typeset -g _autovenv_old_path="${_autovenv_old_path-}" _autovenv_ours="${_autovenv_ours-}"
    \builtin typeset -g _autovenv_snapshot="${_autovenv_snapshot-}" _autovenv_session="${_autovenv_session-}"
    \builtin typeset -g _autovenv_missing="${_autovenv_missing-}" _autovenv_subst="${_autovenv_subst-}"
    \builtin typeset -g _autovenv_ps1_prefix="${_autovenv_ps1_prefix-}" _autovenv_ps1_hidden="${_autovenv_ps1_hidden-}"
    \builtin typeset -g _autovenv_ps1_subst="${_autovenv_ps1_subst-}" _autovenv_ps1_plain="${_autovenv_ps1_plain-}"
    if (( ! ${+_autovenv_names} )); then
        \builtin typeset -ga _autovenv_names
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
_autovenv_register @AUTOVENV@ @STAMP@
\builtin unfunction _autovenv_register
@START@
