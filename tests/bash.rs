//! bash end to end: a real interactive bash, real venvs from a real python3.

mod support;

use std::path::{Path, PathBuf};

use support::{assert_same_env, parse_env, Sandbox, Shell};

const SH: Shell = Shell::Bash;

fn q(path: &Path) -> String {
    SH.quote(path)
}

/// A script that loads the hook and then runs `lines`, one prompt each.
fn script(lines: &[String]) -> String {
    let mut text = SH.hook_line();
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
        "script did not finish:\n{}",
        run.stderr()
    );
    run
}

fn var(sb: &Sandbox, name: &str) -> String {
    String::from_utf8_lossy(&sb.read_out(name)).into_owned()
}

#[test]
fn entering_a_trusted_project_activates_like_bin_activate() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("code/proj");
    sb.mkdir("code/proj/src");
    sb.allow(&proj);
    let run = run(
        &sb,
        &[
            "export PYTHONHOME=/opt/pyhome".into(),
            format!("cd {}", q(&proj.join("src"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
            SH.dump_var("PYTHONHOME", &sb.out("ph")),
            SH.dump_var("PATH", &sb.out("path")),
            SH.dump_var("PS1", &sb.out("ps1")),
            format!("type -P python > {}", q(&sb.out("python"))),
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
        var(&sb, "ps1").starts_with("(.venv) "),
        "PS1: {}",
        var(&sb, "ps1")
    );
    assert_eq!(
        var(&sb, "python").trim(),
        venv.join("bin/python").to_string_lossy()
    );
    assert_eq!(var(&sb, "prefix").trim(), venv.to_string_lossy());
    assert_eq!(
        run.stderr_count("autovenv: activated"),
        1,
        "{}",
        run.stderr()
    );
}

#[test]
fn quiet_silences_the_activation_line() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let run = run(
        &sb,
        &[
            "export AUTOVENV_QUIET=1".into(),
            format!("cd {}", q(&proj)),
            "cd /".into(),
        ],
    );
    assert_eq!(run.stderr_count("autovenv:"), 0, "{}", run.stderr());
}

#[test]
fn leaving_restores_exactly_and_keeps_the_users_edits() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    for setup in [
        "unset VIRTUAL_ENV_PROMPT PYTHONHOME",
        "export VIRTUAL_ENV_PROMPT= PYTHONHOME=/opt/home",
        "export PYTHONHOME= VIRTUAL_ENV=",
    ] {
        run(
            &sb,
            &[
                setup.into(),
                format!("cd {}", q(&sb.root)),
                SH.dump_env(&sb.out("before")),
                format!("cd {}", q(&proj)),
                SH.dump_env(&sb.out("inside")),
                "cd /".into(),
                SH.dump_env(&sb.out("after")),
                format!("cd {}", q(&proj)),
                "export PATH=$PATH:/extra/bin USER_VAR=kept".into(),
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
    let run = run(
        &sb,
        &[
            format!("cd {}", q(&a)),
            format!("cd {}", q(&b)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            SH.dump_var("PATH", &sb.out("path")),
            SH.dump_var("PS1", &sb.out("ps1")),
        ],
    );
    assert_eq!(var(&sb, "ve"), b.join(".venv").to_string_lossy());
    let path = var(&sb, "path");
    assert!(path.starts_with(&format!("{}/bin:", b.join(".venv").display())));
    assert!(
        !path.contains(&a.join(".venv").to_string_lossy().into_owned()),
        "{path}"
    );
    assert!(
        var(&sb, "ps1").starts_with("(.venv) ") && !var(&sb, "ps1").starts_with("(.venv) (.venv)")
    );
    assert_eq!(run.stderr_count("switched to"), 1, "{}", run.stderr());
}

#[test]
fn an_untrusted_project_is_not_activated_and_told_once() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.mkdir("proj/src");
    let run = run(
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
        run.stderr_count("is not trusted: run `autovenv allow`"),
        1,
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains(&proj.to_string_lossy().into_owned()));
}

#[test]
fn allow_at_the_prompt_activates_and_deny_silences() {
    let sb = Sandbox::new();
    let allowed = sb.project_with_venv("allowed");
    let denied = sb.project_with_venv("denied");
    let run = run(
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
    assert_eq!(run.stderr_count("not trusted"), 2, "{}", run.stderr());
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
            SH.dump_var("PS1", &sb.out("ps1")),
            format!("cd {}", q(&proj.join("src"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("still-off")),
            "type deactivate >/dev/null 2>&1 || echo NO-DEACTIVATE".into(),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("back")),
        ],
    );
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
    assert!(!var(&sb, "ps1").contains("(.venv)"));
    assert_eq!(var(&sb, "still-off"), "<unset>");
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
            format!("source {}", q(&other.join(".venv/bin/activate"))),
            format!("cd {}", q(&proj.join("src"))),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("by-hand")),
            SH.dump_var("PATH", &sb.out("path-by-hand")),
            SH.dump_var("PS1", &sb.out("ps1-by-hand")),
            "deactivate".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("resumed")),
            SH.dump_var("PATH", &sb.out("path-resumed")),
            SH.dump_var("PS1", &sb.out("ps1-resumed")),
            "cd /".into(),
            SH.dump_var("PS1", &sb.out("ps1-left")),
        ],
    );
    // One prefix at a time: the hand-activated venv's own, then autovenv's, then none.
    assert_eq!(
        var(&sb, "ps1-by-hand").matches("(.venv) ").count(),
        1,
        "{}",
        var(&sb, "ps1-by-hand")
    );
    assert_eq!(
        var(&sb, "ps1-resumed").matches("(.venv) ").count(),
        1,
        "{}",
        var(&sb, "ps1-resumed")
    );
    assert_eq!(
        var(&sb, "ps1-left").matches("(.venv) ").count(),
        0,
        "{}",
        var(&sb, "ps1-left")
    );
    assert_eq!(var(&sb, "by-hand"), other.join(".venv").to_string_lossy());
    let path = var(&sb, "path-by-hand");
    assert!(
        !path.contains(&proj.join(".venv").to_string_lossy().into_owned()),
        "{path}"
    );
    assert_eq!(var(&sb, "resumed"), proj.join(".venv").to_string_lossy());
    let path = var(&sb, "path-resumed");
    assert!(
        !path.contains(&other.join(".venv").to_string_lossy().into_owned()),
        "{path}"
    );
}

