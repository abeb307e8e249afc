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
    let (sb, proj) = Sandbox::with_allowed_project_and_src();
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
    sb.assert_outs(&[("inside", "(.venv) mine[1]> "), ("outside", "mine[1]> ")]);
    let body = |name: &str| -> Vec<String> {
        sb.out_text(name)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(body("before"), body("after"));
    sb.assert_outs(&[
        ("theme", "theme> "),
        ("theme-inside", "(.venv) theme> "),
        ("theme-after", "theme> "),
    ]);
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

/// The functions whose names hold `part`, one per line, into `file`.
fn dump_functions(part: &str, file: &std::path::Path) -> String {
    format!(
        "functions -a | string match -- '*{part}*' > {}",
        SH.quote(file)
    )
}

/// `funcsave fish_prompt` and `funced fish_prompt` inside an active project keep the
/// user's prompt, not autovenv's wrapper: a later fish started with that saved prompt
/// shows it without an error, with the prefix only while a venv is on (autovenv's or
/// activated by the venv's own activate.fish). Sourcing config.fish again, as users do,
/// leaves no function behind.
#[test]
fn a_prompt_saved_or_edited_while_active_is_the_users_own() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let child = sb.child_shell_line(SH);
    let venv = proj.join(".venv");
    let shown = session::run(
        &sb,
        SH,
        &[
            child.clone(),
            "function fish_prompt; printf 'mine[%s]> ' $status; end".into(),
            dump_functions("prompt", &sb.out("fns-before")),
            SH.cd_line(&proj),
            "funced --editor true fish_prompt".into(),
            "funcsave fish_prompt".into(),
            "source ~/.config/fish/config.fish".into(),
            "source ~/.config/fish/config.fish".into(),
            dump_functions("prompt", &sb.out("fns-resourced")),
            format!("false; {}", SH.dump_prompt(&sb.out("resourced"))),
            "cd /".into(),
            dump_functions("prompt", &sb.out("fns-after")),
            "exit".into(),
            // A later fish, with the saved prompt autoloaded from its functions directory.
            child,
            format!("false; {}", SH.dump_prompt(&sb.out("later"))),
            SH.cd_line(&proj),
            format!("false; {}", SH.dump_prompt(&sb.out("later-on"))),
            "deactivate".into(),
            format!("false; {}", SH.dump_prompt(&sb.out("later-off"))),
            SH.activate_by_hand_line(&venv),
            format!("false; {}", SH.dump_prompt(&sb.out("by-hand"))),
            "deactivate".into(),
            format!("false; {}", SH.dump_prompt(&sb.out("by-hand-off"))),
            "exit".into(),
        ],
    );
    let saved = std::fs::read_to_string(sb.path("home/.config/fish/functions/fish_prompt.fish"))
        .expect("the saved prompt");
    assert!(!saved.contains("autovenv"), "{saved}");
    assert!(saved.contains("mine[%s]"), "{saved}");
    assert!(!shown.text.contains("Unknown command"), "{}", shown.text);
    sb.assert_outs(&[
        ("fns-before", &*sb.out_text("fns-resourced")),
        ("fns-before", &*sb.out_text("fns-after")),
        ("resourced", "(.venv) mine[1]> "),
        ("later", "mine[1]> "),
        ("later-on", "(.venv) mine[1]> "),
        ("later-off", "mine[1]> "),
    ]);
    // activate.fish colours its prefix; NO_COLOR does not reach `set_color`.
    let by_hand = sb.out_text("by-hand");
    assert!(
        by_hand.contains("(.venv) ") && by_hand.ends_with("mine[1]> "),
        "{by_hand:?}"
    );
    assert_eq!(by_hand.matches("(.venv)").count(), 1, "{by_hand:?}");
    assert_eq!(sb.out_text("by-hand-off"), "mine[1]> ");
}

/// A theme's prompt, defined after the hook line in config.fish or autoloaded from
/// functions/fish_prompt.fish (where themes and `funcsave` put it), gets the prefix.
#[test]
fn a_theme_after_the_hook_line_or_autoloaded_gets_the_prefix() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let child = sb.child_shell_line(SH);
    let rc = sb.path("home/.config/fish/config.fish");
    let hook = std::fs::read_to_string(&rc).expect("read rc");
    std::fs::write(
        &rc,
        format!("{hook}function fish_prompt; printf 'theme> '; end\n"),
    )
    .expect("write rc");
    sb.write(
        "home/.config/fish/functions/fish_prompt.fish",
        "function fish_prompt\n    printf 'autoloaded> '\nend\n",
    );
    let mut session = Session::start(&sb, SH);
    session.lines(&[child, SH.cd_line(&proj)]);
    session.pty().expect("(.venv) theme> ");
    session.lines(&[
        SH.dump_prompt(&sb.out("theme")),
        "exit".into(),
        // The hook alone in config.fish now: the prompt is autoloaded.
        format!("echo {} > {}", SH.quote(hook.trim_end()), SH.quote(&rc)),
        "fish -i".into(),
        SH.cd_line(&proj),
    ]);
    session.pty().expect("(.venv) autoloaded> ");
    session.lines(&[
        SH.dump_prompt(&sb.out("autoloaded")),
        "cd /".into(),
        SH.dump_prompt(&sb.out("autoloaded-off")),
        "exit".into(),
    ]);
    session.finish();
    sb.assert_outs(&[
        ("theme", "(.venv) theme> "),
        ("autoloaded", "(.venv) autoloaded> "),
        ("autoloaded-off", "autoloaded> "),
    ]);
}

