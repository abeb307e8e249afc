//! nushell end to end: what only nushell has (`PATH` as a list, a `deactivate` that
//! nushell defines when it parses, activate.nu overlays, `pre_prompt` hooks kept with the
//! user's, paths that must be UTF-8, a child nu). Its hooks run only in the REPL, so it runs on a terminal. The scenarios every
//! shell shares are in tests/scenarios.rs.

mod support;

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use std::path::{Path, PathBuf};

use support::session::{self, Session};
use support::{Sandbox, Shell, Succeeds};

const SH: Shell = Shell::Nu;

/// `PATH` stays the list nushell keeps it as; `deactivate`, autovenv's when the user has
/// none of their own, says so when autovenv activated nothing.
#[test]
fn path_stays_a_list_and_deactivate_with_nothing_active_says_so() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let shown = Session::start(&sb, SH).run(&[
        "deactivate".into(),
        SH.cd_line(&proj),
        format!(
            "$env.PATH | describe | save -f {}",
            SH.quote(sb.out("path-kind"))
        ),
        SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
    ]);
    assert_eq!(sb.out_text("path-kind"), "list<string>");
    assert_eq!(sb.out_text("ve"), proj.join(".venv").to_string_lossy());
    assert_eq!(shown.count("nothing to deactivate"), 1, "{}", shown.text);
}

/// nushell started as users start it: `config.nu` holds `config` (after a line that turns
/// the banner off), and the hook is in the autoload directory, as the README's Shells
/// section puts it there; nushell loads it after `config.nu`.
fn start_with_config(sb: &Sandbox, config: &str) -> Session {
    let dir = sb.mkdir("home/.config/nushell");
    std::fs::write(
        dir.join("config.nu"),
        format!("$env.config.show_banner = false\n{config}\n"),
    )
    .expect("write config.nu");
    std::fs::write(dir.join("env.nu"), "").expect("write env.nu");
    let hook = sb.autovenv(&sb.root, &["hook", "nu"]);
    assert!(hook.status.success(), "autovenv hook nu failed");
    let autoload = sb.mkdir("home/.local/share/nushell/vendor/autoload");
    std::fs::write(autoload.join("autovenv.nu"), &hook.stdout).expect("write the hook");
    let mut nu = sb.command("nu");
    nu.env("NO_COLOR", "1");
    Session::begin(sb, SH, nu)
}

/// A project whose `.venv` virtualenv made, since CPython's venv writes no activate.nu.
fn project_with_a_virtualenv_venv(sb: &Sandbox) -> (PathBuf, PathBuf) {
    let proj = sb.project("proj");
    let venv = proj.join(".venv");
    sb.command("python3")
        .args([
            "-m",
            "virtualenv",
            "-q",
            "--no-pip",
            "--no-setuptools",
            "--no-wheel",
        ])
        .arg(&venv)
        .succeeds("python3 -m virtualenv");
    assert!(
        venv.join("bin/activate.nu").is_file(),
        "virtualenv wrote no activate.nu"
    );
    sb.allow(&proj);
    (proj, venv)
}

/// A line that saves how many times `venv`'s `bin` is on `PATH` to `out/NAME`.
fn count_bin_line(sb: &Sandbox, venv: &Path, name: &str) -> String {
    format!(
        "$env.PATH | where $it == {} | length | save -f {}",
        SH.quote(venv.join("bin")),
        SH.quote(sb.out(name))
    )
}

/// A `def deactivate` of the user's own in config.nu, which nushell runs before the hook
/// in the autoload directory, is theirs whenever autovenv's venv is off (before, between
/// and after visits to a project) and autovenv's while it is on.
#[test]
fn a_users_own_deactivate_in_config_nu_is_theirs_whenever_the_venv_is_off() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let told = SH.quote(sb.out("told"));
    let shown = start_with_config(
        &sb,
        &format!("def deactivate [] {{ 'mine;' | save -a {told} }}"),
    )
    .run(&[
        "deactivate".into(),
        SH.cd_line(&proj),
        SH.dump_var("VIRTUAL_ENV", &sb.out("on")),
        "deactivate".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("off")),
        "cd /".into(),
        "deactivate".into(),
        SH.cd_line(&proj),
        SH.dump_var("VIRTUAL_ENV", &sb.out("on-again")),
        "cd /".into(),
        "deactivate".into(),
    ]);
    let venv = proj.join(".venv").to_string_lossy().into_owned();
    sb.assert_outs_showing(
        &[
            ("on", &venv),
            ("off", "<unset>"),
            ("on-again", &venv),
            ("told", "mine;mine;mine;"),
        ],
        &shown.text,
    );
    assert_eq!(shown.count("nothing to deactivate"), 0, "{}", shown.text);
}

