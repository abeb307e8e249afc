//! What one venv directory holds: its `pyvenv.cfg` and whether its interpreter works.

use std::ffi::{OsStr, OsString};
use std::io::ErrorKind;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::fsread::{self, ReadError};

/// The keys of `pyvenv.cfg` that autovenv reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PyvenvCfg {
    /// `home`: the directory of the interpreter the venv was made from.
    pub home: Option<OsString>,
    /// `version` (or `version_info`): the Python version.
    pub version: Option<String>,
    /// `prompt`: the name for the shell prompt, when the creator set one.
    pub prompt: Option<OsString>,
    /// Which tool wrote it: each one's `activate` sets `VIRTUAL_ENV_PROMPT` its own way.
    pub made_by: MadeBy,
}

/// The tool that made a venv, as its `pyvenv.cfg` says: uv and virtualenv each add a key of
/// their own name; CPython's `venv` (and PyPy's, the same module) adds none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MadeBy {
    /// `python -m venv`.
    #[default]
    Venv,
    /// `uv venv` (`uv = ...`).
    Uv,
    /// `virtualenv` (`virtualenv = ...`).
    Virtualenv,
}

impl PyvenvCfg {
    /// Parses the `key = value` lines of a `pyvenv.cfg`.
    pub fn parse(bytes: &[u8]) -> PyvenvCfg {
        let mut cfg = PyvenvCfg::default();
        for line in bytes.split(|&b| b == b'\n') {
            let Some(eq) = line.iter().position(|&b| b == b'=') else {
                continue;
            };
            let key = line[..eq].trim_ascii();
            let value = line[eq + 1..].trim_ascii();
            match key {
                b"home" => cfg.home = Some(OsString::from_vec(value.to_vec())),
                b"version" | b"version_info" => {
                    cfg.version = Some(String::from_utf8_lossy(value).into_owned())
                }
                b"prompt" => cfg.prompt = Some(OsString::from_vec(unquote(value))),
                b"uv" => cfg.made_by = MadeBy::Uv,
                b"virtualenv" => cfg.made_by = MadeBy::Virtualenv,
                _ => {}
            }
        }
        cfg
    }

    /// The value this venv's own `activate` gives `VIRTUAL_ENV_PROMPT` for the prompt name
    /// `name`, so that a prompt theme reading it sees the same after autovenv's activation
    /// as after `source .venv/bin/activate`: CPython's `venv` from 3.10 to 3.12 writes
    /// `(name) `; from 3.13, and uv and virtualenv at every version, the bare `name`.
    /// (Before 3.10 `activate` set none; the bare name is given there, and when the
    /// version cannot be read.) `disabled`: `VIRTUAL_ENV_DISABLE_PROMPT` is on, and then
    /// CPython's `activate` from 3.10 to 3.12 sets none: `None`.
    pub fn prompt_var(&self, name: &OsStr, disabled: bool) -> Option<OsString> {
        if self.made_by == MadeBy::Venv && matches!(self.minor_version(), Some((3, 10..=12))) {
            if disabled {
                return None;
            }
            let mut styled = OsString::from("(");
            styled.push(name);
            styled.push(") ");
            Some(styled)
        } else {
            Some(name.to_owned())
        }
    }

    /// `major.minor` of `version`: `3.12.1`, `3.12.1.final.0` and `3.13.0rc1` all count.
    fn minor_version(&self) -> Option<(u32, u32)> {
        let mut parts = self.version.as_deref()?.trim().split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?;
        let digits = minor.bytes().take_while(u8::is_ascii_digit).count();
        Some((major, minor[..digits].parse().ok()?))
    }
}

