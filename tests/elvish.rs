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
    assert_eq!(sb.out_text("plain"), "(.venv) > ");
    assert_eq!(sb.out_text("theme"), "(.venv) theme> ");
    assert_eq!(sb.out_text("left"), "theme> ");
}
