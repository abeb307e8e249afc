//! `autovenv export SHELL`: observe → decide → carry out → render, once per change.
//!
//! Carrying out a [`Plan`] is a fixed sequence of steps, each below as its own function:
//! undo autovenv's earlier activation, enter what the plan says (keep, activate, or create
//! then activate), announce it in one line, and hand the net change to the renderer.
//! Nothing here decides anew: what to undo, what to enter and whether the shell can write
//! it are [`decide`]'s, which is asked again only about a venv that did not exist when it
//! decided (one just made).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::activation::Vars;
use crate::create::Failure;
use crate::decide::{self, Enter, Leave, Plan, Request};
use crate::discover::{self, Discovery};
use crate::message::shown;
use crate::notice::Notice;
use crate::observation::Observation;
use crate::session::Session;
use crate::shell::Shell;
use crate::shell_update::{self, Deactivate, HandOver, PathEdit, PromptChange, Update};
use crate::state::State;
use crate::trust;
use crate::venv::Venv;

/// Runs one evaluation and returns the code for `shell`. `no_create`: the hook runs on a
/// `cd`, maybe inside a command line or a loop, where creating a venv (slow, maybe over
/// the network) has no place: a venv to create is left for the next prompt.
pub fn export(shell: &dyn Shell, request: Request, session: &OsStr, no_create: bool) -> Vec<u8> {
    let reload = session.as_bytes() == crate::session::RELOAD.as_bytes();
    let mut session = Session::decode(session.as_bytes());
    let mut observation = Observation::gather(None, &mut session);
    if shell.disable_prompt_when_empty() {
        observation.vars.prompt_disabled = crate::activation::prompt_disabled(
            std::env::var_os("VIRTUAL_ENV_DISABLE_PROMPT").as_deref(),
            true,
        );
    }
    let mut plan = observation.decide(request, &session, Some(shell));
    let again = no_create && matches!(plan.enter, Enter::Create(_));
    if again {
        plan.enter = Enter::Nothing;
    }
    let mut update = carry_out(&mut observation, plan, shell, reload);
    update.again = again;
    shell.render(&update)
}

/// The first evaluation, for the hook line to apply itself when it has nothing to do:
/// nothing of autovenv's or a venv's active, nothing to activate or create here, nothing
/// to say. The shell's first prompt then starts no process (the rc line is what start-up
/// costs). `None` otherwise: the first prompt evaluates, after the rest of the rc file (a
/// theme that sets the prompt, a cd) has run.
pub fn start(shell: &dyn Shell) -> Option<Vec<u8>> {
    if std::env::var_os("AUTOVENV_STATE").is_some() || std::env::var_os("VIRTUAL_ENV").is_some() {
        return None;
    }
    let mut session = Session::decode(b"");
    let mut observation = Observation::gather(None, &mut session);
    let plan = observation.decide(Request::Prompt, &session, Some(shell));
    if plan.leave.is_some() || !matches!(plan.enter, Enter::Nothing) || plan.notice.is_some() {
        return None;
    }
    let update = carry_out(&mut observation, plan, shell, false);
    Some(shell.render(&update))
}

/// Carries out a plan: undoes, enters, tells; returns what the shell applies.
/// `reload`: the user ran `autovenv reload`, so an activation that stays takes its prompt
/// name from the config as it is now.
fn carry_out(observation: &mut Observation, plan: Plan, shell: &dyn Shell, reload: bool) -> Update {
    let mut session = plan.session;
    let undone = undo(observation, plan.leave.as_ref());
    let mut after = undone.vars.clone();
    let entered = match plan.enter {
        Enter::Nothing => Entered::Nothing,
        Enter::Keep(state) => Entered::Kept(keep(observation, &mut after, &state, reload)),
        Enter::Activate(venv, root) => activate(observation, &mut after, venv, root, None),
        Enter::Create(root) => {
            match create(observation, &undone.vars, &root, shell, &mut session) {
                Some((venv, took)) => activate(observation, &mut after, venv, root, took),
                None => Entered::Nothing,
            }
        }
    };
    announce(observation, &undone, &entered, plan.notice.as_ref());
    let (deactivate, prompt) = match entered {
        Entered::Nothing if undone.left.is_some() => (Deactivate::Remove, PromptChange::Remove),
        // With nothing of autovenv's active, its prefix comes off wherever it still is —
        // also from under the prompt of a venv activated by hand, whose `activate` kept it.
        Entered::Nothing => (Deactivate::Leave, PromptChange::Remove),
        Entered::Kept(name) | Entered::Activated { name, .. } => {
            (Deactivate::Define, PromptChange::show(&name))
        }
    };
    Update {
        env: observation.vars.diff(&after),
        path_edit: PathEdit::between(observation.vars.path.as_deref(), after.path.as_deref()),
        deactivate,
        prompt,
        hand_over: undone.hand_over,
        rehash: observation.vars.path != after.path,
        session: session.encode(),
        anchor: shell_update::hook_anchor(observation.discovery.anchor()),
        watch: watched(observation),
        again: false,
    }
}

