//! Where the creator writes, and what happens to what was there before.
//!
//! Nothing is ever emptied or deleted through a symlink, and nothing is deleted that is
//! not either made by this creation or a venv autovenv can recognise (it has a
//! `pyvenv.cfg`, or autovenv's own marker). A venv that is rebuilt is renamed aside in its
//! own directory (`.venv.autovenv-old-PID`) before the new one is made at the real path —
//! venvs hold their own path in their scripts, so they cannot be built elsewhere and moved
//! in — and it is removed only once the new one works; if the new one cannot be made, what
//! was made goes and the old one is renamed back, untouched. A directory at the venv's
//! place that is not a venv is never removed: a forced rebuild renames it aside for good and
//! says where.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::Failure;
use crate::message::{shown, Output};
use crate::venv::{Problem, Venv, INCOMPLETE_MARKER};

/// What was at the venv's place, now made ready for the creator.
pub enum Prepared {
    /// A working venv is there (and no rebuild was asked for).
    Ready(Venv),
    /// The creator may write here.
    Build(Site),
}

/// A place prepared for the creator, and how to put things back.
pub struct Site {
    /// Where the venv is used and the creator writes.
    venv: PathBuf,
    /// What this creation made there.
    made: Made,
    /// What was at `venv` before, renamed aside.
    aside: Option<Aside>,
}

/// What a creation made at the venv's place.
enum Made {
    /// The directory itself.
    Dir,
    /// Everything inside this directory (the real one behind a `.venv` symlink), which
    /// was empty before.
    Contents(PathBuf),
}

/// What was at the venv's place before a rebuild.
struct Aside {
    /// Where it is now.
    path: PathBuf,
    /// Whether it is a venv autovenv recognises (removed after a successful rebuild), or
    /// some other directory (kept where it is now).
    recognised: bool,
}

/// Makes `venv` ready for the creator: made when missing; moved aside when there and a
/// rebuild is asked for (or it is half-made); refused where that cannot be done safely.
pub fn prepare(venv: &Path, force: bool, out: Output) -> Result<Prepared, Failure> {
    let meta = match std::fs::symlink_metadata(venv) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            make_dir(venv)?;
            return Ok(Prepared::Build(Site {
                venv: venv.to_owned(),
                made: Made::Dir,
                aside: None,
            }));
        }
        Err(e) => {
            return Err(Failure::Error(format!(
                "cannot look at {} ({e}): check its permissions",
                shown(venv)
            )))
        }
    };
    if meta.file_type().is_symlink() {
        return linked(venv, force);
    }
    if !meta.is_dir() {
        return Err(Failure::Error(format!(
            "{} is a file, not a venv: move it away, or set UV_PROJECT_ENVIRONMENT to another place",
            shown(venv)
        )));
    }
    let found = Venv::inspect(venv.to_owned());
    match &found.problem {
        None if !force => return Ok(Prepared::Ready(found)),
        Some(Problem::Incomplete) if !force => out.info(&format!(
            "{} was left half-made by a creation that was cut short; making it again",
            shown(venv)
        )),
        Some(problem) if !force => {
            return Err(Failure::Error(
                crate::notice::Notice::broken(venv, problem).to_string(),
            ))
        }
        _ => {}
    }
    let recognised = recognisable(venv);
    let aside = aside_path(venv, recognised);
    std::fs::rename(venv, &aside).map_err(|e| {
        Failure::Error(format!(
            "cannot move {} aside to rebuild it ({e}); nothing was changed: make its directory writable",
            shown(venv)
        ))
    })?;
    if !recognised {
        out.warning(&format!(
                "moved {} aside to {}: it is not a venv, so it is kept; remove it when you no longer need it",
            shown(venv),
            shown(&aside)
        ));
    }
    let site = Site {
        venv: venv.to_owned(),
        made: Made::Dir,
        aside: Some(Aside {
            path: aside,
            recognised,
        }),
    };
    if let Err(failure) = make_dir(venv) {
        let kept = site.put_back();
        return Err(match failure {
            Failure::Error(text) => Failure::Error(format!("{text}{kept}")),
            other @ Failure::Interrupted => other,
        });
    }
    Ok(Prepared::Build(site))
}

