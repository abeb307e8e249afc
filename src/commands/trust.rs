//! `autovenv allow` and `autovenv deny`.

use std::path::Path;

use super::target_dir;
use crate::decide::Notice;
use crate::export::{notice_text, Situation};
use crate::message::{say, shown, Level};
use crate::session::Session;
use crate::trust::{self, List, Trust};

/// Records the project holding `dir` (default: here) in `list`; `any_owner` accepts a
/// project or venv that belongs to someone else.
pub fn record(list: List, dir: Option<&Path>, any_owner: bool) -> Result<(), String> {
    let dir = target_dir(dir)?;
    let mut session = Session::default();
    let situation = Situation::gather(Some(&dir), &mut session);
    let root = situation.discovery.root().unwrap_or(&dir).to_owned();
    let venv = situation
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
    let quiet = situation.config.quiet;
    // The hook acts at the next prompt only when the shell is inside the project.
    let inside = std::env::current_dir()
        .and_then(std::fs::canonicalize)
        .is_ok_and(|here| here.starts_with(&canonical));
    let when = if inside {
        "at the next prompt"
    } else {
        "when you enter it"
    };
    // Allowed by name, but still refused for what is there. Inside the project the next
    // prompt says why (once); elsewhere it is said now, not only on entering.
    if list == List::Allow {
        if let Trust::Refused(refusal) = trust::check(&root, venv, &situation.config) {
            if inside {
                say(
                    Level::Info,
                    quiet,
                    &format!("allowed {}", shown(&canonical)),
                );
            } else {
                let notice = Notice::Refused {
                    root: canonical,
                    refusal,
                };
                say(Level::Warning, false, &notice_text(&notice).1);
            }
            return Ok(());
        }
    }
    let text = match list {
        List::Deny => format!("denied {}: autovenv will leave it alone", shown(&canonical)),
        List::Allow if situation.discovery.venv.is_some() => {
            format!("allowed {}: its venv activates {when}", shown(&canonical))
        }
        List::Allow if situation.config.auto_create => format!(
            "allowed {}: a venv is created and activated {when}",
            shown(&canonical)
        ),
        List::Allow => format!("allowed {}", shown(&canonical)),
    };
    say(Level::Info, quiet, &text);
    Ok(())
}

/// Prints the directories recorded in `list`, one per line, as their bytes.
pub fn list(list: List) -> Result<(), String> {
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
            Err(why) => say(
                Level::Warning,
                false,
                &format!(
                    "ignored {} in the trust store: {why}; `autovenv prune` removes it",
                    shown(&entry.file)
                ),
            ),
        }
    }
    super::print(&out);
    Ok(())
}
