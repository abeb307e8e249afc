//! zsh end to end: what only zsh has (chpwd, precmd_functions, its command hash table,
//! emulation options, PROMPT_SUBST, a child zsh, `zsh -n`). `zsh -f -i` runs precmd
//! functions even with a pipe on stdin. The scenarios every shell shares are in
//! tests/scenarios.rs.

mod support;

use support::session::Session;
use support::{Sandbox, Shell, Succeeds};

const SH: Shell = Shell::Zsh;

/// zsh remembers where it found a command: one looked up before entering a project runs
/// from the venv afterwards.
#[test]
fn a_command_looked_up_before_entering_runs_from_the_venv() {
    let (sb, proj) = Sandbox::with_allowed_project();
    Session::start(&sb, SH).run(&[
        "python3 -c pass".into(),
        SH.cd_line(&proj),
        format!(
            "python3 -c 'import sys; print(sys.prefix)' > {}",
            SH.quote(sb.out("prefix3"))
        ),
    ]);
    assert_eq!(
        sb.out_text("prefix3").trim(),
        proj.join(".venv").to_string_lossy()
    );
}

#[test]
fn a_cd_takes_effect_at_once_but_not_in_a_subshell() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let run = Session::start(&sb, SH).run(&[
        format!(
            "cd {} && print -r -- $VIRTUAL_ENV > {}",
            SH.quote(&proj),
            SH.quote(sb.out("same-line"))
        ),
        "cd /".into(),
        format!(
            "print -r -- $(cd {} && print -r -- ${{VIRTUAL_ENV-none}}) > {}",
            SH.quote(&proj),
            SH.quote(sb.out("subshell"))
        ),
    ]);
    assert_eq!(
        sb.out_text("same-line"),
        format!("{}\n", proj.join(".venv").display())
    );
    assert_eq!(sb.out_text("subshell"), "none\n");
    run.assert_count("autovenv: activated", 1);
}

#[test]
fn loading_twice_registers_once_keeps_the_users_hooks_and_aliases_cannot_hijack() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let run = Session::start(&sb, SH).run(&[
            "mine() { :; }; precmd_functions=(mine)".into(),
            SH.hook_line(),
            SH.hook_line(),
            "chpwd_functions=(mine)".into(),
            SH.hook_line(),
            format!("print -r -- \"${{precmd_functions[*]}}\" > {}", SH.quote(sb.out("pc"))),
            format!("print -r -- \"${{chpwd_functions[*]}}\" > {}", SH.quote(sb.out("cd"))),
            "for b in export unset local return eval rehash printf command builtin emulate typeset unfunction; do alias $b='echo HIJACKED'; done".into(),
            "function eval rehash printf emulate unfunction { echo HIJACKED; }".into(),
            // Loaded again while the aliases exist: they must not reach the hook's code.
            "\\builtin eval \"$(\\command autovenv hook zsh)\"".into(),
            format!("cd {}", SH.quote(&proj)),
            "cd /".into(),
            format!("cd {}", SH.quote(&proj)),
            "unalias -m '*'".into(),
            "builtin unfunction eval rehash printf emulate unfunction".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        ]);
    sb.assert_outs(&[
        ("pc", "_autovenv_hook mine\n"),
        ("cd", "_autovenv_chpwd mine\n"),
    ]);
    assert!(!run.stdout.contains("HIJACKED"), "{}", run.stdout);
    assert_eq!(sb.out_text("ve"), proj.join(".venv").to_string_lossy());
}

#[test]
fn exit_status_and_pipestatus_survive_the_hook() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let log = sb.out("status");
    // The user's own precmd function runs after autovenv's and sees what the command left.
    let run = Session::start(&sb, SH).run(&[
        format!(
            "mine() {{ print -r -- \"status=$? pipe=${{pipestatus[*]}}\" >> {} }}",
            SH.quote(&log)
        ),
        "precmd_functions+=(mine)".into(),
        "(exit 3)".into(),
        "false | (exit 4) | true".into(),
        SH.cd_line(&proj),
        "(exit 7)".into(),
        "cd /".into(),
        "true | false".into(),
    ]);
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
    run.assert_count("autovenv: activated", 1);
}

