//! Making a venv for a project that has none.
//!
//! The venv is made where it will be used (venvs cannot be moved: their scripts hold
//! their own path), so the directory is marked first with
//! [`crate::venv::INCOMPLETE_MARKER`] and the marker is removed only once the creator
//! succeeded: discovery never activates a marked venv, and a marked venv found later (its
//! creator was killed outright) is made again. A venv that is rebuilt is first moved aside
//! in the same directory and put back untouched if the new one cannot be made (see
//! [`place`]). A lock makes two shells that enter together create once. A signal stops the
//! creator and everything it started, and removes what it made.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::activation::Vars;
use crate::config::{Config, Creator};
use crate::message::{shown, Output};
use crate::venv::Venv;

mod lock;
mod place;
pub mod python;
mod run;
mod terminal;

use lock::{Lock, LockError};
use python::CreatorProgram;
use run::{Job, Outcome};

/// What the caller may change about one creation.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Rebuild a venv that is already there.
    pub force: bool,
    /// The interpreter to use, before `.python-version` and the config (`--python`).
    pub python: Option<OsString>,
    /// The variables the creator runs with, when they differ from autovenv's own (the
    /// shell's, after an earlier activation was undone).
    pub env: Option<Vars>,
    /// Whether the user trusts the project. An untrusted one (`autovenv create` run there
    /// by hand) may not steer creation through its own uv configuration.
    pub trusted: bool,
}

/// A venv ready to activate.
#[derive(Debug)]
pub struct Created {
    /// The venv.
    pub venv: Venv,
    /// How long making it took; `None` when it was there already (another shell made it).
    pub took: Option<Duration>,
}

/// Why no venv came out.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// This one line says why and what to do.
    Error(String),
    /// A signal stopped it; the user was told already.
    Interrupted,
}

impl From<String> for Failure {
    fn from(text: String) -> Failure {
        Failure::Error(text)
    }
}

impl From<python::PythonError> for Failure {
    fn from(error: python::PythonError) -> Failure {
        Failure::Error(error.to_string())
    }
}

