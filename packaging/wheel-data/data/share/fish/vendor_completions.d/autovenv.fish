# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_autovenv_global_optspecs
    string join \n h/help V/version
end

function __fish_autovenv_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_autovenv_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_autovenv_using_subcommand
    set -l cmd (__fish_autovenv_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c autovenv -n "__fish_autovenv_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c autovenv -n "__fish_autovenv_needs_command" -s V -l version -d 'Print version'
complete -c autovenv -n "__fish_autovenv_needs_command" -f -a "hook" -d 'Print the shell code that hooks autovenv into SHELL; evaluate it in your rc file'
complete -c autovenv -n "__fish_autovenv_needs_command" -f -a "export" -d 'Print shell code that brings this shell in step with its directory (used by the hook)'
complete -c autovenv -n "__fish_autovenv_needs_command" -f -a "allow" -d 'Trust the project that holds DIR (default: the current directory)'
complete -c autovenv -n "__fish_autovenv_needs_command" -f -a "deny" -d 'Never activate or create a venv in the project that holds DIR, and stop telling'
complete -c autovenv -n "__fish_autovenv_needs_command" -f -a "status" -d 'Show what autovenv finds in DIR (default: here), whether it is trusted, and what it would do and why'
complete -c autovenv -n "__fish_autovenv_needs_command" -f -a "create" -d 'Create the venv of the project that holds DIR (default: here), or rebuild it with --force; the shell activates it at the next prompt'
complete -c autovenv -n "__fish_autovenv_needs_command" -f -a "reload" -d 'Evaluate again at the next prompt, forgetting what this shell was told and which project `deactivate` turned off'
complete -c autovenv -n "__fish_autovenv_needs_command" -f -a "exec" -d 'Run CMD with the venv of the project holding DIR (default: here) active, as the hook activates it, without a shell: for scripts, cron, editors and CI'
complete -c autovenv -n "__fish_autovenv_needs_command" -f -a "sync" -d 'Install the declared dependencies of the project holding DIR (default: here) into its venv, creating the venv first when it has none'
complete -c autovenv -n "__fish_autovenv_needs_command" -f -a "prune" -d 'Forget allow and deny decisions about directories that no longer exist'
complete -c autovenv -n "__fish_autovenv_needs_command" -f -a "completions" -d 'Print a tab-completion script for autovenv\'s own commands in SHELL'
complete -c autovenv -n "__fish_autovenv_using_subcommand hook" -s h -l help -d 'Print help'
complete -c autovenv -n "__fish_autovenv_using_subcommand export" -l deactivate -d 'Undo autovenv\'s activation, as `deactivate [nondestructive]` does' -r -f -a "full\t''
nondestructive\t''"
complete -c autovenv -n "__fish_autovenv_using_subcommand export" -l session -d 'The hook\'s per-shell memory, as the last export printed it' -r
complete -c autovenv -n "__fish_autovenv_using_subcommand export" -l activated-by-hand -d 'A venv\'s own `activate` ran over autovenv\'s activation: hand over to it'
complete -c autovenv -n "__fish_autovenv_using_subcommand export" -l no-create -d 'Activate what exists but create no venv: creating waits for the next prompt'
complete -c autovenv -n "__fish_autovenv_using_subcommand export" -s h -l help -d 'Print help'
complete -c autovenv -n "__fish_autovenv_using_subcommand allow" -l list -d 'Print the allowed directories instead, one per line'
complete -c autovenv -n "__fish_autovenv_using_subcommand allow" -l any-owner -d 'Also accept a project or venv owned by another user (in a root shell: one other users can write to)'
complete -c autovenv -n "__fish_autovenv_using_subcommand allow" -s h -l help -d 'Print help'
complete -c autovenv -n "__fish_autovenv_using_subcommand deny" -l list -d 'Print the denied directories instead, one per line'
complete -c autovenv -n "__fish_autovenv_using_subcommand deny" -s h -l help -d 'Print help'
complete -c autovenv -n "__fish_autovenv_using_subcommand status" -l json -d 'Print one JSON object with a stable schema (see below) instead of text'
complete -c autovenv -n "__fish_autovenv_using_subcommand status" -s h -l help -d 'Print help'
complete -c autovenv -n "__fish_autovenv_using_subcommand create" -l python -d 'The interpreter to make it with: a version (3.12, pypy3.10), a command such as python3.12, or a path' -r
complete -c autovenv -n "__fish_autovenv_using_subcommand create" -l force -d 'Rebuild the venv even when it is there and works; the old one stays until the new one works'
complete -c autovenv -n "__fish_autovenv_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c autovenv -n "__fish_autovenv_using_subcommand reload" -s h -l help -d 'Print help'
complete -c autovenv -n "__fish_autovenv_using_subcommand exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c autovenv -n "__fish_autovenv_using_subcommand sync" -l watch -d 'Keep running and sync again (one line each time) whenever those files change; Ctrl-C stops'
complete -c autovenv -n "__fish_autovenv_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c autovenv -n "__fish_autovenv_using_subcommand prune" -s h -l help -d 'Print help'
complete -c autovenv -n "__fish_autovenv_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
