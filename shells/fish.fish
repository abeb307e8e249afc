# autovenv: Python virtual environments that follow you around the shell.
# Loaded with `autovenv hook fish | source`; loading it again is harmless.
#
# Before every prompt (the fish_prompt event) and on every cd (PWD changes) _autovenv_hook
# decides, with fish builtins only, whether anything that matters may have changed: $PWD
# (walked up to the anchor the binary named last time), $VIRTUAL_ENV, or the entries it
# watches at the current directory and the anchor. Only then does it run
# `autovenv export fish` (one process) and evaluate what that prints. fish keeps $status
# and $pipestatus across event handlers by itself.

# Sets _autovenv_s to one 0/1 per watched name: whether it exists in directory $argv[1].
function _autovenv_snapshot_of
    set -g _autovenv_s ''
    for _autovenv_n in $_autovenv_names
        set -l _autovenv_p $argv[1]/$_autovenv_n
        if string match -q -- '/*' $_autovenv_n
            set _autovenv_p $_autovenv_n
        end
        if test -e $_autovenv_p; or test -L $_autovenv_p
            set -g _autovenv_s $_autovenv_s'1'
        else
            set -g _autovenv_s $_autovenv_s'0'
        end
    end
    return 0
end

# Prints x and _OLD_VIRTUAL_PATH joined, or nothing where it is not set: a venv's own
# activate.fish sets it, with VIRTUAL_ENV.
function _autovenv_old_path
    set -q _OLD_VIRTUAL_PATH; and builtin printf 'x%s' (string join : -- $_OLD_VIRTUAL_PATH)
    return 0
end

# Succeeds when the last evaluation still holds, without starting any process.
function _autovenv_unchanged
    test -n "$_autovenv_pwd"; and test "$VIRTUAL_ENV" = "$_autovenv_venv"; or return 1
    if set -q _OLD_VIRTUAL_PATH
        test "x$(string join : -- $_OLD_VIRTUAL_PATH)" = "$_autovenv_old_path_seen"; or return 1
    else
        test -z "$_autovenv_old_path_seen"; or return 1
    end
    set -l _autovenv_a "$_autovenv_anchor"
    set -l _autovenv_d "$PWD"
    if test "$_autovenv_d" = /
        set _autovenv_d ''
    end
    if test "$PWD" = "$_autovenv_pwd"
        # A steady prompt, below the anchor as the last evaluation found: only this
        # directory and the anchor are looked at again.
        if test "$_autovenv_d" != "$_autovenv_a"
            _autovenv_clear_at "$_autovenv_d"; or return 1
        end
    else
        # A cd: the way up must reach the anchor, and nothing on it may hold a venv,
        # project marker or VCS root.
        while test "$_autovenv_d" != "$_autovenv_a"
            test -n "$_autovenv_d"; or return 1
            _autovenv_clear_at "$_autovenv_d"; or return 1
            builtin path dirname -Z -- "$_autovenv_d" | read -z _autovenv_d
            if test "$_autovenv_d" = /
                set _autovenv_d ''
            end
        end
    end
    _autovenv_anchor_same; or return 1
    set -g _autovenv_pwd "$PWD"
    return 0
end

# Records that the shell is in step with $PWD; the last line of every evaluation.
function _autovenv_done
    set -g _autovenv_pending ''
    set -g _autovenv_pwd "$PWD"
    set -g _autovenv_venv "$VIRTUAL_ENV"
    if set -q AUTOVENV_STATE
        set -g _autovenv_ours "$VIRTUAL_ENV"
    end
    set -g _autovenv_old_path_seen (_autovenv_old_path)
    _autovenv_snapshot_of "$_autovenv_anchor"
    set -g _autovenv_snapshot "$_autovenv_s"
    _autovenv_fast
end