/// What the hook watches at the prompt: the discovery's entries, and the trust store's
/// entries that would change how the project stands.
fn watched(observation: &Observation) -> Vec<OsString> {
    let discovery = &observation.discovery;
    let mut names = discovery.watch_names(&observation.config, &observation.location);
    if let Some(root) = discovery.root() {
        names.extend(
            trust::watched_entries(root, &observation.trust)
                .into_iter()
                .map(PathBuf::into_os_string),
        );
    }
    names
}

/// The variables once autovenv's earlier activation is undone, and what that took off.
struct Undone {
    /// The managed variables afterwards.
    vars: Vars,
    /// The venv taken off, when one was.
    left: Option<PathBuf>,
    /// It was salvaged from an unreadable state; its warning says so already.
    salvaged: bool,
    /// What the hook finishes of a stale activation (see [`HandOver`]).
    hand_over: Option<HandOver>,
}

/// What is active once the plan's enter step has run.
enum Entered {
    /// Nothing of autovenv's.
    Nothing,
    /// autovenv's activation stays, shown in the prompt under this name.
    Kept(OsString),
    /// `venv` was activated for `root` under `name`; `took` is how long making it took
    /// when it was just made.
    Activated {
        venv: Venv,
        root: PathBuf,
        name: OsString,
        took: Option<Duration>,
    },
}

/// Undoes what the plan says to undo, telling the user what they need to know.
fn undo(observation: &Observation, leave: Option<&Leave>) -> Undone {
    let out = observation.output;
    let mut undone = Undone {
        vars: observation.vars.clone(),
        left: None,
        salvaged: false,
        hand_over: None,
    };
    let Some(leave) = leave else {
        return undone;
    };
    let warning = leave.undo(&mut undone.vars);
    match leave {
        Leave::Restore(state) => {
            if let Some(warning) = warning {
                out.warning(&warning);
            }
            undone.left = Some(state.venv.clone());
        }
        Leave::Stale(state) => {
            undone.hand_over = Some(hand_over(observation, state));
            if let Some(by_hand) = undone.vars.virtual_env.as_ref().filter(|v| !v.is_empty()) {
                out.info(&format!(
                    "{} was activated by hand: autovenv leaves it alone until it is deactivated",
                    shown(by_hand)
                ));
            }
        }
        Leave::Salvage { venv } => {
            let path = match warning {
                None => "took it off PATH and ".to_owned(),
                Some(_) => format!("PATH no longer held {}; ", shown(venv.join("bin"))),
            };
            out.warning(&format!(
                    "AUTOVENV_STATE could not be read, so {} was taken off as far as it can be: {path}unset VIRTUAL_ENV and VIRTUAL_ENV_PROMPT; what they held before it was activated is lost",
                    shown(venv)
            ));
            // A salvaged venv's line says it was taken off; "deactivated" would say it twice.
            undone.left = Some(venv.clone());
            undone.salvaged = true;
        }
        Leave::Corrupt => out
            .warning("AUTOVENV_STATE could not be read, so it was dropped; PATH is left as it is"),
    }
    undone
}

/// What the hook finishes of a stale activation: the venv's `PATH` entry also comes out
/// of the `PATH` a venv activated by hand saved.
fn hand_over(observation: &Observation, state: &State) -> HandOver {
    let path_entry = state.venv.join("bin").into_os_string();
    let saved_path = observation
        .saved_path
        .as_ref()
        .and_then(|saved| crate::activation::without_entry(saved, &path_entry));
    HandOver {
        path_entry,
        pythonhome: state.pythonhome.clone(),
        saved_path,
    }
}

