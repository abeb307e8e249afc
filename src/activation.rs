//! What activating a venv changes, and the exact, minimal restore.
//!
//! Works on [`Vars`], the handful of variables autovenv manages, so that a switch is a
//! restore followed by an activation, and the shell only sees the net difference.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use crate::shell_update::EnvChange;
use crate::state::{self, PathKind, State};

/// The variables an activation touches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vars {
    /// `PATH`.
    pub path: Option<OsString>,
    /// `VIRTUAL_ENV`.
    pub virtual_env: Option<OsString>,
    /// `VIRTUAL_ENV_PROMPT`.
    pub virtual_env_prompt: Option<OsString>,
    /// `PYTHONHOME`.
    pub pythonhome: Option<OsString>,
    /// `AUTOVENV_STATE`.
    pub state: Option<OsString>,
    /// Whether `VIRTUAL_ENV_DISABLE_PROMPT` turns the venv's prompt off, as its `activate`
    /// reads it (set and not empty; see [`prompt_disabled`]). Read, never changed: with it,
    /// CPython's `activate` from 3.10 to 3.12 leaves `VIRTUAL_ENV_PROMPT` unset.
    pub prompt_disabled: bool,
}

impl Vars {
    /// Reads them from this process's environment.
    pub fn from_env() -> Vars {
        Vars {
            path: std::env::var_os("PATH"),
            virtual_env: std::env::var_os("VIRTUAL_ENV"),
            virtual_env_prompt: std::env::var_os("VIRTUAL_ENV_PROMPT"),
            pythonhome: std::env::var_os("PYTHONHOME"),
            state: std::env::var_os(state::VAR),
            prompt_disabled: prompt_disabled(
                std::env::var_os("VIRTUAL_ENV_DISABLE_PROMPT").as_deref(),
                false,
            ),
        }
    }

