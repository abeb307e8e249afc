//! Shared test support: a sandbox with its own HOME and XDG directories, real venvs made
//! by a real `python3`, and real shells started as processes.
#![allow(dead_code)]

/// One `#[test]` per shell for a scenario `fn NAME(shell: Shell)` in the calling file: in
/// every shell, or in the ones listed. Each test is named `NAME::SHELL`.
#[allow(unused_macros)]
macro_rules! scenario {
    ($name:ident) => {
        scenario!($name in bash zsh fish tcsh elvish nushell xonsh);
    };
    ($name:ident in $($shell:ident)+) => {
        mod $name {
            $(
                #[test]
                fn $shell() {
                    super::$name(scenario!(@ $shell));
                }
            )+
        }
    };
    (@ bash) => { $crate::support::Shell::Bash };
    (@ zsh) => { $crate::support::Shell::Zsh };
    (@ fish) => { $crate::support::Shell::Fish };
    (@ tcsh) => { $crate::support::Shell::Tcsh };
    (@ elvish) => { $crate::support::Shell::Elvish };
    (@ nushell) => { $crate::support::Shell::Nu };
    (@ xonsh) => { $crate::support::Shell::Xonsh };
}

pub mod pty;
pub mod screen;
pub mod session;

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The autovenv binary under test.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_autovenv"))
}

/// A temporary world: `root/home` is HOME, with config and data below it. Removed on drop.
pub struct Sandbox {
    /// The sandbox directory (canonical, so paths compare equal to what shells see).
    pub root: PathBuf,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Sandbox {
    /// A fresh, empty sandbox.
    pub fn new() -> Sandbox {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let base = std::env::temp_dir().join("autovenv-tests");
        let dir = base.join(format!("{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("home")).expect("create sandbox");
        std::fs::create_dir_all(dir.join("out")).expect("create sandbox out");
        let root = std::fs::canonicalize(&dir).expect("canonical sandbox");
        Sandbox { root }
    }

    /// `root/rel`.
    pub fn path(&self, rel: impl AsRef<OsStr>) -> PathBuf {
        self.root.join(rel.as_ref())
    }

    /// The home directory.
    pub fn home(&self) -> PathBuf {
        self.path("home")
    }

    /// A file the shells write results to: `root/out/name`.
    pub fn out(&self, name: &str) -> PathBuf {
        self.path("out").join(name)
    }

    /// Reads an output file (empty when missing).
    pub fn read_out(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.out(name)).unwrap_or_default()
    }

    /// Reads an output file as text (lossy; empty when missing).
    pub fn out_text(&self, name: &str) -> String {
        String::from_utf8_lossy(&self.read_out(name)).into_owned()
    }

    /// Asserts that each output file `name` holds `text`, in the order given.
    pub fn assert_outs(&self, expected: &[(&str, &str)]) {
        for (name, text) in expected {
            assert_eq!(self.out_text(name), *text, "out/{name}");
        }
    }

    /// [`Sandbox::assert_outs`], with what the shell showed as the message of a failure.
    pub fn assert_outs_showing(&self, expected: &[(&str, &str)], shown: &str) {
        for (name, text) in expected {
            assert_eq!(self.out_text(name), *text, "{shown}");
        }
    }

    /// Makes the directory `root/rel` (and parents).
    pub fn mkdir(&self, rel: impl AsRef<OsStr>) -> PathBuf {
        let dir = self.path(rel);
        std::fs::create_dir_all(&dir).expect("mkdir");
        dir
    }

    /// Writes a file.
    pub fn write(&self, rel: impl AsRef<OsStr>, contents: &str) -> PathBuf {
        let file = self.path(rel);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).expect("mkdir parent");
        }
        std::fs::write(&file, contents).expect("write");
        file
    }

    /// A project directory `root/rel` with a `pyproject.toml` and no venv.
    pub fn project(&self, rel: impl AsRef<OsStr>) -> PathBuf {
        let dir = self.mkdir(rel);
        std::fs::write(dir.join("pyproject.toml"), "[project]\nname = \"demo\"\n")
            .expect("pyproject");
        dir
    }

    /// A sandbox whose config trusts everything under `code/` and creates no venv.
    pub fn trusting_code_without_creation() -> Sandbox {
        let sb = Sandbox::new();
        sb.write(
            "home/.config/autovenv/config.toml",
            &format!(
                "auto_create = false\ntrusted_roots = [\"{}\"]\n",
                sb.path("code").display()
            ),
        );
        sb
    }

    /// A fresh sandbox with one trusted project, `root/proj`, holding a real `.venv`: where
    /// most tests start.
    pub fn with_allowed_project() -> (Sandbox, PathBuf) {
        let sb = Sandbox::new();
        let proj = sb.allowed_project("proj");
        (sb, proj)
    }

