//! `autovenv status`: what autovenv sees here, what it would do and why.

use std::path::Path;

use super::{print, target_dir};
use crate::decide::{Enter, Reason, Request};
use crate::export::{self, Situation};
use crate::message::shown;
use crate::session::Session;
use crate::trust::Trust;

/// Prints what autovenv finds in `dir` (default: here) and what it would do.
pub fn status(dir: Option<&Path>) -> Result<(), String> {
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
