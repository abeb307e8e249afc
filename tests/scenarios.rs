//! The scenarios every shell must pass, written once and run in each shell they apply to:
//! a real interactive shell (see `support::session`), real venvs from a real python3. Each
//! test is named `SCENARIO::SHELL`. What only one shell has (its prompt mechanics, its
//! own hooks, strict modes) is in that shell's own file.

#[macro_use]
mod support;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use support::session::{self, plain_prompt, Session};
use support::{activate_prompt, activate_wraps_name, assert_same_env, parse_env, Sandbox, Shell};

scenario!(entering_a_trusted_project_activates_like_bin_activate);
scenario!(quiet_silences_the_activation_line);
scenario!(leaving_restores_exactly_and_keeps_the_users_edits);
scenario!(cd_from_one_project_into_another_switches_in_one_step);
scenario!(an_untrusted_project_is_not_activated_and_told_once);
scenario!(allow_at_the_prompt_activates_and_deny_silences);
scenario!(deactivate_keeps_the_project_off_until_you_leave);
scenario!(deactivate_nondestructive_restores_without_turning_off);
scenario!(a_venv_activated_by_hand_is_left_alone_until_deactivated);
scenario!(the_same_venv_activated_by_hand_over_ours_is_the_users in bash zsh fish tcsh);
// tcsh, nushell and xonsh start their child shells in their own files.
scenario!(a_child_shell_keeps_the_venv_prefix_and_deactivate in bash zsh fish elvish);
scenario!(awkward_directory_names_activate_and_restore_without_running_anything);
scenario!(every_byte_in_a_path_round_trips in bash zsh fish elvish xonsh);
scenario!(a_venv_named_in_the_prompt_with_code_in_it_shows_literally in bash zsh fish elvish nushell xonsh);
scenario!(a_path_with_a_colon_is_refused_clearly);
scenario!(a_corrupted_state_warns_once_and_still_takes_the_venv_off);
scenario!(deactivate_after_a_corrupted_state_takes_the_venv_off);
scenario!(a_shell_whose_profile_rebuilt_path_gets_the_venv_back);
scenario!(a_virtual_env_that_is_gone_is_told_once);
scenario!(broken_venvs_are_not_activated_and_say_why);
scenario!(a_missing_binary_is_reported_once_and_the_shell_keeps_working);
scenario!(a_venv_made_or_removed_without_cd_is_noticed);
scenario!(what_appears_or_vanishes_below_the_project_root_is_noticed_without_cd);
scenario!(the_project_root_reached_by_a_cd_inside_notices_its_venv_without_cd);
scenario!(a_venv_made_in_a_subdirectory_while_at_the_root_counts_once_you_enter_it in bash zsh fish);
scenario!(trusted_roots_trust_whole_trees_by_component);
scenario!(a_malformed_config_is_one_line_naming_file_line_and_key);
scenario!(reload_forgets_deactivate_and_evaluates_again);
scenario!(the_nearest_venv_wins_and_the_walk_stops_at_the_repository_root);
scenario!(virtual_env_disable_prompt_leaves_the_prompt_alone);
// fish's is checked in tests/fish.rs: here each fish line is followed by a marker line,
// which sets the status itself.
scenario!(the_exit_status_survives_a_prompt_that_ran_the_binary in bash zsh tcsh nushell xonsh);
scenario!(loading_twice_registers_once);
scenario!(ordinary_prompts_and_cds_inside_a_project_start_no_process);
scenario!(a_dangling_venv_link_below_the_project_root_costs_no_process_a_prompt in bash zsh fish);
// The shells that evaluate on a cd (the others only at a prompt).
scenario!(a_cd_in_a_command_line_activates_at_once_but_creates_only_at_a_prompt in bash zsh fish tcsh elvish);
scenario!(a_users_own_deactivate_is_back_when_the_venv_is_off in bash zsh fish);
scenario!(a_symlinked_path_and_its_target_are_the_same_venv);
// The shells whose venvs ship an activate script (tcsh's is the other hook's own work),
// and xonsh, where the venv is turned on and off by setting and deleting $VIRTUAL_ENV
// (`vox` is in tests/xonsh.rs).
scenario!(the_projects_venv_activated_and_deactivated_by_hand_stays_off in bash zsh fish xonsh);
// The shells whose `deactivate` a habitual `source .venv/bin/activate` replaces.
scenario!(activate_and_deactivate_by_hand_on_one_line_stays_off_until_you_leave in bash zsh);
// The shells whose venvs ship an activate script to compare with.
scenario!(the_environment_is_the_venvs_own_activates_for_each_python_version in bash zsh fish tcsh);

fn text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Whether `shell` can go to a directory called `name` at all: nushell holds paths as
/// UTF-8 text, and its `cd` drops C0 control characters (a tab or newline survives only
/// inside a name).
fn expressible(shell: Shell, name: &[u8]) -> bool {
    match shell {
        Shell::Nu => std::str::from_utf8(name).is_ok_and(|s| {
            let inner = s.trim_end_matches(['\t', '\n']);
            s.len() == inner.len() && !inner.chars().any(|c| c < ' ' && c != '\t' && c != '\n')
        }),
        _ => true,
    }
}

/// Whether autovenv refuses, with one line, to activate a venv at `path` in `shell`:
/// tcsh cannot write a newline in its own syntax.
fn refused(shell: Shell, path: &Path) -> bool {
    shell == Shell::Tcsh && path.as_os_str().as_bytes().contains(&b'\n')
}

/// `shown` is what the prompt shows with a project's `.venv` active: one prefix before
/// the prompt (exactly the session's plain prompt where it sets one).
fn assert_prefixed(shell: Shell, shown: &str) {
    match plain_prompt(shell) {
        Some(plain) => assert_eq!(shown, format!("(.venv) {plain}")),
        None => assert!(
            shown.starts_with("(.venv) ") && shown.matches("(.venv)").count() == 1,
            "{shown:?}"
        ),
    }
}

fn entering_a_trusted_project_activates_like_bin_activate(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("code/proj");
    sb.mkdir("code/proj/src");
    sb.allow(&proj);
    let shown = Session::start(&sb, shell).run(&[
        shell.export_line("PYTHONHOME", "/opt/pyhome"),
        shell.cd_line(&proj.join("src")),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        shell.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
        shell.dump_var("PYTHONHOME", &sb.out("ph")),
        shell.dump_var("PATH", &sb.out("path")),
        shell.dump_prompt(&sb.out("prompt")),
        shell.which_line("python", &sb.out("python")),
        shell.external_to_file(
            "python -c 'import sys; print(sys.prefix)'",
            &sb.out("prefix"),
        ),
    ]);
    let venv = proj.join(".venv");
    sb.assert_outs(&[
        ("ve", &*text(&venv)),
        ("vep", &*activate_prompt(&venv, ".venv")),
        ("ph", "<unset>"),
    ]);
    assert!(sb
        .out_text("path")
        .starts_with(&format!("{}/bin:", venv.display())));
    assert_prefixed(shell, &sb.out_text("prompt"));
    assert_eq!(sb.out_text("python").trim(), text(&venv.join("bin/python")));
    assert_eq!(sb.out_text("prefix").trim(), text(&venv));
    shown.assert_count("autovenv: activated", 1);
}

fn quiet_silences_the_activation_line(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    let shown = Session::start(&sb, shell).run(&[
        shell.export_line("AUTOVENV_QUIET", "1"),
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        shell.cd_line(Path::new("/")),
    ]);
    assert_eq!(sb.out_text("ve"), text(&proj.join(".venv")));
    shown.assert_count("autovenv:", 0);
}

