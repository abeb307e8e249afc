//! Replacing a file atomically: readers see the old contents or the new, never a part.
//!
//! The bytes go to a fresh temp file beside the target, created with `O_EXCL` so that
//! nothing planted at the temp name (a symlink, a file) is ever followed or reused, with
//! the mode the caller names; it is fsync'd and renamed over the target. On any failure
//! the temp file is removed and the target is left as it was.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `target` atomically, through a new temp file made with `mode`
/// (before the umask) in the same directory.
pub fn write(target: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    write_via(&temp_name(target)?, target, bytes, mode)
}

/// Writes through `temp`, which must not exist yet; removes it only if this call made it.
fn write_via(temp: &Path, target: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let mut out = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(temp)?;
    let written = (|| {
        out.write_all(bytes)?;
        out.sync_all()?;
        fs::rename(temp, target)
    })();
    if written.is_err() {
        let _ = fs::remove_file(temp);
    }
    written
}

/// `.<name>.tmp-<pid>-<nanos>` beside `target`: hidden, and unique to this write.
fn temp_name(target: &Path) -> io::Result<PathBuf> {
    let Some(name) = target.file_name() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} names no file", target.display()),
        ));
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut temp = OsString::from(".");
    temp.push(name);
    temp.push(format!(".tmp-{}-{nanos}", std::process::id()));
    Ok(target.with_file_name(temp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("autovenv-atomic-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("mkdir");
        dir
    }

    #[test]
    fn writes_with_the_mode_asked_and_replaces_the_old_contents() {
        let dir = scratch("mode");
        let target = dir.join("entry");
        fs::write(&target, b"old").expect("write");
        write(&target, b"new", 0o600).expect("atomic write");
        assert_eq!(fs::read(&target).expect("read"), b"new");
        let mode = fs::metadata(&target).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let left: Vec<_> = fs::read_dir(&dir).expect("ls").collect();
        assert_eq!(left.len(), 1, "no temp file is left behind");
        fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn a_symlink_planted_at_the_temp_name_is_not_followed() {
        let dir = scratch("symlink");
        let target = dir.join("entry");
        let victim = dir.join("victim");
        fs::write(&target, b"old").expect("write");
        fs::write(&victim, b"precious").expect("write");
        let temp = dir.join(".entry.tmp-planted");
        std::os::unix::fs::symlink(&victim, &temp).expect("symlink");
        let refused = write_via(&temp, &target, b"new", 0o600);
        assert_eq!(
            refused.map_err(|e| e.kind()),
            Err(io::ErrorKind::AlreadyExists)
        );
        assert_eq!(fs::read(&victim).expect("read"), b"precious");
        assert_eq!(fs::read(&target).expect("read"), b"old");
        let link = fs::symlink_metadata(&temp).expect("the planted link is still there");
        assert!(
            link.file_type().is_symlink(),
            "not removed: autovenv did not make it"
        );
        fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn the_temp_name_is_hidden_and_beside_the_target() {
        let temp = temp_name(Path::new("/store/allow/abc")).expect("temp name");
        assert_eq!(temp.parent(), Some(Path::new("/store/allow")));
        let name = temp
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(name.starts_with(".abc.tmp-"), "{name}");
        assert!(temp_name(Path::new("/")).is_err());
    }
}
