//! Which directories the user trusts to activate (and create) venvs in, and whether what
//! is there now is what they trusted.
//!
//! Over 300 lines because the store's entry format, reading and writing it, and the check
//! that compares an entry with what is on disk share one record: one job.
//!
//! `autovenv allow DIR` writes `<data dir>/autovenv/allow/<sha256 of the canonical path>`
//! holding the path and what it trusted: the directory's device, inode and owner, and its
//! venv's device and inode when it had one. `deny` writes the same name under `deny/`.
//! Venvs autovenv creates are recorded under `made/`, named by their own path.
//! `trusted_roots` trusts whole trees, matched by path component.
//!
//! The store is the user's alone: directories 0700, files 0600. An entry counts only if it
//! is owned by the user and its name is the hash of the path it holds, so a file put there
//! by anyone else, or one that names one path and holds another, trusts nothing.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::fsread::{self, TRUST_ENTRY_LIMIT};
use crate::ownership::{self, current_uid};
use crate::provenance::{self, Tracked};

/// How a directory stands with the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trust {
    /// Trusted by `autovenv allow`, and still what was allowed.
    Allowed,
    /// Trusted because it lies in this `trusted_roots` entry.
    InTrustedRoot(PathBuf),
    /// Silenced by `autovenv deny`.
    Denied,
    /// Never allowed or denied.
    Unknown,
    /// Allowed, but it is not what was allowed any more: asked again.
    Changed(Change),
    /// Trusted by the user's word, but what is there is refused.
    Refused(Refusal),
}

impl Trust {
    /// Whether venvs may be activated and created here.
    pub(crate) fn is_trusted(&self) -> bool {
        matches!(self, Trust::Allowed | Trust::InTrustedRoot(_))
    }
}

/// What differs from what `autovenv allow` recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// The directory is another one now (deleted and made again, cloned again).
    Root,
    /// The venv was replaced by one that autovenv did not make and the project's VCS
    /// tracks (`tracked`), or whose VCS cannot be asked.
    Venv {
        /// The venv.
        venv: PathBuf,
        /// Whether the VCS said it tracks it (else it could not be asked).
        tracked: bool,
    },
    /// The entry was written by an older autovenv, which recorded only the path.
    Unrecorded,
}

/// Why a trusted project is not activated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The project or its venv belongs to someone else, or, in a root shell, others can
    /// write to it.
    Ownership(ownership::Refusal),
    /// Under `trusted_roots`: the venv was not made by autovenv and the project's VCS
    /// tracks it (it came with the checkout), or its VCS could not be asked.
    Committed {
        /// The venv.
        venv: PathBuf,
        /// Whether the VCS said so (else it could not be asked).
        tracked: bool,
    },
}

/// The lists a trust decision is written to.
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

    fn other(self) -> List {
        match self {
            List::Allow => List::Deny,
            List::Deny => List::Allow,
        }
    }
}

/// The device, inode and birth time of a directory: which one it is, whatever its name.
/// The birth time tells a directory deleted and made again apart, which the file system
/// often gives the same inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Identity {
    /// `st_dev`.
    pub dev: u64,
    /// `st_ino`.
    pub ino: u64,
    /// The birth time (`statx`'s `btime`) as seconds and nanoseconds since the epoch,
    /// where the file system records one.
    pub born: Option<(u64, u32)>,
}

impl Identity {
    /// The identity of what `path` names now (symlinks followed).
    pub(crate) fn of(path: &Path) -> Option<Identity> {
        fs::metadata(path)
            .ok()
            .map(|meta| Identity::from_meta(&meta))
    }

    fn from_meta(meta: &fs::Metadata) -> Identity {
        let born = meta
            .created()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| (d.as_secs(), d.subsec_nanos()));
        Identity {
            dev: meta.dev(),
            ino: meta.ino(),
            born,
        }
    }

    fn encode(&self, prefix: &str, line: &mut dyn FnMut(String, String)) {
        line(format!("{prefix}dev"), self.dev.to_string());
        line(format!("{prefix}ino"), self.ino.to_string());
        if let Some((secs, nanos)) = self.born {
            line(format!("{prefix}born"), format!("{secs}.{nanos:09}"));
        }
    }

    fn decode(prefix: &str, values: &std::collections::BTreeMap<String, String>) -> Option<Self> {
        let num = |key: &str| values.get(&format!("{prefix}{key}"))?.parse::<u64>().ok();
        let born = values.get(&format!("{prefix}born")).and_then(|v| {
            let (secs, nanos) = v.split_once('.')?;
            Some((secs.parse().ok()?, nanos.parse().ok()?))
        });
        Some(Identity {
            dev: num("dev")?,
            ino: num("ino")?,
            born,
        })
    }
}