/// With `VIRTUAL_ENV`, `VIRTUAL_ENV_PROMPT` and `PYTHONHOME` unset, empty or set before,
/// one after the other in one shell.
fn leaving_restores_exactly_and_keeps_the_users_edits(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    let set = |name: &str, value: Option<&str>| match value {
        Some(value) => shell.export_line(name, value),
        None => shell.unset_line(name),
    };
    let setups = [
        (None, None, None),
        (None, Some(""), Some("/opt/home")),
        (Some(""), None, Some("")),
        (None, None, Some("/opt/pyhome")),
    ];
    let mut lines = Vec::new();
    for (i, (ve, vep, ph)) in setups.iter().enumerate() {
        let out = |tag: &str| sb.out(&format!("{tag}{i}"));
        lines.extend([
            set("VIRTUAL_ENV", *ve),
            set("VIRTUAL_ENV_PROMPT", *vep),
            set("PYTHONHOME", *ph),
            shell.unset_line("USER_VAR"),
            shell.cd_line(&sb.root),
            shell.dump_env(&out("before")),
            shell.dump_prompt(&out("prompt-before")),
            shell.cd_line(&proj),
            shell.dump_env(&out("inside")),
            shell.cd_line(&sb.root),
            shell.dump_env(&out("after")),
            shell.dump_prompt(&out("prompt-after")),
            shell.cd_line(&proj),
            shell.append_path_line("/extra/bin"),
            shell.export_line("USER_VAR", "kept"),
            shell.cd_line(&sb.root),
            shell.dump_env(&out("edited")),
        ]);
    }
    session::run(&sb, shell, &lines);
    for (i, setup) in setups.iter().enumerate() {
        let read = |tag: &str| sb.read_out(&format!("{tag}{i}"));
        let inside = parse_env(&read("inside"));
        assert!(inside.contains_key(OsStr::new("VIRTUAL_ENV")), "{setup:?}");
        assert_same_env(&read("before"), &read("after"));
        assert_eq!(read("prompt-before"), read("prompt-after"), "{setup:?}");
        assert!(!read("prompt-after").is_empty());
        let before = parse_env(&read("before"));
        let edited = parse_env(&read("edited"));
        let mut path = before[OsStr::new("PATH")].clone();
        path.push(":/extra/bin");
        assert_eq!(edited[OsStr::new("PATH")], path, "{setup:?}");
        assert_eq!(edited[OsStr::new("USER_VAR")], "kept", "{setup:?}");
    }
}

fn cd_from_one_project_into_another_switches_in_one_step(shell: Shell) {
    let sb = Sandbox::new();
    let a = sb.allowed_project("a");
    let b = sb.allowed_project("b");
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&a),
        shell.cd_line(&b),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        shell.dump_var("PATH", &sb.out("path")),
        shell.dump_prompt(&sb.out("prompt")),
    ]);
    assert_eq!(sb.out_text("ve"), text(&b.join(".venv")));
    let path = sb.out_text("path");
    assert!(path.starts_with(&format!("{}/bin:", b.join(".venv").display())));
    assert!(!path.contains(&text(&a.join(".venv"))), "{path}");
    assert_prefixed(shell, &sb.out_text("prompt"));
    shown.assert_count("switched to", 1);
}

fn an_untrusted_project_is_not_activated_and_told_once(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.mkdir("proj/src");
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        shell.cd_line(&proj.join("src")),
        shell.cd_line(Path::new("/")),
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
    ]);
    assert_eq!(sb.out_text("ve"), "<unset>");
    let told = format!(
        "{} has a venv but is not trusted: run `autovenv allow`",
        proj.display()
    );
    assert_eq!(shown.count(&told), 1, "{}", shown.text);
    shown.assert_count("not trusted", 1);
}

fn allow_at_the_prompt_activates_and_deny_silences(shell: Shell) {
    let sb = Sandbox::new();
    let allowed = sb.project_with_venv("allowed");
    let denied = sb.project_with_venv("denied");
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&allowed),
        "autovenv allow".into(),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        shell.cd_line(&denied),
        "autovenv deny".into(),
        shell.cd_line(Path::new("/")),
        shell.cd_line(&denied),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve2")),
    ]);
    sb.assert_outs(&[("ve", &*text(&allowed.join(".venv"))), ("ve2", "<unset>")]);
    shown.assert_count("not trusted", 2);
}

fn deactivate_keeps_the_project_off_until_you_leave(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project_and_src();
    Session::start(&sb, shell).run(&[
        shell.cd_line(&sb.root),
        shell.dump_env(&sb.out("before")),
        shell.cd_line(&proj),
        shell.dump_prompt(&sb.out("prompt-on")),
        "deactivate".into(),
        shell.dump_env(&sb.out("after")),
        shell.dump_prompt(&sb.out("prompt-off")),
        shell.cd_line(&proj.join("src")),
        shell.dump_var("VIRTUAL_ENV", &sb.out("still-off")),
        shell.dump_defines("deactivate", &sb.out("has-deactivate")),
        shell.cd_line(Path::new("/")),
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("back")),
    ]);
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
    let off = sb.out_text("prompt-off");
    assert!(!off.contains("(.venv)"), "{off}");
    if let Some(plain) = plain_prompt(shell) {
        assert_eq!(off, plain);
    }
    sb.assert_outs(&[
        ("prompt-on", &*format!("(.venv) {off}")),
        ("still-off", "<unset>"),
    ]);
    // nushell's `deactivate` is defined for good (see tests/nushell.rs).
    if shell != Shell::Nu {
        assert_eq!(sb.out_text("has-deactivate"), "no");
    }
    assert_eq!(sb.out_text("back"), text(&proj.join(".venv")));
}

fn deactivate_nondestructive_restores_without_turning_off(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    Session::start(&sb, shell).run(&[
        shell.cd_line(&sb.root),
        shell.dump_env(&sb.out("before")),
        shell.cd_line(&proj),
        format!(
            "deactivate nondestructive; {}",
            shell.dump_env(&sb.out("after"))
        ),
        shell.dump_var("VIRTUAL_ENV", &sb.out("next-prompt")),
    ]);
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
    assert_eq!(sb.out_text("next-prompt"), text(&proj.join(".venv")));
}

/// Whether `shell` activates a venv by hand with the venv's own script (which saves the
/// environment in `_OLD_VIRTUAL_*` for its `deactivate`), not by setting `VIRTUAL_ENV`.
fn by_script(shell: Shell) -> bool {
    matches!(shell, Shell::Bash | Shell::Zsh | Shell::Fish | Shell::Tcsh)
}

/// Asserts no `_OLD_VIRTUAL_*` variable is left (see [`Shell::dump_saved_names`]).
fn assert_nothing_saved(sb: &Sandbox, shown: &str) {
    assert!(sb.out("saved").exists(), "{shown}");
    assert_eq!(sb.out_text("saved").trim(), "", "{shown}");
}

/// Asserts the environment dumped as `after` is the one dumped as `before`, but for PS1:
/// CPython's `activate` exports it (and its `deactivate` leaves it exported), its doing.
fn assert_same_env_but_ps1(sb: &Sandbox, before: &str, after: &str) {
    let without_ps1 = |name: &str| {
        let mut env = parse_env(&sb.read_out(name));
        env.remove(OsStr::new("PS1"));
        env.into_iter()
            .flat_map(|(k, v)| [k.into_vec(), b"=".to_vec(), v.into_vec(), vec![0]])
            .flatten()
            .collect::<Vec<u8>>()
    };
    assert_same_env(&without_ps1(before), &without_ps1(after));
}