# Defines _autovenv_steady: the steady prompt's whole check as one `test`, with one test
# per watched entry unrolled and the anchor's entries as the last evaluation found them.
# An absent entry is tested with `-e` alone (one stat(2), the cost): a symlink to nowhere
# appearing there is not a venv, and the next cd notices it. For a cd inside the project,
# the same unrolled: _autovenv_clear_at (no watched entry in directory $argv[1], a symlink
# to nowhere included) and _autovenv_anchor_same (the anchor's entries as they were, a
# symlink to nowhere counting as there).
function _autovenv_fast
    set -l _autovenv_here
    set -l _autovenv_there
    set -l _autovenv_clear
    set -l _autovenv_same
    set -l _autovenv_bits (string split '' -- $_autovenv_snapshot)
    set -l _autovenv_i 0
    for _autovenv_n in $_autovenv_names
        set _autovenv_i (builtin math $_autovenv_i + 1)
        set -l _autovenv_p (string escape -- $_autovenv_n)
        if not string match -q -- '/*' $_autovenv_n
            set -a _autovenv_here -a ! -e "\$PWD/"$_autovenv_p
            set -a _autovenv_clear -a ! -e "\$argv[1]/"$_autovenv_p -a ! -L "\$argv[1]/"$_autovenv_p
            set _autovenv_p (string escape -- $_autovenv_anchor/$_autovenv_n)
        else
            set -a _autovenv_clear -a ! -e $_autovenv_p -a ! -L $_autovenv_p
        end
        if test "$_autovenv_bits[$_autovenv_i]" = 1
            set -a _autovenv_there -a \\\( -e $_autovenv_p -o -L $_autovenv_p \\\)
            set -a _autovenv_same -a \\\( -e $_autovenv_p -o -L $_autovenv_p \\\)
        else
            set -a _autovenv_there -a ! -e $_autovenv_p
            set -a _autovenv_same -a ! -e $_autovenv_p -a ! -L $_autovenv_p
        end
    end
    set -q _autovenv_clear[1]; or set _autovenv_clear -a -z "''"
    set -q _autovenv_same[1]; or set _autovenv_same -a -z "''"
    builtin eval "function _autovenv_clear_at; test $_autovenv_clear[2..-1]; end
        function _autovenv_anchor_same; test $_autovenv_same[2..-1]; end"
    # Below the anchor (where the last check found it), none of them may be in $PWD.
    if set -q _autovenv_here[1]
        set -l _autovenv_a (string escape -- $_autovenv_anchor)
        test -n "$_autovenv_anchor"; or set _autovenv_a /
        set _autovenv_there -a \\\( "\"\$PWD\"" = $_autovenv_a -o \\\( $_autovenv_here[2..-1] \\\) \\\) $_autovenv_there
    end
    builtin eval "function _autovenv_steady
        test -z \"\$_autovenv_pending\" -a \"x\$PWD\" = \"x\$_autovenv_pwd\" -a \"x\$VIRTUAL_ENV\" = \"x\$_autovenv_venv\" $_autovenv_there; or return 1
        if set -q _OLD_VIRTUAL_PATH
            test \"x\$(string join : -- \$_OLD_VIRTUAL_PATH)\" = \"\$_autovenv_old_path_seen\"
        else
            test -z \"\$_autovenv_old_path_seen\"
        end
    end"
end

# Runs `autovenv export fish` with the given options and applies what it prints. The text
# is kept in _autovenv_pending until its last line ran, so a Ctrl-C half way through is
# completed at the next prompt instead of leaving half an environment.
function _autovenv_eval
    if not test -x "$_autovenv_bin"; or test -d "$_autovenv_bin"
        if test -z "$_autovenv_missing"
            builtin printf 'autovenv: %s is missing or not executable: reinstall autovenv, or remove `autovenv hook fish | source` from ~/.config/fish/config.fish\n' "$_autovenv_bin" >&2
            set -g _autovenv_missing 1
        end
        _autovenv_settle
        return 0
    end
    set -g _autovenv_missing ''
    if test "$_autovenv_binding" = 1
        builtin printf '\n' >&2
        set -g _autovenv_binding 2
    end
    set -l _autovenv_code (command "$_autovenv_bin" export fish $argv --session="$_autovenv_session")
    if test $status -eq 0
        # A command substitution splits on newlines; join them back into one text.
        set -g _autovenv_pending (string join \n -- $_autovenv_code | string collect)
        eval "$_autovenv_pending"
    else
        set -g _autovenv_pending ''
        _autovenv_settle
    end