/// A `deactivate` typed at the prompt after the hook loaded is the user's too: theirs again
/// after a visit to a project. A program named `deactivate` on PATH (pyenv-virtualenv has
/// one) is not: it cannot turn anything off in nushell, so autovenv's stays and says so.
#[test]
fn a_deactivate_typed_later_is_the_users_and_a_program_on_path_is_not() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let bin = sb.mkdir("bin");
    let program = sb.write("bin/deactivate", "#!/bin/sh\necho a-program\n");
    std::fs::set_permissions(
        &program,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let told = SH.quote(sb.out("told"));
    let shown = start_with_config(
        &sb,
        &format!("$env.PATH = ($env.PATH | prepend {})", SH.quote(&bin)),
    )
    .run(&[
        "deactivate".into(),
        format!("def deactivate [] {{ 'typed;' | save -a {told} }}"),
        SH.cd_line(&proj),
        "deactivate".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("off")),
        "cd /".into(),
        "deactivate".into(),
    ]);
    assert_eq!(shown.count("a-program"), 0, "{}", shown.text);
    assert_eq!(shown.count("nothing to deactivate"), 1, "{}", shown.text);
    assert_eq!(sb.out_text("off"), "<unset>", "{}", shown.text);
    assert_eq!(sb.out_text("told"), "typed;", "{}", shown.text);
}

/// The venv's own activate.nu (virtualenv writes one), put over autovenv's activation of
/// it out of habit, shows one prefix and puts the venv's `bin` on PATH once; its
/// `deactivate` turns the venv off, and it stays off, prompt after prompt, until the user
/// leaves the project, as after autovenv's own `deactivate`.
#[test]
fn activate_nu_over_autovenvs_activation_takes_one_deactivate() {
    let sb = Sandbox::new();
    let (proj, venv) = project_with_a_virtualenv_venv(&sb);
    let shown = start_with_config(&sb, "").run(&[
        SH.cd_line(&proj),
        "overlay use .venv/bin/activate.nu".into(),
        SH.dump_prompt(&sb.out("prompt")),
        count_bin_line(&sb, &venv, "entries"),
        "deactivate".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("off")),
        SH.dump_prompt(&sb.out("off-prompt")),
        count_bin_line(&sb, &venv, "off-entries"),
        SH.dump_var("VIRTUAL_ENV", &sb.out("still-off")),
        "cd ..".into(),
        SH.cd_line(&proj),
        SH.dump_var("VIRTUAL_ENV", &sb.out("back")),
    ]);
    assert_eq!(sb.out_text("prompt"), "(.venv) > ", "{}", shown.text);
    assert_eq!(sb.out_text("entries"), "1", "{}", shown.text);
    assert_eq!(sb.out_text("off"), "<unset>", "{}", shown.text);
    assert_eq!(sb.out_text("off-prompt"), "> ", "{}", shown.text);
    assert_eq!(sb.out_text("off-entries"), "0", "{}", shown.text);
    assert_eq!(sb.out_text("still-off"), "<unset>", "{}", shown.text);
    assert_eq!(
        sb.out_text("back"),
        venv.to_string_lossy(),
        "{}",
        shown.text
    );
    assert_eq!(shown.count("autovenv: deactivated"), 1, "{}", shown.text);
}

#[test]
fn a_child_shell_keeps_the_prefix_and_users_hooks_are_kept() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let log = sb.out("user-hook");
    let mut session = Session::start(&sb, SH);
    for text in [
        format!(
            "$env.config.hooks.pre_prompt = ($env.config.hooks.pre_prompt | append {{|| 'x' | save -a {} }})",
            SH.quote(&log)
        ),
        SH.hook_line(),
        format!(
            "$env.config.hooks.pre_prompt | length | save -f {}",
            SH.quote(sb.out("hooks"))
        ),
        format!("cd {}", SH.quote(&proj)),
        "nu --no-config-file --execute \"$env.config.show_banner = false; $env.PROMPT_COMMAND = {|| 'child> ' }; source ~/autovenv.nu\"".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("child-ve")),
        SH.dump_prompt(&sb.out("child-prompt")),
        "deactivate".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("child-after")),
        "exit".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("parent")),
    ] {
        // A line editor taking over the terminal drops what was typed ahead: wait
        // until the child's, then the parent's, prompt is drawn again.
        if text.starts_with("nu ") {
            let pty = session.pty();
            pty.line(&text);
            // (The typed line holds "child> " too, but not after the prefix.)
            pty.expect("(.venv) child> ");
            pty.expect("\x1b[?25h");
        } else if text == "exit" {
            let pty = session.pty();
            pty.line(&text);
            pty.expect("(.venv) > ");
            pty.expect("\x1b[?25h");
        } else {
            session.line(&text);
        }
    }
    session.finish();
    let venv = proj.join(".venv");
    assert_eq!(sb.out_text("hooks"), "2", "loaded twice, registered once");
    assert!(
        sb.out_text("user-hook").len() >= 5,
        "the user's hook must keep running"
    );
    assert_eq!(sb.out_text("child-ve"), venv.to_string_lossy());
    assert_eq!(sb.out_text("child-prompt"), "(.venv) child> ");
    assert_eq!(sb.out_text("child-after"), "<unset>");
    assert_eq!(sb.out_text("parent"), venv.to_string_lossy());
}

