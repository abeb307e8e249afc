//! bash end to end: what only bash has (PROMPT_COMMAND as a string or an array, aliases
//! and functions shadowing builtins, strict modes, a child bash, a pseudo-terminal with
//! Ctrl-C). The scenarios every shell shares are in tests/scenarios.rs.

mod support;

use support::session::{self, Session};
use support::{assert_same_env, Sandbox, Shell, Succeeds};

const SH: Shell = Shell::Bash;

#[test]
fn loading_twice_registers_once_and_aliases_cannot_hijack() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let run = Session::start(&sb, SH).run(&[
            SH.hook_line(),
            "PROMPT_COMMAND=\"${PROMPT_COMMAND};echo PC-RAN >/dev/null\"".into(),
            SH.hook_line(),
            format!("printf %s \"$PROMPT_COMMAND\" > {}", SH.quote(sb.out("pc"))),
            "shopt -s expand_aliases".into(),
            "for b in export unset local return eval hash printf command shopt builtin; do alias $b='echo HIJACKED'; done".into(),
            "export() { echo HIJACKED; }; local() { echo HIJACKED; }; hash() { echo HIJACKED; }; eval() { echo HIJACKED; }".into(),
            format!("cd {}", SH.quote(&proj)),
            "cd /".into(),
            format!("cd {}", SH.quote(&proj)),
            "unalias -a".into(),
            "unset -f export local hash eval".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        ]);
    assert_eq!(
        sb.out_text("pc").matches("_autovenv_hook").count(),
        1,
        "{}",
        sb.out_text("pc")
    );
    assert!(!run.stdout.contains("HIJACKED"), "{}", run.stdout);
    assert_eq!(sb.out_text("ve"), proj.join(".venv").to_string_lossy());
}

#[test]
fn exit_status_and_prompt_command_survive_the_hook() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let log = sb.out("status");
    // The user's PROMPT_COMMAND as a string, then (bash 5.1+) as an array.
    for setup in [
        format!("PROMPT_COMMAND='echo status=$? >> '{}", SH.quote(&log)),
        format!("PROMPT_COMMAND=('echo status=$? >> '{})", SH.quote(&log)),
    ] {
        let _ = std::fs::remove_file(&log);
        let mut session = session::Session::begin(&sb, SH, session::command(&sb, SH));
        session.lines(&[
            setup.clone(),
            SH.hook_line(),
            "(exit 3)".into(),
            "false".into(),
            SH.cd_line(&proj),
            "(exit 7)".into(),
            "cd /".into(),
            "true".into(),
        ]);
        let run = session.finish();
        let statuses = String::from_utf8_lossy(&sb.read_out("status")).into_owned();
        let got: Vec<&str> = statuses.lines().collect();
        let expected = ["status=3", "status=1", "status=0", "status=7", "status=0"];
        assert!(
            got.windows(expected.len()).any(|w| w == expected),
            "{setup}: {got:?}"
        );
        run.assert_count("autovenv: activated", 1);
    }
}

#[test]
fn strict_modes_do_not_break_the_hook() {
    let (sb, proj) = Sandbox::with_allowed_project_and_src();
    let untrusted = sb.project_with_venv("untrusted");
    let run = Session::start(&sb, SH).run(&[
        "set -euo pipefail".into(),
        format!("cd {}", SH.quote(proj.join("src"))),
        format!("cd {}", SH.quote(&proj)),
        SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        "deactivate".into(),
        "cd /".into(),
        format!("cd {}", SH.quote(&untrusted)),
        "false || true".into(),
        "cd /".into(),
    ]);
    assert_eq!(sb.out_text("ve"), proj.join(".venv").to_string_lossy());
    assert!(!run.text.contains("unbound variable"), "{}", run.text);
}

