//! zsh end to end: what only zsh has (chpwd, precmd_functions, its command hash table,
//! emulation options, PROMPT_SUBST, a child zsh, `zsh -n`). `zsh -f -i` runs precmd
//! functions even with a pipe on stdin. The scenarios every shell shares are in
//! tests/scenarios.rs.

mod support;

use std::path::Path;

use support::session;
use support::{Sandbox, Shell};

const SH: Shell = Shell::Zsh;

fn q(path: &Path) -> String {
    SH.quote(path)
}

fn run(sb: &Sandbox, lines: &[String]) -> session::Shown {
    session::run(sb, SH, lines)
}

fn var(sb: &Sandbox, name: &str) -> String {
    String::from_utf8_lossy(&sb.read_out(name)).into_owned()
}

/// zsh remembers where it found a command: one looked up before entering a project runs
/// from the venv afterwards.
#[test]
fn a_command_looked_up_before_entering_runs_from_the_venv() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    run(
        &sb,
        &[
            "python3 -c pass".into(),
            SH.cd_line(&proj),
            format!(
                "python3 -c 'import sys; print(sys.prefix)' > {}",
                q(&sb.out("prefix3"))
            ),
        ],
    );
    assert_eq!(
        var(&sb, "prefix3").trim(),
        proj.join(".venv").to_string_lossy()
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
    assert_eq!(run.count("autovenv: activated"), 1, "{}", run.text);
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
    assert!(!run.stdout.contains("HIJACKED"), "{}", run.stdout);
    assert_eq!(var(&sb, "ve"), proj.join(".venv").to_string_lossy());
}

#[test]
fn exit_status_and_pipestatus_survive_the_hook() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let log = sb.out("status");
    // The user's own precmd function runs after autovenv's and sees what the command left.
    let run = run(
        &sb,
        &[
            format!(
                "mine() {{ print -r -- \"status=$? pipe=${{pipestatus[*]}}\" >> {} }}",
                q(&log)
            ),
            "precmd_functions+=(mine)".into(),
            "(exit 3)".into(),
            "false | (exit 4) | true".into(),
            SH.cd_line(&proj),
            "(exit 7)".into(),
            "cd /".into(),
            "true | false".into(),
        ],
    );
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
    assert_eq!(run.count("autovenv: activated"), 1, "{}", run.text);
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
        assert!(!run.stderr.contains(complaint), "{}", run.stderr);
    }
    for option in ["ksharrays", "nounset", "errexit", "shwordsplit", "rcquotes"] {
        assert!(run.stdout.contains(option), "{option}: {}", run.stdout);
    }
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
