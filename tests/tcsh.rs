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
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    support::make_venv(
        &proj.join(".venv"),
        &["--prompt", "$(touch pwned) `id` %d !"],
    );
    sb.allow(&proj);
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
    sb.write("home/.tcshrc", &format!("{before}\n{}\n", SH.hook_line()));
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
        .filter(|l| l.len() > 130 && !l.starts_with("alias _autovenv_precmd "))
        .collect();
    assert!(long.is_empty(), "lines too long to read: {long:#?}");
    let (sb, proj) = Sandbox::with_allowed_project();
    let bin = support::binary();
    let file = sb.write("hook.csh", &source.replace("@AUTOVENV@", &SH.quote(&bin)));
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
