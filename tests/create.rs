//! Creating venvs, end to end: a real interactive bash, the real `uv venv --seed` and the
//! real `python -m venv` (with pip), real signals and real file permissions.
//!
//! Every shell here runs with a PATH of its own: the autovenv binary, a directory holding
//! the machine's real `python3` (and `uv` where a test wants it), then `/usr/bin:/bin`, so
//! that whether `uv` is there is the test's choice and version-manager shims stay out.

#[macro_use]
mod support;

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::pty::Pty;
use support::{Run, Sandbox, Shell, Succeeds};

const SH: Shell = Shell::Bash;

fn q(path: &Path) -> String {
    SH.quote(path)
}

/// The machine's real interpreter (not a shim): what `python3` runs.
fn real_python() -> PathBuf {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("run python3");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// The machine's real `uv` binary: the one the `uv` package on PyPI ships, else the first
/// on PATH.
fn real_uv() -> PathBuf {
    let out = Command::new("python3")
        .args(["-c", "import uv; print(uv.find_uv_bin())"])
        .output();
    if let Ok(out) = out {
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && path.is_file() {
            return path;
        }
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("uv"))
        .find(|p| p.is_file())
        .expect("uv is installed (tests/run.sh installs it)")
}

/// uv's package cache, shared with the machine so that `--seed` does not download pip
/// into every sandbox.
fn uv_cache() -> OsString {
    std::env::var_os("UV_CACHE_DIR").unwrap_or_else(|| {
        let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
        PathBuf::from(home).join(".cache/uv").into_os_string()
    })
}

/// The lines of `text` that contain `needle`.
fn lines_with(text: &str, needle: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.contains(needle))
        .map(str::to_owned)
        .collect()
}

/// A sandbox with its own PATH.
struct World {
    sb: Sandbox,
    /// The directory of programs on PATH after autovenv's own.
    bin: PathBuf,
}

impl World {
    /// `python3` on PATH, and `uv` when `with_uv`.
    fn new(with_uv: bool) -> World {
        let sb = Sandbox::new();
        let bin = sb.mkdir("bin");
        std::os::unix::fs::symlink(real_python(), bin.join("python3")).expect("link python3");
        if with_uv {
            std::os::unix::fs::symlink(real_uv(), bin.join("uv")).expect("link uv");
        }
        World { sb, bin }
    }

    fn path_var(&self) -> OsString {
        support::path_with(&self.bin)
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env("PATH", self.path_var())
            .env("UV_CACHE_DIR", uv_cache())
            .env("UV_PYTHON_DOWNLOADS", "never");
        support::pass_network_settings(cmd);
    }

    /// An interactive bash, optionally started through `wrapper` (a program and its
    /// arguments, which then runs bash).
    /// `autovenv create` in `proj`, started in the background with its output going to
    /// `output` (both streams).
    fn spawn_create(&self, proj: &Path, output: fn() -> Stdio) -> std::process::Child {
        let mut cmd = self.sb.command(support::binary());
        cmd.arg("create")
            .current_dir(proj)
            .env("PWD", proj)
            .stdin(Stdio::null())
            .stdout(output())
            .stderr(output());
        self.env(&mut cmd);
        cmd.spawn().expect("start autovenv create")
    }

    fn bash(&self, wrapper: &[&str]) -> Command {
        let mut cmd = match wrapper.split_first() {
            Some((program, args)) => {
                let mut cmd = self.sb.command(program);
                cmd.args(args).arg(SH.program());
                cmd
            }
            None => self.sb.command(SH.program()),
        };
        cmd.args(SH.interactive_args());
        self.env(&mut cmd);
        cmd
    }

    /// Runs `lines` in a fresh interactive bash with the hook loaded.
    fn run(&self, lines: &[String]) -> Run {
        self.run_with(&[], lines)
    }

    fn run_with(&self, wrapper: &[&str], lines: &[String]) -> Run {
        let run = self.sb.run_command(self.bash(wrapper), &script(lines));
        run.assert_ok();
        assert!(
            run.stdout().contains("END-OF-SCRIPT"),
            "script did not finish:\n{}",
            run.stderr()
        );
        run
    }

    /// Runs `autovenv ARGS` in `dir`.
    fn autovenv(&self, dir: &Path, args: &[&str]) -> std::process::Output {
        let mut cmd = self.sb.command(support::binary());
        cmd.args(args)
            .current_dir(dir)
            .env("PWD", dir)
            .stdin(Stdio::null());
        self.env(&mut cmd);
        cmd.output().expect("run autovenv")
    }

    fn config(&self, text: &str) {
        self.sb.write("home/.config/autovenv/config.toml", text);
    }

    fn var(&self, name: &str) -> String {
        String::from_utf8_lossy(&self.sb.read_out(name)).into_owned()
    }
}

fn script(lines: &[String]) -> String {
    let mut text = SH.hook_line();
    text.push('\n');
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text.push_str("echo END-OF-SCRIPT\n");
    text
}

/// Quotes a path for `/bin/sh`.
fn sh_quote(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', "'\\''"))
}

fn marker(venv: &Path) -> PathBuf {
    venv.join(".autovenv-incomplete")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Waits (up to a minute) until `done` holds.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn entering_a_trusted_project_creates_and_activates_it_at_that_prompt() {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    w.sb.mkdir("proj/src");
    w.sb.allow(&proj);
    let run = w.run(&[
        format!("cd {}", q(&proj.join("src"))),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("ve")),
        format!("type -P pip > {}", q(&w.sb.out("pip"))),
        format!("pip --version > {}", q(&w.sb.out("pip-version"))),
        format!("cd {}", q(&proj)),
        "cd /".into(),
        format!("cd {}", q(&proj)),
    ]);
    let venv = proj.join(".venv");
    assert_eq!(w.var("ve"), venv.to_string_lossy());
    assert_eq!(w.var("pip").trim(), venv.join("bin/pip").to_string_lossy());
    assert!(
        w.var("pip-version")
            .contains(&venv.join("lib").to_string_lossy().into_owned()),
        "{}",
        w.var("pip-version")
    );
    assert!(!marker(&venv).exists());
    let stderr = run.stderr();
    assert_eq!(run.stderr_count("creating "), 1, "{stderr}");
    // The version, or the interpreter's name when the creator was slow to tell it (the
    // progress line is never held back for long).
    let creating = format!("creating {} with ", venv.to_string_lossy());
    assert_eq!(
        run.stderr_count(&format!("{creating}Python 3."))
            + run.stderr_count(&format!("{creating}python3 (")),
        1,
        "{stderr}"
    );
    assert_eq!(run.stderr_count("(uv venv) …"), 1, "{stderr}");
    let done: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("created and activated"))
        .collect();
    assert_eq!(done.len(), 1, "{stderr}");
    assert!(done[0].contains("(Python 3."), "{stderr}");
    assert!(done[0].ends_with(" s"), "{stderr}");
    assert_eq!(run.stderr_count("autovenv: activated"), 1, "{stderr}");
}

