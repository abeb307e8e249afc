//! Trust that means what the user thinks: in real shells, against real venvs, what is
//! refused (another user's venv, one others can write to in a root shell, a project that
//! changed since it was allowed, a venv that came with a checkout under trusted_roots, a
//! forged trust entry) and what goes on PATH when a project is entered through a symlink.
//!
//! The tests run as root here, as a root shell does: files "of another user" are made by
//! chown to uid 12345 inside the sandbox.

#[macro_use]
mod support;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use support::session::Session;
use support::{Sandbox, Shell, Succeeds};

scenario!(a_venv_of_another_user_is_refused_until_allowed_with_any_owner in bash zsh fish tcsh elvish nushell xonsh);
scenario!(in_a_root_shell_a_venv_others_can_write_is_refused in bash zsh fish);
scenario!(a_project_made_again_after_allow_is_asked_about_again in bash zsh fish tcsh elvish nushell xonsh);
scenario!(a_committed_venv_under_trusted_roots_is_not_activated in bash zsh fish);
scenario!(path_holds_what_was_trusted_not_a_symlink_that_can_be_repointed in bash zsh fish tcsh elvish nushell xonsh);

const OTHER: u32 = 12345;

fn text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn chown(path: &Path, uid: u32) {
    std::os::unix::fs::chown(path, Some(uid), None).expect("chown");
}

fn git(dir: &Path, args: &[&str]) {
    Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .succeeds(&format!("git {args:?}"));
}

fn a_venv_of_another_user_is_refused_until_allowed_with_any_owner(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    let bin = proj.join(".venv/bin");
    chown(&bin, OTHER);
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("refused")),
        // Allowing again by name changes nothing, and does not say it twice.
        "autovenv allow".into(),
        "autovenv allow --any-owner".into(),
        shell.dump_var("VIRTUAL_ENV", &sb.out("accepted")),
    ]);
    assert_eq!(sb.out_text("refused"), "<unset>", "{}", shown.text);
    let line = format!(
        "autovenv: {} is owned by uid {OTHER}, not by you, so {} was not activated: if you trust uid {OTHER}, run `autovenv allow --any-owner {}`",
        bin.display(),
        proj.display(),
        proj.display()
    );
    shown.assert_count(&line, 1);
    assert_eq!(sb.out_text("accepted"), text(&proj.join(".venv")));
}

fn in_a_root_shell_a_venv_others_can_write_is_refused(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    let bin = proj.join(".venv/bin");
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o775)).expect("chmod");
    // One program in bin/ that the group can change is enough.
    let other = sb.project_with_venv("other");
    let pip = other.join(".venv/bin/activate");
    std::fs::set_permissions(&pip, std::fs::Permissions::from_mode(0o664)).expect("chmod");
    sb.allow(&proj);
    sb.allow(&other);
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("proj")),
        shell.cd_line(&other),
        shell.dump_var("VIRTUAL_ENV", &sb.out("other")),
        format!("chmod go-w {}", shell.quote(&pip)),
        shell.cd_line(&sb.root),
        shell.cd_line(&other),
        shell.dump_var("VIRTUAL_ENV", &sb.out("fixed")),
    ]);
    sb.assert_outs_showing(&[("proj", "<unset>"), ("other", "<unset>")], &shown.text);
    let line = |path: &Path, mode: &str, root: &Path| {
        format!(
            "autovenv: {} can be written by other users (mode {mode}), so {} was not activated in this root shell",
            path.display(),
            root.display()
        )
    };
    shown.assert_count(&line(&bin, "0775", &proj), 1);
    shown.assert_count(&line(&pip, "0664", &other), 1);
    assert_eq!(sb.out_text("fixed"), text(&other.join(".venv")));
}

