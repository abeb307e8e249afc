//! The generated shell code passes each shell's own checker: shellcheck for bash, the
//! shell's own parser for zsh, fish and tcsh.

mod support;

use std::process::Command;

use support::{Sandbox, Shell, Succeeds};

/// Runs shellcheck on `code`, minus the checks in `exclude`. For the export code those are
/// SC2034 ("appears unused": the variables are exported for other programs) and SC2016
/// ("expressions don't expand in single quotes": paths holding `$(…)` are data, quoted
/// on purpose).
fn shellcheck(code: &[u8], exclude: &str) -> String {
    let mut cmd = Command::new("shellcheck");
    cmd.args(["-s", "bash", "-e", exclude, "-"]);
    let out = support::run_with_stdin(cmd, code).output;
    if out.status.success() {
        String::new()
    } else {
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

#[test]
fn the_bash_hook_passes_shellcheck() {
    let sb = Sandbox::new();
    let out = sb.autovenv(&sb.root, &["hook", "bash"]);
    assert!(out.status.success());
    let report = shellcheck(&out.stdout, "SC1091");
    assert!(report.is_empty(), "{report}");
}

#[test]
fn every_kind_of_bash_export_passes_shellcheck() {
    let sb = Sandbox::new();
    let [proj, other] = ["it's $(x) `y`", "other"].map(|p| sb.allowed_project(p));
    let untrusted = sb.project_with_venv("untrusted");
    let export = |dir: &std::path::Path, env: &[(&str, &std::ffi::OsStr)]| {
        sb.autovenv_command(dir, &["export", "bash"])
            .envs(env.iter().copied())
            .succeeds("autovenv export bash")
            .stdout
    };
    let activate = export(&proj, &[]);
    assert!(String::from_utf8_lossy(&activate).contains("export VIRTUAL_ENV="));
    // Find the state that activation would leave, to render a switch and a deactivation.
    let text = String::from_utf8_lossy(&activate).into_owned();
    let state_line = text
        .lines()
        .find(|l| l.contains("AUTOVENV_STATE="))
        .expect("state line");
    let state = state_line
        .split_once('=')
        .map(|(_, v)| v.trim_matches('\''))
        .expect("state value");
    let venv = proj.join(".venv");
    let mut path = venv.join("bin").into_os_string();
    path.push(":/usr/bin:/bin");
    let active = [
        ("AUTOVENV_STATE", std::ffi::OsStr::new(state)),
        ("VIRTUAL_ENV", venv.as_os_str()),
        ("PATH", path.as_os_str()),
    ];
    for code in [
        activate.clone(),
        export(&other, &active),
        export(&sb.root, &active),
        export(&untrusted, &[]),
        export(
            &proj,
            &[("AUTOVENV_STATE", std::ffi::OsStr::new("garbage"))],
        ),
    ] {
        let report = shellcheck(&code, "SC2034,SC2016");
        assert!(
            report.is_empty(),
            "{}\n{report}",
            String::from_utf8_lossy(&code)
        );
    }
}

/// The hook and an activation for a project whose name is code in every shell parse in
/// zsh (`-n`), fish (`--no-execute`) and tcsh (`-n`).
#[test]
fn the_generated_code_parses_in_its_shell() {
    let sb = Sandbox::new();
    let proj = sb.project("it's $(x) (y) `z` \\ % {a,b} !");
    sb.link_venv(&proj.join(".venv"));
    sb.allow(&proj);
    for (shell, check) in [
        (Shell::Zsh, "-n"),
        (Shell::Fish, "--no-execute"),
        (Shell::Tcsh, "-n"),
    ] {
        let hook = sb.autovenv(&sb.root, &["hook", shell.program()]);
        let export = sb.autovenv(&proj, &["export", shell.program()]);
        assert!(hook.status.success() && export.status.success());
        let activation = String::from_utf8_lossy(&export.stdout).into_owned();
        assert!(
            activation.contains("_autovenv_prompt_show"),
            "{shell:?}: {activation}"
        );
        for code in [hook.stdout, export.stdout] {
            let file = sb.out("code");
            std::fs::write(&file, &code).expect("write code");
            let what = format!("{shell:?} {check} on\n{}\n", String::from_utf8_lossy(&code));
            sb.command(shell.program())
                .arg(check)
                .arg(&file)
                .succeeds(&what);
        }
    }
}
