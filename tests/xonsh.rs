//! xonsh end to end: a real xonsh on a pseudo-terminal (its prompt events fire only
//! there), real venvs from a real python3. xonsh starts slowly, so each test combines
//! many scenarios in one shell.

mod support;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use support::pty::Pty;
use support::{assert_same_env, parse_env, Sandbox, Shell};

const SH: Shell = Shell::Xonsh;

/// The prompt the tests set; autovenv puts its prefix in front.
const PROMPT: &str = "xsh% ";

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

fn command(sb: &Sandbox) -> Command {
    let mut cmd = sb.command(SH.program());
    cmd.args(SH.interactive_args()).env("NO_COLOR", "1");
    cmd
}

/// Types `text` and waits for the next prompt.
fn line(pty: &mut Pty, text: &str) {
    pty.line(text);
    pty.expect(PROMPT);
}

/// Waits for xonsh's first prompt, then sets the test prompt: the typed line shows it
/// once, the next prompt again.
fn set_prompt(pty: &mut Pty) {
    pty.expect("\x1b[?2004h");
    pty.line(&format!("$PROMPT = '{PROMPT}'"));
    pty.expect(PROMPT);
    pty.expect(PROMPT);
}

/// Starts `cmd`, sets the test prompt, loads the hook and types `lines`.
fn run_with(cmd: Command, lines: &[String]) -> Shown {
    let mut pty = Pty::spawn(cmd);
    set_prompt(&mut pty);
    line(&mut pty, &SH.hook_line());
    for text in lines {
        line(&mut pty, text);
    }
    pty.line("print('END-OF-' + 'SCRIPT')");
    pty.expect("END-OF-SCRIPT");
    Shown(String::from_utf8_lossy(&pty.seen).into_owned())
}

fn run(sb: &Sandbox, lines: &[String]) -> Shown {
    run_with(command(sb), lines)
}

fn var(sb: &Sandbox, name: &str) -> String {
    String::from_utf8_lossy(&sb.read_out(name)).into_owned()
}

/// `env -0` into an output file.
fn dump_env(sb: &Sandbox, name: &str) -> String {
    SH.dump_env(&sb.out(name))
}

fn count_handlers(sb: &Sandbox, name: &str) -> String {
    format!(
        "__import__('pathlib').Path({}).write_text(str(len(events.on_pre_prompt_format)))",
        q(&sb.out(name))
    )
}

fn dump_prompt(sb: &Sandbox, name: &str) -> String {
    format!(
        "__import__('pathlib').Path({}).write_text($PROMPT)",
        q(&sb.out(name))
    )
}

