//! Where the bash and zsh hooks keep their stamps: one empty file per shell, written just
//! before each look at the disk, so that its mtime is the time of the last look. A
//! directory's mtime moves whenever an entry is added to it, removed or renamed, so on a
//! steady prompt "nothing appeared or vanished here or at the anchor since the last look"
//! is one `[[ STAMP -nt DIR ]]` per directory instead of a test per watched name.
//!
//! The stamps live in a directory of the user's own (`$XDG_RUNTIME_DIR/autovenv`, else
//! `<cache>/autovenv/stamps`). `autovenv hook` makes one for the shell that runs it, named
//! `<shell's pid>.<own pid>` (unique among the shells alive), before it looks at the disk
//! for the shell's first prompt, and sweeps out those of shells that are gone. Where no
//! stamp can be had the hooks test each name, as they do on the paths a stamp cannot
//! speak for. tcsh keeps one clock file there, shared by all its shells ([`clock`]).

use std::fs;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// A new stamp for the shell that runs `autovenv hook` (this process's parent), written
/// now; `None` where there is none to be had: then the hooks test each watched name.
pub(crate) fn create() -> Option<PathBuf> {
    let dir = dir()?;
    let path = dir.join(format!(
        "{}.{}",
        std::os::unix::process::parent_id(),
        std::process::id()
    ));
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .ok()?;
    Some(path)
}

/// The file whose modification time the tcsh hook takes as the time of a look (see
/// shells/tcsh.csh), made if it is not there: `tcsh-clock` in the stamp directory, empty,
/// shared by every tcsh of the user (each reads the time back at once, before its look).
/// `None` where it cannot be made, or is anything but a regular file of the user's own;
/// the hook then compares every name at every prompt.
pub(crate) fn clock() -> Option<PathBuf> {
    let file = dir()?.join("tcsh-clock");
    // O_NOFOLLOW: a symlink there is refused, never written through.
    fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&file)
        .ok()?;
    let meta = fs::symlink_metadata(&file).ok()?;
    (meta.file_type().is_file() && meta.uid() == crate::ownership::current_uid()).then_some(file)
}

/// The stamp directory, made (0700, the user's alone) if need be, with the stamps of shells
/// that are gone removed.
fn dir() -> Option<PathBuf> {
    let dir = match dirs::runtime_dir() {
        Some(runtime) if runtime.is_absolute() => runtime.join("autovenv"),
        _ => dirs::cache_dir()?.join("autovenv").join("stamps"),
    };
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .ok()?;
    let meta = fs::symlink_metadata(&dir).ok()?;
    if !meta.is_dir() || meta.uid() != crate::ownership::current_uid() {
        return None;
    }
    if meta.mode() & 0o077 != 0 {
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).ok()?;
    }
    sweep(&dir);
    Some(dir)
}

/// Removes the stamps in `dir` whose shell has ended: those whose name starts with a
/// process id that `/proc` no longer lists. Nothing is removed where `/proc` is not there
/// to ask.
fn sweep(dir: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(shell_pid) else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            // unlink(2) removes a symlink itself, never what it points to.
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The shell's process id in the name of a stamp, `<pid>.<pid>`, or of the file the bash
/// hook reads functions through beside it, `<pid>.<pid>.fn`; `None` for any other name.
fn shell_pid(name: &str) -> Option<&str> {
    let is_pid = |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
    let name = name.strip_suffix(".fn").unwrap_or(name);
    let (shell, own) = name.split_once('.')?;
    (is_pid(shell) && is_pid(own)).then_some(shell)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_named_by_two_process_ids_only() {
        assert_eq!(shell_pid("1.2"), Some("1"));
        assert_eq!(shell_pid("4194304.77"), Some("4194304"));
        assert_eq!(shell_pid("12.34.fn"), Some("12"));
        for name in [
            "",
            "12",
            "12a.1",
            "1.",
            ".1",
            "1.2.3",
            "12345678901.1",
            "x",
            "-1.2",
            "1.2.fnx",
        ] {
            assert_eq!(shell_pid(name), None, "{name:?}");
        }
    }

    #[test]
    fn the_sweep_removes_the_stamps_of_ended_shells_only() {
        let scratch = crate::scratch::fresh_dir("stamp-sweep");
        let own = format!("{}.1", std::process::id());
        // No process has a pid this high (the kernel's limit is 2^22).
        for name in [own.as_str(), "4294967295.1", "notes", "4294967295"] {
            fs::write(scratch.join(name), b"").unwrap();
        }
        sweep(&scratch);
        assert!(scratch.join(&own).exists());
        assert!(!scratch.join("4294967295.1").exists());
        assert!(scratch.join("notes").exists());
        assert!(scratch.join("4294967295").exists());
    }
}
