//! tcsh end to end: what only tcsh has (its `precmd` alias chained with the user's, its
//! prompt escapes, a child tcsh). The scenarios every shell shares, with the names tcsh
//! cannot write, are in tests/scenarios.rs.

mod support;

use support::session::{self, Session};
use support::{Sandbox, Shell};

const SH: Shell = Shell::Tcsh;

#[test]
fn a_child_shell_keeps_the_prefix_and_deactivate_and_users_precmd_is_kept() {
    let (sb, proj) = Sandbox::with_allowed_project();
    sb.write(
        "home/.tcshrc",
        &format!("set prompt = 'child%% '\n{}\n", SH.hook_line()),
    );
    let child = sb.write(
        "child.csh",
        &[
            SH.dump_var("VIRTUAL_ENV", &sb.out("child-ve")),
            SH.dump_var("prompt", &sb.out("child-prompt")),
            "deactivate".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("child-after")),
            "exit".into(),
        ]
        .join("\n"),
    );
    let log = sb.out("precmd");
    let run = Session::start(&sb, SH).run(&[
        format!("alias precmd 'echo user-precmd >> {}'", SH.quote(&log)),
        SH.hook_line(),
        format!("alias precmd > {}", SH.quote(sb.out("alias"))),
        format!("cd {}", SH.quote(&proj)),
        format!("tcsh -i < {}", SH.quote(&child)),
        SH.dump_var("VIRTUAL_ENV", &sb.out("parent")),
    ]);
    let venv = proj.join(".venv");
    sb.assert_outs(&[
        ("child-ve", &*venv.to_string_lossy()),
        ("child-prompt", "(.venv) child%% "),
        ("child-after", "<unset>"),
        ("parent", &*venv.to_string_lossy()),
    ]);
    assert_eq!(sb.out_text("alias").matches("_autovenv_precmd").count(), 1);
    assert!(sb.out_text("precmd").lines().count() >= 5, "{}", run.text);
}

#[test]
fn a_venv_prompt_with_code_and_percent_shows_literally() {
    let (sb, proj) = Sandbox::with_allowed_project_named("$(touch pwned) `id` %d !");
    Session::start(&sb, SH).run(&[
        format!("cd {}", SH.quote(&proj)),
        SH.dump_var("prompt", &sb.out("prompt")),
        SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
    ]);
    assert_eq!(
        sb.out_text("vep"),
        support::activate_prompt(&proj.join(".venv"), "$(touch pwned) `id` %d !")
    );
    assert_eq!(sb.out_text("prompt"), "($(touch pwned) `id` %%d \\!) %% ");
    assert!(!proj.join("pwned").exists());
}

/// tcsh started as a user starts it, reading `~/.tcshrc`: `before`, then the hook line.
fn from_rc(sb: &Sandbox, before: &str) -> session::Session {
    around_hook_line(sb, before, "")
}

/// tcsh started reading `~/.tcshrc`: `before`, the hook line, then `after`.
fn around_hook_line(sb: &Sandbox, before: &str, after: &str) -> session::Session {
    sb.write(
        "home/.tcshrc",
        &format!("{before}\n{}\n{after}\n", SH.hook_line()),
    );
    let mut cmd = sb.command("tcsh");
    cmd.arg("-i");
    session::Session::begin(sb, SH, cmd)
}

/// The `autovenv` alias ends with the binary's exit status, as the command itself would.
#[test]
fn the_autovenv_alias_keeps_the_exit_status() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let mut session = from_rc(&sb, "");
    session.lines(&[
        format!("autovenv exec {} -- false", SH.quote(&proj)),
        format!("echo $status > {}", SH.quote(sb.out("false"))),
        format!("autovenv exec {} -- true", SH.quote(&proj)),
        format!("echo $status > {}", SH.quote(sb.out("true"))),
        "autovenv no-such-command".into(),
        format!("echo $status > {}", SH.quote(sb.out("usage"))),
    ]);
    session.finish();
    sb.assert_outs(&[("false", "1\n"), ("true", "0\n"), ("usage", "2\n")]);
}