    /// A sandbox with an allowed project `proj` whose venv has the prompt name `prompt`.
    pub fn with_allowed_project_named(prompt: &str) -> (Sandbox, PathBuf) {
        let sb = Sandbox::new();
        let proj = sb.project("proj");
        make_venv(&proj.join(".venv"), &["--prompt", prompt]);
        sb.allow(&proj);
        (sb, proj)
    }

    /// [`Sandbox::with_allowed_project`], with a directory `proj/src` to move to inside it.
    pub fn with_allowed_project_and_src() -> (Sandbox, PathBuf) {
        let (sb, proj) = Sandbox::with_allowed_project();
        sb.mkdir("proj/src");
        (sb, proj)
    }

    /// A trusted project `root/rel` holding a real `.venv`.
    pub fn allowed_project(&self, rel: impl AsRef<OsStr>) -> PathBuf {
        let dir = self.project_with_venv(rel);
        self.allow(&dir);
        dir
    }

    /// A project `root/rel` with a real `.venv` made by `python3 -m venv --without-pip`.
    pub fn project_with_venv(&self, rel: impl AsRef<OsStr>) -> PathBuf {
        let dir = self.project(rel);
        make_venv(&dir.join(".venv"), &[]);
        dir
    }

    /// Makes `link` a symlink to a fresh real venv elsewhere in the sandbox: python3
    /// refuses to create venvs at paths with `:` or bytes that are not UTF-8.
    pub fn link_venv(&self, link: &Path) {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let target = self.path(format!("venvs/{n}"));
        make_venv(&target, &[]);
        std::os::unix::fs::symlink(&target, link).expect("symlink venv");
    }

    /// A real venv at `path` where python3 can make one there, else a linked one.
    pub fn venv_or_link(&self, path: &Path) {
        let made = Command::new("python3")
            .args(["-m", "venv", "--without-pip"])
            .arg(path)
            .output()
            .is_ok_and(|o| o.status.success());
        if !made {
            let _ = std::fs::remove_dir_all(path);
            self.link_venv(path);
        }
    }

    /// The environment every process in the sandbox starts with.
    pub fn env(&self) -> Vec<(OsString, OsString)> {
        let bin_dir = binary().parent().map(Path::to_owned).unwrap_or_default();
        let mut path = bin_dir.into_os_string();
        path.push(":");
        path.push(system_path());
        let home = self.home();
        vec![
            ("HOME".into(), home.clone().into()),
            ("PATH".into(), path),
            ("XDG_CONFIG_HOME".into(), home.join(".config").into()),
            ("XDG_DATA_HOME".into(), home.join(".local/share").into()),
            ("TERM".into(), "dumb".into()),
            ("LANG".into(), "C.UTF-8".into()),
            ("USER".into(), "tester".into()),
        ]
    }