#[test]
fn two_shells_entering_together_make_one_venv_with_python_m_venv_and_pip() {
    // No uv on PATH: `auto` uses `python -m venv`, with pip.
    let w = World::new(false);
    let proj = w.sb.project("proj");
    w.sb.allow(&proj);
    let venv = proj.join(".venv");
    let lines = |n: usize| {
        vec![
            format!("cd {}", q(&proj)),
            SH.dump_var("VIRTUAL_ENV", &w.sb.out(&format!("ve{n}"))),
            format!("pip --version > {}", q(&w.sb.out(&format!("pip{n}")))),
        ]
    };
    let spawn = |n: usize| {
        let mut cmd = w.bash(&[]);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start bash");
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write;
            stdin
                .write_all(script(&lines(n)).as_bytes())
                .expect("type into bash");
        }
        child
    };
    // The second shell enters while the first is creating, so it finds the half-made venv.
    let first = spawn(1);
    wait_until("the first shell is creating", || marker(&venv).exists());
    let second = spawn(2);
    let outputs = [
        first.wait_with_output().expect("first bash"),
        second.wait_with_output().expect("second bash"),
    ];
    let stderrs: Vec<String> = outputs.iter().map(|o| text(&o.stderr)).collect();
    let all = stderrs.join("\n---\n");
    for (n, out) in outputs.iter().enumerate() {
        assert!(out.status.success(), "{all}");
        assert!(text(&out.stdout).contains("END-OF-SCRIPT"), "{all}");
        assert_eq!(
            w.var(&format!("ve{}", n + 1)),
            venv.to_string_lossy(),
            "{all}"
        );
        let pip = w.var(&format!("pip{}", n + 1));
        assert!(
            pip.contains(&venv.join("lib").to_string_lossy().into_owned()),
            "{pip}"
        );
    }
    assert_eq!(all.matches("autovenv: creating ").count(), 1, "{all}");
    assert!(stderrs[0].contains("(python -m venv) …"), "{all}");
    assert!(stderrs[0].contains("created and activated"), "{all}");
    assert!(stderrs[1].contains("waiting for another shell"), "{all}");
    assert!(stderrs[1].contains("autovenv: activated"), "{all}");
    for line in all.lines().filter(|l| l.starts_with("autovenv:")) {
        for word in ["error", "failed", "cannot", "half-made"] {
            assert!(!line.contains(word), "{all}");
        }
    }
    assert!(!marker(&venv).exists());
}

/// A shell on a terminal with the prompt `PROMPT> ` and the hook loaded, where each line
/// typed is followed by one that prints a marker only when run, and waited for, so that
/// every line gets a prompt (and the hook) of its own.
struct Typist {
    term: Pty,
    lines: usize,
}

impl Typist {
    /// Starts `shell`, with `pythonpath` for the creators it starts.
    fn start(w: &World, shell: Shell, pythonpath: Option<&Path>) -> Typist {
        let mut cmd = w.sb.command(shell.program());
        cmd.args(shell.interactive_args());
        w.env(&mut cmd);
        if let Some(dir) = pythonpath {
            cmd.env("PYTHONPATH", dir);
        }
        cmd.env("NO_COLOR", "1").env("PS1", "PROMPT> ");
        let mut term = Pty::spawn(cmd);
        match shell {
            Shell::Xonsh => {
                term.expect("\x1b[?2004h");
                term.line("$PROMPT = 'PROMPT> '");
            }
            Shell::Zsh => term.line("PS1='PROMPT> '"),
            Shell::Tcsh => term.line("set prompt = 'PROMPT> '"),
            Shell::Fish => term.line("function fish_prompt; echo -n 'PROMPT> '; end"),
            _ => {}
        }
        term.line(&shell.hook_line());
        Typist { term, lines: 0 }
    }

    /// Types `line`, waits for `shows` (unless empty), then for the line's marker.
    fn typed(&mut self, line: &str, shows: &str) {
        self.term.line(line);
        if !shows.is_empty() {
            self.term.expect(shows);
        }
        let n = self.lines;
        self.term.line(&format!("sh -c 'echo MARK-{n}-$((1+1))'"));
        self.term.expect(&format!("MARK-{n}-2"));
        self.lines += 1;
    }
}

/// Ctrl-C on a real terminal while the hook creates the venv, in `shell`: creation stops,
/// what was made is removed, and it does not start again at the following prompts (nor
/// after a `cd` within the project) until the shell leaves the project and comes back.
fn ctrl_c_while_creating_removes_it_and_waits_until_you_come_back(shell: Shell) {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    w.sb.mkdir("proj/src");
    w.sb.allow(&proj);
    let venv = proj.join(".venv");
    w.config("creator = \"venv\"\n");
    // The creator (python -m venv, run by autovenv) waits at its start until it is
    // stopped, so that Ctrl-C lands while it runs however busy the machine is: a quick
    // creation could otherwise finish before the keypress arrives.
    let slow = w.sb.mkdir("slow-start");
    w.sb.write(
        "slow-start/sitecustomize.py",
        "import sys, time\nif any('venv.main' in a for a in sys.orig_argv):\n    time.sleep(120)\n",
    );
    let mut pty = Typist::start(&w, shell, Some(&slow));
    pty.typed("true", "");
    let cd = |dir: &Path| format!("cd '{}'", dir.display());
    pty.term.line(&cd(&proj));
    pty.term.expect("(python -m venv) …");
    pty.term.send("\x03");
    pty.term.expect("stopped creating");
    pty.typed("sh -c 'echo \"VE=[$VIRTUAL_ENV]\"'", "VE=[]");
    pty.typed("true", "");
    pty.typed(&cd(&proj.join("src")), "");
    pty.typed(&cd(&proj), "");
    let seen = text(&pty.term.seen).replace('\r', "");
    assert!(
        !venv.exists(),
        "{shell:?}: the half-made venv is removed: {seen}"
    );
    let creating = format!("creating {} with", venv.display());
    assert_eq!(seen.matches(&creating).count(), 1, "{shell:?}: {seen}");
    assert!(!seen.contains("activated"), "{shell:?}: {seen}");
    assert!(!seen.contains("half-made"), "{shell:?}: {seen}");

    // Coming back creates it (with uv now, to be quick).
    w.config("creator = \"uv\"\n");
    pty.typed("cd /", "");
    pty.typed(&cd(&proj), "created and activated");
    pty.typed(
        "sh -c 'echo \"VE=[$VIRTUAL_ENV]\"'",
        &format!("VE=[{}]", venv.display()),
    );
    assert!(!marker(&venv).exists());
}

scenario!(ctrl_c_while_creating_removes_it_and_waits_until_you_come_back in bash zsh fish tcsh xonsh);

