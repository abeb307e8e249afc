//! The prompt prefix in real shells: whatever a venv or project is called, it is shown
//! literally, never run and never sent to the terminal as a control sequence, however the
//! user's prompt options change while it is shown.

#[macro_use]
mod support;

use std::path::{Path, PathBuf};

use support::session::{self, plain_prompt, Session};
use support::{Sandbox, Shell};

/// Makes a real venv at `venv` whose `pyvenv.cfg` names its prompt `name`, written bare as
/// uv and virtualenv write it (`python -m venv --prompt` writes a Python literal, with
/// control characters as `\x..` escapes).
fn venv_with_prompt(venv: &Path, name: &str) {
    support::make_venv(venv, &[]);
    let cfg = venv.join("pyvenv.cfg");
    let text = std::fs::read_to_string(&cfg).expect("read pyvenv.cfg");
    let mut kept: String = text
        .lines()
        .filter(|l| !l.starts_with("prompt"))
        .map(|l| format!("{l}\n"))
        .collect();
    kept.push_str(&format!("prompt = {name}\n"));
    std::fs::write(&cfg, kept).expect("write pyvenv.cfg");
}

/// A trusted project `proj` in `sb` with a venv whose prompt is `name`.
fn allowed_project_whose_venv_is_called(sb: &Sandbox, name: &str) -> PathBuf {
    let proj = sb.project("proj");
    venv_with_prompt(&proj.join(".venv"), name);
    sb.allow(&proj);
    proj
}

/// A venv prompt that runs something if the prompt is expanded like a double-quoted
/// string: `$(…)`, backticks and a backslash.
const CODE: &str = "$(touch pwned) `touch pwned` \\w";

/// The lines that turn the prompt's expansion off (`false`) or on (`true`).
fn expansion(shell: Shell, on: bool) -> String {
    match (shell, on) {
        (Shell::Bash, true) => "shopt -s promptvars".into(),
        (Shell::Bash, false) => "shopt -u promptvars".into(),
        (Shell::Zsh, true) => "setopt PROMPT_SUBST".into(),
        (Shell::Zsh, false) => "setopt NO_PROMPT_SUBST".into(),
        _ => unreachable!("only bash and zsh expand the prompt like a string"),
    }
}

/// Enters a project whose venv is called [`CODE`] with the prompt's expansion `first`,
/// then turns it to `!first` and moves within the project (no evaluation): the prompt
/// still shows the name literally and nothing ran.
fn prompt_option_changed_while_shown(shell: Shell, first: bool) {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    sb.mkdir("proj/src");
    venv_with_prompt(&proj.join(".venv"), CODE);
    sb.allow(&proj);
    let shown = Session::start(&sb, shell).run(&[
        expansion(shell, first),
        shell.cd_line(&proj),
        shell.dump_prompt(&sb.out("before")),
        expansion(shell, !first),
        shell.cd_line(&proj.join("src")),
        shell.dump_prompt(&sb.out("after")),
        shell.cd_line(&sb.root),
        shell.dump_prompt(&sb.out("left")),
    ]);
    for dir in [&proj, &proj.join("src"), &sb.root, &sb.home()] {
        assert!(!dir.join("pwned").exists(), "the name ran:\n{}", shown.text);
    }
    let prefix = format!("({CODE}) ");
    for tag in ["before", "after"] {
        let prompt = sb.out_text(tag);
        assert!(prompt.starts_with(&prefix), "{tag}: {prompt:?}");
        assert_eq!(prompt.matches(CODE).count(), 1, "{tag}: {prompt:?}");
    }
    assert!(
        !sb.out_text("left").contains(CODE),
        "{}",
        sb.out_text("left")
    );
}

/// The prompt's expansion off when entering the project, then turned on.
fn prompt_expansion_turned_on_while_shown_runs_nothing(shell: Shell) {
    prompt_option_changed_while_shown(shell, false);
}

/// The prompt's expansion on when entering the project, then turned off.
fn prompt_expansion_turned_off_while_shown_shows_no_backslashes(shell: Shell) {
    prompt_option_changed_while_shown(shell, true);
}

scenario!(prompt_expansion_turned_on_while_shown_runs_nothing in bash zsh);
scenario!(prompt_expansion_turned_off_while_shown_shows_no_backslashes in bash zsh);

/// A venv named with terminal controls (ESC sequences, BEL, a C1 CSI, DEL) shows them
/// escaped in every shell's prompt, as the `autovenv:` messages do; the variable keeps
/// them exactly.
fn controls_in_a_venv_name_are_shown_escaped(shell: Shell) {
    const NAME: &str = "x\u{1b}[31m\u{1b}]0;title\u{7}\u{9b}2J\u{7f}y";
    const SHOWN: &str = "(x\\x1b[31m\\x1b]0;title\\x07\\x9b2J\\x7fy) ";
    let sb = Sandbox::new();
    let proj = allowed_project_whose_venv_is_called(&sb, NAME);
    let (prompt, vep) = session::prompt_and_venv_prompt_in(&sb, shell, &proj);
    assert_eq!(vep, support::activate_prompt(&proj.join(".venv"), NAME));
    match (shell, plain_prompt(shell)) {
        // tcsh's dump is its `prompt` variable as set, with `%` and `!` escaped.
        (Shell::Tcsh, _) => assert!(prompt.starts_with(SHOWN), "{prompt:?}"),
        (_, Some(plain)) => assert_eq!(prompt, format!("{SHOWN}{plain}")),
        (_, None) => assert!(prompt.starts_with(SHOWN), "{prompt:?}"),
    }
    assert!(
        !prompt.contains(['\u{1b}', '\u{7}', '\u{9b}', '\u{7f}']),
        "{prompt:?}"
    );
}

scenario!(controls_in_a_venv_name_are_shown_escaped in bash zsh fish tcsh elvish nushell xonsh);
