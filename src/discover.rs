//! What is on disk: from a directory up towards `/`, the nearest venv, the nearest
//! project root and the version-control root where the search stops.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::sources::{self, Found, Source, Tool};
use crate::venv::Venv;

/// Where a project's venv lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VenvLocation {
    /// One of these names inside the project directory (`.venv`, `venv`).
    Named(Vec<OsString>),
    /// One fixed directory for every project (`UV_PROJECT_ENVIRONMENT=/abs/path`).
    Fixed(PathBuf),
}

impl VenvLocation {
    /// Where venvs are looked for: `UV_PROJECT_ENVIRONMENT` when set (as uv reads it),
    /// else the configured names.
    pub fn from_env(config: &Config) -> VenvLocation {
        match std::env::var_os("UV_PROJECT_ENVIRONMENT") {
            Some(value) if !value.is_empty() => {
                let path = PathBuf::from(value);
                if path.is_absolute() {
                    VenvLocation::Fixed(path)
                } else {
                    VenvLocation::Named(vec![path.into_os_string()])
                }
            }
            _ => VenvLocation::Named(config.venv_names.clone()),
        }
    }

    /// The venv that belongs to a project rooted at `root`.
    pub fn for_root(&self, root: &Path) -> PathBuf {
        match self {
            VenvLocation::Named(names) => match names.first() {
                Some(name) => root.join(name),
                None => root.join(".venv"),
            },
            VenvLocation::Fixed(path) => path.clone(),
        }
    }
}

/// What one walk from a directory up towards `/` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discovery {
    /// The directory the walk started from.
    pub pwd: PathBuf,
    /// The nearest venv, if any, and the directory that holds it (its project root).
    pub venv: Option<(Venv, PathBuf)>,
    /// The nearest directory with a project marker, at or below the venv's root.
    pub project: Option<PathBuf>,
    /// The version-control root where the walk stopped, if any.
    pub vcs_root: Option<PathBuf>,
    /// Which rule found the venv ([`Source::InProject`] when there is none).
    pub source: Source,
    /// The nearest project, when poetry or pipenv makes its environment and has not made
    /// it yet (and the config leaves making it to them: `create_in_tool_projects` off).
    pub awaiting: Option<Awaiting>,
}

/// A project whose tool has not made its environment yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Awaiting {
    /// The tool.
    pub tool: Tool,
    /// The project root.
    pub root: PathBuf,
    /// Where the environment may appear (watched, so that it is found once it does).
    pub expected: Vec<PathBuf>,
}

impl Discovery {
    /// Walks from `pwd` upwards.
    pub fn walk(pwd: &Path, config: &Config, location: &VenvLocation) -> Discovery {
        let mut found = Discovery {
            pwd: pwd.to_owned(),
            venv: None,
            project: None,
            vcs_root: None,
            source: Source::InProject,
            awaiting: None,
        };
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let mut wanted: Vec<&OsStr> = sources::POINTER_FILES.iter().map(OsStr::new).collect();
        if let VenvLocation::Named(names) = location {
            wanted.extend(names.iter().map(OsString::as_os_str));
        }
        wanted.extend(config.project_markers.iter().map(OsString::as_os_str));
        wanted.extend(config.vcs_markers.iter().map(OsString::as_os_str));
        for dir in pwd.ancestors() {
            let entries = Entries::read(dir, &wanted);
            // `pyenv global`/`pyenv local` leave a .python-version in the home directory: that
            // alone does not make the home directory (or `/`) a project.
            let version_file_only = dir == Path::new("/") || home.as_deref() == Some(dir);
            if let VenvLocation::Named(names) = location {
                if let Some(name) = names
                    .iter()
                    .find(|n| entries.may_hold(n) && is_dir(&dir.join(n)))
                {
                    let venv = physical(&dir.join(name));
                    found.venv = Some((Venv::inspect(venv), dir.to_owned()));
                } else if sources::POINTER_FILES
                    .iter()
                    .any(|f| entries.may_hold(OsStr::new(f)))
                {
                    match sources::find(dir, version_file_only) {
                        Some(Found::Env { source, path } | Found::Dangling { source, path }) => {
                            found.venv = Some((Venv::inspect(physical(&path)), dir.to_owned()));
                            found.source = source;
                        }
                        Some(Found::Missing { tool, expected })
                            if found.project.is_none() && !config.create_in_tool_projects =>
                        {
                            found.awaiting = Some(Awaiting {
                                tool,
                                root: dir.to_owned(),
                                expected,
                            });
                        }
                        _ => {}
                    }
                }
            }
            let is_project = config.project_markers.iter().any(|m| {
                entries.may_hold(m)
                    && exists(&dir.join(m))
                    && !(version_file_only && m == ".python-version")
            });
            if found.project.is_none() && is_project {
                found.project = Some(dir.to_owned());
                if let VenvLocation::Fixed(path) = location {
                    if is_dir(path) {
                        found.venv = Some((Venv::inspect(physical(path)), dir.to_owned()));
                    }
                }
            }
            if found.venv.is_some() {
                break;
            }
            if config
                .vcs_markers
                .iter()
                .any(|m| entries.may_hold(m) && exists(&dir.join(m)))
            {
                found.vcs_root = Some(dir.to_owned());
                break;
            }
        }
        found
    }

