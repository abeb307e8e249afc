//! fish end to end: a real interactive fish on a pseudo-terminal (fish fires `fish_prompt`
//! only when it reads from a terminal), real venvs from a real python3.

mod support;

use std::path::{Path, PathBuf};

use support::pty::Pty;
use support::{assert_same_env, parse_env, Sandbox, Shell};

const SH: Shell = Shell::Fish;

fn q(path: &Path) -> String {
    SH.quote(path)
}

/// What a fish session showed on its terminal (stdout and stderr together).
struct Screen {
    text: String,
}

impl Screen {
    /// How many lines contain `needle`. Typed command lines never hold a message, so only
    /// what the shell and autovenv printed is counted.
    fn count(&self, needle: &str) -> usize {
        self.text.lines().filter(|l| l.contains(needle)).count()
    }
}

/// Starts `fish --no-config -i` (or `cmd`) on a terminal, loads the hook, and types
/// `lines`, each followed by a real prompt. After each line a marker command is typed and
/// awaited, so the next line goes to whatever reads the terminal then (a child shell too).
fn run_with(sb: &Sandbox, cmd: std::process::Command, hook: bool, lines: &[String]) -> Screen {
    let mut pty = Pty::spawn(cmd);
    let mut all: Vec<String> = Vec::new();
    if hook {
        all.push(SH.hook_line());
    }
    all.extend(lines.iter().cloned());
    for (i, line) in all.iter().enumerate() {
        pty.line(line);
        // The typed text is `SY%sNC`; only running it prints `SY<i>NC`.
        pty.line(&format!("builtin printf 'SY%sNC\\n' {i}"));
        pty.expect(&format!("SY{i}NC"));
    }
    pty.line("builtin printf 'END-OF-%s\\n' SCRIPT");
    pty.expect("END-OF-SCRIPT");
    let _ = sb;
    Screen {
        text: String::from_utf8_lossy(&pty.seen).replace('\r', ""),
    }
}

fn fish(sb: &Sandbox) -> std::process::Command {
    let mut cmd = sb.command(SH.program());
    cmd.args(SH.interactive_args()).env("NO_COLOR", "1");
    cmd
}

fn run(sb: &Sandbox, lines: &[String]) -> Screen {
    run_with(sb, fish(sb), true, lines)
}

fn var(sb: &Sandbox, name: &str) -> String {
    String::from_utf8_lossy(&sb.read_out(name)).into_owned()
}

/// A command that writes what the prompt shows now to `file`.
fn dump_prompt(file: &Path) -> String {
    format!("fish_prompt > {}", q(file))
}

