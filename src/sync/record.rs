//! The record of the last sync, kept inside the venv as `.autovenv-sync`, so that a
//! rebuilt venv starts without one.
//!
//! Format, one item a line: `autovenv-sync 1`, then `<sha256 hex> <name>` for each file
//! that declared the dependencies, the name percent-encoded (see [`crate::percent_encoding`]).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use super::declared;
use crate::{fsread, percent_encoding};

/// The file name inside the venv.
pub const FILE: &str = ".autovenv-sync";

const HEADER: &str = "autovenv-sync 1";

/// What the last sync installed from: file name to the SHA-256 of its contents then.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// File name (relative to the project root) to hex SHA-256.
    pub files: BTreeMap<OsString, String>,
}

impl Record {
    /// The files that declare `root`'s dependencies now, hashed. Files that cannot be read
    /// — unreadable, not regular, larger than [`fsread::DEPENDENCY_FILE_LIMIT`], or past
    /// [`fsread::DEPENDENCY_TOTAL_LIMIT`] for all of them — are left out, so they count as
    /// changed.
    pub fn current(root: &Path) -> Record {
        let mut files = BTreeMap::new();
        let mut left = fsread::DEPENDENCY_TOTAL_LIMIT;
        for name in declared(root).map(|d| d.files).unwrap_or_default() {
            let file = root.join(&name);
            let limit = fsread::DEPENDENCY_FILE_LIMIT.min(left);
            if let Some(bytes) = fsread::read_if_regular(&file, limit) {
                left -= bytes.len() as u64;
                files.insert(name, crate::hex::sha256(&bytes));
            }
        }
        Record { files }
    }

    /// The record kept in `venv`, if it has one that this version can read.
    pub fn read(venv: &Path) -> Option<Record> {
        let bytes = fsread::read_if_regular(&path(venv), fsread::SYNC_RECORD_LIMIT)?;
        let mut lines = bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty());
        if lines.next()? != HEADER.as_bytes() {
            return None;
        }
        let mut files = BTreeMap::new();
        for line in lines {
            let space = line.iter().position(|&b| b == b' ')?;
            let digest = std::str::from_utf8(&line[..space]).ok()?;
            let name = percent_encoding::decode(&line[space + 1..])?;
            files.insert(OsString::from_vec(name), digest.to_owned());
        }
        Some(Record { files })
    }

    /// Writes the record into `venv`, atomically.
    pub fn write(&self, venv: &Path) -> io::Result<()> {
        let mut text = format!("{HEADER}\n");
        for (name, digest) in &self.files {
            text.push_str(&format!(
                "{digest} {}\n",
                percent_encoding::encode(name.as_bytes())
            ));
        }
        // The mode `File::create` used: 0666 before the umask.
        crate::atomic_write::write(&path(venv), text.as_bytes(), 0o666)
    }

    /// The names of files that differ between this record and `root` now: changed,
    /// added or removed. Sorted.
    pub fn changed(&self, root: &Path) -> Vec<OsString> {
        let now = Record::current(root);
        let mut names: Vec<OsString> = self
            .files
            .keys()
            .chain(now.files.keys())
            .filter(|name| self.files.get(*name) != now.files.get(*name))
            .cloned()
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// Where the record of the venv at `venv` lives.
pub fn path(venv: &Path) -> PathBuf {
    venv.join(FILE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn round_trips_and_names_changes() {
        let dir = crate::scratch::fresh_dir("record");
        let venv = dir.join(".venv");
        std::fs::create_dir_all(&venv).expect("mkdir");
        std::fs::write(dir.join("requirements.txt"), "a\n").expect("write");
        std::fs::write(dir.join("requirements dev\u{e9}.txt"), "b\n").expect("write");
        let record = Record::current(&dir);
        assert_eq!(record.files.len(), 2);
        record.write(&venv).expect("write record");
        assert_eq!(Record::read(&venv).as_ref(), Some(&record));
        assert!(record.changed(&dir).is_empty());

        std::fs::write(dir.join("requirements.txt"), "a\nc\n").expect("write");
        std::fs::write(dir.join("requirements-x.txt"), "d\n").expect("write");
        assert_eq!(
            record.changed(&dir),
            vec![
                OsString::from("requirements-x.txt"),
                OsString::from("requirements.txt")
            ]
        );
        std::fs::write(path(&venv), "something else\n").expect("write");
        assert_eq!(Record::read(&venv), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn hashes_a_bounded_amount() {
        let dir = crate::scratch::fresh_dir("bound");
        let each = fsread::DEPENDENCY_FILE_LIMIT;
        let count = fsread::DEPENDENCY_TOTAL_LIMIT / each + 2;
        for n in 0..count {
            std::fs::File::create(dir.join(format!("requirements-{n:02}.txt")))
                .and_then(|f| f.set_len(each))
                .expect("sparse file");
        }
        std::fs::File::create(dir.join("requirements-huge.txt"))
            .and_then(|f| f.set_len(each + 1))
            .expect("sparse file");
        let hashed = Record::current(&dir).files;
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(
            hashed.len() as u64,
            fsread::DEPENDENCY_TOTAL_LIMIT / each,
            "{hashed:?}"
        );
        assert!(!hashed.contains_key(OsStr::new("requirements-huge.txt")));
    }
}
