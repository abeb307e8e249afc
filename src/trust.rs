//! Which directories the user trusts to activate (and create) venvs in.
//!
//! `autovenv allow DIR` writes `<data dir>/autovenv/allow/<sha256 of the canonical path>`
//! holding the path; `deny` writes the same name under `deny/`. `trusted_roots` trusts
//! whole trees, matched by path component.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::config::Config;

/// How a directory stands with the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trust {
    /// Trusted by `autovenv allow`.
    Allowed,
    /// Trusted because it lies in this `trusted_roots` entry.
    InTrustedRoot(PathBuf),
    /// Silenced by `autovenv deny`.
    Denied,
    /// Never allowed or denied.
    Unknown,
}

impl Trust {
    /// Whether venvs may be activated and created here.
    pub fn is_trusted(&self) -> bool {
        matches!(self, Trust::Allowed | Trust::InTrustedRoot(_))
    }
}

/// The two lists a trust decision is written to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    /// Directories the user allowed.
    Allow,
    /// Directories the user denied.
    Deny,
}

impl List {
    fn dir_name(self) -> &'static str {
        match self {
            List::Allow => "allow",
            List::Deny => "deny",
        }
    }
}

/// The trust store: `$XDG_DATA_HOME/autovenv`.
pub fn store_dir() -> Option<PathBuf> {
    Some(dirs::data_dir()?.join("autovenv"))
}

/// The file that records `canonical` in `list`.
fn entry(list: List, canonical: &Path) -> Option<PathBuf> {
    let digest = Sha256::digest(canonical.as_os_str().as_bytes());
    let mut name = String::with_capacity(64);
    for byte in digest {
        name.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        name.push(char::from(b"0123456789abcdef"[usize::from(byte & 0x0f)]));
    }
    Some(store_dir()?.join(list.dir_name()).join(name))
}

/// How `dir` stands: a deny file wins, then an allow file, then `trusted_roots`.
pub fn check(dir: &Path, config: &Config) -> Trust {
    let Ok(canonical) = fs::canonicalize(dir) else {
        return Trust::Unknown;
    };
    let recorded = |list| entry(list, &canonical).is_some_and(|f| f.exists());
    if recorded(List::Deny) {
        return Trust::Denied;
    }
    if recorded(List::Allow) {
        return Trust::Allowed;
    }
    for root in &config.trusted_roots {
        let root = fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        if canonical.starts_with(&root) {
            return Trust::InTrustedRoot(root);
        }
    }
    Trust::Unknown
}

/// Records `dir` in `list` and removes it from the other list. Written atomically.
pub fn record(list: List, dir: &Path) -> io::Result<PathBuf> {
    let canonical = fs::canonicalize(dir)?;
    let not_found = || {
        io::Error::new(
            io::ErrorKind::NotFound,
            "no data directory: set HOME or XDG_DATA_HOME",
        )
    };
    let file = entry(list, &canonical).ok_or_else(not_found)?;
    let other = entry(
        match list {
            List::Allow => List::Deny,
            List::Deny => List::Allow,
        },
        &canonical,
    )
    .ok_or_else(not_found)?;
    let parent = file.parent().ok_or_else(not_found)?;
    fs::create_dir_all(parent)?;
    let temp = parent.join(format!(".tmp-{}", std::process::id()));
    let written = (|| {
        let mut out = fs::File::create(&temp)?;
        out.write_all(canonical.as_os_str().as_bytes())?;
        out.write_all(b"\n")?;
        out.sync_all()?;
        fs::rename(&temp, &file)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    match fs::remove_file(&other) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    Ok(canonical)
}

/// Removes `dir` from both lists. Returns whether anything was recorded.
pub fn forget(dir: &Path) -> io::Result<bool> {
    let canonical = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    let mut removed = false;
    for list in [List::Allow, List::Deny] {
        if let Some(file) = entry(list, &canonical) {
            match fs::remove_file(file) {
                Ok(()) => removed = true,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(removed)
}

/// Every directory recorded in `list`, with the file that records it.
pub fn entries(list: List) -> io::Result<Vec<(PathBuf, PathBuf)>> {
    let Some(dir) = store_dir().map(|d| d.join(list.dir_name())) else {
        return Ok(Vec::new());
    };
    let read = match fs::read_dir(&dir) {
        Ok(read) => read,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut found = Vec::new();
    for item in read {
        let file = item?.path();
        if file
            .file_name()
            .is_some_and(|n| n.as_bytes().starts_with(b"."))
        {
            continue;
        }
        let mut bytes = crate::fsread::read_bounded(&file, crate::fsread::TRUST_ENTRY_LIMIT)?;
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
        }
        found.push((PathBuf::from(OsString::from_vec(bytes)), file));
    }
    found.sort();
    Ok(found)
}