    /// A command with the sandbox environment (and nothing else) set.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear().envs(self.env()).current_dir(&self.root);
        cmd
    }

    /// `autovenv ARGS` to run in `dir` (as a shell there would: `PWD` set, no stdin).
    pub fn autovenv_command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = self.command(binary());
        cmd.args(args)
            .current_dir(dir)
            .env("PWD", dir)
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `autovenv ARGS` in `dir`.
    pub fn autovenv(&self, dir: &Path, args: &[&str]) -> Output {
        self.autovenv_command(dir, args)
            .output()
            .expect("run autovenv")
    }

    /// Trusts the project holding `dir`.
    pub fn allow(&self, dir: &Path) {
        let out = self.autovenv(dir, &["allow"]);
        assert!(
            out.status.success(),
            "allow failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The lines typed in a child `shell` started in a project with its venv on, and after
    /// it: they write `VIRTUAL_ENV` (`child-ve`) and the prompt (`child-prompt`), run
    /// `deactivate`, write `VIRTUAL_ENV` again (`child-after`), leave the child, and write
    /// the parent's (`parent`).
    pub fn child_shell_checks(&self, shell: Shell) -> [String; 6] {
        let venv_to = |name| shell.dump_var("VIRTUAL_ENV", &self.out(name));
        [
            venv_to("child-ve"),
            shell.dump_prompt(&self.out("child-prompt")),
            "deactivate".into(),
            venv_to("child-after"),
            "exit".into(),
            venv_to("parent"),
        ]
    }

    /// Writes the rc file of an interactive child `shell` that loads the hook (elvish's
    /// also sets the plain prompt a session sets) and returns the command that starts it,
    /// reading the lines typed after it. bash, zsh, fish and elvish only: the others start
    /// theirs in their own test files.
    pub fn child_shell_line(&self, shell: Shell) -> String {
        let hook = format!("{}\n", shell.hook_line());
        match shell {
            Shell::Bash => {
                let rc = self.write("home/.bashrc", &hook);
                format!("bash --rcfile {} -i", shell.quote(&rc))
            }
            Shell::Zsh => {
                self.write("home/zdot/.zshrc", &hook);
                format!("ZDOTDIR={} zsh -d -i", shell.quote(self.path("home/zdot")))
            }
            Shell::Fish => {
                self.write("home/.config/fish/config.fish", &hook);
                "fish -i".into()
            }
            Shell::Elvish => {
                let prompt = "set edit:prompt = { put '> ' }; set edit:rprompt = { put '' }";
                self.write("home/.config/elvish/rc.elv", &format!("{prompt}\n{hook}"));
                "elvish".into()
            }
            _ => panic!("{shell:?} starts its child shells in its own test file"),
        }
    }

    /// The line that loads the hook `program` (an autovenv binary) prints for `shell`. For
    /// nushell, which sources only files, the hook is written to a file here first.
    pub fn hook_line_from(&self, shell: Shell, program: &Path) -> String {
        let p = shell.quote(program);
        match shell {
            Shell::Bash | Shell::Zsh => format!("eval \"$({p} hook {})\"", shell.program()),
            Shell::Fish => format!("{p} hook fish | source"),
            Shell::Tcsh => format!("eval \"`{p} hook tcsh`\""),
            Shell::Elvish => format!("eval ({p} hook elvish | slurp)"),
            Shell::Xonsh => format!("execx($({p} hook xonsh))"),
            Shell::Nu => {
                let out = Command::new(program)
                    .args(["hook", "nu"])
                    .output()
                    .expect("autovenv hook nu");
                assert!(out.status.success(), "autovenv hook nu failed");
                let file = self.path(format!(
                    "hook-{}.nu",
                    COUNTER.fetch_add(1, Ordering::SeqCst)
                ));
                std::fs::write(&file, &out.stdout).expect("write hook");
                format!("source {}", shell.quote(&file))
            }
        }
    }

    /// The `execve` calls in an `strace -f` log of `execve` and the calls that open files
    /// (`openat`; `open` for nushell, `creat` for tcsh), split into segments by the
    /// openings of the marker files `out/m0`, `out/m1`, ...: one list of programs each.
    pub fn execs_between_markers(&self, log: &[u8], markers: usize) -> Vec<Vec<String>> {
        let text = String::from_utf8_lossy(log);
        let mut segments: Vec<Vec<String>> = vec![Vec::new(); markers + 1];
        let mut at = 0;
        for line in text.lines() {
            if line.contains("execve(") {
                let program = line.split('"').nth(1).unwrap_or(line).to_owned();
                segments[at].push(program);
            } else if let Some(m) = (at..markers)
                .rev()
                .find(|m| line.contains(&format!("\"{}\"", self.out(&format!("m{m}")).display())))
            {
                at = m + 1;
            }
        }
        segments
    }

    /// Starts `shell` interactively with `script` on stdin, as if typed line by line, so
    /// that every line is followed by a real prompt and its hooks.
    pub fn run(&self, shell: Shell, script: &str) -> Run {
        let mut cmd = self.command(shell.program());
        cmd.args(shell.interactive_args());
        self.run_command(cmd, script)
    }

    /// Runs a prepared command with `script` on stdin and collects what it wrote.
    pub fn run_command(&self, cmd: Command, script: &str) -> Run {
        run_piped(cmd, script)
    }
}

/// Runs `cmd` with `script` on stdin and collects what it wrote.
pub fn run_piped(cmd: Command, script: &str) -> Run {
    run_with_stdin(cmd, script.as_bytes())
}

/// Runs `cmd` with `input` on stdin and collects what it wrote.
pub fn run_with_stdin(mut cmd: Command, input: &[u8]) -> Run {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start shell");
    // Feed stdin from a thread: a long script would otherwise fill the pipe while the
    // shell blocks writing prompts to a stderr pipe nobody reads yet.
    let feeder = child.stdin.take().map(|mut stdin| {
        let script = input.to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&script);
        })
    });
    let output = child.wait_with_output().expect("wait for shell");
    if let Some(feeder) = feeder {
        let _ = feeder.join();
    }
    Run { output }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// `PATH` for the processes tests start: this machine's, where `python3` lives.
pub fn system_path() -> OsString {
    std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into())
}

/// Makes a real venv at `path` with the machine's `python3` (without pip: fast).
pub fn make_venv(path: &Path, extra: &[&str]) {
    Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .args(extra)
        .arg(path)
        .succeeds("python3 -m venv");
}

/// A `PATH` of the directory holding autovenv, then `bin`, then the system's programs.
pub fn path_with(bin: &Path) -> OsString {
    let mut path = binary()
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default()
        .into_os_string();
    path.push(":");
    path.push(bin);
    path.push(":/usr/bin:/bin");
    path
}

/// Passes on to `cmd` how this machine reaches PyPI (certificates, proxies, uv's index
/// and TLS settings), for `uv venv --seed` and the like.
pub fn pass_network_settings(cmd: &mut Command) {
    for (name, value) in std::env::vars_os() {
        let upper = name.to_string_lossy().to_ascii_uppercase();
        if upper.starts_with("SSL_CERT")
            || upper.ends_with("_PROXY")
            || upper == "UV_NATIVE_TLS"
            || upper == "UV_INDEX_URL"
            || upper == "UV_DEFAULT_INDEX"
        {
            cmd.env(name, value);
        }
    }
}

