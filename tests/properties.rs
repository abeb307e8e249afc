//! Property tests in real shells: directory names and pre-existing `PATH`, `VIRTUAL_ENV`,
//! `PYTHONHOME` and `VIRTUAL_ENV_PROMPT` (set, empty or unset) built from fragments that
//! mean something to some shell (brace groups, `~user`, a leading `=`, `$VAR`, `$(…)`,
//! backticks, `%F{…}`, `!!`, globs, xonsh `@(…)`, nushell `$"…"`, quotes, newlines, C0 and
//! C1 controls, bytes that are not UTF-8) and from random bytes; the prompt named after the
//! venv or after the project; in bash and zsh, under options users turn on. For each case a
//! real shell enters the project, the user changes something, the shell leaves, and:
//! - inside, the venv is active with the right values (or, where a venv the user
//!   activated is set, nothing is touched; where the path holds `:`, it is refused), and
//!   the prompt shows `(name) ` with control characters escaped;
//! - afterwards the environment is byte-identical to before, except PWD/OLDPWD/_ and the
//!   user's own change;
//! - nothing in any value ran (no `pwned` file anywhere).
//!
//! Deterministic: each shell's test first runs the fixed cases in [`fixed`] (every case a
//! run ever found failing is added there), then generated ones from a fixed seed.
//! `PROPTEST_CASES` and `PROPTEST_RNG_SEED` change the count and the seed; `tests/soak.sh`
//! runs long randomized runs.

#[macro_use]
mod support;

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use support::session::{self, Session};
use support::{parse_env, Sandbox, Shell};

/// The seed CI runs with, unless `PROPTEST_RNG_SEED` says otherwise.
const SEED: u64 = 0x6175_746f_7665_6e76;

/// Generated cases per shell in CI, unless `PROPTEST_CASES` says otherwise.
const CASES: u32 = 24;

/// One generated situation.
#[derive(Clone, Debug)]
struct Case {
    /// The project directory's name.
    name: Vec<u8>,
    /// An entry put in front of `PATH` before the shell starts (its `:`s dropped).
    path_extra: Option<Vec<u8>>,
    virtual_env: Option<Vec<u8>>,
    pythonhome: Option<Vec<u8>>,
    prompt: Option<Vec<u8>>,
    /// Whether the config names the prompt after the project (`prompt = "{project}"`),
    /// so the directory's name is shown in the prompt.
    project_prompt: bool,
    /// Options turned on before the hook is loaded: bits of [`BASH_OPTIONS`],
    /// [`ZSH_OPTIONS`] or [`TCSH_OPTIONS`].
    options: u8,
}

/// What bit `i` of [`Case::options`] turns on in bash.
const BASH_OPTIONS: [&str; 5] = [
    "shopt -s extglob",
    "set -H",
    "shopt -u promptvars",
    "set -u",
    "shopt -s nullglob failglob",
];

/// What bit `i` of [`Case::options`] turns on in zsh.
const ZSH_OPTIONS: [&str; 8] = [
    "setopt EXTENDED_GLOB",
    "setopt MAGIC_EQUAL_SUBST",
    "setopt IGNORE_BRACES",
    "setopt RC_QUOTES",
    "setopt PROMPT_SUBST",
    "setopt KSH_ARRAYS SH_WORD_SPLIT",
    "setopt NO_UNSET",
    "setopt BRACE_CCL",
];

/// What bit `i` of [`Case::options`] turns on in tcsh.
const TCSH_OPTIONS: [&str; 2] = ["set backslash_quote", "set noglob"];

impl Case {
    /// A case with only a directory name.
    fn named(name: &[u8]) -> Case {
        Case {
            name: name.to_vec(),
            path_extra: None,
            virtual_env: None,
            pythonhome: None,
            prompt: None,
            project_prompt: false,
            options: 0,
        }
    }

