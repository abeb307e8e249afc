//! One venv is made by one process at a time: an exclusive `flock` on a file named after
//! the venv's canonical path, in `$XDG_CACHE_HOME/autovenv/locks`. The kernel releases it
//! however the holder ends, so a killed creator never leaves it held.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::signals;

/// A held lock; released (and its file removed) on drop.
pub struct Lock {
    file: File,
    path: PathBuf,
}

/// Why the lock was not taken.
pub enum LockError {
    /// The lock file could not be made or locked.
    Io(PathBuf, io::Error),
    /// A signal arrived while waiting.
    Interrupted,
}

/// How long a busy lock is waited for silently before saying so.
const QUIET_WAIT: Duration = Duration::from_millis(500);

impl Lock {
    /// Takes the lock for the venv at `venv`, waiting while another process holds it;
    /// `waiting` is called once if that takes longer than half a second.
    pub fn acquire(venv: &Path, waiting: impl FnOnce()) -> Result<Lock, LockError> {
        let path = lock_path(venv).ok_or_else(|| {
            LockError::Io(
                PathBuf::from("~/.cache/autovenv/locks"),
                io::Error::new(io::ErrorKind::NotFound, "no cache directory (is HOME set?)"),
            )
        })?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| LockError::Io(dir.to_owned(), e))?;
        }
        let started = Instant::now();
        let mut waiting = Some(waiting);
        loop {
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(|e| LockError::Io(path.clone(), e))?;
            loop {
                if signals::caught().is_some() {
                    return Err(LockError::Interrupted);
                }
                // SAFETY: flock on a descriptor this function owns.
                let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
                if rc == 0 {
                    break;
                }
                let error = io::Error::last_os_error();
                if error.raw_os_error() != Some(libc::EWOULDBLOCK) {
                    return Err(LockError::Io(path.clone(), error));
                }
                if started.elapsed() >= QUIET_WAIT {
                    if let Some(say) = waiting.take() {
                        say();
                    }
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            // The holder before us may have removed the file; then lock the new one.
            let same = match (file.metadata(), std::fs::metadata(&path)) {
                (Ok(held), Ok(named)) => held.dev() == named.dev() && held.ino() == named.ino(),
                _ => false,
            };
            if same {
                return Ok(Lock { file, path });
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so whoever waits on this file sees it is gone.
        let _ = std::fs::remove_file(&self.path);
        // SAFETY: unlocking a descriptor owned by self.
        unsafe { libc::flock(self.file.as_raw_fd(), libc::LOCK_UN) };
    }
}

/// `<cache>/autovenv/locks/<sha256 of the venv's canonical path>`. The venv itself may not
/// exist yet, so its parent is made canonical and its name appended.
fn lock_path(venv: &Path) -> Option<PathBuf> {
    let canonical = match (venv.parent(), venv.file_name()) {
        (Some(parent), Some(name)) => std::fs::canonicalize(parent)
            .unwrap_or_else(|_| parent.to_owned())
            .join(name),
        _ => venv.to_owned(),
    };
    let name = crate::hex::sha256(canonical.as_os_str().as_bytes());
    Some(dirs::cache_dir()?.join("autovenv").join("locks").join(name))
}
