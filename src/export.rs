//! `autovenv export SHELL`: discover → decide → carry out → render, once per change.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::activation::Vars;
use crate::config::{self, Config};
use crate::create::Failure;
use crate::decide::{self, Enter, Inputs, Leave, Notice, Plan, Request, StateRead};
use crate::discover::{self, Discovery, VenvLocation};
use crate::message::{say, shown, Level};
use crate::ownership;
use crate::session::Session;
use crate::state::State;
use crate::trust::{self, Change, Refusal, Trust};
use crate::update::{Deactivate, HandOver, PromptChange, Update};
use crate::venv::{Problem, Venv};

/// Everything one evaluation looks at, gathered before deciding.
pub struct Situation {
    /// The config (defaults where the file is broken).
    pub config: Config,
    /// Where venvs are looked for.
    pub location: VenvLocation,
    /// What is on disk.
    pub discovery: Discovery,
    /// How the discovered root stands.
    pub trust: Trust,
    /// The managed variables as they are now.
    pub vars: Vars,
    /// What `AUTOVENV_STATE` held.
    pub state: StateRead,
    /// `PATH` as a venv activated by hand saved it, where the hook passes it (tcsh, in
    /// `_AUTOVENV_OLD_VIRTUAL_PATH`; see [`HandOver::saved_path`]).
    pub saved_path: Option<OsString>,
}

impl Situation {
    /// Looks at `dir` (or the shell's directory) and the environment.
    pub fn gather(dir: Option<&Path>, session: &mut Session) -> Situation {
        let (config, error) = config::load();
        if let Some(error) = error {
            let key = OsString::from(format!("e{error}"));
            if !session.has_noticed(&key) {
                say(
                    Level::Error,
                    false,
                    &format!("{error} (using the defaults meanwhile)"),
                );
                session.remember_notice(key);
            }
        }
        let pwd = dir
            .map(Path::to_owned)
            .or_else(discover::current_dir)
            .unwrap_or_else(|| PathBuf::from("/"));
        let location = VenvLocation::from_env(&config);
        let discovery = Discovery::walk(&pwd, &config, &location);
        let venv = discovery.venv.as_ref().map(|(venv, _)| venv.path.as_path());
        let trust = discovery
            .root()
            .map_or(Trust::Unknown, |root| trust::check(root, venv, &config));
        let vars = Vars::from_env();
        let state = match &vars.state {
            None => StateRead::Absent,
            Some(value) => match State::decode(value.as_bytes()) {
                Some(state) => StateRead::Present(state),
                None => StateRead::Corrupt,
            },
        };
        Situation {
            config,
            location,
            discovery,
            trust,
            vars,
            state,
            saved_path: std::env::var_os("_AUTOVENV_OLD_VIRTUAL_PATH"),
        }
    }

    /// Decides what to do for `request`.
    pub fn decide(&self, request: Request, session: &Session) -> Plan {
        decide::decide(&Inputs {
            request,
            discovery: &self.discovery,
            trust: &self.trust,
            auto_create: self.config.auto_create,
            virtual_env: self.vars.virtual_env.as_deref(),
            state: &self.state,
            session,
        })
    }
}

/// Runs one evaluation and returns the code for `shell`.
pub fn export(shell: &dyn crate::shell::Shell, request: Request, session: &OsStr) -> Vec<u8> {
    let mut session = Session::decode(session.as_bytes());
    let mut situation = Situation::gather(None, &mut session);
    let plan = situation.decide(request, &session);
    let update = carry_out(&mut situation, plan, shell);
    shell.render(&update)
}