#[test]
fn a_child_shell_keeps_the_venv_prefix_and_deactivate() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let rc = sb.write("home/.bashrc", &format!("{}\n", SH.hook_line()));
    run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            format!("bash --rcfile {} -i", q(&rc)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("child-ve")),
            SH.dump_var("PS1", &sb.out("child-ps1")),
            "deactivate".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("child-after")),
            "exit".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("parent")),
        ],
    );
    assert_eq!(var(&sb, "child-ve"), proj.join(".venv").to_string_lossy());
    assert!(
        var(&sb, "child-ps1").starts_with("(.venv) "),
        "{}",
        var(&sb, "child-ps1")
    );
    assert!(!var(&sb, "child-ps1").starts_with("(.venv) (.venv)"));
    assert_eq!(var(&sb, "child-after"), "<unset>");
    assert_eq!(var(&sb, "parent"), proj.join(".venv").to_string_lossy());
}

#[test]
fn loading_twice_registers_once_and_aliases_cannot_hijack() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let run = run(
        &sb,
        &[
            SH.hook_line(),
            "PROMPT_COMMAND=\"${PROMPT_COMMAND};echo PC-RAN >/dev/null\"".into(),
            SH.hook_line(),
            format!("printf %s \"$PROMPT_COMMAND\" > {}", q(&sb.out("pc"))),
            "shopt -s expand_aliases".into(),
            "for b in export unset local return eval hash printf command shopt builtin; do alias $b='echo HIJACKED'; done".into(),
            "export() { echo HIJACKED; }; local() { echo HIJACKED; }; hash() { echo HIJACKED; }; eval() { echo HIJACKED; }".into(),
            format!("cd {}", q(&proj)),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            "unalias -a".into(),
            "unset -f export local hash eval".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        ],
    );
    assert_eq!(
        var(&sb, "pc").matches("_autovenv_hook").count(),
        1,
        "{}",
        var(&sb, "pc")
    );
    assert!(!run.stdout().contains("HIJACKED"), "{}", run.stdout());
    assert_eq!(var(&sb, "ve"), proj.join(".venv").to_string_lossy());
}