/// A `.venv` that is a symlink: used when it leads to a working venv, filled in when it
/// leads to an empty directory, refused otherwise — nothing is made, emptied or removed
/// through a link.
fn linked(venv: &Path, force: bool) -> Result<Prepared, Failure> {
    let target = link_target(venv);
    let to = shown(&target);
    let link = shown(venv);
    let Ok(meta) = std::fs::metadata(venv) else {
        return Err(Failure::Error(format!(
            "{link} is a symlink to {to}, which does not exist: autovenv makes nothing through a link; make that directory yourself, or remove the link (only the link) to have the venv made in the project"
        )));
    };
    if !meta.is_dir() {
        return Err(Failure::Error(format!(
            "{link} is a symlink to {to}, which is not a directory: remove the link (only the link) to have the venv made in the project"
        )));
    }
    let found = Venv::inspect(venv.to_owned());
    if found.problem.is_none() && !force {
        return Ok(Prepared::Ready(found));
    }
    let real = std::fs::canonicalize(venv)
        .map_err(|e| Failure::Error(format!("cannot follow {link} ({e}): check the link")))?;
    let empty = std::fs::read_dir(&real).is_ok_and(|mut entries| entries.next().is_none());
    if empty {
        return Ok(Prepared::Build(Site {
            venv: venv.to_owned(),
            made: Made::Contents(real),
            aside: None,
        }));
    }
    Err(Failure::Error(match &found.problem {
        Some(problem) if !force => crate::notice::Notice::broken(venv, problem).to_string(),
        _ if recognisable(&real) => format!(
            "{link} is a symlink to {to}: autovenv never rebuilds or empties anything through a link; rebuild the venv there yourself, or remove the link (only the link) and run `autovenv create`"
        ),
        _ => format!(
            "{link} is a symlink to {to}, which is not a venv: autovenv never rebuilds or empties anything through a link; remove the link (only the link) and run `autovenv create`"
        ),
    }))
}

impl Site {
    /// Where the creator writes.
    pub fn build_path(&self) -> &Path {
        &self.venv
    }

    /// Marks the place as not finished, before the creator starts.
    pub fn mark(&self) -> std::io::Result<()> {
        std::fs::write(
            self.venv.join(INCOMPLETE_MARKER),
            format!("creating {}\n", std::process::id()),
        )
    }

    /// Removes what one creator made, so that another can start afresh, and marks it
    /// again.
    pub fn renew(&self) -> std::io::Result<()> {
        match &self.made {
            Made::Dir => {
                remove_real_dir(&self.venv)?;
                match self.venv.parent() {
                    Some(parent) => make_marked(&self.venv, parent)?,
                    None => std::fs::create_dir(&self.venv)?,
                }
            }
            Made::Contents(real) => empty_dir(real)?,
        }
        self.mark()
    }

    /// After a failure: removes what was made and puts back what was there. Returns what
    /// to add to the message about the failure (empty when nothing was there before).
    pub fn undo(&self) -> String {
        let _ = match &self.made {
            Made::Dir => remove_real_dir(&self.venv),
            Made::Contents(real) => empty_dir(real),
        };
        self.put_back()
    }

    /// Renames what was there back to the venv's place.
    fn put_back(&self) -> String {
        let Some(aside) = &self.aside else {
            return String::new();
        };
        match std::fs::rename(&aside.path, &self.venv) {
            Ok(()) if aside.recognised => "; the old venv is back as it was".to_owned(),
            Ok(()) => format!("; {} is back as it was", shown(&self.venv)),
            Err(e) => format!(
                "; what was there before is kept as {} ({e} putting it back): move it back by hand",
                shown(&aside.path)
            ),
        }
    }