/// Every entry below `dir`, links not followed, with what `lstat` says of it; what cannot
/// be read is passed over.
pub fn entries(dir: &Path) -> Vec<(PathBuf, std::fs::Metadata)> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(dir) = todo.pop() {
        let Ok(listed) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in listed.filter_map(Result::ok) {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                todo.push(path.clone());
            }
            found.push((path, meta));
        }
    }
    found
}

/// Running a command that must succeed.
pub trait Succeeds {
    /// Runs the command to the end and returns its output; panics, naming `what` and
    /// showing the command's stdout and stderr, unless it started and exited 0.
    fn succeeds(&mut self, what: &str) -> Output;
}

impl Succeeds for Command {
    fn succeeds(&mut self, what: &str) -> Output {
        let out = self
            .output()
            .unwrap_or_else(|e| panic!("{what}: cannot start it ({e})"));
        assert!(
            out.status.success(),
            "{what} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

/// Whether `venv`'s own `bin/activate` sets `VIRTUAL_ENV_PROMPT` to `(name) ` (CPython's
/// venv from 3.10 to 3.12) rather than the bare `name`. The script itself, sourced by bash,
/// says which.
pub fn activate_wraps_name(venv: &Path) -> bool {
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c"])
        .arg(". \"$1/bin/activate\" && printf %s \"${VIRTUAL_ENV_PROMPT-}\"")
        .arg("bash")
        .arg(venv)
        .env_remove("VIRTUAL_ENV_DISABLE_PROMPT")
        .output()
        .expect("source the venv's activate");
    let own = String::from_utf8_lossy(&out.stdout);
    own.starts_with('(') && own.ends_with(") ")
}

/// `VIRTUAL_ENV_PROMPT` for the prompt name `name` in the form `venv`'s own `bin/activate`
/// writes it (see [`activate_wraps_name`]).
pub fn activate_prompt(venv: &Path, name: &str) -> String {
    if activate_wraps_name(venv) {
        format!("({name}) ")
    } else {
        name.to_owned()
    }
}

/// The shells tests start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    /// GNU bash.
    Bash,
    /// zsh.
    Zsh,
    /// fish (which fires `fish_prompt` only on a terminal: see [`session`]).
    Fish,
    /// tcsh.
    Tcsh,
    /// elvish (interactive only on a terminal: see [`pty`]).
    Elvish,
    /// nushell (interactive only on a terminal: see [`pty`]).
    Nu,
    /// xonsh (interactive only on a terminal: see [`pty`]).
    Xonsh,
}

impl Shell {
    /// The program.
    pub fn program(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Tcsh => "tcsh",
            Shell::Elvish => "elvish",
            Shell::Nu => "nu",
            Shell::Xonsh => "xonsh",
        }
    }

    /// Arguments for an interactive shell that reads no rc files.
    pub fn interactive_args(self) -> &'static [&'static str] {
        match self {
            Shell::Bash => &["--norc", "--noprofile", "-i"],
            Shell::Zsh => &["-f", "-i"],
            Shell::Fish => &["--no-config", "-i"],
            Shell::Tcsh => &["-f", "-i"],
            Shell::Elvish => &["-norc"],
            Shell::Nu => &["--no-config-file"],
            Shell::Xonsh => &["--no-rc", "-i", "--shell-type", "readline"],
        }
    }

    /// The line that loads the hook.
    pub fn hook_line(self) -> String {
        match self {
            Shell::Bash => "eval \"$(autovenv hook bash)\"".into(),
            Shell::Zsh => "eval \"$(autovenv hook zsh)\"".into(),
            Shell::Fish => "autovenv hook fish | source".into(),
            Shell::Tcsh => "eval \"`autovenv hook tcsh`\"".into(),
            Shell::Elvish => "eval (autovenv hook elvish | slurp)".into(),
            // nushell sources only files known when the line is parsed: the test writes
            // `autovenv hook nu` there first, as the autoload directory holds it for users.
            Shell::Nu => "source ~/autovenv.nu".into(),
            Shell::Xonsh => "execx($(autovenv hook xonsh))".into(),
        }
    }