#[test]
fn exit_status_and_prompt_command_survive_the_hook() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let log = sb.out("status");
    // The user's PROMPT_COMMAND as a string, then (bash 5.1+) as an array.
    for setup in [
        format!("PROMPT_COMMAND='echo status=$? >> '{}", q(&log)),
        format!("PROMPT_COMMAND=('echo status=$? >> '{})", q(&log)),
    ] {
        let _ = std::fs::remove_file(&log);
        let text = format!(
            "{setup}\n{}\n(exit 3)\nfalse\ncd {}\n(exit 7)\ncd /\ntrue\necho END-OF-SCRIPT\n",
            SH.hook_line(),
            q(&proj)
        );
        let run = sb.run(SH, &text);
        run.assert_ok();
        let statuses = String::from_utf8_lossy(&sb.read_out("status")).into_owned();
        let got: Vec<&str> = statuses.lines().collect();
        let expected = ["status=3", "status=1", "status=0", "status=7", "status=0"];
        assert!(
            got.windows(expected.len()).any(|w| w == expected),
            "{setup}: {got:?}"
        );
        assert_eq!(
            run.stderr_count("autovenv: activated"),
            1,
            "{}",
            run.stderr()
        );
    }
}

#[test]
fn strict_modes_do_not_break_the_hook() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.mkdir("proj/src");
    let untrusted = sb.project_with_venv("untrusted");
    sb.allow(&proj);
    let run = run(
        &sb,
        &[
            "set -euo pipefail".into(),
            format!("cd {}", q(&proj.join("src"))),
            format!("cd {}", q(&proj)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            "deactivate".into(),
            "cd /".into(),
            format!("cd {}", q(&untrusted)),
            "false || true".into(),
            "cd /".into(),
        ],
    );
    assert_eq!(var(&sb, "ve"), proj.join(".venv").to_string_lossy());
    assert!(
        !run.stderr().contains("unbound variable"),
        "{}",
        run.stderr()
    );
}

