//! Which interpreter a new venv is made with, and which program makes it.

use std::ffi::{OsStr, OsString};
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

/// The interpreter for a venv at project `root`: `--python`, else the first line of
/// `.python-version` (`3.12` → `python3.12`), else the config's `python`, else `python3`.
/// A version may be written the same ways in all three places. A `.python-version` that
/// names neither a version nor `system` is a pyenv environment's name: the error says
/// so, as nothing should be made for it (discovery activates the environment itself when
/// it exists).
pub fn wanted(root: &Path, flag: Option<&OsStr>, config: Option<&OsStr>) -> Result<Wanted, String> {
    if let Some(name) = flag {
        return Ok(named(name, "--python".into()));
    }
    let file = root.join(".python-version");
    if let Some(request) = python_version::read(root) {
        if let Some(request) = Request::parse(&request) {
            return Ok(wanted_for(request, shown(&file)));
        }
        if let Some(env) = pyenv_env(root) {
            return Err(format!(
                "{} names the pyenv environment {}, which is this project's venv: autovenv makes no other",
                shown(&file),
                shown(&env)
            ));
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

/// The line for a `.python-version` naming something that is not a version.
fn not_a_version(file: &Path, request: &str) -> String {
    let (versions, pyenv) = pyenv_versions();
    let env = versions.join(request);
    if pyenv {
        format!(
            "{} names `{request}`, which is not a Python version, and there is no pyenv environment {}: make it (`pyenv virtualenv 3.12 {request}`), or write a version such as 3.12 in that file",
            shown(file),
            shown(&env)
        )
    } else {
        format!(
            "{} names `{request}`, which is not a Python version (a pyenv environment, but pyenv is not installed here): write a version such as 3.12 in that file",
            shown(file)
        )
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
        maker: &Maker,
        trusted: bool,
    ) -> Result<PathBuf, String> {
        if self.name.as_bytes().contains(&b'/') {
            let path = root.join(&self.name);
            return if is_executable(&path) {
                Ok(path)
            } else {
                Err(format!(
                    "the interpreter {} (from {}) does not exist or is not executable: install it, or name another",
                    shown(&path),
                    self.source
                ))
            };
        }
        if let Some(found) = on_path(&self.name, path) {
            return Ok(found);
        }
        let what = self.implementation;
        match (&self.version, maker) {
            (Some(version), Maker::Uv(uv)) => {
                let request = self.uv_request(version);
                uv_find(uv, &request, root, path, trusted).ok_or_else(|| {
                    format!(
                        "{what} {version} is not installed: looked for {} on PATH and among uv's Pythons, as {} asks: install it (`uv python install {request}`), or ask for another",
                        shown(&self.name),
                        self.source
                    )
                })
            }
            (Some(version), _) => Err(format!(
                "{what} {version} is not installed: looked for {} on PATH, as {} asks: install it, or ask for another",
                shown(&self.name),
                self.source
            )),
            (None, _) => Err(format!(
                "the interpreter {} (from {}) is not on PATH: install it, or set `python` in the config to one that is",
                shown(&self.name),
                self.source
            )),
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

/// The program that makes the venv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Maker {
    /// `uv venv --seed` with this `uv`.
    Uv(PathBuf),
    /// `<python> -m venv` (with pip).
    Venv,
    /// `virtualenv` with this program.
    Virtualenv(PathBuf),
}

impl Maker {
    /// Picks the creator: `auto` is `uv` when it is on `PATH`, else `venv`. A creator the
    /// config forces but that is missing is an error naming it.
    pub fn pick(creator: Creator, path: Option<&OsStr>) -> Result<Maker, String> {
        match creator {
            Creator::Auto => Ok(on_path(OsStr::new("uv"), path).map_or(Maker::Venv, Maker::Uv)),
            Creator::Uv => on_path(OsStr::new("uv"), path).map(Maker::Uv).ok_or_else(|| {
                "the config says creator = \"uv\", but uv is not on PATH: install uv (`pip install uv`), or set creator = \"auto\"".to_owned()
            }),
            Creator::Venv => Ok(Maker::Venv),
            Creator::Virtualenv => on_path(OsStr::new("virtualenv"), path)
                .map(Maker::Virtualenv)
                .ok_or_else(|| {
                    "the config says creator = \"virtualenv\", but virtualenv is not on PATH: install virtualenv (`pip install virtualenv`), or set creator = \"auto\"".to_owned()
                }),
        }
    }

    /// How the creator is shown in messages.
    pub fn label(&self) -> &'static str {
        match self {
            Maker::Uv(_) => "uv venv",
            Maker::Venv => "python -m venv",
            Maker::Virtualenv(_) => "virtualenv",
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
}