/// A prompt the user edited while the venv was active loses the prefix on leaving, keeps
/// their edit, and gets one prefix again on coming back.
#[test]
fn a_prompt_edited_while_active_loses_the_prefix_on_leaving() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let mut session = from_rc(&sb, "");
    session.lines(&[
        SH.cd_line(&proj),
        "set prompt = \"${prompt:q}mine \"".into(),
        SH.cd_line(&sb.root),
        SH.dump_var("prompt", &sb.out("left")),
        SH.cd_line(&proj),
        SH.dump_var("prompt", &sb.out("again")),
        "deactivate".into(),
        SH.dump_var("prompt", &sb.out("deactivated")),
    ]);
    session.finish();
    sb.assert_outs(&[
        ("left", "%% mine "),
        ("again", "(.venv) %% mine "),
        ("deactivated", "%% mine "),
    ]);
}

/// shells/tcsh.csh is plain csh as it is: sourced without the processing `autovenv hook
/// tcsh` does (comments dropped, lines joined for `eval`), it works, and its lines are
/// short enough to read.
#[test]
fn the_hook_file_is_plain_csh_as_it_is() {
    let source = include_str!("../shells/tcsh.csh");
    let long: Vec<&str> = source
        .lines()
        .filter(|l| {
            l.len() > 130
                && !l.starts_with("alias _autovenv_precmd ")
                && !l.starts_with("alias _autovenv_walk ")
        })
        .collect();
    assert!(long.is_empty(), "lines too long to read: {long:#?}");
    let (sb, proj) = Sandbox::with_allowed_project();
    let bin = support::binary();
    let file = sb.write(
        "hook.csh",
        &source
            .replace("@AUTOVENV@", &SH.quote(&bin))
            .replace("@CLOCK@", "''"),
    );
    let mut session = session::Session::begin(&sb, SH, session::command(&sb, SH));
    session.lines(&[
        format!("source {}", SH.quote(&file)),
        SH.cd_line(&proj),
        SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        SH.dump_var("prompt", &sb.out("prompt")),
    ]);
    session.finish();
    sb.assert_outs(&[
        ("ve", &*proj.join(".venv").to_string_lossy()),
        ("prompt", "(.venv) %% "),
    ]);
}

/// A `cd`, `pushd` or `popd` takes effect at once, for the rest of the command line (the
/// special alias `cwdcmd`), and a `cwdcmd` alias of the user's own still runs after each;
/// loading the hook again chains it once.
#[test]
fn a_cd_takes_effect_at_once_and_the_users_cwdcmd_still_runs() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let log = sb.out("cwdcmd");
    let mut session = from_rc(
        &sb,
        &format!("alias cwdcmd 'echo user-cwdcmd >> {}'", SH.quote(&log)),
    );
    let p = SH.quote(&proj);
    let seen = |name: &str| {
        format!(
            "echo \"[`printenv VIRTUAL_ENV`]\" > {}",
            SH.quote(sb.out(name))
        )
    };
    session.lines(&[
        SH.hook_line(),
        format!("cd {p} ; {} ; cd / ; {}", seen("cd-in"), seen("cd-out")),
        format!("pushd {p} ; {} ; popd ; {}", seen("pushd"), seen("popd")),
        format!("alias cwdcmd > {}", SH.quote(sb.out("alias"))),
    ]);
    let shown = session.finish();
    let venv = format!("[{}]\n", proj.join(".venv").to_string_lossy());
    sb.assert_outs_showing(
        &[
            ("cd-in", &*venv),
            ("cd-out", "[]\n"),
            ("pushd", &*venv),
            ("popd", "[]\n"),
        ],
        &shown.text,
    );
    assert_eq!(sb.out_text("cwdcmd"), "user-cwdcmd\n".repeat(4));
    assert_eq!(sb.out_text("alias").matches("_autovenv_cwdcmd").count(), 1);
}

