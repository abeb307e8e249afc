//! `autovenv sync --watch`: wait for the files that declare dependencies to change, then
//! call back, debounced, until Ctrl-C (SIGINT), SIGTERM, SIGHUP or SIGQUIT, caught by the
//! same guard a creation uses ([`crate::signals`]).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use super::is_candidate;
use crate::message::shown;
use crate::signals;

/// How long the files must stay quiet after a change before the callback runs, so that an
/// editor's save (write, rename, chmod) or `git checkout` gives one sync.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// How often the loop looks at the stop flag while nothing happens.
const TICK: Duration = Duration::from_millis(100);

/// Why watching stopped, or never started.
#[derive(Debug)]
pub enum WatchError {
    /// The system gives no more watches (inotify's limit).
    Unavailable(notify::Error),
    /// The project cannot be watched.
    Unwatchable {
        /// The project.
        root: PathBuf,
        /// What the system said when the watch was asked for.
        error: notify::Error,
    },
    /// The watch ended without being asked to.
    Ended {
        /// The project.
        root: PathBuf,
    },
}

impl fmt::Display for WatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WatchError::Unavailable(e) => write!(
                f,
                "cannot watch for changes ({e}): raise fs.inotify.max_user_instances or run `autovenv sync` by hand"
            ),
            WatchError::Unwatchable { root, error } => write!(
                f,
                "cannot watch {} ({error}): check that it exists and is readable",
                shown(root)
            ),
            WatchError::Ended { root } => write!(
                f,
                "stopped watching {}: the watch ended unexpectedly",
                shown(root)
            ),
        }
    }
}

impl std::error::Error for WatchError {}

/// Whether a signal asked the watch to stop (an installer interrupted by the same Ctrl-C is
/// then no failure worth reporting).
pub fn stopping() -> bool {
    signals::caught().is_some()
}

/// Watches `root` (not recursively: the declaring files live at its top) and calls
/// `changed` once as soon as the watch is in place (so nothing changed before it is
/// missed), then after each burst of changes to a candidate file. Returns `Ok` when stopped by
/// a signal, which is then forgotten: for the watch it is the normal end, not a death; an
/// installer running then gets the terminal's SIGINT too and is waited for. The signals'
/// old actions are back when it returns.
pub fn watch(root: &Path, changed: impl FnMut()) -> Result<(), WatchError> {
    let guard = signals::Guard::install();
    let watched = watch_until_stopped(root, changed);
    drop(guard);
    signals::forget();
    watched
}

fn watch_until_stopped(root: &Path, mut changed: impl FnMut()) -> Result<(), WatchError> {
    let (send, receive) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(send).map_err(WatchError::Unavailable)?;
    watcher
        .watch(root, RecursiveMode::NonRecursive)
        .map_err(|error| WatchError::Unwatchable {
            root: root.to_owned(),
            error,
        })?;
    changed();
    let mut pending: Option<Instant> = None;
    while !stopping() {
        match receive.recv_timeout(TICK) {
            Ok(Ok(event)) => {
                let relevant = event
                    .paths
                    .iter()
                    .any(|p| p.file_name().is_some_and(is_candidate));
                if relevant {
                    pending = Some(Instant::now());
                }
            }
            Ok(Err(_)) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(WatchError::Ended {
                    root: root.to_owned(),
                })
            }
        }
        if pending.is_some_and(|since| since.elapsed() >= DEBOUNCE) {
            pending = None;
            changed();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_that_is_gone_is_unwatchable() {
        let gone = Path::new("/autovenv-no-such-project");
        let mut called = false;
        let error = watch_until_stopped(gone, || called = true).expect_err("gone");
        assert!(
            matches!(&error, WatchError::Unwatchable { root, .. } if root == gone),
            "{error:?}"
        );
        assert!(error
            .to_string()
            .starts_with("cannot watch /autovenv-no-such-project ("));
        assert!(!called);
    }
}
