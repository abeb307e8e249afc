//! `autovenv allow` and `autovenv deny`.

use std::path::Path;

use super::target_dir;
use crate::decide::{Enter, Plan, Reason, Request};
use crate::message::{shown, Level, Output};
use crate::notice::Notice;
use crate::observation::Observation;
use crate::trust::{self, List, Trust};

/// Records the project holding `dir` (default: here) in `list`; `any_owner` accepts a
/// project or venv that belongs to someone else.
pub fn record(list: List, dir: Option<&Path>, any_owner: bool) -> super::Outcome {
    let dir = target_dir(dir)?;
    let mut session = super::shell_session();
    let observation = Observation::gather(Some(&dir), &mut session);
    let root = observation.discovery.root().unwrap_or(&dir).to_owned();
    let venv = observation
        .discovery
        .venv
        .as_ref()
        .map(|(v, _)| v.path.as_path());
    let canonical = trust::record(list, &root, venv, any_owner).map_err(|e| {
        let store = trust::store_dir().unwrap_or_default();
        format!(
            "cannot record {} in the trust store {} ({e}): check that it is writable",
            shown(&root),
            shown(&store)
        )
    })?;
    let out = observation.output;
    // The hook acts at the next prompt only when the shell is inside the project.
    let inside = std::env::current_dir()
        .and_then(std::fs::canonicalize)
        .is_ok_and(|here| here.starts_with(&canonical));
    // Allowed by name, but still refused for what is there. Inside the project the next
    // prompt says why (once); elsewhere it is said now, not only on entering.
    if list == List::Allow {
        if let Trust::Refused(refusal) = trust::check(&root, venv, &observation.config) {
            if inside {
                out.info(&format!("allowed {}", shown(&canonical)));
            } else {
                let notice = Notice::Refused {
                    root: canonical.clone(),
                    refusal,
                };
                out.warning(&format!(
                    "allowed {}, but its venv will not activate: {notice}",
                    shown(&canonical)
                ));
            }
            return Ok(());
        }
    }
    let (level, text) = match list {
        List::Deny => (
            Level::Info,
            format!("denied {}: autovenv will leave it alone", shown(&canonical)),
        ),
        List::Allow => {
            // What the hook will do there now, decided as the hook decides it.
            let now = Observation::gather(Some(&dir), &mut session);
            let plan = now.decide(Request::Prompt, &session, None);
            allowed_text(&canonical, &now, &plan, inside)
        }
    };
    out.say(level, &text);
    Ok(())
}

/// What `autovenv allow` says it did and what happens next, from `plan`: the decision the
/// hook makes in the allowed directory (`now`), at its next prompt when the shell is
/// `inside` it, else when the shell enters it.
fn allowed_text(canonical: &Path, now: &Observation, plan: &Plan, inside: bool) -> (Level, String) {
    let allowed = format!("allowed {}", shown(canonical));
    let when = if inside {
        "at the next prompt"
    } else {
        "when you enter it"
    };
    let level = match plan.reason {
        Reason::NoProject | Reason::Broken | Reason::Untrusted | Reason::Denied => Level::Warning,
        _ => Level::Info,
    };
    let text = match (&plan.enter, plan.reason) {
        (Enter::Keep(_), _) => format!("{allowed}: its venv is active"),
        (Enter::Activate(..), _) => format!("{allowed}: its venv activates {when}"),
        (Enter::Create(_), _) => format!("{allowed}: a venv is created and activated {when}"),
        (Enter::Nothing, Reason::NoProject) => {
            let names = |list: &[std::ffi::OsString]| {
                list.iter().map(shown).collect::<Vec<_>>().join(", ")
            };
            format!(
                "{allowed}, but it is not a Python project, so nothing happens there: a project has a venv ({}) or one of {} (looked for up to the first VCS root)",
                names(&now.config.venv_names),
                names(&now.config.project_markers)
            )
        }
        (Enter::Nothing, Reason::Broken) => match &now.discovery.venv {
            Some((venv, _)) => match &venv.problem {
                Some(problem) => format!(
                    "{allowed}, but its venv will not activate: {}",
                    Notice::broken(&venv.path, problem)
                ),
                None => format!("{allowed}, but its venv will not activate"),
            },
            None => format!("{allowed}, but its venv will not activate"),
        },
        (Enter::Nothing, Reason::AutoCreateOff) => format!(
            "{allowed}: it has no venv and auto_create is off, so none is made: run `autovenv create` to make one"
        ),
        (Enter::Nothing, Reason::ToolMakes) => match &now.discovery.awaiting {
            Some(awaiting) => format!(
                "{allowed}: its environment is {}'s to make: run `{}`, and it activates at the next prompt",
                awaiting.tool.name(),
                awaiting.tool.install_command()
            ),
            None => allowed,
        },
        (Enter::Nothing, Reason::CreationFailed) => format!(
            "{allowed}: creating its venv already failed in this shell, so it is not retried until you leave and come back: run `autovenv create` to try now"
        ),
        (Enter::Nothing, Reason::Foreign) => format!(
            "{allowed}: another venv is active (VIRTUAL_ENV), so autovenv acts there once it is deactivated"
        ),
        (Enter::Nothing, Reason::Off) => format!(
            "{allowed}: `deactivate` turned it off in this shell until you leave it (or run `autovenv reload`)"
        ),
        (Enter::Nothing, Reason::Untrusted | Reason::Denied) => format!(
            "{allowed}, but it is still not trusted: check the trust store with `autovenv status`"
        ),
        (Enter::Nothing, _) => allowed,
    };
    (level, text)
}

/// Prints the directories recorded in `list`, one per line, as their bytes.
pub fn list(list: List) -> super::Outcome {
    // Its lines are warnings, which quiet does not silence.
    let messages = Output::new(false);
    let entries = trust::entries(list).map_err(|e| {
        format!(
            "cannot read the trust store {} ({e}): check its permissions",
            shown(trust::store_dir().unwrap_or_default())
        )
    })?;
    let mut out = Vec::new();
    for entry in entries {
        match entry.dir {
            Ok(dir) => {
                out.extend_from_slice(dir.as_os_str().as_encoded_bytes());
                out.push(b'\n');
            }
            Err(why) => messages.warning(&format!(
                "ignored {} in the trust store: {why}; `autovenv prune` removes it",
                shown(&entry.file)
            )),
        }
    }
    super::print(&out);
    Ok(())
}