/// `source .venv/bin/activate.fish; deactivate` on one line, in a project autovenv
/// activated: the venv stays off until the shell leaves the project, as after autovenv's
/// own `deactivate`; so does a second `deactivate`; and `deactivate; cd ..; cd -` comes
/// back with the venv on.
#[test]
fn activate_fish_then_deactivate_on_one_line_keeps_the_project_off() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let venv = proj.join(".venv");
    let shown = session::run(
        &sb,
        SH,
        &[
            SH.dump_var("PATH", &sb.out("path-before")),
            SH.cd_line(&proj),
            format!("{}; deactivate", SH.activate_by_hand_line(&venv)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("off")),
            SH.dump_var("PATH", &sb.out("path-off")),
            SH.dump_var("AUTOVENV_STATE", &sb.out("state-off")),
            String::new(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("still-off")),
            "deactivate".into(),
            "deactivate".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("off-twice")),
            SH.dump_prompt(&sb.out("prompt-off")),
            "cd ..; cd -".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("back")),
            "deactivate; cd ..; cd -".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("back-again")),
            SH.dump_prompt(&sb.out("prompt-back")),
        ],
    );
    let text = |p: &std::path::Path| p.to_string_lossy().into_owned();
    assert_eq!(sb.out_text("off"), "<unset>", "{}", shown.text);
    assert_eq!(sb.out_text("path-off"), sb.out_text("path-before"));
    sb.assert_outs_showing(
        &[
            ("state-off", "<unset>"),
            ("still-off", "<unset>"),
            ("off-twice", "<unset>"),
        ],
        &shown.text,
    );
    assert!(!sb.out_text("prompt-off").contains("(.venv)"));
    sb.assert_outs_showing(
        &[("back", &*text(&venv)), ("back-again", &*text(&venv))],
        &shown.text,
    );
    assert!(sb.out_text("prompt-back").starts_with("(.venv) "));
    shown.assert_count("(.venv) (.venv)", 0);
}

/// Ctrl-C at the prompt (a half-typed line) and in a running command, inside an active
/// project: the prompt and the environment are as they were.
#[test]
fn ctrl_c_at_the_prompt_and_in_a_command_leaves_prompt_and_environment() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let mut session = Session::start(&sb, SH);
    session.lines(&[
        SH.cd_line(&proj),
        SH.dump_env(&sb.out("before")),
        SH.dump_prompt(&sb.out("prompt-before")),
    ]);
    let pty = session.pty();
    pty.send("half typed");
    pty.expect("half typed");
    // As a person would: once fish has drawn the line.
    std::thread::sleep(std::time::Duration::from_millis(300));
    pty.send("\x03");
    pty.expect("^C");
    pty.line("sleep 30; echo NOT-\"INTERRUPTED\"");
    // Waits until the typed line shows, then until sleep runs.
    pty.expect("sleep 30");
    std::thread::sleep(std::time::Duration::from_millis(500));
    pty.send("\x03");
    session.lines(&[
        SH.dump_env(&sb.out("after")),
        SH.dump_prompt(&sb.out("prompt-after")),
    ]);
    let shown = session.finish();
    assert!(!shown.text.contains("NOT-INTERRUPTED"), "{}", shown.text);
    support::assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
    assert_eq!(sb.out_text("prompt-after"), sb.out_text("prompt-before"));
    assert!(sb.out_text("prompt-after").starts_with("(.venv) "));
    shown.assert_count("(.venv) (.venv)", 0);
}

/// A key binding that runs `cd` (fzf's Alt-C does) redraws the prompt with the prefix
/// at once, before anything is typed, and takes it off again the same way.
#[test]
fn a_cd_from_a_key_binding_shows_the_prefix_in_the_redrawn_prompt() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let mut session = Session::start(&sb, SH);
    session.lines(&[
        "function fish_prompt; printf 'kb> '; end".into(),
        format!(
            "bind \\cg 'cd {}; commandline -f repaint'",
            SH.quote(&proj).replace('\'', "\\'")
        ),
        "bind \\ct 'cd /; commandline -f repaint'".into(),
    ]);
    let pty = session.pty();
    pty.send("\x07");
    pty.expect("(.venv) kb> ");
    pty.send("\x14");
    pty.expect("deactivated");
    pty.expect("kb> ");
    session.lines(&[
        SH.dump_var("VIRTUAL_ENV", &sb.out("off")),
        SH.dump_prompt(&sb.out("prompt-off")),
    ]);
    session.finish();
    sb.assert_outs(&[("off", "<unset>"), ("prompt-off", "kb> ")]);
}

