//! What autovenv tells the user about a project it does not activate: [`Notice`], decided
//! by [`crate::decide`] and shown once per shell, and the one line each is shown as
//! (`impl Display`). Commands that refuse for the same reasons show the same lines.
//! Over 300 lines because every line a user may need to act on is here, in full.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::message::{shown, Level};
use crate::ownership;
use crate::session::Session;
use crate::trust::{Change, Refusal};
use crate::venv::Problem;

/// A one-line message for the user, shown once per shell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The project is neither allowed nor denied.
    Untrusted {
        /// The project root.
        root: PathBuf,
        /// Whether it already has a venv (else `allow` would create one).
        has_venv: bool,
        /// The config's `auto_create`, which decides what `autovenv allow` does in a
        /// project without a venv.
        auto_create: bool,
    },
    /// The venv found cannot be activated.
    Broken {
        /// The venv directory.
        venv: PathBuf,
        /// What is wrong with it.
        problem: Problem,
        /// Whether the project is trusted (only then does the notice suggest a rebuild).
        trusted: bool,
    },
    /// A trusted project has no venv and `auto_create` is off.
    NoAutoCreate {
        /// The project root.
        root: PathBuf,
    },
    /// The project is neither allowed nor denied, and its tool (poetry, pipenv) has not
    /// made its environment yet.
    UntrustedToolProject {
        /// The project root.
        root: PathBuf,
        /// The tool that makes the environment.
        tool: crate::sources::Tool,
    },
    /// A trusted project's tool (poetry, pipenv) makes its environment, and has not yet.
    ToolMakes {
        /// The project root.
        root: PathBuf,
        /// The tool that makes the environment.
        tool: crate::sources::Tool,
    },
    /// `VIRTUAL_ENV` names a directory that does not exist, and autovenv did not set it:
    /// a venv is taken to be active, so autovenv stays out.
    GoneVirtualEnv {
        /// What `VIRTUAL_ENV` holds.
        venv: PathBuf,
    },
    /// The project was allowed, but what is there is not what was allowed.
    Changed {
        /// The project root.
        root: PathBuf,
        /// What differs.
        change: Change,
    },
    /// The project is trusted by name, but what is there is refused.
    Refused {
        /// The project root.
        root: PathBuf,
        /// What is refused, and why.
        refusal: Refusal,
    },
    /// A value the activation would write (or its restore write back) cannot be written
    /// in this shell's syntax (tcsh cannot write a newline, nushell bytes that are not
    /// UTF-8), so the venv is not activated in this shell.
    Unwritable {
        /// The venv that was not activated.
        venv: PathBuf,
        /// The variable that would hold the bytes, or `None` when the venv's own path
        /// cannot be written.
        variable: Option<String>,
        /// The shell's name.
        shell: &'static str,
    },
}

impl Notice {
    /// The key under which the session remembers the notice was shown.
    pub(crate) fn key(&self) -> OsString {
        let (kind, path): (&str, &Path) = match self {
            Notice::Untrusted { root, .. } => ("u", root),
            Notice::UntrustedToolProject { root, .. } => ("u", root),
            Notice::ToolMakes { root, .. } => ("t", root),
            Notice::Broken { venv, .. } => ("b", venv),
            Notice::NoAutoCreate { root } => ("c", root),
            Notice::GoneVirtualEnv { venv } => ("v", venv),
            Notice::Changed { root, .. } => ("g", root),
            Notice::Refused { root, .. } => ("r", root),
            Notice::Unwritable { venv, .. } => ("x", venv),
        };
        let mut key = OsString::from(kind);
        key.push(path.as_os_str());
        key
    }

    /// The notice, unless this shell has shown it already; remembers that it has.
    pub fn once(self, session: &mut Session) -> Option<Notice> {
        let key = self.key();
        if session.has_noticed(&key) {
            return None;
        }
        session.remember_notice(key);
        Some(self)
    }

    /// A broken venv in a trusted project: the notice whose line says how to fix it.
    pub fn broken(venv: &Path, problem: &Problem) -> Notice {
        Notice::Broken {
            venv: venv.to_owned(),
            problem: problem.clone(),
            trusted: true,
        }
    }

    /// How much the notice matters.
    pub fn level(&self) -> Level {
        match self {
            Notice::Untrusted { .. }
            | Notice::NoAutoCreate { .. }
            | Notice::UntrustedToolProject { .. }
            | Notice::ToolMakes { .. } => Level::Info,
            Notice::Broken { .. }
            | Notice::GoneVirtualEnv { .. }
            | Notice::Changed { .. }
            | Notice::Refused { .. } => Level::Warning,
            Notice::Unwritable { .. } => Level::Error,
        }
    }
}

