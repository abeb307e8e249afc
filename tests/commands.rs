//! The commands beyond activation, run as real processes against real venvs: exec,
//! status and status --json, venv health, prune, allow --list, completions.

mod support;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use support::{binary, Sandbox, Shell, Succeeds};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `autovenv ARGS` in `dir` with `stdin` fed to it.
fn autovenv_with_stdin(sb: &Sandbox, dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = sb
        .command(binary())
        .args(args)
        .current_dir(dir)
        .env("PWD", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start autovenv");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin).expect("write stdin");
    }
    child.wait_with_output().expect("wait for autovenv")
}

/// Asserts autovenv failed with `code` and exactly one `autovenv:` line on stderr.
fn assert_one_line_error(out: &Output, code: i32) -> String {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("autovenv: "), "{err}");
    err
}

#[test]
fn exec_runs_the_command_with_the_venv_active() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.mkdir("elsewhere");
    sb.allow(&proj);
    let venv = proj.join(".venv");
    let out = sb.autovenv(
        &sb.path("elsewhere"),
        &[
            "exec",
            proj.to_str().expect("utf-8 sandbox"),
            "--",
            "python",
            "-c",
            "import os, sys; print(sys.prefix); print(os.environ['VIRTUAL_ENV']); print(os.getcwd())",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let venv = venv.to_string_lossy();
    let here = sb.path("elsewhere");
    assert_eq!(lines, [&*venv, &*venv, &*here.to_string_lossy()]);
    assert_eq!(text(&out.stderr), "", "exec says nothing of its own");
}

#[test]
fn exec_activates_exactly_as_the_hook_does() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let q = |p: &Path| Shell::Bash.quote(p);
    // What the hook's activation exports, next to what exec gives its command.
    let script = format!(
        "{}\ncd {}\nenv -0 > {}\ncd /\nautovenv exec {} -- env -0 > {}\necho END\n",
        Shell::Bash.hook_line(),
        q(&proj),
        q(&sb.out("hook")),
        q(&proj),
        q(&sb.out("exec")),
    );
    let run = sb.run(Shell::Bash, &script);
    run.assert_ok();
    let hook = support::parse_env(&sb.read_out("hook"));
    let exec = support::parse_env(&sb.read_out("exec"));
    for name in [
        "PATH",
        "VIRTUAL_ENV",
        "VIRTUAL_ENV_PROMPT",
        "AUTOVENV_STATE",
    ] {
        assert!(hook.contains_key(OsStr::new(name)), "{name} after the hook");
        assert_eq!(
            hook.get(OsStr::new(name)),
            exec.get(OsStr::new(name)),
            "{name}"
        );
    }
    assert!(!exec.contains_key(OsStr::new("PYTHONHOME")));
}

/// In bash inside project `a`'s venv, `autovenv exec` into project `b`, the command line
/// starting with `before`: the command's `PATH` starts with `b`'s venv and holds none of
/// `a`'s.
fn exec_from_one_venv_into_another(before: &str) {
    let sb = Sandbox::new();
    let a = sb.allowed_project("a");
    let b = sb.allowed_project("b");
    let q = |p: &Path| Shell::Bash.quote(p);
    let script = format!(
        "{}\ncd {}\n{before}autovenv exec {} -- sh -c 'printf %s \"$PATH\"' > {}\necho END\n",
        Shell::Bash.hook_line(),
        q(&a),
        q(&b),
        q(&sb.out("path")),
    );
    sb.run(Shell::Bash, &script).assert_ok();
    let path = text(&sb.read_out("path"));
    let entries: Vec<&str> = path.split(':').collect();
    assert_eq!(entries[0], b.join(".venv/bin").to_string_lossy());
    assert!(
        !entries.contains(&&*a.join(".venv/bin").to_string_lossy()),
        "a's venv left on PATH: {path}"
    );
}

#[test]
fn exec_inside_another_activation_switches_cleanly() {
    exec_from_one_venv_into_another("");
}

