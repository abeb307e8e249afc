//! xonsh end to end: what only xonsh has (a child xonsh hooked from its rc file). Its
//! prompt events fire only on a terminal, so it runs on one. The scenarios every shell
//! shares are in tests/scenarios.rs.

mod support;

use support::session::Session;
use support::{assert_same_env, Sandbox, Shell};

const SH: Shell = Shell::Xonsh;

/// A child xonsh, hooked from its rc file, applies the prompt prefix and `deactivate`
/// again; deactivating there leaves the parent's venv as it was.
#[test]
fn a_child_shell_keeps_the_prefix_and_deactivate() {
    let (sb, proj) = Sandbox::with_allowed_project();
    sb.write(
        "home/.xonshrc",
        &format!("$PROMPT = 'child% '\n{}\n", SH.hook_line()),
    );
    let mut session = Session::start(&sb, SH);
    session.line(&SH.cd_line(&proj));
    let pty = session.pty();
    pty.line("xonsh -i --shell-type readline");
    pty.expect("(.venv) child% ");
    for text in [
        SH.dump_var("VIRTUAL_ENV", &sb.out("child-ve")),
        SH.dump_prompt(&sb.out("child-prompt")),
        "deactivate".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("child-after")),
    ] {
        pty.line(&text);
        pty.expect("child% ");
    }
    pty.line("exit");
    pty.expect("(.venv) xsh% ");
    session.line(&SH.dump_var("VIRTUAL_ENV", &sb.out("parent")));
    let shown = session.finish();
    let venv = proj.join(".venv");
    sb.assert_outs(&[
        ("child-ve", &*venv.to_string_lossy()),
        ("child-prompt", "(.venv) child% "),
        ("child-after", "<unset>"),
        ("parent", &*venv.to_string_lossy()),
    ]);
    shown.assert_count("autovenv: activated", 1);
}

/// xonsh's `{env_name}` shows `VIRTUAL_ENV_PROMPT` as it is, the bare name: while
/// autovenv's venv is active it shows `(.venv) ` as every prompt does, and otherwise what
/// xonsh itself would.
#[test]
fn env_name_in_the_prompt_shows_the_venv_in_parentheses() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let other = sb.path("other-venv");
    let mut session = Session::start(&sb, SH);
    session.lines(&[
        SH.set_prompt_line("{env_name}xsh% "),
        SH.cd_line(&proj),
        SH.dump_prompt(&sb.out("active")),
        SH.export_line("VIRTUAL_ENV_DISABLE_PROMPT", "1"),
        SH.dump_prompt(&sb.out("disabled")),
        SH.unset_line("VIRTUAL_ENV_DISABLE_PROMPT"),
        SH.cd_line(&sb.root),
        SH.dump_prompt(&sb.out("left")),
        SH.export_line("VIRTUAL_ENV_PROMPT", "mine"),
        SH.export_line("VIRTUAL_ENV", &other.to_string_lossy()),
        SH.dump_prompt(&sb.out("by-hand")),
    ]);
    let shown = session.finish();
    assert_eq!(sb.out_text("active"), "(.venv) xsh% ", "{}", shown.text);
    sb.assert_outs(&[
        ("disabled", "xsh% "),
        ("left", "xsh% "),
        ("by-hand", "minexsh% "),
    ]);
}

/// xonsh started as a user starts it, reading `~/.xonshrc`: `before` (rc lines that come
/// before the hook line), the hook line, then `after`.
fn from_rc(sb: &Sandbox, before: &str, after: &str) -> Session {
    sb.write(
        "home/.xonshrc",
        &format!("{before}\n{}\n{after}\n", SH.hook_line()),
    );
    let mut cmd = sb.command("xonsh");
    cmd.args(["-i", "--shell-type", "readline"])
        .env("NO_COLOR", "1");
    Session::begin(sb, SH, cmd)
}

/// Sends Ctrl-C to what runs in `session`, waits for the prompt, and writes the status
/// it left to `file`.
fn interrupt(session: &mut Session, file: &std::path::Path) {
    let pty = session.pty();
    pty.send("\x03");
    pty.expect("xsh% ");
    session.line(&last_status(file));
}

/// What xonsh recorded as the exit status of the line typed before this one, to `file`.
fn last_status(file: &std::path::Path) -> String {
    format!(
        "_ignored = __import__('pathlib').Path({}).write_text(str(__xonsh__.history[-1].rtn))",
        SH.quote(file)
    )
}