#[test]
fn activate_restore_switch_trust_and_deactivate() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("code/proj");
    sb.mkdir("code/proj/src");
    let b = sb.project_with_venv("b");
    let untrusted = sb.project_with_venv("untrusted");
    sb.mkdir("untrusted/src");
    let denied = sb.project_with_venv("denied");
    let other = sb.project_with_venv("other");
    let fresh = sb.project("fresh");
    sb.write("home/.config/autovenv/config.toml", "auto_create = false\n");
    sb.allow(&proj);
    sb.allow(&b);
    sb.allow(&fresh);
    let shown = run(
        &sb,
        &[
            "$PYTHONHOME = '/opt/pyhome'".into(),
            format!("cd {}", q(&sb.root)),
            dump_env(&sb, "before"),
            // Enter, as bin/activate does.
            format!("cd {}", q(&proj.join("src"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
            SH.dump_var("PYTHONHOME", &sb.out("ph")),
            SH.dump_var("PATH", &sb.out("path")),
            dump_prompt(&sb, "prompt"),
            format!(
                "python -c 'import sys; print(sys.prefix)' > {}",
                q(&sb.out("prefix"))
            ),
            // Switch.
            format!("cd {}", q(&b)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("switched")),
            SH.dump_var("PATH", &sb.out("path-b")),
            // Leave: exact restore, and the user's edits are kept.
            format!("cd {}", q(&sb.root)),
            dump_env(&sb, "after"),
            dump_prompt(&sb, "prompt-after"),
            format!("cd {}", q(&proj)),
            "$PATH.append('/extra/bin')".into(),
            "$USER_VAR = 'kept'".into(),
            format!("cd {}", q(&sb.root)),
            dump_env(&sb, "edited"),
            // Untrusted: told once; allow and deny at the prompt.
            format!("cd {}", q(&untrusted)),
            format!("cd {}", q(&untrusted.join("src"))),
            "cd /".into(),
            format!("cd {}", q(&untrusted)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("untrusted")),
            "autovenv allow".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("allowed")),
            // deactivate keeps the project off until you leave it.
            "deactivate".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("deactivated")),
            dump_prompt(&sb, "prompt-deactivated"),
            format!("cd {}", q(&untrusted.join("src"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("still-off")),
            "cd /".into(),
            dump_env(&sb, "outside"),
            format!("cd {}", q(&untrusted)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("back")),
            format!("deactivate nondestructive; {}", dump_env(&sb, "nd")),
            SH.dump_var("VIRTUAL_ENV", &sb.out("next-prompt")),
            // A venv activated by hand is left alone until it is gone.
            format!("$VIRTUAL_ENV = {}", q(&other.join(".venv"))),
            format!("cd {}", q(&untrusted.join("src"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("by-hand")),
            "del $VIRTUAL_ENV".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("resumed")),
            format!("cd {}", q(&denied)),
            "autovenv deny".into(),
            "cd /".into(),
            format!("cd {}", q(&denied)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("denied")),
            // A venv made or removed without a cd.
            format!("cd {}", q(&fresh)),
            "python3 -m venv --without-pip .venv".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("made")),
            "rm -rf .venv".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("removed")),
        ],
    );
    let venv = proj.join(".venv");
    assert_eq!(var(&sb, "ve"), venv.to_string_lossy());
    assert_eq!(var(&sb, "vep"), ".venv");
    assert_eq!(var(&sb, "ph"), "<unset>");
    assert!(var(&sb, "path").starts_with(&format!("{}/bin:", venv.display())));
    assert_eq!(var(&sb, "prompt"), format!("(.venv) {PROMPT}"));
    assert_eq!(var(&sb, "prefix").trim(), venv.to_string_lossy());
    assert_eq!(var(&sb, "switched"), b.join(".venv").to_string_lossy());
    assert!(!var(&sb, "path-b").contains(&*venv.to_string_lossy()));
    assert_eq!(shown.count("switched to"), 1, "{}", shown.0);
    assert_eq!(var(&sb, "prompt-after"), PROMPT);
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
    let before = parse_env(&sb.read_out("before"));
    let edited = parse_env(&sb.read_out("edited"));
    let mut path = before[OsStr::new("PATH")].clone();
    path.push(":/extra/bin");
    assert_eq!(edited[OsStr::new("PATH")], path);
    assert_eq!(edited[OsStr::new("USER_VAR")], "kept");

    let uvenv = untrusted.join(".venv");
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
    assert_eq!(var(&sb, "allowed"), uvenv.to_string_lossy());
    assert_eq!(var(&sb, "deactivated"), "<unset>");
    assert_eq!(var(&sb, "prompt-deactivated"), PROMPT);
    assert_eq!(var(&sb, "still-off"), "<unset>");
    assert_eq!(var(&sb, "back"), uvenv.to_string_lossy());
    assert_same_env(&sb.read_out("outside"), &sb.read_out("nd"));
    assert_eq!(var(&sb, "next-prompt"), uvenv.to_string_lossy());
    assert_eq!(var(&sb, "by-hand"), other.join(".venv").to_string_lossy());
    assert_eq!(var(&sb, "resumed"), uvenv.to_string_lossy());
    assert_eq!(var(&sb, "denied"), "<unset>");
    assert_eq!(shown.count("is not trusted"), 2, "{}", shown.0);
    assert_eq!(var(&sb, "made"), fresh.join(".venv").to_string_lossy());
    assert_eq!(var(&sb, "removed"), "<unset>");
}

/// Every awkward directory name: spaces, quotes, `$(…)`, backticks, `*`, a newline, a
/// leading `-`, bytes that are not UTF-8 (surrogate-escaped in xonsh); then a child
/// shell, loading the hook again (from a binary that then goes missing).
#[test]
fn awkward_names_a_child_shell_and_a_missing_binary() {
    let sb = Sandbox::new();
    let work = sb.mkdir("work");
    let names: Vec<OsString> = [
        &b"with space"[..],
        b"it's",
        b"say \"hi\"",
        b"$(touch pwned) @(print('pwned'))",
        b"`touch pwned`",
        b"star*",
        b"new\nline",
        b"-leading",
        b"bytes\xff\xfe",
        b"back\\slash %d !x {env_name}",
    ]
    .iter()
    .map(|n| OsString::from_vec(n.to_vec()))
    .collect();
    let mut lines = vec![format!("cd {}", q(&work)), dump_env(&sb, "before")];
    let mut projects: Vec<PathBuf> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let proj = sb.project(Path::new("work").join(name));
        sb.venv_or_link(&proj.join(".venv"));
        sb.allow(&proj);
        lines.push(format!("cd {}", q(&proj)));
        lines.push(SH.dump_var("VIRTUAL_ENV", &sb.out(&format!("ve{i}"))));
        lines.push(dump_prompt(&sb, &format!("ps{i}")));
        lines.push(format!("cd {}", q(&work)));
        lines.push(dump_env(&sb, &format!("after{i}")));
        projects.push(proj);
    }
    // A child xonsh, hooked from its rc file, re-applies the prompt and deactivate.
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    sb.write(
        "home/.xonshrc",
        &format!("$PROMPT = 'child% '\n{}\n", SH.hook_line()),
    );
    let copy = sb.path("autovenv-copy");
    std::fs::copy(support::binary(), &copy).expect("copy binary");
    let mut pty = Pty::spawn(command(&sb));
    set_prompt(&mut pty);
    line(&mut pty, &SH.hook_line());
    for text in &lines {
        line(&mut pty, text);
    }
    line(&mut pty, &format!("cd {}", q(&proj)));
    pty.line("xonsh -i --shell-type readline");
    pty.expect("(.venv) child% ");
    for text in [
        SH.dump_var("VIRTUAL_ENV", &sb.out("child-ve")),
        dump_prompt(&sb, "child-prompt"),
        "deactivate".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("child-after")),
    ] {
        pty.line(&text);
        pty.expect("child% ");
    }
    pty.line("exit");
    pty.expect(PROMPT);
    for text in [
        SH.dump_var("VIRTUAL_ENV", &sb.out("parent")),
        count_handlers(&sb, "handlers-before"),
        format!("execx($({} hook xonsh))", q(&copy)),
        count_handlers(&sb, "handlers-after"),
        format!("rm {}", q(&copy)),
        "cd /".into(),
        format!("cd {}", q(&proj)),
        "cd /".into(),
    ] {
        line(&mut pty, &text);
    }
    pty.line("print('END-OF-' + 'SCRIPT')");
    pty.expect("END-OF-SCRIPT");
    let shown = Shown(String::from_utf8_lossy(&pty.seen).into_owned());

    for (i, proj) in projects.iter().enumerate() {
        let expected = proj.join(".venv");
        assert_eq!(
            sb.read_out(&format!("ve{i}")),
            expected.as_os_str().as_bytes(),
            "{proj:?}"
        );
        assert_eq!(
            var(&sb, &format!("ps{i}")),
            format!("(.venv) {PROMPT}"),
            "{proj:?}"
        );
        assert_same_env(&sb.read_out("before"), &sb.read_out(&format!("after{i}")));
    }
    assert!(!work.join("pwned").exists() && !sb.root.join("pwned").exists());
    assert_eq!(
        shown.count("autovenv: activated"),
        names.len() + 1,
        "{}",
        shown.0
    );

    let venv = proj.join(".venv");
    assert_eq!(var(&sb, "child-ve"), venv.to_string_lossy());
    assert_eq!(var(&sb, "child-prompt"), "(.venv) child% ");
    assert_eq!(var(&sb, "child-after"), "<unset>");
    assert_eq!(var(&sb, "parent"), venv.to_string_lossy());
    assert_eq!(
        shown.count("is missing or not executable"),
        1,
        "{}",
        shown.0
    );
    assert!(!var(&sb, "handlers-before").is_empty());
    assert_eq!(
        var(&sb, "handlers-before"),
        var(&sb, "handlers-after"),
        "loading again replaces the handler"
    );
}

/// The handler's checks are Python in the shell's own process (`os.path.lexists`,
/// string compares): an ordinary prompt, or a cd inside the active project, starts no
/// process.
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
    run_with(
        cmd,
        &[
            format!("cd {}", q(&proj)),
            "print('one')".into(),
            "print('two')".into(),
            "x = 3".into(),
            "cd src".into(),
            "cd ..".into(),
        ],
    );
    let trace = String::from_utf8_lossy(&std::fs::read(&trace).expect("trace")).into_owned();
    let exe = support::binary().to_string_lossy().into_owned();
    let ours = trace
        .lines()
        .filter(|l| l.contains("execve(") && !l.contains("ENOENT") && l.contains(&*exe))
        .collect::<Vec<_>>();
    // `autovenv hook`, the first prompt and the cd into the project.
    assert_eq!(ours.len(), 3, "{ours:#?}");
}
