//! nushell end to end: a real nu on a pseudo-terminal (its hooks run only in the REPL),
//! real venvs from a real python3.

mod support;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use support::pty::Pty;
use support::{assert_same_env, parse_env, Sandbox, Shell};

const SH: Shell = Shell::Nu;

fn q(path: &Path) -> String {
    SH.quote(path)
}

/// What the terminal showed, as text.
struct Shown(String);

impl Shown {
    fn count(&self, needle: &str) -> usize {
        self.0.matches(needle).count()
    }
}

/// Writes the hook where [`Shell::hook_line`] sources it from.
fn install_hook(sb: &Sandbox) {
    let out = sb.autovenv(&sb.root, &["hook", "nu"]);
    assert!(out.status.success());
    std::fs::write(sb.home().join("autovenv.nu"), &out.stdout).expect("write hook");
}

/// Types `line` and waits until the next prompt is drawn: nu asks twice where the
/// cursor is (answered as a terminal would), then paints the prompt and shows the cursor.
/// Anything typed before that would be taken for the terminal's answer.
fn line(pty: &mut Pty, text: &str) {
    pty.line(text);
    pty.expect("\x1b[6n\x1b[6n");
    pty.expect("\x1b[?25h");
}

fn start(sb: &Sandbox, cmd: Command) -> Pty {
    install_hook(sb);
    let mut pty = Pty::spawn(cmd);
    pty.answer_cursor_queries = true;
    pty.expect("\x1b[6n");
    pty.expect("\x1b[6n");
    pty.expect("\x1b[?25h");
    line(&mut pty, "$env.config.show_banner = false");
    line(
        &mut pty,
        "$env.PROMPT_COMMAND = {|| '> ' }; $env.PROMPT_COMMAND_RIGHT = ''",
    );
    line(&mut pty, &SH.hook_line());
    pty
}

fn finish(mut pty: Pty) -> Shown {
    pty.line("print ('END-OF-' + 'SCRIPT')");
    pty.expect("END-OF-SCRIPT");
    Shown(String::from_utf8_lossy(&pty.seen).into_owned())
}

fn command(sb: &Sandbox) -> Command {
    let mut cmd = sb.command(SH.program());
    cmd.args(SH.interactive_args()).env("NO_COLOR", "1");
    cmd
}

/// Starts nu with a plain prompt, loads the hook and types `lines`, one prompt each.
fn run(sb: &Sandbox, lines: &[String]) -> Shown {
    let mut pty = start(sb, command(sb));
    for text in lines {
        line(&mut pty, text);
    }
    finish(pty)
}

fn var(sb: &Sandbox, name: &str) -> String {
    String::from_utf8_lossy(&sb.read_out(name)).into_owned()
}

fn dump_prompt(sb: &Sandbox, name: &str) -> String {
    format!("do $env.PROMPT_COMMAND | save -f {}", q(&sb.out(name)))
}

