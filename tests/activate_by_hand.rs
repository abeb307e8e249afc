//! A venv's own `activate` run over autovenv's activation, out of habit: of another
//! project's venv or of the very venv autovenv activated. That venv is the user's from
//! then on, left alone until its `deactivate`, which must bring back the environment as
//! it was before autovenv — no stale `PATH` entry, prompt prefix or `_OLD_VIRTUAL_*`
//! variable. Real bash, zsh and fish (on a pseudo-terminal) with the `activate` scripts a
//! real `python3 -m venv` wrote.

mod support;

use std::path::Path;

use support::pty::Pty;
use support::{assert_same_env, parse_env, Sandbox, Shell};

/// The line that sources `venv`'s own activate script in `shell`.
fn source_activate(shell: Shell, venv: &Path) -> String {
    let script = match shell {
        Shell::Fish => venv.join("bin/activate.fish"),
        Shell::Tcsh => venv.join("bin/activate.csh"),
        _ => venv.join("bin/activate"),
    };
    format!("source {}", shell.quote(script))
}

/// A line that writes what the prompt shows to `file`.
fn dump_prompt(shell: Shell, file: &Path) -> String {
    match shell {
        Shell::Fish => format!("fish_prompt > {}", shell.quote(file)),
        Shell::Tcsh => shell.dump_var("prompt", file),
        _ => shell.dump_var("PS1", file),
    }
}

/// A line that writes the names of the `_OLD_VIRTUAL_*` variables, one per line, to `file`.
fn dump_saved_names(shell: Shell, file: &Path) -> String {
    let file = shell.quote(file);
    match shell {
        Shell::Bash => format!("compgen -v _OLD_VIRTUAL_ > {file}"),
        Shell::Zsh => format!("print -l ${{(k)parameters[(I)_OLD_VIRTUAL_*]}} > {file}"),
        Shell::Tcsh => format!("set | grep '^_OLD_VIRTUAL' > {file}"),
        _ => format!("set -n | string match '_OLD_VIRTUAL_*' > {file}"),
    }
}

/// A line that sets PYTHONHOME before autovenv activates, so that it must come back.
/// activate.csh knows nothing of PYTHONHOME, so in tcsh it stays unset.
fn pythonhome(shell: Shell) -> String {
    match shell {
        Shell::Tcsh => shell.export_line("AUTOVENV_TEST_UNUSED", "x"),
        _ => shell.export_line("PYTHONHOME", "/opt/pyhome"),
    }
}

/// Loads the hook in `shell`, types `lines` one prompt each, and returns what it showed.
fn run(sb: &Sandbox, shell: Shell, lines: &[String]) -> String {
    let mut all = vec![shell.hook_line()];
    all.extend_from_slice(lines);
    if shell != Shell::Fish {
        all.push("echo END-OF-SCRIPT".into());
        let run = sb.run(shell, &(all.join("\n") + "\n"));
        run.assert_ok();
        assert!(run.stdout().contains("END-OF-SCRIPT"), "{}", run.stderr());
        return run.stderr();
    }
    // fish fires its prompt event only on a terminal; typed, the marker reads `SY%sNC`,
    // only running it prints `SY<i>NC`.
    let mut cmd = sb.command(shell.program());
    cmd.args(shell.interactive_args());
    let mut term = Pty::spawn(cmd);
    for (i, line) in all.iter().enumerate() {
        term.line(line);
        term.line(&format!("builtin printf 'SY%sNC\\n' {i}"));
        term.expect(&format!("SY{i}NC"));
    }
    String::from_utf8_lossy(&term.seen).into_owned()
}

/// Asserts the environment after is the one before. CPython's `activate` exports PS1 (and
/// its `deactivate` leaves it exported): that is its doing, so PS1 is compared as the
/// prompt instead.
fn assert_restored(sb: &Sandbox) {
    let without_ps1 = |name: &str| {
        let mut env = parse_env(&sb.read_out(name));
        env.remove(std::ffi::OsStr::new("PS1"));
        env.into_iter()
            .flat_map(|(k, v)| {
                [
                    k.into_encoded_bytes(),
                    b"=".to_vec(),
                    v.into_encoded_bytes(),
                    vec![0],
                ]
            })
            .flatten()
            .collect::<Vec<u8>>()
    };
    assert_same_env(&without_ps1("before"), &without_ps1("after"));
    assert_eq!(text(sb, "prompt-after"), text(sb, "prompt-before"));
}

fn text(sb: &Sandbox, name: &str) -> String {
    String::from_utf8_lossy(&sb.read_out(name)).into_owned()
}

