
use builtin;
use str;

set edit:completion:arg-completer[autovenv] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'autovenv'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'autovenv'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand hook 'Print the shell code that hooks autovenv into SHELL; evaluate it in your rc file'
            cand export 'Print shell code that brings this shell in step with its directory (used by the hook)'
            cand allow 'Trust the project that holds DIR (default: the current directory)'
            cand deny 'Never activate or create a venv in the project that holds DIR, and stop telling'
            cand status 'Show what autovenv finds in DIR (default: here), whether it is trusted, and what it would do and why'
            cand create 'Create the venv of the project that holds DIR (default: here), or rebuild it with --force; the shell activates it at the next prompt'
            cand reload 'Evaluate again at the next prompt, forgetting what this shell was told and which project `deactivate` turned off'
            cand exec 'Run CMD with the venv of the project holding DIR (default: here) active, as the hook activates it, without a shell: for scripts, cron, editors and CI'
            cand sync 'Install the declared dependencies of the project holding DIR (default: here) into its venv, creating the venv first when it has none'
            cand prune 'Forget allow and deny decisions about directories that no longer exist'
            cand completions 'Print a tab-completion script for autovenv''s own commands in SHELL'
        }
        &'autovenv;hook'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'autovenv;export'= {
            cand --deactivate 'Undo autovenv''s activation, as `deactivate [nondestructive]` does'
            cand --session 'The hook''s per-shell memory, as the last export printed it'
            cand --activated-by-hand 'A venv''s own `activate` ran over autovenv''s activation: hand over to it'
            cand --no-create 'Activate what exists but create no venv: creating waits for the next prompt'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'autovenv;allow'= {
            cand --list 'Print the allowed directories instead, one per line'
            cand --any-owner 'Also accept a project or venv owned by another user (in a root shell: one other users can write to)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'autovenv;deny'= {
            cand --list 'Print the denied directories instead, one per line'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'autovenv;status'= {
            cand --json 'Print one JSON object with a stable schema (see below) instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'autovenv;create'= {
            cand --python 'The interpreter to make it with: a version (3.12, pypy3.10), a command such as python3.12, or a path'
            cand --force 'Rebuild the venv even when it is there and works; the old one stays until the new one works'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'autovenv;reload'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'autovenv;exec'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'autovenv;sync'= {
            cand --watch 'Keep running and sync again (one line each time) whenever those files change; Ctrl-C stops'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'autovenv;prune'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'autovenv;completions'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
    ]
    $completions[$command]
}
