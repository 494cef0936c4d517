//! Palisade: a supply-chain security gate for Rust services.
//!
//! Data flows one way: [`checks`] (each a folder, all in the [`check`] registry) →
//! [`finding`]s → [`policy`] → [`report`]s. [`cli`] wires them for the command line, one
//! module a command; `main.rs` only maps the outcome to an exit code.

pub mod cargo;
pub mod check;
pub mod checks;
pub mod cli;
pub mod codes;
pub mod config;
pub mod finding;
pub mod gobuild;
pub mod init;
pub mod input;
pub mod output;
pub mod policy;
pub mod redact;
pub mod report;
pub mod upload;