/// `autovenv` is an ordinary command once the hook is loaded: its output can be captured,
/// piped and redirected, loading the rc line again prints nothing, and its exit status,
/// Ctrl-C included, is what xonsh reports for any other program.
#[test]
fn autovenv_is_an_ordinary_command_after_the_hook() {
    let (sb, proj) = Sandbox::with_allowed_project();
    sb.write("proj/requirements.txt", "\n");
    let mut session = from_rc(&sb, "", "");
    let capture = sb.out("capture");
    session.lines(&[
        format!(
            "_ignored = __import__('pathlib').Path({}).write_text($(autovenv status --json))",
            SH.quote(&capture)
        ),
        format!(
            "autovenv status --json | grep -c schema > {}",
            SH.quote(sb.out("piped"))
        ),
        format!(
            "autovenv status --json > {}",
            SH.quote(sb.out("redirected"))
        ),
        SH.hook_line(),
        SH.cd_line(&proj),
        format!("autovenv exec {} -- false", SH.quote(&proj)),
        last_status(&sb.out("false")),
    ]);
    let pty = session.pty();
    pty.line("autovenv sync --watch");
    pty.expect("Ctrl-C stops");
    // Past its first sync (which fails: the venv has no pip), then watching.
    std::thread::sleep(std::time::Duration::from_millis(1000));
    interrupt(&mut session, &sb.out("watch"));
    session.pty().line("sleep 60");
    std::thread::sleep(std::time::Duration::from_millis(500));
    interrupt(&mut session, &sb.out("sleep"));
    let shown = session.finish();
    assert!(
        sb.out_text("capture").contains("\"schema\""),
        "{}",
        shown.text
    );
    assert_eq!(sb.out_text("piped"), "1\n");
    assert!(sb.out_text("redirected").contains("\"schema\""));
    shown.assert_count("__autovenv_setup", 0);
    sb.assert_outs(&[("false", "1"), ("watch", &*sb.out_text("sleep"))]);
}

/// A `deactivate` of the user's own, defined in `~/.xonshrc`, is what `deactivate` runs
/// whenever autovenv's venv is off: after leaving a project, and after autovenv's own
/// `deactivate` turned the project off.
#[test]
fn the_users_own_deactivate_is_back_when_the_venv_is_off() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let log = sb.out("users");
    let mut session = from_rc(
        &sb,
        &format!(
            "aliases['deactivate'] = 'echo users-own >> {}'",
            log.display()
        ),
        "",
    );
    session.lines(&[
        SH.cd_line(&proj),
        SH.dump_var("VIRTUAL_ENV", &sb.out("active")),
        SH.cd_line(&sb.root),
        "deactivate".into(),
        SH.cd_line(&proj),
        "deactivate".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("deactivated")),
        "deactivate".into(),
    ]);
    session.finish();
    sb.assert_outs(&[
        ("active", &*proj.join(".venv").to_string_lossy()),
        ("deactivated", "<unset>"),
        ("users", "users-own\nusers-own\n"),
    ]);
}

/// `vox deactivate` (xonsh's venv manager) in a project autovenv activated turns the venv
/// off, and it stays off, prompt after prompt, until the shell leaves the project, as
/// after autovenv's own `deactivate`; autovenv's `deactivate` goes with it.
#[test]
fn vox_deactivate_keeps_the_project_off_until_you_leave() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let venv = proj.join(".venv");
    let mut session = from_rc(&sb, "xontrib load vox", "");
    session.lines(&[
        SH.cd_line(&proj),
        SH.dump_var("VIRTUAL_ENV", &sb.out("on")),
        "vox deactivate".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("off")),
        SH.dump_var("PATH", &sb.out("path-off")),
        String::new(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("still-off")),
        format!(
            "_ignored = __import__('pathlib').Path({}).write_text(str('deactivate' in aliases))",
            SH.quote(sb.out("alias"))
        ),
        SH.cd_line(std::path::Path::new("/")),
        SH.cd_line(&proj),
        SH.dump_var("VIRTUAL_ENV", &sb.out("back")),
    ]);
    let shown = session.finish();
    sb.assert_outs_showing(
        &[("on", &*venv.to_string_lossy()), ("off", "<unset>")],
        &shown.text,
    );
    let bin = venv.join("bin");
    assert!(
        !sb.out_text("path-off").contains(&*bin.to_string_lossy()),
        "{}",
        sb.out_text("path-off")
    );
    assert_eq!(sb.out_text("still-off"), "<unset>", "{}", shown.text);
    assert_eq!(sb.out_text("alias"), "False");
    assert_eq!(
        sb.out_text("back"),
        venv.to_string_lossy(),
        "{}",
        shown.text
    );
}