/// nushell cannot hold a path that is not UTF-8 (its strings are UTF-8, so it refuses to
/// `cd` there itself); the hook stays quiet and keeps working.
#[test]
fn a_path_that_is_not_utf8_leaves_the_shell_working() {
    let sb = Sandbox::new();
    let weird = sb.project(OsString::from_vec(b"bytes\xff\xfe".to_vec()));
    sb.link_venv(&weird.join(".venv"));
    sb.allow(&weird);
    let proj = sb.allowed_project("proj");
    let shown = Session::start(&sb, SH).run(&[
        format!("cd {}", SH.quote(&sb.root)),
        "try { cd (ls | where name starts-with bytes | get name.0) } catch { print cd-refused }"
            .into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("weird")),
        format!("cd {}", SH.quote(&proj)),
        SH.dump_var("VIRTUAL_ENV", &sb.out("proj")),
    ]);
    assert_eq!(sb.out_text("weird"), "<unset>");
    assert_eq!(sb.out_text("proj"), proj.join(".venv").to_string_lossy());
    assert_eq!(
        shown.count("autovenv:"),
        1,
        "only the activation: {}",
        shown.text
    );
}

/// A prompt set after the hook is loaded (as themes and starship's init do) still gets
/// the prefix, once, and loses it on leaving.
#[test]
fn a_prompt_set_after_the_hook_gets_the_prefix() {
    let (sb, proj) = Sandbox::with_allowed_project();
    Session::start(&sb, SH).run(&[
        "$env.PROMPT_COMMAND = {|| 'theme> ' }".into(),
        SH.cd_line(&proj),
        SH.dump_prompt(&sb.out("theme")),
        "$env.PROMPT_COMMAND = 'plain> '".into(),
        SH.dump_prompt(&sb.out("string")),
        SH.cd_line(&sb.root),
        SH.dump_prompt(&sb.out("left")),
    ]);
    assert_eq!(sb.out_text("theme"), "(.venv) theme> ");
    assert_eq!(sb.out_text("string"), "(.venv) plain> ");
    assert_eq!(sb.out_text("left"), "plain> ");
}

/// nushell runs its hooks, `env_change.PWD` among them, only before a prompt: the rest of
/// a line with a `cd` in it runs with the environment the line started with (as the README
/// says), and the next prompt activates.
#[test]
fn a_cd_takes_effect_at_the_next_prompt() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    let shown = session::run(
        &sb,
        SH,
        &[
            format!(
                "{}; {}",
                SH.cd_line(&proj),
                SH.dump_var("VIRTUAL_ENV", &sb.out("same-line"))
            ),
            SH.dump_var("VIRTUAL_ENV", &sb.out("next-line")),
        ],
    );
    sb.assert_outs_showing(
        &[
            ("same-line", "<unset>"),
            ("next-line", &proj.join(".venv").to_string_lossy()),
        ],
        &shown.text,
    );
}

/// `autovenv allow ~/proj` names the directory under `$HOME`, as it does when nushell runs
/// the program itself: the hook's `autovenv` command expands a leading `~` as nushell
/// does for an external command's words.
#[test]
fn autovenv_expands_a_leading_tilde_as_an_external_command_would() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("home/proj");
    let shown = Session::start(&sb, SH).run(&[
        "autovenv allow ~/proj".into(),
        "cd ~/proj".into(),
        SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
    ]);
    assert_eq!(
        sb.out_text("ve"),
        proj.join(".venv").to_string_lossy(),
        "{}",
        shown.text
    );
    assert_eq!(shown.count("is not a directory"), 0, "{}", shown.text);
}
