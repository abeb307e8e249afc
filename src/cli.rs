//! The command line, defined once for parsing, the man page and completions.
//!
//! Built with clap's builder API rather than its derive macros: with no procedural macros
//! in the build, the binary can be linked statically (see `.cargo/config.toml`), which
//! halves its start-up time — and start-up is most of what a prompt hook costs.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, ValueParser};
use clap::{Arg, ArgMatches};

/// One parsed invocation.
#[derive(Debug)]
pub enum Command {
    /// `autovenv hook SHELL`.
    Hook {
        /// The shell to hook into.
        shell: ShellName,
    },
    /// `autovenv export SHELL`.
    Export {
        /// The shell to print code for.
        shell: ShellName,
        /// `--deactivate MODE`: undo autovenv's activation.
        deactivate: Option<DeactivateMode>,
        /// `--session`: the hook's per-shell memory.
        session: OsString,
    },
    /// `autovenv allow [DIR]`.
    Allow {
        /// A directory in the project.
        dir: Option<PathBuf>,
    },
    /// `autovenv deny [DIR]`.
    Deny {
        /// A directory in the project.
        dir: Option<PathBuf>,
    },
    /// `autovenv status [DIR]`.
    Status {
        /// The directory to look at.
        dir: Option<PathBuf>,
    },
    /// `autovenv reload`.
    Reload,
}

/// A shell autovenv hooks into, by the name used on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShellName(&'static str);

impl ShellName {
    /// The renderer for this shell.
    pub fn shell(self) -> &'static dyn crate::shell::Shell {
        crate::shell::by_name(self.0).unwrap_or(crate::shell::ALL[0])
    }
}

/// How `deactivate` was called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeactivateMode {
    /// Plain `deactivate`: restore, and keep the project off until you leave it.
    Full,
    /// `deactivate nondestructive`: restore only.
    Nondestructive,
}

const ABOUT: &str = "Python virtual environments that follow you around the shell";

const LONG_ABOUT: &str = "\
Python virtual environments that follow you around the shell.

Put `eval \"$(autovenv hook bash)\"` (or zsh, fish, ...) in your shell's rc file. Entering
a trusted project activates its nearest .venv (creating it first where the project has
none); leaving restores PATH, VIRTUAL_ENV and the prompt exactly as they were.";

const AFTER_HELP: &str = "\
Exit status: 0 on success, 1 when the command failed, 2 when it was used wrongly.
Environment: AUTOVENV_QUIET=1 silences informational messages; AUTOVENV_TRUSTED_ROOTS
(':'-separated) trusts whole trees; NO_COLOR turns colour off; XDG_CONFIG_HOME and
XDG_DATA_HOME locate config.toml and the trust store; UV_PROJECT_ENVIRONMENT names the venv.";

fn shell_arg(help: &'static str) -> Arg {
    Arg::new("shell")
        .value_name("SHELL")
        .required(true)
        .help(help)
        .value_parser(PossibleValuesParser::new(crate::shell::names()))
}

fn dir_arg(help: &'static str) -> Arg {
    Arg::new("dir")
        .value_name("DIR")
        .help(help)
        .value_parser(ValueParser::path_buf())
}

/// The clap definition, for parsing, the man page and completions.
pub fn command() -> clap::Command {
    clap::Command::new("autovenv")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .long_about(LONG_ABOUT)
        .after_help(AFTER_HELP)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            clap::Command::new("hook")
                .about("Print the shell code that hooks autovenv into SHELL; evaluate it in your rc file")
                .arg(shell_arg("The shell to hook into")),
        )
        .subcommand(
            clap::Command::new("export")
                .about("Print shell code that brings this shell in step with its directory (used by the hook)")
                .arg(shell_arg("The shell to print code for"))
                .arg(
                    Arg::new("deactivate")
                        .long("deactivate")
                        .value_name("MODE")
                        .help("Undo autovenv's activation, as `deactivate [nondestructive]` does")
                        .value_parser(["full", "nondestructive"]),
                )
                .arg(
                    Arg::new("session")
                        .long("session")
                        .value_name("SESSION")
                        .help("The hook's per-shell memory, as the last export printed it")
                        .default_value("")
                        .value_parser(ValueParser::os_string()),
                ),
        )
        .subcommand(
            clap::Command::new("allow")
                .about("Trust the project that holds DIR (default: the current directory)")
                .arg(dir_arg("A directory in the project")),
        )
        .subcommand(
            clap::Command::new("deny")
                .about("Never activate or create a venv in the project that holds DIR, and stop telling")
                .arg(dir_arg("A directory in the project")),
        )
        .subcommand(
            clap::Command::new("status")
                .about("Show what autovenv finds in DIR (default: here), whether it is trusted, and what it would do and why")
                .arg(dir_arg("The directory to look at")),
        )
        .subcommand(clap::Command::new("reload").about(
            "Evaluate again at the next prompt, forgetting what this shell was told and which project `deactivate` turned off",
        ))
        .disable_help_subcommand(true)
}

/// Parses the process's arguments.
pub fn parse() -> Result<Command, clap::Error> {
    let matches = command().try_get_matches()?;
    Ok(from_matches(&matches))
}

fn shell_of(m: &ArgMatches) -> ShellName {
    let name = m
        .get_one::<String>("shell")
        .map(String::as_str)
        .unwrap_or("bash");
    ShellName(crate::shell::by_name(name).map_or("bash", |s| s.name()))
}

fn dir_of(m: &ArgMatches) -> Option<PathBuf> {
    m.get_one::<PathBuf>("dir").cloned()
}

fn from_matches(matches: &ArgMatches) -> Command {
    match matches.subcommand() {
        Some(("hook", m)) => Command::Hook { shell: shell_of(m) },
        Some(("export", m)) => Command::Export {
            shell: shell_of(m),
            deactivate: m
                .get_one::<String>("deactivate")
                .map(|mode| match mode.as_str() {
                    "nondestructive" => DeactivateMode::Nondestructive,
                    _ => DeactivateMode::Full,
                }),
            session: m
                .get_one::<OsString>("session")
                .cloned()
                .unwrap_or_default(),
        },
        Some(("allow", m)) => Command::Allow { dir: dir_of(m) },
        Some(("deny", m)) => Command::Deny { dir: dir_of(m) },
        Some(("status", m)) => Command::Status { dir: dir_of(m) },
        // `reload`: clap requires one of the subcommands above, and it is the last.
        _ => Command::Reload,
    }
}
