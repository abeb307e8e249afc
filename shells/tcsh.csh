# autovenv: Python virtual environments that follow you around the shell.
# Loaded with eval "`autovenv hook tcsh`" (the double quotes matter); loading it again is
# harmless.
#
# tcsh has no functions and its one-line `if` runs no aliases, so the logic is a set of
# aliases run through `eval`. `autovenv hook tcsh` joins the lines below with `;` (comment
# lines dropped), as eval sees backquoted output as one line anyway.
#
# On every prompt _autovenv_precmd compares $cwd, $VIRTUAL_ENV, $_OLD_VIRTUAL_PATH (set by
# a venv's own activate.csh) and which watched entries exist (here and at the anchor: the
# alias _autovenv_watch, written by each export) with what they were when the binary last
# ran, using builtins only (an alias redefined by
# an eval is run through eval, or the old text would run); only when one differs
# does it run `autovenv export tcsh` (one process) and evaluate what that prints.
set _autovenv_bin = @AUTOVENV@
set _autovenv_pwd = ''
set _autovenv_ve = ''
set _autovenv_o = ''
set _autovenv_oseen = ''
set _autovenv_args = ''
set _autovenv_s = ''
set _autovenv_snap = ''
alias _autovenv_watch 'set _autovenv_s = ""'
if (! $?_autovenv_session) set _autovenv_session = ''
alias _autovenv_getve 'set _autovenv_v = "$VIRTUAL_ENV:q"'
alias _autovenv_readve 'set _autovenv_v = "" ; if ($?VIRTUAL_ENV) eval _autovenv_getve'
alias _autovenv_getold 'set _autovenv_o = "x$_OLD_VIRTUAL_PATH:q"'
alias _autovenv_readold 'set _autovenv_o = "" ; if ($?_OLD_VIRTUAL_PATH) eval _autovenv_getold'
# The binary corrects a venv's saved PATH when handing over to it (tcsh cannot edit it).
alias _autovenv_passold 'setenv _AUTOVENV_OLD_VIRTUAL_PATH "$_OLD_VIRTUAL_PATH:q"'
alias _autovenv_export 'if ($?_OLD_VIRTUAL_PATH) eval _autovenv_passold ; eval "`$_autovenv_bin:q export tcsh --session=$_autovenv_session:q $_autovenv_args`" ; unsetenv _AUTOVENV_OLD_VIRTUAL_PATH'
alias _autovenv_missing 'if (! $?_autovenv_told) echo "autovenv: $_autovenv_bin:q is missing or not executable: reinstall autovenv, or remove the autovenv hook line from ~/.tcshrc" > /dev/stderr ; set _autovenv_told'
alias _autovenv_found 'unset _autovenv_told ; eval _autovenv_export'
alias _autovenv_run 'if (-x "$_autovenv_bin:q") eval _autovenv_found ; if (! -x "$_autovenv_bin:q") eval _autovenv_missing ; set _autovenv_pwd = "$cwd:q" ; _autovenv_readve ; set _autovenv_ve = "$_autovenv_v:q" ; _autovenv_readold ; set _autovenv_oseen = "$_autovenv_o:q" ; eval _autovenv_watch ; set _autovenv_snap = "$_autovenv_s"'
# The venv's own activate.csh ran over autovenv's activation of that same venv.
alias _autovenv_byhand 'if ($?AUTOVENV_STATE && "$_autovenv_v:q" != "" && "$_autovenv_v:q" == "$_autovenv_ve:q" && "$_autovenv_o:q" != "" && "$_autovenv_o:q" != "$_autovenv_oseen:q") set _autovenv_args = --activated-by-hand'
alias _autovenv_prompt_run '_autovenv_byhand ; _autovenv_run ; set _autovenv_args = ""'
alias _autovenv_precmd '_autovenv_readve ; _autovenv_readold ; _autovenv_watch ; if ("$cwd:q" != "$_autovenv_pwd:q" || "$_autovenv_v:q" != "$_autovenv_ve:q" || "$_autovenv_o:q" != "$_autovenv_oseen:q" || "$_autovenv_s" != "$_autovenv_snap") eval _autovenv_prompt_run'
# The prompt prefix: $_autovenv_p holds it; taken off again only if the prompt is still
# exactly what autovenv made it.
alias _autovenv_prompt_restore 'if ("$prompt:q" == "$_autovenv_prompt_set:q") set prompt = "$_autovenv_prompt_old:q"'
alias _autovenv_prompt_remove 'if ($?prompt && $?_autovenv_prompt_set) eval _autovenv_prompt_restore ; unset _autovenv_prompt_set'
alias _autovenv_prompt_add 'set _autovenv_prompt_old = "$prompt:q" ; set prompt = "$_autovenv_p:q$prompt:q" ; set _autovenv_prompt_set = "$prompt:q"'
# A venv activated by hand over autovenv's saved the prompt with autovenv's prefix: its
# deactivate brings back the prompt from before autovenv instead.
alias _autovenv_hand_over_prompt 'if ("$_OLD_VIRTUAL_PROMPT:q" == "$_autovenv_prompt_set:q") set _OLD_VIRTUAL_PROMPT = "$_autovenv_prompt_old:q"'
alias _autovenv_hand_over 'if ($?_OLD_VIRTUAL_PROMPT && $?_autovenv_prompt_set) eval _autovenv_hand_over_prompt'
alias _autovenv_prompt_show '_autovenv_prompt_remove ; if ($?prompt && ! $?VIRTUAL_ENV_DISABLE_PROMPT) eval _autovenv_prompt_add'
# `autovenv allow`, `deny`, `reload` change the answer without a cd: run the binary, then
# make the next prompt evaluate again.
alias autovenv 'env AUTOVENV_SESSION=$_autovenv_session:q "$_autovenv_bin:q" \!* ; set _autovenv_pwd = "" ; set _autovenv_a = (\!* x) ; if ("$_autovenv_a[1]" == reload) set _autovenv_session = r'
set _autovenv_old = "`alias precmd`"
set _autovenv_have = 0
if ("$_autovenv_old:q" =~ *_autovenv_precmd*) set _autovenv_have = 1
if ($_autovenv_have == 0) alias precmd "_autovenv_precmd ; $_autovenv_old"
unset _autovenv_old _autovenv_have
