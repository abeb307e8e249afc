//! Running the installer [`super::Method`] names, with the venv active.

use std::fmt;
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

/// Why an install did not happen or did not succeed.
#[derive(Debug)]
pub enum InstallError {
    /// The venv has no pip, and no uv is there to install into it.
    NoPip {
        /// The venv.
        venv: PathBuf,
    },
    /// The project is a uv project, which only uv can sync, and uv is not on `PATH`.
    NoUv {
        /// The project.
        root: PathBuf,
    },
    /// The project's environment is this tool's (poetry, pipenv), and it is not on `PATH`.
    NoTool {
        /// The project.
        root: PathBuf,
        /// The tool.
        program: &'static str,
    },
    /// The installer could not be started.
    CannotRun {
        /// The installer's name.
        name: &'static str,
        /// The project.
        root: PathBuf,
        /// What the system said when the installer was started.
        error: std::io::Error,
    },
    /// The installer ran and failed.
    Failed {
        /// The installer's name.
        name: &'static str,
        /// The project.
        root: PathBuf,
        /// Its exit status; `None` when a signal ended it.
        code: Option<i32>,
        /// Its last line of output, when it was collected.
        last_line: Option<String>,
    },
    /// It was installed, but what was synced could not be recorded.
    Unrecorded {
        /// The venv.
        venv: PathBuf,
        /// What the system said when the record was written.
        error: std::io::Error,
    },
}

impl fmt::Display for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstallError::NoPip { venv } => {
                let venv = shown(venv);
                write!(f, "{venv} has no pip and uv is not on PATH: install uv, or rebuild the venv with pip by `autovenv create --force`")
            }
            InstallError::NoUv { root } => {
                let root = shown(root);
                write!(f, "{root} is a uv project (uv.lock, [tool.uv] or uv_build), which only uv can sync: install uv (https://docs.astral.sh/uv/)")
            }
            InstallError::NoTool { root, program } => {
                let root = shown(root);
                write!(f, "{root} is a {program} project, whose environment {program} keeps: install {program}")
            }
            InstallError::CannotRun { name, root, error } => {
                write!(f, "cannot run {name} in {}: {error}", shown(root))
            }
            InstallError::Failed {
                name,
                root,
                code,
                last_line,
            } => {
                let how = match code {
                    Some(code) => format!("exited with status {code}"),
                    None => "was interrupted".to_owned(),
                };
                let tail = last_line
                    .as_ref()
                    .map(|l| format!(": {l}"))
                    .unwrap_or_default();
                write!(f, "{name} {how} in {}{tail}", shown(root))
            }
            InstallError::Unrecorded { venv, error } => write!(
                f,
                "synced, but cannot record it in {} ({error}): check that the venv is writable",
                shown(venv)
            ),
        }
    }
}

impl std::error::Error for InstallError {}

/// The program and arguments that install `declared` into `venv`.
pub fn command(venv: &Path, root: &Path, declared: &Declared) -> Result<Command, InstallError> {
    let python = venv.join("bin").join("python");
    let pip = |args: &[&str]| -> Result<Command, InstallError> {
        let mut cmd = if venv.join("bin").join("pip").exists() {
            let mut cmd = Command::new(&python);
            cmd.args(["-m", "pip", "install", "--disable-pip-version-check"]);
            cmd
        } else if let Some(uv) = tool_on_path("uv") {
            let mut cmd = Command::new(uv);
            cmd.args(["pip", "install", "--python"]).arg(&python);
            cmd
        } else {
            return Err(InstallError::NoPip {
                venv: venv.to_owned(),
            });
        };
        cmd.args(args);
        Ok(cmd)
    };
    let mut cmd = match declared.method {
        Method::Uv => {
            let uv = tool_on_path("uv").ok_or_else(|| InstallError::NoUv {
                root: root.to_owned(),
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
            let tool = tool_on_path(program).ok_or_else(|| InstallError::NoTool {
                root: root.to_owned(),
                program,
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
) -> Result<(), InstallError> {
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
            let status = cmd.status().map_err(|error| InstallError::CannotRun {
                name,
                root: root.to_owned(),
                error,
            })?;
            (status, None)
        }
        Output::Capture => {
            let out =
                cmd.stdin(Stdio::null())
                    .output()
                    .map_err(|error| InstallError::CannotRun {
                        name,
                        root: root.to_owned(),
                        error,
                    })?;
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
        return Err(InstallError::Failed {
            name,
            root: root.to_owned(),
            code: status.code(),
            last_line,
        });
    }
    Record::current(root)
        .write(venv)
        .map_err(|error| InstallError::Unrecorded {
            venv: venv.to_owned(),
            error,
        })
}

/// A program (uv, poetry, pipenv) on this process's `PATH`, found as creation finds it:
/// relative entries are skipped.
fn tool_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH");
    crate::search_path::on_path(std::ffi::OsStr::new(name), path.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A project with a requirements file and a venv whose `python` is `script`.
    fn project(name: &str, script: Option<&str>) -> (PathBuf, PathBuf, Declared) {
        let root =
            std::env::temp_dir().join(format!("autovenv-install-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let bin = root.join(".venv").join("bin");
        std::fs::create_dir_all(&bin).expect("mkdir");
        std::fs::write(bin.join("pip"), "").expect("pip");
        if let Some(script) = script {
            let python = bin.join("python");
            std::fs::write(&python, script).expect("python");
            std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
        }
        std::fs::write(root.join("requirements.txt"), "").expect("requirements");
        let declared = Declared {
            method: Method::Requirements,
            files: vec!["requirements.txt".into()],
        };
        (root.join(".venv"), root, declared)
    }

    #[test]
    fn a_failing_installer_is_failed_with_its_status_and_last_line() {
        let (venv, root, declared) = project("fails", Some("#!/bin/sh\necho boom >&2\nexit 3\n"));
        let error =
            run(&venv, &root, &declared, &EnvChange::new(), Output::Capture).expect_err("fails");
        assert!(
            matches!(&error, InstallError::Failed { code: Some(3), last_line: Some(l), .. } if l == "boom"),
            "{error:?}"
        );
        assert!(error.to_string().ends_with(": boom"), "{error}");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn an_installer_that_cannot_start_is_cannot_run() {
        let (venv, root, declared) = project("missing", None);
        let error =
            run(&venv, &root, &declared, &EnvChange::new(), Output::Capture).expect_err("fails");
        assert!(matches!(error, InstallError::CannotRun { .. }), "{error:?}");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn a_successful_install_is_recorded() {
        let (venv, root, declared) = project("works", Some("#!/bin/sh\nexit 0\n"));
        run(&venv, &root, &declared, &EnvChange::new(), Output::Capture).expect("installs");
        assert!(Record::read(&venv).is_some());
        let _ = std::fs::remove_dir_all(&root);
    }
}