    /// Quotes a path (any bytes) as one word in this shell, using only ASCII.
    pub fn quote(self, value: impl AsRef<OsStr>) -> String {
        let bytes = value.as_ref().as_bytes();
        match self {
            Shell::Bash | Shell::Zsh => {
                let mut out = String::from("$'");
                for &b in bytes {
                    match b {
                        b'\'' | b'\\' => {
                            out.push('\\');
                            out.push(char::from(b));
                        }
                        0x20..=0x7e => out.push(char::from(b)),
                        _ => out.push_str(&format!("\\x{b:02x}")),
                    }
                }
                out.push('\'');
                out
            }
            Shell::Fish => {
                // Printable ASCII in single quotes (only \\ and \' escaped), every other
                // byte as \xHH outside them.
                let mut out = String::new();
                let mut quoted = false;
                for &b in bytes {
                    if (0x20..=0x7e).contains(&b) {
                        if !quoted {
                            out.push('\'');
                            quoted = true;
                        }
                        if b == b'\'' || b == b'\\' {
                            out.push('\\');
                        }
                        out.push(char::from(b));
                    } else {
                        if quoted {
                            out.push('\'');
                            quoted = false;
                        }
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                if quoted || out.is_empty() {
                    if !quoted {
                        out.push('\'');
                    }
                    out.push('\'');
                }
                out
            }
            Shell::Tcsh => tcsh_quote(bytes),
            // A Python string literal; bytes that are not ASCII as the surrogates that
            // os.fsencode turns back into those bytes.
            Shell::Xonsh => {
                let mut out = String::from("\"");
                for &b in bytes {
                    match b {
                        b'"' | b'\\' => {
                            out.push('\\');
                            out.push(char::from(b));
                        }
                        0x20..=0x7e => out.push(char::from(b)),
                        0x80..=0xff => out.push_str(&format!("\\udc{b:02x}")),
                        _ => out.push_str(&format!("\\x{b:02x}")),
                    }
                }
                out.push('"');
                out
            }
            Shell::Nu => {
                let mut out = String::from("\"");
                for c in String::from_utf8_lossy(bytes).chars() {
                    match c {
                        '"' | '\\' => {
                            out.push('\\');
                            out.push(c);
                        }
                        ' '..='~' => out.push(c),
                        _ => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
                    }
                }
                out.push('"');
                out
            }
            Shell::Elvish => {
                let mut out = String::from("\"");
                for &b in bytes {
                    match b {
                        b'"' | b'\\' => {
                            out.push('\\');
                            out.push(char::from(b));
                        }
                        0x20..=0x7e => out.push(char::from(b)),
                        _ => out.push_str(&format!("\\x{b:02x}")),
                    }
                }
                out.push('"');
                out
            }
        }
    }

    /// A command that exports `name=value` (plain text).
    pub fn export_line(self, name: &str, value: &str) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!("export {name}={}", self.quote(value)),
            Shell::Fish => format!("set -gx {name} {}", self.quote(value)),
            Shell::Tcsh => format!("setenv {name} {}", self.quote(value)),
            Shell::Elvish => format!("set-env {name} {}", self.quote(value)),
            Shell::Nu => format!("$env.{name} = {}", self.quote(value)),
            Shell::Xonsh => format!("${name} = {}", self.quote(value)),
        }
    }

    /// A command that writes the exported environment, NUL-separated, to `file`.
    pub fn dump_env(self, file: &Path) -> String {
        match self {
            // CMD_DURATION_MS is nushell's own, different after every command.
            Shell::Nu => format!(
                "do {{ hide-env -i CMD_DURATION_MS; ^env -0 }} | save -f --raw {}",
                self.quote(file)
            ),
            // xonsh itself exports LS_COLORS and XONSH_APPEND_NEWLINE once its first
            // command ran: they are looked up first (not shown: see `xonsh_save`) so that
            // every dump has them.
            Shell::Xonsh => format!(
                "_ignored = ($LS_COLORS, $XONSH_APPEND_NEWLINE); ![env -0 > {}]",
                self.quote(file)
            ),
            _ => format!("env -0 > {}", self.quote(file)),
        }
    }