/// `setenv VIRTUAL_ENV_DISABLE_PROMPT` with no value turns the prompt off, as
/// activate.csh tests it (set at all), and `VIRTUAL_ENV_PROMPT` is then what that script
/// leaves: unset for a CPython 3.10 to 3.12 venv, the name otherwise.
#[test]
fn an_empty_virtual_env_disable_prompt_counts_as_in_activate_csh() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let venv = proj.join(".venv");
    let mut own = Session::begin(&sb, SH, session::command(&sb, SH));
    own.lines(&[
        "setenv VIRTUAL_ENV_DISABLE_PROMPT".into(),
        SH.activate_by_hand_line(&venv),
        SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("own")),
    ]);
    own.finish();
    Session::start(&sb, SH).run(&[
        "setenv VIRTUAL_ENV_DISABLE_PROMPT".into(),
        "set prompt = 'mine> '".into(),
        format!("cd {}", SH.quote(&proj)),
        SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
        SH.dump_var("prompt", &sb.out("prompt")),
    ]);
    assert_eq!(sb.out_text("ve"), venv.to_string_lossy());
    assert_eq!(sb.out_text("vep"), sb.out_text("own"));
    let expected = if support::activate_wraps_name(&venv) {
        "<unset>"
    } else {
        ".venv"
    };
    assert_eq!(sb.out_text("vep"), expected);
    assert_eq!(sb.out_text("prompt"), "mine> ");
}

/// A `precmd` or `cwdcmd` alias of the user's own defined after the hook line replaces
/// autovenv's (tcsh keeps one alias of a name): autovenv's is put in front of it again
/// the first time the binary runs (for `cwdcmd` the first prompt, for `precmd` the first
/// `cd`), and both run from then on.
#[test]
fn a_precmd_or_cwdcmd_alias_set_after_the_hook_line_is_chained_again() {
    for (name, ours) in [
        ("precmd", "_autovenv_precmd"),
        ("cwdcmd", "_autovenv_cwdcmd"),
    ] {
        let sb = Sandbox::new();
        let proj = sb.project_with_venv("proj");
        sb.allow(&proj);
        let out = |file: &str| SH.quote(sb.out(file));
        sb.write(
            "home/.tcshrc",
            &format!(
                "{}\nalias {name} 'echo mine >> {}'\n",
                SH.hook_line(),
                out("log")
            ),
        );
        let mut cmd = sb.command("tcsh");
        cmd.arg("-i");
        let mut session = session::Session::begin(&sb, SH, cmd);
        let p = SH.quote(&proj);
        session.lines(&[
            format!(
                "cd {p} ; echo \"[`printenv VIRTUAL_ENV`]\" > {}",
                out("at-once")
            ),
            SH.dump_var("VIRTUAL_ENV", &sb.out("in")),
            format!("alias {name} > {}", out("alias")),
            // With autovenv's precmd back, the next prompt evaluates again after `deny`.
            "autovenv deny".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("gone")),
            "cd /".into(),
        ]);
        let shown = session.finish();
        let venv = proj.join(".venv").to_string_lossy().into_owned();
        // Without autovenv's cwdcmd the venv would come only at the next prompt.
        if name == "cwdcmd" {
            assert_eq!(
                sb.out_text("at-once"),
                format!("[{venv}]\n"),
                "{}",
                shown.text
            );
        }
        assert_eq!(sb.out_text("in"), venv, "{name}: {}", shown.text);
        let alias = sb.out_text("alias");
        assert_eq!(alias.matches(ours).count(), 1, "{alias}");
        assert!(alias.contains("echo mine"), "{alias}");
        assert_eq!(sb.out_text("gone"), "<unset>", "{name}: {}", shown.text);
        let runs = sb.out_text("log").lines().count();
        assert!(runs >= 2, "{name} of the user's ran {runs} times");
    }
}