    /// The directory a venv belongs to or would be created in: the venv's root, else the
    /// nearest project root.
    pub fn root(&self) -> Option<&Path> {
        match &self.venv {
            Some((_, root)) => Some(root),
            None => self.project.as_deref(),
        }
    }

    /// The deepest directory whose contents decided this result. Any directory below it
    /// (or it) from which the walk up to it finds none of [`Discovery::watch_names`]
    /// leads to the same result, which lets the shell answer such a `cd` by itself.
    pub fn anchor(&self) -> &Path {
        self.root()
            .or(self.vcs_root.as_deref())
            .unwrap_or(Path::new("/"))
    }

    /// The entries whose appearance in a directory on the way up, or change at the anchor,
    /// may change the result. Absolute entries are checked as they are.
    pub fn watch_names(&self, config: &Config, location: &VenvLocation) -> Vec<OsString> {
        let mut names = Vec::new();
        match location {
            VenvLocation::Named(venv_names) => names.extend(venv_names.iter().cloned()),
            VenvLocation::Fixed(path) => names.push(path.clone().into_os_string()),
        }
        if self.venv.is_none() || matches!(location, VenvLocation::Fixed(_)) {
            names.extend(config.project_markers.iter().cloned());
        }
        // The files that point at an environment elsewhere: one appearing below a venv's
        // root makes a nearer project, one changing at the root may point elsewhere.
        for file in sources::POINTER_FILES {
            if !names.iter().any(|n| n == file) {
                names.push(file.into());
            }
        }
        // The environment a tool has yet to make: its appearance is a change. (One that
        // exists is not watched by its absolute path: an entry that exists would count as
        // a change in every directory below the root, and end the fast path there.)
        if let (None, Some(awaiting)) = (&self.venv, &self.awaiting) {
            names.extend(awaiting.expected.iter().map(|p| p.clone().into_os_string()));
        }
        // A venv another shell is making: its marker going away (made, or stopped and
        // removed) is a change, so a shell that stopped waiting for it catches up.
        if let Some((venv, root)) = &self.venv {
            if venv.problem == Some(crate::venv::Problem::Incomplete) {
                let marker = venv.path.join(crate::venv::INCOMPLETE_MARKER);
                let name = match location {
                    VenvLocation::Named(_) => marker.strip_prefix(root).ok().map(Path::to_owned),
                    VenvLocation::Fixed(_) => Some(marker.clone()),
                };
                names.extend(name.map(PathBuf::into_os_string));
            }
        }
        names.extend(config.vcs_markers.iter().cloned());
        names
    }
}

/// The biggest directory (its size as `stat` gives it: one block on ext4, about 200
/// entries on tmpfs) that is listed; a bigger one is asked about name by name, which
/// costs less than listing it.
const LISTING_BYTES: u64 = 4096;

/// The most entries a listing is read for (a directory whose size says little, as on
/// some network file systems).
const LISTING_LIMIT: usize = 1024;

/// Which of the names the walk asks about a directory holds, read with one listing instead
/// of one `stat` per name: a walk up from a deep directory asks a dozen names at every
/// level. A directory that is not listed (unreadable, or too big) is asked name by name,
/// each name once however many rules look for it.
struct Entries(Vec<OsString>);