#[test]
fn strict_options_do_not_break_the_hook() {
    let (sb, proj) = Sandbox::with_allowed_project_and_src();
    let untrusted = sb.project_with_venv("untrusted");
    let run = Session::start(&sb, SH).run(&[
        "setopt KSH_ARRAYS NO_UNSET ERR_EXIT SH_WORD_SPLIT RC_QUOTES WARN_CREATE_GLOBAL PIPE_FAIL"
            .into(),
        // Loaded again under those options, as an rc file that sets them first would.
        SH.hook_line(),
        format!("cd {}", SH.quote(proj.join("src"))),
        format!("cd {}", SH.quote(&proj)),
        SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        "deactivate".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("off")),
        "cd /".into(),
        format!("cd {}", SH.quote(&proj)),
        "deactivate nondestructive".into(),
        "cd /".into(),
        format!("cd {}", SH.quote(&untrusted)),
        "autovenv status >/dev/null".into(),
        "false || true".into(),
        "cd /".into(),
        "setopt | tr '\\n' ' '".into(),
    ]);
    sb.assert_outs(&[
        ("ve", &*proj.join(".venv").to_string_lossy()),
        ("off", "<unset>"),
    ]);
    for complaint in ["parameter not set", "bad", "not found", "global"] {
        assert!(!run.stderr.contains(complaint), "{}", run.stderr);
    }
    for option in ["ksharrays", "nounset", "errexit", "shwordsplit", "rcquotes"] {
        assert!(run.stdout.contains(option), "{option}: {}", run.stdout);
    }
}

#[test]
fn a_venv_named_in_the_prompt_with_code_in_it_shows_literally() {
    let (sb, proj) = Sandbox::with_allowed_project_named("$(touch pwned) `id` \\w 100% %d ${HOME}");
    // With and without PROMPT_SUBST (which oh-my-zsh sets), with the option changed both
    // before activation and while active.
    for setup in ["unsetopt PROMPT_SUBST", "setopt PROMPT_SUBST"] {
        Session::start(&sb, SH).run(&[
            setup.into(),
            format!("cd {}", SH.quote(&proj)),
            format!("print -rnP -- \"$PS1\" > {}", SH.quote(sb.out("shown"))),
            SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
            "cd /".into(),
            format!("print -rn -- \"$PS1\" > {}", SH.quote(sb.out("after"))),
        ]);
        assert_eq!(
            sb.out_text("vep"),
            support::activate_prompt(
                &proj.join(".venv"),
                "$(touch pwned) `id` \\w 100% %d ${HOME}"
            )
        );
        assert!(
            sb.out_text("shown")
                .starts_with("($(touch pwned) `id` \\w 100% %d ${HOME}) "),
            "{setup}: {}",
            sb.out_text("shown")
        );
        assert_eq!(sb.out_text("after"), "%m%# ", "{setup}");
        assert!(!proj.join("pwned").exists() && !sb.root.join("pwned").exists());
    }
}

#[test]
fn a_theme_that_rebuilds_the_prompt_reads_virtual_env_prompt() {
    let (sb, proj) = Sandbox::with_allowed_project();
    Session::start(&sb, SH).run(&[
        "setopt PROMPT_SUBST".into(),
        // As themes do (powerlevel10k among them), taking either form of the value
        // the venv's own activate writes: `(.venv) ` (3.10 to 3.12) or `.venv`.
        "theme() { local n=${VIRTUAL_ENV_PROMPT%') '}; n=${n#'('}; PROMPT=\"${n:+($n) }> \" }"
            .into(),
        "precmd_functions+=(theme)".into(),
        format!("cd {}", SH.quote(&proj)),
        format!("print -rnP -- \"$PS1\" > {}", SH.quote(sb.out("inside"))),
        "cd /".into(),
        format!("print -rnP -- \"$PS1\" > {}", SH.quote(sb.out("outside"))),
    ]);
    sb.assert_outs(&[("inside", "(.venv) > "), ("outside", "> ")]);
}