/// A shell that stops waiting (Ctrl-C) for the venv another process is making: it makes
/// nothing itself, activates the venv as soon as the other one finishes it, and when the
/// other is stopped instead, creates it only once the shell comes back to the project.
fn ctrl_c_while_waiting_activates_when_the_other_finishes(shell: Shell) {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    w.sb.allow(&proj);
    let venv = proj.join(".venv");
    w.config("creator = \"venv\"\n");
    // The other creation (python -m venv, started by `autovenv create`) waits at its start
    // until the test lets it go on.
    let go = w.sb.path("go");
    let slow = w.sb.mkdir("slow-start");
    w.sb.write(
        "slow-start/sitecustomize.py",
        &format!(
            "import os, sys, time\nif any('venv.main' in a for a in sys.orig_argv):\n    while not os.path.exists({:?}):\n        time.sleep(0.02)\n",
            go.display().to_string()
        ),
    );
    let other = |w: &World| {
        let mut cmd = w.sb.command(support::binary());
        cmd.arg("create")
            .current_dir(&proj)
            .env("PWD", &proj)
            .env("PYTHONPATH", &slow)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        w.env(&mut cmd);
        cmd.spawn().expect("start autovenv create")
    };
    let mut pty = Typist::start(&w, shell, None);
    let cd = |dir: &Path| format!("cd '{}'", dir.display());
    let ve = "sh -c 'echo \"VE=[$VIRTUAL_ENV]\"'";

    // The other finishes: this shell activates the venv at its next prompt.
    let mut first = other(&w);
    wait_until("the other creation started", || marker(&venv).exists());
    pty.term.line(&cd(&proj));
    pty.term.expect("waiting for another shell");
    pty.term.send("\x03");
    pty.term.expect("stopped waiting");
    pty.typed(ve, "VE=[]");
    pty.typed("true", "");
    std::fs::write(&go, "").expect("let it go on");
    assert!(first.wait().expect("wait").success());
    pty.typed("true", "autovenv: activated");
    pty.typed(ve, &format!("VE=[{}]", venv.display()));

    // The other is stopped: nothing is made here until the shell comes back.
    std::fs::remove_file(&go).expect("rm go");
    pty.typed("cd /", "");
    std::fs::remove_dir_all(&venv).expect("rm venv");
    let mut second = other(&w);
    wait_until("the other creation started", || marker(&venv).exists());
    pty.term.line(&cd(&proj));
    pty.term.expect("waiting for another shell");
    pty.term.send("\x03");
    pty.term.expect("stopped waiting");
    pty.typed("true", "");
    // SAFETY: kill sends SIGINT to a process this test started.
    assert_eq!(unsafe { libc::kill(second.id() as i32, libc::SIGINT) }, 0);
    let _ = second.wait();
    assert!(!venv.exists());
    pty.typed("true", "");
    pty.typed("true", "");
    pty.typed(ve, "VE=[]");
    let seen = text(&pty.term.seen).replace('\r', "");
    assert!(!venv.exists(), "{shell:?}: {seen}");
    assert_eq!(
        seen.matches("autovenv: creating").count(),
        0,
        "{shell:?}: {seen}"
    );
    w.config("creator = \"uv\"\n");
    pty.typed("cd /", "");
    pty.typed(&cd(&proj), "created and activated");
}

scenario!(ctrl_c_while_waiting_activates_when_the_other_finishes in bash zsh);

#[test]
fn a_killed_creation_is_never_activated_and_is_made_again_later() {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    w.sb.allow(&proj);
    let venv = proj.join(".venv");
    w.config("creator = \"venv\"\nauto_create = false\n");
    let mut creating = w.spawn_create(&proj, Stdio::null);
    wait_until("the venv is half made", || venv.join("pyvenv.cfg").exists());
    creating.kill().expect("SIGKILL autovenv");
    let _ = creating.wait();
    // Anything still running the half-made venv's python ends by itself.
    let venv_text = venv.to_string_lossy().into_owned();
    wait_until("no process runs the half-made venv", || {
        std::fs::read_dir("/proc")
            .map(|entries| {
                !entries.filter_map(Result::ok).any(|e| {
                    std::fs::read(e.path().join("cmdline"))
                        .is_ok_and(|c| text(&c).contains(&venv_text))
                })
            })
            .unwrap_or(true)
    });
    assert!(
        marker(&venv).exists(),
        "the marker stays when autovenv is killed"
    );

    let run = w.run(&[
        format!("cd {}", q(&proj)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("half")),
        "true".into(),
    ]);
    assert_eq!(w.var("half"), "<unset>");
    assert_eq!(
        run.stderr_count("is half-made (its creation did not finish)"),
        1,
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("autovenv create --force"));

    w.config("creator = \"uv\"\n");
    let run = w.run(&[
        format!("cd {}", q(&proj)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("made")),
        format!(
            "python -c 'import sys; print(sys.prefix)' > {}",
            q(&w.sb.out("prefix"))
        ),
    ]);
    assert_eq!(w.var("made"), venv.to_string_lossy(), "{}", run.stderr());
    assert_eq!(w.var("prefix").trim(), venv.to_string_lossy());
    assert_eq!(run.stderr_count("left half-made"), 1, "{}", run.stderr());
    assert_eq!(run.stderr_count("created and activated"), 1);
    assert!(!marker(&venv).exists());
}

#[test]
fn without_ensurepip_it_says_to_install_python3_venv_or_uv_and_leaves_nothing() {
    // An interpreter whose ensurepip is missing, as on Debian without python3-venv.
    let w = World::new(false);
    let fake = w.sb.mkdir("no-ensurepip");
    std::fs::write(
        fake.join("ensurepip.py"),
        "raise ModuleNotFoundError(\"No module named 'ensurepip'\", name='ensurepip')\n",
    )
    .expect("fake module");
    let python = w.bin.join("python3");
    std::fs::remove_file(&python).expect("rm link");
    std::fs::write(
        &python,
        format!(
            "#!/bin/sh\nPYTHONPATH={} exec {} \"$@\"\n",
            sh_quote(&fake),
            sh_quote(&real_python())
        ),
    )
    .expect("wrapper");
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let proj = w.sb.project("proj");
    w.sb.mkdir("proj/src");
    w.sb.allow(&proj);
    let run = w.run(&[
        format!("cd {}", q(&proj)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("ve")),
        format!("cd {}", q(&proj.join("src"))),
        "true".into(),
    ]);
    assert_eq!(w.var("ve"), "<unset>");
    let lines = lines_with(&run.stderr(), "ensurepip");
    assert_eq!(lines.len(), 1, "{}", run.stderr());
    assert!(
        lines[0].contains("sudo apt install python3-venv") && lines[0].ends_with(" or uv"),
        "{}",
        lines[0]
    );
    assert!(!proj.join(".venv").exists(), "nothing half-made is left");
}

