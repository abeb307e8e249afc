//! Running the installer [`super::Method`] names, with the venv active.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{record::Record, Declared, Method};
use crate::message::shown;
use crate::shell_update::EnvChange;

/// Where the installer's own output goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// To the terminal, as it comes (a one-off `autovenv sync`).
    Inherit,
    /// Collected; only its last line is shown, and only when it fails (`--watch`).
    Capture,
}

/// The program and arguments that install `declared` into `venv`.
pub fn command(venv: &Path, root: &Path, declared: &Declared) -> Result<Command, String> {
    let python = venv.join("bin").join("python");
    let pip = |args: &[&str]| -> Result<Command, String> {
        let mut cmd = if venv.join("bin").join("pip").exists() {
            let mut cmd = Command::new(&python);
            cmd.args(["-m", "pip", "install", "--disable-pip-version-check"]);
            cmd
        } else if let Some(uv) = tool_on_path("uv") {
            let mut cmd = Command::new(uv);
            cmd.args(["pip", "install", "--python"]).arg(&python);
            cmd
        } else {
            return Err(format!(
                "{} has no pip and uv is not on PATH: install uv, or rebuild the venv with pip by `autovenv create --force`",
                shown(venv)
            ));
        };
        cmd.args(args);
        Ok(cmd)
    };
    let mut cmd = match declared.method {
        Method::Uv => {
            let uv = tool_on_path("uv").ok_or_else(|| {
                format!(
                    "{} is a uv project (uv.lock, [tool.uv] or uv_build), which only uv can sync: install uv (https://docs.astral.sh/uv/)",
                    shown(root)
                )
            })?;
            let mut cmd = Command::new(uv);
            cmd.arg("sync").env("UV_PROJECT_ENVIRONMENT", venv);
            cmd
        }
        Method::Poetry | Method::Pipenv | Method::PipenvInstall => {
            let (program, args): (&str, &[&str]) = match declared.method {
                Method::Poetry => ("poetry", &["install"]),
                Method::Pipenv => ("pipenv", &["sync"]),
                _ => ("pipenv", &["install"]),
            };
            let tool = tool_on_path(program).ok_or_else(|| {
                format!(
                    "{} is a {program} project, whose environment {program} keeps: install {program}",
                    shown(root)
                )
            })?;
            let mut cmd = Command::new(tool);
            cmd.args(args);
            cmd
        }
        Method::Requirements => {
            let mut cmd = pip(&[])?;
            for file in &declared.files {
                cmd.arg("-r").arg(file);
            }
            cmd
        }
        Method::Editable => pip(&["-e", "."])?,
    };
    cmd.current_dir(root);
    Ok(cmd)
}

/// Installs `declared` into `venv` for the project `root`, with `env` (the venv's
/// activation) applied, then records what was synced. The error is one line.
pub fn run(
    venv: &Path,
    root: &Path,
    declared: &Declared,
    env: &EnvChange,
    output: Output,
) -> Result<(), String> {
    let mut cmd = command(venv, root, declared)?;
    for (name, value) in env {
        match value {
            Some(value) => cmd.env(name, value),
            None => cmd.env_remove(name),
        };
    }
    let name = declared.method.name();
    let (status, last_line) = match output {
        Output::Inherit => {
            let status = cmd
                .status()
                .map_err(|e| format!("cannot run {name} in {}: {e}", shown(root)))?;
            (status, None)
        }
        Output::Capture => {
            let out = cmd
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("cannot run {name} in {}: {e}", shown(root)))?;
            let last = [&out.stderr, &out.stdout].into_iter().find_map(|bytes| {
                bytes
                    .split(|&b| b == b'\n')
                    .map(<[u8]>::trim_ascii)
                    .rfind(|l| !l.is_empty())
                    .map(|l| shown(std::ffi::OsStr::from_bytes(l)))
            });
            (out.status, last)
        }
    };
    if !status.success() {
        let how = match status.code() {
            Some(code) => format!("exited with status {code}"),
            None => "was interrupted".to_owned(),
        };
        let tail = last_line.map(|l| format!(": {l}")).unwrap_or_default();
        return Err(format!("{name} {how} in {}{tail}", shown(root)));
    }
    Record::current(root).write(venv).map_err(|e| {
        format!(
            "synced, but cannot record it in {} ({e}): check that the venv is writable",
            shown(venv)
        )
    })
}

/// A program (uv, poetry, pipenv) on this process's `PATH`, found as creation finds it:
/// relative entries are skipped.
fn tool_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH");
    crate::search_path::on_path(std::ffi::OsStr::new(name), path.as_deref())
}