#[test]
fn a_real_prompt_in_a_terminal_fires_the_hook() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let mut cmd = sb.command("bash");
    cmd.args(SH.interactive_args());
    let mut term = support::pty::Pty::spawn(cmd);
    term.line(&SH.hook_line());
    term.line("PS1='READ''Y> '");
    term.expect("READY> ");
    term.line(&format!("cd {}", SH.quote(&proj)));
    let shown = term.expect("READY> ");
    // stderr is a terminal, so the prefix is coloured (NO_COLOR is unset here).
    assert!(
        shown.contains("\x1b[2mautovenv:\x1b[0m activated"),
        "{shown:?}"
    );
    assert!(shown.ends_with("(.venv) READY> "), "{shown:?}");
    term.line("echo \"[$VIRTUAL_ENV]\"");
    term.expect(&format!("[{}]", proj.join(".venv").display()));
    term.expect("READY> ");
    term.line("cd /");
    let shown = term.expect("READY> ");
    assert!(shown.contains("deactivated"), "{shown}");
    assert!(!shown.ends_with("(.venv) READY> "), "{shown:?}");
    term.line("echo \"[${VIRTUAL_ENV-none}]\"");
    term.expect("[none]");
}

#[test]
fn ctrl_c_while_the_hook_works_leaves_no_half_environment() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let slow = sb.write(
        "slow-autovenv",
        &format!(
            "#!/bin/sh\nsleep 2\nexec '{}' \"$@\"\n",
            support::binary().display()
        ),
    );
    std::fs::set_permissions(&slow, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let mut cmd = sb.command("bash");
    cmd.args(SH.interactive_args()).env("NO_COLOR", "1");
    let mut term = support::pty::Pty::spawn(cmd);
    term.line(&SH.hook_line());
    term.line(&format!(
        "_autovenv_bin={}; PS1='READ''Y> '",
        SH.quote(&slow)
    ));
    term.expect("READY> ");
    term.line(&format!("cd {}", SH.quote(&proj)));
    std::thread::sleep(std::time::Duration::from_millis(700));
    term.send("\x03");
    let shown = term.expect("READY> ");
    assert!(!shown.contains('\x1b'), "NO_COLOR is honoured: {shown:?}");
    // Whatever the interrupt hit, the environment is all or nothing.
    let venv = proj.join(".venv");
    term.line(&format!(
        "v=${{VIRTUAL_ENV:+1}}; s=${{AUTOVENV_STATE:+1}}; [[ $PATH == {}/bin:* ]] && p=1; [[ $PS1 == '(.venv) '* ]] && f=1; echo \"[state:$v$s$p$f]\"",
        SH.quote(&venv)
    ));
    let shown = term.expect("]\r\n");
    assert!(
        shown.contains("[state:1111]") || shown.contains("[state:]"),
        "{shown:?}"
    );
    term.expect("READY> ");
    // And the next prompt brings it fully in step.
    term.line("echo \"[${VIRTUAL_ENV-none}]\"");
    term.expect(&format!("[{}]", venv.display()));
}

#[test]
fn an_interrupted_apply_is_completed_at_the_next_prompt() {
    let (sb, proj) = Sandbox::with_allowed_project();
    // Apply only the first line of an evaluation, as a Ctrl-C after it would, and leave
    // the rest pending: the next prompt must finish it before anything else.
    Session::start(&sb, SH).run(&[
            format!("cd {}", SH.quote(&proj)),
            "deactivate".into(),
            "cd /".into(),
            SH.dump_env(&sb.out("before")),
            format!(
                "cd {}; _autovenv_pwd=; _autovenv_session=; _autovenv_pending=$(autovenv export bash); eval \"${{_autovenv_pending%%$'\\n'*}}\"",
                SH.quote(&proj)
            ),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            SH.dump_var("_autovenv_pending", &sb.out("pending")),
            SH.dump_var("PS1", &sb.out("ps1")),
            "cd /".into(),
            SH.dump_env(&sb.out("after")),
        ]);
    sb.assert_outs(&[
        ("ve", &*proj.join(".venv").to_string_lossy()),
        ("pending", ""),
    ]);
    assert!(sb.out_text("ps1").starts_with("(.venv) "));
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
}

