//! autovenv: Python virtual environments that follow you around the shell.
//!
//! The loop is discover → decide → render: [`discover`] reads what is on disk,
//! [`decide`] turns that, the trust store and the environment into a [`decide::Plan`],
//! [`export`] carries the plan out and [`shell`] renders it for one shell.

pub mod activation;
pub mod cli;
pub mod commands;
pub mod config;
pub mod create;
pub mod decide;
pub mod discover;
pub mod export;
pub mod fsread;
pub mod message;
pub mod ownership;
pub mod pct;
pub mod provenance;
pub mod session;
pub mod shell;
pub mod sources;
pub mod state;
pub mod sync;
pub mod trust;
pub mod update;
pub mod venv;
