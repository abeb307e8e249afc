//! `autovenv prune`: forget trust decisions about directories that are gone, and drop
//! files in the trust store that count for nothing (forged, or another user's).

use std::io::ErrorKind;
use std::path::Path;

use crate::message::{shown, Output};
use crate::trust::{self, List};

/// Removes every allow and deny entry whose directory no longer exists, and every file in
/// those lists that is not a valid entry.
pub fn prune() -> super::Outcome {
    let (config, _) = crate::config::load();
    let out = Output::new(config.quiet);
    let store = || shown(trust::store_dir().unwrap_or_default());
    let mut pruned = 0;
    for list in [List::Allow, List::Deny] {
        let entries = trust::entries(list).map_err(|e| {
            format!(
                "cannot read the trust store {} ({e}): check its permissions",
                store()
            )
        })?;
        for entry in entries {
            let file = entry.file;
            let kind = match list {
                List::Allow => "allowed",
                List::Deny => "denied",
            };
            let said = match &entry.dir {
                Ok(dir) if gone(dir) => format!("forgot {} ({kind}; it is gone)", shown(dir)),
                Ok(_) => continue,
                Err(invalid) => format!(
                    "removed {} from the trust store: {invalid}, so it trusted nothing",
                    shown(&file)
                ),
            };
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(format!(
                        "cannot remove {} from the trust store {} ({e}): check that it is writable",
                        shown(&file),
                        store()
                    )
                    .into())
                }
            }
            pruned += 1;
            out.info(&said);
        }
    }
    let summary = match pruned {
        0 => "nothing to prune: every directory in the trust store exists".to_owned(),
        1 => "pruned 1 entry".to_owned(),
        n => format!("pruned {n} entries"),
    };
    out.info(&summary);
    Ok(())
}

/// Whether `dir` is no longer a directory. One that cannot be looked at (permissions, an
/// unmounted disk's mount point still there) is kept.
fn gone(dir: &Path) -> bool {
    match std::fs::metadata(dir) {
        Ok(meta) => !meta.is_dir(),
        Err(e) => matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory),
    }
}