#[test]
fn entering_a_trusted_project_activates_like_activate_fish() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("code/proj");
    sb.mkdir("code/proj/src");
    sb.allow(&proj);
    let screen = run(
        &sb,
        &[
            "set -gx PYTHONHOME /opt/pyhome".into(),
            format!("cd {}", q(&proj.join("src"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
            SH.dump_var("PYTHONHOME", &sb.out("ph")),
            SH.dump_var("PATH", &sb.out("path")),
            dump_prompt(&sb.out("prompt")),
            format!("command -s python > {}", q(&sb.out("python"))),
            format!(
                "python -c 'import sys; print(sys.prefix)' > {}",
                q(&sb.out("prefix"))
            ),
        ],
    );
    let venv = proj.join(".venv");
    assert_eq!(var(&sb, "ve"), venv.to_string_lossy());
    assert_eq!(var(&sb, "vep"), ".venv");
    assert_eq!(var(&sb, "ph"), "<unset>");
    assert!(var(&sb, "path").starts_with(&format!("{}/bin:", venv.display())));
    assert!(
        var(&sb, "prompt").starts_with("(.venv) "),
        "prompt: {}",
        var(&sb, "prompt")
    );
    assert_eq!(
        var(&sb, "python").trim(),
        venv.join("bin/python").to_string_lossy()
    );
    assert_eq!(var(&sb, "prefix").trim(), venv.to_string_lossy());
    assert_eq!(screen.count("autovenv: activated"), 1, "{}", screen.text);
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
fn quiet_silences_the_activation_line() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let screen = run(
        &sb,
        &[
            "set -gx AUTOVENV_QUIET 1".into(),
            format!("cd {}", q(&proj)),
            "cd /".into(),
        ],
    );
    assert_eq!(screen.count("autovenv:"), 0, "{}", screen.text);
}

#[test]
fn leaving_restores_exactly_and_keeps_the_users_edits() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    for setup in [
        "set -e VIRTUAL_ENV_PROMPT; set -e PYTHONHOME",
        "set -gx VIRTUAL_ENV_PROMPT ''; set -gx PYTHONHOME /opt/home",
        "set -gx PYTHONHOME ''; set -gx VIRTUAL_ENV ''",
    ] {
        run(
            &sb,
            &[
                setup.into(),
                format!("cd {}", q(&sb.root)),
                SH.dump_env(&sb.out("before")),
                format!("functions fish_prompt > {}", q(&sb.out("fn-before"))),
                format!("cd {}", q(&proj)),
                SH.dump_env(&sb.out("inside")),
                "cd /".into(),
                SH.dump_env(&sb.out("after")),
                format!("functions fish_prompt > {}", q(&sb.out("fn-after"))),
                format!("cd {}", q(&proj)),
                "set -gx PATH $PATH /extra/bin; set -gx USER_VAR kept".into(),
                "cd /".into(),
                SH.dump_env(&sb.out("edited")),
            ],
        );
        let inside = parse_env(&sb.read_out("inside"));
        assert!(
            inside.contains_key(std::ffi::OsStr::new("VIRTUAL_ENV")),
            "{setup}"
        );
        assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
        // The prompt function is the user's again, line for line (but for the comment
        // that says where it was defined).
        let body = |name: &str| -> Vec<String> {
            var(&sb, name)
                .lines()
                .filter(|l| !l.starts_with('#'))
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(body("fn-before"), body("fn-after"), "{setup}");
        assert!(!body("fn-after").is_empty());
        let edited = parse_env(&sb.read_out("edited"));
        let before = parse_env(&sb.read_out("before"));
        let path = |env: &std::collections::BTreeMap<_, _>| {
            env.get(std::ffi::OsStr::new("PATH"))
                .map(|p: &std::ffi::OsString| p.to_string_lossy().into_owned())
        };
        assert_eq!(
            path(&edited),
            path(&before).map(|p| format!("{p}:/extra/bin")),
            "{setup}"
        );
        assert_eq!(
            edited
                .get(std::ffi::OsStr::new("USER_VAR"))
                .map(|v| v.to_string_lossy().into_owned())
                .as_deref(),
            Some("kept")
        );
    }
}

#[test]
fn cd_from_one_project_into_another_switches_in_one_step() {
    let sb = Sandbox::new();
    let a = sb.project_with_venv("a");
    let b = sb.project_with_venv("b");
    sb.allow(&a);
    sb.allow(&b);
    let screen = run(
        &sb,
        &[
            format!("cd {}", q(&a)),
            format!("cd {}", q(&b)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            SH.dump_var("PATH", &sb.out("path")),
            dump_prompt(&sb.out("prompt")),
        ],
    );
    assert_eq!(var(&sb, "ve"), b.join(".venv").to_string_lossy());
    let path = var(&sb, "path");
    assert!(path.starts_with(&format!("{}/bin:", b.join(".venv").display())));
    assert!(
        !path.contains(&a.join(".venv").to_string_lossy().into_owned()),
        "{path}"
    );
    let prompt = var(&sb, "prompt");
    assert!(
        prompt.starts_with("(.venv) ") && !prompt.starts_with("(.venv) (.venv)"),
        "{prompt}"
    );
    assert_eq!(screen.count("switched to"), 1, "{}", screen.text);
}

#[test]
fn an_untrusted_project_is_not_activated_and_told_once() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.mkdir("proj/src");
    let screen = run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            format!("cd {}", q(&proj.join("src"))),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            "true".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        ],
    );
    assert_eq!(var(&sb, "ve"), "<unset>");
    assert_eq!(
        screen.count("is not trusted: run `autovenv allow`"),
        1,
        "{}",
        screen.text
    );
    assert!(screen.text.contains(&proj.to_string_lossy().into_owned()));
}

