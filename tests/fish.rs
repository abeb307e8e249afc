//! fish end to end: what only fish has (its prompt function wrapped and given back,
//! event handlers, `$status` and `$pipestatus`, a child fish, `fish --no-execute`). fish
//! fires `fish_prompt` only when it reads from a terminal, so it runs on one. The
//! scenarios every shell shares are in tests/scenarios.rs.

mod support;

use support::pty::Pty;
use support::session::{self, Session};
use support::{Sandbox, Shell};

const SH: Shell = Shell::Fish;

/// A prompt function's lines, but for the comment that says where it was defined.
fn body(sb: &Sandbox, name: &str) -> Vec<String> {
    sb.out_text(name)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// fish's own prompt function comes back line for line after a project is left.
#[test]
fn leaving_gives_fishs_own_prompt_function_back() {
    let (sb, proj) = Sandbox::with_allowed_project();
    Session::start(&sb, SH).run(&[
        format!("functions fish_prompt > {}", SH.quote(sb.out("fn-before"))),
        SH.cd_line(&proj),
        "cd /".into(),
        format!("functions fish_prompt > {}", SH.quote(sb.out("fn-after"))),
    ]);
    assert_eq!(body(&sb, "fn-before"), body(&sb, "fn-after"));
    assert!(!body(&sb, "fn-after").is_empty());
}

#[test]
fn a_cd_takes_effect_at_once() {
    let (sb, proj) = Sandbox::with_allowed_project();
    Session::start(&sb, SH).run(&[format!(
        "cd {}; and echo $VIRTUAL_ENV > {}",
        SH.quote(&proj),
        SH.quote(sb.out("same-line"))
    )]);
    assert_eq!(
        sb.out_text("same-line"),
        format!("{}\n", proj.join(".venv").display())
    );
}

#[test]
fn loading_twice_registers_once_keeps_the_users_handlers_and_shadows_cannot_hijack() {
    let (sb, proj) = Sandbox::with_allowed_project();
    sb.mkdir("proj/src");
    let log = sb.out("mine");
    let screen = Session::start(&sb, SH).run(&[
        format!(
            "function mine --on-event fish_prompt; echo mine >> {}; end",
            SH.quote(&log)
        ),
        SH.hook_line(),
        format!(
            "functions --handlers-type generic > {}",
            SH.quote(sb.out("handlers"))
        ),
        // Functions that shadow the builtins the hook uses cannot hijack it (fish's
        // own default prompt uses some, so a plain one here).
        "function fish_prompt; builtin printf '> '; end".into(),
        "for b in path printf functions math; function $b; echo HIJACKED; end; end".into(),
        format!("cd {}", SH.quote(&proj)),
        "cd src".into(),
        "cd /".into(),
        format!("cd {}", SH.quote(&proj)),
        "builtin functions -e path printf functions math".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
    ]);
    assert!(!screen.text.contains("HIJACKED\n"), "{}", screen.text);
    let handlers = sb.out_text("handlers");
    assert_eq!(handlers.matches("_autovenv_hook").count(), 1, "{handlers}");
    assert_eq!(handlers.matches("mine").count(), 1, "{handlers}");
    assert!(sb.out_text("mine").lines().count() >= 4);
    assert_eq!(sb.out_text("ve"), proj.join(".venv").to_string_lossy());
    assert_eq!(screen.count("autovenv: activated"), 2, "{}", screen.text);
}

#[test]
fn status_and_pipestatus_survive_the_hook() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let log = sb.out("status");
    // A handler defined before the hook and one after, and the prompt itself: all see
    // what the command left, also on the prompts where autovenv ran.
    let mine = |name: &str| {
        format!(
            "function {name} --on-event fish_prompt; echo {name} $status $pipestatus >> {}; end",
            SH.quote(&log)
        )
    };
    // Typed without the session's marker lines, which would set the status themselves.
    let mut session = Session::begin(&sb, SH, session::command(&sb, SH));
    for line in [
        mine("first"),
        SH.hook_line(),
        mine("second"),
        format!(
            "function fish_prompt; echo prompt $status $pipestatus >> {}; printf 'P> '; end",
            SH.quote(&log)
        ),
        "echo START >> $HOME/../out/status".into(),
        "false".into(),
        "false | true | false".into(),
        SH.cd_line(&proj),
        "sh -c 'exit 7'".into(),
        "cd /".into(),
        "true | false".into(),
    ] {
        session.pty().line(&line);
    }
    session.finish();
    let text = sb.out_text("status");
    let got: Vec<&str> = text.lines().collect();
    let mut expected = Vec::new();
    for st in ["1 1", "1 1 0 1", "0 0", "7 7", "0 0", "1 0 1"] {
        for who in ["first", "second", "prompt"] {
            expected.push(format!("{who} {st}"));
        }
    }
    assert!(got.windows(expected.len()).any(|w| w == expected), "{text}");
}

#[test]
fn the_users_own_prompt_is_wrapped_and_given_back_exactly() {
    let (sb, proj) = Sandbox::with_allowed_project();
    Session::start(&sb, SH).run(&[
        "function fish_prompt --description mine; printf 'mine[%s]> ' $status; end".into(),
        format!("functions fish_prompt > {}", SH.quote(sb.out("before"))),
        format!("cd {}", SH.quote(&proj)),
        format!("false; {}", SH.dump_prompt(&sb.out("inside"))),
        "cd /".into(),
        format!("functions fish_prompt > {}", SH.quote(sb.out("after"))),
        format!("false; {}", SH.dump_prompt(&sb.out("outside"))),
        // A prompt the user defines while active is theirs: leaving keeps it.
        format!("cd {}", SH.quote(&proj)),
        "function fish_prompt; printf 'theme> '; end".into(),
        "cd /".into(),
        SH.dump_prompt(&sb.out("theme")),
        // Entering again wraps the theme's prompt, leaving gives it back.
        format!("cd {}", SH.quote(&proj)),
        SH.dump_prompt(&sb.out("theme-inside")),
        "cd /".into(),
        SH.dump_prompt(&sb.out("theme-after")),
    ]);
    assert_eq!(sb.out_text("inside"), "(.venv) mine[1]> ");
    assert_eq!(sb.out_text("outside"), "mine[1]> ");
    let body = |name: &str| -> Vec<String> {
        sb.out_text(name)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(body("before"), body("after"));
    assert_eq!(sb.out_text("theme"), "theme> ");
    assert_eq!(sb.out_text("theme-inside"), "(.venv) theme> ");
    assert_eq!(sb.out_text("theme-after"), "theme> ");
}

#[test]
fn a_real_prompt_shows_the_prefix_before_fishs_own_prompt() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let mut pty = Pty::spawn(session::command(&sb, SH));
    pty.line(&SH.hook_line());
    pty.line(&format!("cd {}", SH.quote(&proj)));
    pty.line("printf 'SY%sNC\\n' 1");
    let shown = pty.expect("SY1NC");
    assert!(shown.contains("autovenv: activated"), "{shown}");
    // fish's default prompt ends in "> " (or "# " as root), after the prefix.
    let shown = pty.expect("(.venv) ");
    assert!(!shown.contains("(.venv) (.venv)"), "{shown}");
    pty.line("cd /");
    pty.line("printf 'SY%sNC\\n' 2");
    let shown = pty.expect("SY2NC");
    assert!(shown.contains("autovenv: deactivated"), "{shown}");
    pty.line("printf 'SY%sNC\\n' 3");
    let shown = pty.expect("SY3NC");
    assert!(!shown.contains("(.venv)"), "{shown}");
}
