# autovenv: Python virtual environments that follow you around the shell.
# Loaded with eval "`autovenv hook tcsh`" (the double quotes matter); loading it again is
# harmless.
#
# tcsh has no functions and its one-line `if` runs no aliases, so the logic is a set of
# aliases run through `eval`. `autovenv hook tcsh` joins the lines below with `;` (comment
# lines dropped), as eval sees backquoted output as one line anyway.
#
# On every prompt _autovenv_precmd checks, using builtins only, whether anything that
# matters may have changed since the binary last ran: $cwd, $VIRTUAL_ENV,
# $_OLD_VIRTUAL_PATH (set by a venv's own activate.csh) and the watched entries here and
# at the anchor. tcsh pays for every statement it runs (each one juggles its file
# descriptors), so each `autovenv export tcsh` defines the check anew as one `if` (two in
# a venv), and instead of one file test per watched name it compares the modification
# time of the current directory and of the anchor (which changes whenever an entry is
# added, removed or renamed there) with $_autovenv_t, the time in seconds of the last
# look, read from a clock file written just before it (_autovenv_tick). A directory
# changed in that same second or later, or a clock that cannot be written ($_autovenv_t
# 0), sends the check to _autovenv_recheck: the per-name tests (_autovenv_names), and
# only when one differs `autovenv export tcsh` (one process), whose output is evaluated.
# An alias redefined by an eval is run through eval, or the old text would run.
set _autovenv_bin = @AUTOVENV@
set _autovenv_clock = @CLOCK@
set _autovenv_t = 0
set _autovenv_anchor = ''
set _autovenv_pwd = ''
set _autovenv_venv = ''
set _autovenv_o = ''
set _autovenv_oseen = ''
set _autovenv_ours = ''
set _autovenv_args = ''
set _autovenv_nc = ''
if (! $?_autovenv_session) set _autovenv_session = ''
alias _autovenv_getve 'set _autovenv_v = "$VIRTUAL_ENV:q"'
alias _autovenv_readve 'set _autovenv_v = "" ; if ($?VIRTUAL_ENV) eval _autovenv_getve'
alias _autovenv_getold 'set _autovenv_o = "x$_OLD_VIRTUAL_PATH:q"'
alias _autovenv_readold 'set _autovenv_o = "" ; if ($?_OLD_VIRTUAL_PATH) eval _autovenv_getold'
# Runs `autovenv export tcsh` and evaluates what it prints. The binary is told what it
# cannot read itself: a venv's saved PATH (it corrects that when handing over to the venv,
# as tcsh cannot edit it) and the prompt with the prefix autovenv put in front of it (it
# takes that prefix out again, however the prompt was edited meanwhile).
alias _autovenv_passold 'setenv _AUTOVENV_OLD_VIRTUAL_PATH "$_OLD_VIRTUAL_PATH:q"'
alias _autovenv_passprompt 'setenv _AUTOVENV_PROMPT "$prompt:q"'
alias _autovenv_passprefix 'setenv _AUTOVENV_PROMPT_PREFIX "$_autovenv_p:q"'
alias _autovenv_pass1 'if ($?_OLD_VIRTUAL_PATH) eval _autovenv_passold'
alias _autovenv_pass2 'if ($?prompt) eval _autovenv_passprompt'
alias _autovenv_pass3 'if ($?_autovenv_prompt_set) eval _autovenv_passprefix'
alias _autovenv_unpass 'unsetenv _AUTOVENV_OLD_VIRTUAL_PATH _AUTOVENV_PROMPT _AUTOVENV_PROMPT_PREFIX'
alias _autovenv_eval 'eval "`$_autovenv_bin:q export tcsh --session=$_autovenv_session:q $_autovenv_args $_autovenv_nc`"'
alias _autovenv_export '_autovenv_pass1 ; _autovenv_pass2 ; _autovenv_pass3 ; _autovenv_eval ; _autovenv_unpass'
# Said once until the binary is back.
set _autovenv_gone = 'is missing or not executable: reinstall autovenv,'
set _autovenv_gone = "$_autovenv_gone:q or remove the autovenv hook line from ~/.tcshrc"
alias _autovenv_tell 'echo "autovenv: $_autovenv_bin:q $_autovenv_gone:q" > /dev/stderr ; set _autovenv_told'
alias _autovenv_missing 'if (! $?_autovenv_told) eval _autovenv_tell'
alias _autovenv_found 'unset _autovenv_told ; eval _autovenv_export'
alias _autovenv_call 'if (-x "$_autovenv_bin:q") eval _autovenv_found'
alias _autovenv_nocall 'if (! -x "$_autovenv_bin:q") eval _autovenv_missing'
# The time of a look, before it: the clock file's modification time once written. Where
# it cannot be written the last time stays (0 at first, which makes every directory look
# changed): an older time only sends more prompts to the per-name tests.
alias _autovenv_tick2 'echo -n >! "$_autovenv_clock:q" ; @ _autovenv_t = -M "$_autovenv_clock:q"'
alias _autovenv_tick 'if (-f "$_autovenv_clock:q" && -w "$_autovenv_clock:q" && ! -l "$_autovenv_clock:q") eval _autovenv_tick2'
# What the answer was worked out from, for _autovenv_precmd to compare with.
alias _autovenv_seen1 'set _autovenv_pwd = "$cwd:q" ; _autovenv_readve ; set _autovenv_venv = "$_autovenv_v:q"'
alias _autovenv_seen2 '_autovenv_readold ; set _autovenv_oseen = "$_autovenv_o:q"'
alias _autovenv_seen3 'if ($?AUTOVENV_STATE) set _autovenv_ours = "$_autovenv_v:q"'
alias _autovenv_run '_autovenv_tick ; _autovenv_call ; _autovenv_nocall ; _autovenv_seen1 ; _autovenv_seen2 ; _autovenv_seen3'
# The venv's own activate.csh ran over autovenv's activation of that same venv: it saved
# another PATH, and VIRTUAL_ENV is still the one autovenv set.
alias _autovenv_byhand3 'if ("$_autovenv_v:q" == "$_autovenv_venv:q") set _autovenv_args = --activated-by-hand'
alias _autovenv_byhand2 'if ($?AUTOVENV_STATE && "$_autovenv_v:q" != "") eval _autovenv_byhand3'
alias _autovenv_byhand 'if ("$_autovenv_o:q" != "" && "$_autovenv_o:q" != "$_autovenv_oseen:q") eval _autovenv_byhand2'
# autovenv's venv, activated again by hand (out of habit) and handed over at a prompt, was
# deactivated here by its own `deactivate`: the project stays off until you leave it.
alias _autovenv_off3 'if ("$_autovenv_venv:q" == "$_autovenv_ours:q" && "$cwd:q" == "$_autovenv_pwd:q") eval _autovenv_off4'
alias _autovenv_off4 'set _autovenv_args = --deactivate=full ; set _autovenv_off_by_hand'
# That venv's `deactivate` unaliased itself: a `deactivate` of the user's own is theirs again.
alias _autovenv_after_off1 '_autovenv_give_back ; unset _autovenv_off_by_hand'
alias _autovenv_after_off 'if ($?_autovenv_off_by_hand) eval _autovenv_after_off1'
alias _autovenv_off2 'if ("$_autovenv_v:q" == "" && "$_autovenv_venv:q" != "" && "$_autovenv_o:q" == "") eval _autovenv_off3'
alias _autovenv_byhand_off 'if (! $?AUTOVENV_STATE && "$_autovenv_oseen:q" != "") eval _autovenv_off2'
alias _autovenv_prompt_read '_autovenv_readve ; _autovenv_readold ; _autovenv_byhand ; _autovenv_byhand_off'
alias _autovenv_prompt_end 'set _autovenv_args = "" ; _autovenv_after_off ; _autovenv_chain'
alias _autovenv_prompt_run '_autovenv_prompt_read ; _autovenv_run ; _autovenv_prompt_end'
# Until the first export defines it: compares $cwd, $VIRTUAL_ENV and $_OLD_VIRTUAL_PATH.
alias _autovenv_precmd '_autovenv_readve ; _autovenv_readold ; if ("$cwd:q" != "$_autovenv_pwd:q" || "$_autovenv_v:q" != "$_autovenv_venv:q" || "$_autovenv_o:q" != "$_autovenv_oseen:q") eval _autovenv_prompt_run'
alias _autovenv_names 'set _autovenv_stale'
# When the steady check saw something that may have changed: the values compared again,
# then each watched name, after a tick (so that a pass makes the next prompts fast again);
# the binary runs only when one of them differs. In a venv the steady check, which must
# not name an unset variable, stands in an empty shell variable for a VIRTUAL_ENV that
# was unset (_autovenv_recheck_ve takes it out again).
alias _autovenv_look '_autovenv_tick ; _autovenv_names'
alias _autovenv_stale1 'if ("$cwd:q" != "$_autovenv_pwd:q" || "$_autovenv_v:q" != "$_autovenv_venv:q") set _autovenv_stale'
alias _autovenv_stale2 'if ("$_autovenv_o:q" != "$_autovenv_oseen:q") set _autovenv_stale'
alias _autovenv_compare '_autovenv_readve ; _autovenv_readold ; unset _autovenv_stale ; _autovenv_stale1 ; _autovenv_stale2'
alias _autovenv_then 'if (! $?_autovenv_stale) eval _autovenv_look ; if ($?_autovenv_stale) eval _autovenv_prompt_run'
alias _autovenv_recheck '_autovenv_compare ; _autovenv_then'
alias _autovenv_recheck_ve 'if ("$VIRTUAL_ENV:q" == "") unset VIRTUAL_ENV ; _autovenv_recheck'
# The prompt prefix, as the prompt shows it, is in $_autovenv_p. The binary sends the
# prompt without autovenv's prefix in $_autovenv_prompt_old, and _autovenv_prompt_put or
# _autovenv_prompt_back sets it; the user's own edits while active are kept.
alias _autovenv_prompt_add 'set prompt = "$_autovenv_p:q$prompt:q" ; set _autovenv_prompt_set = "$prompt:q"'
alias _autovenv_prompt_base 'if ($?prompt) set prompt = "$_autovenv_prompt_old:q" ; unset _autovenv_prompt_set'
alias _autovenv_prompt_on 'if ($?prompt && ! $?VIRTUAL_ENV_DISABLE_PROMPT) eval _autovenv_prompt_add'
alias _autovenv_prompt_put '_autovenv_prompt_base ; _autovenv_prompt_on'
alias _autovenv_prompt_back '_autovenv_prompt_base'
# Where the binary cannot send the prompt back (it holds a newline), the prefix comes off
# only if the prompt is still exactly what autovenv made it.
alias _autovenv_prompt_restore 'if ("$prompt:q" == "$_autovenv_prompt_set:q") set prompt = "$_autovenv_prompt_old:q"'
alias _autovenv_prompt_remove 'if ($?prompt && $?_autovenv_prompt_set) eval _autovenv_prompt_restore ; unset _autovenv_prompt_set'
alias _autovenv_prompt_save 'set _autovenv_prompt_old = "$prompt:q"'
alias _autovenv_prompt_show '_autovenv_prompt_remove ; if ($?prompt) eval _autovenv_prompt_save ; _autovenv_prompt_on'
# A venv activated by hand over autovenv's saved the prompt with autovenv's prefix: its
# deactivate brings back the prompt from before autovenv instead.
alias _autovenv_hand_over_prompt 'set _OLD_VIRTUAL_PROMPT = "$_autovenv_prompt_old:q"'
alias _autovenv_hand_over_if 'if ("$_OLD_VIRTUAL_PROMPT:q" == "$_autovenv_prompt_set:q") eval _autovenv_hand_over_prompt'
alias _autovenv_hand_over 'if ($?_OLD_VIRTUAL_PROMPT && $?_autovenv_prompt_set) eval _autovenv_hand_over_if'
# A `deactivate` alias of the user's own is kept while autovenv's is defined and given
# back when it is taken off (reading an alias costs a fork of tcsh, once per activation).
alias _autovenv_keep_users3 'set _autovenv_users_deactivate = "$_autovenv_users:q"'
alias _autovenv_keep_users2 'if ("$_autovenv_users:q" != "" && "$_autovenv_users:q" !~ *_autovenv_*) eval _autovenv_keep_users3'
alias _autovenv_keep_users1 'set _autovenv_users = "`alias deactivate`" ; _autovenv_keep_users2 ; set _autovenv_ours_on'
alias _autovenv_keep_users 'if (! $?_autovenv_ours_on) eval _autovenv_keep_users1'
alias _autovenv_give_back1 'alias deactivate "$_autovenv_users_deactivate:q" ; unset _autovenv_users_deactivate'
alias _autovenv_give_back 'unset _autovenv_ours_on ; if ($?_autovenv_users_deactivate) eval _autovenv_give_back1'
# `autovenv allow`, `deny`, `reload` change the answer without a cd: the next prompt
# evaluates again. The binary runs last, so that its exit status is the alias's.
alias _autovenv_next 'set _autovenv_pwd = "" ; if ("$_autovenv_a[1]" == reload) set _autovenv_session = r'
alias _autovenv_before 'set _autovenv_a = (\!* x) ; set _autovenv_r = "$_autovenv_session:q" ; _autovenv_next'
alias _autovenv_exec 'env AUTOVENV_SESSION=$_autovenv_r:q "$_autovenv_bin:q"'
alias autovenv '_autovenv_before \!* ; _autovenv_exec \!*'
# After every change of directory (`cd`, `pushd`, `popd`: the special alias cwdcmd) that
# the walk below cannot decide, the prompt's fallback runs, so that the rest of the
# command line has the right venv (other changes wait for the next prompt); with
# --no-create, as a cd may be one step of a script: a venv to make is left for the next
# prompt (the export then sets _autovenv_again).
alias _autovenv_later 'set _autovenv_pwd = "" ; unset _autovenv_again'
alias _autovenv_cwdcmd_end 'set _autovenv_nc = "" ; if ($?_autovenv_again) eval _autovenv_later'
alias _autovenv_cwdcmd_run 'set _autovenv_nc = --no-create ; _autovenv_recheck ; _autovenv_cwdcmd_end'
alias _autovenv_cwdcmd '_autovenv_walk ; if ("$cwd:q" != "$_autovenv_pwd:q") eval _autovenv_cwdcmd_run'
# Before it, a cd that stays below the anchor is decided here, with no process: where no
# watched name is on the way up from the new directory to the anchor (tested a few levels
# at a time by _autovenv_step, which the export defines, from $_autovenv_d up; a level
# with a watched name sets it to x, one above the anchor ends it), the answer is the last
# one and the new directory is
# taken as seen (where a name or the anchor cannot be written in an alias, the export
# defines a step that always finds one). The anchor itself has no levels to test; its entries, and the new
# directory's from now on, are the steady check's (their modification times against the
# last look's). Not after something asked for a fresh look ($_autovenv_pwd empty).
alias _autovenv_step 'set _autovenv_d = x'
alias _autovenv_walk1 'set _autovenv_d = "$cwd:q" ; _autovenv_step ; if ("$_autovenv_d:q" != x) set _autovenv_pwd = "$cwd:q"'
alias _autovenv_walk 'if ("$cwd:q" != "$_autovenv_pwd:q" && "$_autovenv_pwd:q" != "" && "$cwd:q/" =~ "$_autovenv_anchor:q"/*) eval _autovenv_walk1'
# Each goes in front of an alias of the user's own of that name, once. tcsh keeps one
# alias of a name, so a `precmd` or `cwdcmd` defined after the hook line (later in
# ~/.tcshrc) replaces autovenv's: the first time the binary runs after loading (the
# first prompt, or the first cd if precmd was replaced), each is put in front again of
# what is there then, at the cost of two forks of tcsh (no program) once per load.
alias _autovenv_hasp 'set _autovenv_have = 0 ; if ("$_autovenv_old:q" =~ *_autovenv_precmd*) set _autovenv_have = 1'
alias _autovenv_putp 'if ($_autovenv_have == 0) alias precmd "_autovenv_precmd ; $_autovenv_old"'
alias _autovenv_chainp 'set _autovenv_old = "`alias precmd`" ; _autovenv_hasp ; _autovenv_putp'
alias _autovenv_hasc 'set _autovenv_have = 0 ; if ("$_autovenv_old:q" =~ *_autovenv_cwdcmd*) set _autovenv_have = 1'
alias _autovenv_putc 'if ($_autovenv_have == 0) alias cwdcmd "_autovenv_cwdcmd ; $_autovenv_old"'
alias _autovenv_chainc 'set _autovenv_old = "`alias cwdcmd`" ; _autovenv_hasc ; _autovenv_putc'
alias _autovenv_chained '_autovenv_chainp ; _autovenv_chainc ; unset _autovenv_old _autovenv_have'
alias _autovenv_chain 'if (! $?_autovenv_chain_done) eval _autovenv_chained ; set _autovenv_chain_done'
unset _autovenv_chain_done
# At load the same, written out: an alias defined on the line eval runs cannot be used
# on that same line.
set _autovenv_old = "`alias precmd`"
set _autovenv_have = 0
if ("$_autovenv_old:q" =~ *_autovenv_precmd*) set _autovenv_have = 1
if ($_autovenv_have == 0) alias precmd "_autovenv_precmd ; $_autovenv_old"
set _autovenv_old = "`alias cwdcmd`"
set _autovenv_have = 0
if ("$_autovenv_old:q" =~ *_autovenv_cwdcmd*) set _autovenv_have = 1
if ($_autovenv_have == 0) alias cwdcmd "_autovenv_cwdcmd ; $_autovenv_old"
unset _autovenv_old _autovenv_have
