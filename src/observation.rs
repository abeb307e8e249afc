//! What one evaluation looks at: the config, what is on disk, trust and the managed
//! variables, gathered once before [`crate::decide`] runs. Every command that acts as the
//! hook would (the hook's `export`, `status`, `exec`, `create`, `allow`) starts here.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::activation::Vars;
use crate::config::{self, Config};
use crate::decide::{self, Inputs, Plan, Request, StateRead};
use crate::discover::{self, Discovery, VenvLocation};
use crate::message::{Level, Output};
use crate::session::Session;
use crate::shell::Shell;
use crate::state::State;
use crate::trust::{self, Trust};
use crate::venv::Venv;

/// Everything one evaluation looks at, gathered before deciding.
pub struct Observation {
    /// The config (defaults where the file is broken).
    pub config: Config,
    /// Where messages go, quiet as the config says.
    pub output: Output,
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

impl Observation {
    /// Looks at `dir` (or the shell's directory) and the environment.
    pub fn gather(dir: Option<&Path>, session: &mut Session) -> Observation {
        let (config, errors) = config::load();
        let output = Output::new(config.quiet);
        // Each problem once per shell; each line says what is in effect instead.
        for error in errors {
            let key = OsString::from(format!("e{error}"));
            if !session.has_noticed(&key) {
                let level = match error.effect {
                    config::Effect::FileIgnored => Level::Error,
                    _ => Level::Warning,
                };
                output.say(level, &error.to_string());
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
        Observation {
            config,
            output,
            location,
            discovery,
            trust,
            vars,
            state,
            virtual_env_exists,
            saved_path: std::env::var_os("_AUTOVENV_OLD_VIRTUAL_PATH"),
        }
    }

    /// Decides what to do for `request`, in `shell` when one applies the plan.
    pub fn decide(&self, request: Request, session: &Session, shell: Option<&dyn Shell>) -> Plan {
        decide::decide(&Inputs {
            request,
            discovery: &self.discovery,
            trust: &self.trust,
            auto_create: self.config.auto_create,
            vars: &self.vars,
            prompt: &self.config.prompt,
            shell,
            virtual_env_exists: self.virtual_env_exists,
            state: &self.state,
            session,
        })
    }
}
