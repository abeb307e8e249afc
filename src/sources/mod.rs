//! Where a project's environment is when it is not a venv directory in the project: a
//! `.venv` file that redirects or names one, a `.python-version` naming a
//! pyenv-virtualenv environment, or the environment poetry or pipenv keep for the project
//! in their own directories.
//!
//! Each rule is computed from a few `stat`s and small bounded reads ([`crate::fsread`]);
//! no tool is ever run to ask.

pub mod pipenv;
pub mod poetry;
pub mod redirect;

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Which rule found a project's environment (`status --json`'s `"source"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Source {
    /// A venv directory in the project (`.venv`, `venv`, `UV_PROJECT_ENVIRONMENT`).
    #[default]
    InProject,
    /// A `.venv` file holding a path, relative to the file (PEP 832 draft).
    Redirect,
    /// A `.venv` file holding a name under `$WORKON_HOME` (virtualenvwrapper style).
    Workon,
    /// A `.python-version` naming a pyenv-virtualenv environment.
    Pyenv,
    /// The environment poetry keeps for the project.
    Poetry,
    /// The environment pipenv keeps for the project.
    Pipenv,
}

impl Source {
    /// The name `status --json` shows.
    pub fn name(self) -> &'static str {
        match self {
            Source::InProject => "in-project",
            Source::Redirect => "redirect",
            Source::Workon => "workon",
            Source::Pyenv => "pyenv",
            Source::Poetry => "poetry",
            Source::Pipenv => "pipenv",
        }
    }
}

/// A tool that makes and owns a project's environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// poetry: `pyproject.toml` with `[tool.poetry]`, or `poetry.lock`.
    Poetry,
    /// pipenv: `Pipfile`.
    Pipenv,
}

impl Tool {
    /// The rule that finds the environment the tool keeps.
    pub fn source(self) -> Source {
        match self {
            Tool::Poetry => Source::Poetry,
            Tool::Pipenv => Source::Pipenv,
        }
    }

    /// The command that makes the project's environment.
    pub fn install_command(self) -> &'static str {
        match self {
            Tool::Poetry => "poetry install",
            Tool::Pipenv => "pipenv install",
        }
    }

    /// The tool's name.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Poetry => "poetry",
            Tool::Pipenv => "pipenv",
        }
    }
}

/// The files whose appearance, removal or change may point a project at another
/// environment; the hook watches them.
pub const POINTER_FILES: [&str; 5] = [
    ".venv",
    ".python-version",
    "poetry.lock",
    "pyproject.toml",
    "Pipfile",
];

/// Where a tool keeps a project's environment (poetry's and pipenv's rules).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToolEnv {
    /// It exists here.
    Found(PathBuf),
    /// It is not made yet; it will be one of these (poetry's name depends on the
    /// interpreter it will find, so it may be one of several).
    Missing(Vec<PathBuf>),
}

/// What the rules say about the directory `dir`, when it holds no venv directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// An environment directory exists where a rule points.
    Env {
        /// The rule.
        source: Source,
        /// The environment directory (it exists).
        path: PathBuf,
    },
    /// `dir` is a poetry or pipenv project whose environment is not made yet.
    Missing {
        /// The tool that makes it.
        tool: Tool,
        /// Where it will appear, as far as can be told: the hook watches these.
        expected: Vec<PathBuf>,
    },
    /// A `.venv` file names an environment that does not exist.
    Dangling {
        /// The rule.
        source: Source,
        /// The path it names.
        path: PathBuf,
    },
}

/// Applies the rules in order to `dir`: the `.venv` file, `.python-version` (unless
/// `version_file_only`, i.e. `dir` is the home directory or `/`), poetry, pipenv.
pub fn find(dir: &Path, version_file_only: bool) -> Option<Found> {
    if let Some((source, path)) = redirect::target(dir) {
        return Some(if is_dir(&path) {
            Found::Env { source, path }
        } else {
            Found::Dangling { source, path }
        });
    }
    if version_file_only {
        return None;
    }
    if let Some(path) = crate::python_version::pyenv_env(dir) {
        return Some(Found::Env {
            source: Source::Pyenv,
            path,
        });
    }
    let tool_env = if let Some(project) = poetry::Project::at(dir) {
        Some((Tool::Poetry, project.environment()))
    } else {
        pipenv::Project::at(dir).map(|project| (Tool::Pipenv, project.environment()))
    };
    tool_env.map(|(tool, env)| match env {
        ToolEnv::Found(path) => Found::Env {
            source: tool.source(),
            path,
        },
        ToolEnv::Missing(expected) => Found::Missing { tool, expected },
    })
}

/// Whether `path` is (or links to) a directory.
pub(crate) fn is_dir(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_dir())
}

/// `~` and `~/…` expanded with `$HOME`, as Python's `expanduser` does.
pub(crate) fn expand_user(path: &[u8]) -> PathBuf {
    let home = || std::env::var_os("HOME").filter(|h| !h.is_empty());
    if path == b"~" {
        if let Some(home) = home() {
            return PathBuf::from(home);
        }
    } else if let Some(rest) = path.strip_prefix(b"~/") {
        if let Some(home) = home() {
            return PathBuf::from(home).join(std::ffi::OsStr::from_bytes(rest));
        }
    }
    PathBuf::from(std::ffi::OsStr::from_bytes(path))
}

/// An environment variable that is set and not empty.
pub(crate) fn env_path(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// `base64.urlsafe_b64encode` (with padding) of `bytes`.
pub(crate) fn urlsafe_b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlsafe_base64_as_python_writes_it() {
        assert_eq!(urlsafe_b64(b""), "");
        assert_eq!(urlsafe_b64(b"f"), "Zg==");
        assert_eq!(urlsafe_b64(b"fo"), "Zm8=");
        assert_eq!(urlsafe_b64(b"foo"), "Zm9v");
        assert_eq!(urlsafe_b64(&[0xfb, 0xff, 0xbf]), "-_-_");
    }
}