/// The prompt name inside a `VIRTUAL_ENV_PROMPT` in either form [`PyvenvCfg::prompt_var`]
/// gives: `(name) ` or `name`. A shell started inside an active project reads its prefix
/// back from it.
pub fn prompt_name(var: &OsStr) -> OsString {
    match var
        .as_bytes()
        .strip_prefix(b"(")
        .and_then(|b| b.strip_suffix(b") "))
    {
        Some(inner) if !inner.is_empty() => OsString::from_vec(inner.to_vec()),
        _ => var.to_owned(),
    }
}

/// `python -m venv --prompt X` writes the prompt as a Python string literal (`'X'`);
/// other creators write it bare. Returns the text either way.
fn unquote(value: &[u8]) -> Vec<u8> {
    let quoted = value.len() >= 2
        && (value[0] == b'\'' || value[0] == b'"')
        && value[value.len() - 1] == value[0];
    if !quoted {
        return value.to_vec();
    }
    let mut out = Vec::with_capacity(value.len());
    let mut bytes = value[1..value.len() - 1].iter();
    while let Some(&b) = bytes.next() {
        if b == b'\\' {
            match bytes.next() {
                Some(b'n') => out.push(b'\n'),
                Some(b't') => out.push(b'\t'),
                Some(&other) => out.push(other),
                None => out.push(b'\\'),
            }
        } else {
            out.push(b);
        }
    }
    out
}

/// Why a directory that looks like a venv cannot be activated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Problem {
    /// There is no `pyvenv.cfg`: it is not a venv (or a half-made one).
    NoConfig,
    /// `bin/python` is missing.
    NoPython,
    /// `bin/python` points to an interpreter that is gone (e.g. removed by an upgrade).
    DanglingPython(PathBuf),
    /// The directory `pyvenv.cfg` names as `home` (where the interpreter the venv was made
    /// from lives) is gone, e.g. removed by a Python upgrade.
    MissingHome(PathBuf),
    /// The path holds `:`, so its `bin` cannot be put on `PATH`.
    ColonInPath,
    /// `pyvenv.cfg` or `bin/python` is there but is nothing autovenv reads or runs: a
    /// FIFO, a device, a directory, a file larger than any creator writes, or unreadable.
    Unusable {
        /// The file, relative to the venv: `pyvenv.cfg` or `bin/python`.
        file: &'static str,
        /// Why, to follow the file's name: "is a FIFO, not a regular file".
        why: String,
    },
    /// `pyvenv.cfg` lacks the keys every venv creator writes (`home`, and `version` or
    /// `version_info`): whatever wrote it, the interpreter would not start as a venv's.
    NotAVenvConfig,
    /// Where the venv belongs there is a file (or a link to one), not a directory.
    NotADirectory,
    /// autovenv's creation of it has not finished (it holds [`INCOMPLETE_MARKER`]): it is
    /// being made right now, or its making was cut short.
    Incomplete,
}

/// The file autovenv puts in a venv directory before creating the venv and removes once
/// the venv is complete; a venv that holds it is never activated.
pub(crate) const INCOMPLETE_MARKER: &str = ".autovenv-incomplete";

/// A venv directory found on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Venv {
    /// The venv directory (`<root>/.venv`), as reached from `$PWD` (symlinks kept).
    pub path: PathBuf,
    /// Its parsed `pyvenv.cfg` (empty when there is none).
    pub cfg: PyvenvCfg,
    /// What keeps it from being activated, if anything.
    pub problem: Option<Problem>,
}

impl Venv {
    /// Reads the venv at `path`.
    pub fn inspect(path: PathBuf) -> Venv {
        let read = fsread::read_bounded(&path.join("pyvenv.cfg"), fsread::PYVENV_CFG_LIMIT);
        let (cfg, mut problem) = match read {
            Ok(bytes) => {
                let cfg = PyvenvCfg::parse(&bytes);
                let problem = (cfg.home.is_none() || cfg.version.is_none())
                    .then_some(Problem::NotAVenvConfig);
                (cfg, problem)
            }
            Err(ReadError::Missing) => (PyvenvCfg::default(), Some(Problem::NoConfig)),
            Err(e) => (
                PyvenvCfg::default(),
                Some(Problem::Unusable {
                    file: "pyvenv.cfg",
                    why: why(&e),
                }),
            ),
        };
        if std::fs::symlink_metadata(path.join(INCOMPLETE_MARKER)).is_ok() {
            problem = Some(Problem::Incomplete);
        }
        if problem.is_none() {
            problem = python_problem(&path.join("bin").join("python"));
        }
        if problem.is_none() {
            problem = home_problem(&cfg);
        }
        if problem.is_none() && path.as_os_str().as_bytes().contains(&b':') {
            problem = Some(Problem::ColonInPath);
        }
        Venv { path, cfg, problem }
    }

