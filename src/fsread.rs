//! Reading the small files autovenv looks at (`pyvenv.cfg`, `.python-version`, the config,
//! trust entries, dependency files) without ever blocking or reading without end.
//!
//! A checkout can make any of them a FIFO, a link to `/dev/tty` or `/dev/zero`, or a huge
//! file. So a file is read only if it is a regular file — checked before opening and again
//! on the opened descriptor, which is opened non-blocking and never becomes the
//! controlling terminal — and only up to a bound that the caller names.
//!
//! The bounds, one per kind of file:
//! - `pyvenv.cfg`: 64 KiB ([`PYVENV_CFG_LIMIT`]);
//! - `.python-version`: 4 KiB ([`PYTHON_VERSION_LIMIT`]);
//! - the config file: 1 MiB ([`CONFIG_LIMIT`]);
//! - a trust entry: 64 KiB ([`TRUST_ENTRY_LIMIT`]);
//! - the sync record, `.autovenv-sync`: 1 MiB ([`SYNC_RECORD_LIMIT`]);
//! - a `.venv` file that redirects to or names an environment: 4 KiB ([`VENV_FILE_LIMIT`]);
//! - `pyproject.toml` and `Pipfile`, read for the project's tool: 1 MiB
//!   ([`PROJECT_FILE_LIMIT`]);
//! - poetry's `config.toml`, `poetry.toml` and `envs.toml`: 1 MiB ([`TOOL_CONFIG_LIMIT`]);
//! - a dependency or lock file that is hashed: 16 MiB ([`DEPENDENCY_FILE_LIMIT`]), and
//!   64 MiB for all of a project's together ([`DEPENDENCY_TOTAL_LIMIT`]).
//!
//! Anything else — a FIFO, a device, a directory, a larger file — is not read at all.

use std::fmt;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Nothing is there (or a link to nothing).
    Missing,
    /// It is not a regular file: a directory, FIFO, socket or device.
    NotRegular(&'static str),
    /// It is larger than the bound.
    TooLarge(u64),
    /// Reading it failed (permissions, I/O).
    Io(io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Missing => write!(f, "it does not exist"),
            ReadError::NotRegular(kind) => write!(f, "it is a {kind}, not a regular file"),
            ReadError::TooLarge(limit) => write!(f, "it is larger than {limit} bytes"),
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<ReadError> for io::Error {
    fn from(e: ReadError) -> io::Error {
        match e {
            ReadError::Io(e) => e,
            ReadError::Missing => io::Error::new(io::ErrorKind::NotFound, e.to_string()),
            other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
        }
    }
}

/// `pyvenv.cfg`: a dozen short lines from every creator.
pub const PYVENV_CFG_LIMIT: u64 = 64 * 1024;
/// `.python-version`: a version or an environment name per line.
pub const PYTHON_VERSION_LIMIT: u64 = 4 * 1024;
/// A `.venv` file: one path or one environment name.
pub const VENV_FILE_LIMIT: u64 = 4 * 1024;
/// `pyproject.toml` or `Pipfile`, read to tell the project's tool and name.
pub const PROJECT_FILE_LIMIT: u64 = 1024 * 1024;
/// A tool's own config: poetry's `config.toml`, `poetry.toml`, `envs.toml`.
pub const TOOL_CONFIG_LIMIT: u64 = 1024 * 1024;
/// The config file.
pub const CONFIG_LIMIT: u64 = 1024 * 1024;
/// A trust entry: one path.
pub const TRUST_ENTRY_LIMIT: u64 = 64 * 1024;
/// The sync record kept in a venv: one line per file that declares dependencies.
pub const SYNC_RECORD_LIMIT: u64 = 1024 * 1024;
/// `/etc/passwd`, read to name the owner of a refused venv.
pub const PASSWD_LIMIT: u64 = 4 * 1024 * 1024;
/// A dependency or lock file that is hashed to tell whether the venv is in step.
pub const DEPENDENCY_FILE_LIMIT: u64 = 16 * 1024 * 1024;
/// All the dependency and lock files of one project that are hashed, together: a checkout
/// could hold thousands of `requirements*.txt` files just under the bound each.
pub const DEPENDENCY_TOTAL_LIMIT: u64 = 64 * 1024 * 1024;

/// Reads `path` if it is a regular file of at most `limit` bytes.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(from_io)?;
    check(&meta, limit)?;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(from_io)?;
    // What was opened may not be what was looked at: check the descriptor itself.
    let meta = file.metadata().map_err(ReadError::Io)?;
    check(&meta, limit)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
}

/// Like [`read_bounded`], with every failure taken as "no file".
pub fn read_if_regular(path: &Path, limit: u64) -> Option<Vec<u8>> {
    read_bounded(path, limit).ok()
}

/// Whether `path` is (or links to) a regular file: the only kind autovenv reads.
pub fn is_regular_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// What `meta` describes when it is not a regular file ("FIFO", "device", …), for
/// messages; `None` for a regular file.
pub fn not_regular(meta: &std::fs::Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        None
    } else if kind.is_dir() {
        Some("directory")
    } else if kind.is_fifo() {
        Some("FIFO")
    } else if kind.is_socket() {
        Some("socket")
    } else if kind.is_char_device() || kind.is_block_device() {
        Some("device")
    } else {
        Some("special file")
    }
}

fn check(meta: &std::fs::Metadata, limit: u64) -> Result<(), ReadError> {
    if let Some(kind) = not_regular(meta) {
        return Err(ReadError::NotRegular(kind));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(())
}

fn from_io(e: io::Error) -> ReadError {
    match e.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => ReadError::Missing,
        _ => ReadError::Io(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "autovenv-fsread-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn reads_regular_files_within_the_bound() {
        let dir = temp();
        let file = dir.join("f");
        std::fs::write(&file, b"home = /usr\n").unwrap();
        assert_eq!(read_bounded(&file, 100).unwrap(), b"home = /usr\n");
        assert!(matches!(
            read_bounded(&file, 4),
            Err(ReadError::TooLarge(4))
        ));
        assert!(matches!(
            read_bounded(&dir.join("none"), 4),
            Err(ReadError::Missing)
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refuses_what_could_block_or_never_end() {
        let dir = temp();
        let fifo = dir.join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            read_bounded(&fifo, 100),
            Err(ReadError::NotRegular("FIFO"))
        ));
        assert!(matches!(
            read_bounded(Path::new("/dev/zero"), 100),
            Err(ReadError::NotRegular("device"))
        ));
        assert!(matches!(
            read_bounded(&dir, 100),
            Err(ReadError::NotRegular("directory"))
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
