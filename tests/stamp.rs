//! The stamp: on a steady prompt bash and zsh compare one file's mtime with the current
//! directory's and the project root's, instead of testing each watched name (see
//! src/stamp.rs). What a stamp must never cost: a change missed where there is none to be
//! had, or a file left behind by a shell that has ended.

#[macro_use]
mod support;

use std::path::Path;
use support::session::{self, Session};

use support::{Sandbox, Shell};

/// `path` as the shells print it.
fn text(path: &Path) -> String {
    path.display().to_string()
}

/// With no directory to keep a stamp in (the cache directory is a file), the hook tests
/// each watched name at every prompt: what is made or removed in the current directory or
/// at the project root is noticed all the same.
fn without_a_stamp_what_appears_or_vanishes_is_noticed(shell: Shell) {
    let sb = Sandbox::trusting_code_without_creation();
    let proj = sb.project_with_venv("code/proj");
    let deep = sb.mkdir("code/proj/src/deep");
    let blocked = sb.write("not-a-dir", "");
    let mut lines = vec![
        shell.dump_var("_autovenv_stamp", &sb.out("stamp")),
        shell.cd_line(&deep),
    ];
    for (command, out) in [
        ("python3 -m venv --without-pip .venv", "made_here"),
        ("rm -rf .venv", "removed_here"),
        ("rm -rf ../../.venv", "removed_at_root"),
        ("python3 -m venv --without-pip ../../.venv", "made_at_root"),
    ] {
        lines.push(shell.external(command));
        lines.push(shell.dump_var("VIRTUAL_ENV", &sb.out(out)));
    }
    let shown = session::run_with_env(
        &sb,
        shell,
        &[("XDG_CACHE_HOME", &blocked.display().to_string())],
        &lines,
    );
    let root_venv = text(&proj.join(".venv"));
    sb.assert_outs_showing(
        &[
            ("stamp", ""),
            ("made_here", &*text(&deep.join(".venv"))),
            ("removed_here", &*root_venv),
            ("removed_at_root", "<unset>"),
            ("made_at_root", &*root_venv),
        ],
        &shown.text,
    );
}

/// Each shell's stamp is a file of its own; the hook line of the next shell removes those
/// of shells that have ended.
fn the_stamps_of_ended_shells_are_removed(shell: Shell) {
    let sb = Sandbox::new();
    let stamp = |name: &str| {
        Session::start(&sb, shell).run(&[shell.dump_var("_autovenv_stamp", &sb.out(name))]);
        std::path::PathBuf::from(sb.out_text(name))
    };
    let first = stamp("first");
    assert!(
        first.starts_with(sb.path("home/.cache/autovenv/stamps")),
        "{first:?}"
    );
    let second = stamp("second");
    assert_ne!(first, second);
    // The first shell had ended when the second started; the second has ended now too.
    assert!(!first.exists(), "{first:?}");
    stamp("third");
    assert!(!second.exists(), "{second:?}");
}

scenario!(without_a_stamp_what_appears_or_vanishes_is_noticed in bash zsh);
scenario!(the_stamps_of_ended_shells_are_removed in bash zsh);
