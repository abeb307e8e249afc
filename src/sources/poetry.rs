//! The environment poetry uses for a project, computed as poetry computes it
//! (`EnvManager.get` in poetry's `src/poetry/utils/env/env_manager.py`), without running
//! poetry:
//!
//! - a project is poetry's when its `pyproject.toml` has a `[tool.poetry]` table or a
//!   `poetry.lock` lies beside it;
//! - `virtualenvs.in-project` (`POETRY_VIRTUALENVS_IN_PROJECT`, the project's
//!   `poetry.toml`, poetry's `config.toml`): true means `<project>/.venv`, which
//!   discovery finds as an in-project venv;
//! - else the environment is `<virtualenvs.path>/<name>-py<X.Y>`, where `virtualenvs.path`
//!   is `POETRY_VIRTUALENVS_PATH`, else the setting in `poetry.toml` or `config.toml`, else
//!   `<cache-dir>/virtualenvs` (`cache-dir`: `POETRY_CACHE_DIR`, the setting, else
//!   `$XDG_CACHE_HOME/pypoetry` or `~/.cache/pypoetry`);
//! - `<name>` is `generate_env_name`: the package name (canonical: lower case, runs of
//!   `-_.` as one `-`; `non-package-mode` when there is none), lower-cased, with
//!   `` $`!*@"\`` and blanks replaced by `_`, cut to 42 characters, then `-` and the first
//!   8 characters of the URL-safe base64 of the SHA-256 of the project's real path;
//! - `X.Y` is the one `envs.toml` (in `virtualenvs.path`) records for `<name>` (`poetry
//!   env use`); else the one environment `<name>-py*` there, or the newest of several.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::fsread::{read_if_regular, PROJECT_FILE_LIMIT, TOOL_CONFIG_LIMIT};

/// A poetry project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// The project directory (where `pyproject.toml` is).
    pub root: PathBuf,
    /// The package name, canonical.
    pub name: String,
}

/// Where poetry's environment for a project is.
pub use super::ToolEnv as Env;

/// The Python minor versions poetry may name a new environment after, watched until one
/// appears (the one it picks depends on the interpreter it finds, which is not asked).
const MINORS: std::ops::RangeInclusive<u32> = 8..=16;

impl Project {
    /// The poetry project at `dir`, if it is one.
    pub fn at(dir: &Path) -> Option<Project> {
        let pyproject = dir.join("pyproject.toml");
        if !crate::fsread::is_regular_file(&pyproject) {
            return None;
        }
        let bytes = read_if_regular(&pyproject, PROJECT_FILE_LIMIT)?;
        let table: toml::Table = std::str::from_utf8(&bytes).ok()?.parse().ok()?;
        let tool_poetry = table.get("tool").and_then(|t| t.get("poetry"));
        let locked = crate::fsread::is_regular_file(&dir.join("poetry.lock"));
        if tool_poetry.is_none() && !locked {
            return None;
        }
        let name = table
            .get("project")
            .and_then(|p| p.get("name"))
            .or_else(|| tool_poetry.and_then(|t| t.get("name")))
            .and_then(|n| n.as_str())
            .map(canonical)
            .unwrap_or_else(|| "non-package-mode".to_owned());
        Some(Project {
            root: dir.to_owned(),
            name,
        })
    }

    /// poetry's environment for this project.
    pub fn environment(&self) -> Env {
        let config = Settings::load(&self.root);
        if config.in_project == Some(true) {
            return Env::Missing(vec![self.root.join(".venv")]);
        }
        let Some(venvs) = config.virtualenvs_path() else {
            return Env::Missing(Vec::new());
        };
        let Ok(real) = std::fs::canonicalize(&self.root) else {
            return Env::Missing(Vec::new());
        };
        let base = env_name(&self.name, real.as_os_str().as_bytes());
        let named = |minor: &str| venvs.join(format!("{base}-py{minor}"));
        if let Some(minor) = recorded_minor(&venvs, &base) {
            let path = named(&minor);
            return if super::is_dir(&path) {
                Env::Found(path)
            } else {
                Env::Missing(vec![path])
            };
        }
        let prefix = format!("{base}-py");
        let mut found: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(&venvs)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                let version = name.strip_prefix(&prefix)?;
                let key = version
                    .split('.')
                    .map(|p| p.parse().ok())
                    .collect::<Option<Vec<u32>>>()?;
                Some((key, entry.path()))
            })
            .filter(|(_, path)| super::is_dir(path))
            .collect();
        found.sort();
        match found.pop() {
            Some((_, path)) => Env::Found(path),
            None => Env::Missing(MINORS.map(|m| named(&format!("3.{m}"))).collect()),
        }
    }
}