/// As bin/activate does, a plain shell variable counts too, not only an exported one.
#[test]
fn virtual_env_disable_prompt_as_a_shell_variable_keeps_the_prompt_as_it_is() {
    let (sb, proj) = Sandbox::with_allowed_project();
    Session::start(&sb, SH).run(&[
        "VIRTUAL_ENV_DISABLE_PROMPT=1; PS1='mine> '".into(),
        format!("cd {}", SH.quote(&proj)),
        SH.dump_var("PS1", &sb.out("ps1")),
        SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
    ]);
    assert_eq!(sb.out_text("ps1"), "mine> ");
    // In the form the venv's own activate writes: `(.venv) ` for CPython 3.10 to 3.12.
    assert_eq!(
        sb.out_text("vep"),
        support::activate_prompt(&proj.join(".venv"), ".venv")
    );
}

/// `cd b && python` runs b's venv: cd, pushd and popd take effect for the rest of the
/// command line, through a user's own `cd` function defined before the hook line or after
/// it, which keeps doing what it did; and the status of a failed cd is kept.
#[test]
fn cd_pushd_and_popd_take_effect_for_the_rest_of_the_command_line() {
    let sb = Sandbox::new();
    let a = sb.allowed_project("a");
    let b = sb.allowed_project("b");
    let user_cd = "cd() { builtin cd \"$@\" && echo USER-CD; }";
    for before in [true, false] {
        let seen = sb.out("seen");
        let _ = std::fs::remove_file(&seen);
        let f = SH.quote(&seen);
        // The rc file as users write it: the hook line and their own cd, in either order.
        let mut rc: [String; 2] = [SH.hook_line(), user_cd.into()];
        if before {
            rc.reverse();
        }
        let rc = sb.write("home/.bashrc", &format!("{}\n", rc.join("\n")));
        let mut lines = vec![format!("bash --rcfile {} -i", SH.quote(&rc))];
        lines.extend([
            format!(
                "cd {} && echo \"$VIRTUAL_ENV $(type -P python)\" >> {f}",
                SH.quote(&a)
            ),
            format!("cd ../b && echo \"$VIRTUAL_ENV $(type -P python)\" >> {f}"),
            format!("pushd ../a > /dev/null && echo \"$VIRTUAL_ENV\" >> {f}"),
            format!("popd > /dev/null && echo \"$VIRTUAL_ENV\" >> {f}"),
            format!("cd /nowhere 2> /dev/null; echo \"status $?\" >> {f}"),
            format!("cd / && echo \"[${{VIRTUAL_ENV-}}]\" >> {f}"),
        ]);
        let run = session::run(&sb, SH, &lines);
        let (va, vb) = (a.join(".venv"), b.join(".venv"));
        let expected = format!(
            "{a} {a}/bin/python\n{b} {b}/bin/python\n{a}\n{b}\nstatus 1\n[]\n",
            a = va.display(),
            b = vb.display()
        );
        assert_eq!(
            sb.out_text("seen"),
            expected,
            "before: {before}\n{}",
            run.text
        );
        assert_eq!(run.stdout.matches("USER-CD").count(), 3, "{}", run.stdout);
    }
}

/// A cd inside a project through the wrapper starts no process, as on a prompt.
#[test]
fn the_cd_wrapper_starts_no_process_inside_a_project() {
    let (sb, proj) = Sandbox::with_allowed_project();
    sb.mkdir("proj/src/deep");
    let log = sb.out("strace.log");
    let mark = |n: usize| SH.touch_line(&sb.out(&format!("m{n}")));
    let mut session = session::Session::begin(&sb, SH, session::traced_command(&sb, SH, &log));
    session.lines(&[
        SH.hook_line(),
        SH.cd_line(&proj),
        mark(0),
        "cd src && cd deep && pushd .. > /dev/null && popd > /dev/null && cd ../..".into(),
        mark(1),
        format!("cd / && {}", mark(2)),
    ]);
    let shown = session.finish();
    let bin = support::binary().display().to_string();
    let segments = sb.execs_between_markers(&std::fs::read(&log).expect("strace log"), 3);
    assert!(segments[1].is_empty(), "{:?}\n{}", segments[1], shown.text);
    // Leaving runs the binary once, in the cd itself, before the marker on the same line.
    assert_eq!(segments[2], vec![bin], "{}", shown.text);
}

