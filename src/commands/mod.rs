//! The subcommands: parse the command line, run one, return the exit status.

use std::error::Error;
use std::fmt;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{Command, DeactivateMode};
use crate::decide::Request;
use crate::discover;
use crate::export;
use crate::message::{shown, Output};
use crate::session::Session;
use crate::trust::List;

pub(crate) mod completions;
mod create;
mod exec;
mod prune;
mod status;
mod sync;
mod trust;

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let command = match crate::cli::parse() {
        Ok(command) => command,
        Err(e)
            if e.use_stderr()
                && e.kind() != clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            Output::new(false).error(&usage_error(&e));
            return ExitCode::from(2);
        }
        // --help and --version; plain `autovenv` shows the help, as a usage error.
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    // The hook's export answers the shell even after Ctrl-C stopped a creation: its answer
    // says what was stopped, and ending by the signal would throw that away. exec has
    // replaced itself with its command, or failed before creating anything.
    let may_reraise = !matches!(command, Command::Export { .. } | Command::Exec { .. });
    let code = run(command);
    // Stopped by Ctrl-C (or kill) while creating a venv: end as that signal would have.
    if may_reraise {
        crate::signals::reraise();
    }
    code
}

/// A mistake on the command line as one line: what is wrong, what is allowed, and the
/// usage (or where the help is), from clap's several-line report.
fn usage_error(error: &clap::Error) -> String {
    // `allow --list DIR`: the usage would not help, as it shows both; say which is which.
    let subcommand = std::env::args().nth(1).unwrap_or_default();
    if error.kind() == clap::error::ErrorKind::ArgumentConflict
        && matches!(subcommand.as_str(), "allow" | "deny")
        && std::env::args().any(|a| a == "--list")
    {
        let (listed, verb) = match subcommand.as_str() {
            "allow" => ("allowed", "trust"),
            _ => ("denied", "deny"),
        };
        return format!(
            "--list prints every {listed} directory and takes no DIR: run `autovenv {subcommand} --list`, or `autovenv {subcommand} DIR` to {verb} the project holding DIR"
        );
    }
    let report = error.render().to_string();
    let mut what = String::new();
    let mut usage = None;
    for line in report.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("For more information") || line.starts_with("tip:") {
            continue;
        }
        if let Some(shown) = line.strip_prefix("Usage: ") {
            usage = Some(shown.to_owned());
            continue;
        }
        let line = line.strip_prefix("error: ").unwrap_or(line);
        let line = line.trim_start_matches('[').trim_end_matches(']');
        if what.ends_with(':') {
            what.push(' ');
        } else if !what.is_empty() {
            what.push_str("; ");
        }
        what.push_str(line);
    }
    if let Some(usage) = usage.filter(|u| !u.contains("<COMMAND>")) {
        return format!("{what}: usage: {usage}");
    }
    let subcommand = std::env::args()
        .nth(1)
        .filter(|a| crate::cli::command().find_subcommand(a).is_some());
    match subcommand {
        Some(name) => format!("{what}: see `autovenv {name} --help`"),
        None => format!("{what}: see `autovenv --help`"),
    }
}

/// `hook` with its `@START@` line (bash and zsh) replaced by the first evaluation, where
/// the hook line can apply it itself (see [`crate::export::start`]), or by nothing.
fn with_start(hook: Vec<u8>, shell: &dyn crate::shell::Shell) -> Vec<u8> {
    const MARK: &[u8] = b"@START@\n";
    let Some(at) = hook.windows(MARK.len()).position(|w| w == MARK) else {
        return hook;
    };
    let start = crate::export::start(shell).unwrap_or_default();
    [&hook[..at], &start, &hook[at + MARK.len()..]].concat()
}

/// How a command ended: `Err` holds the one line that says why it failed.
pub(crate) type Outcome = Result<(), Box<dyn Error>>;

/// Runs one command; its exit status.
fn run(command: Command) -> ExitCode {
    let outcome = match command {
        // exec has exit statuses of its own (those of `env`), and on success never returns.
        Command::Exec { dir, command } => return exec::exec(dir.as_deref(), &command),
        Command::Hook { shell } => {
            let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("autovenv"));
            print(&with_start(shell.shell().hook(&exe), shell.shell()));
            Ok(())
        }
        Command::Export {
            shell,
            deactivate,
            session,
            activated_by_hand,
            no_create,
        } => {
            let request = match deactivate {
                None if activated_by_hand => Request::ActivatedByHand,
                None => Request::Prompt,
                Some(mode) => Request::Deactivate {
                    nondestructive: mode == DeactivateMode::Nondestructive,
                },
            };
            print(&export::export(shell.shell(), request, &session, no_create));
            Ok(())
        }
        Command::Allow { list: true, .. } => trust::list(List::Allow),
        Command::Deny { list: true, .. } => trust::list(List::Deny),
        Command::Allow { dir, any_owner, .. } => {
            trust::record(List::Allow, dir.as_deref(), any_owner)
        }
        Command::Deny { dir, .. } => trust::record(List::Deny, dir.as_deref(), false),
        Command::Status { dir, json: false } => status::status(dir.as_deref()),
        Command::Status { dir, json: true } => status::json(dir.as_deref()),
        Command::Sync { dir, watch } => sync::sync(dir.as_deref(), watch),
        Command::Prune => prune::prune(),
        Command::Completions { shell } => {
            completions::completions(shell);
            Ok(())
        }
        Command::Create { dir, python, force } => create::create(dir.as_deref(), python, force),
        Command::Reload => {
            let (config, _) = crate::config::load();
            Output::new(config.quiet)
                .info("evaluating again at the next prompt, with the config as it is now");
            Ok(())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            Output::new(false).error(&message.to_string());
            ExitCode::FAILURE
        }
    }
}

/// The memory of the shell this command was typed in, which the hook's `autovenv`
/// function hands over (empty when run another way).
pub(crate) fn shell_session() -> Session {
    std::env::var_os(crate::session::ENV)
        .map(|value| Session::decode(value.as_bytes()))
        .unwrap_or_default()
}

/// Writes `bytes` to stdout; a closed stdout is not an error worth reporting.
pub(crate) fn print(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes).and_then(|()| out.flush());
}

/// Why a command has no directory to be about.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TargetError {
    /// The shell's directory is gone (or was never known).
    NoCurrentDir,
    /// DIR, made absolute, is not a directory.
    NotADirectory(PathBuf),
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::NoCurrentDir => f.write_str(
                "cannot tell the current directory: cd into an existing directory first",
            ),
            TargetError::NotADirectory(dir) => write!(
                f,
                "{} is not a directory: name a directory in the project",
                shown(dir)
            ),
        }
    }
}

impl Error for TargetError {}

/// The directory a command is about: DIR made absolute, else the shell's directory.
pub(crate) fn target_dir(dir: Option<&Path>) -> Result<PathBuf, TargetError> {
    let here = discover::current_dir().ok_or(TargetError::NoCurrentDir)?;
    let dir = match dir {
        None => return Ok(here),
        // Without `.` components, so `autovenv allow .` names the directory plainly.
        Some(dir) => here.join(dir).components().collect::<PathBuf>(),
    };
    if !dir.is_dir() {
        return Err(TargetError::NotADirectory(dir));
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dir_that_is_not_one_is_not_a_directory() {
        let missing = Path::new("/autovenv-no-such-directory/x");
        assert_eq!(
            target_dir(Some(missing)),
            Err(TargetError::NotADirectory(missing.to_owned()))
        );
        let root = target_dir(Some(Path::new("/"))).expect("the root is a directory");
        assert_eq!(root, Path::new("/"));
    }
}
