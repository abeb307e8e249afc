//! fish end to end: what only fish has (its prompt function wrapped and given back,
//! event handlers, `$status` and `$pipestatus`, a child fish, `fish --no-execute`). fish
//! fires `fish_prompt` only when it reads from a terminal, so it runs on one. The
//! scenarios every shell shares are in tests/scenarios.rs.

mod support;

use std::path::Path;

use support::pty::Pty;
use support::session::{self, Session};
use support::{Sandbox, Shell};

const SH: Shell = Shell::Fish;

fn q(path: &Path) -> String {
    SH.quote(path)
}

fn run(sb: &Sandbox, lines: &[String]) -> session::Shown {
    session::run(sb, SH, lines)
}

fn var(sb: &Sandbox, name: &str) -> String {
    String::from_utf8_lossy(&sb.read_out(name)).into_owned()
}

/// A command that writes what the prompt shows now to `file`.
fn dump_prompt(file: &Path) -> String {
    SH.dump_prompt(file)
}

/// A prompt function's lines, but for the comment that says where it was defined.
fn body(sb: &Sandbox, name: &str) -> Vec<String> {
    var(sb, name)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// fish's own prompt function comes back line for line after a project is left.
#[test]
fn leaving_gives_fishs_own_prompt_function_back() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    run(
        &sb,
        &[
            format!("functions fish_prompt > {}", q(&sb.out("fn-before"))),
            SH.cd_line(&proj),
            "cd /".into(),
            format!("functions fish_prompt > {}", q(&sb.out("fn-after"))),
        ],
    );
    assert_eq!(body(&sb, "fn-before"), body(&sb, "fn-after"));
    assert!(!body(&sb, "fn-after").is_empty());
}

#[test]
fn a_cd_takes_effect_at_once() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    run(
        &sb,
        &[format!(
            "cd {}; and echo $VIRTUAL_ENV > {}",
            q(&proj),
            q(&sb.out("same-line"))
        )],
    );
    assert_eq!(
        var(&sb, "same-line"),
        format!("{}\n", proj.join(".venv").display())
    );
}

#[test]
fn a_child_shell_keeps_the_venv_prefix_and_deactivate() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    sb.write(
        "home/.config/fish/config.fish",
        &format!("{}\n", SH.hook_line()),
    );
    run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            "fish -i".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("child-ve")),
            dump_prompt(&sb.out("child-prompt")),
            "deactivate".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("child-after")),
            "exit".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("parent")),
        ],
    );
    assert_eq!(var(&sb, "child-ve"), proj.join(".venv").to_string_lossy());
    let prompt = var(&sb, "child-prompt");
    assert!(prompt.starts_with("(.venv) "), "{prompt}");
    assert!(!prompt.starts_with("(.venv) (.venv)"), "{prompt}");
    assert_eq!(var(&sb, "child-after"), "<unset>");
    assert_eq!(var(&sb, "parent"), proj.join(".venv").to_string_lossy());
}

#[test]
fn loading_twice_registers_once_keeps_the_users_handlers_and_shadows_cannot_hijack() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.mkdir("proj/src");
    sb.allow(&proj);
    let log = sb.out("mine");
    let screen = run(
        &sb,
        &[
            format!(
                "function mine --on-event fish_prompt; echo mine >> {}; end",
                q(&log)
            ),
            SH.hook_line(),
            format!(
                "functions --handlers-type generic > {}",
                q(&sb.out("handlers"))
            ),
            // Functions that shadow the builtins the hook uses cannot hijack it (fish's
            // own default prompt uses some, so a plain one here).
            "function fish_prompt; builtin printf '> '; end".into(),
            "for b in path printf functions math; function $b; echo HIJACKED; end; end".into(),
            format!("cd {}", q(&proj)),
            "cd src".into(),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            "builtin functions -e path printf functions math".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        ],
    );
    assert!(!screen.text.contains("HIJACKED\n"), "{}", screen.text);
    let handlers = var(&sb, "handlers");
    assert_eq!(handlers.matches("_autovenv_hook").count(), 1, "{handlers}");
    assert_eq!(handlers.matches("mine").count(), 1, "{handlers}");
    assert!(var(&sb, "mine").lines().count() >= 4);
    assert_eq!(var(&sb, "ve"), proj.join(".venv").to_string_lossy());
    assert_eq!(screen.count("autovenv: activated"), 2, "{}", screen.text);
}

#[test]
fn status_and_pipestatus_survive_the_hook() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let log = sb.out("status");
    // A handler defined before the hook and one after, and the prompt itself: all see
    // what the command left, also on the prompts where autovenv ran.
    let mine = |name: &str| {
        format!(
            "function {name} --on-event fish_prompt; echo {name} $status $pipestatus >> {}; end",
            q(&log)
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
            q(&log)
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
    let text = var(&sb, "status");
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
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    run(
        &sb,
        &[
            "function fish_prompt --description mine; printf 'mine[%s]> ' $status; end".into(),
            format!("functions fish_prompt > {}", q(&sb.out("before"))),
            format!("cd {}", q(&proj)),
            format!("false; {}", dump_prompt(&sb.out("inside"))),
            "cd /".into(),
            format!("functions fish_prompt > {}", q(&sb.out("after"))),
            format!("false; {}", dump_prompt(&sb.out("outside"))),
            // A prompt the user defines while active is theirs: leaving keeps it.
            format!("cd {}", q(&proj)),
            "function fish_prompt; printf 'theme> '; end".into(),
            "cd /".into(),
            dump_prompt(&sb.out("theme")),
            // Entering again wraps the theme's prompt, leaving gives it back.
            format!("cd {}", q(&proj)),
            dump_prompt(&sb.out("theme-inside")),
            "cd /".into(),
            dump_prompt(&sb.out("theme-after")),
        ],
    );
    assert_eq!(var(&sb, "inside"), "(.venv) mine[1]> ");
    assert_eq!(var(&sb, "outside"), "mine[1]> ");
    let body = |name: &str| -> Vec<String> {
        var(&sb, name)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(body("before"), body("after"));
    assert_eq!(var(&sb, "theme"), "theme> ");
    assert_eq!(var(&sb, "theme-inside"), "(.venv) theme> ");
    assert_eq!(var(&sb, "theme-after"), "theme> ");
}

#[test]
fn a_real_prompt_shows_the_prefix_before_fishs_own_prompt() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let mut pty = Pty::spawn(session::command(&sb, SH));
    pty.line(&SH.hook_line());
    pty.line(&format!("cd {}", q(&proj)));
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

#[test]
fn the_generated_code_is_valid_fish() {
    let sb = Sandbox::new();
    let proj = sb.project("it's $(x) (y) `z` \\ % {a,b}");
    sb.link_venv(&proj.join(".venv"));
    sb.allow(&proj);
    let hook = sb.autovenv(&sb.root, &["hook", "fish"]);
    let export = sb.autovenv(&proj, &["export", "fish"]);
    assert!(hook.status.success() && export.status.success());
    assert!(String::from_utf8_lossy(&export.stdout).contains("_autovenv_prompt_show"));
    for code in [hook.stdout, export.stdout] {
        use std::io::Write;
        let file = sb.out("code.fish");
        std::fs::File::create(&file)
            .and_then(|mut f| f.write_all(&code))
            .expect("write code");
        let out = sb
            .command("fish")
            .arg("--no-execute")
            .arg(&file)
            .output()
            .expect("fish --no-execute");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
