//! `autovenv sync [DIR] [--watch]`: install the project's declared dependencies into its
//! venv, and with `--watch` again whenever the files that declare them change.

use std::path::Path;
use std::time::Instant;

use super::exec::{activated_env, target, Target};
use crate::message::{self, shown};
use crate::sync::install::{self, Output};
use crate::sync::record::Record;
use crate::sync::{declared, watch, Declared, Method};
use crate::venv::Venv;

/// Syncs the trusted project holding `dir` (default: here) once, or keeps syncing it.
pub fn sync(dir: Option<&Path>, keep_watching: bool) -> super::Outcome {
    let Target {
        observation,
        root,
        venv,
    } = target(dir)?;
    let out = observation.output;
    let nothing = || {
        format!(
            "{} declares no dependencies: sync reads uv.lock, requirements*.txt, pyproject.toml or setup.py",
            shown(&root)
        )
    };
    let first = declared(&root).ok_or_else(nothing)?;
    let venv = match venv {
        Some(venv) => venv,
        // poetry and pipenv make their own environment, where they keep it.
        None if first.method.owns_the_environment() => {
            let started = Instant::now();
            let venv = made_by_the_tool(dir, &root, &first, out)?;
            if !keep_watching {
                out.info(&done(&venv.path, &first, started));
                return Ok(());
            }
            venv
        }
        // uv makes the venv itself, with the Python the project asks for.
        None if first.method == Method::Uv => Venv::inspect(observation.location.for_root(&root)),
        None => {
            let path = observation.location.for_root(&root);
            let options = crate::create::Options {
                trusted: observation.trust.is_trusted(),
                ..Default::default()
            };
            match crate::create::create(&root, &path, &observation.config, out, &options) {
                Ok(made) => made.venv,
                Err(crate::create::Failure::Error(error)) => return Err(error.into()),
                // A signal stopped it, and the user was told; end by that signal.
                Err(crate::create::Failure::Interrupted) => return Ok(()),
            }
        }
    };
    let env = activated_env(&observation, &venv, &root);
    if !keep_watching {
        out.info(&format!(
            "syncing {} with {} …",
            shown(&venv.path),
            first.method.name()
        ));
        let started = Instant::now();
        install::run(&venv.path, &root, &first, &env, Output::Inherit)?;
        out.info(&done(&venv.path, &first, started));
        return Ok(());
    }

    // What the user is watching is reported even when quiet.
    let watching = out.unquiet();
    let once = |declared: &Declared| {
        let started = Instant::now();
        match install::run(&venv.path, &root, declared, &env, Output::Capture) {
            Ok(()) => watching.info(&done(&venv.path, declared, started)),
            Err(_) if watch::stopping() => {}
            Err(error) => watching.error(&error.to_string()),
        }
    };
    watching.info(&format!(
        "watching {} for changes (Ctrl-C stops)",
        shown(&root)
    ));
    let mut starting = true;
    watch::watch(&root, || {
        let initial = std::mem::take(&mut starting);
        if in_step(&venv.path, &root) {
            if initial {
                let files = declared(&root).map(|d| files(&d)).unwrap_or_default();
                watching.info(&format!("{} is in step with {files}", shown(&venv.path)));
            }
            return;
        }
        match declared(&root) {
            Some(declared) => once(&declared),
            None => watching.warning(&nothing()),
        }
    })?;
    watching.info("stopped watching");
    Ok(())
}

/// Runs the tool that owns the project's environment, which makes it, and returns the
/// environment it made; the install is recorded as a sync.
fn made_by_the_tool(
    dir: Option<&Path>,
    root: &Path,
    declared: &Declared,
    out: message::Output,
) -> Result<Venv, String> {
    let name = declared.method.name();
    out.info(&format!(
        "{} has no environment yet: running {name} …",
        shown(root)
    ));
    let mut cmd = install::command(root, root, declared).map_err(|e| e.to_string())?;
    // The tool would take an active venv as the one to install into.
    let status = cmd
        .env_remove("VIRTUAL_ENV")
        .status()
        .map_err(|e| format!("cannot run {name} in {}: {e}", shown(root)))?;
    if !status.success() {
        return Err(format!("{name} failed in {}", shown(root)));
    }
    let Some(venv) = target(dir)?.venv else {
        return Err(format!(
            "{name} ran, but no environment for {} was found where it keeps them",
            shown(root)
        ));
    };
    Record::current(root).write(&venv.path).map_err(|e| {
        format!(
            "synced, but cannot record it in {} ({e}): check that the environment is writable",
            shown(&venv.path)
        )
    })?;
    Ok(venv)
}

/// Whether the venv's record matches the declaring files as they are now.
fn in_step(venv: &Path, root: &Path) -> bool {
    Record::read(venv).is_some_and(|r| r.changed(root).is_empty())
}

fn files(declared: &Declared) -> String {
    let names: Vec<String> = declared.files.iter().map(shown).collect();
    names.join(", ")
}

fn done(venv: &Path, declared: &Declared, started: Instant) -> String {
    format!(
        "synced {} from {} with {} ({:.1} s)",
        shown(venv),
        files(declared),
        declared.method.name(),
        started.elapsed().as_secs_f64()
    )
}
