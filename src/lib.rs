//! Palisade: a supply-chain security gate for Rust services.
//!
//! Data flows one way: checks ([`advisories`], [`secrets`], [`fips`], [`imports`]) → [`finding`]s → [`policy`] → [`report`]s.
//! [`app`] wires them for the command line; `main.rs` only maps the outcome to an exit code.

pub mod app;
pub mod args;
pub mod cargo;
pub mod checks;
pub mod codes;
pub mod config;
pub mod finding;
pub mod init;
pub mod input;
pub mod output;
pub mod policy;
pub mod redact;
pub mod report;
pub mod upload;
