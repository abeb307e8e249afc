//! `autovenv exec [DIR] -- CMD ARGS…`: replace this process with CMD, DIR's venv active.

use std::ffi::OsString;
use std::io::ErrorKind;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use super::target_dir;
use crate::decide;
use crate::message::{shown, Output};
use crate::notice::{allow_command, Notice};
use crate::observation::Observation;
use crate::session::Session;
use crate::shell_update::EnvChange;
use crate::trust::Trust;
use crate::venv::Venv;

/// Exit status for autovenv's own failures (no venv, not trusted), as `env` uses.
pub const FAILED: u8 = 125;
/// Exit status when CMD exists but cannot be run.
pub const CANNOT_RUN: u8 = 126;
/// Exit status when CMD is not found.
pub const NOT_FOUND: u8 = 127;

/// Runs `command` with the venv of the project holding `dir` active. Returns only when
/// that fails; otherwise CMD's exit status and signals are the process's own.
pub fn exec(dir: Option<&Path>, command: &[OsString]) -> ExitCode {
    let fail = |text: &str, code: u8| {
        Output::new(false).error(text);
        ExitCode::from(code)
    };
    let Some((program, args)) = command.split_first() else {
        return fail("exec needs a command after `--`", FAILED);
    };
    let (observation, venv, root) = match target(dir) {
        Ok(Target {
            observation,
            root,
            venv: Some(venv),
        }) => (observation, venv, root),
        Ok(Target { root, .. }) => {
            return fail(
                &format!(
                    "{} has no venv yet: run `autovenv create` there (or enter it with the hook loaded)",
                    shown(&root)
                ),
                FAILED,
            )
        }
        Err(text) => return fail(&text, FAILED),
    };
    let mut cmd = Command::new(program);
    cmd.args(args).env_remove(crate::session::ENV);
    for (name, value) in activated_env(&observation, &venv, &root) {
        match value {
            Some(value) => cmd.env(name, value),
            None => cmd.env_remove(name),
        };
    }
    let error = cmd.exec();
    let code = if error.kind() == ErrorKind::NotFound {
        NOT_FOUND
    } else {
        CANNOT_RUN
    };
    fail(&format!("cannot run {}: {error}", shown(program)), code)
}

/// A trusted project and its venv, if it has one.
pub(super) struct Target {
    /// What was found.
    pub observation: Observation,
    /// The project root.
    pub root: PathBuf,
    /// Its venv, healthy, when it has one.
    pub venv: Option<Venv>,
}

/// The trusted project that holds `dir` (default: here). Errors, in one line, when there
/// is none, it is not trusted, or its venv is broken.
pub(super) fn target(dir: Option<&Path>) -> Result<Target, String> {
    let dir = target_dir(dir).map_err(|e| e.to_string())?;
    let mut session = Session::default();
    let observation = Observation::gather(Some(&dir), &mut session);
    let Some(root) = observation.discovery.root().map(Path::to_owned) else {
        return Err(format!(
            "no venv or Python project at or above {} (looked up to the first VCS root): name a project directory",
            shown(&dir)
        ));
    };
    let fix = allow_command("", &root);
    match &observation.trust {
        Trust::Allowed | Trust::InTrustedRoot(_) => {}
        Trust::Denied => {
            return Err(format!(
                "{} is denied: run `{fix}` to trust it",
                shown(&root)
            ))
        }
        Trust::Unknown => {
            return Err(format!(
                "{} is not trusted: run `{fix}` to trust it",
                shown(&root)
            ))
        }
        Trust::Changed(change) => {
            let change = change.clone();
            return Err(Notice::Changed { root, change }.to_string());
        }
        Trust::Refused(refusal) => {
            let refusal = refusal.clone();
            return Err(Notice::Refused { root, refusal }.to_string());
        }
    }
    let venv = match &observation.discovery.venv {
        Some((venv, _)) => match &venv.problem {
            Some(problem) => return Err(Notice::broken(&venv.path, problem).to_string()),
            None => Some(venv.clone()),
        },
        None => None,
    };
    Ok(Target {
        observation,
        root,
        venv,
    })
}

/// The environment change that activates `venv` for `root` in this process's
/// environment, exactly as the hook would: autovenv's own earlier activation is undone
/// first (as a prompt undoes it), anything else active is saved in `AUTOVENV_STATE` and
/// shadowed.
pub(super) fn activated_env(observation: &Observation, venv: &Venv, root: &Path) -> EnvChange {
    let before = &observation.vars;
    let leave = decide::undo_before_activating(before, &observation.state);
    let undone = decide::undone(before, leave.as_ref());
    let after = decide::activated(&undone, venv, root, &observation.config.prompt);
    before.diff(&after)
}
