//! autovenv: Python virtual environments that follow you around the shell.
//!
//! The loop is observe → decide → carry out → render: [`observation`] gathers what
//! [`discover`] finds on disk, the trust store and the environment; [`decide`] turns that
//! into a [`decide::Plan`]; [`export`] carries the plan out into a
//! [`shell_update::Update`], which [`shell`] renders for one shell. [`notice`] is what
//! the user is told, and how.

pub(crate) mod activation;
pub(crate) mod atomic_write;
pub mod cli;
pub mod commands;
pub mod config;
pub(crate) mod create;
pub(crate) mod decide;
pub(crate) mod discover;
pub(crate) mod export;
pub(crate) mod fsread;
pub(crate) mod hex;
pub(crate) mod json_text;
pub mod message;
pub(crate) mod notice;
pub(crate) mod observation;
pub(crate) mod ownership;
pub(crate) mod percent_encoding;
pub(crate) mod provenance;
pub(crate) mod python_version;
#[cfg(test)]
pub(crate) mod scratch;
pub(crate) mod search_path;
pub mod session;
pub(crate) mod shell;
pub(crate) mod shell_update;
pub(crate) mod signals;
pub(crate) mod sources;
pub(crate) mod stamp;
pub mod state;
pub(crate) mod sync;
pub mod trust;
pub mod venv;