    /// A command that writes the value of variable `name` (or `<unset>`) to `file`.
    pub fn dump_var(self, name: &str, file: &Path) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!(
                "if [[ -n ${{{name}+x}} ]]; then printf %s \"${name}\"; else printf '<unset>'; fi > {}",
                self.quote(file)
            ),
            Shell::Fish => format!(
                "if set -q {name}; printf %s \"${name}\"; else; printf '<unset>'; end > {}",
                self.quote(file)
            ),
            Shell::Elvish => format!(
                "if (has-env {name}) {{ print $E:{name} }} else {{ print '<unset>' }} > {}",
                self.quote(file)
            ),
            Shell::Nu => format!(
                "if ($env.{name}? == null) {{ '<unset>' }} else if ($env.{name} | describe) =~ list {{ $env.{name} | str join (char esep) }} else {{ $env.{name} }} | save -f {}",
                self.quote(file)
            ),
            Shell::Xonsh => xonsh_save(
                &self.quote(file),
                &format!("${{...}}.detype().get('{name}', '<unset>')"),
            ),
            Shell::Tcsh => format!(
                "set _v = '<unset>' ; if ($?{name}) eval 'set _v = \"${name}:q\"' ; printf %s \"$_v:q\" > {}",
                self.quote(file)
            ),
        }
    }

    /// Lines that try a user's own `deactivate` around autovenv's: `deactivate` in the
    /// project `proj` (autovenv's: `off` holds VIRTUAL_ENV after it), then outside it
    /// (theirs), in it again (`on`), and outside again (theirs).
    pub fn deactivate_in_and_out_lines(self, sb: &Sandbox, proj: &Path) -> Vec<String> {
        vec![
            self.cd_line(proj),
            "deactivate".into(),
            self.dump_var("VIRTUAL_ENV", &sb.out("off")),
            "cd /".into(),
            "deactivate".into(),
            self.cd_line(proj),
            self.dump_var("VIRTUAL_ENV", &sb.out("on")),
            "cd /".into(),
            "deactivate".into(),
        ]
    }

    /// A command that changes to `dir`.
    pub fn cd_line(self, dir: &Path) -> String {
        match self {
            // A quoted word in xonsh's subprocess mode has `$NAME` expanded; a Python
            // value passed with `@(…)` is taken as it is.
            Shell::Xonsh => format!("cd @({})", self.quote(dir)),
            _ => format!("cd {}", self.quote(dir)),
        }
    }

    /// A command that removes `name` from the environment (and does nothing where it is
    /// not set).
    pub fn unset_line(self, name: &str) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!("unset {name}"),
            Shell::Fish => format!("set -e {name}"),
            Shell::Tcsh => format!("unsetenv {name}"),
            Shell::Elvish => format!("unset-env {name}"),
            Shell::Nu => format!("hide-env -i {name}"),
            Shell::Xonsh => format!("_ignored = ${{...}}.pop('{name}', None)"),
        }
    }

    /// A command that appends `dir` (plain text) to `PATH`, as a user would.
    pub fn append_path_line(self, dir: &str) -> String {
        let d = self.quote(dir);
        match self {
            Shell::Bash | Shell::Zsh => format!("export PATH=\"$PATH\":{d}"),
            Shell::Fish => format!("set -gx PATH $PATH {d}"),
            Shell::Tcsh => format!("setenv PATH \"${{PATH}}\":{d}"),
            Shell::Elvish => format!("set-env PATH $E:PATH':'{d}"),
            Shell::Nu => format!("$env.PATH = ($env.PATH | append {d})"),
            Shell::Xonsh => format!("$PATH.append({d})"),
        }
    }

    /// A command that writes what the prompt shows now to `file`: expanded, but for tcsh,
    /// which has no way to (there `prompt` as it is set).
    pub fn dump_prompt(self, file: &Path) -> String {
        let f = self.quote(file);
        match self {
            Shell::Bash => format!("printf %s \"${{PS1@P}}\" > {f}"),
            Shell::Zsh => format!("print -rnP -- \"$PS1\" > {f}"),
            // What fish does to draw a prompt: the prompt event, the prompt function (with
            // the status as it was); then what it does before a typed command runs.
            Shell::Fish => format!(
                "set -l _st $status; emit fish_prompt; echo \"exit $_st\" | source; \
                 fish_prompt > {f}; emit fish_preexec"
            ),
            Shell::Tcsh => self.dump_var("prompt", file),
            Shell::Elvish => format!("use str; print (str:join '' [($edit:prompt)]) > {f}"),
            Shell::Nu => format!("do $env.PROMPT_COMMAND | save -f {f}"),
            Shell::Xonsh => xonsh_save(&f, "__xonsh__.shell.prompt_formatter($PROMPT)"),
        }
    }

    /// A command that sets the prompt to `text` (printable ASCII without quotes or
    /// backslashes). In xonsh it must end in the prompt a session waits for, and is typed
    /// as escapes, so that the typed line does not show that prompt.
    pub fn set_prompt_line(self, text: &str) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!("PS1='{text}'"),
            Shell::Fish => format!("function fish_prompt; printf %s '{text}'; end"),
            Shell::Tcsh => format!("set prompt = '{text}'"),
            Shell::Elvish => format!("set edit:prompt = {{ put '{text}' }}"),
            Shell::Nu => format!("$env.PROMPT_COMMAND = {{|| '{text}' }}"),
            Shell::Xonsh => {
                let escaped: String = text.bytes().map(|b| format!("\\x{b:02x}")).collect();
                format!("$PROMPT = '{escaped}'")
            }
        }
    }

    /// A command that activates `venv` by hand: with its own activate script where the
    /// venv ships one for this shell, else (elvish, nushell, xonsh) by setting
    /// `VIRTUAL_ENV` as such a script would.
    pub fn activate_by_hand_line(self, venv: &Path) -> String {
        let script = |name: &str| format!("source {}", self.quote(venv.join("bin").join(name)));
        match self {
            Shell::Bash | Shell::Zsh => script("activate"),
            Shell::Fish => script("activate.fish"),
            Shell::Tcsh => script("activate.csh"),
            Shell::Elvish => format!("set-env VIRTUAL_ENV {}", self.quote(venv)),
            Shell::Nu => format!("$env.VIRTUAL_ENV = {}", self.quote(venv)),
            Shell::Xonsh => format!("$VIRTUAL_ENV = {}", self.quote(venv)),
        }
    }

    /// The command that undoes [`Shell::activate_by_hand_line`]: the venv's own
    /// `deactivate`, or unsetting `VIRTUAL_ENV`.
    pub fn deactivate_by_hand_line(self) -> String {
        match self {
            Shell::Bash | Shell::Zsh | Shell::Fish | Shell::Tcsh => "deactivate".into(),
            _ => self.unset_line("VIRTUAL_ENV"),
        }
    }

    /// `line` (a program and its arguments, quoted alike in every shell) as a command
    /// that runs that program: nushell has builtins of some of the same names.
    pub fn external(self, line: &str) -> String {
        match self {
            Shell::Nu => format!("^{line}"),
            _ => line.into(),
        }
    }

    /// A command that runs the program `line` (see [`Shell::external`]) with its output
    /// in `file`.
    pub fn external_to_file(self, line: &str, file: &Path) -> String {
        match self {
            Shell::Nu => format!("^{line} | save -f {}", self.quote(file)),
            _ => format!("{line} > {}", self.quote(file)),
        }
    }

    /// A command that writes the path this shell runs for the command `program`, to `file`.
    pub fn which_line(self, program: &str, file: &Path) -> String {
        let f = self.quote(file);
        match self {
            Shell::Bash => format!("type -P {program} > {f}"),
            Shell::Zsh => format!("whence -p {program} > {f}"),
            Shell::Fish => format!("command -s {program} > {f}"),
            Shell::Tcsh => format!("which {program} > {f}"),
            Shell::Elvish => format!("print (search-external {program}) > {f}"),
            Shell::Nu => format!("which {program} | get path.0 | save -f {f}"),
            Shell::Xonsh => xonsh_save(
                &f,
                &format!("__xonsh__.commands_cache.locate_binary('{program}')"),
            ),
        }
    }

    /// A command that writes the exit status the previous command left, to `file`
    /// (elvish has none: a failure there is an exception).
    pub fn dump_status(self, file: &Path) -> String {
        let f = self.quote(file);
        match self {
            Shell::Bash | Shell::Zsh => format!("echo $? > {f}"),
            Shell::Fish | Shell::Tcsh => format!("echo $status > {f}"),
            Shell::Nu => format!("$env.LAST_EXIT_CODE | save -f {f}"),
            Shell::Xonsh => xonsh_save(&f, "str(__xonsh__.history[-1].rtn)"),
            Shell::Elvish => panic!("elvish has no exit status"),
        }
    }

    /// A command that writes `yes` or `no` to `file`: whether the shell itself defines a
    /// command `name` (a function or alias; programs on `PATH` do not count).
    pub fn dump_defines(self, name: &str, file: &Path) -> String {
        let f = self.quote(file);
        match self {
            Shell::Bash => format!(
                "if declare -F {name} >/dev/null; then printf yes; else printf no; fi > {f}"
            ),
            Shell::Zsh => format!(
                "if (( $+functions[{name}] )); then printf yes; else printf no; fi > {f}"
            ),
            Shell::Fish => format!("if functions -q {name}; printf yes; else; printf no; end > {f}"),
            Shell::Tcsh => {
                format!("alias {name} | grep -q . && printf yes > {f} || printf no > {f}")
            }
            Shell::Elvish => format!(
                "if ?(eval 'nop $'{name}'~') {{ print yes }} else {{ print no }} > {f}"
            ),
            Shell::Nu => format!(
                "if (which {name} | where type != external | is-empty) {{ 'no' }} else {{ 'yes' }} | save -f {f}"
            ),
            Shell::Xonsh => xonsh_save(&f, &format!("'yes' if '{name}' in aliases else 'no'")),
        }
    }

    /// A line that writes the names of the `_OLD_VIRTUAL_*` variables, one per line, to `file`.
    pub fn dump_saved_names(self, file: &Path) -> String {
        let f = self.quote(file);
        match self {
            Shell::Bash => format!("compgen -v _OLD_VIRTUAL_ > {f}"),
            Shell::Zsh => format!("print -l ${{(k)parameters[(I)_OLD_VIRTUAL_*]}} > {f}"),
            Shell::Tcsh => format!("set | grep '^_OLD_VIRTUAL' > {f}"),
            Shell::Fish => format!("set -n | string match '_OLD_VIRTUAL_*' > {f}"),
            // No venv script for these shells sets any.
            _ => self.external_to_file("true", file),
        }
    }

    /// A command that writes the hooks this shell runs around its prompt to `file`: the
    /// same before and after the hook is loaded again if loading registers once.
    pub fn dump_hooks(self, file: &Path) -> String {
        let f = self.quote(file);
        match self {
            Shell::Bash => format!("printf '%s\\n' \"${{PROMPT_COMMAND[@]}}\" > {f}"),
            Shell::Zsh => format!("print -r -- \"$precmd_functions / $chpwd_functions\" > {f}"),
            Shell::Fish => format!("functions --handlers > {f}"),
            Shell::Tcsh => format!("alias precmd > {f}; alias cwdcmd >> {f}"),
            Shell::Elvish => format!("print (count $edit:before-readline) > {f}"),
            Shell::Nu => format!("$env.config.hooks.pre_prompt | length | save -f {f}"),
            Shell::Xonsh => xonsh_save(&f, "str(len(events.on_pre_prompt_format))"),
        }
    }

    /// A command that creates `file` with the shell's own means only: a marker that starts
    /// no process (see [`Sandbox::execs_between_markers`]).
    pub fn touch_line(self, file: &Path) -> String {
        let f = self.quote(file);
        match self {
            Shell::Bash | Shell::Zsh => format!(": > {f}"),
            Shell::Fish => format!("true > {f}"),
            Shell::Tcsh => format!("echo -n > {f}"),
            Shell::Elvish => format!("print '' > {f}"),
            Shell::Nu => format!("'' | save -f {f}"),
            Shell::Xonsh => format!("open({f}, 'w').close()"),
        }
    }
}

