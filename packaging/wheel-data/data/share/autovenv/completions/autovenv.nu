module completions {

  # Python virtual environments that follow you around the shell
  export extern autovenv [
    --help(-h)                # Print help (see more with '--help')
    --version(-V)             # Print version
  ]

  def "nu-complete autovenv hook shell" [] {
    [ "bash" "zsh" "fish" "tcsh" "elvish" "nu" "xonsh" ]
  }

  # Print the shell code that hooks autovenv into SHELL; evaluate it in your rc file
  export extern "autovenv hook" [
    --help(-h)                # Print help
    shell: string@"nu-complete autovenv hook shell" # The shell to hook into
  ]

  def "nu-complete autovenv export shell" [] {
    [ "bash" "zsh" "fish" "tcsh" "elvish" "nu" "xonsh" ]
  }

  def "nu-complete autovenv export deactivate" [] {
    [ "full" "nondestructive" ]
  }

  # Print shell code that brings this shell in step with its directory (used by the hook)
  export extern "autovenv export" [
    --deactivate: string@"nu-complete autovenv export deactivate" # Undo autovenv's activation, as `deactivate [nondestructive]` does
    --session: string         # The hook's per-shell memory, as the last export printed it
    --activated-by-hand       # A venv's own `activate` ran over autovenv's activation: hand over to it
    --no-create               # Activate what exists but create no venv: creating waits for the next prompt
    --help(-h)                # Print help
    shell: string@"nu-complete autovenv export shell" # The shell to print code for
  ]

  # Trust the project that holds DIR (default: the current directory)
  export extern "autovenv allow" [
    --list                    # Print the allowed directories instead, one per line
    --any-owner               # Also accept a project or venv owned by another user (in a root shell: one other users can write to)
    --help(-h)                # Print help
    dir?: directory           # A directory in the project
  ]

  # Never activate or create a venv in the project that holds DIR, and stop telling
  export extern "autovenv deny" [
    --list                    # Print the denied directories instead, one per line
    --help(-h)                # Print help
    dir?: directory           # A directory in the project
  ]

  # Show what autovenv finds in DIR (default: here), whether it is trusted, and what it would do and why
  export extern "autovenv status" [
    --json                    # Print one JSON object with a stable schema (see below) instead of text
    --help(-h)                # Print help
    dir?: directory           # The directory to look at
  ]

  # Create the venv of the project that holds DIR (default: here), or rebuild it with --force; the shell activates it at the next prompt
  export extern "autovenv create" [
    --python: string          # The interpreter to make it with: a version (3.12, pypy3.10), a command such as python3.12, or a path
    --force                   # Rebuild the venv even when it is there and works; the old one stays until the new one works
    --help(-h)                # Print help (see more with '--help')
    dir?: directory           # A directory in the project
  ]

  # Evaluate again at the next prompt, forgetting what this shell was told and which project `deactivate` turned off
  export extern "autovenv reload" [
    --help(-h)                # Print help
  ]

  # Run CMD with the venv of the project holding DIR (default: here) active, as the hook activates it, without a shell: for scripts, cron, editors and CI
  export extern "autovenv exec" [
    --help(-h)                # Print help (see more with '--help')
    dir?: directory           # A directory in the project
  ]

  # Install the declared dependencies of the project holding DIR (default: here) into its venv, creating the venv first when it has none
  export extern "autovenv sync" [
    --watch                   # Keep running and sync again (one line each time) whenever those files change; Ctrl-C stops
    --help(-h)                # Print help (see more with '--help')
    dir?: directory           # A directory in the project
  ]

  # Forget allow and deny decisions about directories that no longer exist
  export extern "autovenv prune" [
    --help(-h)                # Print help
  ]

  def "nu-complete autovenv completions shell" [] {
    [ "bash" "zsh" "fish" "elvish" "nushell" "tcsh" "xonsh" "powershell" ]
  }

  # Print a tab-completion script for autovenv's own commands in SHELL
  export extern "autovenv completions" [
    --help(-h)                # Print help (see more with '--help')
    shell: string@"nu-complete autovenv completions shell" # The shell to complete in
  ]

}

export use completions *