/// Another venv activated by hand over autovenv's is left alone, wherever the shell goes;
/// its `deactivate` gives the shell back, and once it has left the project the
/// environment is the one from before, `PYTHONHOME` included. Activated by a script, that
/// venv saved autovenv's changes with the environment, which autovenv takes out again.
fn a_venv_activated_by_hand_is_left_alone_until_deactivated(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project_and_src();
    let other = sb.project_with_venv("other");
    let shown = Session::start(&sb, shell).run(&[
        shell.export_line("PYTHONHOME", "/opt/pyhome"),
        shell.cd_line(&sb.root),
        shell.dump_env(&sb.out("before")),
        shell.dump_prompt(&sb.out("prompt-before")),
        shell.cd_line(&proj),
        shell.activate_by_hand_line(&other.join(".venv")),
        shell.cd_line(&proj.join("src")),
        shell.cd_line(Path::new("/")),
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("by-hand")),
        shell.dump_var("PATH", &sb.out("path-by-hand")),
        shell.dump_prompt(&sb.out("prompt-by-hand")),
        shell.deactivate_by_hand_line(),
        shell.dump_var("VIRTUAL_ENV", &sb.out("resumed")),
        shell.dump_var("PATH", &sb.out("path-resumed")),
        shell.dump_prompt(&sb.out("prompt-resumed")),
        shell.cd_line(&sb.root),
        shell.dump_prompt(&sb.out("prompt-left")),
        shell.dump_env(&sb.out("after")),
        shell.dump_saved_names(&sb.out("saved")),
    ]);
    assert_eq!(sb.out_text("by-hand"), text(&other.join(".venv")));
    let path = sb.out_text("path-by-hand");
    assert!(!path.contains(&text(&proj.join(".venv"))), "{path}");
    assert_eq!(shown.text.matches("was activated by hand").count(), 1);
    assert_eq!(sb.out_text("resumed"), text(&proj.join(".venv")));
    let path = sb.out_text("path-resumed");
    assert!(!path.contains(&text(&other.join(".venv"))), "{path}");
    // One prefix at a time: the hand-activated venv's own (none where it was activated by
    // setting VIRTUAL_ENV alone), then autovenv's, then none.
    let prefixes = |name: &str| sb.out_text(name).matches("(.venv) ").count();
    let by_hand = usize::from(by_script(shell));
    assert_eq!(
        prefixes("prompt-by-hand"),
        by_hand,
        "{}",
        sb.out_text("prompt-by-hand")
    );
    assert_prefixed(shell, &sb.out_text("prompt-resumed"));
    assert_eq!(sb.out_text("prompt-left"), sb.out_text("prompt-before"));
    // Setting VIRTUAL_ENV by hand saves nothing to give PYTHONHOME back with, and
    // activate.csh knows nothing of PYTHONHOME.
    if by_script(shell) && shell != Shell::Tcsh {
        assert_same_env_but_ps1(&sb, "before", "after");
    }
    assert_nothing_saved(&sb, &shown.text);
}

/// The very venv autovenv activated, activated again by hand with its own script out of
/// habit: one `PATH` entry and one prefix; it is the user's from then on, so it stays
/// when the shell leaves the project, and its `deactivate` brings back the environment
/// from before autovenv.
fn the_same_venv_activated_by_hand_over_ours_is_the_users(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    let venv = proj.join(".venv");
    let home = match shell {
        // activate.csh knows nothing of PYTHONHOME.
        Shell::Tcsh => shell.export_line("AUTOVENV_UNRELATED", "x"),
        _ => shell.export_line("PYTHONHOME", "/opt/pyhome"),
    };
    let shown = Session::start(&sb, shell).run(&[
        home,
        shell.cd_line(&sb.root),
        shell.dump_env(&sb.out("before")),
        shell.dump_prompt(&sb.out("prompt-before")),
        shell.cd_line(&proj),
        shell.activate_by_hand_line(&venv),
        shell.dump_var("PATH", &sb.out("path-inside")),
        shell.dump_prompt(&sb.out("prompt-inside")),
        shell.cd_line(&sb.root),
        shell.dump_var("VIRTUAL_ENV", &sb.out("left")),
        shell.deactivate_by_hand_line(),
        shell.dump_env(&sb.out("after")),
        shell.dump_prompt(&sb.out("prompt-after")),
        shell.dump_saved_names(&sb.out("saved")),
    ]);
    let bin = text(&venv.join("bin"));
    let path = sb.out_text("path-inside");
    assert_eq!(path.split(':').filter(|e| *e == bin).count(), 1, "{path}");
    let prompt = sb.out_text("prompt-inside");
    assert_eq!(prompt.matches("(.venv) ").count(), 1, "{prompt:?}");
    assert_eq!(sb.out_text("left"), text(&venv), "{}", shown.text);
    assert_same_env_but_ps1(&sb, "before", "after");
    assert_eq!(sb.out_text("prompt-after"), sb.out_text("prompt-before"));
    assert_nothing_saved(&sb, &shown.text);
}

/// A child shell hooked from its rc file shows the prefix and has `deactivate`, which
/// there leaves the parent's venv alone.
fn a_child_shell_keeps_the_venv_prefix_and_deactivate(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    let enter = [shell.cd_line(&proj), sb.child_shell_line(shell)];
    Session::start(&sb, shell).run(&[&enter[..], &sb.child_shell_checks(shell)].concat());
    assert_eq!(sb.out_text("child-ve"), text(&proj.join(".venv")));
    assert_prefixed(shell, &sb.out_text("child-prompt"));
    sb.assert_outs(&[
        ("child-after", "<unset>"),
        ("parent", &*text(&proj.join(".venv"))),
    ]);
}

/// Every awkward directory name: spaces, quotes, `$(…)`, `(…)`, `@(…)`, backticks, `*`,
/// braces, `~`, `!` (which csh's history substitution acts on even in single quotes), a
/// newline, a leading `-`, bytes that are not UTF-8 — each entered and left, and nothing
/// in them run. Where a shell cannot go, it does not; where autovenv cannot write the
/// path in a shell's syntax, it says so in one line.
fn awkward_directory_names_activate_and_restore_without_running_anything(shell: Shell) {
    let sb = Sandbox::new();
    let work = sb.mkdir("work");
    let names: Vec<OsString> = support::awkward_names(&[
        b"(touch pwned)",
        b"@(print('pwned'))",
        b"!! {a,b} ~",
        b"{env_name} {a}",
        "caf\u{e9} \u{f6ff}".as_bytes(),
    ])
    .into_iter()
    .filter(|name| expressible(shell, name.as_bytes()))
    .collect();
    // One real venv, linked from every project: the names are what is tested.
    let venv = sb.path("venv");
    support::make_venv(&venv, &[]);
    let mut lines = vec![shell.cd_line(&work), shell.dump_env(&sb.out("before"))];
    let mut projects: Vec<PathBuf> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let proj = sb.project(Path::new("work").join(name));
        std::os::unix::fs::symlink(&venv, proj.join(".venv")).expect("link venv");
        sb.allow(&proj);
        lines.push(shell.cd_line(&proj));
        lines.push(shell.dump_var("VIRTUAL_ENV", &sb.out(&format!("ve{i}"))));
        lines.push(shell.dump_prompt(&sb.out(&format!("ps{i}"))));
        lines.push(shell.cd_line(&work));
        lines.push(shell.dump_env(&sb.out(&format!("after{i}"))));
        projects.push(proj);
    }
    let shown = session::run(&sb, shell, &lines);
    let mut activated = 0;
    for (i, proj) in projects.iter().enumerate() {
        let ve = sb.read_out(&format!("ve{i}"));
        if refused(shell, proj) {
            assert_eq!(ve, b"<unset>", "{proj:?}");
        } else {
            activated += 1;
            assert_eq!(ve, proj.join(".venv").as_os_str().as_bytes(), "{proj:?}");
            assert_prefixed(shell, &sb.out_text(&format!("ps{i}")));
        }
        assert_same_env(&sb.read_out("before"), &sb.read_out(&format!("after{i}")));
    }
    let refusals = projects.len() - activated;
    assert_eq!(
        shown.count("cannot be written in"),
        refusals,
        "{}",
        shown.text
    );
    assert_eq!(
        shown.count("autovenv: activated"),
        activated,
        "{}",
        shown.text
    );
    assert!(!work.join("pwned").exists() && !sb.root.join("pwned").exists());
    for complaint in [
        "command not found",
        "Command not found",
        "Unknown command",
        "Event not found",
    ] {
        assert!(!shown.text.contains(complaint), "{}", shown.text);
    }
}