#[test]
fn allow_at_the_prompt_activates_and_deny_silences() {
    let sb = Sandbox::new();
    let allowed = sb.project_with_venv("allowed");
    let denied = sb.project_with_venv("denied");
    let screen = run(
        &sb,
        &[
            format!("cd {}", q(&allowed)),
            "autovenv allow".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            format!("cd {}", q(&denied)),
            "autovenv deny".into(),
            "cd /".into(),
            format!("cd {}", q(&denied)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve2")),
        ],
    );
    assert_eq!(var(&sb, "ve"), allowed.join(".venv").to_string_lossy());
    assert_eq!(var(&sb, "ve2"), "<unset>");
    assert_eq!(screen.count("not trusted"), 2, "{}", screen.text);
}

#[test]
fn deactivate_keeps_the_project_off_until_you_leave() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.mkdir("proj/src");
    sb.allow(&proj);
    run(
        &sb,
        &[
            format!("cd {}", q(&sb.root)),
            SH.dump_env(&sb.out("before")),
            format!("cd {}", q(&proj)),
            "deactivate".into(),
            SH.dump_env(&sb.out("after")),
            dump_prompt(&sb.out("prompt")),
            format!("cd {}", q(&proj.join("src"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("still-off")),
            format!(
                "functions -q deactivate; or echo gone > {}",
                q(&sb.out("no-deactivate"))
            ),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("back")),
        ],
    );
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
    assert!(!var(&sb, "prompt").contains("(.venv)"));
    assert_eq!(var(&sb, "still-off"), "<unset>");
    assert_eq!(var(&sb, "no-deactivate"), "gone\n");
    assert_eq!(var(&sb, "back"), proj.join(".venv").to_string_lossy());
}

#[test]
fn deactivate_nondestructive_restores_without_turning_off() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    run(
        &sb,
        &[
            format!("cd {}", q(&sb.root)),
            SH.dump_env(&sb.out("before")),
            format!("cd {}", q(&proj)),
            format!(
                "deactivate nondestructive; env -0 > {}",
                q(&sb.out("after"))
            ),
            SH.dump_var("VIRTUAL_ENV", &sb.out("next-prompt")),
        ],
    );
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
    assert_eq!(
        var(&sb, "next-prompt"),
        proj.join(".venv").to_string_lossy()
    );
}

