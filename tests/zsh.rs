//! zsh end to end: a real interactive zsh (`zsh -f -i`, which runs precmd functions even
//! with a pipe on stdin), real venvs from a real python3.

mod support;

use std::path::{Path, PathBuf};

use support::{assert_same_env, parse_env, Sandbox, Shell};

const SH: Shell = Shell::Zsh;

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
            // python3 was looked up (and remembered) before: afterwards it is the venv's.
            "PYTHONHOME= python3 -c pass".into(),
            format!("cd {}", q(&proj.join("src"))),
            format!(
                "python3 -c 'import sys; print(sys.prefix)' > {}",
                q(&sb.out("prefix3"))
            ),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
            SH.dump_var("PYTHONHOME", &sb.out("ph")),
            SH.dump_var("PATH", &sb.out("path")),
            SH.dump_var("PS1", &sb.out("ps1")),
            format!("whence -p python > {}", q(&sb.out("python"))),
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
    assert_eq!(var(&sb, "prefix3").trim(), venv.to_string_lossy());
    assert_eq!(
        run.stderr_count("autovenv: activated"),
        1,
        "{}",
        run.stderr()
    );
}

#[test]
fn a_cd_takes_effect_at_once_but_not_in_a_subshell() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let run = run(
        &sb,
        &[
            format!(
                "cd {} && print -r -- $VIRTUAL_ENV > {}",
                q(&proj),
                q(&sb.out("same-line"))
            ),
            "cd /".into(),
            format!(
                "print -r -- $(cd {} && print -r -- ${{VIRTUAL_ENV-none}}) > {}",
                q(&proj),
                q(&sb.out("subshell"))
            ),
        ],
    );
    assert_eq!(
        var(&sb, "same-line"),
        format!("{}\n", proj.join(".venv").display())
    );
    assert_eq!(var(&sb, "subshell"), "none\n");
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
            "deactivate".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("resumed")),
            SH.dump_var("PATH", &sb.out("path-resumed")),
        ],
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
    let zdotdir = sb.mkdir("home/zdot");
    sb.write("home/zdot/.zshrc", &format!("{}\n", SH.hook_line()));
    run(
        &sb,
        &[
            format!("cd {}", q(&proj)),
            format!("ZDOTDIR={} zsh -d -i", q(&zdotdir)),
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
fn loading_twice_registers_once_keeps_the_users_hooks_and_aliases_cannot_hijack() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let run = run(
        &sb,
        &[
            "mine() { :; }; precmd_functions=(mine)".into(),
            SH.hook_line(),
            SH.hook_line(),
            "chpwd_functions=(mine)".into(),
            SH.hook_line(),
            format!("print -r -- \"${{precmd_functions[*]}}\" > {}", q(&sb.out("pc"))),
            format!("print -r -- \"${{chpwd_functions[*]}}\" > {}", q(&sb.out("cd"))),
            "for b in export unset local return eval rehash printf command builtin emulate typeset unfunction; do alias $b='echo HIJACKED'; done".into(),
            "function eval rehash printf emulate unfunction { echo HIJACKED; }".into(),
            // Loaded again while the aliases exist: they must not reach the hook's code.
            "\\builtin eval \"$(\\command autovenv hook zsh)\"".into(),
            format!("cd {}", q(&proj)),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            "unalias -m '*'".into(),
            "builtin unfunction eval rehash printf emulate unfunction".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        ],
    );
    assert_eq!(var(&sb, "pc"), "_autovenv_hook mine\n");
    assert_eq!(var(&sb, "cd"), "_autovenv_chpwd mine\n");
    assert!(!run.stdout().contains("HIJACKED"), "{}", run.stdout());
    assert_eq!(var(&sb, "ve"), proj.join(".venv").to_string_lossy());
}

#[test]
fn exit_status_and_pipestatus_survive_the_hook() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let log = sb.out("status");
    // The user's own precmd function runs after autovenv's and sees what the command left.
    let text = format!(
        "{}\nmine() {{ print -r -- \"status=$? pipe=${{pipestatus[*]}}\" >> {} }}\nprecmd_functions+=(mine)\n(exit 3)\nfalse | (exit 4) | true\ncd {}\n(exit 7)\ncd /\ntrue | false\necho END-OF-SCRIPT\n",
        SH.hook_line(),
        q(&log),
        q(&proj)
    );
    let run = sb.run(SH, &text);
    run.assert_ok();
    let statuses = String::from_utf8_lossy(&sb.read_out("status")).into_owned();
    let got: Vec<&str> = statuses.lines().collect();
    let expected = [
        "status=3 pipe=3",
        "status=0 pipe=1 4 0",
        "status=0 pipe=0",
        "status=7 pipe=7",
        "status=0 pipe=0",
        "status=1 pipe=0 1",
    ];
    assert!(
        got.windows(expected.len()).any(|w| w == expected),
        "{got:?}"
    );
    assert_eq!(
        run.stderr_count("autovenv: activated"),
        1,
        "{}",
        run.stderr()
    );
}

