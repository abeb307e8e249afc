//! Faults: whatever breaks around it, the shell stays usable, one clear line is shown,
//! and nothing of the user's environment is lost.

mod support;

use support::session;
use support::{assert_same_env, Sandbox, Shell};

const SH: Shell = Shell::Bash;

/// Runs `lines` in bash with the hook: the shell must get through all of them.
fn run(sb: &Sandbox, lines: &[String]) -> session::Shown {
    let shown = session::run(sb, SH, lines);
    assert!(!shown.text.contains("panicked"), "{}", shown.text);
    shown
}

#[test]
fn a_venv_deleted_while_active_is_deactivated_cleanly() {
    let sb = Sandbox::new();
    sb.write("home/.config/autovenv/config.toml", "auto_create = false\n");
    let proj = sb.project_with_venv("proj");
    sb.mkdir("proj/src");
    sb.allow(&proj);
    run(
        &sb,
        &[
            format!("cd {}", SH.quote(&sb.root)),
            SH.dump_env(&sb.out("before")),
            format!("cd {}", SH.quote(proj.join("src"))),
            "rm -rf ../.venv".into(),
            SH.dump_env(&sb.out("after")),
        ],
    );
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
}

#[test]
fn a_project_deleted_under_the_shell_is_left_cleanly() {
    let (sb, proj) = Sandbox::with_allowed_project_and_src();
    run(
        &sb,
        &[
            format!("cd {}", SH.quote(&sb.root)),
            SH.dump_env(&sb.out("before")),
            format!("cd {}", SH.quote(proj.join("src"))),
            format!("rm -rf {}", SH.quote(&proj)),
            SH.dump_env(&sb.out("after")),
        ],
    );
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
}

#[test]
fn an_emptied_path_is_not_lost_or_refilled() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let run = run(
        &sb,
        &[
            format!("cd {}", SH.quote(&proj)),
            "PATH=".into(),
            "cd /".into(),
            SH.dump_var("PATH", &sb.out("path")),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            "PATH=/usr/bin:/bin".into(),
        ],
    );
    sb.assert_outs(&[("path", ""), ("ve", "<unset>")]);
    run.assert_count("PATH no longer contains", 1);
}

#[test]
fn an_unset_home_still_works_from_the_xdg_directories() {
    let (sb, proj) = Sandbox::with_allowed_project();
    run(
        &sb,
        &[
            "unset HOME".into(),
            format!("cd {}", SH.quote(&proj)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        ],
    );
    assert_eq!(sb.out_text("ve"), proj.join(".venv").to_string_lossy());
}

#[test]
fn an_unusable_trust_store_is_one_clear_line() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    // The store's directory is a file: nothing can be read from or written to it.
    sb.write("home/.local/share/autovenv", "not a directory\n");
    let run = run(
        &sb,
        &[
            format!("cd {}", SH.quote(&proj)),
            format!("autovenv allow 2> {}", SH.quote(sb.out("allow-error"))),
            format!(
                "echo \"allow exit $?\" > {}",
                SH.quote(sb.out("allow-status"))
            ),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        ],
    );
    assert_eq!(sb.out_text("ve"), "<unset>");
    assert_eq!(sb.out_text("allow-status").trim(), "allow exit 1");
    let error = sb.out_text("allow-error");
    assert_eq!(error.lines().count(), 1, "{error}");
    assert!(
        error.contains("cannot record") && error.contains("trust store"),
        "{error}"
    );
    run.assert_count("not trusted", 1);
}

#[test]
fn an_unreadable_config_is_one_line_per_shell() {
    let (sb, proj) = Sandbox::with_allowed_project();
    sb.mkdir("home/.config/autovenv/config.toml");
    let run = run(
        &sb,
        &[
            format!("cd {}", SH.quote(&proj)),
            "cd /".into(),
            format!("cd {}", SH.quote(&proj)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        ],
    );
    run.assert_count("config.toml: cannot read it", 1);
    assert_eq!(sb.out_text("ve"), proj.join(".venv").to_string_lossy());
}

#[test]
fn a_full_disk_while_writing_trust_leaves_no_partial_entry() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    let store = sb.home().join(".local/share/autovenv/allow");
    // A file-size limit of zero makes every write fail as a full disk would.
    let out = sb
        .command("bash")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 0; exec autovenv allow")
        .current_dir(&proj)
        .env("PWD", &proj)
        .output()
        .expect("run allow");
    let error = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{error}");
    assert_eq!(error.lines().count(), 1, "{error}");
    assert!(error.contains("cannot record"), "{error}");
    let left: Vec<_> = std::fs::read_dir(&store)
        .map(|d| d.filter_map(Result::ok).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "partial trust files left: {left:?}");
    let status = sb.autovenv(&proj, &["status"]);
    assert!(String::from_utf8_lossy(&status.stdout).contains("not trusted"));
}
