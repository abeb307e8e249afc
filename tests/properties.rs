//! Property tests in real shells: directory names made of arbitrary bytes (every byte but
//! `/` and NUL) and environments with arbitrary `PATH`, `VIRTUAL_ENV`, `PYTHONHOME` and
//! `VIRTUAL_ENV_PROMPT` (set, empty or unset). For each case a real shell enters the
//! project, the user changes something, the shell leaves, and:
//! - inside, the venv is active with the right values (or, where a venv the user
//!   activated is set, nothing is touched; where the path holds `:`, it is refused);
//! - afterwards the environment is byte-identical to before, except PWD/OLDPWD/_ and the
//!   user's own change.
//!
//! `PROPTEST_CASES` sets the number of cases per shell (default below).

mod support;

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use support::session::{self, Session};
use support::{parse_env, Sandbox, Shell};

/// One generated situation.
#[derive(Clone, Debug)]
struct Case {
    name: Vec<u8>,
    path_extra: Option<Vec<u8>>,
    virtual_env: Option<Vec<u8>>,
    pythonhome: Option<Vec<u8>>,
    prompt: Option<Vec<u8>>,
}

impl Case {
    /// This case as far as `shell` itself can take it.
    fn as_possible_in(&self, shell: Shell) -> Case {
        let mut case = self.clone();
        match shell {
            // nushell holds paths as text, so it cannot enter a directory whose name is
            // not UTF-8, and its `cd` drops C0 control characters (tab and newline only at
            // the end) and lands elsewhere: there those become `_`.
            Shell::Nu => {
                let text = String::from_utf8_lossy(&self.name);
                let end = text.trim_end_matches(['\t', '\n']).len();
                case.name = text
                    .char_indices()
                    .map(|(i, c)| match c {
                        '\t' | '\n' if i < end => c,
                        c if c < ' ' => '_',
                        c => c,
                    })
                    .collect::<String>()
                    .into_bytes();
            }
            // xonsh is a Python program: with PYTHONHOME set to anything but a Python
            // installation it cannot start at all.
            Shell::Xonsh => {
                if let Some(home) = case.pythonhome.as_mut().filter(|h| !h.is_empty()) {
                    *home = b"/usr".to_vec();
                }
            }
            _ => {}
        }
        case
    }
}

fn name() -> impl Strategy<Value = Vec<u8>> {
    // Any byte but NUL and '/'; `.` and `..` are not names of new directories.
    prop::collection::vec(
        any::<u8>().prop_filter("not / or NUL", |b| *b != 0 && *b != b'/'),
        1..24,
    )
    .prop_filter("not . or ..", |n| n != b"." && n != b"..")
}

fn value() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop::option::of(prop::collection::vec(
        any::<u8>().prop_filter("no NUL", |b| *b != 0),
        0..16,
    ))
}

fn case() -> impl Strategy<Value = Case> {
    (name(), value(), value(), value(), value()).prop_map(
        |(name, path_extra, virtual_env, pythonhome, prompt)| Case {
            name,
            path_extra,
            virtual_env,
            pythonhome,
            prompt,
        },
    )
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(48)
}

static CASE: AtomicUsize = AtomicUsize::new(0);