/// A xonsh statement that writes `value` (a Python expression for text, which may hold
/// the surrogates `os.fsencode` turns back into bytes) to `file` (quoted). What it returns
/// is assigned, not shown: the first value xonsh shows costs it a fifth of a second.
fn xonsh_save(file: &str, value: &str) -> String {
    format!(
        "_ignored = __import__('pathlib').Path({file}).write_bytes(__import__('os').fsencode({value}))"
    )
}

/// A tcsh word for `bytes`, typed at the prompt: single quotes, `!` escaped from history
/// substitution, `\` outside the quotes, a newline as backslash-newline, other bytes made
/// by `printf`.
fn tcsh_quote(bytes: &[u8]) -> String {
    let mut out = String::from("'");
    for &b in bytes {
        match b {
            b'\'' => out.push_str("'\"'\"'"),
            b'!' => out.push_str("'\\!'"),
            // Outside the quotes, so that it is one backslash with `set backslash_quote` too.
            b'\\' => out.push_str("'\\\\'"),
            b'\n' => out.push_str("\\\n"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("'\"`printf '\\{b:03o}'`\"'")),
        }
    }
    out.push('\'');
    out
}

/// What a shell run wrote.
pub struct Run {
    /// Exit status, stdout and stderr.
    pub output: Output,
}