/// `zsh -d -i` in `sb` with `rc` as its `.zshrc`, in a `ZDOTDIR` of its own.
fn interactive_zsh(sb: &Sandbox, rc: &str) -> std::process::Command {
    let zdotdir = sb.mkdir("home/zdot");
    sb.write("home/zdot/.zshrc", rc);
    let mut cmd = sb.command("zsh");
    cmd.arg("-d").arg("-i").env("ZDOTDIR", &zdotdir);
    cmd
}

#[test]
fn a_real_prompt_in_a_terminal_fires_the_hook() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let cmd = interactive_zsh(&sb, &format!("{}\nPROMPT='%~ READY> '\n", SH.hook_line()));
    let mut pty = support::pty::Pty::spawn(cmd);
    pty.expect("READY> ");
    pty.line(&format!("cd {}", SH.quote(&proj)));
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

/// A ZLE widget that runs `cd`, as fzf's Alt-C does (`cd dir; zle reset-prompt`), bound
/// to a key in the rc file: the activation line is shown on a line of its own, never
/// written into the prompt line being edited, the prompt is drawn again below it with the
/// prefix, and the venv is active for the next command.
#[test]
fn a_zle_widget_that_runs_cd_shows_the_message_on_its_own_line() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let mut cmd = interactive_zsh(
        &sb,
        &format!(
            "{}\nPROMPT='READY> '\nbindkey -e\ngo_proj() {{ cd {}; zle reset-prompt }}\nzle -N go_proj\nbindkey '^G' go_proj\n",
            SH.hook_line(),
            SH.quote(&proj)
        ),
    );
    // A terminal that moves the cursor, as every terminal window does: ZLE redraws there
    // by going back up, and could draw over the message.
    cmd.env("TERM", "xterm-256color");
    let mut pty = support::pty::Pty::spawn(cmd);
    pty.expect("READY> ");
    pty.send("\u{7}");
    pty.expect("(.venv) READY> ");
    // Again, where nothing changes: no process, and the line is drawn where it was.
    pty.send("\u{7}");
    pty.expect("(.venv) READY> ");
    pty.line("print -r -- VE=$VIRTUAL_ENV");
    pty.expect("VE=");
    pty.expect("(.venv) READY> ");
    let venv = proj.join(".venv");
    support::screen::assert_shows(
        &pty.seen,
        &[
            "READY>".to_owned(),
            format!("autovenv: activated {}", venv.display()),
            "(.venv) READY> print -r -- VE=$VIRTUAL_ENV".to_owned(),
            format!("VE={}", venv.display()),
            "(.venv) READY>".to_owned(),
        ],
    );
}

/// The rc line's text leaves the hook file's comments out (zsh parses all of it at every
/// start-up): loaded either way, the hook defines the very same functions. (In a project,
/// where the rc line leaves the first evaluation to the first prompt.)
#[test]
fn the_hook_without_its_comments_defines_the_same_functions() {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    let defined = |load: String| {
        sb.command(SH.program())
            .current_dir(&proj)
            .args(["-f", "-c"])
            .arg(format!("{load}\n\\builtin functions"))
            .succeeds("zsh loading the hook")
            .stdout
    };
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shells/zsh.zsh");
    let from_file = defined(format!(". {}", SH.quote(&file)));
    let from_rc_line = defined(sb.hook_line_from(SH, &support::binary()));
    assert!(from_file.len() > 1000 && from_file == from_rc_line);
    let text = sb.autovenv(&sb.root, &["hook", "zsh"]).stdout;
    let text = String::from_utf8_lossy(&text);
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with('#')),
        "{text}"
    );
}