#[test]
fn a_read_only_project_is_one_line_not_retried_until_you_come_back() {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    w.sb.mkdir("proj/src");
    w.sb.allow(&proj);
    std::fs::set_permissions(&proj, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    // root writes anywhere: drop that power for this shell and everything it starts.
    // SAFETY: geteuid only reads the process's user id.
    let root = unsafe { libc::geteuid() } == 0;
    let wrapper: &[&str] = if root {
        &[
            "setpriv",
            "--inh-caps=-dac_override,-dac_read_search",
            "--bounding-set=-dac_override,-dac_read_search",
        ]
    } else {
        &[]
    };
    let run = w.run_with(
        wrapper,
        &[
            format!("cd {}", q(&proj)),
            "true".into(),
            format!("cd {}", q(&proj.join("src"))),
            format!("cd {}", q(&proj)),
            SH.dump_var("VIRTUAL_ENV", &w.sb.out("ve")),
            "cd /".into(),
            format!("cd {}", q(&proj)),
            "autovenv create; echo \"create-status=$?\"".into(),
        ],
    );
    std::fs::set_permissions(&proj, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_eq!(w.var("ve"), "<unset>");
    let lines = lines_with(&run.stderr(), "cannot create");
    // Once on entry, once after coming back, once for `autovenv create`.
    assert_eq!(lines.len(), 3, "{}", run.stderr());
    assert!(
        lines[0].contains(&proj.join(".venv").to_string_lossy().into_owned())
            && lines[0].contains("make the directory writable"),
        "{}",
        lines[0]
    );
    assert!(run.stdout().contains("create-status=1"), "{}", run.stdout());
    assert!(!proj.join(".venv").exists());
}

#[test]
fn a_version_that_is_not_installed_is_named_and_nothing_is_made() {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    w.sb.mkdir("proj/src");
    w.sb.write("proj/.python-version", "3.99.1\n");
    w.sb.allow(&proj);
    let run = w.run(&[
        format!("cd {}", q(&proj)),
        format!("cd {}", q(&proj.join("src"))),
        format!("cd {}", q(&proj)),
        "true".into(),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("ve")),
        "autovenv create --python python3".into(),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("after-create")),
    ]);
    assert_eq!(w.var("ve"), "<unset>");
    let lines = lines_with(&run.stderr(), "3.99");
    assert_eq!(lines.len(), 1, "{}", run.stderr());
    assert!(
        lines[0].contains("Python 3.99 is not installed")
            && lines[0].contains("looked for python3.99 on PATH")
            && lines[0].contains(".python-version"),
        "{}",
        lines[0]
    );
    assert_eq!(
        w.var("after-create"),
        proj.join(".venv").to_string_lossy(),
        "{}",
        run.stderr()
    );
}

#[test]
fn python_version_picks_the_interpreter() {
    let w = World::new(true);
    let log = w.sb.out("python3.11-ran");
    let wrapper = w.bin.join("python3.11");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho ran >> {}\nexec {} \"$@\"\n",
            sh_quote(&log),
            sh_quote(&real_python())
        ),
    )
    .expect("wrapper");
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let proj = w.sb.project("proj");
    w.sb.write("proj/.python-version", "# pinned\n3.11.4\n");
    w.sb.allow(&proj);
    let run = w.run(&[
        format!("cd {}", q(&proj)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("ve")),
    ]);
    assert_eq!(
        w.var("ve"),
        proj.join(".venv").to_string_lossy(),
        "{}",
        run.stderr()
    );
    assert!(log.exists(), "python3.11 was not asked: {}", run.stderr());

    // `--python` takes the same forms as .python-version.
    std::fs::remove_file(&log).expect("rm log");
    let other = w.sb.project("other");
    let out = w.autovenv(&other, &["create", "--python", "3.11"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        log.exists(),
        "python3.11 was not asked: {}",
        text(&out.stderr)
    );
    assert!(other.join(".venv/pyvenv.cfg").exists());
}

#[test]
fn untrusted_projects_get_nothing_until_allowed() {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    let run = w.run(&[
        format!("cd {}", q(&proj)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("before")),
        format!("ls -a {} > {}", q(&proj), q(&w.sb.out("ls"))),
        "autovenv allow".into(),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("after")),
    ]);
    assert_eq!(w.var("before"), "<unset>");
    assert!(!w.var("ls").contains(".venv"));
    assert_eq!(
        run.stderr_count("run `autovenv allow` to create and activate one"),
        1,
        "{}",
        run.stderr()
    );
    assert_eq!(w.var("after"), proj.join(".venv").to_string_lossy());
    assert_eq!(run.stderr_count("autovenv: created and activated"), 1);
}

#[test]
fn auto_create_off_tells_and_autovenv_create_makes_it() {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    w.sb.allow(&proj);
    w.config("auto_create = false\n");
    let run = w.run(&[
        format!("cd {}", q(&proj)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("before")),
        "autovenv create".into(),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("after")),
        "autovenv create".into(),
    ]);
    assert_eq!(w.var("before"), "<unset>");
    assert_eq!(
        run.stderr_count("auto_create is off: run `autovenv create`"),
        1,
        "{}",
        run.stderr()
    );
    assert_eq!(w.var("after"), proj.join(".venv").to_string_lossy());
    assert_eq!(run.stderr_count("it is activated at the next prompt"), 1);
    assert_eq!(run.stderr_count("is there already"), 1, "{}", run.stderr());
}

#[test]
fn uv_project_environment_names_the_venv_uv_sync_uses() {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    w.sb.write(
        "proj/pyproject.toml",
        "[project]\nname = \"demo\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\ndependencies = []\n\n[tool.uv]\npackage = false\n",
    );
    let other = w.sb.project("other");
    w.sb.allow(&proj);
    w.sb.allow(&other);
    let fixed = w.sb.path("elsewhere/env");
    let run = w.run(&[
        "export UV_PROJECT_ENVIRONMENT=.uv-env".into(),
        format!("cd {}", q(&proj)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("relative")),
        "touch \"$VIRTUAL_ENV/kept\"".into(),
        format!("uv sync --offline 2> {}", q(&w.sb.out("sync"))),
        format!("export UV_PROJECT_ENVIRONMENT={}", q(&fixed)),
        format!("cd {}", q(&other)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("absolute")),
    ]);
    let relative = proj.join(".uv-env");
    assert_eq!(
        w.var("relative"),
        relative.to_string_lossy(),
        "{}",
        run.stderr()
    );
    assert!(!proj.join(".venv").exists());
    let sync = w.var("sync");
    assert!(!sync.contains("Creating virtual environment"), "{sync}");
    assert!(
        relative.join("kept").exists(),
        "uv sync replaced the venv: {sync}"
    );
    assert!(proj.join("uv.lock").exists(), "uv sync did not run: {sync}");
    assert_eq!(
        w.var("absolute"),
        fixed.to_string_lossy(),
        "{}",
        run.stderr()
    );
    assert!(fixed.join("pyvenv.cfg").exists());
}