    /// This case as far as `shell` itself can take it.
    fn as_possible_in(&self, shell: Shell) -> Case {
        let mut case = self.clone();
        match shell {
            // nushell holds paths as text, so it cannot enter a directory whose name is
            // not UTF-8, and its `cd` drops C0 control characters (tab and newline only at
            // the end) and lands elsewhere: there those become `_`. Its `cd` also takes a
            // name of three or more dots for `../..` and so on: there a `_` goes first.
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
                if case.name.len() >= 3 && case.name.iter().all(|&b| b == b'.') {
                    case.name.insert(0, b'_');
                }
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

    /// The lines that turn this case's options on in `shell`.
    fn option_lines(&self, shell: Shell) -> Vec<String> {
        let table: &[&str] = match shell {
            Shell::Bash => &BASH_OPTIONS,
            Shell::Zsh => &ZSH_OPTIONS,
            Shell::Tcsh => &TCSH_OPTIONS,
            _ => &[],
        };
        (0..table.len())
            .filter(|i| self.options & (1 << i) != 0)
            .map(|i| table[i].to_owned())
            .collect()
    }
}

/// Pieces of text that some shell gives a meaning to.
const FRAGMENTS: &[&[u8]] = &[
    b"{a,b}",
    b"{",
    b"}",
    b",",
    b"{1..3}",
    b"~",
    b"~root",
    b"=",
    b"=ls",
    b"$HOME",
    b"${HOME}",
    b"${(e)x}",
    b"$(touch pwned)",
    b"`touch pwned`",
    b"@(touch pwned)",
    b"@$(touch pwned)",
    b"$\"(touch pwned)\"",
    b"(touch pwned)",
    b"%F{red}",
    b"%d",
    b"%",
    b"!!",
    b"!$",
    b"!",
    b"^",
    b"#",
    b"\\",
    b"\\w",
    b"\\[",
    b"'",
    b"''",
    b"\"",
    b"*",
    b"?",
    b"[a]",
    b"]",
    b"^(x)",
    b"@(a|b)",
    b";",
    b"&",
    b"|",
    b"<",
    b" ",
    b"-",
    b":",
    b"\n",
    b"\t",
    b"\r",
    b"\x1b[31m",
    b"\x1b]0;title\x07",
    b"\x07",
    b"\x7f",
    b"\xc2\x85",
    b"\xc2\x9b31m",
    b"\x9b",
    b"\xff",
    b"\xc3",
    b"\xef\x9b\xbf",
    b"\xc3\xa9",
];

/// Bytes made of [`FRAGMENTS`] and random bytes (without NUL, and without `/` where
/// `slash` is false).
fn fragments(max: usize, slash: bool) -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => prop::sample::select(FRAGMENTS).prop_map(<[u8]>::to_vec),
        1 => prop::collection::vec(1u8..=255, 1..4),
        1 => "[a-z.]{1,4}".prop_map(String::into_bytes),
    ];
    prop::collection::vec(piece, 1..max).prop_map(move |pieces| {
        let mut bytes = pieces.concat();
        bytes.retain(|&b| b != 0 && (slash || b != b'/'));
        bytes.truncate(120);
        bytes
    })
}

fn name() -> impl Strategy<Value = Vec<u8>> {
    fragments(6, false).prop_filter("a new directory's name", |n| {
        !n.is_empty() && n != b"." && n != b".."
    })
}

fn value() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop::option::of(prop_oneof![
        Just(Vec::new()),
        fragments(5, true),
        prop::collection::vec(1u8..=255, 0..16),
    ])
}

fn case() -> impl Strategy<Value = Case> {
    (
        name(),
        (value(), value(), value(), value()),
        any::<bool>(),
        any::<u8>(),
    )
        .prop_map(
            |(name, (path_extra, virtual_env, pythonhome, prompt), project_prompt, options)| Case {
                name,
                path_extra,
                virtual_env,
                pythonhome,
                prompt,
                project_prompt,
                options,
            },
        )
}

/// The cases every shell runs first: those named when the quoting was made correct by
/// construction, and every case a run found failing. Each applies to the shells it can be
/// taken to (see [`Case::as_possible_in`]).
fn fixed() -> Vec<Case> {
    let all_bash = (1 << BASH_OPTIONS.len()) - 1;
    // Every zsh option but IGNORE_BRACES, under which braces would not be tried.
    let all_zsh: u8 = !(1 << 2);
    let mut cases = vec![
        // Brace expansion took the project in `{a,b}` for `b`.
        Case::named(b"{a,b}"),
        Case {
            options: all_zsh,
            ..Case::named(b"{a,b}")
        },
        Case {
            options: all_bash,
            ..Case::named(b"{a,b}")
        },
        // A bare `}` was a parse error in zsh, at every prompt.
        Case {
            pythonhome: Some(b"}".to_vec()),
            ..Case::named(b"p")
        },
        Case {
            pythonhome: Some(b"{".to_vec()),
            prompt: Some(b"a,b}".to_vec()),
            path_extra: Some(b"{x,y}".to_vec()),
            ..Case::named(b"}")
        },
        // xonsh expanded `$HOME` in a PATH entry.
        Case::named(b"dol$HOME"),
        Case::named(b"dol${HOME}x"),
        // ... and `~user` after an `=`.
        Case::named(b"eq=~root"),
        Case {
            project_prompt: true,
            ..Case::named(b"dol$HOME")
        },
        // Words that expand at the start or inside, under the options that make them.
        Case {
            options: all_zsh,
            pythonhome: Some(b"=ls".to_vec()),
            prompt: Some(b"~root".to_vec()),
            path_extra: Some(b"^x#*".to_vec()),
            ..Case::named(b"~")
        },
        Case {
            options: all_bash,
            pythonhome: Some(b"!!".to_vec()),
            prompt: Some(b"@(a|b)".to_vec()),
            path_extra: Some(b"[a]*?".to_vec()),
            ..Case::named(b"=x!")
        },
        Case {
            pythonhome: Some(b"a''b'".to_vec()),
            options: 1 << 3,
            ..Case::named(b"'it''s'")
        },
        // tcsh's `backslash_quote` took `\'` inside quotes for a quote.
        Case {
            options: 1,
            pythonhome: Some(b"\\".to_vec()),
            project_prompt: true,
            ..Case::named(b"it\\'s\\")
        },
        // Code and terminal controls in a name the prompt shows.
        Case {
            project_prompt: true,
            ..Case::named(b"$(touch pwned)`touch pwned`@(touch pwned)$\"(touch pwned)\"")
        },
        Case {
            project_prompt: true,
            ..Case::named(b"%F{red}\\w!!{cwd}{env_name}")
        },
        Case {
            project_prompt: true,
            ..Case::named(b"esc\x1b[31m\x1b]0;t\x07\x9b\xc2\x9b\x7f")
        },
        Case {
            project_prompt: true,
            options: 1 << 4,
            ..Case::named(b"$(touch pwned)\\`x`%")
        },
    ];
    // Found by generated runs (kept so that they keep passing).
    cases.push(Case {
        prompt: Some(b"\x80".to_vec()),
        ..Case::named("\u{80}\u{80}".as_bytes())
    });
    // Found by a soak run: nushell's `cd` cannot go to a directory named `...`.
    cases.push(Case::named(b"..."));
    cases
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CASES)
}

