//! Finding a program (uv, virtualenv, poetry, pipenv) on a `PATH` value, as creation and
//! sync both need: absolute entries only, so a relative entry cannot pick a program from
//! whatever directory the shell is in.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The first executable file called `name` in a directory of `path` (a `PATH` value).
pub fn on_path(name: &OsStr, path: Option<&OsStr>) -> Option<PathBuf> {
    path?
        .as_bytes()
        .split(|&b| b == b':')
        .filter(|dir| !dir.is_empty() && dir.starts_with(b"/"))
        .map(|dir| Path::new(OsStr::from_bytes(dir)).join(name))
        .find(|candidate| is_executable(candidate))
}

/// Whether `path` is a regular file with an execute bit.
pub fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