/// Carries out a plan: undoes, creates, activates, tells; returns what the shell applies.
fn carry_out(situation: &mut Situation, plan: Plan, shell: &dyn crate::shell::Shell) -> Update {
    let quiet = situation.config.quiet;
    let mut session = plan.session;
    let mut after = situation.vars.clone();
    let mut left = None;
    let mut hand_over = None;
    match &plan.leave {
        Some(Leave::Restore(state)) => {
            if let Some(warning) = after.restore(state) {
                say(Level::Warning, false, &warning);
            }
            left = Some(state.venv.clone());
        }
        Some(Leave::Stale(state)) => {
            after.forget(state);
            let path_entry = state.venv.join("bin").into_os_string();
            let saved_path = situation
                .saved_path
                .as_ref()
                .and_then(|saved| crate::activation::without_entry(saved, &path_entry));
            hand_over = Some(HandOver {
                path_entry,
                pythonhome: state.pythonhome.clone(),
                saved_path,
            });
            if let Some(by_hand) = after.virtual_env.as_ref().filter(|v| !v.is_empty()) {
                say(
                    Level::Info,
                    quiet,
                    &format!(
                        "{} was activated by hand: autovenv leaves it alone until it is deactivated",
                        shown(by_hand)
                    ),
                );
            }
        }
        Some(Leave::Corrupt) => {
            after.state = None;
            say(
                Level::Warning,
                false,
                "AUTOVENV_STATE could not be read, so it was dropped; PATH is left as it is",
            );
        }
        None => {}
    }

    let mut deactivate = Deactivate::Leave;
    if left.is_some() {
        deactivate = Deactivate::Remove;
    }
    // With nothing of autovenv's active, its prefix comes off wherever it still is — also
    // from under the prompt of a venv activated by hand, whose `activate` kept it.
    let mut prompt = PromptChange::Remove;
    let mut target: Option<(Venv, PathBuf)> = None;
    let mut took = None;
    match plan.enter {
        Enter::Nothing => {}
        Enter::Keep(state) => {
            let name = situation
                .vars
                .virtual_env_prompt
                .clone()
                .filter(|p| !p.is_empty())
                .or_else(|| state.venv.file_name().map(OsStr::to_owned))
                .unwrap_or_default();
            deactivate = Deactivate::Define;
            prompt = PromptChange::Show(name);
        }
        Enter::Activate(venv, root) => target = Some((venv, root)),
        Enter::Create(root) => {
            // A half-made venv that discovery found is finished where it is.
            let path = match &situation.discovery.venv {
                Some((venv, venv_root)) if *venv_root == root => venv.path.clone(),
                _ => situation.location.for_root(&root),
            };
            let options = crate::create::Options {
                env: Some(after.clone()),
                ..Default::default()
            };
            match crate::create::create(&root, &path, &situation.config, &options) {
                Ok(mut made) => {
                    took = made.took;
                    made.venv.path = discover::physical(&made.venv.path);
                    target = Some((made.venv, root));
                }
                Err(Failure::Error(error)) => {
                    say(Level::Error, false, &error);
                    session.failed.push(root);
                }
                Err(Failure::Interrupted) => session.failed.push(root),
            }
            situation.discovery = Discovery::walk(
                &situation.discovery.pwd,
                &situation.config,
                &situation.location,
            );
        }
    }
    // Every value the activation would write, and every value its restore would write
    // back, must survive this shell's syntax (tcsh cannot write a newline, nushell bytes
    // that are not UTF-8): the venv's path, PATH, PYTHONHOME and the rest.
    if let Some((venv, root)) = &target {
        let mut trial = after.clone();
        trial.activate(
            &venv.path,
            root,
            venv.prompt(&situation.config.prompt, root),
        );
        let unwritable = after
            .diff(&trial)
            .into_iter()
            .chain(trial.diff(&after))
            .find(|(_, value)| value.as_ref().is_some_and(|v| !shell.can_express(v)));
        if let Some((name, _)) = unwritable {
            let key = OsString::from_vec([b"x", venv.path.as_os_str().as_bytes()].concat());
            if !session.has_noticed(&key) {
                let what = if shell.can_express(venv.path.as_os_str()) {
                    format!("{name} would hold bytes that {} cannot write in its own syntax, so {} was not activated in this shell: take them out of {name}", shell.name(), shown(&venv.path))
                } else {
                    format!(
                        "{} cannot be written in {}'s own syntax, so it was not activated in this shell: rename or move the directory",
                        shown(&venv.path),
                        shell.name()
                    )
                };
                say(Level::Error, false, &what);
                session.remember_notice(key);
            }
            target = None;
        }
    }
    if let Some((venv, root)) = target {
        let name = venv.prompt(&situation.config.prompt, &root);
        after.activate(&venv.path, &root, name.clone());
        deactivate = Deactivate::Define;
        prompt = PromptChange::Show(name);
        let version = venv
            .cfg
            .version
            .as_deref()
            .map(|v| format!(" (Python {v})"))
            .unwrap_or_default();
        let verb = match (took, left.is_some()) {
            (Some(_), true) => "created and switched to",
            (Some(_), false) => "created and activated",
            (None, true) => "switched to",
            (None, false) => "activated",
        };
        let stale = crate::sync::stale_note(&venv.path, &root)
            .map(|note| format!("; {note}"))
            .unwrap_or_default();
        let took = took
            .map(|t| format!(" in {}", crate::create::seconds(t)))
            .unwrap_or_default();
        say(
            Level::Info,
            quiet,
            &format!("{verb} {}{version}{took}{stale}", shown(&venv.path)),
        );
    } else if let Some(venv) = &left {
        say(Level::Info, quiet, &format!("deactivated {}", shown(venv)));
    }
    if let Some(notice) = &plan.notice {
        let (level, text) = notice_text(notice);
        say(level, quiet, &text);
    }

    Update {
        env: situation.vars.diff(&after),
        deactivate,
        prompt,
        hand_over,
        rehash: situation.vars.path != after.path,
        session: session.encode(),
        anchor: situation.discovery.anchor().to_owned(),
        watch: situation
            .discovery
            .watch_names(&situation.config, &situation.location),
    }
}