#[test]
fn symlinked_projects_and_venv_links_work() {
    let w = World::new(true);
    let real = w.sb.project("real/proj");
    let link = w.sb.path("link");
    std::os::unix::fs::symlink(&real, &link).expect("link project");
    let linked = w.sb.project("linked");
    // A `.venv` that leads to an empty directory elsewhere gets the venv made there by
    // `autovenv create`, as the notice on entry says.
    let store = w.sb.mkdir("store/linked-venv");
    std::os::unix::fs::symlink(&store, linked.join(".venv")).expect("link venv");
    w.sb.allow(&real);
    w.sb.allow(&linked);
    let run = w.run(&[
        format!("cd {}", q(&link)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("via-link")),
        format!("cd {}", q(&linked)),
        "autovenv create".into(),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("venv-link")),
        format!("touch {}", q(&store.join("old"))),
        "autovenv create --force; echo \"create-status=$?\"".into(),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("after-force")),
    ]);
    // Entered through a link to the project, the venv is named by the project's real
    // directory: what goes on PATH is what was trusted, whatever the link points to later.
    assert_eq!(
        w.var("via-link"),
        real.join(".venv").to_string_lossy(),
        "{}",
        run.stderr()
    );
    assert!(real.join(".venv/pyvenv.cfg").exists());
    assert_eq!(w.var("venv-link"), linked.join(".venv").to_string_lossy());
    assert!(store.join("pyvenv.cfg").exists());
    assert!(
        std::fs::symlink_metadata(linked.join(".venv")).is_ok_and(|m| m.file_type().is_symlink())
    );
    // Nothing is rebuilt through the link: it is refused, and the venv stays as it is.
    assert!(run.stdout().contains("create-status=1"), "{}", run.stderr());
    assert!(store.join("old").exists(), "{}", run.stderr());
    assert_eq!(
        run.stderr_count("never rebuilds or empties anything through a link"),
        1,
        "{}",
        run.stderr()
    );
    assert_eq!(w.var("after-force"), linked.join(".venv").to_string_lossy());
    assert_eq!(run.stderr_count("created "), 2, "{}", run.stderr());
    assert_eq!(
        run.stderr_count("is a symlink to the empty directory"),
        1,
        "{}",
        run.stderr()
    );
}

