//! tcsh end to end: a real interactive tcsh, real venvs from a real python3.

mod support;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use support::{assert_same_env, parse_env, Sandbox, Shell};

const SH: Shell = Shell::Tcsh;

fn q(path: &Path) -> String {
    SH.quote(path)
}

/// A script that sets a prompt, loads the hook and then runs `lines`, one prompt each.
fn script(lines: &[String]) -> String {
    let mut text = String::from("set prompt = '%% '\n");
    text.push_str(&SH.hook_line());
    text.push('\n');
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text.push_str("echo END-OF-SCRIPT\n");
    text
}

fn run(sb: &Sandbox, lines: &[String]) -> support::Run {
    let run = sb.run(SH, &script(lines));
    run.assert_ok();
    assert!(
        run.stdout().contains("END-OF-SCRIPT"),
        "script did not finish:\nstdout:\n{}\nstderr:\n{}",
        run.stdout(),
        run.stderr()
    );
    run
}

fn var(sb: &Sandbox, name: &str) -> String {
    String::from_utf8_lossy(&sb.read_out(name)).into_owned()
}

#[test]
fn entering_activates_like_activate_csh_and_leaving_restores_exactly() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("code/proj");
    sb.mkdir("code/proj/src");
    sb.allow(&proj);
    let run = run(
        &sb,
        &[
            "setenv PYTHONHOME /opt/pyhome".into(),
            SH.dump_env(&sb.out("before")),
            format!("cd {}", q(&proj.join("src"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
            SH.dump_var("PYTHONHOME", &sb.out("ph")),
            SH.dump_var("PATH", &sb.out("path")),
            SH.dump_var("prompt", &sb.out("prompt")),
            format!(
                "python -c 'import sys; print(sys.prefix)' > {}",
                q(&sb.out("prefix"))
            ),
            "cd /".into(),
            SH.dump_env(&sb.out("after")),
            SH.dump_var("prompt", &sb.out("prompt-after")),
            format!("cd {}", q(&proj)),
            "setenv PATH ${PATH}:/extra/bin".into(),
            "setenv USER_VAR kept".into(),
            "cd /".into(),
            SH.dump_env(&sb.out("edited")),
        ],
    );
    let venv = proj.join(".venv");
    assert_eq!(var(&sb, "ve"), venv.to_string_lossy());
    assert_eq!(var(&sb, "vep"), ".venv");
    assert_eq!(var(&sb, "ph"), "<unset>");
    assert!(var(&sb, "path").starts_with(&format!("{}/bin:", venv.display())));
    assert_eq!(var(&sb, "prompt"), "(.venv) %% ");
    assert_eq!(var(&sb, "prefix").trim(), venv.to_string_lossy());
    assert_eq!(var(&sb, "prompt-after"), "%% ");
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
    let before = parse_env(&sb.read_out("before"));
    let edited = parse_env(&sb.read_out("edited"));
    let mut path = before[OsStr::new("PATH")].clone();
    path.push(":/extra/bin");
    assert_eq!(edited[OsStr::new("PATH")], path);
    assert_eq!(edited[OsStr::new("USER_VAR")], "kept");
    assert_eq!(
        run.stderr_count("autovenv: activated"),
        2,
        "{}",
        run.stderr()
    );
}

#[test]
fn switch_untrusted_notice_allow_and_deny() {
    let sb = Sandbox::new();
    let a = sb.project_with_venv("a");
    let b = sb.project_with_venv("b");
    let untrusted = sb.project_with_venv("untrusted");
    sb.mkdir("untrusted/src");
    let denied = sb.project_with_venv("denied");
    sb.allow(&a);
    sb.allow(&b);
    let run = run(
        &sb,
        &[
            format!("cd {}", q(&a)),
            format!("cd {}", q(&b)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("switched")),
            SH.dump_var("PATH", &sb.out("path")),
            SH.dump_var("prompt", &sb.out("prompt")),
            format!("cd {}", q(&untrusted)),
            format!("cd {}", q(&untrusted.join("src"))),
            "cd /".into(),
            format!("cd {}", q(&untrusted)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("untrusted")),
            "autovenv allow".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("allowed")),
            format!("cd {}", q(&denied)),
            "autovenv deny".into(),
            "cd /".into(),
            format!("cd {}", q(&denied)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("denied")),
        ],
    );
    assert_eq!(var(&sb, "switched"), b.join(".venv").to_string_lossy());
    let path = var(&sb, "path");
    assert!(path.starts_with(&format!("{}/bin:", b.join(".venv").display())));
    assert!(
        !path.contains(&*a.join(".venv").to_string_lossy()),
        "{path}"
    );
    assert_eq!(var(&sb, "prompt"), "(.venv) %% ");
    assert_eq!(run.stderr_count("switched to"), 1, "{}", run.stderr());
    assert_eq!(var(&sb, "untrusted"), "<unset>");
    assert_eq!(
        run.stderr_count(&format!(
            "{} has a venv but is not trusted",
            untrusted.display()
        )),
        1,
        "{}",
        run.stderr()
    );
    assert_eq!(
        var(&sb, "allowed"),
        untrusted.join(".venv").to_string_lossy()
    );
    assert_eq!(var(&sb, "denied"), "<unset>");
    assert_eq!(run.stderr_count("not trusted"), 2, "{}", run.stderr());
}

#[test]
fn deactivate_plain_and_nondestructive_and_by_hand_activation() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.mkdir("proj/src");
    let other = sb.project_with_venv("other");
    sb.allow(&proj);
    run(
        &sb,
        &[
            format!("cd {}", q(&sb.root)),
            SH.dump_env(&sb.out("before")),
            format!("cd {}", q(&proj)),
            "deactivate".into(),
            SH.dump_env(&sb.out("after")),
            SH.dump_var("prompt", &sb.out("prompt")),
            format!("cd {}", q(&proj.join("src"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("still-off")),
            format!(
                "alias deactivate > {} ; printf x >> {}",
                q(&sb.out("alias")),
                q(&sb.out("alias"))
            ),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("back")),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            format!("deactivate nondestructive ; env -0 > {}", q(&sb.out("nd"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("next-prompt")),
            format!("source {}", q(&other.join(".venv/bin/activate.csh"))),
            format!("cd {}", q(&proj.join("src"))),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("by-hand")),
            SH.dump_var("PATH", &sb.out("path-by-hand")),
            "deactivate".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("resumed")),
            SH.dump_var("PATH", &sb.out("path-resumed")),
        ],
    );
    let venv = proj.join(".venv");
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
    assert_eq!(var(&sb, "prompt"), "%% ");
    assert_eq!(var(&sb, "still-off"), "<unset>");
    assert_eq!(var(&sb, "alias"), "x", "deactivate must be gone");
    assert_eq!(var(&sb, "back"), venv.to_string_lossy());
    assert_same_env(&sb.read_out("before"), &sb.read_out("nd"));
    assert_eq!(var(&sb, "next-prompt"), venv.to_string_lossy());
    assert_eq!(var(&sb, "by-hand"), other.join(".venv").to_string_lossy());
    assert!(!var(&sb, "path-by-hand").contains(&*venv.to_string_lossy()));
    assert_eq!(var(&sb, "resumed"), venv.to_string_lossy());
    assert!(!var(&sb, "path-resumed").contains(&*other.join(".venv").to_string_lossy()));
}

#[test]
fn a_child_shell_keeps_the_prefix_and_deactivate_and_users_precmd_is_kept() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    sb.write(
        "home/.tcshrc",
        &format!("set prompt = 'child%% '\n{}\n", SH.hook_line()),
    );
    let child = sb.write(
        "child.csh",
        &[
            SH.dump_var("VIRTUAL_ENV", &sb.out("child-ve")),
            SH.dump_var("prompt", &sb.out("child-prompt")),
            "deactivate".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("child-after")),
            "exit".into(),
        ]
        .join("\n"),
    );
    let log = sb.out("precmd");
    let run = run(
        &sb,
        &[
            format!("alias precmd 'echo user-precmd >> {}'", q(&log)),
            SH.hook_line(),
            format!("alias precmd > {}", q(&sb.out("alias"))),
            format!("cd {}", q(&proj)),
            format!("tcsh -i < {}", q(&child)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("parent")),
        ],
    );
    let venv = proj.join(".venv");
    assert_eq!(var(&sb, "child-ve"), venv.to_string_lossy());
    assert_eq!(var(&sb, "child-prompt"), "(.venv) child%% ");
    assert_eq!(var(&sb, "child-after"), "<unset>");
    assert_eq!(var(&sb, "parent"), venv.to_string_lossy());
    assert_eq!(var(&sb, "alias").matches("_autovenv_precmd").count(), 1);
    assert!(var(&sb, "precmd").lines().count() >= 5, "{}", run.stderr());
}