#[test]
fn a_venv_activated_by_hand_is_left_alone_until_deactivated() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.mkdir("proj/src");
    let other = sb.project_with_venv("other");
    sb.allow(&proj);
    run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            format!("source {}", q(&other.join(".venv/bin/activate.fish"))),
            format!("cd {}", q(&proj.join("src"))),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("by-hand")),
            SH.dump_var("PATH", &sb.out("path-by-hand")),
            dump_prompt(&sb.out("prompt-by-hand")),
            "deactivate".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("resumed")),
            SH.dump_var("PATH", &sb.out("path-resumed")),
            dump_prompt(&sb.out("prompt-resumed")),
        ],
    );
    assert_eq!(var(&sb, "by-hand"), other.join(".venv").to_string_lossy());
    let path = var(&sb, "path-by-hand");
    assert!(
        !path.contains(&proj.join(".venv").to_string_lossy().into_owned()),
        "{path}"
    );
    // activate.fish's own prefix is there (autovenv's, under it, is the core's to drop
    // when it forgets a replaced activation).
    assert!(var(&sb, "prompt-by-hand").starts_with("(.venv) "));
    assert_eq!(var(&sb, "resumed"), proj.join(".venv").to_string_lossy());
    let path = var(&sb, "path-resumed");
    assert!(
        !path.contains(&other.join(".venv").to_string_lossy().into_owned()),
        "{path}"
    );
    let prompt = var(&sb, "prompt-resumed");
    assert!(
        prompt.starts_with("(.venv) ") && !prompt.contains("(.venv) (.venv)"),
        "{prompt}"
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
    let mut pty = Pty::spawn(fish(&sb));
    let lines = [
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
        format!("cd {}", q(&proj)),
        "sh -c 'exit 7'".into(),
        "cd /".into(),
        "true | false".into(),
        "printf 'END-OF-%s\\n' SCRIPT".into(),
    ];
    for line in &lines {
        pty.line(line);
    }
    pty.expect("END-OF-SCRIPT");
    drop(pty);
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

/// Every awkward directory name of the issue: spaces, quotes, `$(…)`, backticks, `*`,
/// a newline, a leading `-`, and bytes that are not UTF-8.
#[test]
fn awkward_directory_names_activate_and_restore_without_running_anything() {
    let sb = Sandbox::new();
    let work = sb.mkdir("work");
    let mut lines = vec![format!("cd {}", q(&work)), SH.dump_env(&sb.out("before"))];
    let mut projects: Vec<PathBuf> = Vec::new();
    for (i, name) in support::awkward_names(&[
        b"(touch pwned)",
        b"{a,b} ~",
        "caf\u{e9} \u{f6ff}".as_bytes(),
    ])
    .iter()
    .enumerate()
    {
        let proj = sb.project(std::path::Path::new("work").join(name));
        sb.venv_or_link(&proj.join(".venv"));
        sb.allow(&proj);
        lines.push(format!("cd {}", q(&proj)));
        lines.push(SH.dump_var("VIRTUAL_ENV", &sb.out(&format!("ve{i}"))));
        lines.push(dump_prompt(&sb.out(&format!("ps{i}"))));
        lines.push(format!("cd {}", q(&work)));
        lines.push(SH.dump_env(&sb.out(&format!("after{i}"))));
        projects.push(proj);
    }
    let screen = run(&sb, &lines);
    for (i, proj) in projects.iter().enumerate() {
        use std::os::unix::ffi::OsStrExt;
        let expected = proj.join(".venv");
        assert_eq!(
            sb.read_out(&format!("ve{i}")),
            expected.as_os_str().as_bytes(),
            "{proj:?}"
        );
        let shown = String::from_utf8_lossy(&sb.read_out(&format!("ps{i}"))).into_owned();
        assert!(shown.starts_with("(.venv) "), "{proj:?}: {shown:?}");
        assert_same_env(&sb.read_out("before"), &sb.read_out(&format!("after{i}")));
    }
    assert!(!work.join("pwned").exists() && !sb.root.join("pwned").exists());
    assert!(!screen.text.contains("Unknown command"), "{}", screen.text);
}

#[test]
fn every_byte_in_a_path_round_trips_through_fish() {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let sb = Sandbox::new();
    // Every byte a file name can hold but ':' (which PATH cannot), as one directory name.
    let name: Vec<u8> = (1..=255u8).filter(|b| *b != b'/' && *b != b':').collect();
    let rel = std::path::Path::new("all").join(std::ffi::OsString::from_vec(name));
    let proj = sb.project(&rel);
    sb.link_venv(&proj.join(".venv"));
    sb.allow(&proj);
    let screen = run(
        &sb,
        &[
            format!("cd {}", q(&sb.root)),
            SH.dump_env(&sb.out("before")),
            format!("cd {}", q(&proj)),
            SH.dump_env(&sb.out("inside")),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            "cd ..".into(),
            SH.dump_env(&sb.out("after")),
        ],
    );
    assert_eq!(
        sb.read_out("ve"),
        proj.join(".venv").as_os_str().as_bytes(),
        "{}",
        screen.text
    );
    let inside = parse_env(&sb.read_out("inside"));
    let path = inside
        .get(std::ffi::OsStr::new("PATH"))
        .expect("PATH inside");
    let mut bin = proj.join(".venv/bin").into_os_string().into_vec();
    bin.push(b':');
    assert!(path.as_bytes().starts_with(&bin), "{path:?}");
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
}

#[test]
fn a_venv_named_in_the_prompt_with_code_in_it_shows_literally() {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    support::make_venv(
        &proj.join(".venv"),
        &["--prompt", "$(touch pwned) (touch pwned) `id` \\w %d 'q'"],
    );
    sb.allow(&proj);
    run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            dump_prompt(&sb.out("shown")),
            SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
        ],
    );
    assert_eq!(
        var(&sb, "vep"),
        "$(touch pwned) (touch pwned) `id` \\w %d 'q'"
    );
    assert!(
        var(&sb, "shown").starts_with("($(touch pwned) (touch pwned) `id` \\w %d 'q') "),
        "{}",
        var(&sb, "shown")
    );
    assert!(!proj.join("pwned").exists() && !sb.root.join("pwned").exists());
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
fn virtual_env_disable_prompt_leaves_the_prompt_alone() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    run(
        &sb,
        &[
            "set -gx VIRTUAL_ENV_DISABLE_PROMPT 1".into(),
            "function fish_prompt; printf 'mine> '; end".into(),
            format!("cd {}", q(&proj)),
            dump_prompt(&sb.out("prompt")),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        ],
    );
    assert_eq!(var(&sb, "ve"), proj.join(".venv").to_string_lossy());
    assert_eq!(var(&sb, "prompt"), "mine> ");
}

