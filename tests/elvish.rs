//! elvish end to end: what only elvish has (`edit:before-readline` kept with the user's
//! own hooks). elvish's line editor, and with it the hook, exists only on a terminal, so
//! it runs on one. The scenarios every shell shares are in tests/scenarios.rs.

mod support;

use support::session::{self, Session};
use support::{Sandbox, Shell};

const SH: Shell = Shell::Elvish;

/// Loading the hook again adds no second one of autovenv's, and keeps the user's own.
#[test]
fn loading_twice_keeps_the_users_before_readline_hook() {
    let (sb, proj) = Sandbox::with_allowed_project();
    Session::start(&sb, SH).run(&[
        "set edit:before-readline = [$@edit:before-readline { nop users-own }]".into(),
        SH.hook_line(),
        SH.cd_line(&proj),
        format!(
            "print (count $edit:before-readline) > {}",
            SH.quote(sb.out("hooks"))
        ),
        SH.dump_prompt(&sb.out("prompt")),
    ]);
    assert_eq!(
        sb.out_text("hooks"),
        "2",
        "the user's hook and one of autovenv's"
    );
    assert_eq!(sb.out_text("prompt"), "(.venv) > ");
}

/// A prompt set after the hook line, in rc.elv or at the prompt (as themes and
/// starship's init do), still gets the prefix, once.
#[test]
fn a_prompt_set_after_the_hook_line_gets_the_prefix() {
    let (sb, proj) = Sandbox::with_allowed_project();
    sb.write(
        "home/.config/elvish/rc.elv",
        &format!(
            "{}\nset edit:prompt = {{ put 'theme> ' }}\n",
            SH.hook_line()
        ),
    );
    // The session sets its own plain prompt first: after the hook too.
    let mut cmd = sb.command("elvish");
    cmd.env("NO_COLOR", "1");
    let mut session = session::Session::begin(&sb, SH, cmd);
    session.lines(&[
        SH.cd_line(&proj),
        SH.dump_prompt(&sb.out("plain")),
        "set edit:prompt = { put 'theme> ' }".into(),
        "nop".into(),
        SH.dump_prompt(&sb.out("theme")),
        SH.cd_line(&sb.root),
        SH.dump_prompt(&sb.out("left")),
    ]);
    session.finish();
    sb.assert_outs(&[
        ("plain", "(.venv) > "),
        ("theme", "(.venv) theme> "),
        ("left", "theme> "),
    ]);
}

/// A `deactivate` of the user's own in rc.elv, before the hook line, is theirs whenever
/// autovenv has no venv on: before entering a project and after leaving it.
#[test]
fn a_users_own_deactivate_is_back_when_the_venv_is_off() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let told = SH.quote(sb.out("told"));
    sb.write(
        "home/.config/elvish/rc.elv",
        &format!(
            "set edit:prompt = {{ put '> ' }}; set edit:rprompt = {{ put '' }}\nfn deactivate {{ echo mine >> {told} }}\n{}\n",
            SH.hook_line()
        ),
    );
    let mut cmd = sb.command("elvish");
    cmd.env("NO_COLOR", "1");
    let mut session = session::Session::begin(&sb, SH, cmd);
    let mut lines = vec!["deactivate".to_owned()];
    lines.extend(SH.deactivate_in_and_out_lines(&sb, &proj));
    session.lines(&lines);
    let shown = session.finish();
    sb.assert_outs_showing(
        &[
            ("off", "<unset>"),
            ("on", &*proj.join(".venv").to_string_lossy()),
            ("told", "mine\nmine\nmine\n"),
        ],
        &shown.text,
    );
}

/// The way up from a directory in a project whose name is not UTF-8 is walked byte by
/// byte: a cd inside keeps the venv, without the hook failing.
#[test]
fn a_cd_inside_a_project_whose_name_is_not_utf8_keeps_the_venv() {
    use std::os::unix::ffi::OsStrExt;
    let sb = Sandbox::new();
    let proj = sb.project(std::ffi::OsStr::from_bytes(b"caf\xff"));
    sb.link_venv(&proj.join(".venv"));
    sb.mkdir(std::ffi::OsStr::from_bytes(b"caf\xff/src"));
    sb.allow(&proj);
    let shown = Session::start(&sb, SH).run(&[
        SH.cd_line(&proj),
        "cd src".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("src")),
    ]);
    assert_eq!(
        sb.read_out("src"),
        proj.join(".venv").as_os_str().as_bytes(),
        "{}",
        shown.text
    );
    assert!(!shown.text.contains("hook failed"), "{}", shown.text);
}