/// The steady check names the project root's entries relative to the current directory
/// (`../../.venv`) only where that leads there: in a directory reached through a symlink
/// into another tree, steady prompts start no process, and a venv removed at the root is
/// still noticed at the next prompt.
#[test]
fn a_steady_prompt_through_a_symlinked_directory_runs_nothing_and_notices_the_root() {
    let sb = Sandbox::new();
    sb.write("home/.config/autovenv/config.toml", "auto_create = false\n");
    let proj = sb.project_with_venv("proj");
    let elsewhere = sb.mkdir("elsewhere/tree/x");
    std::os::unix::fs::symlink(&elsewhere, proj.join("link")).expect("symlink");
    sb.allow(&proj);
    let log = sb.out("strace.log");
    let mark = |n: usize| SH.touch_line(&sb.out(&format!("m{n}")));
    let mut session = session::start_traced(&sb, SH, &log);
    session.line(&SH.cd_line(&proj.join("link")));
    session.line(&SH.dump_var("VIRTUAL_ENV", &sb.out("in")));
    session.line(&mark(0));
    session.lines(&[SH.export_line("VAR", "value"), String::new(), String::new()]);
    session.line(&mark(1));
    session.line(&SH.external(&format!("rm -rf {}", SH.quote(proj.join(".venv")))));
    session.line(&SH.dump_var("VIRTUAL_ENV", &sb.out("gone")));
    let shown = session.finish();
    assert_eq!(
        sb.out_text("in"),
        proj.join(".venv").to_string_lossy(),
        "{}",
        shown.text
    );
    assert_eq!(sb.out_text("gone"), "<unset>", "{}", shown.text);
    let segments = sb.execs_between_markers(&std::fs::read(&log).expect("strace log"), 2);
    assert!(segments[1].is_empty(), "steady prompts: {:?}", segments[1]);
}

/// An `alias deactivate` of the user's own in `~/.tcshrc`, before or after the hook line,
/// is theirs again once autovenv's venv is off, as in the other shells.
#[test]
fn the_users_own_deactivate_alias_is_back_after_leaving() {
    for before in [true, false] {
        let (sb, proj) = Sandbox::with_allowed_project();
        let mine = format!(
            "alias deactivate 'echo mine >> {}'",
            sb.out("told").display()
        );
        let (b, a) = if before {
            (&mine[..], "")
        } else {
            ("", &mine[..])
        };
        let mut session = around_hook_line(&sb, b, a);
        session.lines(&[
            "deactivate".into(),
            SH.cd_line(&proj),
            SH.dump_var("VIRTUAL_ENV", &sb.out("on")),
            "cd /".into(),
            "deactivate".into(),
        ]);
        let shown = session.finish();
        sb.assert_outs_showing(
            &[
                ("on", &proj.join(".venv").to_string_lossy()),
                ("told", "mine\nmine\n"),
            ],
            &format!("alias before the hook line: {before}\n{}", shown.text),
        );
    }
}

/// `source .venv/bin/activate.csh` out of habit in a project autovenv activated, then that
/// venv's `deactivate`: the venv is off and the project stays off until the shell leaves
/// it, as in bash, zsh and fish; an `alias deactivate` of the user's own is theirs again
/// meanwhile.
#[test]
fn activate_csh_then_its_deactivate_keeps_the_project_off() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let venv = proj.join(".venv");
    let mine = format!(
        "alias deactivate 'echo mine >> {}'",
        sb.out("told").display()
    );
    let mut session = around_hook_line(&sb, "", &mine);
    session.lines(&[
        SH.cd_line(&proj),
        SH.dump_var("VIRTUAL_ENV", &sb.out("on")),
        SH.activate_by_hand_line(&venv),
        "deactivate".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("off")),
        "true".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("still-off")),
        "cd /".into(),
        "deactivate".into(),
        SH.cd_line(&proj),
        SH.dump_var("VIRTUAL_ENV", &sb.out("back")),
    ]);
    let shown = session.finish();
    let venv = venv.to_string_lossy();
    sb.assert_outs_showing(
        &[
            ("on", &venv),
            ("off", "<unset>"),
            ("still-off", "<unset>"),
            ("back", &venv),
            ("told", "mine\n"),
        ],
        &shown.text,
    );
}

