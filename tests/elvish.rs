//! elvish end to end: what only elvish has (`edit:before-readline` kept with the user's
//! hooks, a child elvish). elvish's line editor, and with it the hook, exists only on a
//! terminal, so it runs on one. The scenarios every shell shares are in
//! tests/scenarios.rs.

mod support;

use support::session;
use support::{Sandbox, Shell};

const SH: Shell = Shell::Elvish;

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

#[test]
fn a_child_shell_keeps_the_prefix_and_deactivate_and_loading_twice_registers_once() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    sb.write(
        "home/.config/elvish/rc.elv",
        &format!(
            "set edit:prompt = {{ put 'child> ' }}\n{}\n",
            SH.hook_line()
        ),
    );
    run(
        &sb,
        &[
            "set edit:before-readline = [$@edit:before-readline { nop users-own }]".into(),
            SH.hook_line(),
            format!("cd {}", q(&proj)),
            format!(
                "print (count $edit:before-readline) > {}",
                q(&sb.out("hooks"))
            ),
            dump_prompt(&sb, "parent-prompt"),
            "elvish".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("child-ve")),
            dump_prompt(&sb, "child-prompt"),
            "deactivate".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("child-after")),
            "exit".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("parent")),
        ],
    );
    let venv = proj.join(".venv");
    assert_eq!(
        var(&sb, "hooks"),
        "2",
        "the user's hook and one of autovenv's"
    );
    assert_eq!(var(&sb, "parent-prompt"), "(.venv) > ");
    assert_eq!(var(&sb, "child-ve"), venv.to_string_lossy());
    assert_eq!(var(&sb, "child-prompt"), "(.venv) child> ");
    assert_eq!(var(&sb, "child-after"), "<unset>");
    assert_eq!(var(&sb, "parent"), venv.to_string_lossy());
}