/// With `AUTOVENV_STATE` unreadable, the venv `VIRTUAL_ENV` names is autovenv's (only
/// autovenv sets that variable): exec takes it off before activating, as the hook's next
/// prompt would, instead of leaving its `bin` on the command's `PATH`.
#[test]
fn exec_over_an_unreadable_state_takes_its_venv_off_as_the_hook_does() {
    exec_from_one_venv_into_another("AUTOVENV_STATE=1:garbage ");
}

#[test]
fn exec_passes_exit_status_stdin_stdout_and_signals_through() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let out = autovenv_with_stdin(
        &sb,
        &proj,
        &["exec", "--", "sh", "-c", "cat; exit 42"],
        b"hello \xff bytes\n",
    );
    assert_eq!(out.status.code(), Some(42), "{}", text(&out.stderr));
    assert_eq!(out.stdout, b"hello \xff bytes\n");

    // The command replaces autovenv: same process, so a signal ends it directly.
    let child = sb
        .command(binary())
        .args(["exec", "--", "sh", "-c", "echo $$; kill -TERM $$"])
        .current_dir(&proj)
        .env("PWD", &proj)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start exec");
    let pid = child.id();
    let out = child.wait_with_output().expect("wait");
    assert_eq!(text(&out.stdout).trim(), pid.to_string());
    assert_eq!(out.status.signal(), Some(libc::SIGTERM));
}

#[test]
fn exec_refuses_an_untrusted_project_and_names_the_fix() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    let marker = sb.out("ran");
    let out = sb.autovenv(
        &proj,
        &[
            "exec",
            "--",
            "touch",
            marker.to_str().expect("utf-8 sandbox"),
        ],
    );
    let err = assert_one_line_error(&out, 125);
    assert!(
        err.contains(&format!("`autovenv allow {}`", proj.display())),
        "{err}"
    );
    assert!(!marker.exists(), "the command ran in an untrusted project");

    sb.autovenv(&proj, &["deny"]);
    let out = sb.autovenv(&proj, &["exec", "--", "true"]);
    let err = assert_one_line_error(&out, 125);
    assert!(
        err.contains("denied") && err.contains("autovenv allow"),
        "{err}"
    );
}