/// The steady prompt compares the modification times of the current directory and the
/// project root with the time of the last look, and tests each watched name only where
/// one changed: files made beside the project's own start no process, and a venv removed
/// at the root or one made below it in the same second as the look is still noticed at
/// the next prompt.
#[test]
fn a_steady_prompt_sees_changes_made_in_the_second_of_the_look_and_runs_nothing_else() {
    let sb = Sandbox::new();
    sb.write("home/.config/autovenv/config.toml", "auto_create = false\n");
    let proj = sb.project_with_venv("proj");
    let sub = sb.mkdir("proj/sub");
    sb.allow(&proj);
    let log = sb.out("strace.log");
    let mark = |n: usize| SH.touch_line(&sb.out(&format!("m{n}")));
    let q = |p: &std::path::Path| SH.quote(p);
    let mut session = session::start_traced(&sb, SH, &log);
    session.lines(&[
        SH.cd_line(&sub),
        SH.dump_var("VIRTUAL_ENV", &sb.out("in")),
        mark(0),
        format!(
            "echo -n > {} ; echo -n > notes.txt",
            q(&proj.join("notes.txt"))
        ),
        String::new(),
        String::new(),
        mark(1),
        // The look (the cd) and the removal in one command line: one second, mostly.
        format!("cd .. ; cd sub ; rm -rf {}", q(&proj.join(".venv"))),
        SH.dump_var("VIRTUAL_ENV", &sb.out("gone")),
        format!("cd {} ; python3 -m venv --without-pip .venv", q(&proj)),
        SH.dump_var("VIRTUAL_ENV", &sb.out("back")),
        SH.external("cd sub ; mkdir venv"),
        SH.dump_var("VIRTUAL_ENV", &sb.out("nested")),
    ]);
    let shown = session.finish();
    sb.assert_outs(&[
        ("in", &*proj.join(".venv").to_string_lossy()),
        ("gone", "<unset>"),
        ("back", &*proj.join(".venv").to_string_lossy()),
        ("nested", "<unset>"),
    ]);
    let segments = sb.execs_between_markers(&std::fs::read(&log).expect("strace log"), 2);
    assert!(
        segments[1].is_empty(),
        "steady prompts: {:?}\n{}",
        segments[1],
        shown.text
    );
}

/// A cd that stays inside the project (down, up to its root, `pushd`, `popd`) is decided
/// in tcsh with no process, as in the other shells; a cd below a directory that holds a
/// watched name of its own, back, or out of the project, still runs the binary, once.
#[test]
fn a_cd_inside_the_project_starts_no_process() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let deep = sb.mkdir("proj/src/deep");
    sb.mkdir("proj/other/venv");
    // Five levels below that name: found in the walk's second step.
    sb.mkdir("proj/other/a/b/c/d");
    let log = sb.out("strace.log");
    let mark = |n: usize| SH.touch_line(&sb.out(&format!("m{n}")));
    let mut session = session::start_traced(&sb, SH, &log);
    session.lines(&[
        SH.cd_line(&deep),
        mark(0),
        "cd .. ; cd deep ; cd ../.. ; pushd src/deep > /dev/null ; popd > /dev/null ; cd src"
            .into(),
        String::new(),
        mark(1),
    ]);
    session.line(&SH.dump_var("VIRTUAL_ENV", &sb.out("inside")));
    session.lines(&[mark(2), "cd ../other/a/b/c/d".into(), mark(3)]);
    session.line(&SH.dump_var("VIRTUAL_ENV", &sb.out("other")));
    session.lines(&[mark(4), SH.cd_line(&deep), mark(5)]);
    // A directory beside the project whose name starts with the project's is outside it.
    let beside = sb.mkdir("proj-beside");
    session.lines(&[mark(6), SH.cd_line(&beside), mark(7)]);
    session.line(&SH.dump_var("VIRTUAL_ENV", &sb.out("beside")));
    let shown = session.finish();
    sb.assert_outs(&[
        ("inside", &*proj.join(".venv").to_string_lossy()),
        ("other", "<unset>"),
        ("beside", "<unset>"),
    ]);
    let bin = support::binary().display().to_string();
    let segments = sb.execs_between_markers(&std::fs::read(&log).expect("strace log"), 8);
    assert!(segments[1].is_empty(), "{:?}\n{}", segments[1], shown.text);
    for crossed in [3, 5, 7] {
        assert_eq!(
            segments[crossed],
            vec![bin.clone()],
            "{crossed}: {}",
            shown.text
        );
    }
    assert_eq!(shown.count("deactivated"), 2, "{}", shown.text);
}