/// `vox activate` of another venv inside a project autovenv activated is left alone, in
/// the project and out of it; the prompt names that venv as xonsh would; once the shell
/// has left the project, `vox deactivate` gives back the environment from before,
/// `PYTHONHOME` included.
#[test]
fn vox_activate_of_another_venv_is_left_alone_and_leaving_restores() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let other = sb.path("elsewhere");
    support::make_venv(&other, &[]);
    // vox sets VIRTUALENV_HOME when first used: set before, as a vox user's is.
    let rc = format!(
        "xontrib load vox\n$VIRTUALENV_HOME = {}",
        SH.quote(sb.path("home/.virtualenvs"))
    );
    let mut session = from_rc(&sb, &rc, "");
    session.lines(&[
        SH.export_line("PYTHONHOME", "/opt/pyhome"),
        SH.set_prompt_line("{env_name}xsh% "),
        SH.cd_line(&sb.root),
        SH.dump_env(&sb.out("before")),
        SH.dump_prompt(&sb.out("prompt-before")),
        SH.cd_line(&proj),
        format!("vox activate @({})", SH.quote(&other)),
        SH.dump_var("VIRTUAL_ENV", &sb.out("by-hand")),
        SH.dump_var("PATH", &sb.out("path-by-hand")),
        SH.dump_prompt(&sb.out("prompt-by-hand")),
        SH.cd_line(&sb.root),
        SH.dump_var("VIRTUAL_ENV", &sb.out("left")),
        "vox deactivate".into(),
        SH.dump_env(&sb.out("after")),
        SH.dump_prompt(&sb.out("prompt-after")),
    ]);
    let shown = session.finish();
    let other_text = other.to_string_lossy();
    assert_eq!(sb.out_text("by-hand"), other_text, "{}", shown.text);
    let path = sb.out_text("path-by-hand");
    assert!(
        !path.contains(&*proj.join(".venv").to_string_lossy()),
        "{path}"
    );
    assert_eq!(sb.out_text("prompt-by-hand"), "(elsewhere) xsh% ");
    assert_eq!(sb.out_text("left"), other_text, "{}", shown.text);
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
    assert_eq!(sb.out_text("prompt-after"), sb.out_text("prompt-before"));
    shown.assert_count("was activated by hand", 1);
}

/// A cd takes effect for the rest of the command line (on_chdir): `cd a; python …` runs a's
/// venv, `cd b; …` b's, and leaving on the same line deactivates before the next command.
#[test]
fn a_cd_takes_effect_for_the_rest_of_the_command_line() {
    let sb = Sandbox::new();
    let a = sb.project_with_venv("a");
    let b = sb.project_with_venv("b");
    sb.allow(&a);
    sb.allow(&b);
    let seen = SH.quote(sb.out("seen"));
    let prefix = "python -c 'import sys; print(sys.prefix)'";
    let shown = Session::start(&sb, SH).run(&[
        format!("cd {}; {prefix} >> {seen}", SH.quote(&a)),
        format!("cd {}; {prefix} >> {seen}", SH.quote(&b)),
        format!("cd /; echo @(${{...}}.get('VIRTUAL_ENV', 'none')) >> {seen}"),
    ]);
    assert_eq!(
        sb.out_text("seen"),
        format!(
            "{}\n{}\nnone\n",
            a.join(".venv").display(),
            b.join(".venv").display()
        ),
        "{}",
        shown.text
    );
}

/// A wrapper of the user's own named `autovenv`, defined in `~/.xonshrc` after the hook
/// line, runs the binary itself: `autovenv allow` through it still activates the venv at
/// the next prompt, as its line says.
#[test]
fn allow_through_a_users_own_autovenv_wrapper_activates_at_the_next_prompt() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    let log = sb.out("wrapped");
    let wrapper = format!(
        "aliases['autovenv'] = lambda args: __import__('pathlib').Path({}).write_text('yes') and ![{} @(args)]",
        SH.quote(&log),
        SH.quote(support::binary()),
    );
    let mut session = from_rc(&sb, "", &wrapper);
    session.lines(&[
        SH.cd_line(&proj),
        "autovenv allow".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
    ]);
    let shown = session.finish();
    assert_eq!(sb.out_text("wrapped"), "yes", "{}", shown.text);
    assert_eq!(
        sb.out_text("ve"),
        proj.join(".venv").to_string_lossy(),
        "{}",
        shown.text
    );
}

/// `source-bash .venv/bin/activate`, the bash habit carried over, in a project
/// autovenv activated, then `deactivate` and leaving the project: `PATH` is as it was
/// before the project, as after the same steps in bash. (The venv's `bin` was left on
/// `PATH` after leaving: its `activate` put it in front a second time, and autovenv took
/// out one.)
#[test]
fn source_bash_activate_then_deactivate_leaves_no_venv_on_path() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let mut session = from_rc(&sb, "", "");
    session.lines(&[
        SH.dump_var("PATH", &sb.out("before")),
        SH.cd_line(&proj),
        format!(
            "source-bash --suppress-skip-message {}",
            SH.quote(proj.join(".venv/bin/activate"))
        ),
        "deactivate".into(),
        SH.cd_line(&sb.root),
        SH.dump_var("PATH", &sb.out("after")),
    ]);
    let shown = session.finish();
    assert_eq!(
        sb.out_text("after"),
        sb.out_text("before"),
        "{}",
        shown.text
    );
}