/// What an entry holds besides its path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Record {
    /// The directory's identity and owner when it was recorded (`None`: an entry from an
    /// older autovenv).
    pub root: Option<(Identity, u32)>,
    /// The venv's identity when it was recorded, if it had one.
    pub venv: Option<Identity>,
    /// `allow --any-owner`: a project or venv owned by someone else (or, for root,
    /// writable by others) is accepted.
    pub any_owner: bool,
}

impl Record {
    fn encode(&self, path: &Path) -> Vec<u8> {
        let mut out = path.as_os_str().as_bytes().to_vec();
        out.push(0);
        let mut line = |key: String, value: String| {
            out.extend_from_slice(format!("{key}={value}\n").as_bytes());
        };
        if let Some((id, uid)) = self.root {
            id.encode("", &mut line);
            line("uid".into(), uid.to_string());
        }
        if let Some(id) = self.venv {
            id.encode("venv-", &mut line);
        }
        if self.any_owner {
            line("any-owner".into(), "1".into());
        }
        out
    }

    /// Reads an entry: its path and record. An entry from an older autovenv is the path
    /// and a newline.
    fn decode(bytes: &[u8]) -> (PathBuf, Record) {
        let Some(nul) = bytes.iter().position(|&b| b == 0) else {
            let path = bytes.strip_suffix(b"\n").unwrap_or(bytes);
            return (
                PathBuf::from(OsString::from_vec(path.to_vec())),
                Record::default(),
            );
        };
        let path = PathBuf::from(OsString::from_vec(bytes[..nul].to_vec()));
        let mut values = std::collections::BTreeMap::new();
        for line in bytes[nul + 1..].split(|&b| b == b'\n') {
            let text = String::from_utf8_lossy(line);
            if let Some((key, value)) = text.split_once('=') {
                values.insert(key.to_owned(), value.to_owned());
            }
        }
        let uid = values.get("uid").and_then(|v| v.parse::<u32>().ok());
        let record = Record {
            root: Identity::decode("", &values).zip(uid),
            venv: Identity::decode("venv-", &values),
            any_owner: values.get("any-owner").is_some_and(|v| v == "1"),
        };
        (path, record)
    }
}

/// The store entries whose appearance would change how the project `root` stands with
/// the user (its `trust`), for the hook to watch: an `autovenv allow` or `deny` run
/// through a wrapper of the user's own, which the hook does not see, still takes effect
/// at the next prompt. Only absent entries are named (the hooks' fast path treats an
/// absolute entry that exists as a change below the root), so a denied project is not
/// watched for an allow.
pub(crate) fn watched_entries(root: &Path, trust: &Trust) -> Vec<PathBuf> {
    let lists: &[List] = match trust {
        Trust::Unknown => &[List::Allow, List::Deny],
        Trust::Allowed | Trust::InTrustedRoot(_) | Trust::Refused(_) => &[List::Deny],
        Trust::Denied | Trust::Changed(_) => &[],
    };
    if lists.is_empty() {
        return Vec::new();
    }
    let Ok(canonical) = fs::canonicalize(root) else {
        return Vec::new();
    };
    lists
        .iter()
        .filter_map(|list| entry_file(list.dir_name(), &canonical))
        .collect()
}

/// The trust store: `$XDG_DATA_HOME/autovenv`.
pub(crate) fn store_dir() -> Option<PathBuf> {
    Some(dirs::data_dir()?.join("autovenv"))
}

fn hash_name(path: &Path) -> String {
    crate::hex::sha256(path.as_os_str().as_bytes())
}

/// The file that records `canonical` in the store's directory `kind`.
fn entry_file(kind: &str, canonical: &Path) -> Option<PathBuf> {
    Some(store_dir()?.join(kind).join(hash_name(canonical)))
}

/// Why a file in the store counts for nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// Its name is not the hash of the path it holds.
    NameMismatch,
    /// It belongs to another user.
    NotOwned(u32),
    /// It could not be read (not a regular file, too large, permissions).
    Unreadable(String),
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::NameMismatch => write!(f, "its name does not match the path it holds"),
            Invalid::NotOwned(uid) => write!(
                f,
                "it belongs to {}, not to you",
                ownership::describe_user(*uid)
            ),
            Invalid::Unreadable(why) => write!(f, "it cannot be read: {why}"),
        }
    }
}