fn a_project_made_again_after_allow_is_asked_about_again(shell: Shell) {
    let (sb, proj) = Sandbox::with_allowed_project();
    // Deleted and made again at the same path (a /tmp project, a repository cloned again).
    std::fs::remove_dir_all(&proj).expect("rm");
    sb.project_with_venv("proj");
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("changed")),
        shell.cd_line(&sb.root),
        shell.cd_line(&proj),
        "autovenv allow".into(),
        shell.dump_var("VIRTUAL_ENV", &sb.out("allowed")),
    ]);
    assert_eq!(sb.out_text("changed"), "<unset>", "{}", shown.text);
    let line = format!(
        "autovenv: {} changed since it was allowed (it is another directory now: made again or cloned again), so it was not activated: run `autovenv allow {}` to trust it as it is, or `autovenv deny`",
        proj.display(),
        proj.display()
    );
    shown.assert_count(&line, 1);
    assert_eq!(sb.out_text("allowed"), text(&proj.join(".venv")));
}

fn a_committed_venv_under_trusted_roots_is_not_activated(shell: Shell) {
    let sb = Sandbox::new();
    let committed = sb.project_with_venv("code/committed");
    git(&committed, &["init", "-q"]);
    git(&committed, &["add", "-f", "."]);
    git(&committed, &["commit", "-q", "-m", "ships its venv"]);
    let ignored = sb.project_with_venv("code/ignored");
    sb.write("code/ignored/.gitignore", ".venv/\n");
    git(&ignored, &["init", "-q"]);
    git(&ignored, &["add", "."]);
    git(&ignored, &["commit", "-q", "-m", "keeps its venv out"]);
    let config = format!("trusted_roots = [\"{}\"]\n", sb.path("code").display());
    sb.write("home/.config/autovenv/config.toml", &config);
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&committed),
        shell.dump_var("VIRTUAL_ENV", &sb.out("committed")),
        shell.cd_line(&ignored),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ignored")),
    ]);
    assert_eq!(sb.out_text("committed"), "<unset>", "{}", shown.text);
    let line = format!(
        "autovenv: {} came with the checkout (git tracks it) and autovenv did not make it, so trusted_roots does not activate it: run `autovenv allow {}` if you trust what the repository ships",
        committed.join(".venv").display(),
        committed.display()
    );
    shown.assert_count(&line, 1);
    assert_eq!(sb.out_text("ignored"), text(&ignored.join(".venv")));

    // Opting out of the safe mode, or an explicit allow, activates the committed venv.
    sb.write(
        "home/.config/autovenv/config.toml",
        &format!("{config}trusted_roots_committed_venvs = true\n"),
    );
    Session::start(&sb, shell).run(&[
        shell.cd_line(&committed),
        shell.dump_var("VIRTUAL_ENV", &sb.out("opted")),
    ]);
    assert_eq!(sb.out_text("opted"), text(&committed.join(".venv")));
}

fn path_holds_what_was_trusted_not_a_symlink_that_can_be_repointed(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("home/proj");
    let evil = sb.project_with_venv("evil");
    sb.allow(&proj);
    // A link in a shared directory, which its owner can re-point at any time.
    let link = sb.mkdir("shared").join("proj");
    std::os::unix::fs::symlink(&proj, &link).expect("link");
    let repoint = format!("ln -sfn {} {}", shell.quote(&evil), shell.quote(&link));
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&link),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        shell.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
        shell.external(&repoint),
        shell.which_line("python", &sb.out("python")),
    ]);
    let venv = proj.join(".venv");
    assert_eq!(sb.out_text("ve"), text(&venv), "{}", shown.text);
    assert_eq!(sb.out_text("vep"), support::activate_prompt(&venv, ".venv"));
    assert_eq!(
        sb.out_text("python").trim(),
        text(&venv.join("bin/python")),
        "{}",
        shown.text
    );
}

