//! The decision: a pure function from what is on disk, what the user trusts and what the
//! environment carries to a [`Plan`]. No I/O happens here.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use crate::discover::Discovery;
use crate::session::Session;
use crate::state::State;
use crate::trust::{Change, Refusal, Trust};
use crate::venv::{Problem, Venv};

/// Why the binary was asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// A prompt after something may have changed.
    Prompt,
    /// The user ran `deactivate` (or a venv's `activate` ran `deactivate nondestructive`).
    Deactivate {
        /// `deactivate nondestructive`: restore, but do not keep the project off.
        nondestructive: bool,
    },
    /// A prompt at which the shell saw a venv's own `activate` run over autovenv's
    /// activation: `VIRTUAL_ENV` is now the user's, even where it names autovenv's venv.
    ActivatedByHand,
}

/// What `AUTOVENV_STATE` held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateRead {
    /// Not set: autovenv has nothing active in this environment.
    Absent,
    /// Set but unreadable.
    Corrupt,
    /// A readable activation.
    Present(State),
}

/// Everything the decision depends on.
#[derive(Clone, Debug)]
pub struct Inputs<'a> {
    /// Why the binary was asked.
    pub request: Request,
    /// What is on disk around the current directory.
    pub discovery: &'a Discovery,
    /// How the discovered root stands with the user (`Unknown` when there is no root).
    pub trust: &'a Trust,
    /// Whether a trusted project without a venv gets one.
    pub auto_create: bool,
    /// `VIRTUAL_ENV` as the shell has it.
    pub virtual_env: Option<&'a OsStr>,
    /// Whether `VIRTUAL_ENV`, when set, names a directory that exists.
    pub virtual_env_exists: bool,
    /// `AUTOVENV_STATE` as the shell has it.
    pub state: &'a StateRead,
    /// This shell's memory.
    pub session: &'a Session,
}

/// How autovenv's earlier activation is undone first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Leave {
    /// Restore everything the activation replaced.
    Restore(State),
    /// The state no longer matches `VIRTUAL_ENV` (changed by hand): take our `PATH` entry
    /// out, forget the state, and leave the user's variables alone.
    Stale(State),
    /// The state does not decode and no venv is active: forget it, touching nothing else.
    Corrupt,
    /// The state does not decode, but `VIRTUAL_ENV` names a venv. Only autovenv sets
    /// `AUTOVENV_STATE`, and a venv's own `activate` run over autovenv's leaves it as it
    /// was, so that venv is autovenv's: its `PATH` entry comes out and `VIRTUAL_ENV` and
    /// `VIRTUAL_ENV_PROMPT` are unset. What they held before the activation is lost.
    Salvage {
        /// The venv `VIRTUAL_ENV` names.
        venv: PathBuf,
    },
}

/// What is active afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Enter {
    /// Nothing of autovenv's.
    Nothing,
    /// autovenv's current activation stays; the shell re-applies its per-shell parts.
    Keep(State),
    /// Activate this venv for this project root.
    Activate(Venv, PathBuf),
    /// Create a venv for this project root, then activate it.
    Create(PathBuf),
}

/// A one-line message for the user, shown once per shell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The project is neither allowed nor denied.
    Untrusted {
        /// The project root.
        root: PathBuf,
        /// Whether it already has a venv (else `allow` would create one).
        has_venv: bool,
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
        /// The tool.
        tool: crate::sources::Tool,
    },
    /// A trusted project's tool (poetry, pipenv) makes its environment, and has not yet.
    ToolMakes {
        /// The project root.
        root: PathBuf,
        /// The tool.
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
        /// Why.
        refusal: Refusal,
    },
}

impl Notice {
    /// The key under which the session remembers the notice was shown.
    fn key(&self) -> OsString {
        let (kind, path): (&str, &Path) = match self {
            Notice::Untrusted { root, .. } => ("u", root),
            Notice::UntrustedToolProject { root, .. } => ("u", root),
            Notice::Broken { venv, .. } => ("b", venv),
            Notice::NoAutoCreate { root } => ("c", root),
            Notice::ToolMakes { root, .. } => ("t", root),
            Notice::GoneVirtualEnv { venv } => ("v", venv),
            Notice::Changed { root, .. } => ("g", root),
            Notice::Refused { root, .. } => ("r", root),
        };
        let mut key = OsString::from(kind);
        key.push(path.as_os_str());
        key
    }
}

