//! `autovenv completions SHELL`: tab completion for autovenv's own command line.

use clap_complete::Shell;

/// Prints the completion script for `shell` to stdout.
pub fn completions(shell: Shell) {
    let mut command = crate::cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "autovenv", &mut out);
    super::print(&out);
}
