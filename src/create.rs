//! Making a venv for a project that has none.
//!
//! The venv is made where it will be used (venvs cannot be moved), so the directory is
//! marked first with [`INCOMPLETE_MARKER`] and the marker is removed only once the creator
//! succeeded: discovery never activates a marked venv, and a marked venv found later (its
//! creator was killed outright) is made again. A lock makes two shells that enter together
//! create once. A signal stops the creator and everything it started, and removes what it
//! made.

use std::ffi::OsString;
use std::io::ErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::activation::Vars;
use crate::config::Config;
use crate::message::{say, shown, Level};
use crate::venv::{Problem, Venv, INCOMPLETE_MARKER};

mod lock;
pub mod python;
mod run;
pub mod signals;

use lock::{Lock, LockError};
use python::Maker;
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

/// Creates the venv at `venv` for the project `root`, ready to activate.
pub fn create(
    root: &Path,
    venv: &Path,
    config: &Config,
    options: &Options,
) -> Result<Created, Failure> {
    let _signals = signals::Guard::install();
    let quiet = config.quiet;
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
    let maker = Maker::pick(config.creator, path_var.as_deref())?;
    let wanted = python::wanted(root, options.python.as_deref(), config.python.as_deref());
    let python = wanted.find(root, path_var.as_deref(), &maker)?;

    let lock = Lock::acquire(venv, || {
        say(
            Level::Info,
            quiet,
            &format!(
                "waiting for another shell to finish creating {} …",
                shown(venv)
            ),
        )
    });
    let _lock = match lock {
        Ok(lock) => lock,
        Err(LockError::Interrupted) => {
            say(
                Level::Warning,
                false,
                &format!("stopped waiting for {} to be created", shown(venv)),
            );
            return Err(Failure::Interrupted);
        }
        Err(LockError::Io(path, e)) => {
            return Err(Failure::Error(format!(
                "cannot take the lock {} ({e}): check that the cache directory is writable",
                shown(&path)
            )))
        }
    };

    let made_dir = match prepare(venv, options.force, quiet)? {
        Prepared::Ready(venv) => return Ok(Created { venv, took: None }),
        Prepared::Made => true,
        Prepared::Emptied => false,
    };
    let marker = venv.join(INCOMPLETE_MARKER);
    if let Err(e) = std::fs::write(&marker, format!("creating {}\n", std::process::id())) {
        discard(venv, made_dir);
        return Err(Failure::Error(format!(
            "cannot write in {} ({e}): make it writable",
            shown(venv)
        )));
    }

    let started = Instant::now();
    let env = child_env(options.env.as_ref());
    let job = Job {
        maker: &maker,
        python: &python,
        venv,
        root,
        env: &env,
    };
    let mut announce = |version: Option<&str>| {
        let with = match version {
            Some(v) => format!("Python {v}"),
            None => shown(&wanted.name),
        };
        say(
            Level::Info,
            quiet,
            &format!("creating {} with {with} ({}) …", shown(venv), maker.label()),
        );
    };
    match job.run(&mut announce) {
        Outcome::Done => {}
        Outcome::Interrupted => {
            interrupted(venv, made_dir);
            return Err(Failure::Interrupted);
        }
        Outcome::NoEnsurepip => {
            discard(venv, made_dir);
            return Err(Failure::Error(format!(
                "{} cannot make a venv with pip because its ensurepip module is missing; removed what was made: install python3-venv (`sudo apt install python3-venv`) or uv",
                shown(&python)
            )));
        }
        Outcome::Failed(why) => {
            discard(venv, made_dir);
            return Err(Failure::Error(format!(
                "creating {} with {} failed: {why}; removed what was made",
                shown(venv),
                maker.label()
            )));
        }
    }
    let took = started.elapsed();
    // Still marked, so inspect would only say Incomplete: look at what a venv needs.
    let works = venv.join("pyvenv.cfg").is_file() && venv.join("bin").join("python").is_file();
    if !works {
        discard(venv, made_dir);
        return Err(Failure::Error(format!(
            "{} made {} but it does not work; removed it: run `autovenv create --force` to try again",
            maker.label(),
            shown(venv)
        )));
    }
    if let Err(e) = std::fs::remove_file(&marker) {
        return Err(Failure::Error(format!(
            "cannot finish {} ({e}): remove {} by hand",
            shown(venv),
            shown(&marker)
        )));
    }
    if let Err(e) = crate::trust::record_made(venv) {
        say(
            Level::Warning,
            false,
            &format!(
                "cannot record in the trust store that autovenv made {} ({e}): under trusted_roots it may need `autovenv allow`",
                shown(venv)
            ),
        );
    }
    Ok(Created {
        venv: Venv::inspect(venv.to_owned()),
        took: Some(took),
    })
}

