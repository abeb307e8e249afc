//! `autovenv status`: what autovenv sees here, what it would do and why.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::{print, target_dir, TargetError};
use crate::decide::{Enter, Plan, Reason, Request, StateRead};
use crate::message::shown;
use crate::notice::Notice;
use crate::observation::Observation;
use crate::sync::changed_since_sync;
use crate::trust::Trust;
use crate::venv::Problem;

/// What status reports: the observation of `dir` (default: here), and the plan the hook
/// would make there.
fn observe(dir: Option<&Path>) -> Result<(Observation, Plan), TargetError> {
    let dir = target_dir(dir)?;
    let mut session = super::shell_session();
    let observation = Observation::gather(Some(&dir), &mut session);
    let plan = observation.decide(Request::Prompt, &session, None);
    Ok((observation, plan))
}

/// Prints what autovenv finds in `dir` (default: here) and what it would do.
pub fn status(dir: Option<&Path>) -> super::Outcome {
    let (observation, plan) = observe(dir)?;
    let d = &observation.discovery;
    let mut lines = vec![format!("directory:  {}", shown(&d.pwd))];
    lines.push(match &d.venv {
        Some((venv, _)) => {
            let version = venv.cfg.version.as_deref().unwrap_or("unknown");
            let health = match &venv.problem {
                None => "healthy".to_owned(),
                Some(problem) => Notice::broken(&venv.path, problem).to_string(),
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
    if let Some(project) = d.root() {
        lines.push(match &observation.trust {
            Trust::Allowed => "trust:      allowed (autovenv allow)".to_owned(),
            Trust::InTrustedRoot(root) => {
                format!("trust:      trusted (inside trusted root {})", shown(root))
            }
            Trust::Denied => "trust:      denied (autovenv deny)".to_owned(),
            Trust::Unknown => "trust:      not trusted (run `autovenv allow`)".to_owned(),
            Trust::Changed(change) => {
                format!(
                    "trust:      not trusted: {}",
                    Notice::Changed {
                        root: project.to_owned(),
                        change: change.clone()
                    }
                )
            }
            Trust::Refused(refusal) => {
                format!(
                    "trust:      refused: {}",
                    Notice::Refused {
                        root: project.to_owned(),
                        refusal: refusal.clone()
                    }
                )
            }
        });
    }
    lines.push(match &observation.vars.virtual_env {
        Some(v) if !v.is_empty() => {
            let by = if active_by_autovenv(&observation) {
                "by autovenv"
            } else if observation.state == StateRead::Corrupt {
                "by autovenv, but AUTOVENV_STATE cannot be read: it is taken off when autovenv next runs"
            } else if !observation.virtual_env_exists {
                "by something else, and it does not exist: run `deactivate`, or unset VIRTUAL_ENV"
            } else {
                "by something else; autovenv leaves it alone"
            };
            format!("active:     {} ({by})", shown(v))
        }
        _ => "active:     none".to_owned(),
    });
    let venv_dir = d
        .venv
        .as_ref()
        .filter(|(venv, _)| venv.problem != Some(Problem::NotADirectory));
    if let (Some((venv, _)), Some(root)) = (venv_dir, d.root()) {
        lines.push(match changed_since_sync(&venv.path, root) {
            None => "sync:       never synced by `autovenv sync`".to_owned(),
            Some(changed) => match changed.as_slice() {
                [] => "sync:       in step with the files that declare its dependencies".to_owned(),
                changed => {
                    let names: Vec<String> = changed.iter().map(shown).collect();
                    format!(
                        "sync:       out of date ({} changed): run `autovenv sync`",
                        names.join(", ")
                    )
                }
            },
        });
    }
    let (_, why) = reason(plan.reason);
    let what = match &plan.enter {
        Enter::Create(root) => format!(" {}", shown(observation.location.for_root(root))),
        Enter::Activate(venv, _) => format!(" {}", shown(&venv.path)),
        _ => String::new(),
    };
    lines.push(format!("plan:       {}{what}, because {why}", plan.kind()));
    print(format!("{}\n", lines.join("\n")).as_bytes());
    Ok(())
}

/// Prints what `status` shows as one JSON object; the schema is in the command's help
/// (`autovenv status --help`, the man page) and stays stable: keys are only ever added.
///
/// Schema version 1: `schema`, `directory`, `venv`, `source`, `project_root`, `trusted`,
/// `trusted_by` (`"allow"`, `"trusted_root"` or null), `trusted_root`, `denied`, `python`,
/// `python_version`, `python_home`, `healthy`, `problem`, `active`, `active_by_autovenv`,
/// `plan`, `reason`, `reason_text`, `sync` (`"never"`, `"current"`, `"stale"` or null),
/// `sync_changed`. A path that is not UTF-8 is a lossy string plus `<key>_bytes`, its
/// bytes in lowercase hex.
pub fn json(dir: Option<&Path>) -> super::Outcome {
    let (observation, plan) = observe(dir)?;
    let d = &observation.discovery;
    let venv = d.venv.as_ref().map(|(venv, _)| venv);
    let mut out = Json::default();
    out.raw("schema", "1");
    out.path("directory", Some(d.pwd.as_os_str()));
    out.path("venv", venv.map(|v| v.path.as_os_str()));
    out.string("source", venv.map(|_| d.source.name()));
    out.path("project_root", d.root().map(Path::as_os_str));
    out.bool("trusted", observation.trust.is_trusted());
    out.string(
        "trusted_by",
        match &observation.trust {
            Trust::Allowed => Some("allow"),
            Trust::InTrustedRoot(_) => Some("trusted_root"),
            _ => None,
        },
    );
    out.path(
        "trusted_root",
        match &observation.trust {
            Trust::InTrustedRoot(root) => Some(root.as_os_str()),
            _ => None,
        },
    );
    out.bool("denied", observation.trust == Trust::Denied);
    let python = venv.map(|v| v.bin().join("python"));
    out.path("python", python.as_deref().map(Path::as_os_str));
    out.string(
        "python_version",
        venv.and_then(|v| v.cfg.version.as_deref()),
    );
    out.path("python_home", venv.and_then(|v| v.cfg.home.as_deref()));
    match venv {
        None => out.raw("healthy", "null"),
        Some(v) => out.bool("healthy", v.problem.is_none()),
    }
    let problem = venv.and_then(|v| {
        v.problem
            .as_ref()
            .map(|p| Notice::broken(&v.path, p).to_string())
    });
    out.string("problem", problem.as_deref());
    let active = observation
        .vars
        .virtual_env
        .as_deref()
        .filter(|v| !v.is_empty());
    out.path("active", active);
    out.bool("active_by_autovenv", active_by_autovenv(&observation));
    out.string("plan", Some(plan.kind()));
    let (reason, text) = reason(plan.reason);
    out.string("reason", Some(reason));
    out.string("reason_text", Some(text));
    let changed = match (venv, d.root()) {
        (Some(v), Some(root)) => match changed_since_sync(&v.path, root) {
            None => {
                out.string("sync", Some("never"));
                Vec::new()
            }
            Some(changed) => {
                out.string(
                    "sync",
                    Some(if changed.is_empty() {
                        "current"
                    } else {
                        "stale"
                    }),
                );
                changed
            }
        },
        _ => {
            out.raw("sync", "null");
            Vec::new()
        }
    };
    let names: Vec<String> = changed
        .iter()
        .map(|n| quote(&n.to_string_lossy()))
        .collect();
    out.raw("sync_changed", &format!("[{}]", names.join(", ")));
    print(out.finish().as_bytes());
    Ok(())
}

fn active_by_autovenv(observation: &Observation) -> bool {
    match (&observation.state, &observation.vars.virtual_env) {
        (StateRead::Present(state), Some(v)) => state.venv.as_os_str() == v,
        _ => false,
    }
}

/// A reason's stable name and its words.
fn reason(reason: Reason) -> (&'static str, &'static str) {
    match reason {
        Reason::Deactivated => ("deactivated", "deactivate was asked for"),
        Reason::NoProject => ("no_project", "there is no project here"),
        Reason::Foreign => ("foreign", "a venv autovenv did not activate is active"),
        Reason::Off => ("off", "deactivate turned this project off in this shell"),
        Reason::Broken => ("broken", "the venv cannot be activated"),
        Reason::Denied => ("denied", "the project is denied"),
        Reason::Untrusted => ("untrusted", "the project is not trusted"),
        Reason::Trusted => ("trusted", "the project is trusted and its venv is healthy"),
        Reason::AutoCreateOff => (
            "auto_create_off",
            "the project has no venv and auto_create is off",
        ),
        Reason::CreationFailed => (
            "creation_failed",
            "creating its venv failed in this shell, and is tried again after you leave and come back (or run `autovenv create`)",
        ),
        Reason::Missing => ("missing", "the project is trusted and has no venv yet"),
        Reason::ToolMakes => (
            "tool_makes",
            "the project's tool (poetry, pipenv) has not made its environment yet",
        ),
    }
}

/// A JSON object written by hand: a handful of flat keys needs no serializer.
#[derive(Default)]
struct Json {
    fields: Vec<String>,
}

impl Json {
    fn raw(&mut self, key: &str, value: &str) {
        self.fields.push(format!("{}: {value}", quote(key)));
    }

    fn bool(&mut self, key: &str, value: bool) {
        self.raw(key, if value { "true" } else { "false" });
    }

    fn string(&mut self, key: &str, value: Option<&str>) {
        let value = value.map_or_else(|| "null".to_owned(), quote);
        self.raw(key, &value);
    }

    /// A path as a string; when its bytes are not UTF-8, also `<key>_bytes` in hex.
    fn path(&mut self, key: &str, value: Option<&OsStr>) {
        let Some(value) = value else {
            return self.raw(key, "null");
        };
        self.string(key, Some(&value.to_string_lossy()));
        if value.to_str().is_none() {
            let hex = crate::hex::encode(value.as_bytes());
            self.raw(&format!("{key}_bytes"), &quote(&hex));
        }
    }

    fn finish(self) -> String {
        format!("{{\n  {}\n}}\n", self.fields.join(",\n  "))
    }
}

/// `text` as a JSON string literal, control characters readable.
fn quote(text: &str) -> String {
    crate::json_text::quote(text, crate::json_text::Escapes::Readable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_and_paths() {
        assert_eq!(quote("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\u0001é\"");
        let mut json = Json::default();
        json.path("p", Some(OsStr::from_bytes(b"/a\xffb")));
        json.path("q", None);
        assert_eq!(
            json.finish(),
            "{\n  \"p\": \"/a\u{fffd}b\",\n  \"p_bytes\": \"2f61ff62\",\n  \"q\": null\n}\n"
        );
    }
}
