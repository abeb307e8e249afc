//! Runs the creator as a child process: reads what it prints to tell the Python version
//! early, keeps its error text, and stops it (with everything it started) on a signal.

use std::ffi::OsString;
use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::python::CreatorProgram;
use crate::signals;

/// How `python -m venv` is run: the same `venv.main` as `-m venv`, after printing the
/// version and checking that `ensurepip` exists (Debian ships it apart, in python3-venv),
/// so that a missing one is told before anything is made. The project directory is taken
/// off `sys.path`, so a `venv.py` there cannot stand in for the real module.
const VENV_SCRIPT: &str = "\
import sys
if sys.path and sys.path[0] in ('', '.'):
    del sys.path[0]
sys.stdout.write('%d.%d.%d\\n' % tuple(sys.version_info[:3]))
sys.stdout.flush()
try:
    import ensurepip
except ImportError:
    sys.stdout.write('no-ensurepip\\n')
    sys.exit(1)
import venv
sys.argv[0] = 'venv'
rc = 1
try:
    venv.main(sys.argv[1:])
    rc = 0
except Exception as e:
    sys.stderr.write('Error: %s\\n' % e)
sys.exit(rc)
";

/// How a run ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The creator succeeded.
    Done,
    /// It failed; the one line that says why.
    Failed(String),
    /// The interpreter has no `ensurepip`, so `-m venv` cannot install pip.
    NoEnsurepip,
    /// A signal arrived; the creator and its children were killed.
    Interrupted,
}

/// One creation to run.
pub struct Job<'a> {
    /// The creator.
    pub program: &'a CreatorProgram,
    /// The interpreter, found already.
    pub python: &'a Path,
    /// The venv directory.
    pub venv: &'a Path,
    /// The project root, the creator's working directory (as when run by hand there).
    pub root: &'a Path,
    /// Environment overrides for the creator (`None` removes the variable).
    pub env: &'a [(&'static str, Option<OsString>)],
    /// Keep uv from reading configuration files (`uv.toml`, `[tool.uv]`): an untrusted
    /// project's own would otherwise choose the index, the interpreter and more.
    pub no_config: bool,
}

/// After this long without knowing the version, the progress line is shown anyway.
const ANNOUNCE_BY: Duration = Duration::from_millis(700);

/// The longest the creator's output is waited for before looking for a signal again.
const SIGNAL_CHECK_EVERY: Duration = Duration::from_millis(100);

