//! The `.python-version` file (pyenv's, also read by uv): the Python a project asks for,
//! or the pyenv environment that is its venv. Read by discovery (which activates that
//! environment) and by creation (which makes a venv with that Python).

use std::path::{Component, Path, PathBuf};

/// A version request: `3.12`, `3.12.4`, `3.13t`, `3`, `pypy3.10`, `cpython-3.12`,
/// `cpython@3.12`, `python3.11`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The command: `python3.12`, `pypy3.10`.
    pub command: String,
    /// The version: `3.12`, `3.13t`.
    pub version: String,
    /// `Python` or `PyPy`.
    pub implementation: &'static str,
}

impl Request {
    /// Parses a request; anything else (`system`, a pyenv-virtualenv name) is `None`.
    pub fn parse(request: &str) -> Option<Request> {
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
}

/// The first request in `dir/.python-version` (read as a regular file, bounded), as
/// written: a version, `system`, or a pyenv environment's name.
pub fn read(dir: &Path) -> Option<String> {
    let file = dir.join(".python-version");
    let bytes = crate::fsread::read_if_regular(&file, crate::fsread::PYTHON_VERSION_LIMIT)?;
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

/// The pyenv environment that `dir/.python-version` names (pyenv-virtualenv's
/// `pyenv local myenv`), when it is there: `$PYENV_ROOT/versions/myenv`. It is used as
/// the project's venv. A name that climbs out of `versions` is not followed.
pub fn pyenv_env(dir: &Path) -> Option<PathBuf> {
    std::fs::symlink_metadata(dir.join(".python-version")).ok()?;
    let request = read(dir)?;
    if request == "system" || Request::parse(&request).is_some() {
        return None;
    }
    let safe = Path::new(&request)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if !safe {
        return None;
    }
    let (versions, present) = pyenv_versions();
    let env = versions.join(&request);
    (present && env.is_dir()).then_some(env)
}

/// `$PYENV_ROOT/versions` (by default `~/.pyenv/versions`), and whether pyenv is there.
pub fn pyenv_versions() -> (PathBuf, bool) {
    let root = std::env::var_os("PYENV_ROOT")
        .filter(|r| !r.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".pyenv")))
        .unwrap_or_else(|| PathBuf::from("/nonexistent/.pyenv"));
    let present = root.is_dir();
    (root.join("versions"), present)
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
}
