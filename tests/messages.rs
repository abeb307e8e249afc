//! What autovenv says is what happens: broken venvs it cannot use, `allow`, `status`,
//! `reload` and the command line, each checked in real shells against real venvs.

#[macro_use]
mod support;

use std::path::Path;

use support::session::Session;
use support::{Sandbox, Shell, Succeeds};

scenario!(a_pyvenv_cfg_of_garbage_is_a_broken_venv in bash zsh fish);
scenario!(a_venv_that_is_a_file_is_said_so_and_status_agrees in bash zsh fish tcsh);
scenario!(allow_says_what_really_happens in bash zsh fish);
scenario!(status_after_a_failed_creation_says_this_shells_next_step in bash zsh fish tcsh elvish nushell xonsh);
scenario!(reload_applies_the_edited_prompt_and_honours_quiet in bash zsh fish tcsh elvish nushell xonsh);
scenario!(create_where_the_path_has_a_colon_says_nothing_was_made in bash zsh);
scenario!(the_untrusted_notice_does_not_promise_a_venv_with_auto_create_off in bash fish);

/// `autovenv ARGS` typed at the prompt (through the hook's function), its stdout in `file`.
fn typed(shell: Shell, args: &str, file: &Path) -> String {
    format!("autovenv {args} > {}", shell.quote(file))
}

fn a_pyvenv_cfg_of_garbage_is_a_broken_venv(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    // bin/python works; only pyvenv.cfg is not a venv's.
    std::fs::write(proj.join(".venv/pyvenv.cfg"), "garbage\n[x]\n").expect("write");
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        typed(shell, "status", &sb.out("status")),
    ]);
    assert_eq!(sb.out_text("ve"), "<unset>", "{}", shown.text);
    let line = shown.one_line_with("pyvenv.cfg that lacks the `home` and `version` keys");
    assert!(line.contains("autovenv create --force"), "{}", line);
    let status = sb.out_text("status");
    assert!(!status.contains("healthy"), "{status}");
    // The hook has told this shell already, so its next step is nothing.
    assert!(
        status.contains("plan:       nothing, because the venv cannot be activated"),
        "{status}"
    );
}

fn a_venv_that_is_a_file_is_said_so_and_status_agrees(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    sb.allow(&proj);
    // Empty: a `.venv` file naming an environment is a pointer (tests/sources.rs).
    std::fs::write(proj.join(".venv"), "\n").expect("write");
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        typed(shell, "status", &sb.out("status")),
        typed(shell, "create", &sb.out("create")),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
    ]);
    assert_eq!(sb.out_text("ve"), "<unset>");
    assert_eq!(
        std::fs::read_to_string(proj.join(".venv")).ok().as_deref(),
        Some("\n")
    );
    shown.assert_count("os error", 0);
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
    assert!(
        status.contains("because the venv cannot be activated"),
        "{status}"
    );
}

fn allow_says_what_really_happens(shell: Shell) {
    let sb = Sandbox::new();
    let plain = sb.mkdir("plain");
    let broken = sb.project_with_venv("broken");
    std::fs::remove_file(broken.join(".venv/bin/python")).expect("rm python");
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&plain),
        "autovenv allow".into(),
        "autovenv allow /".into(),
        shell.cd_line(&broken),
        "autovenv allow".into(),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
    ]);
    assert_eq!(sb.out_text("ve"), "<unset>");
    shown.assert_count("is created and activated", 0);
    shown.assert_count("activates at the next prompt", 0);
    for dir in [plain.as_path(), Path::new("/")] {
        let lines = shown.lines_with(&format!(
            "allowed {}, but it is not a Python project, so nothing happens there",
            dir.display()
        ));
        assert_eq!(lines.len(), 1, "{}", shown.text);
        assert!(lines[0].contains("pyproject.toml"), "{}", lines[0]);
    }
    let line = shown.one_line_with(&format!(
        "allowed {}, but its venv will not activate: ",
        broken.display()
    ));
    assert!(line.contains("has no bin/python"), "{}", line);
}

fn status_after_a_failed_creation_says_this_shells_next_step(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    sb.allow(&proj);
    sb.write(
        "home/.config/autovenv/config.toml",
        "creator = \"venv\"\npython = \"python9.99\"\n",
    );
    let shown = Session::start(&sb, shell).run(&[shell.cd_line(&proj), "autovenv status".into()]);
    assert!(!proj.join(".venv").exists());
    shown.assert_count("python9.99", 1);
    shown.assert_count("plan:       create", 0);
    shown.assert_count(
        "plan:       nothing, because creating its venv failed in this shell",
        1,
    );
}

fn reload_applies_the_edited_prompt_and_honours_quiet(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.allowed_project("myproj");
    sb.mkdir("home/.config/autovenv");
    let edited = sb.write("edited.toml", "prompt = \"{project}\"\nquiet = true\n");
    let config = sb.path("home/.config/autovenv/config.toml");
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("before")),
        // The config is edited while the venv is active.
        shell.external(&format!(
            "cp {} {}",
            shell.quote(&edited),
            shell.quote(&config)
        )),
        "autovenv reload".into(),
        shell.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("after")),
        shell.dump_prompt(&sb.out("prompt")),
    ]);
    let venv = proj.join(".venv");
    assert_eq!(
        sb.out_text("before"),
        support::activate_prompt(&venv, ".venv")
    );
    assert_eq!(
        sb.out_text("after"),
        support::activate_prompt(&venv, "myproj"),
        "{}",
        shown.text
    );
    let prompt = sb.out_text("prompt");
    assert!(
        prompt.starts_with("(myproj) ") && !prompt.contains(".venv"),
        "{prompt:?}"
    );
    shown.assert_count("evaluating again", 0);
}

fn create_where_the_path_has_a_colon_says_nothing_was_made(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project("a:b");
    let shown = Session::start(&sb, shell).run(&[shell.cd_line(&proj), "autovenv create".into()]);
    let line = shown.one_line_with("has ':' in its path");
    assert!(line.contains("so no venv was made there"), "{}", line);
    assert!(!proj.join(".venv").exists());
}

#[test]
fn exec_without_dashes_help_and_list_with_a_directory_are_understood() {
    let (sb, proj) = Sandbox::with_allowed_project_and_src();
    let venv = proj.join(".venv");
    // As `uv run python …` is typed: no `--`, and the command's own options; then with
    // the directory first.
    for args in [&["exec"][..], &["exec", "src"]] {
        let args = [args, &["python", "-c", "import sys; print(sys.prefix)"]].concat();
        let out = sb.autovenv_command(&proj, &args).succeeds("autovenv exec");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            venv.display().to_string()
        );
    }

    let out = sb.autovenv(&proj, &["help"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: autovenv"));
    let out = sb.autovenv(&proj, &["help", "exec"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: autovenv exec"));

    let out = sb.autovenv(&proj, &["allow", "--list", "/x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("usage:"), "{err}");
    assert!(err.contains("`autovenv allow --list`"), "{err}");
}

fn the_untrusted_notice_does_not_promise_a_venv_with_auto_create_off(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    sb.write("home/.config/autovenv/config.toml", "auto_create = false\n");
    let shown = Session::start(&sb, shell).run(&[shell.cd_line(&proj)]);
    let line = shown.one_line_with("is a Python project without a venv");
    assert!(!line.contains("to create and activate one"), "{}", line);
    assert!(line.contains("`autovenv create`"), "{}", line);
}