/// What was at the venv's place, now made ready for the creator.
enum Prepared {
    /// A working venv is there (and no rebuild was asked for).
    Ready(Venv),
    /// The directory was made.
    Made,
    /// The directory was there and is now empty.
    Emptied,
}

fn prepare(venv: &Path, force: bool, quiet: bool) -> Result<Prepared, Failure> {
    if !venv.is_dir() {
        return make_dir(venv).map(|()| Prepared::Made);
    }
    let found = Venv::inspect(venv.to_owned());
    match &found.problem {
        None if !force => return Ok(Prepared::Ready(found)),
        Some(Problem::Incomplete) if !force => say(
            Level::Info,
            quiet,
            &format!(
                "{} was left half-made by a creation that was cut short; making it again",
                shown(venv)
            ),
        ),
        Some(problem) if !force => {
            return Err(Failure::Error(crate::export::problem_text(venv, problem)))
        }
        _ => {}
    }
    clear(venv).map_err(|e| {
        Failure::Error(format!(
            "cannot empty {} to rebuild it ({e}): remove it by hand",
            shown(venv)
        ))
    })?;
    Ok(Prepared::Emptied)
}

/// Makes the venv directory (and its parents, for `UV_PROJECT_ENVIRONMENT`); a `.venv`
/// that is a symlink to a directory that is gone gets that directory made.
fn make_dir(venv: &Path) -> Result<(), Failure> {
    let target = match std::fs::read_link(venv) {
        Ok(target) => venv.parent().unwrap_or(Path::new("/")).join(target),
        Err(_) => venv.to_owned(),
    };
    let made = match target.parent() {
        Some(parent) => std::fs::create_dir_all(parent).and_then(|()| std::fs::create_dir(&target)),
        None => std::fs::create_dir(&target),
    };
    made.map_err(|e| {
        let hint =
            if e.kind() == ErrorKind::PermissionDenied || e.raw_os_error() == Some(libc::EROFS) {
                "make the directory writable, or set UV_PROJECT_ENVIRONMENT to a writable place"
            } else {
                "check the path and the disk"
            };
        Failure::Error(format!("cannot create {} ({e}): {hint}", shown(venv)))
    })
}

/// After a signal: removes what was made and says so. The shell still gets this
/// evaluation's answer (the bash hook keeps it pending until its next prompt), which
/// remembers the failure, so creation does not start again until the user comes back.
fn interrupted(venv: &Path, made_dir: bool) {
    discard(venv, made_dir);
    say(
        Level::Warning,
        false,
        &format!(
            "stopped creating {}; removed what was made: it is made again when you come back to the project, or by `autovenv create`",
            shown(venv)
        ),
    );
}

/// Removes what a failed creation left: the directory if it was made for it (a symlinked
/// venv keeps its link), else its contents.
fn discard(venv: &Path, made_dir: bool) {
    match (made_dir, is_symlink(venv)) {
        (true, false) => {
            let _ = std::fs::remove_dir_all(venv);
        }
        // The link stays; the directory made at its target goes.
        (true, true) => {
            if let Ok(target) = std::fs::canonicalize(venv) {
                let _ = std::fs::remove_dir_all(target);
            }
        }
        (false, _) => {
            let _ = clear(venv);
        }
    }
}

/// Empties a directory (following it if it is a symlink).
fn clear(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
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