/// Creates the venv at `venv` for the project `root`, ready to activate, saying on `out`
/// what it does.
pub fn create(
    root: &Path,
    venv: &Path,
    config: &Config,
    out: Output,
    options: &Options,
) -> Result<Created, Failure> {
    let _signals = crate::signals::Guard::install();
    let _terminal = terminal::Foreground::take();
    let path_var = match &options.env {
        Some(vars) => vars.path.clone(),
        None => std::env::var_os("PATH"),
    };
    if venv.as_os_str().as_bytes().contains(&b':') {
        return Err(Failure::Error(format!(
            "{} has ':' in its path, which PATH cannot hold, so no venv was made there: rename or move the directory",
            shown(venv)
        )));
    }
    let program = CreatorProgram::pick(config.creator, path_var.as_deref())?;
    let wanted = python::wanted(root, options.python.as_deref(), config.python.as_deref())?;
    let python = wanted.find(root, path_var.as_deref(), &program, options.trusted)?;

    let lock = Lock::acquire(venv, || {
        out.info(&format!(
            "waiting for another shell to finish creating {} …",
            shown(venv)
        ));
    });
    let _lock = match lock {
        Ok(lock) => lock,
        Err(LockError::Interrupted) => {
            out.warning(&format!(
                "stopped waiting for {} to be created",
                shown(venv)
            ));
            return Err(Failure::Interrupted);
        }
        Err(LockError::Io(path, e)) => {
            return Err(Failure::Error(format!(
                "cannot take the lock {} ({e}): check that the cache directory is writable",
                shown(&path)
            )))
        }
    };

    let site = match place::prepare(venv, options.force, out)? {
        place::Prepared::Ready(venv) => return Ok(Created { venv, took: None }),
        place::Prepared::Build(site) => site,
    };
    if let Err(e) = site.mark() {
        let kept = site.undo();
        return Err(Failure::Error(format!(
            "cannot write in {} ({e}): make it writable{kept}",
            shown(venv)
        )));
    }

    let started = Instant::now();
    let env = child_env(options.env.as_ref());
    let mut job = Job {
        program: &program,
        python: &python,
        venv: site.build_path(),
        root,
        env: &env,
        no_config: !options.trusted,
    };
    let announce = |label: &str, version: Option<&str>| {
        let with = match version {
            Some(v) => format!("{} {v}", wanted.implementation),
            None => shown(&wanted.name),
        };
        out.info(&format!("creating {} with {with} ({label}) …", shown(venv)));
    };
    let label = program.label().to_owned();
    let mut outcome = job.run(&mut |v| announce(&label, v));
    let mut used = label.clone();
    // uv cannot make it (offline without pip in its cache, a TLS proxy, a pyenv shim with
    // no uv behind it, a path it will not take): the same interpreter's own venv module
    // can, and is what `auto` promises.
    if let (Outcome::Failed(why), Creator::Auto, CreatorProgram::Uv(_)) =
        (&outcome, config.creator, &program)
    {
        let why = why.clone();
        if let Err(e) = site.renew() {
            let kept = site.undo();
            return Err(Failure::Error(format!(
                "cannot start {} again after uv venv failed ({e}): make it writable{kept}",
                shown(venv)
            )));
        }
        used = format!("uv venv ({why}), then with python -m venv");
        job.program = &CreatorProgram::Venv;
        let fallback = format!("python -m venv, as uv venv failed: {why}");
        outcome = job.run(&mut |v| announce(&fallback, v));
    }
    match outcome {
        Outcome::Done => {}
        Outcome::Interrupted => {
            let kept = site.undo();
            out.warning(&format!(
                    "stopped creating {}; removed what was made{kept}: it is not made again in this shell until you come back to the project, or run `autovenv create`",
                shown(venv)
            ));
            return Err(Failure::Interrupted);
        }
        Outcome::NoEnsurepip => {
            let kept = site.undo();
            return Err(Failure::Error(format!(
                "{} cannot make a venv with pip because its ensurepip module is missing; removed what was made{kept}: install python3-venv (`sudo apt install python3-venv`) or uv",
                shown(&python)
            )));
        }
        Outcome::Failed(why) => {
            let kept = site.undo();
            let way_out = match config.creator {
                Creator::Uv => ": set creator = \"auto\" (or \"venv\") in the config to make it with python -m venv when uv cannot",
                _ => "",
            };
            return Err(Failure::Error(format!(
                "creating {} with {used} failed: {why}; removed what was made{kept}{way_out}",
                shown(venv),
            )));
        }
    }
    let took = started.elapsed();
    // Still marked, so inspect would only say Incomplete: look at what a venv needs.
    let built = site.build_path();
    let works = built.join("pyvenv.cfg").is_file() && built.join("bin").join("python").is_file();
    if !works {
        let kept = site.undo();
        return Err(Failure::Error(format!(
            "{used} made {} but it does not work; removed it{kept}: run `autovenv create --force` to try again",
            shown(venv)
        )));
    }
    if let Err(e) = site.finish(out) {
        return Err(Failure::Error(e));
    }
    if let Err(e) = crate::trust::record_made(venv) {
        out.warning(&format!(
                "cannot record in the trust store that autovenv made {} ({e}): under trusted_roots it may need `autovenv allow`",
            shown(venv)
        ));
    }
    Ok(Created {
        venv: Venv::inspect(venv.to_owned()),
        took: Some(took),
    })
}

/// The creator's environment: the shell's variables as they are after an earlier
/// activation was undone, so the new venv is not made from the old one's python.
fn child_env(vars: Option<&Vars>) -> Vec<(&'static str, Option<OsString>)> {
    let Some(vars) = vars else {
        return Vec::new();
    };
    vec![
        ("PATH", vars.path.clone()),
        ("VIRTUAL_ENV", vars.virtual_env.clone()),
        ("VIRTUAL_ENV_PROMPT", vars.virtual_env_prompt.clone()),
        ("PYTHONHOME", vars.pythonhome.clone()),
    ]
}

/// A duration as people read it: `0.4 s`, `12 s`.
pub fn seconds(took: Duration) -> String {
    let secs = took.as_secs_f64();
    if secs < 10.0 {
        format!("{secs:.1} s")
    } else {
        format!("{secs:.0} s")
    }
}
