//! elvish end to end: what only elvish has (`edit:before-readline` kept with the user's
//! own hooks). elvish's line editor, and with it the hook, exists only on a terminal, so
//! it runs on one. The scenarios every shell shares are in tests/scenarios.rs.

mod support;

use support::session;
use support::{Sandbox, Shell};

const SH: Shell = Shell::Elvish;

/// Loading the hook again adds no second one of autovenv's, and keeps the user's own.
#[test]
fn loading_twice_keeps_the_users_before_readline_hook() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    session::run(
        &sb,
        SH,
        &[
            "set edit:before-readline = [$@edit:before-readline { nop users-own }]".into(),
            SH.hook_line(),
            SH.cd_line(&proj),
            format!(
                "print (count $edit:before-readline) > {}",
                SH.quote(sb.out("hooks"))
            ),
            SH.dump_prompt(&sb.out("prompt")),
        ],
    );
    assert_eq!(
        sb.out_text("hooks"),
        "2",
        "the user's hook and one of autovenv's"
    );
    assert_eq!(sb.out_text("prompt"), "(.venv) > ");
}