/// Every byte a file name can hold but `:` (which PATH cannot), in one directory name.
fn every_byte_in_a_path_round_trips(shell: Shell) {
    let sb = Sandbox::new();
    let name: Vec<u8> = (1..=255u8).filter(|b| *b != b'/' && *b != b':').collect();
    let proj = sb.project(Path::new("all").join(OsString::from_vec(name)));
    sb.link_venv(&proj.join(".venv"));
    sb.allow(&proj);
    Session::start(&sb, shell).run(&[
        shell.cd_line(&sb.root),
        shell.dump_env(&sb.out("before")),
        shell.cd_line(&proj),
        shell.dump_env(&sb.out("inside")),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        "cd ..".into(),
        shell.cd_line(&sb.root),
        shell.dump_env(&sb.out("after")),
    ]);
    assert_eq!(sb.read_out("ve"), proj.join(".venv").as_os_str().as_bytes());
    let inside = parse_env(&sb.read_out("inside"));
    let mut bin = proj.join(".venv/bin").into_os_string().into_vec();
    bin.push(b':');
    assert!(inside[OsStr::new("PATH")].as_bytes().starts_with(&bin));
    assert_same_env(&sb.read_out("before"), &sb.read_out("after"));
}

fn a_venv_named_in_the_prompt_with_code_in_it_shows_literally(shell: Shell) {
    const NAME: &str =
        "$(touch pwned) (touch pwned) @(touch pwned) `id` \\w %d ${HOME} {cwd} 'q' !";
    let (sb, proj) = Sandbox::with_allowed_project_named(NAME);
    let (shown, vep) = session::prompt_and_venv_prompt_in(&sb, shell, &proj);
    assert_eq!(vep, activate_prompt(&proj.join(".venv"), NAME));
    assert!(shown.starts_with(&format!("({NAME}) ")), "{shown}");
    assert!(!proj.join("pwned").exists() && !sb.root.join("pwned").exists());
}

fn a_path_with_a_colon_is_refused_clearly(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project("has:colon");
    sb.link_venv(&proj.join(".venv"));
    sb.allow(&proj);
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
    ]);
    assert_eq!(sb.out_text("ve"), "<unset>");
    shown.assert_count("has ':' in its path", 1);
}

fn a_corrupted_state_warns_once_and_still_takes_the_venv_off(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    let shown = Session::start(&sb, shell).run(&[
        shell.dump_var("PATH", &sb.out("path-before")),
        shell.cd_line(&proj),
        shell.export_line("AUTOVENV_STATE", "1:garbage"),
        shell.cd_line(Path::new("/")),
        shell.dump_var("PATH", &sb.out("path-after")),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        shell.dump_prompt(&sb.out("prompt")),
        shell.cd_line(Path::new("/tmp")),
    ]);
    // PATH keeps everything but the venv's entry.
    sb.assert_outs(&[
        ("path-before", &*sb.out_text("path-after")),
        ("ve", "<unset>"),
    ]);
    assert!(!sb.out_text("prompt").contains("(.venv)"));
    assert_eq!(
        shown.count("AUTOVENV_STATE could not be read"),
        1,
        "{}",
        shown.text
    );
}

/// `deactivate` after `AUTOVENV_STATE` was spoilt still takes autovenv's venv off: it is
/// the one `VIRTUAL_ENV` names, and its entry is on `PATH`.
fn deactivate_after_a_corrupted_state_takes_the_venv_off(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project_and_src();
    let shown = Session::start(&sb, shell).run(&[
        shell.dump_var("PATH", &sb.out("path-before")),
        shell.cd_line(&proj),
        shell.export_line("AUTOVENV_STATE", "1:garbage"),
        shell.cd_line(&proj.join("src")),
        "deactivate".into(),
        shell.dump_var("PATH", &sb.out("path-after")),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        shell.dump_var("AUTOVENV_STATE", &sb.out("state")),
        shell.dump_prompt(&sb.out("prompt")),
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("still-off")),
    ]);
    sb.assert_outs(&[
        ("path-before", &*sb.out_text("path-after")),
        ("ve", "<unset>"),
        ("state", "<unset>"),
    ]);
    assert!(!sb.out_text("prompt").contains("(.venv)"));
    assert_eq!(sb.out_text("still-off"), "<unset>");
    assert_eq!(
        shown.count("AUTOVENV_STATE could not be read"),
        1,
        "{}",
        shown.text
    );
}

/// A shell started inside an active project (`bash -l`, a first tmux, a `.zshrc` that
/// sets `PATH` outright) inherits `VIRTUAL_ENV` and `AUTOVENV_STATE`, but its profile
/// rebuilt `PATH` without the venv: the first prompt puts the venv's entry back.
fn a_shell_whose_profile_rebuilt_path_gets_the_venv_back(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    session::run(
        &sb,
        Shell::Bash,
        &[
            Shell::Bash.cd_line(&proj),
            Shell::Bash.dump_env(&sb.out("active")),
        ],
    );
    let active = parse_env(&sb.read_out("active"));
    let mut cmd = session::command(&sb, shell);
    cmd.current_dir(&proj).env("PWD", &proj);
    for name in ["VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "AUTOVENV_STATE"] {
        let value = active
            .get(OsStr::new(name))
            .unwrap_or_else(|| panic!("{name} not set in the project"));
        cmd.env(name, value);
    }
    let mut session = Session::begin(&sb, shell, cmd);
    session.line(&shell.hook_line());
    session.lines(&[
        shell.dump_var("PATH", &sb.out("path")),
        shell.which_line("python", &sb.out("python")),
        shell.dump_prompt(&sb.out("prompt")),
        shell.cd_line(&sb.root),
        shell.dump_var("PATH", &sb.out("path-left")),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve-left")),
    ]);
    session.finish();
    let venv = proj.join(".venv");
    let path = sb.out_text("path");
    assert!(
        path.starts_with(&format!("{}/bin:", venv.display())),
        "{path}"
    );
    assert_eq!(path.matches(&text(&venv)).count(), 1, "{path}");
    assert_eq!(sb.out_text("python").trim(), text(&venv.join("bin/python")));
    assert_prefixed(shell, &sb.out_text("prompt"));
    let left = sb.out_text("path-left");
    assert!(!left.contains(&text(&venv)), "{left}");
    assert_eq!(sb.out_text("ve-left"), "<unset>");
}

/// A `VIRTUAL_ENV` naming a venv that is gone keeps autovenv out, and says so once.
fn a_virtual_env_that_is_gone_is_told_once(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    let gone = sb.path("gone/.venv");
    let shown = Session::start(&sb, shell).run(&[
        shell.export_line("VIRTUAL_ENV", &text(&gone)),
        shell.cd_line(&proj),
        shell.cd_line(Path::new("/")),
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("kept")),
        shell.unset_line("VIRTUAL_ENV"),
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ours")),
    ]);
    let told = format!("VIRTUAL_ENV names {}, which does not exist", gone.display());
    assert_eq!(shown.count(&told), 1, "{}", shown.text);
    sb.assert_outs(&[
        ("kept", &*text(&gone)),
        ("ours", &*text(&proj.join(".venv"))),
    ]);
}