#[test]
fn strict_options_do_not_break_the_hook() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.mkdir("proj/src");
    let untrusted = sb.project_with_venv("untrusted");
    sb.allow(&proj);
    let run = run(
        &sb,
        &[
            "setopt KSH_ARRAYS NO_UNSET ERR_EXIT SH_WORD_SPLIT RC_QUOTES WARN_CREATE_GLOBAL PIPE_FAIL".into(),
            // Loaded again under those options, as an rc file that sets them first would.
            SH.hook_line(),
            format!("cd {}", q(&proj.join("src"))),
            format!("cd {}", q(&proj)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            "deactivate".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("off")),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            "deactivate nondestructive".into(),
            "cd /".into(),
            format!("cd {}", q(&untrusted)),
            "autovenv status >/dev/null".into(),
            "false || true".into(),
            "cd /".into(),
            "setopt | tr '\\n' ' '".into(),
        ],
    );
    assert_eq!(var(&sb, "ve"), proj.join(".venv").to_string_lossy());
    assert_eq!(var(&sb, "off"), "<unset>");
    for complaint in ["parameter not set", "bad", "not found", "global"] {
        assert!(!run.stderr().contains(complaint), "{}", run.stderr());
    }
    for option in ["ksharrays", "nounset", "errexit", "shwordsplit", "rcquotes"] {
        assert!(run.stdout().contains(option), "{option}: {}", run.stdout());
    }
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
            "print -rnP -- \"$PS1\" > {}",
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
        &["--prompt", "$(touch pwned) `id` \\w 100% %d ${HOME}"],
    );
    sb.allow(&proj);
    // With and without PROMPT_SUBST (which oh-my-zsh sets), with the option changed both
    // before activation and while active.
    for setup in ["unsetopt PROMPT_SUBST", "setopt PROMPT_SUBST"] {
        run(
            &sb,
            &[
                setup.into(),
                format!("cd {}", q(&proj)),
                format!("print -rnP -- \"$PS1\" > {}", q(&sb.out("shown"))),
                SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
                "cd /".into(),
                format!("print -rn -- \"$PS1\" > {}", q(&sb.out("after"))),
            ],
        );
        assert_eq!(var(&sb, "vep"), "$(touch pwned) `id` \\w 100% %d ${HOME}");
        assert!(
            var(&sb, "shown").starts_with("($(touch pwned) `id` \\w 100% %d ${HOME}) "),
            "{setup}: {}",
            var(&sb, "shown")
        );
        assert_eq!(var(&sb, "after"), "%m%# ", "{setup}");
        assert!(!proj.join("pwned").exists() && !sb.root.join("pwned").exists());
    }
}

#[test]
fn a_theme_that_rebuilds_the_prompt_reads_virtual_env_prompt() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    run(
        &sb,
        &[
            "setopt PROMPT_SUBST".into(),
            "theme() { PROMPT='${VIRTUAL_ENV_PROMPT:+($VIRTUAL_ENV_PROMPT) }> ' }".into(),
            "precmd_functions+=(theme)".into(),
            format!("cd {}", q(&proj)),
            format!("print -rnP -- \"$PS1\" > {}", q(&sb.out("inside"))),
            "cd /".into(),
            format!("print -rnP -- \"$PS1\" > {}", q(&sb.out("outside"))),
        ],
    );
    assert_eq!(var(&sb, "inside"), "(.venv) > ");
    assert_eq!(var(&sb, "outside"), "> ");
}