/// Why the plan is what it is, for `autovenv status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The user's `deactivate` asked for it.
    Deactivated,
    /// No venv or project was found here.
    NoProject,
    /// A venv that autovenv did not activate is active.
    Foreign,
    /// The user turned this project off with `deactivate` in this shell.
    Off,
    /// The venv here cannot be activated.
    Broken,
    /// The user denied this project.
    Denied,
    /// The user has not allowed this project, or it changed since it was allowed, or
    /// what is there is refused (another user's, or a venv that came with the checkout).
    Untrusted,
    /// A trusted project with a working venv.
    Trusted,
    /// A trusted project without a venv, and `auto_create` is off.
    AutoCreateOff,
    /// A trusted project whose tool (poetry, pipenv) has not made its environment yet.
    ToolMakes,
    /// Creating this project's venv already failed in this shell.
    CreationFailed,
    /// A trusted project without a venv.
    Missing,
}

/// The decision: what to undo, what to turn on, what to say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// autovenv's earlier activation to undo first, if any.
    pub leave: Option<Leave>,
    /// What is active afterwards.
    pub enter: Enter,
    /// A message to show (already filtered to once per shell).
    pub notice: Option<Notice>,
    /// The shell's memory afterwards.
    pub session: Session,
    /// Why.
    pub reason: Reason,
}

impl Plan {
    /// The plan in one word, as `autovenv status` shows it.
    pub fn kind(&self) -> &'static str {
        match (&self.leave, &self.enter) {
            (_, Enter::Keep(_)) => "keep",
            (Some(Leave::Restore(_)), Enter::Activate(..)) => "switch",
            (_, Enter::Activate(..)) => "activate",
            (_, Enter::Create(_)) => "create",
            (Some(Leave::Restore(_) | Leave::Salvage { .. }), Enter::Nothing) => "deactivate",
            (_, Enter::Nothing) if self.notice.is_some() => "notice",
            (_, Enter::Nothing) => "nothing",
        }
    }
}

