//! A `.venv` file instead of a `.venv` directory: its first line is a path to the
//! environment, relative to the file (the PEP 832 draft's redirect), when it holds a `/`;
//! else the name of an environment under `$WORKON_HOME` (default `~/.virtualenvs`), as
//! virtualenvwrapper, virtualfish and zsh-autoswitch-virtualenv write it.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use super::Source;
use crate::fsread::{read_if_regular, VENV_FILE_LIMIT};

/// Where the `.venv` file in `dir` points, when there is one (a regular file, read
/// bounded) with a first line that is a path or a plain name.
pub fn target(dir: &Path) -> Option<(Source, PathBuf)> {
    let file = dir.join(".venv");
    if !std::fs::symlink_metadata(&file).is_ok_and(|m| !m.is_dir()) {
        return None;
    }
    let bytes = read_if_regular(&file, VENV_FILE_LIMIT)?;
    parse(&bytes, dir)
}

/// The rule for a `.venv` file's contents, for the file in `dir`.
fn parse(bytes: &[u8], dir: &Path) -> Option<(Source, PathBuf)> {
    let line = bytes.split(|&b| b == b'\n').next()?.trim_ascii();
    if line.is_empty() || line.contains(&0) {
        return None;
    }
    let text = Path::new(OsStr::from_bytes(line));
    if line.contains(&b'/') {
        return Some((Source::Redirect, dir.join(text)));
    }
    // A name: one plain component (not `.` or `..`).
    if !matches!(text.components().next(), Some(Component::Normal(_))) {
        return None;
    }
    Some((Source::Workon, workon_home()?.join(text)))
}

/// `$WORKON_HOME`, else `~/.virtualenvs`.
pub fn workon_home() -> Option<PathBuf> {
    match super::env_path("WORKON_HOME") {
        Some(home) => Some(super::expand_user(home.as_bytes())),
        None => Some(PathBuf::from(super::env_path("HOME")?).join(".virtualenvs")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_redirects_and_a_name_is_under_workon_home() {
        let dir = Path::new("/p/proj");
        assert_eq!(
            parse(b"../envs/proj\nignored\n", dir),
            Some((Source::Redirect, PathBuf::from("/p/proj/../envs/proj")))
        );
        assert_eq!(
            parse(b"/abs/env", dir),
            Some((Source::Redirect, PathBuf::from("/abs/env")))
        );
        assert_eq!(parse(b"", dir), None);
        assert_eq!(parse(b"  \n", dir), None);
        assert_eq!(parse(b"..", dir), None);
        assert_eq!(parse(b"a\0b", dir), None);
        let (source, path) = parse(b" myenv \n", dir).expect("a name");
        assert_eq!(source, Source::Workon);
        assert_eq!(path.file_name(), Some(OsStr::new("myenv")));
    }
}