impl Run {
    /// Stdout as text (lossy).
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// Stderr as text (lossy).
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// How many stderr lines contain `needle`.
    pub fn stderr_count(&self, needle: &str) -> usize {
        self.stderr().lines().filter(|l| l.contains(needle)).count()
    }

    /// Panics with the whole output unless the shell exited cleanly.
    pub fn assert_ok(&self) -> &Run {
        assert!(
            self.output.status.success(),
            "shell failed ({:?})\nstdout:\n{}\nstderr:\n{}",
            self.output.status,
            self.stdout(),
            self.stderr()
        );
        self
    }
}

/// The directory names every shell must handle: spaces, quotes, `$(…)`, backticks, `*`,
/// a newline, a leading `-`, bytes that are not UTF-8, backslashes, `%` and `!` — plus
/// `extra` names that are awkward for one shell in particular.
pub fn awkward_names(extra: &[&[u8]]) -> Vec<OsString> {
    let common: [&[u8]; 10] = [
        b"with space",
        b"it's",
        b"say \"hi\"",
        b"$(touch pwned)",
        b"`touch pwned`",
        b"star*",
        b"new\nline",
        b"-leading",
        b"bytes\xff\xfe",
        b"back\\slash %d !x",
    ];
    common
        .iter()
        .chain(extra)
        .map(|name| OsString::from_vec(name.to_vec()))
        .collect()
}

/// Parses an `env -0` dump into a map.
pub fn parse_env(bytes: &[u8]) -> BTreeMap<OsString, OsString> {
    bytes
        .split(|&b| b == 0)
        .filter(|e| !e.is_empty())
        .filter_map(|e| {
            let eq = e.iter().position(|&b| b == b'=')?;
            Some((
                OsString::from_vec(e[..eq].to_vec()),
                OsString::from_vec(e[eq + 1..].to_vec()),
            ))
        })
        .collect()
}

/// Asserts two environment dumps are byte-identical except for PWD, OLDPWD and `_`.
pub fn assert_same_env(before: &[u8], after: &[u8]) {
    let strip = |bytes: &[u8]| {
        let mut env = parse_env(bytes);
        for name in ["PWD", "OLDPWD", "_"] {
            env.remove(OsStr::new(name));
        }
        env
    };
    let (before, after) = (strip(before), strip(after));
    assert!(!before.is_empty(), "empty environment dump");
    if before != after {
        let mut diff = String::new();
        for key in before.keys().chain(after.keys()) {
            if before.get(key) != after.get(key) {
                diff.push_str(&format!(
                    "{key:?}: {:?} -> {:?}\n",
                    before.get(key),
                    after.get(key)
                ));
            }
        }
        panic!("environment differs:\n{diff}");
    }
}
