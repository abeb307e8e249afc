//! autovenv: Python virtual environments that follow you around the shell.
//!
//! The loop is observe → decide → carry out → render: [`observation`] gathers what
//! [`discover`] finds on disk, the trust store and the environment; [`decide`] turns that
//! into a [`decide::Plan`]; [`export`] carries the plan out into a
//! [`shell_update::Update`], which [`shell`] renders for one shell. [`notice`] is what
//! the user is told, and how.

pub mod activation;
pub mod atomic_write;
pub mod cli;
pub mod commands;
pub mod config;
pub mod create;
pub mod decide;
pub mod discover;
pub mod export;
pub mod fsread;
pub mod hex;
pub mod json_text;
pub mod message;
pub mod notice;
pub mod observation;
pub mod ownership;
pub mod percent_encoding;
pub mod provenance;
pub mod python_version;
pub mod search_path;
pub mod session;
pub mod shell;
pub mod shell_update;
pub mod signals;
pub mod sources;
pub mod state;
pub mod sync;
pub mod trust;
pub mod venv;