fn broken_venvs_are_not_activated_and_say_why(shell: Shell) {
    let sb = Sandbox::new();
    let no_cfg = sb.project("no-cfg");
    sb.mkdir("no-cfg/.venv/bin");
    let dangling = sb.project_with_venv("dangling");
    let python = dangling.join(".venv/bin/python");
    std::fs::remove_file(&python).expect("rm python");
    std::os::unix::fs::symlink("/nonexistent/python3.99", &python).expect("symlink");
    sb.allow(&no_cfg);
    sb.allow(&dangling);
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&no_cfg),
        shell.dump_var("VIRTUAL_ENV", &sb.out("a")),
        shell.cd_line(&dangling),
        shell.dump_var("VIRTUAL_ENV", &sb.out("b")),
    ]);
    sb.assert_outs(&[("a", "<unset>"), ("b", "<unset>")]);
    shown.assert_count("no pyvenv.cfg", 1);
    assert_eq!(
        shown.count("/nonexistent/python3.99, which is gone"),
        1,
        "{}",
        shown.text
    );
    assert!(
        !no_cfg.join(".venv/pyvenv.cfg").exists(),
        "a broken .venv must not be overwritten"
    );
}

fn a_missing_binary_is_reported_once_and_the_shell_keeps_working(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    let copy = sb.path("autovenv-copy");
    std::fs::copy(support::binary(), &copy).expect("copy binary");
    let mut session = Session::begin(&sb, shell, session::command(&sb, shell));
    session.lines(&[
        sb.hook_line_from(shell, &copy),
        shell.external(&format!("rm {}", shell.quote(&copy))),
        shell.cd_line(&proj),
        shell.cd_line(Path::new("/")),
        shell.cd_line(&proj),
        shell.dump_var("PWD", &sb.out("pwd")),
    ]);
    let shown = session.finish();
    assert_eq!(
        shown.count("is missing or not executable"),
        1,
        "{}",
        shown.text
    );
    assert_eq!(sb.out_text("pwd"), text(&proj));
}

fn a_venv_made_or_removed_without_cd_is_noticed(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    sb.write("home/.config/autovenv/config.toml", "auto_create = false\n");
    sb.allow(&proj);
    Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        shell.external("python3 -m venv --without-pip .venv"),
        shell.dump_var("VIRTUAL_ENV", &sb.out("made")),
        shell.external("rm -rf .venv"),
        shell.dump_var("VIRTUAL_ENV", &sb.out("removed")),
    ]);
    sb.assert_outs(&[
        ("made", &*text(&proj.join(".venv"))),
        ("removed", "<unset>"),
    ]);
}

/// The prompt's fast path looks at the current directory and at the project root: after a
/// cd inside the project, a venv or repository made or removed in either is noticed at the
/// next prompt, without another cd.
fn what_appears_or_vanishes_below_the_project_root_is_noticed_without_cd(shell: Shell) {
    let sb = Sandbox::trusting_code_without_creation();
    let proj = sb.project_with_venv("code/proj");
    let deep = sb.mkdir("code/proj/src/deep");
    let mut lines = vec![shell.cd_line(&proj.join("src")), "cd deep".to_string()];
    let steps = [
        ("python3 -m venv --without-pip .venv", "made_here"),
        ("rm -rf .venv", "removed_here"),
        ("mkdir .git", "repo_here"),
        ("rmdir .git", "no_repo_here"),
        ("rm -rf ../../.venv", "removed_at_root"),
        ("python3 -m venv --without-pip ../../.venv", "made_at_root"),
    ];
    for (command, out) in steps {
        lines.push(shell.external(command));
        lines.push(shell.dump_var("VIRTUAL_ENV", &sb.out(out)));
    }
    session::run(&sb, shell, &lines);
    let root_venv = text(&proj.join(".venv"));
    sb.assert_outs(&[
        ("made_here", &*text(&deep.join(".venv"))),
        ("removed_here", &*root_venv),
        ("repo_here", "<unset>"),
        ("no_repo_here", &*root_venv),
        ("removed_at_root", "<unset>"),
        ("made_at_root", &*root_venv),
    ]);
}

/// Back at the project root by a cd from below it (no process runs for that cd), a venv
/// removed or made there, or a repository made in it, is noticed at the next prompt.
fn the_project_root_reached_by_a_cd_inside_notices_its_venv_without_cd(shell: Shell) {
    let sb = Sandbox::trusting_code_without_creation();
    let proj = sb.project_with_venv("code/proj");
    sb.mkdir("code/proj/src");
    let mut lines = vec![shell.cd_line(&proj.join("src")), "cd ..".to_string()];
    let steps = [
        ("rm -rf .venv", "removed"),
        ("python3 -m venv --without-pip .venv", "made"),
        ("mkdir src/.git", "repo_below"),
    ];
    for (command, out) in steps {
        lines.push(shell.external(command));
        lines.push(shell.dump_var("VIRTUAL_ENV", &sb.out(out)));
    }
    session::run(&sb, shell, &lines);
    let venv = text(&proj.join(".venv"));
    assert_eq!(sb.out_text("removed"), "<unset>");
    assert_eq!(sb.out_text("made"), venv);
    assert_eq!(sb.out_text("repo_below"), venv);
}

/// A venv made in a subdirectory while the shell sits at the project root changes nothing
/// there; entering the subdirectory finds it, leaving it finds the root's again.
fn a_venv_made_in_a_subdirectory_while_at_the_root_counts_once_you_enter_it(shell: Shell) {
    let sb = Sandbox::trusting_code_without_creation();
    let proj = sb.project_with_venv("code/proj");
    let sub = sb.mkdir("code/proj/sub");
    let lines = vec![
        shell.cd_line(&proj),
        shell.external("python3 -m venv --without-pip sub/.venv"),
        shell.dump_var("VIRTUAL_ENV", &sb.out("at_root")),
        "cd sub".to_string(),
        shell.dump_var("VIRTUAL_ENV", &sb.out("in_sub")),
        "cd ..".to_string(),
        shell.dump_var("VIRTUAL_ENV", &sb.out("back")),
    ];
    session::run(&sb, shell, &lines);
    let root_venv = text(&proj.join(".venv"));
    sb.assert_outs(&[
        ("at_root", &*root_venv),
        ("in_sub", &*text(&sub.join(".venv"))),
        ("back", &*root_venv),
    ]);
}

fn trusted_roots_trust_whole_trees_by_component(shell: Shell) {
    let sb = Sandbox::new();
    let inside = sb.project_with_venv("code/proj");
    let beside = sb.project_with_venv("codex/proj");
    sb.write(
        "home/.config/autovenv/config.toml",
        &format!("trusted_roots = [\"{}\"]\n", sb.path("code").display()),
    );
    Session::start(&sb, shell).run(&[
        shell.cd_line(&inside),
        shell.dump_var("VIRTUAL_ENV", &sb.out("inside")),
        shell.cd_line(&beside),
        shell.dump_var("VIRTUAL_ENV", &sb.out("beside")),
    ]);
    sb.assert_outs(&[
        ("inside", &*text(&inside.join(".venv"))),
        ("beside", "<unset>"),
    ]);
}

fn a_malformed_config_is_one_line_naming_file_line_and_key(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    sb.write(
        "home/.config/autovenv/config.toml",
        "quiet = false\nvenv_name = [\"x\"]\n",
    );
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        shell.cd_line(Path::new("/")),
        shell.cd_line(&proj),
    ]);
    let line = shown.one_line_with("config.toml");
    assert!(
        line.contains("config.toml:2:") && line.contains("venv_name"),
        "{}",
        line
    );
}

fn reload_forgets_deactivate_and_evaluates_again(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        "deactivate".into(),
        shell.dump_var("VIRTUAL_ENV", &sb.out("off")),
        "autovenv reload".into(),
        shell.dump_var("VIRTUAL_ENV", &sb.out("reloaded")),
    ]);
    sb.assert_outs(&[
        ("off", "<unset>"),
        ("reloaded", &*text(&proj.join(".venv"))),
    ]);
}