/// What an older autovenv's prompt wrapper left: saved by `funcsave` (as it was, word for
/// word), it named a function no later fish has. The hook says once which file it is and
/// fish's default prompt stands in, with no error at each prompt; the file is left as it
/// is. In a shell where that older wrapper is on, loading this hook gives back the prompt
/// it wraps, so the prefix is not shown twice.
#[test]
fn an_older_autovenvs_saved_or_loaded_prompt_wrapper_is_mended() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let old = "function fish_prompt --description 'autovenv-prompt-wrapper: (venv) before the prompt'\n        set -l _autovenv_shown (_autovenv_old_fish_prompt_1 | string collect -N)\n        builtin printf '%s' \"$_autovenv_prompt_prefix\" \"$_autovenv_shown\"\n    \nend\n";
    let saved = sb.write("home/.config/fish/functions/fish_prompt.fish", old);
    let child = sb.child_shell_line(SH);
    let shown = session::run(
        &sb,
        SH,
        &[
            child,
            SH.cd_line(&proj),
            format!("false; {}", SH.dump_prompt(&sb.out("stale"))),
            "exit".into(),
        ],
    );
    assert!(!shown.text.contains("Unknown command"), "{}", shown.text);
    assert_eq!(
        shown.count("older autovenv's prompt wrapper"),
        1,
        "{}",
        shown.text
    );
    assert!(shown.text.contains(&saved.to_string_lossy().into_owned()));
    assert_eq!(std::fs::read_to_string(&saved).expect("saved"), old);
    let stale = sb.out_text("stale");
    // fish's default prompt ends in "> ", or "# " as root.
    let default = stale.ends_with("> ") || stale.ends_with("# ");
    assert!(stale.starts_with("(.venv) ") && default, "{stale:?}");

    // The older wrapper on, over the user's prompt (as an older hook left it), then this
    // hook loaded again, as after an upgrade.
    std::fs::remove_file(&saved).expect("remove");
    let shown = session::run(
        &sb,
        SH,
        &[
            "function fish_prompt; printf 'mine> '; end".into(),
            "function _autovenv_old_fish_prompt_3; printf 'mine> '; end".into(),
            old.replace("_1", "_3").replace('\n', "; "),
            SH.cd_line(&proj),
            SH.hook_line(),
            SH.dump_prompt(&sb.out("upgraded")),
            "cd /".into(),
            SH.dump_prompt(&sb.out("upgraded-off")),
            dump_functions("_autovenv_old_fish", &sb.out("left")),
        ],
    );
    assert_eq!(sb.out_text("upgraded"), "(.venv) mine> ", "{}", shown.text);
    sb.assert_outs(&[("upgraded-off", "mine> "), ("left", "")]);
}

/// A key binding that runs `cd` (`bind \cg 'cd dir; commandline -f repaint'`, bound in
/// config.fish): the activation line is shown on a line of its own, never written into
/// the prompt line being edited, the prompt is drawn again below it with the prefix, and
/// the venv is active for the line being edited.
#[test]
fn a_key_binding_that_runs_cd_shows_the_message_on_its_own_line() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    sb.write(
        "home/.config/fish/config.fish",
        &format!(
            "set -g fish_greeting\n{}\nfunction fish_prompt; printf 'READY> '; end\nbind \\cg 'cd {}; commandline -f repaint'\n",
            SH.hook_line(),
            SH.quote(&proj)
        ),
    );
    let mut cmd = sb.command("fish");
    // A terminal that moves the cursor, as every terminal window does: fish redraws
    // there by going back up, and could draw over the message.
    cmd.env("TERM", "xterm-256color").env("NO_COLOR", "1");
    let mut pty = Pty::spawn(cmd);
    pty.expect("READY> ");
    pty.send("echo VE=$VIRTUAL_ENV");
    pty.expect("VIRTUAL_ENV");
    pty.send("\u{7}");
    pty.expect("(.venv) READY> ");
    pty.send("\r");
    let venv = proj.join(".venv");
    pty.expect(&format!("VE={}", venv.display()));
    pty.expect("(.venv) READY> ");
    support::screen::assert_shows(
        &pty.seen,
        &[
            "READY> echo VE=$VIRTUAL_ENV".to_owned(),
            format!("autovenv: activated {}", venv.display()),
            "(.venv) READY> echo VE=$VIRTUAL_ENV".to_owned(),
            format!("VE={}", venv.display()),
            "(.venv) READY>".to_owned(),
        ],
    );
}