    /// After success: takes the marker off and removes the old venv that was moved aside.
    pub fn finish(&self, out: Output) -> Result<(), String> {
        let marker = self.venv.join(INCOMPLETE_MARKER);
        if let Err(e) = std::fs::remove_file(&marker) {
            return Err(format!(
                "cannot finish {} ({e}): remove {} by hand",
                shown(&self.venv),
                shown(&marker)
            ));
        }
        if let Some(aside) = self.aside.as_ref().filter(|a| a.recognised) {
            if let Err(e) = remove_real_dir(&aside.path) {
                out.warning(&format!(
                    "the old venv is left at {} ({e}): remove it by hand",
                    shown(&aside.path)
                ));
            }
        }
        Ok(())
    }
}

/// Whether `dir` is a venv autovenv knows how to recognise: it has a `pyvenv.cfg`, or
/// autovenv's own marker.
fn recognisable(dir: &Path) -> bool {
    ["pyvenv.cfg", INCOMPLETE_MARKER]
        .iter()
        .any(|name| std::fs::symlink_metadata(dir.join(name)).is_ok_and(|m| m.is_file()))
}

/// A free name beside `venv` for what is moved aside: `.venv.autovenv-old-PID` for a venv
/// that is removed after the rebuild, `.venv.autovenv-moved-SECONDS` for anything else,
/// which stays.
fn aside_path(venv: &Path, recognised: bool) -> PathBuf {
    let mut name = venv.file_name().unwrap_or_default().to_owned();
    if recognised {
        name.push(format!(".autovenv-old-{}", std::process::id()));
    } else {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        name.push(format!(".autovenv-moved-{secs}"));
    }
    let first = venv.with_file_name(&name);
    let mut candidate = first.clone();
    let mut n = 1;
    while std::fs::symlink_metadata(&candidate).is_ok() {
        let mut numbered = name.clone();
        numbered.push(format!("-{n}"));
        candidate = venv.with_file_name(numbered);
        n += 1;
    }
    candidate
}

/// Removes a directory and everything in it, unless it is a symlink (or gone). Links
/// inside are removed, never followed.
fn remove_real_dir(dir: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(dir),
        Ok(_) => Err(std::io::Error::new(
            ErrorKind::InvalidInput,
            "not a directory (or a symlink), so it was left alone",
        )),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes everything in `dir` (a real directory whose contents this creation made).
fn empty_dir(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// Where a symlink points, made absolute against its directory (for messages).
fn link_target(link: &Path) -> PathBuf {
    match std::fs::read_link(link) {
        Ok(target) => link.parent().unwrap_or(Path::new("/")).join(target),
        Err(_) => link.to_owned(),
    }
}

/// Makes the venv directory (and its parents, for `UV_PROJECT_ENVIRONMENT`).
fn make_dir(venv: &Path) -> Result<(), Failure> {
    let made = match venv.parent() {
        Some(parent) => std::fs::create_dir_all(parent).and_then(|()| make_marked(venv, parent)),
        None => std::fs::create_dir(venv),
    };
    made.map_err(|e| {
        let hint =
            if e.kind() == ErrorKind::PermissionDenied || e.raw_os_error() == Some(libc::EROFS) {
                "make the directory writable, or set UV_PROJECT_ENVIRONMENT to a writable place"
            } else {
                "check the path and the disk"
            };
        Failure::Error(format!("cannot create {} ({e}): {hint}", shown(venv)))
    })
}

/// Makes `venv` with [`INCOMPLETE_MARKER`] already in it, so that another shell never sees
/// it without one (it would take a bare directory for something that is not a venv): the
/// directory is made beside it under a name of this process's, marked, then renamed into
/// place.
fn make_marked(venv: &Path, parent: &Path) -> std::io::Result<()> {
    let mut name = venv.file_name().unwrap_or_default().to_owned();
    name.push(format!(".autovenv-new-{}", std::process::id()));
    let temp = parent.join(name);
    std::fs::create_dir(&temp)?;
    let marker = format!("creating {}\n", std::process::id());
    let placed = std::fs::write(temp.join(INCOMPLETE_MARKER), marker)
        .and_then(|()| std::fs::rename(&temp, venv));
    if placed.is_err() {
        // Made by this process a moment ago, under its own name: a real directory.
        let _ = std::fs::remove_dir_all(&temp);
    }
    placed
}