#[test]
fn entering_activates_leaving_restores_exactly_and_switches() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("code/proj");
    sb.mkdir("code/proj/src");
    let b = sb.project_with_venv("b");
    sb.allow(&proj);
    sb.allow(&b);
    let shown = run(
        &sb,
        &[
            "$env.PYTHONHOME = '/opt/pyhome'".into(),
            format!("cd {}", q(&sb.root)),
            SH.dump_env(&sb.out("before")),
            format!("cd {}", q(&proj.join("src"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
            SH.dump_var("PYTHONHOME", &sb.out("ph")),
            SH.dump_var("PATH", &sb.out("path")),
            format!("$env.PATH | describe | save -f {}", q(&sb.out("path-kind"))),
            dump_prompt(&sb, "prompt"),
            format!(
                "^python -c 'import sys; print(sys.prefix)' | save -f {}",
                q(&sb.out("prefix"))
            ),
            format!("cd {}", q(&b)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("switched")),
            SH.dump_var("PATH", &sb.out("path-b")),
            format!("cd {}", q(&sb.root)),
            SH.dump_env(&sb.out("after")),
            dump_prompt(&sb, "prompt-after"),
            format!("cd {}", q(&proj)),
            "$env.PATH = ($env.PATH | append '/extra/bin')".into(),
            "$env.USER_VAR = 'kept'".into(),
            format!("cd {}", q(&sb.root)),
            SH.dump_env(&sb.out("edited")),
        ],
    );
    let venv = proj.join(".venv");
    assert_eq!(var(&sb, "ve"), venv.to_string_lossy());
    assert_eq!(var(&sb, "vep"), ".venv");
    assert_eq!(var(&sb, "ph"), "<unset>");
    assert!(var(&sb, "path").starts_with(&format!("{}/bin:", venv.display())));
    assert_eq!(var(&sb, "path-kind"), "list<string>");
    assert_eq!(var(&sb, "prompt"), "(.venv) > ");
    assert_eq!(var(&sb, "prefix").trim(), venv.to_string_lossy());
    assert_eq!(var(&sb, "switched"), b.join(".venv").to_string_lossy());
    assert!(!var(&sb, "path-b").contains(&*venv.to_string_lossy()));
    assert_eq!(shown.count("autovenv: switched to"), 1, "{}", shown.0);
    assert_eq!(var(&sb, "prompt-after"), "> ");
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
    let before = parse_env(&sb.read_out("before"));
    let edited = parse_env(&sb.read_out("edited"));
    let mut path = before[OsStr::new("PATH")].clone();
    path.push(":/extra/bin");
    assert_eq!(edited[OsStr::new("PATH")], path);
    assert_eq!(edited[OsStr::new("USER_VAR")], "kept");
}

#[test]
fn untrusted_notice_once_allow_deny_and_deactivate() {
    let sb = Sandbox::new();
    let untrusted = sb.project_with_venv("untrusted");
    sb.mkdir("untrusted/src");
    let denied = sb.project_with_venv("denied");
    let other = sb.project_with_venv("other");
    let shown = run(
        &sb,
        &[
            "deactivate".into(),
            format!("cd {}", q(&untrusted)),
            format!("cd {}", q(&untrusted.join("src"))),
            "cd /".into(),
            format!("cd {}", q(&untrusted)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("untrusted")),
            format!("cd {}", q(&sb.root)),
            SH.dump_env(&sb.out("before")),
            format!("cd {}", q(&untrusted)),
            "autovenv allow".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("allowed")),
            "deactivate".into(),
            SH.dump_env(&sb.out("deactivated")),
            dump_prompt(&sb, "prompt"),
            format!("cd {}", q(&untrusted.join("src"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("still-off")),
            "cd /".into(),
            format!("cd {}", q(&untrusted)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("back")),
            format!("deactivate nondestructive; {}", SH.dump_env(&sb.out("nd"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("next-prompt")),
            format!("$env.VIRTUAL_ENV = {}", q(&other.join(".venv"))),
            format!("cd {}", q(&untrusted.join("src"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("by-hand")),
            "hide-env VIRTUAL_ENV".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("resumed")),
            format!("cd {}", q(&denied)),
            "autovenv deny".into(),
            "cd /".into(),
            format!("cd {}", q(&denied)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("denied")),
        ],
    );
    let venv = untrusted.join(".venv");
    assert_eq!(var(&sb, "untrusted"), "<unset>");
    assert_eq!(
        shown.count(&format!(
            "{} has a venv but is not trusted",
            untrusted.display()
        )),
        1,
        "{}",
        shown.0
    );
    assert_eq!(var(&sb, "allowed"), venv.to_string_lossy());
    assert_same_env(&sb.read_out("before"), &sb.read_out("deactivated"));
    assert_eq!(var(&sb, "prompt"), "> ");
    assert_eq!(var(&sb, "still-off"), "<unset>");
    assert_eq!(var(&sb, "back"), venv.to_string_lossy());
    assert_same_env(&sb.read_out("before"), &sb.read_out("nd"));
    assert_eq!(var(&sb, "next-prompt"), venv.to_string_lossy());
    assert_eq!(var(&sb, "by-hand"), other.join(".venv").to_string_lossy());
    assert_eq!(var(&sb, "resumed"), venv.to_string_lossy());
    assert_eq!(var(&sb, "denied"), "<unset>");
    assert_eq!(shown.count("is not trusted"), 2, "{}", shown.0);
    assert_eq!(shown.count("nothing to deactivate"), 1, "{}", shown.0);
}

#[test]
fn a_child_shell_keeps_the_prefix_and_users_hooks_are_kept() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let log = sb.out("user-hook");
    let mut pty = start(&sb, command(&sb));
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
            pty.line(&text);
            // (The typed line holds "child> " too, but not after the prefix.)
            pty.expect("(.venv) child> ");
            pty.expect("\x1b[?25h");
        } else if text == "exit" {
            pty.line(&text);
            pty.expect("(.venv) > ");
            pty.expect("\x1b[?25h");
        } else {
            line(&mut pty, &text);
        }
    }
    finish(pty);
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

/// Every awkward directory name nushell can hold: spaces, quotes, `$(…)`, backticks,
/// `*`, a newline, a leading `-`. Bytes that are not UTF-8 are tested below.
#[test]
fn awkward_directory_names_activate_and_restore_without_running_anything() {
    let sb = Sandbox::new();
    let work = sb.mkdir("work");
    let names = [
        "with space",
        "it's",
        "say \"hi\"",
        "$(touch pwned) (touch pwned)",
        "`touch pwned`",
        "star*",
        "new\nline",
        "-leading",
        "back\\slash %d !x {a}",
    ];
    let mut lines = vec![format!("cd {}", q(&work)), SH.dump_env(&sb.out("before"))];
    let mut projects: Vec<PathBuf> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let proj = sb.project(Path::new("work").join(name));
        sb.venv_or_link(&proj.join(".venv"));
        sb.allow(&proj);
        lines.push(format!("cd {}", q(&proj)));
        lines.push(SH.dump_var("VIRTUAL_ENV", &sb.out(&format!("ve{i}"))));
        lines.push(dump_prompt(&sb, &format!("ps{i}")));
        lines.push(format!("cd {}", q(&work)));
        lines.push(SH.dump_env(&sb.out(&format!("after{i}"))));
        projects.push(proj);
    }
    let shown = run(&sb, &lines);
    for (i, proj) in projects.iter().enumerate() {
        let expected = proj.join(".venv");
        assert_eq!(
            sb.read_out(&format!("ve{i}")),
            expected.as_os_str().as_bytes(),
            "{proj:?}"
        );
        assert_eq!(var(&sb, &format!("ps{i}")), "(.venv) > ", "{proj:?}");
        assert_same_env(&sb.read_out("before"), &sb.read_out(&format!("after{i}")));
    }
    assert!(!work.join("pwned").exists() && !sb.root.join("pwned").exists());
    assert_eq!(
        shown.count("autovenv: activated"),
        names.len(),
        "{}",
        shown.0
    );
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
        shown.0
    );
}

#[test]
fn a_missing_binary_is_reported_once_and_the_shell_keeps_working() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    let copy = sb.path("autovenv-copy");
    std::fs::copy(support::binary(), &copy).expect("copy binary");
    let out = Command::new(&copy)
        .args(["hook", "nu"])
        .output()
        .expect("hook");
    std::fs::write(sb.path("copy.nu"), &out.stdout).expect("write hook");
    let shown = run(
        &sb,
        &[
            format!("hide-env _AUTOVENV; source {}", q(&sb.path("copy.nu"))),
            format!("rm {}", q(&copy)),
            format!("cd {}", q(&proj)),
            "cd /".into(),
            format!("cd {}", q(&proj)),
        ],
    );
    assert_eq!(
        shown.count("is missing or not executable"),
        1,
        "{}",
        shown.0
    );
}

/// The hook's checks are nushell builtins (`path exists`, string compares): an ordinary
/// prompt, or a cd inside the active project, starts no process.
#[test]
fn an_ordinary_prompt_starts_no_process() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.mkdir("proj/src");
    sb.allow(&proj);
    let trace = sb.out("trace");
    let mut cmd = sb.command("strace");
    cmd.arg("-f")
        .args(["-e", "trace=execve", "-o"])
        .arg(&trace)
        .arg(SH.program())
        .args(SH.interactive_args())
        .env("NO_COLOR", "1");
    let mut pty = start(&sb, cmd);
    line(&mut pty, &format!("cd {}", q(&proj)));
    for text in ["print one", "print two", "let x = 3", "cd src", "cd .."] {
        line(&mut pty, text);
    }
    finish(pty);
    let trace = String::from_utf8_lossy(&std::fs::read(&trace).expect("trace")).into_owned();
    let execs: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("execve(") && !l.contains("ENOENT"))
        .collect();
    let exe = support::binary();
    let ours = execs
        .iter()
        .filter(|l| l.contains(&*exe.to_string_lossy()))
        .count();
    // The first prompt and the cd into the project; `cd src` and back stay in it.
    assert_eq!(ours, 2, "{trace}");
    // Everything else is nu starting (npm installs it behind a node launcher).
    let others: Vec<&&str> = execs
        .iter()
        .filter(|l| !l.contains(&*exe.to_string_lossy()))
        .filter(|l| !l.contains("/nu\"") && !l.contains("/node\"") && !l.contains("bin/nu\""))
        .collect();
    assert!(others.is_empty(), "{others:?}");
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
            "^python3 -m venv --without-pip .venv".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("made")),
            "rm -r .venv".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("removed")),
        ],
    );
    assert_eq!(var(&sb, "made"), proj.join(".venv").to_string_lossy());
    assert_eq!(var(&sb, "removed"), "<unset>");
}

#[test]
fn the_exit_code_survives_a_prompt_that_ran_the_binary() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let shown = run(
        &sb,
        &[
            format!("cd {}; ^sh -c 'exit 3'", q(&proj)),
            format!("$env.LAST_EXIT_CODE | save -f {}", q(&sb.out("code"))),
        ],
    );
    assert_eq!(var(&sb, "code"), "3");
    assert_eq!(shown.count("autovenv: activated"), 1, "{}", shown.0);
}