#[test]
fn a_forced_creator_that_is_missing_is_named_once() {
    let w = World::new(false);
    let proj = w.sb.project("proj");
    w.sb.mkdir("proj/src");
    w.sb.allow(&proj);
    w.config("creator = \"uv\"\n");
    let run = w.run(&[
        format!("cd {}", q(&proj)),
        format!("cd {}", q(&proj.join("src"))),
        "true".into(),
    ]);
    assert_eq!(
        run.stderr_count("creator = \"uv\", but uv is not on PATH"),
        1,
        "{}",
        run.stderr()
    );
    w.config("creator = \"virtualenv\"\n");
    let out = w.autovenv(&proj, &["create"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("creator = \"virtualenv\", but virtualenv is not on PATH"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!proj.join(".venv").exists());
}

#[test]
fn a_full_disk_is_one_line_and_leaves_nothing() {
    let w = World::new(true);
    let proj = w.sb.mkdir("proj");
    // The project lives on a 1 MiB file system of its own: room for the project, not for
    // pip. The shell runs in a mount namespace where that file system is mounted, and the
    // project is allowed there: an allow records the directory it trusted, and the mount
    // is another one.
    let mount = "mount -t tmpfs -o size=1m,mode=755 tmpfs \"$1\" && printf '[project]\\n' > \"$1/pyproject.toml\" && autovenv allow \"$1\" >/dev/null 2>&1 && shift && exec \"$@\"";
    let proj_arg = proj.to_string_lossy().into_owned();
    let wrapper = [
        "unshare",
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        mount,
        "sh",
        proj_arg.as_str(),
    ];
    let run = w.run_with(
        &wrapper,
        &[
            format!("cd {}", q(&proj)),
            SH.dump_var("VIRTUAL_ENV", &w.sb.out("ve")),
            "true".into(),
            format!("ls -A {} > {}", q(&proj), q(&w.sb.out("ls"))),
        ],
    );
    assert_eq!(w.var("ve"), "<unset>");
    let lines = lines_with(&run.stderr(), "removed what was made");
    assert_eq!(lines.len(), 1, "{}", run.stderr());
    assert!(
        lines[0].contains("No space left on device") && lines[0].contains(" failed: "),
        "{}",
        lines[0]
    );
    assert_eq!(w.var("ls").trim(), "pyproject.toml", "{}", run.stderr());
}

#[test]
fn a_project_path_with_a_colon_gets_no_venv_and_one_line() {
    let w = World::new(true);
    let proj = w.sb.project("has:colon");
    w.sb.allow(&proj);
    let run = w.run(&[
        format!("cd {}", q(&proj)),
        "true".into(),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("ve")),
    ]);
    assert_eq!(w.var("ve"), "<unset>");
    assert_eq!(
        run.stderr_count("has ':' in its path"),
        1,
        "{}",
        run.stderr()
    );
    assert!(!proj.join(".venv").exists());
}

#[test]
fn with_uv_a_version_not_on_path_as_python3_x_is_found_by_uv() {
    // Only `python3` is on PATH; uv knows it is the version .python-version asks for.
    let w = World::new(true);
    let out = Command::new(real_python())
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
        .expect("ask python3 its version");
    let version = text(&out.stdout).trim().to_owned();
    let proj = w.sb.project("proj");
    w.sb.write("proj/.python-version", &format!("{version}\n"));
    w.sb.allow(&proj);
    let run = w.run(&[
        format!("cd {}", q(&proj)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("ve")),
    ]);
    assert_eq!(
        w.var("ve"),
        proj.join(".venv").to_string_lossy(),
        "{}",
        run.stderr()
    );
    assert_eq!(
        run.stderr_count(&format!("with Python {version}.")),
        1,
        "{}",
        run.stderr()
    );
}

#[test]
fn a_creator_killed_half_way_is_one_line_and_leaves_nothing() {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    w.sb.allow(&proj);
    let venv = proj.join(".venv");
    w.config("creator = \"venv\"\n");
    let creating = w.spawn_create(&proj, Stdio::piped);
    wait_until("the venv is half made", || venv.join("pyvenv.cfg").exists());
    // The creator is the child of autovenv that names the venv on its command line.
    let parent = format!(" {} ", creating.id());
    let venv_text = venv.to_string_lossy().into_owned();
    let creator = std::fs::read_dir("/proc")
        .expect("read /proc")
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .find(|pid| {
            let stat = std::fs::read(format!("/proc/{pid}/stat")).unwrap_or_default();
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let stat = text(&stat);
            let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
            let ppid_field = after_name.split_whitespace().nth(1).unwrap_or("");
            format!(" {ppid_field} ") == parent && text(&cmdline).contains(&venv_text)
        })
        .expect("find the creator process");
    // SAFETY: kill sends a signal to a process this test started (through autovenv).
    assert_eq!(unsafe { libc::kill(creator, libc::SIGKILL) }, 0);
    let out = creating.wait_with_output().expect("wait for autovenv");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let failed: Vec<&str> = stderr.lines().filter(|l| l.contains("failed")).collect();
    assert_eq!(failed.len(), 1, "{stderr}");
    assert!(failed[0].contains("removed what was made"), "{stderr}");
    assert!(!venv.exists(), "{stderr}");
}

#[test]
fn twenty_shells_entering_a_new_project_at_once_make_one_venv_and_all_activate_it() {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    w.sb.allow(&proj);
    let venv = proj.join(".venv");
    let children: Vec<_> = (0..20)
        .map(|n| {
            let mut cmd = w.bash(&[]);
            cmd.stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = cmd.spawn().expect("start bash");
            let lines = vec![
                format!("cd {}", q(&proj)),
                SH.dump_var("VIRTUAL_ENV", &w.sb.out(&format!("ve{n}"))),
            ];
            if let Some(mut stdin) = child.stdin.take() {
                use std::io::Write;
                stdin
                    .write_all(script(&lines).as_bytes())
                    .expect("type into bash");
            }
            child
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().expect("bash"))
        .collect();
    let all = outputs
        .iter()
        .map(|o| text(&o.stderr))
        .collect::<Vec<_>>()
        .join("\n---\n");
    for (n, out) in outputs.iter().enumerate() {
        assert!(out.status.success(), "{all}");
        assert_eq!(
            w.var(&format!("ve{n}")),
            venv.to_string_lossy(),
            "shell {n}: {all}"
        );
    }
    assert_eq!(all.matches("autovenv: creating ").count(), 1, "{all}");
    assert!(!marker(&venv).exists());
    for line in all.lines().filter(|l| l.starts_with("autovenv:")) {
        for word in ["error", "failed", "cannot", "half-made"] {
            assert!(!line.contains(word), "{all}");
        }
    }
}

/// Every file below `dir` (links not followed) with its size and contents' digest, so two
/// listings are equal only when nothing in the tree changed.
fn tree(dir: &Path) -> Vec<(PathBuf, u64, u64)> {
    use std::hash::{Hash, Hasher};
    let mut out = Vec::new();
    for (path, meta) in support::entries(dir) {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        if meta.is_file() {
            std::fs::read(&path).expect("read").hash(&mut hasher);
        } else if meta.file_type().is_symlink() {
            std::fs::read_link(&path)
                .expect("readlink")
                .hash(&mut hasher);
        }
        let rel = path.strip_prefix(dir).expect("below").to_owned();
        out.push((rel, meta.len(), hasher.finish()));
    }
    out.sort();
    out
}

/// What differs between two [`tree`] listings, for a short assertion message.
fn tree_diff(a: &[(PathBuf, u64, u64)], b: &[(PathBuf, u64, u64)]) -> String {
    let only = |x: &[(PathBuf, u64, u64)], y: &[(PathBuf, u64, u64)]| {
        x.iter()
            .filter(|e| !y.contains(e))
            .take(10)
            .map(|e| e.0.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "changed or gone: [{}]; new or changed: [{}]",
        only(a, b),
        only(b, a)
    )
}

/// The names in `dir` that start with `prefix`.
fn names_starting(dir: &Path, prefix: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect()
}

#[test]
fn a_venv_link_to_the_parent_is_never_emptied_by_create_force() {
    let w = World::new(true);
    let work = w.sb.mkdir("work");
    let sibling = w.sb.project("work/sibling");
    w.sb.write("work/sibling/keep.txt", "precious\n");
    w.sb.write("work/notes.txt", "precious too\n");
    let proj = w.sb.project("work/proj");
    std::os::unix::fs::symlink("..", proj.join(".venv")).expect("link .venv to ..");
    w.sb.allow(&proj);
    let before = tree(&work);
    let run = w.run(&[
        format!("cd {}", q(&proj)),
        "true".into(),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("ve")),
        "autovenv create --force; echo \"create-status=$?\"".into(),
        "true".into(),
    ]);
    let stderr = run.stderr();
    let after = tree(&work);
    assert!(after == before, "{}: {stderr}", tree_diff(&before, &after));
    assert!(sibling.join("keep.txt").exists(), "{stderr}");
    assert_eq!(w.var("ve"), "<unset>");
    assert!(run.stdout().contains("create-status=1"), "{stderr}");
    // The notice on entry suggests nothing that replaces what the link leads to.
    let notice = lines_with(&stderr, "is not a virtual environment");
    assert_eq!(notice.len(), 1, "{stderr}");
    assert!(notice[0].contains("symlink to .."), "{}", notice[0]);
    assert!(!notice[0].contains("--force"), "{}", notice[0]);
    let refused = lines_with(&stderr, "never rebuilds or empties anything through a link");
    assert_eq!(refused.len(), 1, "{stderr}");
}

#[test]
fn a_half_made_venv_behind_a_link_is_not_rebuilt_through_it() {
    let w = World::new(true);
    let other = w.sb.project("other");
    w.sb.write("other/.autovenv-incomplete", "creating 1\n");
    w.sb.write("other/src/main.py", "print('mine')\n");
    let proj = w.sb.project("proj");
    std::os::unix::fs::symlink(&other, proj.join(".venv")).expect("link .venv");
    w.sb.allow(&proj);
    let before = tree(&other);
    let run = w.run(&[
        format!("cd {}", q(&proj)),
        "true".into(),
        "cd /".into(),
        format!("cd {}", q(&proj)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("ve")),
    ]);
    let stderr = run.stderr();
    let after = tree(&other);
    assert!(after == before, "{}: {stderr}", tree_diff(&before, &after));
    assert_eq!(w.var("ve"), "<unset>");
    let lines = lines_with(&stderr, "changes nothing through a link");
    // Once per visit; never a creation.
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines[0].contains("is half-made"), "{}", lines[0]);
    assert_eq!(run.stderr_count("creating "), 0, "{stderr}");
}

#[test]
fn a_dangling_venv_link_is_refused_and_nothing_is_made_outside_the_project() {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    let elsewhere = w.sb.path("elsewhere");
    std::os::unix::fs::symlink("../elsewhere/env", proj.join(".venv")).expect("link .venv");
    w.sb.allow(&proj);
    let run = w.run(&[
        format!("cd {}", q(&proj)),
        "true".into(),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("ve")),
        "autovenv create; echo \"create-status=$?\"".into(),
    ]);
    let stderr = run.stderr();
    assert!(!elsewhere.exists(), "{stderr}");
    assert_eq!(w.var("ve"), "<unset>");
    let lines = lines_with(&stderr, "which does not exist");
    // Once on entry, once for `autovenv create`.
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].contains("makes nothing through a link"),
        "{}",
        lines[0]
    );
    assert!(run.stdout().contains("create-status=1"), "{stderr}");
    assert!(std::fs::symlink_metadata(proj.join(".venv")).is_ok_and(|m| m.file_type().is_symlink()));
}

#[test]
fn an_untrusted_broken_venv_notice_suggests_nothing_destructive() {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    w.sb.write("proj/.venv/data.txt", "not a venv\n");
    let run = w.run(&[format!("cd {}", q(&proj)), "true".into()]);
    let stderr = run.stderr();
    let lines = lines_with(&stderr, "is not a virtual environment");
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("not trusted"), "{}", lines[0]);
    for destructive in ["--force", "remove it", "move it"] {
        assert!(!lines[0].contains(destructive), "{}", lines[0]);
    }
    assert!(proj.join(".venv/data.txt").exists());
}