/// Every awkward directory name of the issue: spaces, quotes, `$(…)`, backticks, `*`,
/// a newline, a leading `-`, and bytes that are not UTF-8.
#[test]
fn awkward_directory_names_activate_and_restore_without_running_anything() {
    let sb = Sandbox::new();
    let work = sb.mkdir("work");
    let mut lines = vec![format!("cd {}", q(&work)), SH.dump_env(&sb.out("before"))];
    let mut projects: Vec<PathBuf> = Vec::new();
    for (i, name) in support::awkward_names(&[]).iter().enumerate() {
        let proj = sb.project(std::path::Path::new("work").join(name));
        sb.venv_or_link(&proj.join(".venv"));
        sb.allow(&proj);
        lines.push(format!("cd {}", q(&proj)));
        lines.push(SH.dump_var("VIRTUAL_ENV", &sb.out(&format!("ve{i}"))));
        lines.push(format!(
            "printf '%s' \"${{PS1@P}}\" > {}",
            q(&sb.out(&format!("ps{i}")))
        ));
        lines.push(format!("cd {}", q(&work)));
        lines.push(SH.dump_env(&sb.out(&format!("after{i}"))));
        projects.push(proj);
    }
    let run = run(&sb, &lines);
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
    assert!(
        !run.stderr().contains("command not found"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_venv_named_in_the_prompt_with_code_in_it_shows_literally() {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    support::make_venv(
        &proj.join(".venv"),
        &["--prompt", "$(touch pwned) `id` \\w"],
    );
    sb.allow(&proj);
    run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            format!("printf '%s' \"${{PS1@P}}\" > {}", q(&sb.out("shown"))),
            SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
        ],
    );
    assert_eq!(var(&sb, "vep"), "$(touch pwned) `id` \\w");
    assert!(
        var(&sb, "shown").starts_with("($(touch pwned) `id` \\w) "),
        "{}",
        var(&sb, "shown")
    );
    assert!(!proj.join("pwned").exists());
}

#[test]
fn a_path_with_a_colon_is_refused_clearly() {
    let sb = Sandbox::new();
    let proj = sb.project("has:colon");
    sb.link_venv(&proj.join(".venv"));
    sb.allow(&proj);
    let run = run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        ],
    );
    assert_eq!(var(&sb, "ve"), "<unset>");
    assert_eq!(
        run.stderr_count("has ':' in its path"),
        1,
        "{}",
        run.stderr()
    );
}

#[test]
fn a_corrupted_state_warns_once_and_keeps_path() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let run = run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            SH.dump_var("PATH", &sb.out("path-before")),
            "export AUTOVENV_STATE='1:garbage'".into(),
            "cd /".into(),
            SH.dump_var("PATH", &sb.out("path-after")),
            "cd /tmp".into(),
            "echo still-usable".into(),
        ],
    );
    assert_eq!(var(&sb, "path-before"), var(&sb, "path-after"));
    assert_eq!(
        run.stderr_count("AUTOVENV_STATE could not be read"),
        1,
        "{}",
        run.stderr()
    );
    assert!(run.stdout().contains("still-usable"));
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
    let run = run(
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
    assert_eq!(run.stderr_count("no pyvenv.cfg"), 1, "{}", run.stderr());
    assert_eq!(
        run.stderr_count("/nonexistent/python3.99, which is gone"),
        1,
        "{}",
        run.stderr()
    );
    assert!(
        !no_cfg.join(".venv/pyvenv.cfg").exists(),
        "a broken .venv must not be overwritten"
    );
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
            format!("eval \"$({} hook bash)\"", q(&copy)),
            format!("rm {}", q(&copy)),
            format!("cd {}", q(&proj)),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            "true".into(),
        ],
    );
    assert_eq!(
        run.stderr_count("is missing or not executable"),
        1,
        "{}",
        run.stderr()
    );
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
fn status_says_what_it_sees_and_why() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    let out = sb.autovenv(&proj, &["status"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success());
    assert!(text.contains("not trusted"), "{text}");
    assert!(text.contains("plan:       notice"), "{text}");
    sb.allow(&proj);
    let out = sb.autovenv(&proj, &["status"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("trust:      allowed"), "{text}");
    assert!(text.contains("plan:       activate"), "{text}");
    assert!(text.contains("healthy"), "{text}");
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
    let run = run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            "cd /".into(),
            format!("cd {}", q(&proj)),
        ],
    );
    let lines: Vec<String> = run
        .stderr()
        .lines()
        .filter(|l| l.contains("config.toml"))
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr());
    assert!(
        lines[0].contains("config.toml:2:") && lines[0].contains("venv_name"),
        "{}",
        lines[0]
    );
}