/// The steady prompt compares directory listings, which do not change when the target of
/// a symlink in them goes or comes back: a project's `.venv` that is a link to a venv
/// elsewhere is tested by itself, so its target removed or made again is noticed at the
/// next prompt, below the root.
#[test]
fn a_linked_venv_whose_target_goes_or_comes_back_is_noticed_without_cd() {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    sb.link_venv(&proj.join(".venv"));
    sb.mkdir("proj/src/deep");
    sb.allow(&proj);
    let target = std::fs::read_link(proj.join(".venv")).expect("link");
    let shown = Session::start(&sb, SH).run(&[
        SH.cd_line(&proj.join("src/deep")),
        SH.dump_var("VIRTUAL_ENV", &sb.out("on")),
        format!("rm -rf {}", SH.quote(&target)),
        SH.dump_var("VIRTUAL_ENV", &sb.out("gone")),
        format!("python3 -m venv --without-pip {}", SH.quote(&target)),
        SH.dump_var("VIRTUAL_ENV", &sb.out("back")),
    ]);
    let venv = proj.join(".venv").display().to_string();
    sb.assert_outs_showing(
        &[("on", &*venv), ("gone", "<unset>"), ("back", &*venv)],
        &shown.text,
    );
}

/// A directory of more entries than the steady prompt lists is checked name by name
/// instead: a venv made there, or removed, is still noticed at the next prompt.
#[test]
fn a_venv_made_in_a_directory_of_many_entries_is_noticed_without_cd() {
    let sb = Sandbox::trusting_code_without_creation();
    let proj = sb.project_with_venv("code/proj");
    let big = sb.mkdir("code/proj/src/big");
    for i in 0..300 {
        sb.write(format!("code/proj/src/big/f{i}"), "");
    }
    let shown = Session::start(&sb, SH).run(&[
        SH.cd_line(&big),
        "python3 -m venv --without-pip .venv".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("made")),
        "rm -rf .venv".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("removed")),
    ]);
    sb.assert_outs_showing(
        &[
            ("made", &*big.join(".venv").display().to_string()),
            ("removed", &*proj.join(".venv").display().to_string()),
        ],
        &shown.text,
    );
}

/// A file made or removed beside the watched names (an editor's, a build's) changes the
/// directory's listing: the next prompt checks the names again, with builtins, and
/// starts no process.
#[test]
fn a_file_made_beside_the_watched_names_starts_no_process() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let deep = sb.mkdir("proj/src/deep");
    let log = sb.out("strace.log");
    let mark = |n: usize| SH.touch_line(&sb.out(&format!("m{n}")));
    let mut session = session::start_traced(&sb, SH, &log);
    session.line(&SH.cd_line(&deep));
    session.line(&SH.dump_var("VIRTUAL_ENV", &sb.out("before")));
    session.line(&mark(0));
    session.line(&SH.touch_line(&deep.join("notes.txt")));
    session.line(&SH.touch_line(&proj.join("build.log")));
    session.line("nop");
    session.line("rm -f notes.txt");
    session.line(&mark(1));
    session.line("nop");
    session.line(&SH.dump_var("VIRTUAL_ENV", &sb.out("after")));
    let shown = session.finish();
    let venv = proj.join(".venv").display().to_string();
    sb.assert_outs_showing(&[("before", &*venv), ("after", &*venv)], &shown.text);
    let bin = support::binary().display().to_string();
    let segments = sb.execs_between_markers(&std::fs::read(&log).expect("strace log"), 2);
    for segment in &segments[1..] {
        assert!(
            !segment.contains(&bin),
            "prompts after the files changed: {segment:?}\n{}",
            shown.text
        );
    }
}
