//! The decision: a pure function from what is on disk, what the user trusts and what the
//! environment carries to a [`Plan`]. No I/O happens here.
//!
//! Over 300 lines because it is one decision, read as one: its inputs, the plan, the rules,
//! and the pure undo and activate steps the rules check an activation with.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::activation::Vars;
use crate::discover::Discovery;
use crate::notice::Notice;
use crate::session::Session;
use crate::shell::Shell;
use crate::state::State;
use crate::trust::Trust;
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
#[derive(Clone)]
pub struct Inputs<'a> {
    /// Why the binary was asked.
    pub request: Request,
    /// What is on disk around the current directory.
    pub discovery: &'a Discovery,
    /// How the discovered root stands with the user (`Unknown` when there is no root).
    pub trust: &'a Trust,
    /// Whether a trusted project without a venv gets one.
    pub auto_create: bool,
    /// The managed variables as the shell has them.
    pub vars: &'a Vars,
    /// The config's prompt template, which names an activation in the prompt.
    pub prompt: &'a str,
    /// The shell that applies the plan: a venv is activated only where every value the
    /// activation writes, and its restore writes back, can be written in its syntax.
    /// `None` where no shell applies it (`autovenv status`, `autovenv allow`).
    pub shell: Option<&'a dyn Shell>,
    /// Whether `VIRTUAL_ENV`, when set, names a directory that exists.
    pub virtual_env_exists: bool,
    /// `AUTOVENV_STATE` as the shell has it.
    pub state: &'a StateRead,
    /// This shell's memory.
    pub session: &'a Session,
}

impl fmt::Debug for Inputs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_struct("Inputs")
            .field("request", &self.request)
            .field("discovery", self.discovery)
            .field("trust", self.trust)
            .field("auto_create", &self.auto_create)
            .field("vars", self.vars)
            .field("prompt", &self.prompt)
            .field("shell", &self.shell.map(Shell::name))
            .field("virtual_env_exists", &self.virtual_env_exists)
            .field("state", self.state)
            .field("session", self.session)
            .finish()
    }
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

impl Leave {
    /// Undoes this from `vars`, as restore, forget or salvage compute it. Returns a
    /// warning when `PATH` no longer held the venv's entry (then `PATH` stays as it is).
    pub fn undo(&self, vars: &mut Vars) -> Option<String> {
        match self {
            Leave::Restore(state) => vars.restore(state),
            Leave::Stale(state) => {
                vars.forget(state);
                None
            }
            Leave::Salvage { venv } => vars.salvage(venv),
            Leave::Corrupt => {
                vars.state = None;
                None
            }
        }
    }
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
    /// The venv here cannot be activated (or not in this shell).
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
    /// Which rule chose this plan: `autovenv status` shows it, and `allow` words its answer by it.
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

    let (ours, dropped) = earlier(inputs.state, inputs.vars, inputs.request);
    // A salvaged venv is taken off, so what follows decides as if none were active.
    let virtual_env = match dropped {
        Some(Leave::Salvage { .. }) => None,
        _ => inputs.vars.virtual_env.as_deref().filter(|v| !v.is_empty()),
    };
    let leave_ours = |ours: Option<State>| ours.map(Leave::Restore).or(dropped.clone());
    let plan = |leave, enter, notice: Option<Notice>, mut session: Session, reason| {
        let notice = notice.and_then(|n| n.once(&mut session));
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
            } else if virtual_env.is_none() {
                // Nothing of autovenv's is active: the hook asks this when the user has
                // just deactivated a venv they activated by hand here. Off is off.
                session.off = inputs.discovery.root().map(Path::to_owned);
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
                        auto_create: inputs.auto_create,
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
            ours => {
                let leave = leave_ours(ours);
                match inputs.shell.and_then(|shell| {
                    let before = undone(inputs.vars, leave.as_ref());
                    unwritable(shell, &before, venv, &root, inputs.prompt)
                }) {
                    Some(notice) => {
                        plan(leave, Enter::Nothing, Some(notice), session, Reason::Broken)
                    }
                    None => plan(
                        leave,
                        Enter::Activate(venv.clone(), root),
                        None,
                        session,
                        Reason::Trusted,
                    ),
                }
            }
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

/// autovenv's earlier activation as `state` and `VIRTUAL_ENV` in `vars` show it: the
/// activation that is still ours, or else what is left of one to undo.
fn earlier(state: &StateRead, vars: &Vars, request: Request) -> (Option<State>, Option<Leave>) {
    let virtual_env = vars.virtual_env.as_deref().filter(|v| !v.is_empty());
    match state {
        StateRead::Absent => (None, None),
        StateRead::Corrupt => match virtual_env {
            Some(venv) if request != Request::ActivatedByHand => {
                let venv = PathBuf::from(venv);
                (None, Some(Leave::Salvage { venv }))
            }
            _ => (None, Some(Leave::Corrupt)),
        },
        StateRead::Present(state)
            if virtual_env == Some(state.venv.as_os_str())
                && request != Request::ActivatedByHand =>
        {
            (Some(state.clone()), None)
        }
        StateRead::Present(state) => (None, Some(Leave::Stale(state.clone()))),
    }
}

/// What to undo before activating a venv over whatever `vars` and `state` hold, as a
/// prompt would undo it: autovenv's own earlier activation, or what is left of one.
pub fn undo_before_activating(vars: &Vars, state: &StateRead) -> Option<Leave> {
    let (ours, dropped) = earlier(state, vars, Request::Prompt);
    ours.map(Leave::Restore).or(dropped)
}

/// `vars` with `leave` undone.
pub fn undone(vars: &Vars, leave: Option<&Leave>) -> Vars {
    let mut vars = vars.clone();
    if let Some(leave) = leave {
        let _ = leave.undo(&mut vars);
    }
    vars
}

/// `before` with `venv` activated for `root`, named by the prompt `template`.
pub fn activated(before: &Vars, venv: &Venv, root: &Path, template: &str) -> Vars {
    let mut after = before.clone();
    let name = venv.prompt(template, root);
    let prompt = venv.cfg.prompt_var(&name, before.prompt_disabled);
    after.activate(&venv.path, root, prompt);
    after
}

/// Why `venv` cannot be activated over `before` in `shell`, if it cannot: a value the
/// activation writes, or its restore writes back (the venv's path, `PATH`, `PYTHONHOME`
/// and the rest), cannot be written in the shell's syntax. Asked for a venv found, before
/// it is activated, and for a venv just made.
pub fn unwritable(
    shell: &dyn Shell,
    before: &Vars,
    venv: &Venv,
    root: &Path,
    template: &str,
) -> Option<Notice> {
    let after = activated(before, venv, root, template);
    let (variable, _) = before
        .diff(&after)
        .into_iter()
        .chain(after.diff(before))
        .find(|(_, value)| value.as_ref().is_some_and(|v| !shell.can_express(v)))?;
    let variable = shell.can_express(venv.path.as_os_str()).then_some(variable);
    Some(Notice::Unwritable {
        venv: venv.path.clone(),
        variable,
        shell: shell.name(),
    })
}

#[cfg(test)]
mod tests;