/// Reads the entry `file`, which counts only if it is the user's and is named by the hash
/// of the path it holds.
fn read_entry(file: &Path) -> Result<(PathBuf, Record), Invalid> {
    let (path, record) = read_record(file)?;
    if file.file_name().map(OsStrExt::as_bytes) != Some(hash_name(&path).as_bytes()) {
        return Err(Invalid::NameMismatch);
    }
    Ok((path, record))
}

/// Reads the entry `file` if it is the user's, whatever it is named.
fn read_record(file: &Path) -> Result<(PathBuf, Record), Invalid> {
    let meta = fs::symlink_metadata(file).map_err(|e| Invalid::Unreadable(e.to_string()))?;
    if !meta.file_type().is_file() {
        return Err(Invalid::Unreadable("it is not a regular file".into()));
    }
    if meta.uid() != current_uid() {
        return Err(Invalid::NotOwned(meta.uid()));
    }
    let bytes = fsread::read_bounded(file, TRUST_ENTRY_LIMIT)
        .map_err(|e| Invalid::Unreadable(e.to_string()))?;
    Ok(Record::decode(&bytes))
}

/// The valid entry for `canonical` in `kind`, if there is one. Its file is named by the
/// hash of `canonical`, so one that holds `canonical` is named by the hash of what it
/// holds, without hashing again.
fn lookup(kind: &str, canonical: &Path) -> Option<Record> {
    let file = entry_file(kind, canonical)?;
    let (path, record) = read_record(&file).ok()?;
    (path == canonical).then_some(record)
}

/// How the project `dir` stands, with `venv` its venv when it has one: a deny wins, then
/// an allow (if what is there is still what was allowed), then `trusted_roots`; a project
/// or venv owned by someone else is refused unless allowed with `--any-owner`.
pub fn check(dir: &Path, venv: Option<&Path>, config: &Config) -> Trust {
    let Ok(canonical) = fs::canonicalize(dir) else {
        return Trust::Unknown;
    };
    if lookup(List::Deny.dir_name(), &canonical).is_some() {
        return Trust::Denied;
    }
    let uid = current_uid();
    let venv = venv.filter(|v| fs::metadata(v).is_ok_and(|m| m.is_dir()));
    if let Some(record) = lookup(List::Allow.dir_name(), &canonical) {
        let Some((identity, owner)) = record.root else {
            return Trust::Changed(Change::Unrecorded);
        };
        let now = fs::metadata(&canonical).ok();
        let same = now.is_some_and(|m| Identity::from_meta(&m) == identity && m.uid() == owner);
        if !same {
            return Trust::Changed(Change::Root);
        }
        if let Some(venv) = venv {
            let now = Identity::of(venv);
            let recorded = now.is_some() && now == record.venv;
            if !recorded {
                if let Some(tracked) = came_with_checkout(&canonical, venv) {
                    return Trust::Changed(Change::Venv {
                        venv: venv.to_owned(),
                        tracked,
                    });
                }
            }
        }
        if !record.any_owner {
            if let Err(refusal) = ownership::check(&canonical, venv, uid) {
                return Trust::Refused(Refusal::Ownership(refusal));
            }
        }
        return Trust::Allowed;
    }
    for root in &config.trusted_roots {
        let root = fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        if !canonical.starts_with(&root) {
            continue;
        }
        if let Err(refusal) = ownership::check(&canonical, venv, uid) {
            return Trust::Refused(Refusal::Ownership(refusal));
        }
        if let Some(venv) = venv {
            if !config.trusted_roots_committed_venvs {
                if let Some(tracked) = came_with_checkout(&canonical, venv) {
                    return Trust::Refused(Refusal::Committed {
                        venv: venv.to_owned(),
                        tracked,
                    });
                }
            }
        }
        return Trust::InTrustedRoot(root);
    }
    Trust::Unknown
}

/// Makes the store directory `kind` (and the store) the user's alone: 0700.
fn store_subdir(kind: &str) -> io::Result<PathBuf> {
    let store = store_dir().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            "no data directory: set HOME or XDG_DATA_HOME",
        )
    })?;
    let dir = store.join(kind);
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)?;
    // A store made before (with the umask) is closed up too, where it is ours.
    for path in [&store, &dir] {
        let meta = fs::symlink_metadata(path)?;
        if !meta.is_dir() {
            return Err(io::Error::other(format!(
                "{} is not a directory",
                path.display()
            )));
        }
        if meta.uid() == current_uid() && meta.mode() & 0o077 != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(dir)
}

