//! Used as users use it: each shell started as they start it, reading its real rc file
//! with the hook line and what they put around it, then typed into. Each test is
//! something a user of that shell would do and what they would expect from it.

#[macro_use]
mod support;

use std::path::Path;

use support::session::Session;
use support::{Sandbox, Shell};

/// The rc file `shell` reads at start-up, under the sandbox's HOME.
fn rc_file(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "home/.bashrc",
        Shell::Zsh => "home/.zshrc",
        Shell::Fish => "home/.config/fish/config.fish",
        Shell::Tcsh => "home/.tcshrc",
        _ => panic!("{shell:?}: started from its rc file in its own test file"),
    }
}

/// Starts `shell` as a user starts it, interactive and reading its rc file, which holds
/// `before`, the hook line as the README gives it, then `after`.
fn from_rc(sb: &Sandbox, shell: Shell, before: &str, after: &str) -> Session {
    let hook = match shell {
        Shell::Tcsh => "if ($?prompt) eval \"`autovenv hook tcsh`\"".to_owned(),
        _ => shell.hook_line(),
    };
    sb.write(rc_file(shell), &format!("{before}\n{hook}\n{after}\n"));
    let mut cmd = sb.command(shell.program());
    cmd.arg("-i");
    if shell == Shell::Fish {
        cmd.env("NO_COLOR", "1");
    }
    Session::begin(sb, shell, cmd)
}

/// A wrapper of the user's own named `autovenv` that logs to `log` and runs the binary.
fn wrapper(shell: Shell, log: &Path) -> String {
    let log = log.display();
    match shell {
        Shell::Bash | Shell::Zsh => {
            format!("autovenv() {{ echo wrapped >> '{log}'; command autovenv \"$@\"; }}")
        }
        Shell::Fish => {
            format!("function autovenv; echo wrapped >> '{log}'; command autovenv $argv; end")
        }
        Shell::Tcsh => format!(
            "alias autovenv \"echo wrapped >> {log}; {} \\!*\"",
            support::binary().display()
        ),
        _ => panic!("{shell:?}: not here"),
    }
}

/// `autovenv allow` in an untrusted project says "its venv activates at the next
/// prompt". A user who wraps the command in a function (or alias) of their own, defined
/// after the hook line, runs the binary all the same, and expects that line to hold: the
/// venv active at the next prompt. (The wrapper replaces the hook's own `autovenv`, which
/// is what tells the hook to evaluate again.)
fn allow_through_a_users_own_wrapper_activates_at_the_next_prompt(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    let mut session = from_rc(&sb, shell, "", &wrapper(shell, &sb.out("wrapped")));
    session.lines(&[
        shell.cd_line(&proj),
        "autovenv allow".into(),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
    ]);
    let shown = session.finish();
    assert_eq!(sb.out_text("wrapped"), "wrapped\n", "{}", shown.text);
    assert_eq!(
        shown.count("activates at the next prompt"),
        1,
        "{}",
        shown.text
    );
    assert_eq!(
        sb.out_text("ve"),
        proj.join(".venv").to_string_lossy(),
        "the line said the venv activates at the next prompt:\n{}",
        shown.text
    );
}

scenario!(allow_through_a_users_own_wrapper_activates_at_the_next_prompt in bash zsh fish tcsh);

/// `autovenv allow DIR` of a project whose venv another user owns records the allow (it is
/// in `allow --list`) and says so, as it does for every other reason a venv will not
/// activate ("allowed DIR, but its venv will not activate: …"), not only that the venv
/// "was not activated" (which reads as if nothing was done, and nothing was entered).
#[test]
fn allow_of_another_users_venv_says_it_was_allowed() {
    const SH: Shell = Shell::Bash;
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    for entry in support::entries(&proj.join(".venv")) {
        std::os::unix::fs::lchown(&entry.0, Some(12345), None).expect("chown");
    }
    std::os::unix::fs::lchown(proj.join(".venv"), Some(12345), None).expect("chown");
    let mut session = from_rc(&sb, SH, "", "");
    session.lines(&[
        format!("autovenv allow {}", SH.quote(&proj)),
        format!("autovenv allow --list > {}", SH.quote(sb.out("list"))),
    ]);
    let shown = session.finish();
    assert!(
        sb.out_text("list").contains(&*proj.to_string_lossy()),
        "{}",
        shown.text
    );
    let line = shown.one_line_with("owned by");
    assert!(line.contains("autovenv: allowed"), "{}", shown.text);
}