end

# After a failure, stays quiet until the user changes directory.
function _autovenv_settle
    set -g _autovenv_anchor "$PWD"
    if test "$PWD" = /
        set -g _autovenv_anchor ''
    end
    set -g _autovenv_names
    _autovenv_done
end

# Runs before every prompt; on a cd with the argument --no-create (see below). A steady
# prompt is the one call to _autovenv_steady (which fails while an evaluation is pending):
# fish pays for every builtin, so nothing else comes before it.
function _autovenv_hook --on-event fish_prompt
    _autovenv_steady; and return 0
    if test -n "$_autovenv_pending"
        eval "$_autovenv_pending"
    end
    set -l _autovenv_opts
    if test "$argv[1]" = --no-create
        set _autovenv_opts --no-create
    end
    if not _autovenv_unchanged
        set -l _autovenv_o (_autovenv_old_path)
        if set -q AUTOVENV_STATE; and test -n "$VIRTUAL_ENV"; and test "$VIRTUAL_ENV" = "$_autovenv_venv"
            and set -q _OLD_VIRTUAL_PATH; and test "$_autovenv_o" != "$_autovenv_old_path_seen"
            # The venv's own activate.fish ran over autovenv's activation of that same venv.
            _autovenv_eval --activated-by-hand $_autovenv_opts
        else if test -z "$VIRTUAL_ENV"; and not set -q AUTOVENV_STATE; and test -n "$_autovenv_venv"
            and test -n "$_autovenv_old_path_seen"; and test "$_autovenv_venv" = "$_autovenv_ours"
            and not set -q _OLD_VIRTUAL_PATH; and test "$PWD" = "$_autovenv_pwd"
            # autovenv's venv, activated again by hand (out of habit), was deactivated here
            # by its own deactivate: the project stays off until you leave it, as after
            # autovenv's deactivate.
            _autovenv_eval --deactivate=full $_autovenv_opts
        else if set -q AUTOVENV_STATE; and test -z "$VIRTUAL_ENV"; and test -n "$_autovenv_venv"
            and test "$_autovenv_venv" = "$_autovenv_ours"; and not set -q _OLD_VIRTUAL_PATH
            and test "$PWD" = "$_autovenv_pwd"; and not builtin functions -q deactivate
            # `source .venv/bin/activate.fish; deactivate` on one line: the venv's own
            # deactivate put back autovenv's activation but for VIRTUAL_ENV, and took
            # autovenv's `deactivate` with it. Off it stays, as after autovenv's.
            _autovenv_eval --deactivate=full $_autovenv_opts
        else
            _autovenv_eval $_autovenv_opts
        end
    end
end

# A cd takes effect at once, so `cd project; python` uses the project's venv. It may be
# one step of a loop or a script: a venv is activated here, but only created at a prompt.
# A cd from a key binding (`bind \ec 'cd sub; commandline -f repaint'`) comes while the
# line being edited is on the screen: when autovenv is about to run (and may print),
# _autovenv_eval moves below that line first, so a message has a line of its own, and the
# prompt is drawn again below it. A cd that runs nothing leaves the screen alone.
function _autovenv_pwd_changed --on-variable PWD
    status is-interactive; or return 0
    if test -n "$_autovenv_prompt_reading"
        set -g _autovenv_binding 1
    end
    _autovenv_hook --no-create
    if test "$_autovenv_binding" = 2
        # One newline for each line of a prompt of several, as fish's own bindings that
        # print do, so that the prompt drawn again does not cover what was said.
        builtin string repeat -N \n --count=(math (count (fish_prompt)) - 1) >&2
        commandline -f repaint
    end
    set -g _autovenv_binding ''
end