#[test]
fn ordinary_prompts_and_cds_inside_a_project_start_no_process() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.mkdir("proj/src/deep");
    let other = sb.project_with_venv("other");
    sb.allow(&proj);
    sb.allow(&other);
    let marker = |n: usize| format!(": > {}", q(&sb.out(&format!("m{}", n - 1))));
    let text = script(&[
        format!("cd {}", q(&proj)),
        marker(1),
        "true".into(),
        String::new(),
        "VAR=value".into(),
        marker(2),
        "cd src".into(),
        "cd deep".into(),
        "cd ../..".into(),
        "cd src/deep".into(),
        marker(3),
        "cd /".into(),
        marker(4),
        format!("cd {}", q(&other)),
        marker(5),
        "true".into(),
        "true".into(),
        marker(6),
    ]);
    let log = sb.out("strace.log");
    let mut cmd = sb.command("strace");
    cmd.arg("-f")
        .arg("-qq")
        .args(["-e", "trace=execve,openat", "-o"])
        .arg(&log);
    cmd.arg("bash").args(SH.interactive_args());
    let run = sb.run_command(cmd, &text);
    run.assert_ok();
    let spans = sb.execs_between_markers(&std::fs::read(&log).expect("strace log"), 6);
    assert!(
        spans[1].is_empty(),
        "steady prompts started processes: {:?}",
        spans[1]
    );
    assert!(
        spans[2].is_empty(),
        "cd inside the project started processes: {:?}",
        spans[2]
    );
    assert_eq!(spans[3].len(), 1, "leaving the project: {:?}", spans[3]);
    assert!(spans[3][0].contains("autovenv"), "{:?}", spans[3]);
    assert_eq!(
        spans[4].len(),
        1,
        "entering another project: {:?}",
        spans[4]
    );
    assert!(spans[4][0].contains("autovenv"), "{:?}", spans[4]);
    assert!(
        spans[5].is_empty(),
        "steady prompts started processes: {:?}",
        spans[5]
    );
}

#[test]
fn a_real_prompt_in_a_terminal_fires_the_hook() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let mut cmd = sb.command("bash");
    cmd.args(SH.interactive_args());
    let mut term = support::pty::Pty::spawn(cmd);
    term.line(&SH.hook_line());
    term.line("PS1='READ''Y> '");
    term.expect("READY> ");
    term.line(&format!("cd {}", q(&proj)));
    let shown = term.expect("READY> ");
    // stderr is a terminal, so the prefix is coloured (NO_COLOR is unset here).
    assert!(
        shown.contains("\x1b[2mautovenv:\x1b[0m activated"),
        "{shown:?}"
    );
    assert!(shown.ends_with("(.venv) READY> "), "{shown:?}");
    term.line("echo \"[$VIRTUAL_ENV]\"");
    term.expect(&format!("[{}]", proj.join(".venv").display()));
    term.expect("READY> ");
    term.line("cd /");
    let shown = term.expect("READY> ");
    assert!(shown.contains("deactivated"), "{shown}");
    assert!(!shown.ends_with("(.venv) READY> "), "{shown:?}");
    term.line("echo \"[${VIRTUAL_ENV-none}]\"");
    term.expect("[none]");
}

#[test]
fn ctrl_c_while_the_hook_works_leaves_no_half_environment() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let slow = sb.write(
        "slow-autovenv",
        &format!(
            "#!/bin/sh\nsleep 2\nexec '{}' \"$@\"\n",
            support::binary().display()
        ),
    );
    std::fs::set_permissions(&slow, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let mut cmd = sb.command("bash");
    cmd.args(SH.interactive_args()).env("NO_COLOR", "1");
    let mut term = support::pty::Pty::spawn(cmd);
    term.line(&SH.hook_line());
    term.line(&format!("_AUTOVENV_BIN={}; PS1='READ''Y> '", q(&slow)));
    term.expect("READY> ");
    term.line(&format!("cd {}", q(&proj)));
    std::thread::sleep(std::time::Duration::from_millis(700));
    term.send("\x03");
    let shown = term.expect("READY> ");
    assert!(!shown.contains('\x1b'), "NO_COLOR is honoured: {shown:?}");
    // Whatever the interrupt hit, the environment is all or nothing.
    let venv = proj.join(".venv");
    term.line(&format!(
        "v=${{VIRTUAL_ENV:+1}}; s=${{AUTOVENV_STATE:+1}}; [[ $PATH == {}/bin:* ]] && p=1; [[ $PS1 == '(.venv) '* ]] && f=1; echo \"[state:$v$s$p$f]\"",
        q(&venv)
    ));
    let shown = term.expect("]\r\n");
    assert!(
        shown.contains("[state:1111]") || shown.contains("[state:]"),
        "{shown:?}"
    );
    term.expect("READY> ");
    // And the next prompt brings it fully in step.
    term.line("echo \"[${VIRTUAL_ENV-none}]\"");
    term.expect(&format!("[{}]", venv.display()));
}