#[test]
fn a_path_with_a_colon_is_refused_clearly() {
    let sb = Sandbox::new();
    let proj = sb.project("has:colon");
    sb.link_venv(&proj.join(".venv"));
    sb.allow(&proj);
    let screen = run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        ],
    );
    assert_eq!(var(&sb, "ve"), "<unset>");
    assert_eq!(screen.count("has ':' in its path"), 1, "{}", screen.text);
}

#[test]
fn a_corrupted_state_warns_once_and_keeps_path() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let screen = run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            SH.dump_var("PATH", &sb.out("path-before")),
            "set -gx AUTOVENV_STATE '1:garbage'".into(),
            "cd /".into(),
            SH.dump_var("PATH", &sb.out("path-after")),
            "cd /tmp".into(),
            "echo still-usable".into(),
        ],
    );
    assert_eq!(var(&sb, "path-before"), var(&sb, "path-after"));
    assert_eq!(
        screen.count("AUTOVENV_STATE could not be read"),
        1,
        "{}",
        screen.text
    );
    assert!(screen.text.contains("\nstill-usable\n"));
}

#[test]
fn broken_venvs_are_not_activated_and_say_why() {
    let sb = Sandbox::new();
    let no_cfg = sb.project("no-cfg");
    sb.mkdir("no-cfg/.venv/bin");
    let dangling = sb.project_with_venv("dangling");
    let python = dangling.join(".venv/bin/python");
    std::fs::remove_file(&python).expect("rm python");
    std::os::unix::fs::symlink("/nonexistent/python3.99", &python).expect("symlink");
    sb.allow(&no_cfg);
    sb.allow(&dangling);
    let screen = run(
        &sb,
        &[
            format!("cd {}", q(&no_cfg)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("a")),
            format!("cd {}", q(&dangling)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("b")),
        ],
    );
    assert_eq!(var(&sb, "a"), "<unset>");
    assert_eq!(var(&sb, "b"), "<unset>");
    assert_eq!(screen.count("no pyvenv.cfg"), 1, "{}", screen.text);
    assert_eq!(
        screen.count("/nonexistent/python3.99, which is gone"),
        1,
        "{}",
        screen.text
    );
    assert!(!no_cfg.join(".venv/pyvenv.cfg").exists());
}

#[test]
fn a_missing_binary_is_reported_once_and_the_shell_keeps_working() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    let copy = sb.path("autovenv-copy");
    std::fs::copy(support::binary(), &copy).expect("copy binary");
    let screen = run_with(
        &sb,
        fish(&sb),
        false,
        &[
            format!("{} hook fish | source", q(&copy)),
            format!("rm {}", q(&copy)),
            format!("cd {}", q(&proj)),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            "true".into(),
            "echo still-usable".into(),
        ],
    );
    assert_eq!(
        screen.count("is missing or not executable"),
        1,
        "{}",
        screen.text
    );
    assert!(screen.text.contains("\nstill-usable\n"));
}