/// `generate_env_name(name, cwd)`: the sanitized name, `-`, and 8 characters of hash.
pub fn env_name(name: &str, real_path: &[u8]) -> String {
    let sanitized: String = name
        .to_lowercase()
        .chars()
        .map(|c| match c {
            ' ' | '$' | '`' | '!' | '*' | '@' | '"' | '\\' | '\r' | '\n' | '\t' => '_',
            c => c,
        })
        .take(42)
        .collect();
    let hash = super::urlsafe_b64(&Sha256::digest(real_path));
    format!("{sanitized}-{}", &hash[..8])
}

/// A package name as poetry-core keeps it: lower case, each run of `-`, `_` and `.` one `-`.
fn canonical(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !run {
                out.push('-');
            }
            run = true;
        } else {
            out.extend(c.to_lowercase());
            run = false;
        }
    }
    out
}

/// The `minor` that `envs.toml` records for `base` (`poetry env use`).
fn recorded_minor(venvs: &Path, base: &str) -> Option<String> {
    let table = read_toml(&venvs.join("envs.toml"))?;
    let minor = table.get(base)?.get("minor")?.as_str()?.trim();
    let plain = !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    plain.then(|| minor.to_owned())
}

/// The settings that place the environment, each from the first of: a `POETRY_*`
/// variable, the project's `poetry.toml`, poetry's `config.toml`.
#[derive(Debug, Default)]
struct Settings {
    in_project: Option<bool>,
    path: Option<OsString>,
    cache_dir: Option<OsString>,
}

impl Settings {
    fn load(root: &Path) -> Settings {
        let mut settings = Settings::default();
        if let Some(dir) = config_dir() {
            settings.merge(read_toml(&dir.join("config.toml")));
        }
        settings.merge(read_toml(&root.join("poetry.toml")));
        if let Some(value) = std::env::var_os("POETRY_VIRTUALENVS_IN_PROJECT") {
            let value = value.to_string_lossy().to_lowercase();
            settings.in_project = Some(value == "true" || value == "1");
        }
        if let Some(path) = std::env::var_os("POETRY_VIRTUALENVS_PATH") {
            settings.path = Some(path);
        }
        if let Some(dir) = std::env::var_os("POETRY_CACHE_DIR") {
            settings.cache_dir = Some(dir);
        }
        settings
    }

    fn merge(&mut self, table: Option<toml::Table>) {
        let Some(table) = table else { return };
        let venvs = table.get("virtualenvs");
        if let Some(value) = venvs.and_then(|v| v.get("in-project")) {
            self.in_project = match value {
                toml::Value::Boolean(b) => Some(*b),
                toml::Value::String(s) => Some(s == "true" || s == "1"),
                _ => None,
            };
        }
        if let Some(path) = venvs.and_then(|v| v.get("path")).and_then(|p| p.as_str()) {
            self.path = Some(path.into());
        }
        if let Some(dir) = table.get("cache-dir").and_then(|p| p.as_str()) {
            self.cache_dir = Some(dir.into());
        }
    }

    /// `virtualenvs.path`, with `{cache-dir}` and `~` expanded.
    fn virtualenvs_path(&self) -> Option<PathBuf> {
        let cache = match &self.cache_dir {
            Some(dir) => super::expand_user(dir.as_bytes()),
            None => match super::env_path("XDG_CACHE_HOME").map(PathBuf::from) {
                Some(xdg) if xdg.is_absolute() => xdg.join("pypoetry"),
                _ => PathBuf::from(super::env_path("HOME")?).join(".cache/pypoetry"),
            },
        };
        let Some(path) = &self.path else {
            return Some(cache.join("virtualenvs"));
        };
        let mut out = Vec::new();
        let mut rest = path.as_bytes();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix(b"{cache-dir}") {
                out.extend_from_slice(cache.as_os_str().as_bytes());
                rest = after;
            } else {
                out.push(rest[0]);
                rest = &rest[1..];
            }
        }
        Some(super::expand_user(&OsString::from_vec(out).into_vec()))
    }
}

/// poetry's config directory: `POETRY_CONFIG_DIR`, else `$XDG_CONFIG_HOME/pypoetry`, else
/// `~/.config/pypoetry`.
fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = super::env_path("POETRY_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    match super::env_path("XDG_CONFIG_HOME").map(PathBuf::from) {
        Some(xdg) if xdg.is_absolute() => Some(xdg.join("pypoetry")),
        _ => Some(PathBuf::from(super::env_path("HOME")?).join(".config/pypoetry")),
    }
}

fn read_toml(path: &Path) -> Option<toml::Table> {
    let bytes = read_if_regular(path, TOOL_CONFIG_LIMIT)?;
    std::str::from_utf8(&bytes).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_poetry_does() {
        assert_eq!(canonical("My_Proj..x"), "my-proj-x");
        // sha256("/tmp/proj") urlsafe-base64, first 8 characters.
        // Python: base64.urlsafe_b64encode(hashlib.sha256(b"/tmp/proj").digest())[:8]
        assert_eq!(env_name("My proj", b"/tmp/proj"), "my_proj-Kcy8vOlE");
        assert_eq!(env_name(&"x".repeat(50), b"/").len(), 42 + 1 + 8);
    }
}
