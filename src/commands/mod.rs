//! The subcommands: parse the command line, run one, return the exit status.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, DeactivateMode};
use crate::decide::Request;
use crate::discover;
use crate::export;
use crate::message::{say, shown, Level};
use crate::trust::List;

mod create;
mod status;
mod trust;

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let code = match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            say(Level::Error, false, &message);
            ExitCode::FAILURE
        }
    };
    // Stopped by Ctrl-C (or kill) while creating a venv: end as that signal would have.
    crate::create::signals::reraise();
    code
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Hook { shell } => {
            let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("autovenv"));
            print(&shell.shell().hook(&exe));
            Ok(())
        }
        Command::Export {
            shell,
            deactivate,
            session,
        } => {
            let request = match deactivate {
                None => Request::Prompt,
                Some(mode) => Request::Deactivate {
                    nondestructive: mode == DeactivateMode::Nondestructive,
                },
            };
            print(&export::export(shell.shell(), request, &session));
            Ok(())
        }
        Command::Allow { dir } => trust::record(List::Allow, dir.as_deref()),
        Command::Deny { dir } => trust::record(List::Deny, dir.as_deref()),
        Command::Status { dir } => status::status(dir.as_deref()),
        Command::Create { dir, python, force } => create::create(dir.as_deref(), python, force),
        Command::Reload => {
            say(Level::Info, false, "evaluating again at the next prompt");
            Ok(())
        }
    }
}

/// Writes `bytes` to stdout; a closed stdout is not an error worth reporting.
pub(crate) fn print(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes).and_then(|()| out.flush());
}

/// The directory a command is about: DIR made absolute, else the shell's directory.
pub(crate) fn target_dir(dir: Option<&Path>) -> Result<PathBuf, String> {
    let here = discover::current_dir()
        .ok_or("cannot tell the current directory: cd into an existing directory first")?;
    let dir = match dir {
        None => return Ok(here),
        Some(dir) => here.join(dir),
    };
    if !dir.is_dir() {
        return Err(format!(
            "{} is not a directory: name a directory in the project",
            shown(&dir)
        ));
    }
    Ok(dir)
}