/// A theme or rc line after the hook line that assigns PROMPT_COMMAND
/// (`PROMPT_COMMAND=mytheme`, `PROMPT_COMMAND='history -a'`) does not switch the hook off:
/// a shell started in a project activates it at the first prompt, `autovenv allow` of a
/// venv made in place takes effect at the next, and the theme still runs every time.
#[test]
fn a_prompt_command_assigned_after_the_hook_line_keeps_the_hook() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    let other = sb.project("other");
    sb.allow(&proj);
    let seen = sb.out("seen");
    let theme = sb.out("theme");
    let f = SH.quote(&seen);
    let rc = sb.write(
        "home/.bashrc",
        &format!(
            "{}\nmytheme() {{ echo ran >> {}; }}\nPROMPT_COMMAND=mytheme\n",
            SH.hook_line(),
            SH.quote(&theme)
        ),
    );
    let mut session = session::Session::begin(&sb, SH, session::command(&sb, SH));
    session.lines(&[
        SH.cd_line(&proj),
        format!("bash --rcfile {} -i", SH.quote(&rc)),
        format!("echo \"1 ${{VIRTUAL_ENV-}}\" >> {f}"),
        format!("cd {}", SH.quote(&other)),
        "python3 -m venv --without-pip .venv".into(),
        format!("echo \"2 ${{VIRTUAL_ENV-}}\" >> {f}"),
        "autovenv allow".into(),
        format!("echo \"3 ${{VIRTUAL_ENV-}}\" >> {f}"),
        "exit".into(),
    ]);
    let run = session.finish();
    assert_eq!(
        sb.out_text("seen"),
        format!(
            "1 {}\n2 \n3 {}\n",
            proj.join(".venv").display(),
            other.join(".venv").display()
        ),
        "{}",
        run.text
    );
    assert!(
        sb.out_text("theme").lines().count() >= 6,
        "{}",
        sb.out_text("theme")
    );
}

/// Loading the hook forks once, for `$(autovenv hook bash)` itself: wrapping cd, pushd and
/// popd reads no function that is not there, and one that is through a file beside the
/// shell's stamp (`$(declare -f …)` would fork). With a cd function of the user's own, that
/// one is read, and keeps working.
#[test]
fn loading_the_hook_forks_only_for_the_hook_line() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let forks_at_load = |user_cd: Option<&str>, name: &str| {
        let log = sb.out(name);
        let mark = |n: usize| SH.touch_line(&sb.out(&format!("m{n}")));
        let mut cmd = sb.command("strace");
        cmd.args([
            "-f",
            "-qq",
            "-e",
            "trace=clone,clone3,fork,vfork,openat",
            "-o",
        ])
        .arg(&log)
        .arg(SH.program())
        .args(SH.interactive_args());
        let mut session = session::Session::begin(&sb, SH, cmd);
        let mut lines: Vec<String> = user_cd.map(String::from).into_iter().collect();
        lines.extend([
            mark(0),
            format!("{}; {}", SH.hook_line(), mark(1)),
            format!("cd {} && echo \"in:$VIRTUAL_ENV\"", SH.quote(&proj)),
        ]);
        session.lines(&lines);
        let shown = session.finish();
        let log = String::from_utf8_lossy(&std::fs::read(&log).expect("strace log")).into_owned();
        let (m0, m1) = (
            sb.out("m0").display().to_string(),
            sb.out("m1").display().to_string(),
        );
        let start = log
            .find(&format!("\"{m0}\""))
            .expect("marker m0 in the log");
        let end = log
            .find(&format!("\"{m1}\""))
            .expect("marker m1 in the log");
        let forks = log[start..end]
            .lines()
            .filter(|l| {
                ["clone(", "clone3(", "fork(", "vfork("]
                    .iter()
                    .any(|c| l.contains(c))
            })
            .count();
        (forks, shown)
    };
    let entered = |shown: &session::Shown| {
        assert!(
            shown
                .stdout
                .contains(&format!("in:{}", proj.join(".venv").display())),
            "{}",
            shown.text
        );
    };
    let (forks, shown) = forks_at_load(None, "plain.log");
    assert_eq!(forks, 1, "{}", shown.text);
    entered(&shown);
    let (forks, shown) = forks_at_load(
        Some("cd() { builtin cd \"$@\" && echo USER-CD; }"),
        "user.log",
    );
    assert_eq!(forks, 1, "{}", shown.text);
    assert!(shown.stdout.contains("USER-CD"), "{}", shown.text);
    entered(&shown);
}

