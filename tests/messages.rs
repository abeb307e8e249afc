//! What autovenv says is what happens: broken venvs it cannot use, `allow`, `status`,
//! `reload` and the command line, each checked in real shells against real venvs.

mod support;

use std::path::Path;

use support::session::{self, Session, Shown};
use support::{Sandbox, Shell};

/// One `#[test]` per listed shell for `fn NAME(shell: Shell)` below.
macro_rules! in_shells {
    ($name:ident in $($shell:ident)+) => {
        mod $name {
            $(
                #[test]
                fn $shell() {
                    super::$name(in_shells!(@ $shell));
                }
            )+
        }
    };
    (@ bash) => { super::Shell::Bash };
    (@ zsh) => { super::Shell::Zsh };
    (@ fish) => { super::Shell::Fish };
    (@ tcsh) => { super::Shell::Tcsh };
    (@ elvish) => { super::Shell::Elvish };
    (@ nushell) => { super::Shell::Nu };
    (@ xonsh) => { super::Shell::Xonsh };
}

in_shells!(a_pyvenv_cfg_of_garbage_is_a_broken_venv in bash zsh fish);
in_shells!(a_venv_that_is_a_file_is_said_so_and_status_agrees in bash zsh fish tcsh);

/// `autovenv ARGS` typed at the prompt (through the hook's function), its stdout in `file`.
fn typed(shell: Shell, args: &str, file: &Path) -> String {
    format!("autovenv {args} > {}", shell.quote(file))
}

fn a_pyvenv_cfg_of_garbage_is_a_broken_venv(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    // bin/python works; only pyvenv.cfg is not a venv's.
    std::fs::write(proj.join(".venv/pyvenv.cfg"), "garbage\n[x]\n").expect("write");
    let shown = session::run(
        &sb,
        shell,
        &[
            shell.cd_line(&proj),
            shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            typed(shell, "status", &sb.out("status")),
        ],
    );
    assert_eq!(sb.out_text("ve"), "<unset>", "{}", shown.text);
    let lines = shown.lines_with("pyvenv.cfg lacks the `home` and `version` keys");
    assert_eq!(lines.len(), 1, "{}", shown.text);
    assert!(lines[0].contains("autovenv create --force"), "{}", lines[0]);
    let status = sb.out_text("status");
    assert!(!status.contains("healthy"), "{status}");
    assert!(
        status.contains("plan:       notice, because the venv cannot be activated"),
        "{status}"
    );
}

fn a_venv_that_is_a_file_is_said_so_and_status_agrees(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    sb.allow(&proj);
    std::fs::write(proj.join(".venv"), "myenv\n").expect("write");
    let shown = session::run(
        &sb,
        shell,
        &[
            shell.cd_line(&proj),
            typed(shell, "status", &sb.out("status")),
            typed(shell, "create", &sb.out("create")),
            shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        ],
    );
    assert_eq!(sb.out_text("ve"), "<unset>");
    assert_eq!(
        std::fs::read_to_string(proj.join(".venv")).ok().as_deref(),
        Some("myenv\n")
    );
    assert_eq!(shown.count("os error"), 0, "{}", shown.text);
    // Once from the hook, once from `autovenv create`.
    let lines = shown.lines_with("is a file, not a venv directory");
    assert_eq!(lines.len(), 2, "{}", shown.text);
    assert!(lines[0].contains("rename or remove it"), "{}", lines[0]);
    let status = sb.out_text("status");
    assert!(
        status.contains("is a file, not a venv directory"),
        "{status}"
    );
    assert!(!status.contains("none found"), "{status}");
    assert!(status.contains("plan:       notice"), "{status}");
}

/// [`session::run`] with `env` added to the shell's environment.
#[allow(dead_code)]
fn run_with_env(sb: &Sandbox, shell: Shell, env: &[(&str, &str)], lines: &[String]) -> Shown {
    let mut cmd = session::command(sb, shell);
    cmd.envs(env.iter().copied());
    let mut s = Session::begin(sb, shell, cmd);
    s.line(&shell.hook_line());
    s.lines(lines);
    s.finish()
}