/// The one line a notice is shown as.
impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Notice::Untrusted {
                root,
                has_venv: false,
                auto_create: false,
            } => write!(
                f,
                "{} is a Python project without a venv: run `autovenv allow` to trust it and `autovenv create` to make its venv (auto_create is off), or `autovenv deny` to stop this message",
                shown(root)
            ),
            Notice::Untrusted { root, has_venv: true, .. } => write!(
                f,
                "{} has a venv but is not trusted: run `autovenv allow` to activate it, or `autovenv deny` to stop this message",
                shown(root)
            ),
            Notice::Untrusted { root, .. } => write!(
                f,
                "{} is a Python project without a venv: run `autovenv allow` to create and activate one, or `autovenv deny` to stop this message",
                shown(root)
            ),
            Notice::NoAutoCreate { root } => write!(
                f,
                "{} has no venv and auto_create is off: run `autovenv create` to make one",
                shown(root)
            ),
            Notice::UntrustedToolProject { root, tool } => write!(
                f,
                "{} is a {} project without its environment yet: run `autovenv allow` to trust it and `{}` to make the environment, or `autovenv deny` to stop this message",
                shown(root),
                tool.name(),
                tool.install_command(),
            ),
            Notice::ToolMakes { root, tool } => write!(
                f,
                "{} is a {} project without its environment yet: run `{}` to make it (autovenv leaves that to {}; set create_in_tool_projects = true to have autovenv make a .venv)",
                shown(root),
                tool.name(),
                tool.install_command(),
                tool.name(),
            ),
            Notice::Broken {
                venv,
                problem,
                trusted,
            } => f.write_str(&broken_text(venv, problem, *trusted)),
            Notice::GoneVirtualEnv { venv } => write!(
                f,
                "VIRTUAL_ENV names {}, which does not exist, so autovenv stays out of this shell: run `deactivate`, or unset VIRTUAL_ENV",
                shown(venv)
            ),
            Notice::Changed { root, change } => f.write_str(&changed_text(root, change)),
            Notice::Refused { root, refusal } => f.write_str(&refused_text(root, refusal)),
            Notice::Unwritable {
                venv,
                variable: Some(name),
                shell,
            } => write!(
                f,
                "{name} would hold bytes that {shell} cannot write in its own syntax, so {} was not activated in this shell: take them out of {name}",
                shown(venv)
            ),
            Notice::Unwritable {
                venv,
                variable: None,
                shell,
            } => write!(
                f,
                "{} cannot be written in {shell}'s own syntax, so it was not activated in this shell: rename or move the directory",
                shown(venv)
            ),
        }
    }
}

/// `autovenv allow` with options for `root`, quoted so that it can be pasted into any
/// POSIX shell as it is (a project in `{a,b}` stays one word, under every option).
pub fn allow_command(options: &str, root: &Path) -> String {
    let quoted = crate::shell::posix::quote(shown(root).as_bytes());
    format!(
        "autovenv allow {options}{}",
        String::from_utf8_lossy(&quoted)
    )
}

/// Why an allowed project is asked about again, in one line.
fn changed_text(root: &Path, change: &Change) -> String {
    let allow = allow_command("", root);
    match change {
        Change::Root => format!(
            "{} changed since it was allowed (it is another directory now: made again or cloned again), so it was not activated: run `{allow}` to trust it as it is, or `autovenv deny`",
            shown(root)
        ),
        Change::Venv { venv, tracked } => format!(
            "{} changed since {} was allowed (it was replaced by a venv autovenv did not make, {}), so it was not activated: run `{allow}` to trust it as it is, or `autovenv deny`",
            shown(venv),
            shown(root),
            if *tracked {
                "which git tracks"
            } else {
                "and its version control cannot be asked whether it tracks it"
            }
        ),
        Change::Unrecorded => format!(
            "{} was allowed by an older autovenv, which did not record what it trusted, so it was not activated: run `{allow}` again",
            shown(root)
        ),
    }
}