/// The rc line's text leaves the hook file's comments out (bash parses all of it at every
/// start-up): loaded either way, the hook defines the very same functions. (In a project,
/// where the rc line leaves the first evaluation to the first prompt.)
#[test]
fn the_hook_without_its_comments_defines_the_same_functions() {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    let defined = |load: String| {
        sb.command(SH.program())
            .current_dir(&proj)
            .args(["--norc", "--noprofile", "-c"])
            .arg(format!("{load}\n\\builtin declare -f"))
            .succeeds("bash loading the hook")
            .stdout
    };
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shells/bash.sh");
    let from_file = defined(format!(". {}", SH.quote(&file)));
    let from_rc_line = defined(sb.hook_line_from(SH, &support::binary()));
    assert!(from_file.len() > 1000 && from_file == from_rc_line);
    let text = sb.autovenv(&sb.root, &["hook", "bash"]).stdout;
    let text = String::from_utf8_lossy(&text);
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("# ") && !l.contains("shellcheck")),
        "{text}"
    );
}

/// The guard that puts the hook back in front of PROMPT_COMMAND (bash 5.1 and later) would
/// cost every prompt, so it takes itself out once a prompt finds the hook in place. A
/// PROMPT_COMMAND assigned at the prompt after that has the hook put back in front of it
/// by the next cd, which activates as ever.
#[test]
fn the_guard_goes_once_the_hook_is_in_place_and_a_cd_puts_the_hook_back() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let shown = Session::start(&sb, SH).run(&[
        SH.dump_hooks(&sb.out("first")),
        "mytheme() { :; }; PROMPT_COMMAND=mytheme".into(),
        SH.cd_line(&proj),
        SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        SH.dump_hooks(&sb.out("after")),
    ]);
    sb.assert_outs_showing(
        &[
            ("first", "_autovenv_hook\n"),
            ("ve", &*proj.join(".venv").display().to_string()),
            ("after", "_autovenv_hook;mytheme\n"),
        ],
        &shown.text,
    );
}

/// Under `set -u`, with no PROMPT_COMMAND before the hook line, the hook is still in
/// PROMPT_COMMAND: `autovenv deny` in the project takes effect at the next prompt.
#[test]
fn under_set_u_without_a_prompt_command_the_hook_runs_at_every_prompt() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let mut session = Session::begin(&sb, SH, session::command(&sb, SH));
    session.lines(&[
        "unset PROMPT_COMMAND; set -u".into(),
        SH.hook_line(),
        SH.cd_line(&proj),
        SH.dump_var("VIRTUAL_ENV", &sb.out("in")),
        "autovenv deny".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("denied")),
    ]);
    let shown = session.finish();
    sb.assert_outs_showing(
        &[
            ("in", &*proj.join(".venv").display().to_string()),
            ("denied", "<unset>"),
        ],
        &shown.text,
    );
}