/// Keeps autovenv's activation; returns the name the prompt shows for it.
fn keep(observation: &Observation, after: &mut Vars, state: &State, reload: bool) -> OsString {
    if reload {
        let (name, var) = match &observation.discovery.venv {
            Some((venv, _)) if venv.path == state.venv => {
                let name = venv.prompt(&observation.config.prompt, &state.root);
                let var = venv.cfg.prompt_var(&name, observation.vars.prompt_disabled);
                (name, var)
            }
            _ => {
                let name = state
                    .venv
                    .file_name()
                    .map(OsStr::to_owned)
                    .unwrap_or_default();
                (name.clone(), Some(name))
            }
        };
        after.virtual_env_prompt = var;
        return name;
    }
    // A shell started inside the project whose profile rebuilt PATH keeps VIRTUAL_ENV
    // and the state, but not the venv's entry: put it back.
    after.put_back_path_entry(state);
    observation
        .vars
        .virtual_env_prompt
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(crate::venv::prompt_name)
        // Unset (`VIRTUAL_ENV_DISABLE_PROMPT`): named as at activation, where that venv
        // is still the one found.
        .or_else(|| match &observation.discovery.venv {
            Some((venv, _)) if venv.path == state.venv => {
                Some(venv.prompt(&observation.config.prompt, &state.root))
            }
            _ => None,
        })
        .or_else(|| state.venv.file_name().map(OsStr::to_owned))
        .unwrap_or_default()
}

/// Activates `venv` for `root` over `after`.
fn activate(
    observation: &Observation,
    after: &mut Vars,
    venv: Venv,
    root: PathBuf,
    took: Option<Duration>,
) -> Entered {
    let name = venv.prompt(&observation.config.prompt, &root);
    let prompt = venv.cfg.prompt_var(&name, observation.vars.prompt_disabled);
    after.activate(&venv.path, &root, prompt);
    Entered::Activated {
        venv,
        root,
        name,
        took,
    }
}

/// Makes the venv of the trusted project `root` (only a trusted one gets here) and walks
/// the tree again to see it. Returns it when it can be activated in `shell`, with how
/// long making it took; otherwise says why, once, and the project is not retried in this
/// shell when making it failed.
fn create(
    observation: &mut Observation,
    before: &Vars,
    root: &Path,
    shell: &dyn Shell,
    session: &mut Session,
) -> Option<(Venv, Option<Duration>)> {
    // A half-made venv that discovery found is finished where it is.
    let path = match &observation.discovery.venv {
        Some((venv, venv_root)) if venv_root == root => venv.path.clone(),
        _ => observation.location.for_root(root),
    };
    let options = crate::create::Options {
        env: Some(before.clone()),
        trusted: true,
        ..Default::default()
    };
    let made = crate::create::create(
        root,
        &path,
        &observation.config,
        observation.output,
        &options,
    );
    observation.discovery = Discovery::walk(
        &observation.discovery.pwd,
        &observation.config,
        &observation.location,
    );
    let mut made = match made {
        Ok(made) => made,
        Err(failure) => {
            if let Failure::Error(error) = failure {
                observation.output.error(&error);
            }
            session.failed.push(root.to_owned());
            return None;
        }
    };
    made.venv.path = discover::physical(&made.venv.path);
    let template = &observation.config.prompt;
    match decide::unwritable(shell, before, &made.venv, root, template) {
        None => Some((made.venv, made.took)),
        Some(notice) => {
            if let Some(notice) = notice.once(session) {
                observation.output.say(notice.level(), &notice.to_string());
            }
            None
        }
    }
}

/// Says what changed in one line, then the plan's notice.
fn announce(
    observation: &Observation,
    undone: &Undone,
    entered: &Entered,
    notice: Option<&Notice>,
) {
    let out = observation.output;
    match entered {
        Entered::Activated {
            venv, root, took, ..
        } => {
            let version = venv
                .cfg
                .version
                .as_deref()
                .map(|v| format!(" (Python {v})"))
                .unwrap_or_default();
            // A venv taken off only to be activated afresh was not switched from.
            let switched = undone.left.as_ref().is_some_and(|l| *l != venv.path);
            let verb = match (took, switched) {
                (Some(_), true) => "created and switched to",
                (Some(_), false) => "created and activated",
                (None, true) => "switched to",
                (None, false) => "activated",
            };
            let stale = crate::sync::stale_note(&venv.path, root)
                .map(|note| format!("; {note}"))
                .unwrap_or_default();
            let took = took
                .map(|t| format!(" in {}", crate::create::seconds(t)))
                .unwrap_or_default();
            out.info(&format!(
                "{verb} {}{version}{took}{stale}",
                shown(&venv.path)
            ));
        }
        Entered::Nothing if !undone.salvaged => {
            if let Some(venv) = &undone.left {
                out.info(&format!("deactivated {}", shown(venv)));
            }
        }
        Entered::Nothing | Entered::Kept(_) => {}
    }
    if let Some(notice) = notice {
        out.say(notice.level(), &notice.to_string());
    }
}
