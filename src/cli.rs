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
Exit status: 0 on success, 1 when the command failed, 2 when it was used wrongly.
Environment: AUTOVENV_QUIET=1 silences informational messages; AUTOVENV_TRUSTED_ROOTS
(':'-separated) trusts whole trees; NO_COLOR turns colour off; XDG_CONFIG_HOME and
XDG_DATA_HOME locate config.toml and the trust store; UV_PROJECT_ENVIRONMENT names the venv.";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the shell code that hooks autovenv into SHELL; evaluate it in your rc file.
    Hook {
        /// The shell to hook into.
        shell: ShellName,
    },
    /// Print shell code that brings this shell in step with its directory (used by the hook).
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
    Allow {
        /// A directory in the project.
        dir: Option<PathBuf>,
    },
    /// Never activate or create a venv in the project that holds DIR, and stop telling.
    Deny {
        /// A directory in the project.
        dir: Option<PathBuf>,
    },
    /// Show what autovenv finds in DIR (default: here), whether it is trusted, and what it
    /// would do and why.
    Status {
        /// The directory to look at.
        dir: Option<PathBuf>,
    },
    /// Create the venv of the project that holds DIR (default: here), or rebuild it with
    /// --force; the shell activates it at the next prompt.
    ///
    /// The creator is the config's `creator` ("auto": `uv venv --seed` when uv is on PATH,
    /// else `python -m venv`); the interpreter comes from --python, else the project's
    /// .python-version (3.12 means python3.12), else the config's `python`, else python3.
    Create {
        /// A directory in the project.
        dir: Option<PathBuf>,
        /// The interpreter to make it with: a command such as python3.12, or a path.
        #[arg(long, value_name = "PYTHON")]
        python: Option<OsString>,
        /// Rebuild the venv even when it is there and works.
        #[arg(long)]
        force: bool,
    },
    /// Evaluate again at the next prompt, forgetting what this shell was told and which
    /// project `deactivate` turned off.
    Reload,
}

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
