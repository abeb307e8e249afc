//! The `autovenv` binary.

use std::process::ExitCode;

fn main() -> ExitCode {
    autovenv::commands::main()
}
