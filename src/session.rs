//! Per-shell memory: what one interactive shell has been told and asked for.
//!
//! The hook keeps it in an unexported shell variable and hands it to `autovenv export`,
//! which returns the updated value. Child shells start with an empty session, so they
//! evaluate afresh. Format: `:`-separated entries, each a one-letter kind followed by
//! percent-encoded bytes: `o` the project turned off by `deactivate`, `n` a notice
//! already shown, `f` a project whose venv creation failed.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::percent_encoding;

/// The whole session value the hook's `autovenv reload` leaves: an empty memory, and a
/// request to apply the current config to an activation that stays (its prompt name).
pub(crate) const RELOAD: &str = "r";

/// The name under which the hook's `autovenv` function hands the session to the commands
/// it runs, so that `status` and `allow` describe this shell's real next step.
pub(crate) const ENV: &str = "AUTOVENV_SESSION";

/// How many notices a session remembers; the oldest are forgotten first.
const MAX_NOTICED: usize = 64;

/// The memory of one shell.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Session {
    /// The project root the user turned off with `deactivate`, until they leave it.
    pub(crate) off: Option<PathBuf>,
    /// Keys of the one-line notices already shown in this shell.
    pub(crate) noticed: Vec<OsString>,
    /// Project roots whose venv creation failed, not retried until the user leaves.
    pub(crate) failed: Vec<PathBuf>,
}

impl Session {
    /// Decodes a session value; anything unreadable is forgotten rather than fatal.
    pub fn decode(value: &[u8]) -> Session {
        let mut session = Session::default();
        for entry in value.split(|&b| b == b':') {
            let Some((&kind, rest)) = entry.split_first() else {
                continue;
            };
            let Some(bytes) = percent_encoding::decode(rest) else {
                continue;
            };
            let value = OsString::from_vec(bytes);
            match kind {
                b'o' => session.off = Some(PathBuf::from(value)),
                b'n' => session.noticed.push(value),
                b'f' => session.failed.push(PathBuf::from(value)),
                _ => {}
            }
        }
        session
    }

    /// Encodes the session for the shell to keep.
    pub fn encode(&self) -> String {
        let mut parts = Vec::new();
        if let Some(off) = &self.off {
            parts.push(format!(
                "o{}",
                percent_encoding::encode(off.as_os_str().as_bytes())
            ));
        }
        for key in &self.noticed {
            parts.push(format!("n{}", percent_encoding::encode(key.as_bytes())));
        }
        for root in &self.failed {
            parts.push(format!(
                "f{}",
                percent_encoding::encode(root.as_os_str().as_bytes())
            ));
        }
        parts.join(":")
    }

    /// Whether the notice with this key was already shown.
    pub(crate) fn has_noticed(&self, key: &OsString) -> bool {
        self.noticed.contains(key)
    }

    /// Records that the notice with this key was shown.
    pub(crate) fn remember_notice(&mut self, key: OsString) {
        if !self.has_noticed(&key) {
            self.noticed.push(key);
        }
        if self.noticed.len() > MAX_NOTICED {
            let excess = self.noticed.len() - MAX_NOTICED;
            self.noticed.drain(..excess);
        }
    }

    /// Whether creating a venv in `root` already failed in this shell.
    pub(crate) fn creation_failed(&self, root: &Path) -> bool {
        self.failed.iter().any(|r| r == root)
    }

    /// Forgets what no longer applies once the shell is at `pwd`: a project the user
    /// left is no longer off, and a failed creation may be retried after leaving.
    pub(crate) fn forget_outside(&mut self, pwd: &Path) {
        if self.off.as_deref().is_some_and(|off| !pwd.starts_with(off)) {
            self.off = None;
        }
        self.failed.retain(|root| pwd.starts_with(root));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let session = Session {
            off: Some(PathBuf::from("/p:q")),
            noticed: vec![
                OsString::from_vec(b"/x\n\xff".to_vec()),
                OsString::from("k"),
            ],
            failed: vec![PathBuf::from("/f")],
        };
        assert_eq!(Session::decode(session.encode().as_bytes()), session);
    }

    #[test]
    fn garbage_is_forgotten() {
        assert_eq!(Session::decode(b"zz:o%zz::"), Session::default());
    }

    #[test]
    fn leaving_forgets_off_and_failures() {
        let mut session = Session {
            off: Some(PathBuf::from("/p")),
            noticed: vec![],
            failed: vec![PathBuf::from("/p")],
        };
        session.forget_outside(Path::new("/p/src"));
        assert!(session.off.is_some() && session.creation_failed(Path::new("/p")));
        session.forget_outside(Path::new("/pq"));
        assert_eq!(session, Session::default());
    }

    #[test]
    fn notices_are_bounded() {
        let mut session = Session::default();
        for i in 0..200 {
            session.remember_notice(OsString::from(i.to_string()));
        }
        assert_eq!(session.noticed.len(), MAX_NOTICED);
        assert!(session.has_noticed(&OsString::from("199")));
    }
}