    /// What stands where a venv belongs but is not a directory (see
    /// [`Problem::NotADirectory`]).
    pub fn not_a_directory(path: PathBuf) -> Venv {
        Venv {
            path,
            cfg: PyvenvCfg::default(),
            problem: Some(Problem::NotADirectory),
        }
    }

    /// The venv's `bin` directory, the entry activation puts on `PATH`.
    pub fn bin(&self) -> PathBuf {
        self.path.join("bin")
    }

    /// The name for `VIRTUAL_ENV_PROMPT`: `pyvenv.cfg`'s `prompt`, else the template from
    /// the config with `{venv}` and `{project}` filled in.
    pub fn prompt(&self, template: &str, root: &Path) -> OsString {
        if let Some(prompt) = &self.cfg.prompt {
            return prompt.clone();
        }
        let name = |p: &Path| {
            p.file_name()
                .map(|n| n.as_bytes().to_vec())
                .unwrap_or_default()
        };
        let mut out = Vec::new();
        let mut rest = template.as_bytes();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix(b"{venv}") {
                out.extend(name(&self.path));
                rest = after;
            } else if let Some(after) = rest.strip_prefix(b"{project}") {
                out.extend(name(root));
                rest = after;
            } else {
                out.push(rest[0]);
                rest = &rest[1..];
            }
        }
        OsString::from_vec(out)
    }
}

/// The reason a file was not read, to follow its name in a message.
fn why(e: &ReadError) -> String {
    match e {
        ReadError::Missing => "does not exist".into(),
        ReadError::NotRegular(kind) => format!("is a {kind}, not a regular file"),
        ReadError::TooLarge(limit) => format!("is larger than {limit} bytes"),
        ReadError::Io(e) => format!("cannot be read ({e})"),
    }
}

/// What keeps `bin/python` from running. Only looked at (`stat`), never opened: a link to
/// a device or a FIFO is refused as it is.
fn python_problem(python: &Path) -> Option<Problem> {
    match std::fs::metadata(python) {
        Ok(meta) => fsread::not_regular(&meta).map(|kind| Problem::Unusable {
            file: "bin/python",
            why: why(&ReadError::NotRegular(kind)),
        }),
        Err(e) if e.kind() == ErrorKind::NotFound => match std::fs::read_link(python) {
            Ok(_) => Some(Problem::DanglingPython(
                std::fs::canonicalize(python.parent()?)
                    .map(|bin| bin.join("python"))
                    .ok()
                    .and_then(|p| final_target(&p))
                    .unwrap_or_else(|| python.to_owned()),
            )),
            Err(_) => Some(Problem::NoPython),
        },
        Err(_) => Some(Problem::NoPython),
    }
}

/// A `home` that is an absolute path to nothing. A relative or empty `home` is not
/// judged: no creator writes one.
fn home_problem(cfg: &PyvenvCfg) -> Option<Problem> {
    let home = Path::new(cfg.home.as_deref()?);
    if !home.is_absolute() {
        return None;
    }
    match std::fs::metadata(home) {
        Err(e) if e.kind() == ErrorKind::NotFound || e.kind() == ErrorKind::NotADirectory => {
            Some(Problem::MissingHome(home.to_owned()))
        }
        _ => None,
    }
}