#[test]
fn virtual_env_disable_prompt_leaves_the_prompt_alone() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    run(
        &sb,
        &[
            "export VIRTUAL_ENV_DISABLE_PROMPT=1".into(),
            format!("cd {}", q(&proj)),
            SH.dump_var("PS1", &sb.out("ps1")),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            "cd /".into(),
            SH.dump_var("PS1", &sb.out("after")),
        ],
    );
    assert_eq!(var(&sb, "ve"), proj.join(".venv").to_string_lossy());
    assert_eq!(var(&sb, "ps1"), "%m%# ");
    assert_eq!(var(&sb, "after"), "%m%# ");
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
            format!("eval \"$({} hook zsh)\"", q(&copy)),
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
    let mark = |n: usize| format!(": > {}", q(&sb.out(&format!("m{n}"))));
    let lines = [
        mark(0),
        format!("cd {}", q(&proj)),
        mark(1),
        ":".into(),
        "echo steady".into(),
        "true".into(),
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
        .args(SH.interactive_args());
    let run = sb.run_command(cmd, &script(&lines));
    run.assert_ok();
    assert!(run.stdout().contains("END-OF-SCRIPT"), "{}", run.stderr());
    let segments = sb.execs_between_markers(&sb.read_out("strace.log"), 5);
    let bin = support::binary().display().to_string();
    assert_eq!(segments[1], vec![bin.clone()], "cd into the project");
    assert!(segments[2].is_empty(), "steady prompts: {:?}", segments[2]);
    assert!(segments[3].is_empty(), "cd inside: {:?}", segments[3]);
    assert_eq!(segments[4], vec![bin], "cd out of the project");
}

#[test]
fn the_generated_code_is_valid_zsh() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("it's $(x) `y` \\ %");
    sb.allow(&proj);
    let hook = sb.autovenv(&sb.root, &["hook", "zsh"]);
    let export = sb.autovenv(&proj, &["export", "zsh"]);
    assert!(hook.status.success() && export.status.success());
    assert!(String::from_utf8_lossy(&export.stdout).contains("_autovenv_prompt_show"));
    for code in [hook.stdout, export.stdout] {
        use std::io::Write;
        let file = sb.out("code.zsh");
        std::fs::File::create(&file)
            .and_then(|mut f| f.write_all(&code))
            .expect("write code");
        let out = sb
            .command("zsh")
            .arg("-n")
            .arg(&file)
            .output()
            .expect("zsh -n");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_real_prompt_in_a_terminal_fires_the_hook() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let zdotdir = sb.mkdir("home/zdot");
    sb.write(
        "home/zdot/.zshrc",
        &format!("{}\nPROMPT='%~ READY> '\n", SH.hook_line()),
    );
    let mut cmd = sb.command("zsh");
    cmd.arg("-d").arg("-i").env("ZDOTDIR", &zdotdir);
    let mut pty = support::pty::Pty::spawn(cmd);
    pty.expect("READY> ");
    pty.line(&format!("cd {}", q(&proj)));
    let shown = pty.expect("READY> ");
    assert!(shown.contains("activated /"), "{shown}");
    assert!(shown.contains("(.venv) "), "{shown}");
    pty.line("print -r -- VE=$VIRTUAL_ENV");
    let shown = pty.expect("READY> ");
    assert!(
        shown.contains(&format!("VE={}", proj.join(".venv").display())),
        "{shown}"
    );
    pty.line("cd /");
    let shown = pty.expect("READY> ");
    assert!(shown.contains("deactivated /"), "{shown}");
    pty.line("print -r -- VE=${VIRTUAL_ENV-unset}");
    let shown = pty.expect("READY> ");
    assert!(shown.contains("VE=unset"), "{shown}");
}
