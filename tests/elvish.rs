//! elvish end to end: a real elvish on a pseudo-terminal (its line editor, and with it
//! `edit:before-readline`, exists only there), real venvs from a real python3.

mod support;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use support::pty::Pty;
use support::{assert_same_env, parse_env, Sandbox, Shell};

const SH: Shell = Shell::Elvish;

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

/// Starts elvish with a plain prompt, loads the hook, types `lines` (one prompt each)
/// and waits until the last one ran.
fn run(sb: &Sandbox, lines: &[String]) -> Shown {
    let mut cmd = sb.command(SH.program());
    cmd.args(SH.interactive_args()).env("NO_COLOR", "1");
    let mut pty = Pty::spawn(cmd);
    pty.line("set edit:prompt = { put '> ' }; set edit:rprompt = { put '' }");
    pty.line(&SH.hook_line());
    for line in lines {
        pty.line(line);
    }
    pty.line("echo \"END-OF-\"SCRIPT");
    pty.expect("END-OF-SCRIPT");
    Shown(String::from_utf8_lossy(&pty.seen).into_owned())
}

fn var(sb: &Sandbox, name: &str) -> String {
    String::from_utf8_lossy(&sb.read_out(name)).into_owned()
}

fn dump_prompt(sb: &Sandbox, name: &str) -> String {
    format!(
        "use str; print (str:join '' [($edit:prompt)]) > {}",
        q(&sb.out(name))
    )
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
            "set-env PYTHONHOME /opt/pyhome".into(),
            format!("cd {}", q(&sb.root)),
            SH.dump_env(&sb.out("before")),
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
            format!("cd {}", q(&b)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("switched")),
            SH.dump_var("PATH", &sb.out("path-b")),
            format!("cd {}", q(&sb.root)),
            SH.dump_env(&sb.out("after")),
            dump_prompt(&sb, "prompt-after"),
            format!("cd {}", q(&proj)),
            "set-env PATH $E:PATH':/extra/bin'".into(),
            "set-env USER_VAR kept".into(),
            format!("cd {}", q(&sb.root)),
            SH.dump_env(&sb.out("edited")),
        ],
    );
    let venv = proj.join(".venv");
    assert_eq!(var(&sb, "ve"), venv.to_string_lossy());
    assert_eq!(var(&sb, "vep"), ".venv");
    assert_eq!(var(&sb, "ph"), "<unset>");
    assert!(var(&sb, "path").starts_with(&format!("{}/bin:", venv.display())));
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
            format!(
                "try {{ deactivate }} catch {{ print gone > {} }}",
                q(&sb.out("has-deactivate"))
            ),
            "cd /".into(),
            format!("cd {}", q(&untrusted)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("back")),
            format!("deactivate nondestructive; env -0 > {}", q(&sb.out("nd"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("next-prompt")),
            format!("set-env VIRTUAL_ENV {}", q(&other.join(".venv"))),
            format!("cd {}", q(&untrusted.join("src"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("by-hand")),
            "unset-env VIRTUAL_ENV".into(),
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
    assert_eq!(var(&sb, "has-deactivate"), "gone");
    assert_eq!(var(&sb, "back"), venv.to_string_lossy());
    assert_same_env(&sb.read_out("before"), &sb.read_out("nd"));
    assert_eq!(var(&sb, "next-prompt"), venv.to_string_lossy());
    assert_eq!(var(&sb, "by-hand"), other.join(".venv").to_string_lossy());
    assert_eq!(var(&sb, "resumed"), venv.to_string_lossy());
    assert_eq!(var(&sb, "denied"), "<unset>");
    assert_eq!(shown.count("is not trusted"), 2, "{}", shown.0);
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

/// Every awkward directory name: spaces, quotes, `$(…)`, backticks, `*`, a newline, a
/// leading `-`, and bytes that are not UTF-8; elvish strings hold them all.
#[test]
fn awkward_directory_names_activate_and_restore_without_running_anything() {
    let sb = Sandbox::new();
    let work = sb.mkdir("work");
    let names: Vec<OsString> = [
        &b"with space"[..],
        b"it's",
        b"say \"hi\"",
        b"$(touch pwned) (touch pwned)",
        b"`touch pwned`",
        b"star*",
        b"new\nline",
        b"-leading",
        b"bytes\xff\xfe",
        b"back\\slash %d !x",
    ]
    .iter()
    .map(|n| OsString::from_vec(n.to_vec()))
    .collect();
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

#[test]
fn a_missing_binary_is_reported_once_and_the_shell_keeps_working() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    let copy = sb.path("autovenv-copy");
    std::fs::copy(support::binary(), &copy).expect("copy binary");
    let shown = run(
        &sb,
        &[
            format!("eval ({} hook elvish | slurp)", q(&copy)),
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

/// The hook's checks are elvish builtins (`path:is-dir`, string compares): an ordinary
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
        .args(SH.interactive_args());
    let mut pty = Pty::spawn(cmd);
    pty.line(&SH.hook_line());
    pty.line(&format!("cd {}", q(&proj)));
    for line in [
        "echo one",
        "echo two",
        "var x = 3",
        "cd src",
        "cd ..",
        "echo \"END-\"MARK",
    ] {
        pty.line(line);
    }
    pty.expect("END-MARK");
    drop(pty);
    let trace = String::from_utf8_lossy(&std::fs::read(&trace).expect("trace")).into_owned();
    let execs: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("execve(") && !l.contains("ENOENT") && !l.contains("-daemon"))
        .collect();
    // elvish itself (its history daemon aside), `autovenv hook`, the first prompt and the cd into the project.
    assert_eq!(execs.len(), 4, "{trace}");
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
