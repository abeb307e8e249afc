//! The environment pipenv uses for a project, computed as pipenv computes it
//! (`VenvLocator` in pipenv's `pipenv/utils/venv_locator.py`), without running pipenv:
//!
//! - a project is pipenv's when it has a `Pipfile`;
//! - `PIPENV_VENV_IN_PROJECT` true (`1`, `true`, `yes`, `on`), or, when it is unset, the
//!   Pipfile's `[pipenv] venv_in_project = true`: `<project>/.venv`, which discovery finds
//!   as an in-project venv;
//! - else `<workon home>/<name>`: the workon home is `$WORKON_HOME`, else
//!   `$XDG_DATA_HOME/virtualenvs`, else `~/.local/share/virtualenvs`; the name is
//!   `PIPENV_CUSTOM_VENV_NAME` when set, else the project directory's name with
//!   `` &$`!*@"()[]\`` and blanks replaced by `_`, cut to 42 characters, then `-` and the
//!   URL-safe base64 of the first 6 bytes of the SHA-256 of the Pipfile's path (the
//!   project's real path and `/Pipfile`), then `-$PIPENV_PYTHON` (its file name when it is
//!   a path) when that is set.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::fsread::{read_if_regular, PROJECT_FILE_LIMIT};

/// A pipenv project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// The directory that holds the `Pipfile`.
    pub root: PathBuf,
}

/// Where pipenv's environment for a project is.
pub use super::ToolEnv as Env;

impl Project {
    /// The pipenv project at `dir`, if it is one.
    pub fn at(dir: &Path) -> Option<Project> {
        crate::fsread::is_regular_file(&dir.join("Pipfile")).then(|| Project {
            root: dir.to_owned(),
        })
    }

    /// pipenv's environment for this project.
    pub fn environment(&self) -> Env {
        let in_project = match std::env::var_os("PIPENV_VENV_IN_PROJECT") {
            Some(value) => truthy(&value.to_string_lossy()),
            None => self.pipfile_in_project(),
        };
        if in_project == Some(true) {
            return Env::Missing(vec![self.root.join(".venv")]);
        }
        let path = match (workon_home(), self.name()) {
            (Some(home), Some(name)) => home.join(name),
            _ => return Env::Missing(vec![self.root.join(".venv")]),
        };
        if super::is_dir(&path) {
            Env::Found(path)
        } else {
            Env::Missing(vec![path])
        }
    }

    /// `[pipenv] venv_in_project` in the Pipfile.
    fn pipfile_in_project(&self) -> Option<bool> {
        let bytes = read_if_regular(&self.root.join("Pipfile"), PROJECT_FILE_LIMIT)?;
        let table: toml::Table = std::str::from_utf8(&bytes).ok()?.parse().ok()?;
        table.get("pipenv")?.get("venv_in_project")?.as_bool()
    }

    /// The environment's directory name.
    fn name(&self) -> Option<String> {
        if let Some(custom) = super::env_path("PIPENV_CUSTOM_VENV_NAME") {
            return custom.into_string().ok();
        }
        let real = std::fs::canonicalize(&self.root).ok()?;
        let dir_name = real.file_name()?.to_str()?;
        let mut name = env_name(dir_name, real.join("Pipfile").as_os_str().as_bytes());
        if let Some(python) = super::env_path("PIPENV_PYTHON") {
            let python = PathBuf::from(python);
            let suffix = if python.is_absolute() {
                python.file_name()?.to_str()?.to_owned()
            } else {
                python.to_str()?.to_owned()
            };
            name.push('-');
            name.push_str(&suffix);
        }
        Some(name)
    }
}

/// The sanitized directory name, `-`, and 8 characters of hash of the Pipfile's path.
pub fn env_name(dir_name: &str, pipfile: &[u8]) -> String {
    let sanitized: String = dir_name
        .chars()
        .map(|c| match c {
            ' ' | '&' | '$' | '`' | '!' | '*' | '@' | '"' | '(' | ')' | '[' | ']' | '\\' | '\r'
            | '\n' | '\t' => '_',
            c => c,
        })
        .take(42)
        .collect();
    let hash = super::urlsafe_b64(&Sha256::digest(pipfile)[..6]);
    format!("{sanitized}-{}", &hash[..8])
}

/// pipenv's workon home: `$WORKON_HOME`, else `$XDG_DATA_HOME/virtualenvs`, else
/// `~/.local/share/virtualenvs`.
pub fn workon_home() -> Option<PathBuf> {
    if let Some(home) = super::env_path("WORKON_HOME") {
        return Some(super::expand_user(home.as_bytes()));
    }
    let data = match super::env_path("XDG_DATA_HOME") {
        Some(xdg) => super::expand_user(xdg.as_bytes()),
        None => PathBuf::from(super::env_path("HOME")?).join(".local/share"),
    };
    Some(data.join("virtualenvs"))
}

/// pipenv's reading of a yes/no variable.
fn truthy(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_pipenv_does() {
        // Python: base64.urlsafe_b64encode(hashlib.sha256(b"/tmp/My Proj/Pipfile").digest()[:6])
        assert_eq!(
            env_name("My Proj", b"/tmp/My Proj/Pipfile"),
            "My_Proj-u-rqaMUh"
        );
        assert_eq!(truthy("On"), Some(true));
        assert_eq!(truthy(""), None);
    }
}
