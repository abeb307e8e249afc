//! What one `autovenv export` asks a shell to do: explicit data, rendered by each shell.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

/// A change to the environment: variable name to its new value, `None` to unset it.
pub type EnvChange = BTreeMap<String, Option<OsString>>;

/// The shell prompt prefix, `(<name>) `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptChange {
    /// Leave the prompt alone.
    Leave,
    /// Show `(<name>) ` before the prompt (unless `VIRTUAL_ENV_DISABLE_PROMPT` is set).
    Show(OsString),
    /// Take autovenv's prefix off again, if it is still there.
    Remove,
}

/// Whether the `deactivate` function exists afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deactivate {
    /// Leave it as it is.
    Leave,
    /// Define autovenv's `deactivate`.
    Define,
    /// Remove autovenv's `deactivate`.
    Remove,
}

/// A venv activated by hand over autovenv's activation: its `activate` script saved the
/// environment with autovenv's changes in it, for its `deactivate` to bring back, in
/// `_OLD_VIRTUAL_PATH`, `_OLD_VIRTUAL_PS1` (`_OLD_VIRTUAL_PROMPT` in csh) and
/// `_OLD_VIRTUAL_PYTHONHOME`. The hook corrects those copies, so that deactivating that
/// venv restores the environment as it was before autovenv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandOver {
    /// autovenv's `PATH` entry, taken out of the saved `PATH`.
    pub path_entry: OsString,
    /// `PYTHONHOME` before autovenv's activation, for that `deactivate` to put back.
    pub pythonhome: Option<OsString>,
    /// The saved `PATH` without autovenv's entry, for shells that cannot edit it in their
    /// own syntax (tcsh): their hook passes the saved `PATH` in
    /// `_AUTOVENV_OLD_VIRTUAL_PATH`.
    pub saved_path: Option<OsString>,
}

/// Everything the shell applies after one evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    /// Variables to export or unset.
    pub env: EnvChange,
    /// The `deactivate` function.
    pub deactivate: Deactivate,
    /// The prompt prefix.
    pub prompt: PromptChange,
    /// The copies a venv activated by hand saved, to correct (see [`HandOver`]).
    pub hand_over: Option<HandOver>,
    /// Whether `PATH` changed, so the shell must forget its command lookups.
    pub rehash: bool,
    /// The shell's memory afterwards (see [`crate::session`]).
    pub session: String,
    /// The fast path's anchor directory (see [`crate::discover::Discovery::anchor`]).
    pub anchor: PathBuf,
    /// The entries the fast path checks at each directory level.
    pub watch: Vec<OsString>,
    /// Whether the hook must evaluate again at the next prompt whatever its fast path
    /// finds: a venv to create was left for it (see `autovenv export --no-create`).
    pub again: bool,
}
