//! Fuzzing, as property tests: everything autovenv parses — `AUTOVENV_STATE`, the shell
//! session, `pyvenv.cfg`, the config file, trust files — takes arbitrary bytes without a
//! panic or a hang, and what autovenv writes reads back exactly.
//!
//! CI runs proptest's default 256 cases per property from a fixed seed, so it never fails
//! by chance; `PROPTEST_CASES=200000 PROPTEST_RNG_SEED=$RANDOM cargo test --release --test
//! fuzz` is the longer run whose figures are in the README.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use autovenv::session::Session;
use autovenv::state::{PathKind, State};
use autovenv::venv::PyvenvCfg;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// The seed CI runs with, unless `PROPTEST_RNG_SEED` says otherwise.
const SEED: u64 = 0x6675_7a7a_6175_746f;

/// proptest's configuration (cases from `PROPTEST_CASES`), with a fixed seed.
fn config() -> Config {
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(SEED);
    Config {
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    }
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..200)
}

fn value() -> impl Strategy<Value = Option<OsString>> {
    prop::option::of(bytes().prop_map(OsString::from_vec))
}

fn absolute() -> impl Strategy<Value = PathBuf> {
    bytes().prop_map(|mut b| {
        b.retain(|&c| c != 0);
        b.insert(0, b'/');
        PathBuf::from(OsString::from_vec(b))
    })
}

/// Like the text of a config file: mostly TOML-ish lines, some noise.
fn config_text() -> impl Strategy<Value = Vec<u8>> {
    let key = prop::sample::select(vec![
        "venv_names",
        "project_markers",
        "auto_create",
        "creator",
        "python",
        "trusted_roots",
        "quiet",
        "prompt",
        "unknown",
        "[table]",
    ]);
    let rhs = prop::sample::select(vec![
        "= true",
        "= \"uv\"",
        "= [\".venv\", \"env\"]",
        "= [",
        "= \"unterminated",
        "= 12",
        "= ['~/code']",
        "= \"{project}\"",
        "",
        "= \"\\u00e9\"",
    ]);
    let line = (key, rhs, bytes()).prop_map(|(k, r, noise)| {
        let mut line = format!("{k} {r}").into_bytes();
        if noise.len() % 7 == 0 {
            line.extend(noise);
        }
        line.push(b'\n');
        line
    });
    prop::collection::vec(line, 0..12).prop_map(|lines| lines.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn state_decode_never_panics(input in bytes()) {
        let _ = State::decode(&input);
    }

    #[test]
    fn state_round_trips(
        venv in absolute(),
        root in absolute(),
        virtual_env in value(),
        virtual_env_prompt in value(),
        pythonhome in value(),
        kind in 0..3u8,
    ) {
        let state = State {
            venv,
            root,
            virtual_env,
            virtual_env_prompt,
            pythonhome,
            path: [PathKind::Unset, PathKind::Empty, PathKind::Set][usize::from(kind)],
        };
        let encoded = state.encode();
        prop_assert!(encoded.as_bytes().iter().all(u8::is_ascii_graphic));
        prop_assert_eq!(State::decode(encoded.as_bytes()), Some(state));
    }

    #[test]
    fn session_decode_never_panics_and_round_trips(input in bytes()) {
        let session = Session::decode(&input);
        prop_assert_eq!(Session::decode(session.encode().as_bytes()), session);
    }

    #[test]
    fn pyvenv_cfg_parse_never_panics(input in bytes()) {
        let cfg = PyvenvCfg::parse(&input);
        if let Some(prompt) = cfg.prompt {
            prop_assert!(prompt.as_bytes().len() <= input.len());
        }
    }

    #[test]
    fn config_parse_never_panics_and_errors_are_one_line(input in config_text()) {
        for error in autovenv::config::parse(Path::new("/c.toml"), &input).1 {
            let text = error.to_string();
            prop_assert!(!text.contains('\n'), "{}", text);
            prop_assert!(text.starts_with("/c.toml"), "{}", text);
        }
    }

    #[test]
    fn config_parse_takes_raw_bytes(input in bytes()) {
        let _ = autovenv::config::parse(Path::new("/c.toml"), &input);
    }
}

/// Trust files with arbitrary contents (a store edited or damaged by hand) are listed
/// without a panic; the store is this test's own, through XDG_DATA_HOME.
#[test]
fn trust_files_with_arbitrary_contents_are_read_without_panic() {
    let store = std::env::temp_dir().join(format!("autovenv-fuzz-{}", std::process::id()));
    let allow = store.join("autovenv/allow");
    std::fs::create_dir_all(&allow).expect("store");
    std::env::set_var("XDG_DATA_HOME", &store);
    let mut runner = proptest::test_runner::TestRunner::new(config());
    let result = runner.run(&prop::collection::vec(bytes(), 1..8), |files| {
        for (i, contents) in files.iter().enumerate() {
            std::fs::write(allow.join(format!("{i:064x}")), contents).expect("write");
        }
        let entries = autovenv::trust::entries(autovenv::trust::List::Allow).expect("entries");
        prop_assert!(entries.len() >= files.len());
        for entry in entries {
            // None of these is named by the hash of what it holds: none trusts anything.
            prop_assert!(entry.dir.is_err(), "{:?}", entry.dir);
            let _ = autovenv::trust::check(&entry.file, None, &autovenv::config::Config::default());
        }
        Ok(())
    });
    let _ = std::fs::remove_dir_all(&store);
    if let Err(e) = result {
        panic!("{e}");
    }
}
