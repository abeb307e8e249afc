//! nushell end to end: what only nushell has (`PATH` as a list, a `deactivate` defined
//! for good, `pre_prompt` hooks kept with the user's, paths that must be UTF-8, a child
//! nu). Its hooks run only in the REPL, so it runs on a terminal. The scenarios every
//! shell shares are in tests/scenarios.rs.

mod support;

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use support::session::{self, Session};
use support::{Sandbox, Shell};

const SH: Shell = Shell::Nu;

fn q(path: &std::path::Path) -> String {
    SH.quote(path)
}

fn run(sb: &Sandbox, lines: &[String]) -> session::Shown {
    session::run(sb, SH, lines)
}

fn var(sb: &Sandbox, name: &str) -> String {
    String::from_utf8_lossy(&sb.read_out(name)).into_owned()
}

fn dump_prompt(sb: &Sandbox, name: &str) -> String {
    SH.dump_prompt(&sb.out(name))
}

/// `PATH` stays the list nushell keeps it as; `deactivate`, which nushell cannot take
/// back once defined, says so when autovenv activated nothing.
#[test]
fn path_stays_a_list_and_deactivate_with_nothing_active_says_so() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let shown = run(
        &sb,
        &[
            "deactivate".into(),
            SH.cd_line(&proj),
            format!("$env.PATH | describe | save -f {}", q(&sb.out("path-kind"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        ],
    );
    assert_eq!(var(&sb, "path-kind"), "list<string>");
    assert_eq!(var(&sb, "ve"), proj.join(".venv").to_string_lossy());
    assert_eq!(shown.count("nothing to deactivate"), 1, "{}", shown.text);
}

#[test]
fn a_child_shell_keeps_the_prefix_and_users_hooks_are_kept() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let log = sb.out("user-hook");
    let mut session = Session::start(&sb, SH);
    for text in [
        format!(
            "$env.config.hooks.pre_prompt = ($env.config.hooks.pre_prompt | append {{|| 'x' | save -a {} }})",
            q(&log)
        ),
        SH.hook_line(),
        format!(
            "$env.config.hooks.pre_prompt | length | save -f {}",
            q(&sb.out("hooks"))
        ),
        format!("cd {}", q(&proj)),
        "nu --no-config-file --execute \"$env.config.show_banner = false; $env.PROMPT_COMMAND = {|| 'child> ' }; source ~/autovenv.nu\"".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("child-ve")),
        dump_prompt(&sb, "child-prompt"),
        "deactivate".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("child-after")),
        "exit".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("parent")),
    ] {
        // A line editor taking over the terminal drops what was typed ahead: wait
        // until the child's, then the parent's, prompt is drawn again.
        if text.starts_with("nu ") {
            let pty = session.pty();
            pty.line(&text);
            // (The typed line holds "child> " too, but not after the prefix.)
            pty.expect("(.venv) child> ");
            pty.expect("\x1b[?25h");
        } else if text == "exit" {
            let pty = session.pty();
            pty.line(&text);
            pty.expect("(.venv) > ");
            pty.expect("\x1b[?25h");
        } else {
            session.line(&text);
        }
    }
    session.finish();
    let venv = proj.join(".venv");
    assert_eq!(var(&sb, "hooks"), "2", "loaded twice, registered once");
    assert!(
        var(&sb, "user-hook").len() >= 5,
        "the user's hook must keep running"
    );
    assert_eq!(var(&sb, "child-ve"), venv.to_string_lossy());
    assert_eq!(var(&sb, "child-prompt"), "(.venv) child> ");
    assert_eq!(var(&sb, "child-after"), "<unset>");
    assert_eq!(var(&sb, "parent"), venv.to_string_lossy());
}

/// nushell cannot hold a path that is not UTF-8 (its strings are UTF-8, so it refuses to
/// `cd` there itself); the hook stays quiet and keeps working.
#[test]
fn a_path_that_is_not_utf8_leaves_the_shell_working() {
    let sb = Sandbox::new();
    let weird = sb.project(OsString::from_vec(b"bytes\xff\xfe".to_vec()));
    sb.link_venv(&weird.join(".venv"));
    sb.allow(&weird);
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let shown = run(
        &sb,
        &[
            format!("cd {}", q(&sb.root)),
            "try { cd (ls | where name starts-with bytes | get name.0) } catch { print cd-refused }"
                .into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("weird")),
            format!("cd {}", q(&proj)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("proj")),
        ],
    );
    assert_eq!(var(&sb, "weird"), "<unset>");
    assert_eq!(var(&sb, "proj"), proj.join(".venv").to_string_lossy());
    assert_eq!(
        shown.count("autovenv:"),
        1,
        "only the activation: {}",
        shown.text
    );
}
