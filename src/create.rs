//! Making a venv for a project that has none.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::config::Config;
use crate::message::{say, shown, Level};
use crate::venv::Venv;

/// Creates the venv at `venv` for the project `root` and returns it, ready to activate.
/// The error is one line saying what failed and what to do.
pub fn create(root: &Path, venv: &Path, config: &Config, force: bool) -> Result<Venv, String> {
    let _ = (root, force);
    let python = config.python.clone().unwrap_or_else(|| "python3".into());
    say(
        Level::Info,
        config.quiet,
        &format!("creating {} …", shown(venv)),
    );
    let status = Command::new(&python)
        .arg("-m")
        .arg("venv")
        .arg(venv)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {}: {e}", shown(&python)))?;
    if !status.success() {
        return Err(format!(
            "{} -m venv failed for {}",
            shown(&python),
            shown(venv)
        ));
    }
    let created = Venv::inspect(venv.to_owned());
    match &created.problem {
        None => Ok(created),
        Some(problem) => Err(crate::export::problem_text(venv, problem)),
    }
}
