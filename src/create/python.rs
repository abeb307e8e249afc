//! Which interpreter a new venv is made with, and which program makes it.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::config::Creator;
use crate::message::shown;
use crate::python_version::{self, pyenv_env, pyenv_versions, Request};
use crate::search_path::{is_executable, on_path};

/// The interpreter asked for, and who asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted {
    /// The command (`python3.12`) or path (`/opt/py/bin/python3`).
    pub name: OsString,
    /// The version asked for, when a version was asked for (`3.12`).
    pub version: Option<String>,
    /// The implementation, for messages: `Python` or `PyPy`.
    pub implementation: &'static str,
    /// Who asked, for messages: `/p/.python-version`, "the config's `python`", ….
    pub source: String,
}

/// Why no interpreter, or no program to make the venv, was found.
#[derive(Debug, PartialEq, Eq)]
pub enum PythonError {
    /// `.python-version` names the pyenv environment that is the project's venv.
    PyenvEnv {
        /// The `.python-version` file.
        file: PathBuf,
        /// The environment it names.
        env: PathBuf,
    },
    /// `.python-version` names something that is neither a version nor an environment.
    NotAVersion {
        /// The `.python-version` file.
        file: PathBuf,
        /// What it names.
        request: String,
        /// Where pyenv would keep an environment of that name, when pyenv is installed.
        pyenv_env: Option<PathBuf>,
    },
    /// A path to an interpreter that is not an executable file.
    NotExecutable {
        /// The path.
        path: PathBuf,
        /// Who asked for it.
        source: String,
    },
    /// A version that is installed neither on `PATH` nor (when uv makes the venv) among
    /// uv's Pythons.
    NotInstalled {
        /// `Python` or `PyPy`.
        implementation: &'static str,
        /// The version.
        version: String,
        /// The command looked for on `PATH`.
        name: OsString,
        /// Who asked for it.
        source: String,
        /// What uv was asked for, when it was.
        uv_request: Option<String>,
    },
    /// A command that is not on `PATH`.
    NotOnPath {
        /// The command.
        name: OsString,
        /// Who asked for it.
        source: String,
    },
    /// The config names a creator that is not on `PATH`.
    NoCreator(Creator),
}

impl fmt::Display for PythonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PythonError::PyenvEnv { file, env } => write!(
                f,
                "{} names the pyenv environment {}, which is this project's venv: autovenv makes no other",
                shown(file),
                shown(env)
            ),
            PythonError::NotAVersion {
                file,
                request,
                pyenv_env: Some(env),
            } => write!(
                f,
                "{} names `{request}`, which is not a Python version, and there is no pyenv environment {}: make it (`pyenv virtualenv 3.12 {request}`), or write a version such as 3.12 in that file",
                shown(file),
                shown(env)
            ),
            PythonError::NotAVersion {
                file,
                request,
                pyenv_env: None,
            } => write!(
                f,
                "{} names `{request}`, which is not a Python version (a pyenv environment, but pyenv is not installed here): write a version such as 3.12 in that file",
                shown(file)
            ),
            PythonError::NotExecutable { path, source } => write!(
                f,
                "the interpreter {} (from {source}) does not exist or is not executable: install it, or name another",
                shown(path)
            ),
            PythonError::NotInstalled {
                implementation,
                version,
                name,
                source,
                uv_request: Some(request),
            } => write!(
                f,
                "{implementation} {version} is not installed: looked for {} on PATH and among uv's Pythons, as {source} asks: install it (`uv python install {request}`), or ask for another",
                shown(name)
            ),
            PythonError::NotInstalled {
                implementation,
                version,
                name,
                source,
                uv_request: None,
            } => write!(
                f,
                "{implementation} {version} is not installed: looked for {} on PATH, as {source} asks: install it, or ask for another",
                shown(name)
            ),
            PythonError::NotOnPath { name, source } => write!(
                f,
                "the interpreter {} (from {source}) is not on PATH: install it, or set `python` in the config to one that is",
                shown(name)
            ),
            PythonError::NoCreator(Creator::Uv) => f.write_str(
                "the config says creator = \"uv\", but uv is not on PATH: install uv (`pip install uv`), or set creator = \"auto\"",
            ),
            PythonError::NoCreator(_) => f.write_str(
                "the config says creator = \"virtualenv\", but virtualenv is not on PATH: install virtualenv (`pip install virtualenv`), or set creator = \"auto\"",
            ),
        }
    }
}

