//! Where a venv came from: whether the project's version control tracks it, i.e. it came
//! with the checkout rather than being made on this machine.
//!
//! Asked only on the way to a decision that would activate such a venv — a `cd` across a
//! project boundary, never an ordinary prompt — with one `git ls-files`.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// Whether a venv is in the project's version control.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tracked {
    /// git tracks it (or, for a linked venv, the link).
    Yes,
    /// There is no repository, or the repository does not track it.
    No,
    /// There is a repository that could not be asked (git missing or refusing, or a VCS
    /// other than git).
    Unknown,
}

/// Whether the version control of the project at `root` (canonical) tracks `venv`.
pub fn tracked(root: &Path, venv: &Path) -> Tracked {
    let Some(repo) = root.ancestors().find_map(|dir| {
        [".git", ".hg", ".jj"]
            .iter()
            .find(|m| std::fs::symlink_metadata(dir.join(m)).is_ok())
            .map(|m| (dir, *m))
    }) else {
        return Tracked::No;
    };
    if repo.1 != ".git" {
        return Tracked::Unknown;
    }
    // The venv as git names it: relative to the project; one outside it (a fixed
    // `UV_PROJECT_ENVIRONMENT`) is not the checkout's.
    let Ok(relative) = venv.strip_prefix(root) else {
        let canonical = std::fs::canonicalize(venv.parent().unwrap_or(venv));
        return match canonical {
            Ok(parent) if parent.starts_with(repo.0) => Tracked::Unknown,
            _ => Tracked::No,
        };
    };
    let mut git = Command::new("git");
    for (name, _) in std::env::vars_os() {
        if name.as_bytes().starts_with(b"GIT_") {
            git.env_remove(name);
        }
    }
    let out = git
        .args(["-c", "core.fsmonitor=false", "ls-files", "-z", "--"])
        .arg(relative)
        .current_dir(root)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    match out {
        Ok(out) if out.status.success() => {
            if out.stdout.is_empty() {
                Tracked::No
            } else {
                Tracked::Yes
            }
        }
        _ => Tracked::Unknown,
    }
}
