//! nushell end to end: what only nushell has (`PATH` as a list, a `deactivate` defined
//! for good, `pre_prompt` hooks kept with the user's, paths that must be UTF-8, a child
//! nu). Its hooks run only in the REPL, so it runs on a terminal. The scenarios every
//! shell shares are in tests/scenarios.rs.

mod support;

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use support::session::{self, Session};
use support::{Sandbox, Shell};

const SH: Shell = Shell::Nu;

/// `PATH` stays the list nushell keeps it as; `deactivate`, which nushell cannot take
/// back once defined, says so when autovenv activated nothing.
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
    sb.assert_outs(&[
        ("path-kind", "list<string>"),
        ("ve", &*proj.join(".venv").to_string_lossy()),
    ]);
    shown.assert_count("nothing to deactivate", 1);
}

/// The venv's own activate.nu (virtualenv writes one), put over autovenv's activation of
/// it out of habit, shows one prefix and puts the venv's `bin` on PATH once. Its
/// `deactivate` (`overlay hide activate`) goes back to autovenv's activation, whose
/// `deactivate` turns it off: nushell gives a hook no way to tell that an overlay was
/// hidden, since hiding one takes back every change made while it was on.
#[test]
fn activate_nu_over_autovenvs_activation_shows_one_prefix_and_one_path_entry() {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    let venv = proj.join(".venv");
    let made = sb
        .command("python3")
        .args([
            "-m",
            "virtualenv",
            "-q",
            "--no-pip",
            "--no-setuptools",
            "--no-wheel",
        ])
        .arg(&venv)
        .output()
        .expect("run python3 -m virtualenv");
    assert!(
        made.status.success() && venv.join("bin/activate.nu").is_file(),
        "python3 -m virtualenv made no activate.nu: {}",
        String::from_utf8_lossy(&made.stderr)
    );
    sb.allow(&proj);
    let bin = SH.quote(venv.join("bin"));
    let count = |name: &str| {
        format!(
            "$env.PATH | where $it == {bin} | length | save -f {}",
            SH.quote(sb.out(name))
        )
    };
    let shown = session::run(
        &sb,
        SH,
        &[
            SH.cd_line(&proj),
            "overlay use .venv/bin/activate.nu".into(),
            SH.dump_prompt(&sb.out("prompt")),
            count("entries"),
            "deactivate".into(),
            SH.dump_prompt(&sb.out("back-prompt")),
            count("back-entries"),
            SH.dump_var("VIRTUAL_ENV", &sb.out("back")),
            "deactivate".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("off")),
            count("off-entries"),
        ],
    );
    sb.assert_outs_showing(
        &[
            ("prompt", "(.venv) > "),
            ("entries", "1"),
            ("back-prompt", "(.venv) > "),
            ("back-entries", "1"),
            ("back", &*venv.to_string_lossy()),
            ("off", "<unset>"),
            ("off-entries", "0"),
        ],
        &shown.text,
    );
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
    ]
    .into_iter()
    .chain(sb.child_shell_checks(SH))
    {
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
    sb.assert_outs(&[
        ("child-ve", &*venv.to_string_lossy()),
        ("child-prompt", "(.venv) child> "),
        ("child-after", "<unset>"),
        ("parent", &*venv.to_string_lossy()),
    ]);
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
    sb.assert_outs(&[
        ("weird", "<unset>"),
        ("proj", &*proj.join(".venv").to_string_lossy()),
    ]);
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
    sb.assert_outs(&[
        ("theme", "(.venv) theme> "),
        ("string", "(.venv) plain> "),
        ("left", "plain> "),
    ]);
}

/// nushell runs its hooks, `env_change.PWD` among them, only before a prompt: the rest of
/// a line with a `cd` in it runs with the environment the line started with (as the README
/// says), and the next prompt activates.
#[test]
fn a_cd_takes_effect_at_the_next_prompt() {
    let (sb, proj) = Sandbox::with_allowed_project();
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
            ("next-line", &*proj.join(".venv").to_string_lossy()),
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
    shown.assert_count("is not a directory", 0);
}
