//! A project's declared dependencies: which files declare them, how they are installed,
//! and whether the venv is in step with them.
//!
//! One rule picks the installer, first match wins:
//! 1. `uv.lock` in the project root: `uv sync` (uv manages the venv and the lock);
//! 2. a poetry project (`[tool.poetry]` in `pyproject.toml`, or `poetry.lock`):
//!    `poetry install`;
//! 3. a `Pipfile`: `pipenv sync` when `Pipfile.lock` is there, else `pipenv install`
//!    (which writes it);
//! 4. `requirements*.txt` files: `pip install -r` each, sorted by name;
//! 5. a uv project without `uv.lock` yet (`pyproject.toml` with a `[tool.uv]` table or
//!    built by `uv_build`, as `uv init` makes it): `uv sync`, which writes the lock;
//! 6. `pyproject.toml` or `setup.py`: `pip install -e .`.
//!
//! "pip" is the venv's own pip (`<venv>/bin/python -m pip`) when the venv has `bin/pip`,
//! else `uv pip --python <venv>/bin/python` when `uv` is on `PATH`.
//!
//! After a successful install, the SHA-256 of every file that declared the dependencies is
//! recorded in the venv ([`record`]); activation compares them with the files as they are
//! now and says which changed.

pub mod install;
pub mod record;
pub mod watch;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// How a project's dependencies are installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `uv sync`, for a project with `uv.lock`.
    Uv,
    /// `poetry install`, for a poetry project.
    Poetry,
    /// `pipenv sync`, for a `Pipfile` with its `Pipfile.lock`.
    Pipenv,
    /// `pipenv install`, for a `Pipfile` without `Pipfile.lock` yet.
    PipenvInstall,
    /// `pip install -r requirements*.txt`.
    Requirements,
    /// `pip install -e .`, for a `pyproject.toml` or `setup.py` project.
    Editable,
}

impl Method {
    /// The name recorded and shown.
    pub fn name(self) -> &'static str {
        match self {
            Method::Uv => "uv sync",
            Method::Poetry => "poetry install",
            Method::Pipenv => "pipenv sync",
            Method::PipenvInstall => "pipenv install",
            Method::Requirements => "pip install -r",
            Method::Editable => "pip install -e .",
        }
    }
}

impl Method {
    /// Whether the tool makes and owns the project's environment (poetry, pipenv): then
    /// it, not autovenv, makes one that is missing.
    pub fn owns_the_environment(self) -> bool {
        matches!(
            self,
            Method::Poetry | Method::Pipenv | Method::PipenvInstall
        )
    }
}

/// What a project declares: how to install it and the files that say what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    /// The installer.
    pub method: Method,
    /// The declaring files, names relative to the project root, sorted.
    pub files: Vec<OsString>,
}

/// Whether a file name can take part in declaring dependencies, so a change to it may
/// change [`declared`]'s answer.
pub fn is_candidate(name: &OsStr) -> bool {
    let name = name.as_bytes();
    matches!(
        name,
        b"uv.lock"
            | b"pyproject.toml"
            | b"setup.py"
            | b"setup.cfg"
            | b"poetry.lock"
            | b"Pipfile"
            | b"Pipfile.lock"
    ) || is_requirements(name)
}

fn is_requirements(name: &[u8]) -> bool {
    name.starts_with(b"requirements") && name.ends_with(b".txt")
}

/// The dependencies `root` declares, or `None` when it declares none.
pub fn declared(root: &Path) -> Option<Declared> {
    let is_file = |name: &str| root.join(name).is_file();
    let present = |names: &[&str]| -> Vec<OsString> {
        names
            .iter()
            .filter(|n| is_file(n))
            .map(OsString::from)
            .collect()
    };
    if is_file("uv.lock") {
        return Some(Declared {
            method: Method::Uv,
            files: present(&["pyproject.toml", "uv.lock"]),
        });
    }
    if crate::sources::poetry::Project::at(root).is_some() {
        return Some(Declared {
            method: Method::Poetry,
            files: present(&["poetry.lock", "pyproject.toml"]),
        });
    }
    if is_file("Pipfile") {
        let method = if is_file("Pipfile.lock") {
            Method::Pipenv
        } else {
            Method::PipenvInstall
        };
        return Some(Declared {
            method,
            files: present(&["Pipfile", "Pipfile.lock"]),
        });
    }
    let mut requirements: Vec<OsString> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| is_requirements(e.file_name().as_bytes()))
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name())
        .collect();
    if !requirements.is_empty() {
        requirements.sort();
        return Some(Declared {
            method: Method::Requirements,
            files: requirements,
        });
    }
    if is_uv_project(&root.join("pyproject.toml")) {
        return Some(Declared {
            method: Method::Uv,
            files: present(&["pyproject.toml", "uv.lock"]),
        });
    }
    if is_file("pyproject.toml") || is_file("setup.py") {
        return Some(Declared {
            method: Method::Editable,
            files: present(&["pyproject.toml", "setup.cfg", "setup.py"]),
        });
    }
    None
}