    fn named(&self) -> [(&'static str, &Option<OsString>); 5] {
        [
            ("PATH", &self.path),
            ("VIRTUAL_ENV", &self.virtual_env),
            ("VIRTUAL_ENV_PROMPT", &self.virtual_env_prompt),
            ("PYTHONHOME", &self.pythonhome),
            (state::VAR, &self.state),
        ]
    }

    /// The change that turns `self` into `after`: only what differs.
    pub fn diff(&self, after: &Vars) -> EnvChange {
        let mut change = EnvChange::new();
        for ((name, before), (_, now)) in self.named().into_iter().zip(after.named()) {
            if before != now {
                change.insert(name.to_owned(), now.clone());
            }
        }
        change
    }

    /// Activates the venv at `venv` for the project `root`, as CPython's `bin/activate`
    /// does, and records what it replaced in `AUTOVENV_STATE`. `prompt` is the value for
    /// `VIRTUAL_ENV_PROMPT`, in the form the venv's own `activate` writes, or none where it
    /// leaves the variable unset (see [`crate::venv::PyvenvCfg::prompt_var`]).
    pub fn activate(&mut self, venv: &Path, root: &Path, prompt: Option<OsString>) {
        let path_kind = match &self.path {
            None => PathKind::Unset,
            Some(p) if p.is_empty() => PathKind::Empty,
            Some(_) => PathKind::Set,
        };
        let state = State {
            venv: venv.to_owned(),
            root: root.to_owned(),
            virtual_env: self.virtual_env.take(),
            virtual_env_prompt: self.virtual_env_prompt.take(),
            pythonhome: self.pythonhome.take(),
            path: path_kind,
        };
        let bin = venv.join("bin").into_os_string();
        self.path = Some(match (&self.path, path_kind) {
            (Some(path), PathKind::Set) => {
                let mut joined = bin;
                joined.push(":");
                joined.push(path);
                joined
            }
            _ => bin,
        });
        self.virtual_env = Some(venv.as_os_str().to_owned());
        self.virtual_env_prompt = prompt;
        self.state = Some(state.encode());
    }

    /// Undoes `state` exactly: takes the venv's one entry out of `PATH` wherever it now is,
    /// and puts the three variables back as they were. Returns a warning when `PATH` no
    /// longer holds the entry (then `PATH` is left as the user made it).
    pub fn restore(&mut self, state: &State) -> Option<String> {
        let warning = self.remove_path_entry(state);
        self.virtual_env = state.virtual_env.clone();
        self.virtual_env_prompt = state.virtual_env_prompt.clone();
        self.pythonhome = state.pythonhome.clone();
        self.state = None;
        warning
    }

    /// Forgets a state that `VIRTUAL_ENV` no longer matches: our `PATH` entry goes. While
    /// a venv activated by hand is active, the variables stay as its activation set them;
    /// once none is, what autovenv's activation replaced comes back (`PYTHONHOME` only if
    /// nobody has set it since).
    pub fn forget(&mut self, state: &State) {
        let _ = self.remove_path_entry(state);
        if self.virtual_env.as_ref().is_none_or(|v| v.is_empty()) {
            self.virtual_env = state.virtual_env.clone();
            self.virtual_env_prompt = state.virtual_env_prompt.clone();
            if self.pythonhome.is_none() {
                self.pythonhome = state.pythonhome.clone();
            }
        }
        self.state = None;
    }

    /// Takes off the venv at `venv` when `AUTOVENV_STATE` no longer says what its
    /// activation replaced: its `PATH` entry comes out, `VIRTUAL_ENV` and
    /// `VIRTUAL_ENV_PROMPT` are unset, `PYTHONHOME` stays as it is. Returns a warning when
    /// `PATH` no longer holds the entry.
    pub fn salvage(&mut self, venv: &Path) -> Option<String> {
        let warning = self.remove_entry(venv, PathKind::Set);
        self.virtual_env = None;
        self.virtual_env_prompt = None;
        self.state = None;
        warning
    }

    /// Puts the `bin` of the venv `state` activated back at the front of `PATH` when
    /// `PATH` has lost it, as a login shell's profile does that rebuilds `PATH` in a shell
    /// started inside an active project. Returns whether it had to.
    pub fn put_back_path_entry(&mut self, state: &State) -> bool {
        let bin = state.venv.join("bin").into_os_string();
        let current = self.path.clone().unwrap_or_default();
        if without_entry(&current, &bin).is_some() {
            return false;
        }
        let mut path = bin;
        if !current.is_empty() {
            path.push(":");
            path.push(current);
        }
        self.path = Some(path);
        true
    }

    fn remove_path_entry(&mut self, state: &State) -> Option<String> {
        self.remove_entry(&state.venv, state.path)
    }

    fn remove_entry(&mut self, venv: &Path, kind: PathKind) -> Option<String> {
        let bin = venv.join("bin");
        let current = self.path.clone().unwrap_or_default();
        let Some(rest) = without_entry(&current, bin.as_os_str()) else {
            return Some(format!(
                "PATH no longer contains {}; left PATH as it is",
                crate::message::shown(&bin)
            ));
        };
        self.path = match kind {
            PathKind::Unset if rest.is_empty() => None,
            _ => Some(rest),
        };
        None
    }
}

/// `path` (a `:`-separated list) with the first entry equal to `entry` taken out, or
/// `None` when it holds no such entry.
pub fn without_entry(path: &OsStr, entry: &OsStr) -> Option<OsString> {
    without_entries(path, |e| e == entry.as_bytes(), Occurrences::First)
}

/// Which of the entries a test picks come out of a `PATH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Occurrences {
    /// The first one only.
    First,
    /// Every one.
    All,
}