#[test]
fn exec_without_a_venv_or_command_is_a_clear_error() {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    sb.allow(&proj);
    let out = sb.autovenv(&proj, &["exec", "--", "true"]);
    let err = assert_one_line_error(&out, 125);
    assert!(
        err.contains("has no venv") && err.contains("autovenv create"),
        "{err}"
    );

    let nothing = sb.mkdir("nothing");
    let out = sb.autovenv(&nothing, &["exec", "--", "true"]);
    let err = assert_one_line_error(&out, 125);
    assert!(err.contains("no venv or Python project"), "{err}");

    let with_venv = sb.allowed_project("v");
    let out = sb.autovenv(&with_venv, &["exec", "--", "no-such-command-here"]);
    let err = assert_one_line_error(&out, 127);
    assert!(err.contains("no-such-command-here"), "{err}");
    let out = sb.autovenv(&with_venv, &["exec", "--", "/"]);
    assert_one_line_error(&out, 126);

    let out = sb.autovenv(&with_venv, &["exec"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

/// Breaks `venv` as a removed Python does: `bin/python` dangles, `home` is gone.
fn remove_its_python(venv: &Path) {
    let python = venv.join("bin/python");
    let _ = std::fs::remove_file(&python);
    std::os::unix::fs::symlink("/nonexistent/autovenv-python/bin/python3.99", &python)
        .expect("dangling python");
    set_home(venv, "/nonexistent/autovenv-python/bin");
}

fn set_home(venv: &Path, home: &str) {
    let cfg = venv.join("pyvenv.cfg");
    let text = text(&std::fs::read(&cfg).expect("read pyvenv.cfg"));
    let edited: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("home") {
                format!("home = {home}")
            } else {
                l.to_owned()
            }
        })
        .collect();
    std::fs::write(&cfg, edited.join("\n") + "\n").expect("write pyvenv.cfg");
}

fn hook_run(sb: &Sandbox, dir: &Path) -> support::Run {
    let script = format!(
        "{}\ncd {}\n{}\necho END\n",
        Shell::Bash.hook_line(),
        Shell::Bash.quote(dir),
        Shell::Bash.dump_var("VIRTUAL_ENV", &sb.out("ve")),
    );
    let run = sb.run(Shell::Bash, &script);
    run.assert_ok();
    run
}

#[test]
fn a_venv_whose_python_is_gone_is_not_activated_and_says_how_to_rebuild() {
    let (sb, proj) = Sandbox::with_allowed_project();
    sb.write("proj/requirements.txt", "");
    remove_its_python(&proj.join(".venv"));
    let run = hook_run(&sb, &proj);
    assert_eq!(text(&sb.read_out("ve")), "<unset>");
    let lines: Vec<String> = run
        .stderr()
        .lines()
        .filter(|l| l.contains("autovenv:"))
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr());
    assert!(
        lines[0].contains("/nonexistent/autovenv-python"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("autovenv create --force"), "{}", lines[0]);
    assert!(lines[0].contains("autovenv sync"), "{}", lines[0]);

    let out = sb.autovenv(&proj, &["exec", "--", "true"]);
    let err = assert_one_line_error(&out, 125);
    assert!(err.contains("autovenv create --force"), "{err}");
}

#[test]
fn a_venv_whose_home_is_gone_is_not_activated() {
    let (sb, proj) = Sandbox::with_allowed_project();
    set_home(&proj.join(".venv"), "/nonexistent/old-python/bin");
    let run = hook_run(&sb, &proj);
    assert_eq!(text(&sb.read_out("ve")), "<unset>");
    assert_eq!(run.stderr_count("autovenv:"), 1, "{}", run.stderr());
    assert_eq!(
        run.stderr_count("made from the Python in /nonexistent/old-python/bin, which is gone"),
        1,
        "{}",
        run.stderr()
    );
    // pyproject.toml declares the project, so the line says how to restore it too.
    assert_eq!(run.stderr_count("autovenv sync"), 1, "{}", run.stderr());
}

/// `autovenv status --json` in `dir`, parsed by python3's json module: key → JSON text.
fn status_json(sb: &Sandbox, dir: &Path, extra: &[(&str, &str)]) -> BTreeMap<String, String> {
    let out = sb
        .autovenv_command(dir, &["status", "--json"])
        .envs(extra.iter().copied())
        .succeeds("autovenv status --json");
    let mut python = std::process::Command::new("python3");
    python.args([
        "-c",
        "import json, sys\nfor k, v in json.load(sys.stdin).items(): print(k + '=' + json.dumps(v, ensure_ascii=False))",
    ]);
    let parsed = support::run_with_stdin(python, &out.stdout).output;
    assert!(parsed.status.success(), "not JSON: {}", text(&out.stdout));
    text(&parsed.stdout)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn json_str(path: &Path) -> String {
    format!("\"{}\"", path.display())
}

#[test]
fn status_says_what_it_sees_and_why() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    let out = sb.autovenv(&proj, &["status"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success());
    assert!(text.contains("not trusted"), "{text}");
    assert!(text.contains("plan:       notice"), "{text}");
    sb.allow(&proj);
    let out = sb.autovenv(&proj, &["status"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("trust:      allowed"), "{text}");
    assert!(text.contains("plan:       activate"), "{text}");
    assert!(text.contains("healthy"), "{text}");
}

#[test]
fn status_json_describes_a_trusted_healthy_venv() {
    let (sb, proj) = Sandbox::with_allowed_project_and_src();
    let j = status_json(&sb, &proj.join("src"), &[]);
    let venv = proj.join(".venv");
    assert_eq!(j["schema"], "1");
    assert_eq!(j["directory"], json_str(&proj.join("src")));
    assert_eq!(j["venv"], json_str(&venv));
    assert_eq!(j["project_root"], json_str(&proj));
    assert_eq!(j["trusted"], "true");
    assert_eq!(j["trusted_by"], "\"allow\"");
    assert_eq!(j["trusted_root"], "null");
    assert_eq!(j["denied"], "false");
    assert_eq!(j["python"], json_str(&venv.join("bin/python")));
    assert!(j["python_version"].starts_with("\"3."), "{j:?}");
    assert_ne!(j["python_home"], "null");
    assert_eq!(j["healthy"], "true");
    assert_eq!(j["problem"], "null");
    assert_eq!(j["active"], "null");
    assert_eq!(j["active_by_autovenv"], "false");
    assert_eq!(j["plan"], "\"activate\"");
    assert_eq!(j["reason"], "\"trusted\"");
    assert_eq!(j["sync"], "\"never\"");
    assert_eq!(j["sync_changed"], "[]");
    assert!(!j.keys().any(|k| k.ends_with("_bytes")), "{j:?}");

    // Trusted by a trusted root, with autovenv's activation in the environment.
    let other = sb.project_with_venv("code/other");
    let j = status_json(
        &sb,
        &other,
        &[(
            "AUTOVENV_TRUSTED_ROOTS",
            sb.path("code").to_str().expect("utf-8"),
        )],
    );
    assert_eq!(j["trusted_by"], "\"trusted_root\"");
    assert_eq!(j["trusted_root"], json_str(&sb.path("code")));
}

#[test]
fn status_json_reports_activity_denial_breakage_and_non_utf8_paths() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let venv = proj.join(".venv");
    // Active by hand, not by autovenv.
    let j = status_json(
        &sb,
        &proj,
        &[("VIRTUAL_ENV", venv.to_str().expect("utf-8"))],
    );
    assert_eq!(j["active"], json_str(&venv));
    assert_eq!(j["active_by_autovenv"], "false");
    assert_eq!(j["plan"], "\"nothing\"");
    assert_eq!(j["reason"], "\"foreign\"");

    remove_its_python(&venv);
    let j = status_json(&sb, &proj, &[]);
    assert_eq!(j["healthy"], "false");
    assert!(j["problem"].contains("autovenv create --force"), "{j:?}");
    assert_eq!(j["reason"], "\"broken\"");

    let odd = sb.path(OsStr::from_bytes(b"caf\xe9"));
    std::fs::create_dir_all(&odd).expect("mkdir");
    std::fs::write(odd.join("setup.py"), "").expect("write");
    sb.link_venv(&odd.join(".venv"));
    sb.autovenv(&odd, &["deny"]);
    let j = status_json(&sb, &odd, &[]);
    assert_eq!(j["denied"], "true");
    assert_eq!(j["trusted"], "false");
    assert_eq!(j["plan"], "\"nothing\"");
    assert_eq!(j["reason"], "\"denied\"");
    let hex: String = odd
        .as_os_str()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(j["project_root_bytes"], format!("\"{hex}\""));
    assert_eq!(j["project_root"], format!("\"{}\"", odd.to_string_lossy()));
    assert!(j.contains_key("venv_bytes") && j.contains_key("directory_bytes"));
}

fn list(sb: &Sandbox, what: &str) -> Vec<PathBuf> {
    let out = sb.autovenv(&sb.root, &[what, "--list"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    out.stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| PathBuf::from(OsStr::from_bytes(l)))
        .collect()
}

#[test]
fn prune_forgets_directories_that_are_gone_and_allow_list_shows_them() {
    let sb = Sandbox::new();
    let [keep, gone, denied_gone] = ["keep", "gone", "denied-gone"].map(|p| sb.project(p));
    let odd = sb.mkdir(OsStr::from_bytes(b"odd \xff name"));
    sb.allow(&keep);
    sb.allow(&gone);
    sb.allow(&odd);
    sb.autovenv(&denied_gone, &["deny"]);
    assert_eq!(list(&sb, "allow").len(), 3);
    assert!(list(&sb, "allow").contains(&keep));
    assert_eq!(list(&sb, "deny"), vec![denied_gone.clone()]);

    std::fs::remove_dir_all(&gone).expect("rm");
    std::fs::remove_dir_all(&denied_gone).expect("rm");
    let out = sb.autovenv(&sb.root, &["prune"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert_eq!(err.matches("autovenv: forgot").count(), 2, "{err}");
    assert!(err.contains("pruned 2 entries"), "{err}");
    let allowed = list(&sb, "allow");
    assert!(
        allowed.contains(&keep) && !allowed.contains(&gone),
        "{allowed:?}"
    );
    assert_eq!(allowed.len(), 2, "the odd name is kept: {allowed:?}");
    assert!(list(&sb, "deny").is_empty());

    let out = sb.autovenv(&sb.root, &["prune"]);
    assert!(text(&out.stderr).contains("nothing to prune"));

    let out = sb.autovenv(&keep, &["allow", "--list", "."]);
    assert_eq!(out.status.code(), Some(2));
}

fn completions(sb: &Sandbox, shell: &str) -> PathBuf {
    let out = sb.autovenv(&sb.root, &["completions", shell]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!out.stdout.is_empty());
    let file = sb.out(&format!("completions.{shell}"));
    std::fs::write(&file, &out.stdout).expect("write completions");
    file
}

#[test]
fn bash_completion_completes_subcommands_and_flags() {
    let sb = Sandbox::new();
    let file = completions(&sb, "bash");
    let script = format!(
        "source {}\n\
         COMP_WORDS=(autovenv sy); COMP_CWORD=1; COMP_LINE='autovenv sy'; COMP_POINT=11\n\
         _autovenv autovenv sy autovenv; printf '%s\\n' \"${{COMPREPLY[@]}}\"\n\
         COMP_WORDS=(autovenv status --j); COMP_CWORD=2; COMP_LINE='autovenv status --j'; COMP_POINT=19\n\
         _autovenv autovenv --j status; printf '%s\\n' \"${{COMPREPLY[@]}}\"\n\
         complete -p autovenv\n",
        Shell::Bash.quote(&file)
    );
    let out = sb
        .command("bash")
        .args(["--norc", "--noprofile", "-c", &script])
        .succeeds("bash");
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"sync"), "{stdout}");
    assert!(lines.contains(&"--json"), "{stdout}");
    assert!(stdout.contains("-F _autovenv autovenv"), "{stdout}");
}

#[test]
fn fish_zsh_and_elvish_completions_load_in_their_shells() {
    let sb = Sandbox::new();
    let fish = completions(&sb, "fish");
    let out = sb
        .command("fish")
        .args(["--no-config", "-c"])
        .arg(format!(
            "source '{}'; complete -C 'autovenv pru'; complete -C 'autovenv sync --'",
            fish.display()
        ))
        .succeeds("fish");
    let stdout = text(&out.stdout);
    assert!(stdout.lines().any(|l| l.starts_with("prune")), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("--watch")), "{stdout}");

    let zsh = completions(&sb, "zsh");
    let out = sb
        .command("zsh")
        .args(["-f", "-c"])
        .arg(format!(
            "autoload -U compinit && compinit -u -D && source '{}' && print -r -- ${{_comps[autovenv]}} && whence -w _autovenv",
            zsh.display()
        ))
        .succeeds("zsh");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("_autovenv\n_autovenv: function"),
        "{stdout}"
    );

    // Elvish has its `edit:` module only when interactive: drive a real one on a terminal.
    let elvish = completions(&sb, "elvish");
    let mut cmd = sb.command("elvish");
    cmd.arg("-norc");
    let mut term = support::pty::Pty::spawn(cmd);
    term.line(&format!("eval (slurp < '{}')", elvish.display()));
    term.line(
        "$edit:completion:arg-completer[autovenv] autovenv sy | each {|c| echo '<'$c[stem]'>' }",
    );
    term.expect("<sync>");
    term.line("exit");
}

#[test]
fn allow_says_when_the_venv_activates() {
    let sb = Sandbox::new();
    let [here, there] = ["here", "there"].map(|p| sb.project_with_venv(p));
    let fresh = sb.project("fresh");
    let script = format!(
        "{}\ncd {}\nautovenv allow\nautovenv allow {}\nautovenv allow {}\necho END-OF-SCRIPT\n",
        Shell::Bash.hook_line(),
        Shell::Bash.quote(&here),
        Shell::Bash.quote(&there),
        Shell::Bash.quote(&fresh),
    );
    let run = sb.run(Shell::Bash, &script);
    run.assert_ok();
    let said = run.stderr();
    assert!(
        said.contains(&format!(
            "allowed {}: its venv activates at the next prompt",
            here.display()
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "allowed {}: its venv activates when you enter it",
            there.display()
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "allowed {}: a venv is created and activated when you enter it",
            fresh.display()
        )),
        "{said}"
    );
}

/// Mistakes on the command line, typed at a real prompt: one line each on stderr, naming
/// what is wrong and the usage or the help to read, exit status 2.
#[test]
fn command_line_mistakes_are_one_line_naming_the_fix() {
    let sb = Sandbox::new();
    let cases: [(&str, &str); 5] = [
        (
            "hook foo",
            "possible values: bash, zsh, fish, tcsh, elvish, nu, xonsh",
        ),
        ("hook", "usage: autovenv hook <SHELL>"),
        ("allow a b", "unexpected argument 'b' found"),
        ("bogus", "see `autovenv --help`"),
        ("create --python", "see `autovenv create --help`"),
    ];
    let mut script = String::new();
    for (i, (args, _)) in cases.iter().enumerate() {
        script.push_str(&format!(
            "autovenv {args} 2> {}; echo $? > {}\n",
            Shell::Bash.quote(sb.out(&format!("err{i}"))),
            Shell::Bash.quote(sb.out(&format!("rc{i}")))
        ));
    }
    script.push_str("echo END-OF-SCRIPT\n");
    sb.run(Shell::Bash, &script).assert_ok();
    for (i, (args, says)) in cases.iter().enumerate() {
        let err = sb.out_text(&format!("err{i}"));
        assert_eq!(err.lines().count(), 1, "autovenv {args}: {err}");
        assert!(err.starts_with("autovenv: "), "autovenv {args}: {err}");
        assert!(err.contains(says), "autovenv {args}: {err}");
        assert_eq!(sb.out_text(&format!("rc{i}")), "2\n", "autovenv {args}");
    }
}

#[test]
fn status_says_when_virtual_env_is_gone_or_the_state_unreadable() {
    let (sb, proj) = Sandbox::with_allowed_project();
    let status = |vars: &[(&str, &OsStr)]| {
        let out = sb
            .command(binary())
            .arg("status")
            .current_dir(&proj)
            .env("PWD", &proj)
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .succeeds("run status");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let gone = sb.path("gone/.venv");
    let shown = status(&[("VIRTUAL_ENV", gone.as_os_str())]);
    assert!(
        shown.contains("and it does not exist: run `deactivate`, or unset VIRTUAL_ENV"),
        "{shown}"
    );
    let venv = proj.join(".venv");
    let shown = status(&[
        ("VIRTUAL_ENV", venv.as_os_str()),
        ("AUTOVENV_STATE", OsStr::new("1:garbage")),
    ]);
    assert!(
        shown.contains("by autovenv, but AUTOVENV_STATE cannot be read"),
        "{shown}"
    );
}
