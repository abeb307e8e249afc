//! The subcommands: parse the command line, run one, return the exit status.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, DeactivateMode};
use crate::decide::{Enter, Reason, Request};
use crate::discover;
use crate::export::{self, Situation};
use crate::message::{say, shown, Level};
use crate::session::Session;
use crate::trust::{self, List, Trust};

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            say(Level::Error, false, &message);
            ExitCode::FAILURE
        }
    }
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
        Command::Allow { dir } => record(List::Allow, dir.as_deref()),
        Command::Deny { dir } => record(List::Deny, dir.as_deref()),
        Command::Status { dir } => status(dir.as_deref()),
        Command::Reload => {
            say(Level::Info, false, "evaluating again at the next prompt");
            Ok(())
        }
    }
}

fn print(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes).and_then(|()| out.flush());
}

/// The directory a command is about: DIR made absolute, else the shell's directory.
fn target_dir(dir: Option<&Path>) -> Result<PathBuf, String> {
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

fn record(list: List, dir: Option<&Path>) -> Result<(), String> {
    let dir = target_dir(dir)?;
    let mut session = Session::default();
    let situation = Situation::gather(Some(&dir), &mut session);
    let root = situation.discovery.root().unwrap_or(&dir).to_owned();
    let canonical = trust::record(list, &root).map_err(|e| {
        let store = trust::store_dir().unwrap_or_default();
        format!(
            "cannot record {} in the trust store {} ({e}): check that it is writable",
            shown(&root),
            shown(&store)
        )
    })?;
    let quiet = situation.config.quiet;
    let text = match list {
        List::Deny => format!("denied {}: autovenv will leave it alone", shown(&canonical)),
        List::Allow if situation.discovery.venv.is_some() => {
            format!(
                "allowed {}: its venv activates at the next prompt",
                shown(&canonical)
            )
        }
        List::Allow if situation.config.auto_create => format!(
            "allowed {}: a venv is created and activated at the next prompt",
            shown(&canonical)
        ),
        List::Allow => format!("allowed {}", shown(&canonical)),
    };
    say(Level::Info, quiet, &text);
    Ok(())
}

fn status(dir: Option<&Path>) -> Result<(), String> {
    let dir = target_dir(dir)?;
    let mut session = Session::default();
    let situation = Situation::gather(Some(&dir), &mut session);
    let plan = situation.decide(Request::Prompt, &session);
    let d = &situation.discovery;
    let mut lines = vec![format!("directory:  {}", shown(&d.pwd))];
    lines.push(match &d.venv {
        Some((venv, _)) => {
            let version = venv.cfg.version.as_deref().unwrap_or("unknown");
            let health = match &venv.problem {
                None => "healthy".to_owned(),
                Some(problem) => export::problem_text(&venv.path, problem),
            };
            format!(
                "venv:       {} (Python {version}; {health})",
                shown(&venv.path)
            )
        }
        None => "venv:       none found".to_owned(),
    });
    lines.push(match d.root() {
        Some(root) => format!("project:    {}", shown(root)),
        None => "project:    none (no venv or project marker up to the first VCS root)".to_owned(),
    });
    if d.root().is_some() {
        lines.push(match &situation.trust {
            Trust::Allowed => "trust:      allowed (autovenv allow)".to_owned(),
            Trust::InTrustedRoot(root) => {
                format!("trust:      trusted (inside trusted root {})", shown(root))
            }
            Trust::Denied => "trust:      denied (autovenv deny)".to_owned(),
            Trust::Unknown => "trust:      not trusted (run `autovenv allow`)".to_owned(),
        });
    }
    lines.push(match &situation.vars.virtual_env {
        Some(v) if !v.is_empty() => {
            let by = if matches!(situation.state, crate::decide::StateRead::Present(ref s) if s.venv.as_os_str() == v)
            {
                "by autovenv"
            } else {
                "by something else; autovenv leaves it alone"
            };
            format!("active:     {} ({by})", shown(v))
        }
        _ => "active:     none".to_owned(),
    });
    let why = match plan.reason {
        Reason::Deactivated => "deactivate was asked for",
        Reason::NoProject => "there is no project here",
        Reason::Foreign => "a venv autovenv did not activate is active",
        Reason::Off => "deactivate turned this project off in this shell",
        Reason::Broken => "the venv cannot be activated",
        Reason::Denied => "the project is denied",
        Reason::Untrusted => "the project is not trusted",
        Reason::Trusted => "the project is trusted and its venv is healthy",
        Reason::AutoCreateOff => "the project has no venv and auto_create is off",
        Reason::CreationFailed => "creating its venv failed in this shell",
        Reason::Missing => "the project is trusted and has no venv yet",
    };
    let what = match &plan.enter {
        Enter::Create(root) => format!(" {}", shown(situation.location.for_root(root))),
        Enter::Activate(venv, _) => format!(" {}", shown(&venv.path)),
        _ => String::new(),
    };
    lines.push(format!("plan:       {}{what}, because {why}", plan.kind()));
    print(format!("{}\n", lines.join("\n")).as_bytes());
    Ok(())
}