#[test]
fn a_venv_made_or_removed_without_cd_is_noticed() {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    sb.write("home/.config/autovenv/config.toml", "auto_create = false\n");
    sb.allow(&proj);
    run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            "python3 -m venv --without-pip .venv".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("made")),
            "rm -rf .venv".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("removed")),
        ],
    );
    assert_eq!(var(&sb, "made"), proj.join(".venv").to_string_lossy());
    assert_eq!(var(&sb, "removed"), "<unset>");
}

#[test]
fn trusted_roots_trust_whole_trees_by_component() {
    let sb = Sandbox::new();
    let inside = sb.project_with_venv("code/proj");
    let beside = sb.project_with_venv("codex/proj");
    sb.write(
        "home/.config/autovenv/config.toml",
        &format!("trusted_roots = [\"{}\"]\n", sb.path("code").display()),
    );
    run(
        &sb,
        &[
            format!("cd {}", q(&inside)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("inside")),
            format!("cd {}", q(&beside)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("beside")),
        ],
    );
    assert_eq!(var(&sb, "inside"), inside.join(".venv").to_string_lossy());
    assert_eq!(var(&sb, "beside"), "<unset>");
}

#[test]
fn a_malformed_config_is_one_line_naming_file_line_and_key() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    sb.write(
        "home/.config/autovenv/config.toml",
        "quiet = false\nvenv_name = [\"x\"]\n",
    );
    let screen = run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            "cd /".into(),
            format!("cd {}", q(&proj)),
        ],
    );
    let lines: Vec<&str> = screen
        .text
        .lines()
        .filter(|l| l.contains("config.toml:"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", screen.text);
    assert!(lines[0].contains("config.toml:2:") && lines[0].contains("venv_name"));
}

#[test]
fn a_real_prompt_shows_the_prefix_before_fishs_own_prompt() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let mut pty = Pty::spawn(fish(&sb));
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
fn no_process_is_started_on_a_steady_prompt_or_a_cd_inside_a_project() {
    use std::os::unix::ffi::OsStringExt;
    let sb = Sandbox::new();
    // A name with a newline, a quote and bytes that are not UTF-8 keeps the fast path.
    let name = std::ffi::OsString::from_vec(b"it's a\nproject \xff".to_vec());
    let proj = sb.project(&name);
    sb.link_venv(&proj.join(".venv"));
    sb.mkdir(std::path::Path::new(&name).join("src/deep"));
    sb.allow(&proj);
    let log = sb.out("strace.log");
    let mark = |n: usize| format!("true > {}", q(&sb.out(&format!("m{n}"))));
    let lines = [
        // fish's own default prompt asks git about the directory: a plain one here.
        "function fish_prompt; printf '> '; end".into(),
        mark(0),
        format!("cd {}", q(&proj)),
        mark(1),
        "true".into(),
        "echo steady".into(),
        "set -l x 1".into(),
        mark(2),
        "cd src".into(),
        "cd deep".into(),
        "cd ../..".into(),
        "cd src/deep".into(),
        mark(3),
        "cd /".into(),
        mark(4),
    ];
    let mut cmd = sb.command("strace");
    cmd.args(["-f", "-e", "trace=execve,openat", "-o"])
        .arg(&log)
        .arg(SH.program())
        .args(SH.interactive_args())
        .env("NO_COLOR", "1");
    let screen = run_with(&sb, cmd, true, &lines);
    let segments = sb.execs_between_markers(&sb.read_out("strace.log"), 5);
    let bin = support::binary().display().to_string();
    assert_eq!(segments[1], vec![bin.clone()], "cd in: {}", screen.text);
    assert!(segments[2].is_empty(), "steady prompts: {:?}", segments[2]);
    assert!(segments[3].is_empty(), "cd inside: {:?}", segments[3]);
    assert_eq!(segments[4], vec![bin], "cd out of the project");
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