impl std::error::Error for PythonError {}

/// The interpreter for a venv at project `root`: `--python`, else the first line of
/// `.python-version` (`3.12` → `python3.12`), else the config's `python`, else `python3`.
/// A version may be written the same ways in all three places. A `.python-version` that
/// names neither a version nor `system` is a pyenv environment's name: the error says
/// so, as nothing should be made for it (discovery activates the environment itself when
/// it exists).
pub fn wanted(
    root: &Path,
    flag: Option<&OsStr>,
    config: Option<&OsStr>,
) -> Result<Wanted, PythonError> {
    if let Some(name) = flag {
        return Ok(named(name, "--python".into()));
    }
    let file = root.join(".python-version");
    if let Some(request) = python_version::read(root) {
        if let Some(request) = Request::parse(&request) {
            return Ok(wanted_for(request, shown(&file)));
        }
        if let Some(env) = pyenv_env(root) {
            return Err(PythonError::PyenvEnv { file, env });
        }
        if request != "system" {
            return Err(not_a_version(&file, &request));
        }
    }
    Ok(match config {
        Some(name) => named(name, "the config's `python`".into()),
        None => Wanted {
            name: "python3".into(),
            version: None,
            implementation: "Python",
            source: "the default".into(),
        },
    })
}

/// A name given on the command line or in the config: a version (`3.11`, `pypy3.10`)
/// stands for its command, as in `.python-version`; anything else is a command or path.
fn named(name: &OsStr, source: String) -> Wanted {
    if let Some(request) = name.to_str().and_then(Request::parse) {
        return wanted_for(request, source);
    }
    Wanted {
        name: name.to_owned(),
        version: None,
        implementation: "Python",
        source,
    }
}

/// The error for a `.python-version` naming something that is not a version.
fn not_a_version(file: &Path, request: &str) -> PythonError {
    let (versions, pyenv) = pyenv_versions();
    PythonError::NotAVersion {
        file: file.to_owned(),
        request: request.to_owned(),
        pyenv_env: pyenv.then(|| versions.join(request)),
    }
}

/// What a parsed request asks for, said to come from `source`.
fn wanted_for(request: Request, source: String) -> Wanted {
    Wanted {
        name: request.command.into(),
        version: Some(request.version),
        implementation: request.implementation,
        source,
    }
}

impl Wanted {
    /// What `uv python find` and `uv python install` are asked for: `3.12`, `pypy3.10`.
    fn uv_request(&self, version: &str) -> String {
        match self.implementation {
            "PyPy" => format!("pypy{version}"),
            _ => version.to_owned(),
        }
    }

    /// Finds the interpreter: a name with a `/` is a path (relative to `root`), anything
    /// else is looked up on `PATH`; a version that is not there is also asked of `uv`
    /// when uv makes the venv (`uv python find`: the Pythons uv installed, and any
    /// interpreter of that version under another name). The error is one line naming
    /// what was looked for. An untrusted project's uv configuration is not read.
    pub fn find(
        &self,
        root: &Path,
        path: Option<&OsStr>,
        program: &CreatorProgram,
        trusted: bool,
    ) -> Result<PathBuf, PythonError> {
        if self.name.as_bytes().contains(&b'/') {
            let path = root.join(&self.name);
            return if is_executable(&path) {
                Ok(path)
            } else {
                Err(PythonError::NotExecutable {
                    path,
                    source: self.source.clone(),
                })
            };
        }
        if let Some(found) = on_path(&self.name, path) {
            return Ok(found);
        }
        let not_installed = |version: &str, uv_request: Option<String>| PythonError::NotInstalled {
            implementation: self.implementation,
            version: version.to_owned(),
            name: self.name.clone(),
            source: self.source.clone(),
            uv_request,
        };
        match (&self.version, program) {
            (Some(version), CreatorProgram::Uv(uv)) => {
                let request = self.uv_request(version);
                uv_find(uv, &request, root, path, trusted)
                    .ok_or_else(|| not_installed(version, Some(request)))
            }
            (Some(version), _) => Err(not_installed(version, None)),
            (None, _) => Err(PythonError::NotOnPath {
                name: self.name.clone(),
                source: self.source.clone(),
            }),
        }
    }
}