/// The one line a notice is shown as.
pub fn notice_text(notice: &Notice) -> (Level, String) {
    match notice {
        Notice::Untrusted { root, has_venv: true } => (
            Level::Info,
            format!(
                "{} has a venv but is not trusted: run `autovenv allow` to activate it, or `autovenv deny` to stop this message",
                shown(root)
            ),
        ),
        Notice::Untrusted { root, has_venv: false } => (
            Level::Info,
            format!(
                "{} is a Python project without a venv: run `autovenv allow` to create and activate one, or `autovenv deny` to stop this message",
                shown(root)
            ),
        ),
        Notice::NoAutoCreate { root } => (
            Level::Info,
            format!(
                "{} has no venv and auto_create is off: run `autovenv create` to make one",
                shown(root)
            ),
        ),
        Notice::Broken { venv, problem } => (Level::Warning, problem_text(venv, problem)),
        Notice::Changed { root, change } => (Level::Warning, changed_text(root, change)),
        Notice::Refused { root, refusal } => (Level::Warning, refused_text(root, refusal)),
    }
}

/// `autovenv allow` with options for `root`, quoted for a shell.
fn allow_command(options: &str, root: &Path) -> String {
    format!(
        "autovenv allow {options}{}",
        shell_words::quote(&shown(root))
    )
}

/// Why an allowed project is asked about again, in one line.
pub fn changed_text(root: &Path, change: &Change) -> String {
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
pub fn refused_text(root: &Path, refusal: &Refusal) -> String {
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

/// Why `venv` is not activated, in one line that says how to fix it.
pub fn problem_text(venv: &Path, problem: &Problem) -> String {
    let then_sync = match venv.parent().and_then(crate::sync::declared) {
        Some(_) => ", then `autovenv sync` to reinstall its dependencies",
        None => "",
    };
    let venv = shown(venv);
    match problem {
        Problem::NoConfig => format!(
            "{venv} is not a virtual environment (it has no pyvenv.cfg), so it was not activated: remove it, or run `autovenv create --force` to rebuild it"
        ),
        Problem::NoPython => format!(
            "{venv} has no bin/python, so it was not activated: run `autovenv create --force` to rebuild it{then_sync}"
        ),
        Problem::DanglingPython(target) => format!(
            "{venv}/bin/python points to {}, which is gone, so it was not activated: run `autovenv create --force` to rebuild it{then_sync}",
            shown(target)
        ),
        Problem::MissingHome(home) => format!(
            "{venv} was made from the Python in {}, which is gone, so it was not activated: run `autovenv create --force` to rebuild it{then_sync}",
            shown(home)
        ),
        Problem::Incomplete => format!(
            "{venv} is half-made (its creation did not finish), so it was not activated: run `autovenv create --force` to rebuild it"
        ),
        Problem::ColonInPath => format!(
            "{venv} has ':' in its path, which PATH cannot hold, so it was not activated: rename or move the directory"
        ),
    }
}