/// Every awkward directory name: spaces, quotes, `$(…)`, backticks, `*`, a newline (which
/// tcsh's `eval` cannot carry: refused with one line), a leading `-`, bytes that are not
/// UTF-8, and `!`, which csh's history substitution acts on even in single quotes.
#[test]
fn awkward_directory_names_activate_and_restore_without_running_anything() {
    let sb = Sandbox::new();
    let work = sb.mkdir("work");
    let names: Vec<OsString> = [
        &b"with space"[..],
        b"it's",
        b"say \"hi\"",
        b"$(touch pwned)",
        b"`touch pwned`",
        b"star*",
        b"-leading",
        b"bytes\xff\xfe",
        b"back\\slash %d !x !! {a,b} ~",
        b"new\nline",
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
        lines.push(SH.dump_var("prompt", &sb.out(&format!("ps{i}"))));
        lines.push(format!("cd {}", q(&work)));
        lines.push(SH.dump_env(&sb.out(&format!("after{i}"))));
        projects.push(proj);
    }
    let run = run(&sb, &lines);
    for (i, proj) in projects.iter().enumerate() {
        let expected = proj.join(".venv");
        let ve = sb.read_out(&format!("ve{i}"));
        if proj.as_os_str().as_bytes().contains(&b'\n') {
            assert_eq!(ve, b"<unset>", "{proj:?}");
            assert_eq!(
                run.stderr_count("cannot be written in tcsh's own syntax"),
                1,
                "{}",
                run.stderr()
            );
        } else {
            assert_eq!(ve, expected.as_os_str().as_bytes(), "{proj:?}");
            assert_eq!(var(&sb, &format!("ps{i}")), "(.venv) %% ", "{proj:?}");
        }
        assert_same_env(&sb.read_out("before"), &sb.read_out(&format!("after{i}")));
    }
    assert!(!work.join("pwned").exists() && !sb.root.join("pwned").exists());
    assert!(
        !run.stderr().contains("Command not found"),
        "{}",
        run.stderr()
    );
    assert!(
        !run.stderr().contains("Event not found"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_venv_prompt_with_code_and_percent_shows_literally() {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    support::make_venv(
        &proj.join(".venv"),
        &["--prompt", "$(touch pwned) `id` %d !"],
    );
    sb.allow(&proj);
    run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            SH.dump_var("prompt", &sb.out("prompt")),
            SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
        ],
    );
    assert_eq!(var(&sb, "vep"), "$(touch pwned) `id` %d !");
    assert_eq!(var(&sb, "prompt"), "($(touch pwned) `id` %%d \\!) %% ");
    assert!(!proj.join("pwned").exists());
}

#[test]
fn a_missing_binary_is_reported_once_and_the_shell_keeps_working() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    let copy = sb.path("autovenv-copy");
    std::fs::copy(support::binary(), &copy).expect("copy binary");
    let run = run(
        &sb,
        &[
            format!("eval \"`{} hook tcsh`\"", q(&copy)),
            format!("rm {}", q(&copy)),
            format!("cd {}", q(&proj)),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            "echo still-usable".into(),
        ],
    );
    assert_eq!(
        run.stderr_count("is missing or not executable"),
        1,
        "{}",
        run.stderr()
    );
    assert!(run.stdout().contains("still-usable"));
}

