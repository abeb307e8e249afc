//! Ctrl-C, a closed terminal or `kill` while a venv is being made: the signal is noted
//! instead of ending the process, so the half-made venv is removed first. Afterwards the
//! signal is raised again, so whoever waits on autovenv sees how it ended. `sync --watch`
//! uses the same guard to stop watching.

use std::sync::atomic::{AtomicI32, Ordering};

static CAUGHT: AtomicI32 = AtomicI32::new(0);

const SIGNALS: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

extern "C" fn note(signal: libc::c_int) {
    CAUGHT.store(signal, Ordering::SeqCst);
}

/// The signal caught since [`Guard::install`], if any.
pub fn caught() -> Option<libc::c_int> {
    match CAUGHT.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// While alive, SIGINT, SIGTERM, SIGHUP and SIGQUIT are noted rather than fatal, and interrupt
/// blocking calls (no `SA_RESTART`).
pub struct Guard {
    old: Vec<(libc::c_int, libc::sigaction)>,
}

impl Guard {
    /// Installs the handlers.
    pub fn install() -> Guard {
        let mut old = Vec::new();
        for signal in SIGNALS {
            // SAFETY: a zeroed sigaction is valid; the handler only stores to an atomic.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = note as extern "C" fn(libc::c_int) as libc::sighandler_t;
                libc::sigemptyset(&mut action.sa_mask);
                let mut previous: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, &action, &mut previous) == 0 {
                    if previous.sa_sigaction == libc::SIG_IGN {
                        // Ignored by whoever started autovenv (`nohup`): keep it ignored.
                        libc::sigaction(signal, &previous, std::ptr::null_mut());
                    } else {
                        old.push((signal, previous));
                    }
                }
            }
        }
        Guard { old }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        for (signal, previous) in &self.old {
            // SAFETY: restoring the action saved by install.
            unsafe {
                libc::sigaction(*signal, previous, std::ptr::null_mut());
            }
        }
    }
}

/// Forgets the signal caught, for a command that a signal ends normally (`sync --watch`).
pub fn forget() {
    CAUGHT.store(0, Ordering::SeqCst);
}

/// Ends the process by the signal that was caught, as it would have ended without the
/// handler; does nothing when none was caught.
pub fn reraise() {
    if let Some(signal) = caught() {
        // SAFETY: resetting to the default action and raising it in this process.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
}