/// Writes `bytes` to `kind/<hash of path>` atomically, readable by the user alone.
fn write_entry(kind: &str, path: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    let dir = store_subdir(kind)?;
    let file = dir.join(hash_name(path));
    crate::atomic_write::write(&file, bytes, 0o600)?;
    Ok(file)
}

/// Records the project `dir` in `list` and removes it from the other list; an allow also
/// records what was trusted: the directory, its owner and `venv` (when there is one), and
/// `any_owner`. Returns the canonical path.
pub(crate) fn record(
    list: List,
    dir: &Path,
    venv: Option<&Path>,
    any_owner: bool,
) -> io::Result<PathBuf> {
    let canonical = fs::canonicalize(dir)?;
    let meta = fs::metadata(&canonical)?;
    let record = Record {
        root: Some((Identity::from_meta(&meta), meta.uid())),
        venv: venv.and_then(Identity::of),
        any_owner,
    };
    write_entry(list.dir_name(), &canonical, &record.encode(&canonical))?;
    if let Some(other) = entry_file(list.other().dir_name(), &canonical) {
        match fs::remove_file(&other) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(canonical)
}

/// Records that autovenv made the venv at `venv`, as it is now: under `trusted_roots`, and
/// for an allowed project whose venv is made again, a venv autovenv made is activated even
/// where the project's VCS tracks its path.
pub(crate) fn record_made(venv: &Path) -> io::Result<()> {
    let canonical = fs::canonicalize(venv)?;
    let record = Record {
        root: Identity::of(&canonical).map(|id| (id, current_uid())),
        ..Record::default()
    };
    write_entry("made", &canonical, &record.encode(&canonical)).map(drop)
}

/// Whether autovenv made the venv at `venv` (the same directory, not only the same path).
pub(crate) fn made_by_autovenv(venv: &Path) -> bool {
    let Ok(canonical) = fs::canonicalize(venv) else {
        return false;
    };
    let now = Identity::of(&canonical);
    lookup("made", &canonical)
        .and_then(|r| r.root)
        .is_some_and(|(id, _)| Some(id) == now)
}

/// Whether the venv of the project `canonical` came with the checkout rather than from
/// autovenv: `Some(true)` when the project's VCS tracks it, `Some(false)` when the VCS
/// cannot be asked, `None` when autovenv made it or the VCS does not track it.
fn came_with_checkout(canonical: &Path, venv: &Path) -> Option<bool> {
    if made_by_autovenv(venv) {
        return None;
    }
    match provenance::tracked(canonical, venv) {
        Tracked::No => None,
        tracked => Some(tracked == Tracked::Yes),
    }
}

/// One file in a list of the store.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The file.
    pub file: PathBuf,
    /// The directory it records, or why it counts for nothing.
    pub dir: Result<PathBuf, Invalid>,
}

/// Every file in `list`, valid or not, sorted by the directory it records.
pub fn entries(list: List) -> io::Result<Vec<Entry>> {
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
        let dir = read_entry(&file).map(|(path, _)| path);
        found.push(Entry { file, dir });
    }
    found.sort_by(|a, b| match (&a.dir, &b.dir) {
        (Ok(x), Ok(y)) => x.cmp(y),
        _ => a.file.cmp(&b.file),
    });
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_old_entries_hold_only_a_path() {
        let record = Record {
            root: Some((
                Identity {
                    dev: 1,
                    ino: 2,
                    born: Some((1_796_135_291, 5_000)),
                },
                1000,
            )),
            venv: Some(Identity {
                dev: 3,
                ino: 4,
                born: None,
            }),
            any_owner: true,
        };
        let path = Path::new("/p/with\nnewline");
        assert_eq!(
            Record::decode(&record.encode(path)),
            (path.to_owned(), record)
        );
        assert_eq!(
            Record::decode(b"/old/entry\n"),
            (PathBuf::from("/old/entry"), Record::default())
        );
    }

    #[test]
    fn a_directory_made_again_at_the_same_path_is_another_one() {
        let dir = std::env::temp_dir().join(format!("autovenv-identity-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir(&dir).unwrap();
        let before = Identity::of(&dir);
        assert_eq!(Identity::of(&dir), before);
        // The file system often hands the same inode to the next directory made.
        fs::remove_dir(&dir).unwrap();
        fs::create_dir(&dir).unwrap();
        let after = Identity::of(&dir);
        fs::remove_dir(&dir).unwrap();
        assert!(before.is_some() && after.is_some());
        if before.is_some_and(|b| b.born.is_some()) {
            assert_ne!(before, after);
        }
    }
}