fn seed() -> u64 {
    std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(SEED)
}

static CASE: AtomicUsize = AtomicUsize::new(0);

/// What the prompt shows for a venv whose prompt is `name`: `(name) `, with control
/// characters and bytes that are not UTF-8 escaped as in autovenv's messages.
fn prefix(name: &[u8]) -> String {
    format!("({}) ", autovenv::message::shown(OsStr::from_bytes(name)))
}

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
    let config = sb.home().join(".config/autovenv/config.toml");
    if case.project_prompt {
        sb.write(&config, "prompt = \"{project}\"\n");
    } else {
        let _ = std::fs::remove_file(&config);
    }

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
    let mut lines = vec![shell.cd_line(&base)];
    lines.extend(case.option_lines(shell));
    lines.extend([
        shell.hook_line(),
        shell.dump_env(&out("before")),
        shell.cd_line(&proj),
        shell.dump_env(&out("inside")),
        shell.dump_prompt(&out("prompt")),
        shell.export_line("AUTOVENV_PROPERTY_EDIT", "kept"),
        shell.cd_line(&base),
        shell.dump_env(&out("after")),
    ]);
    session.lines(&lines);
    let shown = session.try_finish();
    prop_assert!(shown.finished, "shell broke: {}", shown.text);
    prop_assert!(!shown.text.contains("panicked"), "{}", shown.text);
    for dir in [&base, &proj, &sb.home(), &sb.root] {
        prop_assert!(!dir.join("pwned").exists(), "a value ran: {}", shown.text);
    }

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
    prop_assert!(!before.is_empty(), "{}", shown.text);

    let get = |env: &BTreeMap<OsString, OsString>, name: &str| env.get(OsStr::new(name)).cloned();
    let the_venv = proj.join(".venv");
    let foreign = case.virtual_env.as_ref().is_some_and(|v| !v.is_empty());
    let prompt_name = if case.project_prompt {
        case.name.clone()
    } else {
        b".venv".to_vec()
    };
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
        // In the form the venv's own activate writes: `(name) ` for CPython 3.10 to 3.12.
        let vep = if support::activate_wraps_name(&the_venv) {
            [&b"("[..], &prompt_name, b") "].concat()
        } else {
            prompt_name.clone()
        };
        prop_assert_eq!(
            get(&inside, "VIRTUAL_ENV_PROMPT"),
            Some(OsString::from_vec(vep))
        );
        prop_assert_eq!(get(&inside, "PYTHONHOME"), None);
        let mut expected_path = the_venv.join("bin").into_os_string();
        if let Some(p) = get(&before, "PATH").filter(|p| !p.is_empty()) {
            expected_path.push(":");
            expected_path.push(p);
        }
        prop_assert_eq!(get(&inside, "PATH"), Some(expected_path));
        // tcsh's dump is its `prompt` variable unexpanded.
        if shell != Shell::Tcsh {
            let prompt = std::fs::read(out("prompt")).unwrap_or_default();
            let prompt = String::from_utf8_lossy(&prompt);
            prop_assert!(
                prompt.starts_with(&prefix(&prompt_name)),
                "the prompt shows {:?}, not {:?} first",
                prompt,
                prefix(&prompt_name)
            );
        }
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

/// The fixed cases, then generated ones, in `shell`.
fn enter_edit_leave_restores_exactly(shell: Shell) {
    let (sb, venv) = prepare();
    for case in fixed() {
        if let Err(e) = check(&sb, &venv, shell, &case) {
            panic!("{shell:?}: fixed case {case:?}: {e}");
        }
    }
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed()),
        max_shrink_iters: 64,
        ..Config::default()
    });
    let result = runner.run(&case(), |case| check(&sb, &venv, shell, &case));
    eprintln!(
        "{shell:?}: {} fixed and {} generated cases, seed {}",
        fixed().len(),
        cases(),
        seed()
    );
    if let Err(e) = result {
        panic!(
            "{shell:?} (seed {}): {e}\nAdd the case to `fixed` in tests/properties.rs.",
            seed()
        );
    }
}

scenario!(enter_edit_leave_restores_exactly in bash zsh fish elvish nushell xonsh tcsh);