/// Decides what to do. Pure: the same inputs always give the same plan.
pub fn decide(inputs: &Inputs) -> Plan {
    let mut session = inputs.session.clone();
    session.forget_outside(&inputs.discovery.pwd);

    let mut virtual_env = inputs.virtual_env.filter(|v| !v.is_empty());
    let (ours, dropped) = match inputs.state {
        StateRead::Absent => (None, None),
        StateRead::Corrupt => match virtual_env {
            Some(venv) if inputs.request != Request::ActivatedByHand => {
                // Taken off below, so what follows decides as if no venv were active.
                virtual_env = None;
                let venv = PathBuf::from(venv);
                (None, Some(Leave::Salvage { venv }))
            }
            _ => (None, Some(Leave::Corrupt)),
        },
        StateRead::Present(state)
            if virtual_env == Some(state.venv.as_os_str())
                && inputs.request != Request::ActivatedByHand =>
        {
            (Some(state.clone()), None)
        }
        StateRead::Present(state) => (None, Some(Leave::Stale(state.clone()))),
    };
    let leave_ours = |ours: Option<State>| ours.map(Leave::Restore).or(dropped.clone());
    let plan = |leave, enter, notice: Option<Notice>, mut session: Session, reason| {
        let notice = notice.filter(|n| !session.has_noticed(&n.key()));
        if let Some(n) = &notice {
            session.remember_notice(n.key());
        }
        Plan {
            leave,
            enter,
            notice,
            session,
            reason,
        }
    };

    if let Request::Deactivate { nondestructive } = inputs.request {
        if !nondestructive {
            if let Some(state) = &ours {
                session.off = Some(state.root.clone());
            } else if let Some(Leave::Salvage { venv }) = &dropped {
                // The project the salvaged venv serves, as far as can be told without the
                // state: the one here when it is this project's venv.
                session.off = match &inputs.discovery.venv {
                    Some((found, root)) if found.path == *venv => Some(root.clone()),
                    _ => venv.parent().map(Path::to_owned),
                };
            }
        }
        return plan(
            leave_ours(ours),
            Enter::Nothing,
            None,
            session,
            Reason::Deactivated,
        );
    }

    if let (Some(venv), None) = (virtual_env, &ours) {
        let notice = (!inputs.virtual_env_exists).then(|| Notice::GoneVirtualEnv {
            venv: PathBuf::from(venv),
        });
        return plan(dropped, Enter::Nothing, notice, session, Reason::Foreign);
    }

    let Some(root) = inputs.discovery.root() else {
        return plan(
            leave_ours(ours),
            Enter::Nothing,
            None,
            session,
            Reason::NoProject,
        );
    };
    if session.off.as_deref() == Some(root) {
        return plan(leave_ours(ours), Enter::Nothing, None, session, Reason::Off);
    }
    let root = root.to_owned();

    let venv = inputs.discovery.venv.as_ref().map(|(venv, _)| venv);
    if let Some(venv) = venv {
        // A venv autovenv has not finished making is finished (or waited for) by creating
        // it, where creating would happen; it is never activated as it is.
        let unfinished = venv.problem == Some(Problem::Incomplete)
            && inputs.trust.is_trusted()
            && inputs.auto_create
            && !session.creation_failed(&root);
        if unfinished {
            return plan(
                leave_ours(ours),
                Enter::Create(root),
                None,
                session,
                Reason::Missing,
            );
        }
        if let Some(problem) = &venv.problem {
            let notice = Notice::Broken {
                venv: venv.path.clone(),
                problem: problem.clone(),
                trusted: inputs.trust.is_trusted(),
            };
            return plan(
                leave_ours(ours),
                Enter::Nothing,
                Some(notice),
                session,
                Reason::Broken,
            );
        }
    }

    match (inputs.trust, venv) {
        (Trust::Denied, _) => plan(
            leave_ours(ours),
            Enter::Nothing,
            None,
            session,
            Reason::Denied,
        ),
        (Trust::Changed(_) | Trust::Refused(_) | Trust::Unknown, _) => {
            let notice = match inputs.trust {
                Trust::Changed(change) => Notice::Changed {
                    root,
                    change: change.clone(),
                },
                Trust::Refused(refusal) => Notice::Refused {
                    root,
                    refusal: refusal.clone(),
                },
                _ => match inputs.discovery.awaiting.as_ref() {
                    Some(awaiting) if venv.is_none() && awaiting.root == root => {
                        Notice::UntrustedToolProject {
                            root,
                            tool: awaiting.tool,
                        }
                    }
                    _ => Notice::Untrusted {
                        root,
                        has_venv: venv.is_some(),
                    },
                },
            };
            plan(
                leave_ours(ours),
                Enter::Nothing,
                Some(notice),
                session,
                Reason::Untrusted,
            )
        }
        (Trust::Allowed | Trust::InTrustedRoot(_), Some(venv)) => match ours {
            Some(state) if state.venv == venv.path => {
                plan(None, Enter::Keep(state), None, session, Reason::Trusted)
            }
            ours => plan(
                leave_ours(ours),
                Enter::Activate(venv.clone(), root),
                None,
                session,
                Reason::Trusted,
            ),
        },
        (Trust::Allowed | Trust::InTrustedRoot(_), None) => {
            let awaiting = inputs.discovery.awaiting.as_ref();
            if let Some(awaiting) = awaiting.filter(|a| a.root == root) {
                let notice = Notice::ToolMakes {
                    root,
                    tool: awaiting.tool,
                };
                plan(
                    leave_ours(ours),
                    Enter::Nothing,
                    Some(notice),
                    session,
                    Reason::ToolMakes,
                )
            } else if !inputs.auto_create {
                let notice = Notice::NoAutoCreate { root };
                plan(
                    leave_ours(ours),
                    Enter::Nothing,
                    Some(notice),
                    session,
                    Reason::AutoCreateOff,
                )
            } else if session.creation_failed(&root) {
                plan(
                    leave_ours(ours),
                    Enter::Nothing,
                    None,
                    session,
                    Reason::CreationFailed,
                )
            } else {
                plan(
                    leave_ours(ours),
                    Enter::Create(root),
                    None,
                    session,
                    Reason::Missing,
                )
            }
        }
    }
}

#[cfg(test)]
mod tests;