#[test]
fn forcing_a_directory_that_is_not_a_venv_moves_it_aside_and_keeps_it() {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    w.sb.write("proj/.venv/data.txt", "mine\n");
    w.sb.allow(&proj);
    let run = w.run(&[
        format!("cd {}", q(&proj)),
        "autovenv create --force".into(),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("ve")),
    ]);
    let stderr = run.stderr();
    assert_eq!(
        w.var("ve"),
        proj.join(".venv").to_string_lossy(),
        "{stderr}"
    );
    let moved = names_starting(&proj, ".venv.autovenv-moved-");
    assert_eq!(moved.len(), 1, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(proj.join(&moved[0]).join("data.txt")).expect("kept"),
        "mine\n"
    );
    let said = lines_with(&stderr, "moved ");
    assert_eq!(said.len(), 1, "{stderr}");
    assert!(said[0].contains(&moved[0]), "{}", said[0]);
}

#[test]
fn a_failed_forced_rebuild_leaves_the_old_venv_exactly_as_it_was() {
    let w = World::new(true);
    // An interpreter whose shim fails, as a pyenv shim does for a version not installed.
    let shim = w.bin.join("python3.99");
    std::fs::write(
        &shim,
        "#!/bin/sh\necho 'pyenv: python3.99: command not found' >&2\nexit 127\n",
    )
    .expect("shim");
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let proj = w.sb.project("proj");
    w.sb.allow(&proj);
    let venv = proj.join(".venv");
    let run = w.run(&[
        format!("cd {}", q(&proj)),
        // A package only the old venv has.
        "d=$(python -c 'import sysconfig; print(sysconfig.get_paths()[\"purelib\"])') && mkdir \"$d/oldmark\" && echo 'X = 1' > \"$d/oldmark/__init__.py\"".into(),
    ]);
    assert!(venv.join("pyvenv.cfg").exists(), "{}", run.stderr());
    let before = tree(&venv);
    assert!(before
        .iter()
        .any(|(p, _, _)| p.ends_with("oldmark/__init__.py")));
    for creator in ["auto", "venv", "uv"] {
        w.config(&format!("creator = \"{creator}\"\n"));
        let run = w.run(&[
            format!("cd {}", q(&proj)),
            "autovenv create --force --python python3.99; echo \"create-status=$?\"".into(),
            format!(
                "PYTHONDONTWRITEBYTECODE=1 python -c 'import oldmark; print(oldmark.X)' > {}",
                q(&w.sb.out("import"))
            ),
            SH.dump_var("VIRTUAL_ENV", &w.sb.out("ve")),
        ]);
        let stderr = run.stderr();
        assert!(
            run.stdout().contains("create-status=1"),
            "{creator}: {stderr}"
        );
        let after = tree(&venv);
        assert!(
            after == before,
            "{creator}: {}: {stderr}",
            tree_diff(&before, &after)
        );
        assert_eq!(w.var("import").trim(), "1", "{creator}: {stderr}");
        assert_eq!(w.var("ve"), venv.to_string_lossy(), "{creator}: {stderr}");
        let failed = lines_with(&stderr, "failed");
        assert_eq!(failed.len(), 1, "{creator}: {stderr}");
        assert!(
            failed[0].contains("the old venv is back as it was"),
            "{}",
            failed[0]
        );
        assert!(
            names_starting(&proj, ".venv.").is_empty(),
            "{creator}: {stderr}"
        );
    }

    // A rebuild that works replaces it, and nothing is left beside it.
    w.config("creator = \"auto\"\n");
    let run = w.run(&[
        format!("cd {}", q(&proj)),
        "autovenv create --force; echo \"create-status=$?\"".into(),
        format!("python -c 'import oldmark' 2> {}", q(&w.sb.out("import"))),
        format!("pip --version > {}", q(&w.sb.out("pip"))),
    ]);
    let stderr = run.stderr();
    assert!(run.stdout().contains("create-status=0"), "{stderr}");
    assert!(
        w.var("import").contains("No module named 'oldmark'"),
        "{stderr}"
    );
    assert!(
        w.var("pip")
            .contains(&venv.join("lib").to_string_lossy().into_owned()),
        "{stderr}"
    );
    assert!(names_starting(&proj, ".venv.").is_empty(), "{stderr}");
}

/// Writes an executable `/bin/sh` script called `name` into the world's PATH directory.
fn script_on_path(w: &World, name: &str, body: &str) -> PathBuf {
    let path = w.bin.join(name);
    let _ = std::fs::remove_file(&path);
    std::fs::write(&path, format!("#!/bin/sh\n{body}")).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// Checks that the shell ended with `venv` active and its own pip working, made by the
/// fallback to `python -m venv`.
fn assert_made_by_fallback(w: &World, run: &Run, venv: &Path) {
    let stderr = run.stderr();
    assert_eq!(w.var("ve"), venv.to_string_lossy(), "{stderr}");
    assert_eq!(
        w.var("pip").trim(),
        venv.join("bin/pip").to_string_lossy(),
        "{stderr}"
    );
    assert!(
        w.var("pip-version")
            .contains(&venv.join("lib").to_string_lossy().into_owned()),
        "{}: {stderr}",
        w.var("pip-version")
    );
    // uv may have been announced first (it says nothing for a while on a busy machine).
    let creating = lines_with(&stderr, "autovenv: creating ");
    assert!((1..=2).contains(&creating.len()), "{stderr}");
    let last = &creating[creating.len() - 1];
    assert!(
        last.contains("(python -m venv, as uv venv failed: "),
        "{last}"
    );
    assert_eq!(run.stderr_count("created and activated"), 1, "{stderr}");
    assert!(!marker(venv).exists());
}

fn enter_and_check_pip(w: &World, first: &[String], proj: &Path) -> Run {
    let mut lines = first.to_vec();
    lines.extend([
        format!("cd {}", q(proj)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("ve")),
        format!("type -P pip > {}", q(&w.sb.out("pip"))),
        format!("pip --version > {}", q(&w.sb.out("pip-version"))),
    ]);
    w.run(&lines)
}

#[test]
fn uv_offline_with_an_empty_cache_falls_back_to_python_m_venv_with_pip() {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    w.sb.allow(&proj);
    let empty = w.sb.mkdir("empty-cache");
    let run = enter_and_check_pip(
        &w,
        &[format!("export UV_OFFLINE=1 UV_CACHE_DIR={}", q(&empty))],
        &proj,
    );
    assert_made_by_fallback(&w, &run, &proj.join(".venv"));
    assert!(run.stderr().contains("pip"), "{}", run.stderr());
}

#[test]
fn a_uv_that_fails_falls_back_and_a_forced_uv_names_the_way_out() {
    // A pyenv shim whose selected Python has no uv behind it.
    let w = World::new(false);
    script_on_path(
        &w,
        "uv",
        "echo 'pyenv: uv: command not found' >&2\necho \"The 'uv' command exists in these Python versions:\" >&2\nexit 127\n",
    );
    let proj = w.sb.project("proj");
    w.sb.allow(&proj);
    let run = enter_and_check_pip(&w, &[], &proj);
    assert_made_by_fallback(&w, &run, &proj.join(".venv"));
    assert!(
        run.stderr()
            .contains("uv venv failed: pyenv: uv: command not found"),
        "{}",
        run.stderr()
    );

    let other = w.sb.project("other");
    w.sb.allow(&other);
    w.config("creator = \"uv\"\n");
    let out = w.autovenv(&other, &["create"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("with uv venv failed: pyenv: uv: command not found")
            && stderr.contains("set creator = \"auto\" (or \"venv\")"),
        "{stderr}"
    );
    assert!(!other.join(".venv").exists(), "{stderr}");
}

#[test]
fn a_python_version_naming_a_pyenv_environment_activates_it_and_restores() {
    let w = World::new(true);
    let pyenv = w.sb.mkdir("pyenv");
    let env = w.sb.path("pyenv/versions/3.11.7/envs/myenv");
    support::make_venv(&env, &[]);
    std::os::unix::fs::symlink("3.11.7/envs/myenv", pyenv.join("versions/myenv")).expect("link");
    let proj = w.sb.project("proj");
    w.sb.write("proj/.python-version", "myenv\n");
    let ghost = w.sb.project("ghost");
    w.sb.write("ghost/.python-version", "ghost-env\n");
    w.sb.allow(&proj);
    w.sb.allow(&ghost);
    let run = w.run(&[
        format!("export PYENV_ROOT={}", q(&pyenv)),
        SH.dump_var("PATH", &w.sb.out("path-before")),
        format!("cd {}", q(&proj)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("ve")),
        format!(
            "python -c 'import sys; print(sys.prefix)' > {}",
            q(&w.sb.out("prefix"))
        ),
        "cd /".into(),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("left")),
        SH.dump_var("PATH", &w.sb.out("path-after")),
        format!("cd {}", q(&ghost)),
        "true".into(),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("ghost")),
    ]);
    let stderr = run.stderr();
    let named = pyenv.join("versions/myenv");
    assert_eq!(w.var("ve"), named.to_string_lossy(), "{stderr}");
    assert_eq!(w.var("prefix").trim(), named.to_string_lossy(), "{stderr}");
    assert_eq!(w.var("left"), "<unset>", "{stderr}");
    assert_eq!(w.var("path-after"), w.var("path-before"), "{stderr}");
    assert!(!proj.join(".venv").exists(), "{stderr}");
    assert_eq!(w.var("ghost"), "<unset>", "{stderr}");
    assert!(!ghost.join(".venv").exists(), "{stderr}");
    let lines = lines_with(&stderr, "ghost-env");
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains(&ghost.join(".python-version").to_string_lossy().into_owned())
            && lines[0].contains("not a Python version"),
        "{}",
        lines[0]
    );
    assert_eq!(run.stderr_count("creating "), 0, "{stderr}");
}