fn the_nearest_venv_wins_and_the_walk_stops_at_the_repository_root(shell: Shell) {
    let sb = Sandbox::new();
    // ~/.venv must not leak into a repository below home.
    support::make_venv(&sb.home().join(".venv"), &[]);
    sb.allow(&sb.home());
    let repo = sb.mkdir("home/code/repo");
    sb.mkdir("home/code/repo/.git");
    sb.mkdir("home/code/repo/pkg/sub");
    // A monorepo's root venv serves its sub-packages.
    let mono = sb.project_with_venv("home/code/mono");
    sb.mkdir("home/code/mono/.git");
    let pkg = sb.project("home/code/mono/packages/one");
    sb.allow(&mono);
    Session::start(&sb, shell).run(&[
        shell.cd_line(&repo.join("pkg/sub")),
        shell.dump_var("VIRTUAL_ENV", &sb.out("repo")),
        shell.cd_line(&pkg),
        shell.dump_var("VIRTUAL_ENV", &sb.out("pkg")),
        shell.cd_line(&sb.home()),
        shell.dump_var("VIRTUAL_ENV", &sb.out("home")),
    ]);
    sb.assert_outs(&[
        ("repo", "<unset>"),
        ("pkg", &*text(&mono.join(".venv"))),
        ("home", &*text(&sb.home().join(".venv"))),
    ]);
}

fn virtual_env_disable_prompt_leaves_the_prompt_alone(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    // A prompt of the user's own (in xonsh still ending in the one the session waits for).
    let mine = format!("mine{}", plain_prompt(shell).unwrap_or("> "));
    Session::start(&sb, shell).run(&[
        shell.export_line("VIRTUAL_ENV_DISABLE_PROMPT", "1"),
        shell.set_prompt_line(&mine),
        shell.dump_prompt(&sb.out("outside")),
        shell.cd_line(&proj),
        shell.dump_prompt(&sb.out("inside")),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        shell.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
        shell.cd_line(Path::new("/")),
        shell.dump_prompt(&sb.out("after")),
    ]);
    assert_eq!(sb.out_text("ve"), text(&proj.join(".venv")));
    // As the venv's own activate sets it with the prompt disabled: none from CPython's
    // 3.10 to 3.12.
    let vep = if activate_wraps_name(&proj.join(".venv")) {
        "<unset>".to_owned()
    } else {
        activate_prompt(&proj.join(".venv"), ".venv")
    };
    assert_eq!(sb.out_text("vep"), vep);
    let outside = sb.out_text("outside");
    assert!(outside.starts_with("mine"), "{outside}");
    sb.assert_outs(&[("inside", &*outside), ("after", &*outside)]);
}

fn the_exit_status_survives_a_prompt_that_ran_the_binary(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    let shown = Session::start(&sb, shell).run(&[
        format!(
            "{}; {}",
            shell.cd_line(&proj),
            shell.external("sh -c 'exit 3'")
        ),
        shell.dump_status(&sb.out("status")),
    ]);
    assert_eq!(sb.out_text("status").trim(), "3");
    shown.assert_count("autovenv: activated", 1);
}

fn loading_twice_registers_once(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    let shown = Session::start(&sb, shell).run(&[
        shell.dump_hooks(&sb.out("once")),
        shell.hook_line(),
        shell.dump_hooks(&sb.out("twice")),
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
    ]);
    assert!(!sb.out_text("once").trim().is_empty());
    sb.assert_outs(&[
        ("once", &*sb.out_text("twice")),
        ("ve", &*text(&proj.join(".venv"))),
    ]);
    shown.assert_count("autovenv: activated", 1);
}

/// The hook's checks on an ordinary prompt are the shell's own builtins: the binary runs
/// when the directory changes to or from a project, never on a plain prompt.
fn ordinary_prompts_and_cds_inside_a_project_start_no_process(shell: Shell) {
    let sb = Sandbox::new();
    // A name with a newline, a quote and bytes that are not UTF-8 keeps the fast path,
    // where the shell can go there.
    let name: &[u8] = if expressible(shell, b"it's a\nproject \xff") && shell != Shell::Tcsh {
        b"it's a\nproject \xff"
    } else {
        b"it's a project"
    };
    let name = OsString::from_vec(name.to_vec());
    let proj = sb.project(&name);
    sb.link_venv(&proj.join(".venv"));
    sb.mkdir(Path::new(&name).join("src/deep"));
    let other = sb.project_with_venv("other");
    sb.allow(&proj);
    sb.allow(&other);
    let log = sb.out("strace.log");
    let mark = |n: usize| shell.touch_line(&sb.out(&format!("m{n}")));
    let steady = [shell.export_line("VAR", "value"), String::new()];
    let mut session = session::start_traced(&sb, shell, &log);
    session.line(&mark(0));
    session.line(&shell.cd_line(&proj));
    session.line(&mark(1));
    session.lines(&steady);
    // A file made in the project's root (what an editor or a build does) is no change.
    session.lines(&[shell.touch_line(&proj.join("notes.txt")), String::new()]);
    session.line(&mark(2));
    for cd in ["cd src", "cd deep", "cd ../..", "cd src/deep"] {
        session.line(cd);
    }
    session.line(&mark(3));
    session.line(&shell.cd_line(Path::new("/")));
    session.line(&mark(4));
    session.line(&shell.cd_line(&other));
    session.line(&mark(5));
    session.lines(&steady);
    session.line(&mark(6));
    let shown = session.finish();
    let bin = support::binary().display().to_string();
    let segments: Vec<Vec<String>> = sb
        .execs_between_markers(&std::fs::read(&log).expect("strace log"), 7)
        .into_iter()
        // elvish starts its own history daemon (itself again) whenever it likes.
        .map(|s| {
            s.into_iter()
                .filter(|p| shell != Shell::Elvish || !p.ends_with("/elvish"))
                .collect()
        })
        .collect();
    // Starting: the shell itself, `autovenv hook` (nushell's is read from a file) and the
    // first prompt (bash and zsh: the hook line takes in the first evaluation outside a
    // project); nothing else of autovenv's.
    let (ours, others): (Vec<&String>, Vec<&String>) = segments[0].iter().partition(|p| **p == bin);
    assert_eq!(
        ours.len(),
        if matches!(shell, Shell::Nu | Shell::Bash | Shell::Zsh) {
            1
        } else {
            2
        },
        "{:?}",
        segments[0]
    );
    let itself = format!("/{}", shell.program());
    match shell {
        Shell::Bash | Shell::Zsh | Shell::Tcsh => {
            assert!(
                others.len() == 1 && others[0].ends_with(&itself),
                "{others:?}"
            );
        }
        Shell::Elvish => assert!(others.is_empty(), "{others:?}"),
        // npm installs nu behind a node launcher.
        Shell::Nu => assert!(
            others
                .iter()
                .all(|p| p.ends_with("/nu") || p.ends_with("/node")),
            "{others:?}"
        ),
        // These run programs of their own as they start (uname, git, stty).
        Shell::Fish | Shell::Xonsh => {}
    }
    assert_eq!(segments[1], vec![bin.clone()], "cd in: {}", shown.text);
    assert!(segments[2].is_empty(), "steady prompts: {:?}", segments[2]);
    assert!(segments[3].is_empty(), "cd inside: {:?}", segments[3]);
    assert_eq!(segments[4], vec![bin.clone()], "cd out of the project");
    assert_eq!(segments[5], vec![bin.clone()], "cd into another project");
    assert!(segments[6].is_empty(), "steady prompts: {:?}", segments[6]);
}

/// A `.venv` symlink to nowhere in a directory below the project root is no venv: once the
/// binary has looked at it, ordinary prompts there start no process, as anywhere else.
fn a_dangling_venv_link_below_the_project_root_costs_no_process_a_prompt(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    let sub = sb.mkdir("proj/sub");
    std::os::unix::fs::symlink(sb.path("nowhere"), sub.join(".venv")).expect("symlink");
    sb.allow(&proj);
    let log = sb.out("strace.log");
    let mark = |n: usize| shell.touch_line(&sb.out(&format!("m{n}")));
    let steady = [shell.export_line("VAR", "value"), String::new()];
    let mut session = session::start_traced(&sb, shell, &log);
    session.line(&shell.cd_line(&sub));
    session.line(&shell.dump_var("VIRTUAL_ENV", &sb.out("ve")));
    session.line(&mark(0));
    session.lines(&steady);
    session.line(&mark(1));
    let shown = session.finish();
    assert_eq!(
        sb.out_text("ve"),
        text(&proj.join(".venv")),
        "{}",
        shown.text
    );
    let segments = sb.execs_between_markers(&std::fs::read(&log).expect("strace log"), 2);
    assert!(segments[1].is_empty(), "steady prompts: {:?}", segments[1]);
}

