//! The man pages in `man/` are generated from the CLI definition and must stay current.

use std::collections::BTreeMap;
use std::path::Path;

fn pages_in(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read(e.path()).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn man_pages_match_the_cli() {
    let fresh = std::env::temp_dir().join(format!("autovenv-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fresh);
    std::fs::create_dir_all(&fresh).expect("temp dir");
    clap_mangen::generate_to(autovenv::cli::command(), &fresh).expect("render man pages");
    let generated = pages_in(&fresh);
    let _ = std::fs::remove_dir_all(&fresh);
    assert!(
        generated.contains_key("autovenv.1"),
        "{:?}",
        generated.keys()
    );

    let man = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    if std::env::var_os("AUTOVENV_UPDATE_MAN").is_some() {
        let _ = std::fs::remove_dir_all(&man);
        std::fs::create_dir_all(&man).expect("man dir");
        for (name, bytes) in &generated {
            std::fs::write(man.join(name), bytes).expect("write man page");
        }
    }
    let committed = pages_in(&man);
    assert!(
        committed == generated,
        "man/ is stale: run `AUTOVENV_UPDATE_MAN=1 cargo test --test man` and commit man/"
    );
}