impl Job<'_> {
    fn command(&self) -> Command {
        let mut cmd = match self.program {
            CreatorProgram::Uv(uv) => {
                let mut cmd = Command::new(uv);
                cmd.args(["venv", "--seed", "--allow-existing"]);
                if self.no_config {
                    cmd.arg("--no-config");
                }
                cmd.arg("--python").arg(self.python).arg(self.venv);
                cmd
            }
            CreatorProgram::Venv => {
                let mut cmd = Command::new(self.python);
                cmd.arg("-c").arg(VENV_SCRIPT).arg(self.venv);
                cmd
            }
            CreatorProgram::Virtualenv(virtualenv) => {
                let mut cmd = Command::new(virtualenv);
                cmd.arg("--python").arg(self.python).arg(self.venv);
                cmd
            }
        };
        cmd.current_dir(self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("AUTOVENV_STATE")
            .process_group(0);
        for (name, value) in self.env {
            match value {
                Some(value) => cmd.env(name, value),
                None => cmd.env_remove(name),
            };
        }
        // SAFETY: prctl and signal are async-signal-safe. The first makes the kernel kill
        // the creator if autovenv itself is killed, instead of leaving it running unseen;
        // the second gives it back the Ctrl-Z that autovenv ignores while it holds the
        // terminal.
        unsafe {
            cmd.pre_exec(|| {
                #[cfg(target_os = "linux")]
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                libc::signal(libc::SIGTSTP, libc::SIG_DFL);
                Ok(())
            });
        }
        cmd
    }

    /// Runs the creator. `announce` is called once with the Python version as soon as the
    /// creator tells it, or with `None` if it has not within a moment.
    pub fn run(&self, announce: &mut dyn FnMut(Option<&str>)) -> Outcome {
        let started = Instant::now();
        let mut child = match self.command().spawn() {
            Ok(child) => child,
            Err(e) => {
                let program = match self.program {
                    CreatorProgram::Uv(p) | CreatorProgram::Virtualenv(p) => p.as_path(),
                    CreatorProgram::Venv => self.python,
                };
                return Outcome::Failed(format!(
                    "cannot run {}: {e}",
                    crate::message::shown(program)
                ));
            }
        };
        let mut out = Stream::new(child.stdout.take().map(|s| Box::new(s) as Box<dyn ReadFd>));
        let mut err = Stream::new(child.stderr.take().map(|s| Box::new(s) as Box<dyn ReadFd>));
        let mut announced = false;
        while out.open() || err.open() {
            if signals::caught().is_some() {
                return stop(&mut child);
            }
            // A signal that lands between the check above and poll() interrupts nothing,
            // so poll() never waits long: the check comes round again.
            let wait = if announced {
                SIGNAL_CHECK_EVERY
            } else {
                ANNOUNCE_BY.saturating_sub(started.elapsed())
            };
            let wait = i32::try_from(wait.min(SIGNAL_CHECK_EVERY).as_millis()).unwrap_or(100);
            let mut fds = [out.pollfd(), err.pollfd()];
            // SAFETY: two valid pollfd entries (a closed stream has fd -1, which poll skips).
            let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, wait) };
            if ready < 0 {
                continue; // EINTR: the signal check above decides.
            }
            if fds[0].revents != 0 {
                out.read();
            }
            if fds[1].revents != 0 {
                err.read();
            }
            if !announced {
                let version = match self.program {
                    CreatorProgram::Venv => out.lines().next().map(str::to_owned),
                    _ => out.lines().chain(err.lines()).find_map(version_in),
                }
                .filter(|v| !v.is_empty() && v.as_bytes()[0].is_ascii_digit());
                if version.is_some() || started.elapsed() >= ANNOUNCE_BY {
                    announce(version.as_deref());
                    announced = true;
                }
            }
        }
        // Both pipes closed: the creator has ended (or is ending).
        let status = child.wait().ok();
        if signals::caught().is_some() && !status.is_some_and(|s| s.success()) {
            return stop(&mut child);
        }
        if status.is_some_and(|s| s.success()) {
            if !announced {
                announce(None);
            }
            return Outcome::Done;
        }
        let stdout = out.text();
        let stderr = err.text();
        // Debian's venv says "ensurepip is not available" where python3-venv is missing;
        // a failure inside ensurepip (a full disk) is not that.
        if stdout.lines().any(|l| l == "no-ensurepip")
            || (matches!(self.program, CreatorProgram::Venv)
                && (stderr.contains("ensurepip is not available")
                    || stderr.contains("No module named ensurepip")
                    || stderr.contains("No module named 'ensurepip'")))
        {
            return Outcome::NoEnsurepip;
        }
        Outcome::Failed(summary(&stderr, &stdout, status))
    }
}

/// Kills the creator's whole process group and reaps it.
fn stop(child: &mut Child) -> Outcome {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: the child leads its own process group (process_group(0)).
        unsafe { libc::kill(-pid, libc::SIGKILL) };
    }
    let _ = child.wait();
    Outcome::Interrupted
}

/// Anything that can be read and polled.
trait ReadFd: Read + AsRawFd {}
impl<T: Read + AsRawFd> ReadFd for T {}

/// One output pipe of the creator and what came out of it so far.
struct Stream {
    pipe: Option<Box<dyn ReadFd>>,
    seen: Vec<u8>,
}

impl Stream {
    fn new(pipe: Option<Box<dyn ReadFd>>) -> Stream {
        Stream {
            pipe,
            seen: Vec::new(),
        }
    }