/// A loop over projects (`for d in ~/code/*; cd $d; ...`) activates each venv there is
/// at once, but creates none: creating a venv (slow, maybe over the network) happens only
/// when the prompt comes.
fn a_cd_in_a_command_line_activates_at_once_but_creates_only_at_a_prompt(shell: Shell) {
    let sb = Sandbox::new();
    // An interpreter that is not there: the attempt to create shows as one line, at once
    // (a real creation can take longer than a session waits on a loaded machine).
    sb.write(
        "home/.config/autovenv/config.toml",
        "creator = \"venv\"\npython = \"/nonexistent/python3\"\n",
    );
    let bare = sb.project("bare");
    let other = sb.project_with_venv("other");
    sb.allow(&bare);
    sb.allow(&other);
    let seen = shell.quote(sb.out("seen"));
    let (b, o) = (shell.quote(&bare), shell.quote(&other));
    let looped = match shell {
        Shell::Fish => {
            format!("for d in {b} {o}; cd $d; echo \"[$VIRTUAL_ENV]\" >> {seen}; end; cd /")
        }
        // tcsh writes no `foreach` on one line: the same cds in a row.
        Shell::Tcsh => {
            let step = |d: &str| format!("cd {d} ; echo \"[`printenv VIRTUAL_ENV`]\" >> {seen}");
            format!("{} ; {} ; cd /", step(&b), step(&o))
        }
        Shell::Elvish => {
            format!("for d [{b} {o}] {{ cd $d; echo '['$E:VIRTUAL_ENV']' >> {seen} }}; cd /")
        }
        _ => {
            format!("for d in {b} {o}; do cd \"$d\"; echo \"[$VIRTUAL_ENV]\" >> {seen}; done; cd /")
        }
    };
    let shown = Session::start(&sb, shell).run(&[
        looped,
        shell.dump_var("VIRTUAL_ENV", &sb.out("after-loop")),
        shell.cd_line(&bare),
        shell.dump_var("VIRTUAL_ENV", &sb.out("at-prompt")),
    ]);
    sb.assert_outs_showing(
        &[
            ("seen", &*format!("[]\n[{}]\n", text(&other.join(".venv")))),
            ("after-loop", "<unset>"),
            ("at-prompt", "<unset>"),
        ],
        &shown.text,
    );
    // Tried once, at the prompt in the project: after the loop had left `other`.
    let tried = "the interpreter /nonexistent/python3";
    shown.assert_count(tried, 1);
    let at = shown.text.find(tried).unwrap_or(0);
    let left = shown
        .text
        .find("autovenv: deactivated")
        .unwrap_or(usize::MAX);
    assert!(left < at, "{}", shown.text);
}

/// Starts a child `shell` whose rc file has `before` above the hook line, as users write
/// theirs (bash, zsh and fish); returns the line that starts it.
fn child_with_rc(sb: &Sandbox, shell: Shell, before: &str) -> String {
    let line = sb.child_shell_line(shell);
    let rc = match shell {
        Shell::Bash => sb.path("home/.bashrc"),
        Shell::Zsh => sb.path("home/zdot/.zshrc"),
        Shell::Fish => sb.path("home/.config/fish/config.fish"),
        _ => panic!("{shell:?}: no rc file here"),
    };
    let hook = std::fs::read_to_string(&rc).expect("read rc");
    std::fs::write(&rc, format!("{before}\n{hook}")).expect("write rc");
    line
}

/// A `deactivate` of the user's own, from their rc file, is autovenv's only while its venv
/// is on, and theirs again afterwards, as a venv's own activate leaves it.
fn a_users_own_deactivate_is_back_when_the_venv_is_off(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    let told = shell.quote(sb.out("told"));
    let mine = match shell {
        Shell::Fish => format!("function deactivate; echo mine >> {told}; end"),
        _ => format!("deactivate() {{ echo mine >> {told}; }}"),
    };
    let mut lines = vec![child_with_rc(&sb, shell, &mine)];
    lines.extend(shell.deactivate_in_and_out_lines(&sb, &proj));
    lines.push("exit".into());
    let shown = Session::start(&sb, shell).run(&lines);
    sb.assert_outs_showing(
        &[
            ("off", "<unset>"),
            ("on", &*text(&proj.join(".venv"))),
            ("told", "mine\nmine\n"),
        ],
        &shown.text,
    );
}

/// Going between a project's path through a symlink and its real path changes how the
/// venv is spelled, not which venv it is: nothing is said.
fn a_symlinked_path_and_its_target_are_the_same_venv(shell: Shell) {
    let sb = Sandbox::new();
    let real = sb.project_with_venv("real/proj");
    std::os::unix::fs::symlink(sb.path("real"), sb.path("link")).expect("symlink");
    let linked = sb.path("link/proj");
    sb.allow(&real);
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&linked),
        shell.cd_line(&real),
        shell.cd_line(&linked),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        shell.cd_line(Path::new("/")),
    ]);
    let ve = sb.out_text("ve");
    assert!(
        ve == text(&linked.join(".venv")) || ve == text(&real.join(".venv")),
        "{ve}\n{}",
        shown.text
    );
    shown.assert_count("switched to", 0);
    shown.assert_count("autovenv: activated", 1);
    shown.assert_count("autovenv: deactivated", 1);
}

/// Out of habit, `source .venv/bin/activate` in a project autovenv activated, then that
/// venv's own `deactivate`: the user asked for the venv off, so it stays off (prompt after
/// prompt) until they leave the project, as after autovenv's `deactivate`.
fn the_projects_venv_activated_and_deactivated_by_hand_stays_off(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    let venv = proj.join(".venv");
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        shell.activate_by_hand_line(&venv),
        shell.dump_var("VIRTUAL_ENV", &sb.out("by-hand")),
        shell.deactivate_by_hand_line(),
        shell.dump_var("VIRTUAL_ENV", &sb.out("off")),
        String::new(),
        shell.dump_var("VIRTUAL_ENV", &sb.out("still-off")),
        shell.cd_line(Path::new("/")),
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("back")),
    ]);
    sb.assert_outs_showing(
        &[
            ("by-hand", &*text(&venv)),
            ("off", "<unset>"),
            ("still-off", "<unset>"),
            ("back", &*text(&venv)),
        ],
        &shown.text,
    );
}