#[test]
fn an_allowed_project_whose_venv_is_replaced_by_a_committed_one_is_asked_about_again() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.write("proj/.gitignore", ".venv/\n");
    git(&proj, &["init", "-q"]);
    git(&proj, &["add", "."]);
    git(&proj, &["commit", "-q", "-m", "start"]);
    sb.allow(&proj);
    let shell = Shell::Bash;
    let remake = |tracked: bool| {
        std::fs::remove_dir_all(proj.join(".venv")).expect("rm venv");
        support::make_venv(&proj.join(".venv"), &[]);
        if tracked {
            // What a pull of a commit that adds the venv leaves behind.
            git(&proj, &["add", "-f", ".venv"]);
            git(&proj, &["commit", "-q", "-m", "venv"]);
        }
    };
    // The user's own rebuild, which the repository does not track, is still theirs.
    remake(false);
    Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("rebuilt")),
    ]);
    assert_eq!(sb.out_text("rebuilt"), text(&proj.join(".venv")));
    remake(true);
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("committed")),
    ]);
    assert_eq!(sb.out_text("committed"), "<unset>", "{}", shown.text);
    assert_eq!(
        shown.count(&format!(
            "autovenv: {} changed since {} was allowed",
            proj.join(".venv").display(),
            proj.display()
        )),
        1,
        "{}",
        shown.text
    );
}

fn store(sb: &Sandbox) -> PathBuf {
    sb.home().join(".local/share/autovenv")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("stat").mode() & 0o777
}

#[test]
fn the_trust_store_is_the_users_alone_whatever_the_umask() {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    // A store left by an older autovenv with the umask's modes is closed up too.
    std::fs::create_dir_all(store(&sb).join("deny")).expect("mkdir");
    for dir in [store(&sb), store(&sb).join("deny")] {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o775)).expect("chmod");
    }
    sb.command("sh")
        .arg("-c")
        .arg("umask 002; exec autovenv allow")
        .current_dir(&proj)
        .env("PWD", &proj)
        .succeeds("autovenv allow");
    let allow = store(&sb).join("allow");
    assert_eq!(mode(&store(&sb)), 0o700);
    assert_eq!(mode(&allow), 0o700);
    let files: Vec<_> = std::fs::read_dir(&allow)
        .expect("read store")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(mode(&files[0]), 0o600);
    let out = sb.autovenv(&proj, &["deny"]);
    assert!(out.status.success());
    assert_eq!(mode(&store(&sb).join("deny")), 0o700);
}

#[test]
fn a_forged_or_foreign_trust_entry_trusts_nothing_and_is_shown_as_such() {
    let sb = Sandbox::new();
    let [shown_proj, target, foreign] =
        ["shown", "target", "foreign"].map(|p| sb.project_with_venv(p));
    sb.allow(&shown_proj);
    sb.allow(&target);
    sb.allow(&foreign);
    let allow = store(&sb).join("allow");
    let file_of = |content_path: &Path| {
        std::fs::read_dir(&allow)
            .expect("read store")
            .map(|e| e.expect("entry").path())
            .find(|f| {
                std::fs::read(f)
                    .expect("read entry")
                    .starts_with(content_path.as_os_str().as_bytes())
            })
            .expect("entry file")
    };
    // The entry named for `target` now holds what `shown` holds: it trusts one path while
    // the list would show another.
    let forged = file_of(&target);
    std::fs::copy(file_of(&shown_proj), &forged).expect("forge");
    // An entry that is right in every way but belongs to someone else.
    chown(&file_of(&foreign), OTHER);

    let shell = Shell::Bash;
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&target),
        shell.dump_var("VIRTUAL_ENV", &sb.out("target")),
        shell.cd_line(&foreign),
        shell.dump_var("VIRTUAL_ENV", &sb.out("foreign")),
        shell.cd_line(&shown_proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("shown")),
    ]);
    sb.assert_outs_showing(
        &[("target", "<unset>"), ("foreign", "<unset>")],
        &shown.text,
    );
    assert_eq!(sb.out_text("shown"), text(&shown_proj.join(".venv")));

    let out = sb.autovenv(&sb.root, &["allow", "--list"]);
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(listed, format!("{}\n", shown_proj.display()));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains(&format!(
            "ignored {} in the trust store: its name does not match the path it holds",
            forged.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("it belongs to uid {OTHER}, not to you")),
        "{err}"
    );

    let out = sb.autovenv(&sb.root, &["prune"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains("pruned 2 entries"), "{err}");
    let out = sb.autovenv(&sb.root, &["allow", "--list"]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        OsStr::from_bytes(&out.stdout),
        OsStr::new(&format!("{}\n", shown_proj.display()))
    );
}
