//! The command line, defined once for parsing, the man page and completions.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Python virtual environments that follow you around the shell.
///
/// Put `eval "$(autovenv hook bash)"` (or zsh, fish, ...) in your shell's rc file. Entering
/// a trusted project activates its nearest .venv (creating it first where the project has
/// none); leaving restores PATH, VIRTUAL_ENV and the prompt exactly as they were.
#[derive(Debug, Parser)]
#[command(name = "autovenv", version, about, long_about, after_help = AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

const AFTER_HELP: &str = "\
Exit status: 0 on success, 1 when the command failed, 2 when it was used wrongly; exec
returns its command's status (see autovenv-exec(1)).
Environment: AUTOVENV_QUIET=1 silences informational messages; AUTOVENV_TRUSTED_ROOTS
(':'-separated) trusts whole trees; NO_COLOR turns colour off; XDG_CONFIG_HOME and
XDG_DATA_HOME locate config.toml and the trust store; UV_PROJECT_ENVIRONMENT names the venv.";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the shell code that hooks autovenv into SHELL; evaluate it in your rc file.
    #[command(after_help = EXIT_OK_USAGE)]
    Hook {
        /// The shell to hook into.
        shell: ShellName,
    },
    /// Print shell code that brings this shell in step with its directory (used by the hook).
    #[command(after_help = EXIT_OK_USAGE)]
    Export {
        /// The shell to print code for.
        shell: ShellName,
        /// Undo autovenv's activation, as `deactivate [nondestructive]` does.
        #[arg(long, value_name = "MODE")]
        deactivate: Option<DeactivateMode>,
        /// The hook's per-shell memory, as the last export printed it.
        #[arg(long, value_name = "SESSION", default_value = "")]
        session: OsString,
    },
    /// Trust the project that holds DIR (default: the current directory).
    #[command(after_help = EXIT_STORE)]
    Allow {
        /// A directory in the project.
        dir: Option<PathBuf>,
        /// Print the allowed directories instead, one per line.
        #[arg(long, conflicts_with = "dir")]
        list: bool,
    },
    /// Never activate or create a venv in the project that holds DIR, and stop telling.
    #[command(after_help = EXIT_STORE)]
    Deny {
        /// A directory in the project.
        dir: Option<PathBuf>,
        /// Print the denied directories instead, one per line.
        #[arg(long, conflicts_with = "dir")]
        list: bool,
    },
    /// Show what autovenv finds in DIR (default: here), whether it is trusted, and what it
    /// would do and why.
    #[command(after_help = STATUS_HELP)]
    Status {
        /// The directory to look at.
        dir: Option<PathBuf>,
        /// Print one JSON object with a stable schema (see below) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Evaluate again at the next prompt, forgetting what this shell was told and which
    /// project `deactivate` turned off.
    #[command(after_help = EXIT_OK_USAGE)]
    Reload,
    /// Run CMD with the venv of the project holding DIR (default: here) active, as the hook
    /// activates it, without a shell: for scripts, cron, editors and CI.
    ///
    /// autovenv replaces itself with CMD, so CMD's exit status, signals, stdin and stdout
    /// are its own. CMD runs in the current directory, found on the activated PATH. The
    /// project must be trusted (`autovenv allow DIR`) and have a healthy venv.
    #[command(after_help = EXEC_HELP)]
    Exec {
        /// A directory in the project.
        dir: Option<PathBuf>,
        /// The command and its arguments, after `--`.
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<OsString>,
    },
    /// Install the declared dependencies of the project holding DIR (default: here) into its
    /// venv, creating the venv first when it has none.
    ///
    /// The first of these that the project root has decides how: uv.lock runs `uv sync`;
    /// requirements*.txt files run `pip install -r` for each; pyproject.toml or setup.py runs
    /// `pip install -e .`. pip is the venv's own (when it has bin/pip), else `uv pip`. The
    /// SHA-256 of those files is recorded in the venv (.autovenv-sync); when they change,
    /// activation says the venv is out of date. Trusted projects only: installing runs the
    /// project's build code.
    #[command(after_help = SYNC_HELP)]
    Sync {
        /// A directory in the project.
        dir: Option<PathBuf>,
        /// Keep running and sync again (one line each time) whenever those files change;
        /// Ctrl-C stops.
        #[arg(long)]
        watch: bool,
    },
    /// Forget allow and deny decisions about directories that no longer exist.
    #[command(after_help = EXIT_STORE)]
    Prune,
    /// Print a tab-completion script for autovenv's own commands in SHELL.
    ///
    /// bash: `eval "$(autovenv completions bash)"`; zsh: save as `_autovenv` in a directory
    /// on $fpath; fish: save as ~/.config/fish/completions/autovenv.fish; elvish:
    /// `eval (autovenv completions elvish | slurp)`.
    #[command(after_help = EXIT_OK_USAGE)]
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
}

const EXIT_OK_USAGE: &str = "Exit status: 0 on success, 2 when used wrongly.";

const EXIT_STORE: &str = "Exit status: 0 on success, 1 when the trust store cannot be read or \
written, 2 when used wrongly.";

const EXEC_HELP: &str = "Exit status: CMD's own; 125 when autovenv cannot run it (no project \
or venv, not trusted, a broken venv), 126 when CMD cannot be executed, 127 when CMD is not \
found, 2 when used wrongly.";

const SYNC_HELP: &str = "Exit status: 0 when synced (with --watch: when stopped by Ctrl-C or \
SIGTERM), 1 when there is nothing to sync, the project is not trusted, or the installer \
failed (with --watch a failed sync is reported and watching goes on), 2 when used wrongly.";

const STATUS_HELP: &str = "\
Exit status: 0 on success, 1 when DIR is not a directory, 2 when used wrongly.

JSON schema (version 1; keys are only ever added). Paths are strings; a path whose bytes
are not UTF-8 is given lossily (U+FFFD) and its exact bytes in hex under the same key plus
\"_bytes\" (e.g. \"venv_bytes\"), a key present only then.
  schema: 1
  directory: the directory looked at
  venv: the venv found, or null
  project_root: the project the venv belongs to or would be made in, or null
  trusted: true when allowed or inside a trusted root
  trusted_by: \"allow\", \"trusted_root\" or null
  trusted_root: the trusted_roots entry that trusts it, or null
  denied: true when `autovenv deny` silenced it
  python: the venv's bin/python, or null
  python_version: pyvenv.cfg's version, or null
  python_home: pyvenv.cfg's home, or null
  healthy: whether the venv can be activated; null without a venv
  problem: why not, in one line, or null
  active: VIRTUAL_ENV when set and not empty, or null
  active_by_autovenv: whether autovenv activated it
  plan: keep, switch, activate, create, deactivate, notice or nothing
  reason: deactivated, no_project, foreign, off, broken, denied, untrusted, trusted,
    auto_create_off, creation_failed or missing
  reason_text: the reason in words
  sync: \"never\" (never synced), \"current\" or \"stale\"; null without a venv
  sync_changed: the names of files changed since the last sync (empty unless stale)";

/// A shell autovenv hooks into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShellName {
    /// GNU bash 3.2 and later.
    Bash,
}

impl ShellName {
    /// The renderer for this shell.
    pub fn shell(self) -> &'static dyn crate::shell::Shell {
        let name = self
            .to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default();
        crate::shell::by_name(&name).unwrap_or(crate::shell::ALL[0])
    }
}

/// How `deactivate` was called.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DeactivateMode {
    /// Plain `deactivate`: restore, and keep the project off until you leave it.
    Full,
    /// `deactivate nondestructive`: restore only.
    Nondestructive,
}

/// The clap definition, for the man page and completions.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
