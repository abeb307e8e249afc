//! The `autovenv` binary.
//!
//! `main` is the C runtime's entry point itself, not Rust's `fn main`: the hook runs this
//! binary on every `cd` across a project boundary, and Rust's own start-up spent a sixth
//! of its work there on a stack-overflow guard for the main thread (reading and parsing
//! `/proc/self/maps`, a signal stack) that a short process does not need. What of that
//! start-up autovenv relies on is done here instead: standard descriptors that are closed
//! are opened on `/dev/null` (so no file autovenv opens becomes its stdout), a closed pipe
//! is an error and not the end (`SIGPIPE` ignored), and stdout is flushed at the end.
//! Only on glibc, which hands the arguments to the standard library without Rust's
//! start-up (`std::env::args`); elsewhere `main` is the usual one, as in the unit-test
//! build, where the test harness brings its own.
#![cfg_attr(all(target_os = "linux", target_env = "gnu", not(test)), no_main)]

#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
use std::ffi::{c_char, c_int};
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
use std::io::Write;
use std::process::ExitCode;

#[cfg(not(all(target_os = "linux", target_env = "gnu", not(test))))]
fn main() -> ExitCode {
    autovenv::commands::main()
}

/// Runs the command line and returns its exit status (see `autovenv::commands::main`).
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
#[unsafe(no_mangle)]
extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    open_standard_descriptors();
    // SAFETY: setting a signal's disposition to SIG_IGN installs no handler.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    let code = autovenv::commands::main();
    let _ = std::io::stdout().flush();
    status(code)
}

#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
/// Opens `/dev/null` on each of descriptors 0, 1 and 2 that is closed, as Rust's start-up
/// does: one `poll` when all are open.
fn open_standard_descriptors() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is a valid array of three pollfd for the duration of the call.
    if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } < 0 {
        return;
    }
    for fd in fds {
        if fd.revents & libc::POLLNVAL != 0 {
            // SAFETY: a constant NUL-terminated path; the lowest free descriptor, which
            // is this closed one, is the one opened.
            unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
        }
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
/// The number an [`ExitCode`] stands for (the standard library shows it no other way).
fn status(code: ExitCode) -> c_int {
    (0..=u8::MAX)
        .find(|&n| ExitCode::from(n) == code)
        .map_or(1, c_int::from)
}
