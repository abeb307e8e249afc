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
    /// Who asked, for messages: `/p/.python-version`, "the config's `python`", ….
    pub source: String,
}

/// The interpreter for a venv at project `root`: `--python`, else the first line of
/// `.python-version` (`3.12` → `python3.12`), else the config's `python`, else `python3`.
pub fn wanted(root: &Path, flag: Option<&OsStr>, config: Option<&OsStr>) -> Wanted {
    if let Some(name) = flag {
        return Wanted {
            name: name.to_owned(),
            version: None,
            source: "--python".into(),
        };
    }
    let file = root.join(".python-version");
    // Not a regular file, or larger than any version file: as if there were none.
    if let Some(bytes) = crate::fsread::read_if_regular(&file, crate::fsread::PYTHON_VERSION_LIMIT)
    {
        if let Some((name, version)) = first_request(&bytes).and_then(command_for) {
            return Wanted {
                name: name.into(),
                version: Some(version),
                source: shown(&file),
            };
        }
    }
    match config {
        Some(name) => Wanted {
            name: name.to_owned(),
            version: None,
            source: "the config's `python`".into(),
        },
        None => Wanted {
            name: "python3".into(),
            version: None,
            source: "the default".into(),
        },
    }
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

/// The command for a version request and the version it stands for:
/// `3.12` and `3.12.4` → `python3.12`, `3.13t` → `python3.13t`, `3` → `python3`,
/// `pypy3.10` → `pypy3.10`, `cpython-3.12`/`cpython@3.12` → `python3.12`. Anything else
/// (`system`, a pyenv-virtualenv name) is left to the default interpreter.
fn command_for(request: String) -> Option<(String, String)> {
    let lower = request.to_ascii_lowercase();
    for prefix in ["cpython-", "cpython@", "cpython", "python"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            return command_for(rest.to_owned());
        }
    }
    let (program, rest) = match lower.strip_prefix("pypy") {
        Some(rest) => ("pypy", rest),
        None => ("python", lower.as_str()),
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
    Some((
        format!("{program}{short}{threaded}"),
        format!("{short}{threaded}"),
    ))
}

impl Wanted {
    /// Finds the interpreter: a name with a `/` is a path (relative to `root`), anything
    /// else is looked up on `PATH`; a version that is not there is also asked of `uv`
    /// when uv makes the venv (`uv python find`: the Pythons uv installed, and any
    /// interpreter of that version under another name). The error is one line naming
    /// what was looked for.
    pub fn find(
        &self,
        root: &Path,
        path: Option<&OsStr>,
        maker: &Maker,
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
        match (&self.version, maker) {
            (Some(version), Maker::Uv(uv)) => uv_find(uv, version, root, path).ok_or_else(|| {
                format!(
                    "Python {version} is not installed: looked for {} on PATH and among uv's Pythons, as {} asks: install it (`uv python install {version}`), or change that file",
                    shown(&self.name),
                    self.source
                )
            }),
            (Some(version), _) => Err(format!(
                "Python {version} is not installed: looked for {} on PATH, as {} asks: install it, or change that file",
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
fn uv_find(uv: &Path, version: &str, root: &Path, path: Option<&OsStr>) -> Option<PathBuf> {
    let mut cmd = std::process::Command::new(uv);
    cmd.args(["python", "find", "--no-project", version])
        .current_dir(root)
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
        command_for(request.to_owned())
    }

    #[test]
    fn versions_become_commands() {
        let some = |c: &str, v: &str| Some((c.to_owned(), v.to_owned()));
        assert_eq!(command("3.12"), some("python3.12", "3.12"));
        assert_eq!(command("3.12.4"), some("python3.12", "3.12"));
        assert_eq!(command("3"), some("python3", "3"));
        assert_eq!(command("3.13t"), some("python3.13t", "3.13t"));
        assert_eq!(command("pypy3.10.14"), some("pypy3.10", "3.10"));
        assert_eq!(command("cpython-3.11"), some("python3.11", "3.11"));
        assert_eq!(command("cpython@3.11.2"), some("python3.11", "3.11"));
        assert_eq!(command("system"), None);
        assert_eq!(command("my-env"), None);
        assert_eq!(command("3..1"), None);
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
        let w = wanted(&dir, None, Some(OsStr::new("python3.9")));
        assert_eq!(w.name, OsString::from("python3.9"));
        std::fs::write(dir.join(".python-version"), "3.12.4\n").expect("write");
        let w = wanted(&dir, None, Some(OsStr::new("python3.9")));
        assert_eq!(w.name, OsString::from("python3.12"));
        assert_eq!(w.version.as_deref(), Some("3.12"));
        let w = wanted(&dir, Some(OsStr::new("/x/py")), None);
        assert_eq!(w.name, OsString::from("/x/py"));
        std::fs::write(dir.join(".python-version"), "system\n").expect("write");
        assert_eq!(wanted(&dir, None, None).name, OsString::from("python3"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
