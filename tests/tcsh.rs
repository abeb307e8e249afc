//! tcsh end to end: what only tcsh has (its `precmd` alias chained with the user's, its
//! prompt escapes, a child tcsh). The scenarios every shell shares, with the names tcsh
//! cannot write, are in tests/scenarios.rs.

mod support;

use support::session;
use support::{Sandbox, Shell};

const SH: Shell = Shell::Tcsh;

#[test]
fn a_child_shell_keeps_the_prefix_and_deactivate_and_users_precmd_is_kept() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.allow(&proj);
    sb.write(
        "home/.tcshrc",
        &format!("set prompt = 'child%% '\n{}\n", SH.hook_line()),
    );
    let child = sb.write(
        "child.csh",
        &[
            SH.dump_var("VIRTUAL_ENV", &sb.out("child-ve")),
            SH.dump_var("prompt", &sb.out("child-prompt")),
            "deactivate".into(),
            SH.dump_var("VIRTUAL_ENV", &sb.out("child-after")),
            "exit".into(),
        ]
        .join("\n"),
    );
    let log = sb.out("precmd");
    let run = session::run(
        &sb,
        SH,
        &[
            format!("alias precmd 'echo user-precmd >> {}'", SH.quote(&log)),
            SH.hook_line(),
            format!("alias precmd > {}", SH.quote(sb.out("alias"))),
            format!("cd {}", SH.quote(&proj)),
            format!("tcsh -i < {}", SH.quote(&child)),
            SH.dump_var("VIRTUAL_ENV", &sb.out("parent")),
        ],
    );
    let venv = proj.join(".venv");
    assert_eq!(sb.out_text("child-ve"), venv.to_string_lossy());
    assert_eq!(sb.out_text("child-prompt"), "(.venv) child%% ");
    assert_eq!(sb.out_text("child-after"), "<unset>");
    assert_eq!(sb.out_text("parent"), venv.to_string_lossy());
    assert_eq!(sb.out_text("alias").matches("_autovenv_precmd").count(), 1);
    assert!(sb.out_text("precmd").lines().count() >= 5, "{}", run.text);
}

#[test]
fn a_venv_prompt_with_code_and_percent_shows_literally() {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    support::make_venv(
        &proj.join(".venv"),
        &["--prompt", "$(touch pwned) `id` %d !"],
    );
    sb.allow(&proj);
    session::run(
        &sb,
        SH,
        &[
            format!("cd {}", SH.quote(&proj)),
            SH.dump_var("prompt", &sb.out("prompt")),
            SH.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
        ],
    );
    assert_eq!(sb.out_text("vep"), "$(touch pwned) `id` %d !");
    assert_eq!(sb.out_text("prompt"), "($(touch pwned) `id` %%d \\!) %% ");
    assert!(!proj.join("pwned").exists());
}