    fn open(&self) -> bool {
        self.pipe.is_some()
    }

    fn pollfd(&self) -> libc::pollfd {
        libc::pollfd {
            fd: self.pipe.as_ref().map_or(-1, |p| p.as_raw_fd()),
            events: libc::POLLIN,
            revents: 0,
        }
    }

    fn read(&mut self) {
        let Some(pipe) = self.pipe.as_mut() else {
            return;
        };
        let mut buf = [0u8; 8192];
        match pipe.read(&mut buf) {
            Ok(0) => self.pipe = None,
            Ok(n) => {
                // Enough to explain a failure; a creator's chatter can be long.
                if self.seen.len() < 1 << 20 {
                    self.seen.extend_from_slice(&buf[..n]);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => self.pipe = None,
        }
    }

    /// The complete lines so far.
    fn lines(&self) -> impl Iterator<Item = &str> {
        let end = self
            .seen
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        std::str::from_utf8(&self.seen[..end]).unwrap_or("").lines()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.seen).into_owned()
    }
}

/// The Python version in a creator's report: `Using CPython 3.12.4 interpreter at: …`
/// (uv), `created virtual environment CPython3.12.4.final.0-64 in …` (virtualenv).
fn version_in(line: &str) -> Option<String> {
    if !(line.starts_with("Using ") || line.starts_with("created virtual environment")) {
        return None;
    }
    let bytes = line.as_bytes();
    let start = (0..bytes.len().saturating_sub(2)).find(|&i| {
        bytes[i].is_ascii_digit()
            && bytes[i + 1] == b'.'
            && bytes[i + 2].is_ascii_digit()
            && (i == 0 || !bytes[i - 1].is_ascii_digit())
    })?;
    let version: String = line[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    Some(version.trim_end_matches('.').to_owned())
}

/// One line that says why the creator failed: uv's `error:` (and its last `cause:`, the
/// root one),
/// else the last line of the error output (a traceback's exception), else the status.
fn summary(stderr: &str, stdout: &str, status: Option<std::process::ExitStatus>) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if let Some(error) = lines.iter().find(|l| l.starts_with("error:")) {
        let cause = lines.iter().rfind(|l| l.starts_with("cause:"));
        return match cause {
            Some(cause) => format!("{error} ({cause})"),
            None => (*error).to_owned(),
        };
    }
    if let Some(first) = lines.first().filter(|l| l.starts_with("pyenv:")) {
        return (*first).to_owned();
    }
    let last_out = stdout.lines().map(str::trim).rfind(|l| !l.is_empty());
    if let Some(last) = lines.last().copied().or(last_out) {
        return last.to_owned();
    }
    match status.and_then(|s| s.code()) {
        Some(code) => format!("it exited with status {code} and said nothing"),
        None => "it was killed".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_creator_reports() {
        assert_eq!(
            version_in("Using CPython 3.11.7 interpreter at: /usr/bin/python3").as_deref(),
            Some("3.11.7")
        );
        assert_eq!(
            version_in("created virtual environment CPython3.12.4.final.0-64 in 312ms").as_deref(),
            Some("3.12.4")
        );
        assert_eq!(version_in("Creating virtual environment at: 3.1"), None);
    }

    #[test]
    fn failures_are_one_line() {
        let uv = "Using CPython 3.11.7\nerror: Failed to create virtual environment\n  cause: Failed to copy\n  cause: Permission denied\n\nhint: x\n";
        assert_eq!(
            summary(uv, "", None),
            "error: Failed to create virtual environment (cause: Permission denied)"
        );
        let traceback = "Traceback (most recent call last):\n  File \"x\"\nOSError: [Errno 28] No space left on device\n";
        assert_eq!(
            summary(traceback, "3.11.7\n", None),
            "OSError: [Errno 28] No space left on device"
        );
        assert_eq!(summary("", "", None), "it was killed");
    }
}
