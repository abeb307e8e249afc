//! Unit tests' scratch directories: one fresh, empty directory per name and process.

use std::path::PathBuf;

/// An empty directory `autovenv-NAME-PID` under the system's temp directory, made anew
/// (whatever an earlier run left there is removed first).
pub(crate) fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("autovenv-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("make a scratch directory");
    dir
}
