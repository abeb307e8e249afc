//! A pseudo-terminal, so that a shell runs exactly as in a terminal window: line editing,
//! job control and real prompts that fire the hook.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A child process on the slave side of a pseudo-terminal.
pub struct Pty {
    master: File,
    child: Child,
    /// Everything read from the terminal so far.
    pub seen: Vec<u8>,
    consumed: usize,
    /// Answer the terminal's cursor-position queries (`ESC [6n`), as a terminal window
    /// does; line editors such as nushell's wait for the answer before they read a line.
    pub answer_cursor_queries: bool,
}

impl Pty {
    /// Starts `cmd` as the session leader of a new terminal.
    pub fn spawn(mut cmd: Command) -> Pty {
        let mut master = -1;
        let mut slave = -1;
        let size = libc::winsize {
            ws_row: 40,
            ws_col: 200,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two fds into the given locals; the other pointers may be null.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(rc, 0, "openpty failed");
        // SAFETY: both fds were just opened by openpty and are owned here.
        let (master, slave) = unsafe { (File::from_raw_fd(master), File::from_raw_fd(slave)) };
        cmd.stdin(slave.try_clone().expect("dup"))
            .stdout(slave.try_clone().expect("dup"))
            .stderr(slave);
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(0, libc::TIOCSCTTY as _, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                // As a terminal window starts its shell: with the signals a keyboard
                // sends at their defaults, even where the tests run in the background
                // (which ignores SIGINT and SIGQUIT) or under Rust (which ignores SIGPIPE).
                for signal in [libc::SIGINT, libc::SIGQUIT, libc::SIGPIPE] {
                    libc::signal(signal, libc::SIG_DFL);
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn on pty");
        drop(cmd);
        Pty {
            master,
            child,
            seen: Vec::new(),
            consumed: 0,
            answer_cursor_queries: false,
        }
    }

    /// Types `text`.
    pub fn send(&mut self, text: &str) {
        self.master
            .write_all(text.as_bytes())
            .expect("write to pty");
    }

    /// Types a line and Enter.
    pub fn line(&mut self, text: &str) {
        self.send(text);
        self.send("\r");
    }

    /// Waits until the output after the last match contains `needle`; returns that output.
    pub fn expect(&mut self, needle: &str) -> String {
        self.expect_within(needle, Duration::from_secs(20))
    }

    /// [`Pty::expect`], waiting at most `wait`.
    pub fn expect_within(&mut self, needle: &str, wait: Duration) -> String {
        let deadline = Instant::now() + wait;
        loop {
            let fresh = &self.seen[self.consumed..];
            if let Some(at) = find(fresh, needle.as_bytes()) {
                let text = String::from_utf8_lossy(&fresh[..at + needle.len()]).into_owned();
                self.consumed += at + needle.len();
                return text;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero() && self.read_some(left),
                "timed out waiting for {needle:?}; the terminal showed:\n{}",
                String::from_utf8_lossy(&self.seen)
            );
        }
    }

    fn read_some(&mut self, timeout: Duration) -> bool {
        let mut fds = libc::pollfd {
            fd: self.master.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: one valid pollfd.
        let ready = unsafe { libc::poll(&mut fds, 1, ms) };
        if ready <= 0 {
            return false;
        }
        let mut buf = [0u8; 4096];
        match self.master.read(&mut buf) {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                let from = self.seen.len().saturating_sub(3);
                self.seen.extend_from_slice(&buf[..n]);
                if self.answer_cursor_queries {
                    let queries = self.seen[from..]
                        .windows(4)
                        .filter(|w| w == b"\x1b[6n")
                        .count();
                    for _ in 0..queries {
                        self.send("\x1b[1;1R");
                    }
                }
                true
            }
        }
    }
}

impl Drop for Pty {
    /// Ends every process of the terminal's session, not only the one started: a shell
    /// under `strace` outlives a killed `strace`.
    fn drop(&mut self) {
        let session = self.child.id();
        let members = session_members(session);
        let _ = self.child.kill();
        let _ = self.child.wait();
        for pid in members {
            // SAFETY: sends a signal; no memory is touched.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

/// The processes (other than `leader`) whose session `leader` started.
fn session_members(leader: u32) -> Vec<libc::pid_t> {
    let Ok(leader) = libc::pid_t::try_from(leader) else {
        return Vec::new();
    };
    std::fs::read_dir("/proc")
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<libc::pid_t>().ok())
                // SAFETY: getsid only reads the process table.
                .filter(|&pid| pid != leader && unsafe { libc::getsid(pid) } == leader)
                .collect()
        })
        .unwrap_or_default()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