/// Whether the `pyproject.toml` at `path` is a uv project's: it has a `[tool.uv]` table, or
/// its build backend is `uv_build`.
fn is_uv_project(path: &Path) -> bool {
    let Some(bytes) = crate::fsread::read_if_regular(path, crate::fsread::DEPENDENCY_FILE_LIMIT)
    else {
        return false;
    };
    let Ok(table) = String::from_utf8_lossy(&bytes).parse::<toml::Table>() else {
        return false;
    };
    let tool_uv = table.get("tool").and_then(|t| t.get("uv")).is_some();
    let backend = table
        .get("build-system")
        .and_then(|b| b.get("build-backend"))
        .and_then(|b| b.as_str());
    tool_uv || backend == Some("uv_build")
}

/// The names of the files that declare `root`'s dependencies and changed since the venv
/// at `venv` was last synced, sorted; `None` when it was never synced.
///
/// A uv project's venv is kept in step by uv itself: `uv add`, `uv remove` and `uv run`
/// install what they write into `uv.lock`. So there a changed `uv.lock` counts only when
/// it is newer than the last change to the venv's `site-packages` (a `git pull` or a
/// `uv lock` that nothing installed yet), and a changed `pyproject.toml` only when
/// `uv.lock` did not change with it (an edit uv has not seen).
pub fn changed_since_sync(venv: &Path, root: &Path) -> Option<Vec<OsString>> {
    let recorded = record::Record::read(venv)?;
    let mut changed = recorded.changed(root);
    let uv = declared(root).is_some_and(|d| d.method == Method::Uv);
    let lock = OsString::from("uv.lock");
    if uv && changed.contains(&lock) {
        let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let installed = std::fs::read_dir(venv.join("lib"))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|e| mtime(&e.path().join("site-packages")))
            .max();
        let in_step = match (installed, mtime(&root.join("uv.lock"))) {
            (Some(installed), Some(locked)) => installed >= locked,
            _ => false,
        };
        if in_step {
            changed.clear();
        }
    }
    Some(changed)
}

/// The note activation adds when the venv at `venv` was synced and the files that declare
/// `root`'s dependencies have changed since ("pyproject.toml changed since last sync: run
/// `autovenv sync`"). `None` when it was never synced or is in step.
pub fn stale_note(venv: &Path, root: &Path) -> Option<String> {
    let changed = changed_since_sync(venv, root)?;
    if changed.is_empty() {
        return None;
    }
    let names: Vec<String> = changed.iter().map(crate::message::shown).collect();
    let list = match names.as_slice() {
        [rest @ .., last] if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    };
    Some(format!(
        "{list} changed since last sync: run `autovenv sync`"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_matching_rule_decides() {
        let dir = crate::scratch::fresh_dir("declared");
        std::fs::create_dir_all(dir.join("requirements-dir.txt")).expect("mkdir");
        assert_eq!(
            declared(&dir),
            None,
            "a directory is not a requirements file"
        );
        let touch = |name: &str| std::fs::write(dir.join(name), "").expect("write");
        let files = |names: &[&str]| names.iter().map(OsString::from).collect::<Vec<_>>();

        touch("setup.py");
        touch("setup.cfg");
        let found = declared(&dir).expect("setup.py project");
        assert_eq!(found.method, Method::Editable);
        assert_eq!(found.files, files(&["setup.cfg", "setup.py"]));

        touch("requirements.txt");
        touch("requirements-dev.txt");
        let found = declared(&dir).expect("requirements");
        assert_eq!(found.method, Method::Requirements);
        assert_eq!(
            found.files,
            files(&["requirements-dev.txt", "requirements.txt"])
        );

        touch("Pipfile");
        let found = declared(&dir).expect("pipenv project");
        assert_eq!(found.method, Method::PipenvInstall);
        touch("Pipfile.lock");
        let found = declared(&dir).expect("pipenv project");
        assert_eq!(found.method, Method::Pipenv);
        assert_eq!(found.files, files(&["Pipfile", "Pipfile.lock"]));

        std::fs::write(dir.join("pyproject.toml"), "[tool.poetry]\nname = \"x\"\n").expect("write");
        let found = declared(&dir).expect("poetry project");
        assert_eq!(found.method, Method::Poetry);
        assert_eq!(found.files, files(&["pyproject.toml"]));

        touch("uv.lock");
        touch("pyproject.toml");
        let found = declared(&dir).expect("uv project");
        assert_eq!(found.method, Method::Uv);
        assert_eq!(found.files, files(&["pyproject.toml", "uv.lock"]));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn candidates() {
        for name in [
            "uv.lock",
            "pyproject.toml",
            "setup.py",
            "setup.cfg",
            "requirements.txt",
            "requirements-dev.txt",
            "poetry.lock",
            "Pipfile",
            "Pipfile.lock",
        ] {
            assert!(is_candidate(OsStr::new(name)), "{name}");
        }
        for name in ["README.md", "requirements.in", "requirements.txt~", "x.txt"] {
            assert!(!is_candidate(OsStr::new(name)), "{name}");
        }
    }
}
