//! Which interpreter a new venv is made with, and which program makes it.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::config::Creator;
use crate::message::shown;

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
    if let Some(request) = read_request(&file) {
        if let Some(request) = Request::parse(&request) {
            return Ok(request.wanted(shown(&file)));
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
        return request.wanted(source);
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

/// `$PYENV_ROOT/versions` (by default `~/.pyenv/versions`), and whether pyenv is there.
fn pyenv_versions() -> (PathBuf, bool) {
    let root = std::env::var_os("PYENV_ROOT")
        .filter(|r| !r.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".pyenv")))
        .unwrap_or_else(|| PathBuf::from("/nonexistent/.pyenv"));
    let present = root.is_dir();
    (root.join("versions"), present)
}

/// The pyenv environment that `dir/.python-version` names (pyenv-virtualenv's
/// `pyenv local myenv`), when it is there: `$PYENV_ROOT/versions/myenv`. It is used as
/// the project's venv. A name that climbs out of `versions` is not followed.
pub fn pyenv_env(dir: &Path) -> Option<PathBuf> {
    let file = dir.join(".python-version");
    std::fs::symlink_metadata(&file).ok()?;
    let request = read_request(&file)?;
    if request == "system" || Request::parse(&request).is_some() {
        return None;
    }
    let safe = Path::new(&request)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !safe {
        return None;
    }
    let (versions, present) = pyenv_versions();
    let env = versions.join(&request);
    (present && env.is_dir()).then_some(env)
}

/// The first request in a `.python-version` file (read as a regular file, bounded).
fn read_request(file: &Path) -> Option<String> {
    let bytes = crate::fsread::read_if_regular(file, crate::fsread::PYTHON_VERSION_LIMIT)?;
    first_request(&bytes)
}

/// The first request in a `.python-version` file: the first line that is neither empty
/// nor a `#` comment, trimmed.
fn first_request(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
}

/// A version request: `3.12`, `3.12.4`, `3.13t`, `3`, `pypy3.10`, `cpython-3.12`,
/// `cpython@3.12`, `python3.11`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Request {
    /// The command: `python3.12`, `pypy3.10`.
    command: String,
    /// The version: `3.12`, `3.13t`.
    version: String,
    /// `Python` or `PyPy`.
    implementation: &'static str,
}

impl Request {
    /// Parses a request; anything else (`system`, a pyenv-virtualenv name) is `None`.
    fn parse(request: &str) -> Option<Request> {
        let lower = request.to_ascii_lowercase();
        for prefix in ["cpython-", "cpython@", "cpython", "python"] {
            if let Some(rest) = lower.strip_prefix(prefix) {
                return Request::parse(rest);
            }
        }
        let (program, implementation, rest) = match lower
            .strip_prefix("pypy@")
            .or_else(|| lower.strip_prefix("pypy-"))
            .or_else(|| lower.strip_prefix("pypy"))
        {
            Some(rest) => ("pypy", "PyPy", rest),
            None => ("python", "Python", lower.as_str()),
        };
        let (numbers, threaded) = match rest.strip_suffix('t') {
            Some(numbers) => (numbers, "t"),
            None => (rest, ""),
        };
        let parts: Vec<&str> = numbers.split('.').collect();
        if parts.is_empty()
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        let short = parts[..parts.len().min(2)].join(".");
        Some(Request {
            command: format!("{program}{short}{threaded}"),
            version: format!("{short}{threaded}"),
            implementation,
        })
    }

    fn wanted(self, source: String) -> Wanted {
        Wanted {
            name: self.command.into(),
            version: Some(self.version),
            implementation: self.implementation,
            source,
        }
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

/// The first executable file called `name` in a directory of `path` (a `PATH` value).
pub fn on_path(name: &OsStr, path: Option<&OsStr>) -> Option<PathBuf> {
    path?
        .as_bytes()
        .split(|&b| b == b':')
        .filter(|dir| !dir.is_empty() && dir.starts_with(b"/"))
        .map(|dir| Path::new(OsStr::from_bytes(dir)).join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(request: &str) -> Option<(String, String)> {
        Request::parse(request).map(|r| (r.command, r.version))
    }

    #[test]
    fn versions_become_commands() {
        let some = |c: &str, v: &str| Some((c.to_owned(), v.to_owned()));
        assert_eq!(command("3.12"), some("python3.12", "3.12"));
        assert_eq!(command("3.12.4"), some("python3.12", "3.12"));
        assert_eq!(command("3"), some("python3", "3"));
        assert_eq!(command("3.13t"), some("python3.13t", "3.13t"));
        assert_eq!(command("pypy3.10.14"), some("pypy3.10", "3.10"));
        assert_eq!(command("pypy@3.10"), some("pypy3.10", "3.10"));
        assert_eq!(command("cpython-3.11"), some("python3.11", "3.11"));
        assert_eq!(command("cpython@3.11.2"), some("python3.11", "3.11"));
        assert_eq!(command("python3.11"), some("python3.11", "3.11"));
        assert_eq!(command("system"), None);
        assert_eq!(command("my-env"), None);
        assert_eq!(command("3..1"), None);
        assert_eq!(
            Request::parse("pypy3.10").map(|r| r.implementation),
            Some("PyPy")
        );
    }

    #[test]
    fn the_first_real_line_counts() {
        assert_eq!(
            first_request(b"# pinned\n\n  3.12.4  \n3.11\n"),
            Some("3.12.4".to_owned())
        );
        assert_eq!(first_request(b"\n# only a comment\n"), None);
    }

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
