//! Whose a project and its venv are: the check that keeps one user's programs off another
//! user's `PATH`, as git's `safe.directory` keeps one user's hooks from another's shell.
//!
//! A project root, venv directory or `bin/` owned by another user (root excepted: root can
//! change anything already) is refused. In a root shell (`sudo -s`, `su`) a venv that any
//! other user can write to — through its owner, group or mode, down to each entry of
//! `bin/` — is refused as well, since every program in it would run as root.

use crate::fsread::PASSWD_LIMIT;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Why a project or venv is not activated for this user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `path` is owned by user `uid`, neither this user nor root.
    Owner {
        /// The directory or file.
        path: PathBuf,
        /// Its owner.
        uid: u32,
    },
    /// In a root shell: `path` can be written by users other than root (`mode` holds the
    /// permission bits).
    Writable {
        /// The directory or file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
}

/// The user autovenv runs as (the effective uid, as the kernel checks access).
pub fn current_uid() -> u32 {
    // SAFETY: geteuid cannot fail and touches no memory.
    unsafe { libc::geteuid() }
}

/// The login name of `uid`, from `/etc/passwd` (the binary is linked statically, where
/// glibc's NSS lookups cannot run).
pub fn user_name(uid: u32) -> Option<String> {
    let passwd = crate::fsread::read_if_regular(Path::new("/etc/passwd"), PASSWD_LIMIT)?;
    passwd.split(|&b| b == b'\n').find_map(|line| {
        let mut fields = line.split(|&b| b == b':');
        let name = fields.next()?;
        let id = fields.nth(1)?;
        (std::str::from_utf8(id).ok()?.parse::<u32>().ok()? == uid && !name.is_empty())
            .then(|| String::from_utf8_lossy(name).into_owned())
    })
}

/// `uid` as a message names it: `alice (uid 1001)`, or `uid 1001` without a name.
pub fn describe_user(uid: u32) -> String {
    match user_name(uid) {
        Some(name) => format!("{name} (uid {uid})"),
        None => format!("uid {uid}"),
    }
}

/// Checks the project `root` and, when there is one, the `venv` directory and its `bin/`
/// (symlinks followed) for the user `uid`. A path that cannot be looked at is not judged
/// here: discovery already says what is missing.
pub fn check(root: &Path, venv: Option<&Path>, uid: u32) -> Result<(), Refusal> {
    let mut paths = vec![root.to_owned()];
    if let Some(venv) = venv {
        paths.push(venv.to_owned());
        paths.push(venv.join("bin"));
    }
    for path in &paths {
        if let Ok(meta) = std::fs::metadata(path) {
            judge(path, &meta, uid)?;
        }
    }
    if uid == 0 {
        if let Some(bin) = venv.map(|v| v.join("bin")) {
            check_entries(&bin)?;
        }
    }
    Ok(())
}

/// In a root shell, every program in `bin/` must be root's alone too.
fn check_entries(bin: &Path) -> Result<(), Refusal> {
    let Ok(entries) = std::fs::read_dir(bin) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            // A link's own bits mean nothing, but whose it is does; what it points to
            // is judged in turn where it lies inside the venv.
            if meta.uid() != 0 {
                return Err(Refusal::Owner {
                    path,
                    uid: meta.uid(),
                });
            }
            continue;
        }
        judge(&path, &meta, 0)?;
    }
    Ok(())
}

fn judge(path: &Path, meta: &std::fs::Metadata, uid: u32) -> Result<(), Refusal> {
    let owner = meta.uid();
    if owner != uid && owner != 0 {
        return Err(Refusal::Owner {
            path: path.to_owned(),
            uid: owner,
        });
    }
    if uid == 0 && meta.mode() & 0o022 != 0 {
        return Err(Refusal::Writable {
            path: path.to_owned(),
            mode: meta.mode() & 0o7777,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_current_user_and_falls_back_to_the_number() {
        assert!(describe_user(current_uid()).contains(&format!("uid {}", current_uid())));
        assert_eq!(describe_user(4_000_000_000), "uid 4000000000");
    }
}
