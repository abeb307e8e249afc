//! The config file and `AUTOVENV_TRUSTED_ROOTS` in real shells: every valid key applies
//! whatever else is wrong, every problem is one line (once per shell) saying what is in
//! effect, and a trusted root that is not an absolute path trusts nothing.

#[macro_use]
mod support;

use std::path::Path;

use support::session::{self, Session};
use support::{Sandbox, Shell};

scenario!(a_typo_does_not_undo_the_valid_keys in bash zsh fish);
scenario!(trusted_roots_that_are_not_absolute_trust_nothing in bash zsh tcsh);
scenario!(a_syntax_error_says_the_file_is_ignored_with_line_and_column in bash fish);

fn config(sb: &Sandbox, text: &str) {
    sb.write("home/.config/autovenv/config.toml", text);
}

fn a_typo_does_not_undo_the_valid_keys(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project("code/proj");
    sb.allow(&proj);
    // `Creator` sorts before `auto_create`, `zquiet` after it: neither may drop it.
    config(
        &sb,
        "auto_create = false\nCreator = \"venv\"\nzquiet = true\n",
    );
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        shell.cd_line(Path::new("/")),
        shell.cd_line(&proj),
    ]);
    assert!(!proj.join(".venv").exists(), "{}", shown.text);
    shown.assert_count("auto_create is off", 1);
    let creator = shown.one_line_with("unknown key `Creator`");
    assert!(
        creator.contains("config.toml:2: ") && creator.contains("did you mean `creator`?"),
        "{}",
        creator
    );
    let line = shown.one_line_with("unknown key `zquiet`");
    assert!(line.contains("config.toml:3: ") && line.contains("`quiet`"));
    shown.assert_count("defaults", 0);
}

fn trusted_roots_that_are_not_absolute_trust_nothing(shell: Shell) {
    let sb = Sandbox::new();
    let code = sb.mkdir("home/code");
    let proj = sb.project_with_venv("elsewhere/proj");
    // Before the fix: "" trusted every directory, "." and "$HOME/code" the directory the
    // shell was in.
    config(
        &sb,
        &format!(
            "trusted_roots = [\"\", \".\", \"$HOME/code\", {}]\n",
            toml_string(&code)
        ),
    );
    let shown = session::run_with_env(
        &sb,
        shell,
        &[("AUTOVENV_TRUSTED_ROOTS", "relative/dir:/abs")],
        &[
            shell.cd_line(&proj),
            shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
            shell.cd_line(Path::new("/")),
            shell.cd_line(&proj),
        ],
    );
    assert_eq!(sb.out_text("ve"), "<unset>", "{}", shown.text);
    shown.assert_count("has a venv but is not trusted", 1);
    for entry in ["\"\"", "\".\"", "\"$HOME/code\""] {
        let lines = shown.lines_with(&format!("trusted_roots entry {entry} "));
        assert_eq!(lines.len(), 1, "{entry}: {}", shown.text);
        assert!(lines[0].contains("config.toml:1: "), "{}", lines[0]);
    }
    assert_eq!(
        shown
            .lines_with("AUTOVENV_TRUSTED_ROOTS: entry \"relative/dir\" is not an absolute path")
            .len(),
        1,
        "{}",
        shown.text
    );
    // The valid entry is still in effect.
    let inside = sb.project_with_venv("home/code/inside");
    let out = sb.autovenv(&inside, &["status", "--json"]);
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(json.contains("\"trusted_by\": \"trusted_root\""), "{json}");
}

fn a_syntax_error_says_the_file_is_ignored_with_line_and_column(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    config(&sb, "quiet = true\nauto_create = tru\n");
    let shown = Session::start(&sb, shell).run(&[shell.cd_line(&proj)]);
    let line = shown.one_line_with("config.toml:2:15: ");
    assert!(line.contains("the whole file is ignored"), "{}", line);
    // Ignored, so `quiet` is its default: the activation is told.
    shown.assert_count("autovenv: activated", 1);
}

fn toml_string(path: &Path) -> String {
    format!("\"{}\"", path.display())
}