# Defines autovenv's `deactivate`. A `deactivate` function of the user's own is kept
# under the name _autovenv_user_deactivate until autovenv's goes again.
function _autovenv_deactivate_define
    if builtin functions -q deactivate
        and not builtin functions deactivate | string match -q -- '*_autovenv_eval --deactivate*'
        builtin functions -e _autovenv_user_deactivate
        builtin functions -c deactivate _autovenv_user_deactivate
    end
    # Restores what the activation replaced; keeps this project off in this shell until
    # you leave it. `deactivate nondestructive` (the form venv scripts use) does not.
    function deactivate --description 'autovenv: restore what activating the venv replaced'
        set -l _autovenv_mode full
        if test -n "$argv[1]"
            set _autovenv_mode $argv[1]
        end
        _autovenv_eval --deactivate=$_autovenv_mode
        if test "$argv[1]" = nondestructive
            set -g _autovenv_pwd ''
        end
    end
end

# Removes autovenv's `deactivate` and puts the user's own back, if there was one.
function _autovenv_deactivate_remove
    builtin functions -e deactivate
    if builtin functions -q _autovenv_user_deactivate
        builtin functions -c _autovenv_user_deactivate deactivate
        builtin functions -e _autovenv_user_deactivate
    end
end

# Shows "(name) " before the prompt, as activate.fish does, and yet fish_prompt stays the
# user's own whenever a command runs: only while fish draws the prompt and reads a line
# (from the fish_prompt event to fish_preexec) is it a wrapper that prints the prefix and
# then the user's prompt, kept meanwhile as _autovenv_user_prompt. So `funcsave
# fish_prompt`, `funced fish_prompt`, a theme that defines its prompt, activate.fish and
# a config.fish sourced again all see and keep the user's prompt, never the wrapper, and
# a prompt defined later (or autoloaded from functions/fish_prompt.fish) is wrapped at
# the next prompt. The wrapper prints $_autovenv_prompt_prefix, so clearing that takes
# the prefix off even where something else wrapped it meanwhile.
function _autovenv_prompt_show
    if test -n "$VIRTUAL_ENV_DISABLE_PROMPT"
        _autovenv_prompt_remove
        return 0
    end
    set -g _autovenv_prompt_prefix $argv[1]
    # A cd from a key binding: the prompt is drawn again without a new prompt event.
    if test -n "$_autovenv_prompt_reading"
        _autovenv_prompt_wrap
    end
end

# Takes the prefix off, and the wrapper if it is on.
function _autovenv_prompt_remove
    set -g _autovenv_prompt_prefix ''
    _autovenv_prompt_unwrap
end

# Puts the wrapper on, while there is a prefix to show and it is not on already (on top,
# or under something that wrapped it since).
function _autovenv_prompt_wrap
    test -n "$_autovenv_prompt_prefix"; and test -z "$_autovenv_prompt_wrapped"; or return 0
    set -g _autovenv_prompt_wrapped 1
    if builtin functions -q fish_prompt
        builtin functions -c fish_prompt _autovenv_user_prompt
        set -g _autovenv_prompt_none ''
    else
        function _autovenv_user_prompt
        end
        set -g _autovenv_prompt_none 1
    end
    # The user's prompt runs first, so it sees $status and $pipestatus as they were.
    function fish_prompt --description 'autovenv-prompt-wrapper: (venv) before your prompt'
        set -l _autovenv_shown (_autovenv_user_prompt | string collect -N)
        builtin printf '%s' "$_autovenv_prompt_prefix" "$_autovenv_shown"
    end
end

# Gives the user's prompt back, if autovenv's wrapper is on top; else leaves things as
# they are (the wrapper then prints nothing once the prefix is cleared).
function _autovenv_prompt_unwrap
    test -n "$_autovenv_prompt_wrapped"; or return 0
    # The description, not the body: printing a function's body formats it, which costs.
    builtin functions -Dv fish_prompt | string match -q -- 'autovenv-prompt-wrapper*'
    or return 0
    builtin functions -e fish_prompt
    if test -z "$_autovenv_prompt_none"
        builtin functions -c _autovenv_user_prompt fish_prompt
    end
    builtin functions -e _autovenv_user_prompt
    set -g _autovenv_prompt_wrapped ''
