//! `autovenv create [DIR] [--python X] [--force]`.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::target_dir;
use crate::activation::{without_entries, Occurrences, Vars};
use crate::create::{self, Failure, Options};
use crate::message::shown;
use crate::observation::Observation;
use crate::session::Session;

/// Creates (or with `force` rebuilds) the venv of the project holding `dir`.
pub fn create(dir: Option<&Path>, python: Option<OsString>, force: bool) -> super::Outcome {
    let dir = target_dir(dir)?;
    let mut session = Session::default();
    let observation = Observation::gather(Some(&dir), &mut session);
    let found = &observation.discovery;
    // The nearest project: in a monorepo sub-package, its own venv rather than the root's.
    let root = found
        .project
        .clone()
        .or_else(|| found.root().map(Path::to_owned))
        .unwrap_or(dir);
    let venv = match &found.venv {
        Some((venv, venv_root)) if *venv_root == root => venv.path.clone(),
        _ => observation.location.for_root(&root),
    };
    // Never made over, or through, something autovenv did not make.
    if std::fs::metadata(&venv).is_ok_and(|m| !m.is_dir()) {
        let problem = crate::venv::Problem::NotADirectory;
        return Err(crate::notice::Notice::broken(&venv, &problem)
            .to_string()
            .into());
    }
    let options = Options {
        force,
        python,
        env: Some(without_active_venv(Vars::from_env())),
        trusted: observation.trust.is_trusted(),
    };
    match create::create(
        &root,
        &venv,
        &observation.config,
        observation.output,
        &options,
    ) {
        Ok(made) => {
            let version = made
                .venv
                .cfg
                .version
                .as_deref()
                .map(|v| format!(" (Python {v})"))
                .unwrap_or_default();
            let then = if observation.trust.is_trusted() {
                "it is activated at the next prompt"
            } else {
                "run `autovenv allow` to have it activated"
            };
            let text = match made.took {
                Some(took) => format!(
                    "created {}{version} in {}: {then}",
                    shown(&made.venv.path),
                    create::seconds(took)
                ),
                None => format!(
                    "{}{version} is there already: `autovenv create --force` rebuilds it",
                    shown(&made.venv.path)
                ),
            };
            observation.output.info(&text);
            Ok(())
        }
        Err(Failure::Error(text)) => Err(text.into()),
        Err(Failure::Interrupted) => Ok(()),
    }
}

/// The variables without whatever venv is active, so that the new venv is made from the
/// interpreter on `PATH` beneath it, never from the venv being rebuilt.
fn without_active_venv(mut vars: Vars) -> Vars {
    let Some(active) = vars.virtual_env.take().filter(|v| !v.is_empty()) else {
        return vars;
    };
    let bin = PathBuf::from(active).join("bin");
    if let Some(path) = &vars.path {
        let picks = |entry: &[u8]| Path::new(OsStr::from_bytes(entry)) == bin;
        if let Some(kept) = without_entries(path, picks, Occurrences::All) {
            vars.path = Some(kept);
        }
    }
    vars.virtual_env_prompt = None;
    vars
}