/// Runs one case in `shell`; returns a description of what went wrong, if anything.
fn check(sb: &Sandbox, venv: &Path, shell: Shell, case: &Case) -> Result<(), TestCaseError> {
    let n = CASE.fetch_add(1, Ordering::SeqCst);
    let base = sb.mkdir(format!("cases/{n}"));
    let case = &case.as_possible_in(shell);
    let proj = base.join(OsStr::from_bytes(&case.name));
    std::fs::create_dir(&proj).map_err(|e| TestCaseError::reject(e.to_string()))?;
    std::fs::write(proj.join("pyproject.toml"), "").expect("marker");
    std::os::unix::fs::symlink(venv, proj.join(".venv")).expect("link");
    let out = |tag: &str| sb.out(&format!("{n}-{tag}"));

    // The environment the shell starts with.
    let mut cmd = session::command(sb, shell);
    let mut path = sb
        .env()
        .into_iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v)
        .unwrap_or_default();
    if let Some(extra) = &case.path_extra {
        let mut with = OsString::from_vec(extra.iter().copied().filter(|&b| b != b':').collect());
        with.push(":");
        with.push(&path);
        path = with;
    }
    cmd.env("PATH", &path);
    cmd.env("AUTOVENV_TRUSTED_ROOTS", &base);
    cmd.env("AUTOVENV_QUIET", "1");
    for (name, value) in [
        ("VIRTUAL_ENV", &case.virtual_env),
        ("PYTHONHOME", &case.pythonhome),
        ("VIRTUAL_ENV_PROMPT", &case.prompt),
    ] {
        match value {
            Some(v) => cmd.env(name, OsStr::from_bytes(v)),
            None => cmd.env_remove(name),
        };
    }
    let mut session = Session::begin(sb, shell, cmd);
    session.lines(&[
        shell.cd_line(&base),
        shell.hook_line(),
        shell.dump_env(&out("before")),
        shell.cd_line(&proj),
        shell.dump_env(&out("inside")),
        shell.export_line("AUTOVENV_PROPERTY_EDIT", "kept"),
        shell.cd_line(&base),
        shell.dump_env(&out("after")),
    ]);
    let shown = session.try_finish();
    prop_assert!(shown.finished, "shell broke: {}", shown.text);
    prop_assert!(!shown.text.contains("panicked"), "{}", shown.text);

    let read = |tag: &str| parse_env(&std::fs::read(out(tag)).unwrap_or_default());
    let strip = |mut env: BTreeMap<OsString, OsString>| {
        // LAST_EXIT_CODE is nushell's own.
        for name in ["PWD", "OLDPWD", "_", "LAST_EXIT_CODE"] {
            env.remove(OsStr::new(name));
        }
        env
    };
    let before = strip(read("before"));
    let inside = read("inside");
    let after = strip(read("after"));
    prop_assert!(!before.is_empty());

    let get = |env: &BTreeMap<OsString, OsString>, name: &str| env.get(OsStr::new(name)).cloned();
    let the_venv = proj.join(".venv");
    let foreign = case.virtual_env.as_ref().is_some_and(|v| !v.is_empty());
    // `:` cannot go on PATH. tcsh cannot write a newline in its own syntax, so there a
    // newline in any value the activation or its restore would write refuses it too.
    let newline = |v: &Option<Vec<u8>>| v.as_ref().is_some_and(|v| v.contains(&b'\n'));
    let refused = the_venv.as_os_str().as_bytes().contains(&b':')
        || (shell == Shell::Tcsh
            && (case.name.contains(&b'\n')
                || newline(&case.path_extra)
                || newline(&case.pythonhome)
                || newline(&case.prompt)));
    if foreign || refused {
        prop_assert_eq!(strip(inside), before.clone(), "nothing may change");
    } else {
        prop_assert_eq!(
            get(&inside, "VIRTUAL_ENV"),
            Some(the_venv.clone().into_os_string()),
            "{}",
            shown.text
        );
        prop_assert_eq!(
            get(&inside, "VIRTUAL_ENV_PROMPT"),
            Some(OsString::from(".venv"))
        );
        prop_assert_eq!(get(&inside, "PYTHONHOME"), None);
        let mut expected_path = the_venv.join("bin").into_os_string();
        if let Some(p) = get(&before, "PATH").filter(|p| !p.is_empty()) {
            expected_path.push(":");
            expected_path.push(p);
        }
        prop_assert_eq!(get(&inside, "PATH"), Some(expected_path));
    }
    let mut expected = before;
    expected.insert("AUTOVENV_PROPERTY_EDIT".into(), "kept".into());
    prop_assert_eq!(after, expected);
    Ok(())
}

/// A sandbox holding one venv every case's project links to.
fn prepare() -> (Sandbox, std::path::PathBuf) {
    let sb = Sandbox::new();
    let venv = sb.path("the-venv");
    support::make_venv(&venv, &[]);
    (sb, venv)
}

fn run_properties(shell: Shell) {
    let (sb, venv) = prepare();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&case(), |case| check(&sb, &venv, shell, &case));
    eprintln!("{shell:?}: {} cases", cases());
    if let Err(e) = result {
        panic!("{shell:?}: {e}");
    }
}

#[test]
fn bash_enter_edit_leave_restores_exactly() {
    run_properties(Shell::Bash);
}

#[test]
fn zsh_enter_edit_leave_restores_exactly() {
    run_properties(Shell::Zsh);
}

#[test]
fn fish_enter_edit_leave_restores_exactly() {
    run_properties(Shell::Fish);
}

#[test]
fn elvish_enter_edit_leave_restores_exactly() {
    run_properties(Shell::Elvish);
}

#[test]
fn nushell_enter_edit_leave_restores_exactly() {
    run_properties(Shell::Nu);
}

#[test]
fn xonsh_enter_edit_leave_restores_exactly() {
    run_properties(Shell::Xonsh);
}

#[test]
fn tcsh_enter_edit_leave_restores_exactly() {
    run_properties(Shell::Tcsh);
}

/// Cases generated runs once found failing, kept so they keep passing.
#[test]
fn found_cases_restore_exactly() {
    let found = [(
        Shell::Nu,
        Case {
            name: "\u{80}\u{80}".into(),
            path_extra: None,
            virtual_env: None,
            pythonhome: None,
            prompt: Some(b"\x80".to_vec()),
        },
    )];
    for (shell, case) in found {
        let (sb, venv) = prepare();
        if let Err(e) = check(&sb, &venv, shell, &case) {
            panic!("{shell:?} {case:?}: {e}");
        }
    }
}