/// `uv python find VERSION`: an installed interpreter of that version, never a download.
fn uv_find(
    uv: &Path,
    version: &str,
    root: &Path,
    path: Option<&OsStr>,
    trusted: bool,
) -> Option<PathBuf> {
    let mut cmd = std::process::Command::new(uv);
    cmd.args(["python", "find", "--no-project", version]);
    if !trusted {
        cmd.arg("--no-config");
    }
    cmd.current_dir(root)
        .env("UV_PYTHON_DOWNLOADS", "never")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Some(path) = path {
        cmd.env("PATH", path);
    }
    let out = cmd.output().ok()?;
    let found = PathBuf::from(OsStr::from_bytes(out.stdout.trim_ascii()));
    (out.status.success() && found.is_absolute()).then_some(found)
}

/// The program found for the configured [`Creator`]: what really makes the venv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreatorProgram {
    /// `uv venv --seed` with this `uv`.
    Uv(PathBuf),
    /// `<python> -m venv` (with pip).
    Venv,
    /// `virtualenv` with this program.
    Virtualenv(PathBuf),
}

impl CreatorProgram {
    /// Picks the creator: `auto` is `uv` when it is on `PATH`, else `venv`. A creator the
    /// config forces but that is missing is an error naming it.
    pub fn pick(creator: Creator, path: Option<&OsStr>) -> Result<CreatorProgram, PythonError> {
        match creator {
            Creator::Auto => Ok(
                on_path(OsStr::new("uv"), path).map_or(CreatorProgram::Venv, CreatorProgram::Uv)
            ),
            Creator::Uv => on_path(OsStr::new("uv"), path)
                .map(CreatorProgram::Uv)
                .ok_or(PythonError::NoCreator(Creator::Uv)),
            Creator::Venv => Ok(CreatorProgram::Venv),
            Creator::Virtualenv => on_path(OsStr::new("virtualenv"), path)
                .map(CreatorProgram::Virtualenv)
                .ok_or(PythonError::NoCreator(Creator::Virtualenv)),
        }
    }

    /// How the creator is shown in messages.
    pub fn label(&self) -> &'static str {
        match self {
            CreatorProgram::Uv(_) => "uv venv",
            CreatorProgram::Venv => "python -m venv",
            CreatorProgram::Virtualenv(_) => "virtualenv",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_then_the_file_then_the_config() {
        let dir = std::env::temp_dir().join(format!("autovenv-python-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let wanted = |flag: Option<&str>, config: Option<&str>| {
            wanted(&dir, flag.map(OsStr::new), config.map(OsStr::new)).expect("wanted")
        };
        let w = wanted(None, Some("python3.9"));
        assert_eq!(w.name, OsString::from("python3.9"));
        std::fs::write(dir.join(".python-version"), "3.12.4\n").expect("write");
        let w = wanted(None, Some("python3.9"));
        assert_eq!(w.name, OsString::from("python3.12"));
        assert_eq!(w.version.as_deref(), Some("3.12"));
        let w = wanted(Some("/x/py"), None);
        assert_eq!(w.name, OsString::from("/x/py"));
        let w = wanted(Some("3.11"), None);
        assert_eq!(w.name, OsString::from("python3.11"));
        std::fs::write(dir.join(".python-version"), "system\n").expect("write");
        assert_eq!(wanted(None, None).name, OsString::from("python3"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn each_failure_is_its_own_error() {
        let dir = std::env::temp_dir().join(format!("autovenv-python-err-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join(".python-version"), "no-such-thing\n").expect("write");
        let error = wanted(&dir, None, None).expect_err("not a version");
        assert!(
            matches!(&error, PythonError::NotAVersion { request, .. } if request == "no-such-thing"),
            "{error:?}"
        );
        let empty = Some(OsStr::new(""));
        assert_eq!(
            CreatorProgram::pick(Creator::Uv, empty),
            Err(PythonError::NoCreator(Creator::Uv))
        );
        assert_eq!(
            CreatorProgram::pick(Creator::Venv, empty),
            Ok(CreatorProgram::Venv)
        );
        let find = |name: &str| {
            named(OsStr::new(name), "--python".into()).find(
                &dir,
                empty,
                &CreatorProgram::Venv,
                true,
            )
        };
        assert!(matches!(
            find("./missing/python"),
            Err(PythonError::NotExecutable { .. })
        ));
        assert!(matches!(
            find("autovenv-no-python"),
            Err(PythonError::NotOnPath { .. })
        ));
        assert!(matches!(
            find("3.99"),
            Err(PythonError::NotInstalled {
                uv_request: None,
                ..
            })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