fn another_venv_over_ours_then_its_deactivate_restores_exactly(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    let other = sb.project_with_venv("other");
    sb.allow(&proj);
    let shown = run(
        &sb,
        shell,
        &[
            pythonhome(shell),
            format!("cd {}", shell.quote(&sb.root)),
            shell.dump_env(&sb.out("before")),
            dump_prompt(shell, &sb.out("prompt-before")),
            format!("cd {}", shell.quote(&proj)),
            source_activate(shell, &other.join(".venv")),
            shell.dump_var("VIRTUAL_ENV", &sb.out("by-hand")),
            shell.dump_var("PATH", &sb.out("path-by-hand")),
            "deactivate".into(),
            shell.dump_var("VIRTUAL_ENV", &sb.out("resumed")),
            shell.dump_var("PYTHONHOME", &sb.out("home-resumed")),
            format!("cd {}", shell.quote(&sb.root)),
            shell.dump_env(&sb.out("after")),
            dump_prompt(shell, &sb.out("prompt-after")),
            dump_saved_names(shell, &sb.out("saved")),
        ],
    );
    assert_eq!(text(&sb, "by-hand"), other.join(".venv").to_string_lossy());
    let ours = proj.join(".venv/bin").to_string_lossy().into_owned();
    assert!(!text(&sb, "path-by-hand").contains(&ours), "{shown}");
    assert_eq!(shown.matches("was activated by hand").count(), 1, "{shown}");
    // Its deactivate gave the shell back to autovenv, which activated the project again.
    assert_eq!(text(&sb, "resumed"), proj.join(".venv").to_string_lossy());
    assert_eq!(text(&sb, "home-resumed"), "<unset>");
    assert_restored(&sb);
    assert_eq!(text(&sb, "saved").trim(), "", "{shown}");
}

fn the_same_venv_over_ours_is_left_alone_and_its_deactivate_restores_exactly(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let venv = proj.join(".venv");
    let shown = run(
        &sb,
        shell,
        &[
            pythonhome(shell),
            format!("cd {}", shell.quote(&sb.root)),
            shell.dump_env(&sb.out("before")),
            dump_prompt(shell, &sb.out("prompt-before")),
            format!("cd {}", shell.quote(&proj)),
            source_activate(shell, &venv),
            shell.dump_var("PATH", &sb.out("path-inside")),
            dump_prompt(shell, &sb.out("prompt-inside")),
            format!("cd {}", shell.quote(&sb.root)),
            shell.dump_var("VIRTUAL_ENV", &sb.out("left")),
            "deactivate".into(),
            shell.dump_env(&sb.out("after")),
            dump_prompt(shell, &sb.out("prompt-after")),
            dump_saved_names(shell, &sb.out("saved")),
        ],
    );
    let bin = venv.join("bin").to_string_lossy().into_owned();
    let path = text(&sb, "path-inside");
    assert_eq!(path.split(':').filter(|e| *e == bin).count(), 1, "{path}");
    // tcsh cannot cut autovenv's prefix out from under the one activate.csh put in front
    // (csh has no such string operation); its deactivate still brings back the prompt.
    let prompt = text(&sb, "prompt-inside");
    let prefixes = if shell == Shell::Tcsh { 2 } else { 1 };
    assert_eq!(prompt.matches("(.venv) ").count(), prefixes, "{prompt:?}");
    // Activated by hand, it stays when the shell leaves the project, as `activate` does.
    assert_eq!(text(&sb, "left"), venv.to_string_lossy(), "{shown}");
    assert_restored(&sb);
    assert_eq!(text(&sb, "saved").trim(), "", "{shown}");
}

#[test]
fn bash_another_venv_over_ours() {
    another_venv_over_ours_then_its_deactivate_restores_exactly(Shell::Bash);
}

#[test]
fn bash_the_same_venv_over_ours() {
    the_same_venv_over_ours_is_left_alone_and_its_deactivate_restores_exactly(Shell::Bash);
}

#[test]
fn zsh_another_venv_over_ours() {
    another_venv_over_ours_then_its_deactivate_restores_exactly(Shell::Zsh);
}

#[test]
fn zsh_the_same_venv_over_ours() {
    the_same_venv_over_ours_is_left_alone_and_its_deactivate_restores_exactly(Shell::Zsh);
}

#[test]
fn fish_another_venv_over_ours() {
    another_venv_over_ours_then_its_deactivate_restores_exactly(Shell::Fish);
}

#[test]
fn fish_the_same_venv_over_ours() {
    the_same_venv_over_ours_is_left_alone_and_its_deactivate_restores_exactly(Shell::Fish);
}

#[test]
fn tcsh_another_venv_over_ours() {
    another_venv_over_ours_then_its_deactivate_restores_exactly(Shell::Tcsh);
}

#[test]
fn tcsh_the_same_venv_over_ours() {
    the_same_venv_over_ours_is_left_alone_and_its_deactivate_restores_exactly(Shell::Tcsh);
}