/// Why a project trusted by name is not activated, in one line naming what to do.
fn refused_text(root: &Path, refusal: &Refusal) -> String {
    let allow = allow_command("--any-owner ", root);
    match refusal {
        Refusal::Ownership(ownership::Refusal::Owner { path, uid }) => {
            let user = ownership::describe_user(*uid);
            format!(
                "{} is owned by {user}, not by you, so {} was not activated: if you trust {user}, run `{allow}`",
                shown(path),
                shown(root)
            )
        }
        Refusal::Ownership(ownership::Refusal::Writable { path, mode }) => format!(
            "{} can be written by other users (mode {mode:04o}), so {} was not activated in this root shell: run `chmod go-w` on it, or `{allow}` as root",
            shown(path),
            shown(root)
        ),
        Refusal::Committed { venv, tracked } => {
            let why = if *tracked {
                "came with the checkout (git tracks it)"
            } else {
                "may have come with the checkout (its version control could not be asked)"
            };
            format!(
                "{} {why} and autovenv did not make it, so trusted_roots does not activate it: run `{}` if you trust what the repository ships",
                shown(venv),
                allow_command("", root)
            )
        }
    }
}

/// Why `venv` is not activated, and what to do about it. Only a venv that is the trusted
/// project's own directory gets advice that replaces it (a rebuild moves the old one aside
/// until the new one works); behind a symlink, or in a project not trusted, the advice
/// changes nothing.
fn broken_text(venv: &Path, problem: &Problem, trusted: bool) -> String {
    let then_sync = match venv.parent().and_then(crate::sync::declared) {
        Some(_) => ", then `autovenv sync` to reinstall its dependencies",
        None => "",
    };
    let link = std::fs::symlink_metadata(venv).is_ok_and(|m| m.file_type().is_symlink());
    let shown_venv = shown(venv);
    // What the line is about: the venv, or the file in it that is wrong.
    let subject = match problem {
        Problem::Unusable { file, .. } => format!("{shown_venv}/{file}"),
        _ => shown_venv.clone(),
    };
    // An environment a `.venv` file points at that is not there: nothing to rebuild.
    if *problem == Problem::NoConfig && std::fs::symlink_metadata(venv).is_err() {
        return format!(
            "{shown_venv}, which the project's .venv file points at, does not exist, so nothing was activated: make the environment there, or change the file"
        );
    }
    let what = match problem {
        Problem::NoConfig => {
            "is not a virtual environment (it has no pyvenv.cfg), so it was not activated".to_owned()
        }
        Problem::NoPython => "has no bin/python, so it was not activated".to_owned(),
        Problem::DanglingPython(target) => format!(
            "has a bin/python that points to {}, which is gone, so it was not activated",
            shown(target)
        ),
        Problem::MissingHome(home) => format!(
            "was made from the Python in {}, which is gone, so it was not activated",
            shown(home)
        ),
        Problem::Incomplete => {
            "is half-made (its creation did not finish), so it was not activated".to_owned()
        }
        Problem::Unusable { why, .. } => format!("{why}, so {shown_venv} was not activated"),
        Problem::NotAVenvConfig => "has a pyvenv.cfg that lacks the `home` and `version` keys every venv creator writes, so it was not activated".to_owned(),
        Problem::NotADirectory => format!(
            "is {}, not a venv directory, so no venv was activated or made there",
            if link { "a link to a file" } else { "a file" }
        ),
        Problem::ColonInPath => {
            return format!(
                "{shown_venv} has ':' in its path, which PATH cannot hold, so it was not activated: rename or move the directory"
            )
        }
    };
    let empty = || std::fs::read_dir(venv).is_ok_and(|mut entries| entries.next().is_none());
    let advice = if link && trusted && *problem == Problem::NoConfig && empty() {
        format!(
            "it is a symlink to the empty directory {}: run `autovenv create` to make the venv there",
            shown(std::fs::read_link(venv).unwrap_or_default())
        )
    } else if link {
        format!(
            "it is a symlink to {}, and autovenv changes nothing through a link: point the link at a working venv, or remove the link (only the link) to have a venv made in the project",
            shown(std::fs::read_link(venv).unwrap_or_default())
        )
    } else if !trusted {
        "the project is not trusted, so autovenv changes nothing here: look at the project before `autovenv allow`".to_owned()
    } else if *problem == Problem::NotADirectory {
        "rename or remove it to have the venv made there".to_owned()
    } else if *problem == Problem::NoConfig {
        "move it away, or run `autovenv create --force` to move it aside (it is kept) and make a venv".to_owned()
    } else {
        format!(
            "run `autovenv create --force` to rebuild it (the old one stays until the new one works){then_sync}"
        )
    };
    format!("{subject} {what}: {advice}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allow_command_is_one_word_in_every_posix_shell() {
        assert_eq!(
            allow_command("", Path::new("/p/{a,b}")),
            "autovenv allow '/p/{a,b}'"
        );
        assert_eq!(
            allow_command("--any-owner ", Path::new("/p/it's")),
            "autovenv allow --any-owner '/p/it'\\''s'"
        );
        assert_eq!(allow_command("", Path::new("/p/q")), "autovenv allow /p/q");
    }
}