#[test]
fn pypy_is_named_as_pypy_when_it_is_not_installed() {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    w.sb.write("proj/.python-version", "pypy3.10\n");
    w.sb.allow(&proj);
    let run = w.run(&[format!("cd {}", q(&proj)), "true".into()]);
    let stderr = run.stderr();
    let lines = lines_with(&stderr, "is not installed");
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains("PyPy 3.10 is not installed")
            && lines[0].contains("`uv python install pypy3.10`"),
        "{}",
        lines[0]
    );
    assert!(!proj.join(".venv").exists());
}

#[test]
fn a_python_version_in_the_home_directory_does_not_make_it_a_project() {
    let w = World::new(true);
    let home = w.sb.home();
    w.sb.write("home/.python-version", "3.11\n");
    w.sb.write("home/code/proj/.python-version", "3\n");
    let proj = home.join("code/proj");
    // Even with the whole home directory trusted, only the real project gets a venv.
    w.config(&format!("trusted_roots = [\"{}\"]\n", home.display()));
    let run = w.run(&[
        format!("cd {}", q(&home)),
        "true".into(),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("home")),
        format!("cd {}", q(&home.join("code"))),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("code")),
        format!("cd {}", q(&proj)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("proj")),
    ]);
    let stderr = run.stderr();
    assert_eq!(w.var("home"), "<unset>", "{stderr}");
    assert_eq!(w.var("code"), "<unset>", "{stderr}");
    assert!(!home.join(".venv").exists(), "{stderr}");
    assert_eq!(
        w.var("proj"),
        proj.join(".venv").to_string_lossy(),
        "{stderr}"
    );
    assert_eq!(run.stderr_count("creating "), 1, "{stderr}");
}

#[test]
fn under_trusted_roots_a_venv_autovenv_made_stays_trusted_once_committed_and_a_swapped_one_does_not(
) {
    let w = World::new(true);
    let repo = w.sb.project("code/repo");
    let git = |args: &[&str]| {
        Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&repo)
            .env("HOME", w.sb.home())
            .succeeds("git");
    };
    git(&["init", "-q"]);
    w.config(&format!(
        "trusted_roots = [\"{}\"]\n",
        w.sb.path("code").display()
    ));
    let commit =
        "git add -f .venv && git -c user.name=t -c user.email=t@example.com commit -qm venv";
    let run = w.run(&[
        format!("cd {}", q(&repo)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("made")),
        commit.into(),
        "cd ..".into(),
        format!("cd {}", q(&repo)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("committed")),
        // Another venv in its place, committed: what a pull could bring.
        format!("cd ..; rm -rf {}", q(&repo.join(".venv"))),
        format!("python3 -m venv --without-pip {}", q(&repo.join(".venv"))),
        format!("cd {} && {commit}", q(&repo)),
        SH.dump_var("VIRTUAL_ENV", &w.sb.out("swapped")),
    ]);
    let venv = repo.join(".venv").to_string_lossy().into_owned();
    assert_eq!(w.var("made"), venv, "{}", run.stderr());
    assert_eq!(w.var("committed"), venv, "{}", run.stderr());
    assert_eq!(w.var("swapped"), "<unset>", "{}", run.stderr());
    assert_eq!(
        run.stderr_count("came with the checkout (git tracks it) and autovenv did not make it"),
        1,
        "{}",
        run.stderr()
    );
}

#[test]
fn an_untrusted_projects_uv_configuration_does_not_steer_creation() {
    let w = World::new(true);
    let proj = w.sb.project("proj");
    // Were uv to read it, it could not seed pip from its cache, and offline that fails.
    w.sb.write("proj/uv.toml", "no-cache = true\n");
    let mut cmd = w.sb.command(support::binary());
    cmd.arg("create")
        .current_dir(&proj)
        .env("PWD", &proj)
        .stdin(Stdio::null());
    w.env(&mut cmd);
    let out = cmd.env("UV_OFFLINE", "1").succeeds("run autovenv");
    let stderr = text(&out.stderr);
    assert!(proj.join(".venv/bin/pip").exists(), "{stderr}");
    assert!(!stderr.contains("uv venv failed"), "{stderr}");
    assert!(stderr.contains("(uv venv) …"), "{stderr}");
    assert!(
        stderr.contains("run `autovenv allow` to have it activated"),
        "{stderr}"
    );
}