end

# Before fish draws the prompt (after _autovenv_hook, defined earlier): the wrapper on.
function _autovenv_prompt_on --on-event fish_prompt
    set -g _autovenv_prompt_reading 1
    test -n "$_autovenv_prompt_prefix" -a -z "$_autovenv_prompt_wrapped"; and _autovenv_prompt_wrap
end

# Before a typed command runs: the user's prompt back.
function _autovenv_prompt_off --on-event fish_preexec
    set -g _autovenv_prompt_reading ''
    test -n "$_autovenv_prompt_wrapped"; and _autovenv_prompt_unwrap
end

# A fish_prompt that is the wrapper of an older autovenv, which stayed on while commands
# ran: in a shell that loaded that older hook, the prompt it wraps is given back; saved
# by `funcsave`, it calls a function no other fish has, so one line says which file to
# mend and fish's default prompt stands in meanwhile.
function _autovenv_prompt_old
    test -z "$_autovenv_prompt_wrapped"; or return 0
    builtin functions -Dv fish_prompt | string match -q -- 'autovenv-prompt-wrapper*'
    or return 0
    set -l _autovenv_saved (builtin functions fish_prompt | string match -r -- '_autovenv_old_fish_prompt_[0-9]+')
    if set -q _autovenv_saved[1]; and builtin functions -q $_autovenv_saved[1]
        builtin functions -e fish_prompt
        builtin functions -c $_autovenv_saved[1] fish_prompt
        builtin functions -e $_autovenv_saved[1]
        _autovenv_prompt_old
        return 0
    end
    builtin printf 'autovenv: %s is an older autovenv\'s prompt wrapper, saved by funcsave: delete it, or save your own prompt there again (fish\'s default prompt stands in)\n' (builtin functions -D fish_prompt) >&2
    builtin functions -e fish_prompt
    source $__fish_data_dir/functions/fish_prompt.fish
end

# A venv activated by hand over autovenv's activation saved PATH and PYTHONHOME with
# autovenv's changes in them (_OLD_VIRTUAL_*, as activate.fish names them), for its
# `deactivate` to bring back: take autovenv's PATH entry ($argv[1]) out of that copy, and
# hand it PYTHONHOME as it was before autovenv ($argv[2], when it was set). Its prompt
# wraps autovenv's, which shows nothing once autovenv's prefix is cleared.
function _autovenv_hand_over
    set -q _OLD_VIRTUAL_PATH; or return 0
    set -l _autovenv_i (contains -i -- $argv[1] $_OLD_VIRTUAL_PATH)
    and set -e _OLD_VIRTUAL_PATH[$_autovenv_i[1]]
    if set -q argv[2]
        set -gx _OLD_VIRTUAL_PYTHONHOME $argv[2]
    end
    return 0
end

# `autovenv allow`, `deny`, `create`, `reload` change the answer without a cd: run the
# binary, then make the next prompt evaluate again.
function autovenv --description 'autovenv, then evaluate again at the next prompt'
    AUTOVENV_SESSION="$_autovenv_session" command "$_autovenv_bin" $argv
    set -l _autovenv_rc $status
    if test "$argv[1]" = reload
        set -g _autovenv_session r
    end
    set -g _autovenv_pwd ''
    return $_autovenv_rc
end

set -g _autovenv_bin @AUTOVENV@
# Replaced by _autovenv_fast after every evaluation.
function _autovenv_steady
    return 1
end
set -g _autovenv_pwd ''
set -g _autovenv_pending ''
set -g _autovenv_old_path_seen ''
# Kept when the hook is loaded again. _autovenv_prompt_wrapped: whether the wrapper is
# on, with the user's prompt kept as _autovenv_user_prompt.
for _autovenv_v in _autovenv_ours _autovenv_session _autovenv_prompt_prefix _autovenv_prompt_wrapped
    set -q $_autovenv_v; or set -g $_autovenv_v ''
end
set -e _autovenv_v
set -g _autovenv_prompt_reading ''
if status is-interactive
    _autovenv_prompt_old
end