/// tcsh has no functions, but its `precmd` alias compares `$cwd` and `$VIRTUAL_ENV` with
/// builtins only: the binary runs once per directory change, never on a plain prompt.
#[test]
fn an_ordinary_prompt_starts_no_process() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.mkdir("proj/src");
    sb.allow(&proj);
    let trace = sb.out("trace");
    let mut cmd = sb.command("strace");
    cmd.arg("-f")
        .arg("-e")
        .arg("trace=execve")
        .arg("-o")
        .arg(&trace)
        .arg(SH.program())
        .args(SH.interactive_args());
    let text = script(&[
        format!("cd {}", q(&proj)),
        "echo MARK-1".into(),
        "echo one".into(),
        "echo two".into(),
        "set x = 3".into(),
        "echo MARK-2".into(),
        format!("cd {}", q(&proj.join("src"))),
    ]);
    let run = sb.run_command(cmd, &text);
    run.assert_ok();
    let trace = String::from_utf8_lossy(&std::fs::read(&trace).expect("trace")).into_owned();
    let exe = support::binary();
    let runs = trace
        .lines()
        .filter(|l| {
            l.contains("execve(") && l.contains(&*exe.to_string_lossy()) && !l.contains("\"hook\"")
        })
        .count();
    // The first prompt, the cd into the project and the cd into src: three, and not one
    // for each of the plain prompts between.
    assert_eq!(runs, 3, "{trace}");
    let execs = trace
        .lines()
        .filter(|l| l.contains("execve(") && !l.contains("ENOENT"))
        .count();
    // tcsh itself, `autovenv hook`, and the three evaluations.
    assert_eq!(execs, 5, "{trace}");
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
fn the_exit_status_survives_a_prompt_that_ran_the_binary() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let run = run(
        &sb,
        &[
            format!("cd {} ; sh -c 'exit 3'", q(&proj)),
            format!("echo $status > {}", q(&sb.out("status"))),
        ],
    );
    assert_eq!(var(&sb, "status").trim(), "3");
    assert_eq!(
        run.stderr_count("autovenv: activated"),
        1,
        "{}",
        run.stderr()
    );
}