/// Follows a chain of symlinks to the last target, even when that target is missing.
fn final_target(link: &Path) -> Option<PathBuf> {
    let mut current = link.to_owned();
    for _ in 0..32 {
        match std::fs::read_link(&current) {
            Ok(target) => current = current.parent()?.join(target),
            Err(_) => return Some(current),
        }
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_env_prompt_takes_the_form_the_venvs_own_activate_writes() {
        let name = OsStr::new("my proj");
        for (text, expected) in [
            ("version = 3.10.13\n", "(my proj) "),
            ("version = 3.11.7\n", "(my proj) "),
            ("version = 3.12.1\n", "(my proj) "),
            ("version = 3.13.0\n", "my proj"),
            ("version = 3.14.0rc1\n", "my proj"),
            ("version = 3.9.18\n", "my proj"),
            ("version = 4.1\n", "my proj"),
            ("uv = 0.13.9\nversion_info = 3.11.7\n", "my proj"),
            (
                "version_info = 3.11.7.final.0\nvirtualenv = 21.15.11\n",
                "my proj",
            ),
            ("version = garbage\n", "my proj"),
            ("", "my proj"),
        ] {
            let cfg = PyvenvCfg::parse(text.as_bytes());
            let var = cfg.prompt_var(name, false).unwrap_or_default();
            assert_eq!(var, OsString::from(expected), "{text}");
            assert_eq!(prompt_name(&var), name, "{text}");
            // With the prompt disabled, only CPython's 3.10 to 3.12 set none.
            let none = expected.starts_with('(');
            assert_eq!(cfg.prompt_var(name, true).is_none(), none, "{text}");
        }
        assert_eq!(prompt_name(OsStr::new("() ")), OsString::from("() "));
        assert_eq!(prompt_name(OsStr::new("(a)")), OsString::from("(a)"));
    }

    #[test]
    fn parses_cpython_and_uv_configs() {
        let cfg = PyvenvCfg::parse(
            b"home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\nprompt = 'my proj'\n",
        );
        assert_eq!(cfg.home, Some("/usr/bin".into()));
        assert_eq!(cfg.version.as_deref(), Some("3.11.7"));
        assert_eq!(cfg.prompt, Some("my proj".into()));

        let cfg = PyvenvCfg::parse(b"home = /x\nversion_info = 3.12.4\nprompt = bare\n");
        assert_eq!(cfg.version.as_deref(), Some("3.12.4"));
        assert_eq!(cfg.prompt, Some("bare".into()));

        let cfg = PyvenvCfg::parse(b"prompt = \"it's\"\nnonsense line\n=\n");
        assert_eq!(cfg.prompt, Some("it's".into()));
        assert_eq!(PyvenvCfg::parse(b"\xff\xfe"), PyvenvCfg::default());
    }

    #[test]
    fn a_missing_home_is_a_problem() {
        let cfg = |home: &str| PyvenvCfg::parse(format!("home = {home}\n").as_bytes());
        let gone = "/nonexistent/autovenv/bin";
        assert_eq!(
            home_problem(&cfg(gone)),
            Some(Problem::MissingHome(PathBuf::from(gone)))
        );
        assert_eq!(home_problem(&cfg("/")), None);
        assert_eq!(home_problem(&cfg("relative/bin")), None);
        assert_eq!(home_problem(&PyvenvCfg::default()), None);
    }

    #[test]
    fn prompt_template() {
        let venv = Venv {
            path: PathBuf::from("/p/proj/.venv"),
            cfg: PyvenvCfg::default(),
            problem: None,
        };
        let root = Path::new("/p/proj");
        assert_eq!(venv.prompt("{venv}", root), OsString::from(".venv"));
        assert_eq!(
            venv.prompt("{project}-{venv}", root),
            OsString::from("proj-.venv")
        );
        assert_eq!(venv.prompt("é{", root), OsString::from("é{"));
    }
}