/// `source .venv/bin/activate; deactivate` typed on one line in a project autovenv
/// activated, in a shell started from its rc file: the venv stays off, with the
/// environment as it was before entering, until you leave the project, as when the two
/// are typed on separate lines. A second `deactivate` brings nothing back (it is the
/// user's own again, from their rc file, on one line or two), and
/// `deactivate; cd ..; cd -` activates again on coming back.
fn activate_and_deactivate_by_hand_on_one_line_stays_off_until_you_leave(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    let venv = proj.join(".venv");
    let told = shell.quote(sb.out("told"));
    let shown = session::run(
        &sb,
        shell,
        &[
            child_with_rc(
                &sb,
                shell,
                &format!("deactivate() {{ echo mine >> {told}; }}"),
            ),
            shell.dump_env(&sb.out("before")),
            shell.cd_line(&proj),
            shell.dump_var("VIRTUAL_ENV", &sb.out("on")),
            format!("{}; deactivate", shell.activate_by_hand_line(&venv)),
            shell.dump_env(&sb.out("off")),
            shell.dump_prompt(&sb.out("prompt")),
            "deactivate".into(),
            shell.dump_env(&sb.out("still-off")),
            "cd ..; cd -".into(),
            shell.dump_var("VIRTUAL_ENV", &sb.out("back")),
            "deactivate; cd ..; cd -".into(),
            shell.dump_var("VIRTUAL_ENV", &sb.out("back-again")),
            // On separate lines.
            shell.activate_by_hand_line(&venv),
            "deactivate".into(),
            shell.dump_var("VIRTUAL_ENV", &sb.out("off-again")),
            "deactivate".into(),
            "exit".into(),
        ],
    );
    sb.assert_outs_showing(
        &[
            ("off-again", "<unset>"),
            ("told", "mine\nmine\n"),
            ("on", &*text(&venv)),
        ],
        &shown.text,
    );
    // The venv's own activate exports PS1, and its deactivate leaves it exported.
    let env = |tag: &str| {
        let mut env = parse_env(&sb.read_out(tag));
        for name in ["PS1", "PWD", "OLDPWD", "_"] {
            env.remove(OsStr::new(name));
        }
        env
    };
    assert_eq!(env("off"), env("before"), "{}", shown.text);
    assert_eq!(env("still-off"), env("before"), "{}", shown.text);
    let prompt = sb.out_text("prompt");
    assert!(!prompt.contains(".venv"), "{prompt:?}\n{}", shown.text);
    sb.assert_outs_showing(
        &[("back", &*text(&venv)), ("back-again", &*text(&venv))],
        &shown.text,
    );
    // Entering, coming back twice: nothing in between turned it on.
    shown.assert_count("autovenv: activated", 3);
}

/// The `major.minor` of the interpreter `python`, when it runs.
fn python_minor(python: &Path) -> Option<String> {
    let out = std::process::Command::new(python)
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The Python 3 interpreters at hand, one per `major.minor`: `python3` on `PATH` first,
/// then those pyenv and /usr/bin hold.
fn pythons_at_hand() -> Vec<PathBuf> {
    let mut candidates = vec![PathBuf::from("python3")];
    let pyenv = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")));
    let mut more: Vec<PathBuf> = Vec::new();
    if let Some(Ok(versions)) = pyenv.map(|p| std::fs::read_dir(p.join("versions"))) {
        more.extend(versions.flatten().map(|v| v.path().join("bin/python3")));
    }
    if let Ok(bin) = std::fs::read_dir("/usr/bin") {
        more.extend(bin.flatten().map(|e| e.path()).filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.strip_prefix("python3.")
                .is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
        }));
    }
    more.sort();
    candidates.extend(more.into_iter().filter(|p| p.is_file()));
    let mut seen = Vec::new();
    candidates
        .into_iter()
        .filter(|p| match python_minor(p) {
            Some(minor) if minor.starts_with("3.") && !seen.contains(&minor) => {
                seen.push(minor);
                true
            }
            _ => false,
        })
        .collect()
}

/// How a venv to compare is made: `python -m venv` with this interpreter, or `uv venv`.
enum Maker {
    Venv(PathBuf),
    Uv,
}

/// Makes the venv `venv` as `maker` says; `None` when that tool cannot here.
fn make_venv_with(sb: &Sandbox, maker: &Maker, venv: &Path) -> Option<()> {
    let mut cmd = match maker {
        Maker::Venv(python) => {
            let mut cmd = std::process::Command::new(python);
            cmd.args(["-m", "venv", "--without-pip"]);
            cmd
        }
        Maker::Uv => {
            let mut cmd = std::process::Command::new("uv");
            cmd.args([
                "venv",
                "--quiet",
                "--no-config",
                "--no-project",
                "--python",
                "python3",
            ])
            .env("UV_CACHE_DIR", sb.path("uv-cache"))
            .env("UV_PYTHON_DOWNLOADS", "never");
            cmd
        }
    };
    let out = cmd.arg(venv).output().ok()?;
    match maker {
        Maker::Uv if !out.status.success() => None,
        _ => {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(())
        }
    }
}

/// What autovenv's activation exports is what the venv's own activate script exports
/// (`activate`, `activate.fish`, `activate.csh`), all of it, `VIRTUAL_ENV_PROMPT` in the
/// form that venv's creator and Python version write: for a venv of each Python at hand,
/// and one uv made when uv is there, with `VIRTUAL_ENV_DISABLE_PROMPT` unset and set (when
/// CPython's 3.10 to 3.12 set no `VIRTUAL_ENV_PROMPT`). Only `AUTOVENV_STATE` is
/// autovenv's own. (Before 3.10 the script set no `VIRTUAL_ENV_PROMPT`; autovenv sets the
/// bare name there.)
fn the_environment_is_the_venvs_own_activates_for_each_python_version(shell: Shell) {
    let mut makers: Vec<Maker> = pythons_at_hand().into_iter().map(Maker::Venv).collect();
    let uv = std::process::Command::new("uv").arg("--version").output();
    if uv.is_ok_and(|o| o.status.success()) {
        makers.push(Maker::Uv);
    }
    let script = match shell {
        Shell::Fish => "activate.fish",
        Shell::Tcsh => "activate.csh",
        _ => "activate",
    };
    let mut compared = 0;
    for maker in &makers {
        for disabled in [false, true] {
            let what = match maker {
                Maker::Venv(python) => python.display().to_string(),
                Maker::Uv => "uv".to_owned(),
            };
            let what = format!("{what}, VIRTUAL_ENV_DISABLE_PROMPT set: {disabled}");
            let sb = Sandbox::new();
            let proj = sb.project("proj");
            let venv = proj.join(".venv");
            if make_venv_with(&sb, maker, &venv).is_none()
                || !venv.join("bin").join(script).exists()
            {
                continue;
            }
            let first: Vec<String> = if disabled {
                vec![shell.export_line("VIRTUAL_ENV_DISABLE_PROMPT", "1")]
            } else {
                Vec::new()
            };
            // The venv's own activate, in a shell without autovenv.
            let mut plain = Session::begin(&sb, shell, session::command(&sb, shell));
            let mut lines = first.clone();
            lines.extend([
                shell.cd_line(&proj),
                shell.activate_by_hand_line(&venv),
                shell.dump_env(&sb.out("own")),
            ]);
            plain.lines(&lines);
            let own_shown = plain.finish();
            sb.allow(&proj);
            let mut lines = first;
            lines.extend([shell.cd_line(&proj), shell.dump_env(&sb.out("hook"))]);
            let by_hook = session::run(&sb, shell, &lines);
            let mut hook = parse_env(&sb.read_out("hook"));
            let mut own = parse_env(&sb.read_out("own"));
            assert!(
                hook.remove(OsStr::new("AUTOVENV_STATE")).is_some(),
                "{what}: {}",
                by_hook.text
            );
            // The scripts' own bookkeeping: activate.fish exports what it saved, and the
            // bash and zsh ones export PS1 (autovenv leaves it a shell variable).
            for name in ["_OLD_VIRTUAL_PATH", "_OLD_FISH_PROMPT_OVERRIDE", "PS1"] {
                own.remove(OsStr::new(name));
            }
            for env in [&mut hook, &mut own] {
                for name in ["_", "OLDPWD"] {
                    env.remove(OsStr::new(name));
                }
            }
            // Before 3.10 the script set none at all; 3.10 to 3.12 set none when disabled,
            // and autovenv none either.
            if !own.contains_key(OsStr::new("VIRTUAL_ENV_PROMPT")) && !activate_wraps_name(&venv) {
                assert_eq!(
                    hook.remove(OsStr::new("VIRTUAL_ENV_PROMPT")),
                    Some(OsString::from(".venv")),
                    "{what}"
                );
            }
            assert_eq!(hook, own, "{what}: {}\n{}", by_hook.text, own_shown.text);
            compared += 1;
        }
    }
    assert!(compared > 0, "no venv was compared");
}