#[test]
fn an_interrupted_apply_is_completed_at_the_next_prompt() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    // Apply only the first line of an evaluation, as a Ctrl-C after it would, and leave
    // the rest pending: the next prompt must finish it before anything else.
    run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            "deactivate".into(),
            "cd /".into(),
            SH.dump_env(&sb.out("before")),
            format!(
                "cd {}; _AUTOVENV_PWD=; _AUTOVENV_SESSION=; _AUTOVENV_PENDING=$(autovenv export bash); eval \"${{_AUTOVENV_PENDING%%$'\\n'*}}\"",
                q(&proj)
            ),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            SH.dump_var("_AUTOVENV_PENDING", &sb.out("pending")),
            SH.dump_var("PS1", &sb.out("ps1")),
            "cd /".into(),
            SH.dump_env(&sb.out("after")),
        ],
    );
    assert_eq!(var(&sb, "ve"), proj.join(".venv").to_string_lossy());
    assert_eq!(var(&sb, "pending"), "");
    assert!(var(&sb, "ps1").starts_with("(.venv) "));
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
}

#[test]
fn reload_forgets_deactivate_and_evaluates_again() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            "deactivate".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("off")),
            "autovenv reload".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("reloaded")),
        ],
    );
    assert_eq!(var(&sb, "off"), "<unset>");
    assert_eq!(var(&sb, "reloaded"), proj.join(".venv").to_string_lossy());
}

#[test]
fn the_nearest_venv_wins_and_the_walk_stops_at_the_repository_root() {
    let sb = Sandbox::new();
    // ~/.venv must not leak into a repository below home.
    support::make_venv(&sb.home().join(".venv"), &[]);
    sb.allow(&sb.home());
    let repo = sb.mkdir("home/code/repo");
    sb.mkdir("home/code/repo/.git");
    sb.mkdir("home/code/repo/pkg/sub");
    // A monorepo's root venv serves its sub-packages.
    let mono = sb.project_with_venv("home/code/mono");
    sb.mkdir("home/code/mono/.git");
    let pkg = sb.project("home/code/mono/packages/one");
    sb.allow(&mono);
    run(
        &sb,
        &[
            format!("cd {}", q(&repo.join("pkg/sub"))),
            SH.dump_var("VIRTUAL_ENV", &sb.out("repo")),
            format!("cd {}", q(&pkg)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("pkg")),
            format!("cd {}", q(&sb.home())),
            SH.dump_var("VIRTUAL_ENV", &sb.out("home")),
        ],
    );
    assert_eq!(var(&sb, "repo"), "<unset>");
    assert_eq!(var(&sb, "pkg"), mono.join(".venv").to_string_lossy());
    assert_eq!(var(&sb, "home"), sb.home().join(".venv").to_string_lossy());
}

#[test]
fn virtual_env_disable_prompt_keeps_the_prompt_as_it_is() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    run(
        &sb,
        &[
            "VIRTUAL_ENV_DISABLE_PROMPT=1; PS1='mine> '".into(),
            format!("cd {}", q(&proj)),
            SH.dump_var("PS1", &sb.out("ps1")),
            SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
        ],
    );
    assert_eq!(var(&sb, "ps1"), "mine> ");
    assert_eq!(var(&sb, "vep"), ".venv");
}
