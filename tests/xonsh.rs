//! xonsh end to end: what only xonsh has (a child xonsh hooked from its rc file). Its
//! prompt events fire only on a terminal, so it runs on one. The scenarios every shell
//! shares are in tests/scenarios.rs.

mod support;

use support::session::Session;
use support::{Sandbox, Shell};

const SH: Shell = Shell::Xonsh;

/// A child xonsh, hooked from its rc file, applies the prompt prefix and `deactivate`
/// again; deactivating there leaves the parent's venv as it was.
#[test]
fn a_child_shell_keeps_the_prefix_and_deactivate() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
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
    assert_eq!(sb.out_text("child-ve"), venv.to_string_lossy());
    assert_eq!(sb.out_text("child-prompt"), "(.venv) child% ");
    assert_eq!(sb.out_text("child-after"), "<unset>");
    assert_eq!(sb.out_text("parent"), venv.to_string_lossy());
    assert_eq!(shown.count("autovenv: activated"), 1, "{}", shown.text);
}

/// xonsh's `{env_name}` shows `VIRTUAL_ENV_PROMPT` as it is, the bare name: while
/// autovenv's venv is active it shows `(.venv) ` as every prompt does, and otherwise what
/// xonsh itself would.
#[test]
fn env_name_in_the_prompt_shows_the_venv_in_parentheses() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
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
    assert_eq!(sb.out_text("disabled"), "xsh% ");
    assert_eq!(sb.out_text("left"), "xsh% ");
    assert_eq!(sb.out_text("by-hand"), "minexsh% ");
}