/// `path` (a `:`-separated list) with the entries `picks` (the first, or all) taken
/// out, or `None` when it picks none. Every other entry, empty ones too, stays as it was.
pub fn without_entries(
    path: &OsStr,
    picks: impl Fn(&[u8]) -> bool,
    which: Occurrences,
) -> Option<OsString> {
    let mut kept: Vec<&[u8]> = Vec::new();
    let mut taken = false;
    for entry in path.as_bytes().split(|&b| b == b':') {
        if picks(entry) && !(taken && which == Occurrences::First) {
            taken = true;
        } else {
            kept.push(entry);
        }
    }
    taken.then(|| OsString::from_vec(kept.join(&b':')))
}

/// Whether a `VIRTUAL_ENV_DISABLE_PROMPT` of `value` turns the venv's prompt off: when
/// set and not empty, as `activate` and `activate.fish` test it; when set at all if
/// `set_at_all`, as `activate.csh` does.
pub fn prompt_disabled(value: Option<&OsStr>, set_at_all: bool) -> bool {
    value.is_some_and(|v| set_at_all || !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(path: Option<&str>) -> Vars {
        Vars {
            path: path.map(OsString::from),
            virtual_env: None,
            virtual_env_prompt: Some(OsString::new()),
            pythonhome: Some(OsString::from("/opt/home")),
            state: None,
            prompt_disabled: false,
        }
    }

    fn decoded(vars: &Vars) -> State {
        let encoded = vars
            .state
            .as_ref()
            .map(|s| s.as_bytes().to_vec())
            .unwrap_or_default();
        State::decode(&encoded).unwrap_or_else(|| panic!("no state in {vars:?}"))
    }

    /// `vars(path)` with the venv `/p/.venv` activated under `prompt`, and the state that
    /// activation recorded.
    fn activated(path: Option<&str>, prompt: &str) -> (Vars, State) {
        let mut v = vars(path);
        v.activate(Path::new("/p/.venv"), Path::new("/p"), Some(prompt.into()));
        let state = decoded(&v);
        (v, state)
    }

    fn drop_first(path: &str, entry: &str) -> Option<String> {
        without_entry(OsStr::new(path), OsStr::new(entry)).map(|p| p.to_string_lossy().into_owned())
    }

    #[test]
    fn without_entry_takes_out_the_first_match_wherever_it_is() {
        for (path, left) in [
            ("/v/bin:/usr/bin:/bin", Some("/usr/bin:/bin")),
            ("/usr/bin:/v/bin:/bin", Some("/usr/bin:/bin")),
            ("/usr/bin:/bin:/v/bin", Some("/usr/bin:/bin")),
            ("/v/bin", Some("")),
            ("/v/bin:/x:/v/bin", Some("/x:/v/bin")),
            ("::/v/bin::/x:", Some(":::/x:")),
            ("/usr/bin:/bin", None),
            ("", None),
            // Bytes, not path components.
            ("/v/bin/", None),
        ] {
            assert_eq!(drop_first(path, "/v/bin").as_deref(), left, "{path}");
        }
    }

    #[test]
    fn without_entries_can_take_out_every_match() {
        let all = |path: &str| {
            without_entries(OsStr::new(path), |e| e == b"/v/bin", Occurrences::All)
                .map(|p| p.to_string_lossy().into_owned())
        };
        assert_eq!(all("/v/bin:/x:/v/bin").as_deref(), Some("/x"));
        assert_eq!(all("/v/bin:/v/bin").as_deref(), Some(""));
        assert_eq!(all(":/v/bin::/x:/v/bin:").as_deref(), Some("::/x:"));
        assert_eq!(all("/x::/y"), None);
    }

    #[test]
    fn activation_is_cpythons() {
        let mut v = vars(Some("/usr/bin:/bin"));
        v.activate(Path::new("/p/.venv"), Path::new("/p"), Some(".venv".into()));
        assert_eq!(v.path, Some("/p/.venv/bin:/usr/bin:/bin".into()));
        assert_eq!(v.virtual_env, Some("/p/.venv".into()));
        assert_eq!(v.virtual_env_prompt, Some(".venv".into()));
        assert_eq!(v.pythonhome, None);
    }

    #[test]
    fn restore_is_exact_for_every_path_kind() {
        for path in [
            None,
            Some(""),
            Some("/usr/bin"),
            Some("/usr/bin:"),
            Some(":/a::/b"),
        ] {
            let before = vars(path);
            let mut v = before.clone();
            v.activate(Path::new("/p/.venv"), Path::new("/p"), Some("x".into()));
            let state = decoded(&v);
            assert_eq!(v.restore(&state), None);
            assert_eq!(v, before, "PATH {path:?}");
        }
    }

    #[test]
    fn restore_keeps_the_users_edits() {
        let (mut v, state) = activated(Some("/usr/bin"), "x");
        v.path = Some("/first:/p/.venv/bin:/usr/bin:/extra".into());
        assert_eq!(v.restore(&state), None);
        assert_eq!(v.path, Some("/first:/usr/bin:/extra".into()));
    }

    #[test]
    fn restore_without_the_entry_warns_and_keeps_path() {
        let (mut v, state) = activated(Some("/usr/bin"), "x");
        v.path = Some("/only/mine".into());
        assert!(v.restore(&state).is_some());
        assert_eq!(v.path, Some("/only/mine".into()));
        assert_eq!(v.pythonhome, Some("/opt/home".into()));
    }

    #[test]
    fn forget_leaves_a_venv_activated_by_hand_as_it_set_things() {
        let (mut v, state) = activated(Some("/usr/bin"), ".venv");
        v.virtual_env = Some("/q/.venv".into());
        v.virtual_env_prompt = Some("q".into());
        v.path = Some("/q/.venv/bin:/p/.venv/bin:/usr/bin".into());
        v.forget(&state);
        assert_eq!(v.path, Some("/q/.venv/bin:/usr/bin".into()));
        assert_eq!(v.virtual_env, Some("/q/.venv".into()));
        assert_eq!(v.virtual_env_prompt, Some("q".into()));
        assert_eq!(v.pythonhome, None);
        assert_eq!(v.state, None);
    }

    #[test]
    fn forget_with_no_venv_active_puts_back_what_was_replaced() {
        let before = vars(Some("/usr/bin"));
        let mut v = before.clone();
        v.activate(Path::new("/p/.venv"), Path::new("/p"), Some(".venv".into()));
        let state = decoded(&v);
        v.virtual_env = None;
        v.forget(&state);
        assert_eq!(v, before);
    }

    #[test]
    fn a_lost_path_entry_is_put_back_once() {
        let (mut v, state) = activated(Some("/usr/bin"), ".venv");
        assert!(!v.put_back_path_entry(&state));
        v.path = Some("/usr/local/bin:/usr/bin".into());
        assert!(v.put_back_path_entry(&state));
        assert_eq!(v.path, Some("/p/.venv/bin:/usr/local/bin:/usr/bin".into()));
        v.path = None;
        assert!(v.put_back_path_entry(&state));
        assert_eq!(v.path, Some("/p/.venv/bin".into()));
    }

    #[test]
    fn salvage_takes_the_venv_off_and_keeps_the_rest() {
        let mut v = vars(Some("/usr/bin"));
        v.activate(Path::new("/p/.venv"), Path::new("/p"), Some(".venv".into()));
        v.state = Some("1:garbage".into());
        v.path = Some("/mine:/p/.venv/bin:/usr/bin".into());
        assert_eq!(v.salvage(Path::new("/p/.venv")), None);
        assert_eq!(v.path, Some("/mine:/usr/bin".into()));
        assert_eq!(
            (v.virtual_env, v.virtual_env_prompt, v.state),
            (None, None, None)
        );
        assert_eq!(v.pythonhome, None);
    }

    #[test]
    fn diff_names_only_what_changed() {
        let before = vars(Some("/usr/bin"));
        let mut after = before.clone();
        after.pythonhome = None;
        let change = before.diff(&after);
        assert_eq!(change.len(), 1);
        assert_eq!(change.get("PYTHONHOME"), Some(&None));
    }
}