impl Entries {
    /// The entries of `dir` among `wanted` (plain names, no `/`).
    fn read(dir: &Path, wanted: &[&OsStr]) -> Entries {
        if !std::fs::metadata(dir).is_ok_and(|m| m.len() <= LISTING_BYTES) {
            return Entries::ask(dir, wanted);
        }
        let Ok(listing) = std::fs::read_dir(dir) else {
            return Entries::ask(dir, wanted);
        };
        let mut found = Vec::new();
        for (n, entry) in listing.enumerate() {
            let Ok(entry) = entry else {
                return Entries::ask(dir, wanted);
            };
            if n >= LISTING_LIMIT {
                return Entries::ask(dir, wanted);
            }
            let name = entry.file_name();
            if wanted.contains(&name.as_os_str()) {
                found.push(name);
            }
        }
        Entries(found)
    }

    /// The entries of `dir` among `wanted`, asked name by name: one `lstat` for each
    /// distinct plain name.
    fn ask(dir: &Path, wanted: &[&OsStr]) -> Entries {
        let mut found: Vec<OsString> = Vec::new();
        for (i, name) in wanted.iter().enumerate() {
            let plain = !name.as_bytes().contains(&b'/');
            if plain && !wanted[..i].contains(name) && exists(&dir.join(name)) {
                found.push(name.to_os_string());
            }
        }
        Entries(found)
    }

    /// Whether `name` may be in the directory: a name with a `/` in it is not in the
    /// listing, so it may.
    fn may_hold(&self, name: &OsStr) -> bool {
        name.as_bytes().contains(&b'/') || self.0.iter().any(|f| f == name)
    }
}

/// The venv at `path` spelled as what it is now: its parent directory resolved, its own
/// name kept (a `.venv` link stays `.venv`, in a directory whose owner is checked). This
/// is what goes on `PATH`, so a symlink on the way to the project that someone else can
/// re-point (one in `/tmp`) cannot change what that entry means after activation.
pub fn physical(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => std::fs::canonicalize(parent)
            .map(|p| p.join(name))
            .unwrap_or_else(|_| path.to_owned()),
        _ => path.to_owned(),
    }
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

fn is_dir(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_dir())
}

/// The directory the shell is in: `$PWD` when it names the current directory (keeping the
/// user's symlinked spelling, as `pwd -L` does), else the physical current directory.
pub fn current_dir() -> Option<PathBuf> {
    let physical = std::env::current_dir().ok();
    if let Some(pwd) = std::env::var_os("PWD").map(PathBuf::from) {
        // Spelled as the physical path (no symlink on the way): the same directory,
        // without asking.
        if physical
            .as_ref()
            .is_some_and(|p| p.as_os_str() == pwd.as_os_str())
        {
            return physical;
        }
        // A directory deleted under the shell has no physical path any more; its logical
        // one still says which project the shell has left.
        if pwd.is_absolute() && (physical.is_none() || same_file(&pwd, Path::new("."))) {
            return Some(pwd);
        }
    }
    physical
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("autovenv-discover-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A directory too big to list is asked name by name, and finds the same.
    #[test]
    fn a_directory_too_big_to_list_is_asked_name_by_name() {
        let root = temp("big");
        let proj = root.join("proj");
        std::fs::create_dir_all(proj.join(".venv")).unwrap();
        std::fs::create_dir_all(proj.join("src/deep")).unwrap();
        std::fs::write(proj.join("pyproject.toml"), "").unwrap();
        for n in 0..=LISTING_LIMIT {
            std::fs::write(proj.join(format!("file{n}")), "").unwrap();
        }
        let wanted = [
            OsStr::new(".venv"),
            OsStr::new("setup.py"),
            OsStr::new(".venv"),
        ];
        assert_eq!(
            Entries::read(&proj, &wanted).0,
            vec![OsString::from(".venv")]
        );
        assert_eq!(
            Entries::read(&proj.join("src"), &wanted).0,
            Vec::<OsString>::new()
        );
        let config = Config::default();
        let location = VenvLocation::from_env(&config);
        let found = Discovery::walk(&proj.join("src/deep"), &config, &location);
        assert_eq!(found.project.as_deref(), Some(proj.as_path()));
        assert_eq!(found.root(), Some(proj.as_path()));
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// Names with a `/` are not in a listing: they may be there.
    #[test]
    fn a_name_with_a_slash_may_be_anywhere() {
        let entries = Entries(vec![OsString::from(".git")]);
        assert!(entries.may_hold(OsStr::new(".git")));
        assert!(!entries.may_hold(OsStr::new(".hg")));
        assert!(entries.may_hold(OsStr::new("env/bin")));
    }
}
