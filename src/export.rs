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
    /// Whether `VIRTUAL_ENV`, when set, names a directory that exists.
    pub virtual_env_exists: bool,
    /// `PATH` as a venv activated by hand saved it, where the hook passes it (tcsh, in
    /// `_AUTOVENV_OLD_VIRTUAL_PATH`; see [`HandOver::saved_path`]).
    pub saved_path: Option<OsString>,
}

impl Situation {
    /// Looks at `dir` (or the shell's directory) and the environment.
    pub fn gather(dir: Option<&Path>, session: &mut Session) -> Situation {
        let (config, errors) = config::load();
        // Each problem once per shell; each line says what is in effect instead.
        for error in errors {
            let key = OsString::from(format!("e{error}"));
            if !session.has_noticed(&key) {
                let level = match error.effect {
                    config::Effect::FileIgnored => Level::Error,
                    _ => Level::Warning,
                };
                say(level, false, &error.to_string());
                session.remember_notice(key);
            }
        }
        let pwd = dir
            .map(Path::to_owned)
            .or_else(discover::current_dir)
            .unwrap_or_else(|| PathBuf::from("/"));
        let location = VenvLocation::from_env(&config);
        let mut discovery = Discovery::walk(&pwd, &config, &location);
        // A file where the project's venv belongs: not a venv, and nothing can be made
        // there, so it is reported as that project's broken venv. (A link to nothing is
        // not: the venv is made where it points.)
        if let (None, Some(root)) = (&discovery.venv, &discovery.project) {
            let path = location.for_root(root);
            if std::fs::metadata(&path).is_ok_and(|m| !m.is_dir()) {
                discovery.venv = Some((Venv::not_a_directory(path), root.clone()));
            }
        }
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
        let virtual_env_exists = vars
            .virtual_env
            .as_ref()
            .is_none_or(|v| v.is_empty() || std::fs::metadata(v).is_ok_and(|m| m.is_dir()));
        Situation {
            config,
            location,
            discovery,
            trust,
            vars,
            state,
            virtual_env_exists,
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
            virtual_env_exists: self.virtual_env_exists,
            state: &self.state,
            session,
        })
    }
}

/// Runs one evaluation and returns the code for `shell`.
pub fn export(shell: &dyn crate::shell::Shell, request: Request, session: &OsStr) -> Vec<u8> {
    let reload = session.as_bytes() == crate::session::RELOAD.as_bytes();
    let mut session = Session::decode(session.as_bytes());
    let mut situation = Situation::gather(None, &mut session);
    let plan = situation.decide(request, &session);
    let update = carry_out(&mut situation, plan, shell, reload);
    shell.render(&update)
}

/// Carries out a plan: undoes, creates, activates, tells; returns what the shell applies.
/// `reload`: the user ran `autovenv reload`, so an activation that stays takes its prompt
/// name from the config as it is now.
fn carry_out(
    situation: &mut Situation,
    plan: Plan,
    shell: &dyn crate::shell::Shell,
    reload: bool,
) -> Update {
    let quiet = situation.config.quiet;
    let mut session = plan.session;
    let mut after = situation.vars.clone();
    let mut left = None;
    // A salvaged venv's line says it was taken off; "deactivated" would say it twice.
    let mut salvaged = false;
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
        Some(Leave::Salvage { venv }) => {
            let path = match after.salvage(venv) {
                None => "took it off PATH and ".to_owned(),
                Some(_) => format!("PATH no longer held {}; ", shown(venv.join("bin"))),
            };
            say(
                Level::Warning,
                false,
                &format!(
                    "AUTOVENV_STATE could not be read, so {} was taken off as far as it can be: {path}unset VIRTUAL_ENV and VIRTUAL_ENV_PROMPT; what they held before it was activated is lost",
                    shown(venv)
                ),
            );
            left = Some(venv.clone());
            salvaged = true;
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
        Enter::Keep(state) if reload => {
            let name = match &situation.discovery.venv {
                Some((venv, _)) if venv.path == state.venv => {
                    venv.prompt(&situation.config.prompt, &state.root)
                }
                _ => state
                    .venv
                    .file_name()
                    .map(OsStr::to_owned)
                    .unwrap_or_default(),
            };
            after.virtual_env_prompt = Some(name.clone());
            deactivate = Deactivate::Define;
            prompt = PromptChange::Show(name);
        }
        Enter::Keep(state) => {
            // A shell started inside the project whose profile rebuilt PATH keeps
            // VIRTUAL_ENV and the state, but not the venv's entry: put it back.
            after.put_back_path_entry(&state);
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
            // Only a trusted project gets here (decide creates nowhere else).
            let options = crate::create::Options {
                env: Some(after.clone()),
                trusted: true,
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
        // A venv taken off only to be activated afresh was not switched from.
        let switched = left.as_ref().is_some_and(|l| *l != venv.path);
        let verb = match (took, switched) {
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
    } else if let Some(venv) = left.as_ref().filter(|_| !salvaged) {
        say(Level::Info, quiet, &format!("deactivated {}", shown(venv)));
    }
    if let Some(notice) = &plan.notice {
        let (level, text) = notice_text(notice, situation.config.auto_create);
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

/// The one line a notice is shown as; `auto_create` is the config's, which decides what
/// `autovenv allow` does in a project without a venv.
pub fn notice_text(notice: &Notice, auto_create: bool) -> (Level, String) {
    match notice {
        Notice::Untrusted {
            root,
            has_venv: false,
        } if !auto_create => (
            Level::Info,
            format!(
                "{} is a Python project without a venv: run `autovenv allow` to trust it and `autovenv create` to make its venv (auto_create is off), or `autovenv deny` to stop this message",
                shown(root)
            ),
        ),
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
        Notice::UntrustedToolProject { root, tool } => (
            Level::Info,
            format!(
                "{} is a {} project without its environment yet: run `autovenv allow` to trust it and `{}` to make the environment, or `autovenv deny` to stop this message",
                shown(root),
                tool.name(),
                tool.install_command(),
            ),
        ),
        Notice::ToolMakes { root, tool } => (
            Level::Info,
            format!(
                "{} is a {} project without its environment yet: run `{}` to make it (autovenv leaves that to {}; set create_in_tool_projects = true to have autovenv make a .venv)",
                shown(root),
                tool.name(),
                tool.install_command(),
                tool.name(),
            ),
        ),
        Notice::Broken {
            venv,
            problem,
            trusted,
        } => (Level::Warning, broken_text(venv, problem, *trusted)),
        Notice::GoneVirtualEnv { venv } => (
            Level::Warning,
            format!(
                "VIRTUAL_ENV names {}, which does not exist, so autovenv stays out of this shell: run `deactivate`, or unset VIRTUAL_ENV",
                shown(venv)
            ),
        ),
        Notice::Changed { root, change } => (Level::Warning, changed_text(root, change)),
        Notice::Refused { root, refusal } => (Level::Warning, refused_text(root, refusal)),
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
    broken_text(venv, problem, true)
}

/// Why `venv` is not activated, and what to do about it. Only a venv that is the trusted
/// project's own directory gets advice that replaces it (a rebuild moves the old one aside
/// until the new one works); behind a symlink, or in a project not trusted, the advice
/// changes nothing.
pub fn broken_text(venv: &Path, problem: &Problem, trusted: bool) -> String {
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
