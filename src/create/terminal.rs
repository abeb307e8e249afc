//! Ctrl-C during a creation that the hook started is autovenv's alone.
//!
//! The hook runs `autovenv export` inside the shell's own process group (a command
//! substitution), so Ctrl-C reaches the shell too, and shells deal with it each their own
//! way: zsh and fish abandon the hook function, and with it the answer that says creation
//! was stopped (so the next prompt starts it again); xonsh kills autovenv before it has
//! cleaned up. So while it creates, autovenv moves into a process group of its own and makes
//! that the terminal's foreground group: Ctrl-C then reaches autovenv alone, which stops the
//! creator, removes what was made and answers the shell as usual. The terminal is handed
//! back before autovenv ends. Ctrl-Z, which would stop autovenv while the shell waits on it,
//! is ignored meanwhile.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;

/// While alive, this process is the terminal's foreground process group.
pub struct Foreground {
    tty: File,
    /// The foreground group before: the shell's.
    previous: libc::pid_t,
    old_tstp: libc::sigaction,
}

impl Foreground {
    /// Takes the terminal, when this process runs in the terminal's foreground group
    /// without leading it (as in a shell's command substitution). `None` otherwise (no
    /// terminal, a job of its own already, a session leader): nothing is changed then.
    pub fn take() -> Option<Foreground> {
        // SAFETY: plain system calls on this process and a descriptor it owns; SIGTTOU is
        // blocked around the calls that may raise it, and the old mask is put back.
        unsafe {
            let pid = libc::getpid();
            let group = libc::getpgrp();
            if group == pid || libc::getsid(0) == pid {
                return None;
            }
            let tty = OpenOptions::new()
                .read(true)
                .write(true)
                .custom_flags(libc::O_NOCTTY | libc::O_CLOEXEC)
                .open("/dev/tty")
                .ok()?;
            let fd = tty.as_raw_fd();
            if libc::tcgetpgrp(fd) != group {
                return None;
            }
            let old_mask = block_ttou();
            let mut taken = false;
            if libc::setpgid(0, 0) == 0 {
                taken = libc::tcsetpgrp(fd, pid) == 0;
                if !taken {
                    libc::setpgid(0, group);
                }
            }
            libc::sigprocmask(libc::SIG_SETMASK, &old_mask, std::ptr::null_mut());
            if !taken {
                return None;
            }
            let mut ignore: libc::sigaction = std::mem::zeroed();
            ignore.sa_sigaction = libc::SIG_IGN;
            let mut old_tstp: libc::sigaction = std::mem::zeroed();
            libc::sigaction(libc::SIGTSTP, &ignore, &mut old_tstp);
            Some(Foreground {
                tty,
                previous: group,
                old_tstp,
            })
        }
    }
}

impl Drop for Foreground {
    fn drop(&mut self) {
        // SAFETY: as in take(): hands the terminal back to the group that had it and
        // rejoins that group, with SIGTTOU blocked meanwhile.
        unsafe {
            let old_mask = block_ttou();
            libc::tcsetpgrp(self.tty.as_raw_fd(), self.previous);
            libc::setpgid(0, self.previous);
            libc::sigprocmask(libc::SIG_SETMASK, &old_mask, std::ptr::null_mut());
            libc::sigaction(libc::SIGTSTP, &self.old_tstp, std::ptr::null_mut());
        }
    }
}

/// Blocks SIGTTOU, which a background process changing the terminal's foreground group
/// would get; returns the mask before.
///
/// # Safety
/// Plain signal-mask calls.
unsafe fn block_ttou() -> libc::sigset_t {
    let mut set: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut set);
    libc::sigaddset(&mut set, libc::SIGTTOU);
    let mut old: libc::sigset_t = std::mem::zeroed();
    libc::sigprocmask(libc::SIG_BLOCK, &set, &mut old);
    old
}
