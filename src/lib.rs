//! Palisade: a supply-chain security gate for Rust services.
//!
//! Data flows one way: checks ([`advisories`], [`secrets`], [`fips`], [`imports`]) → [`finding`]s → [`policy`] → [`report`]s.
//! [`app`] wires them for the command line; `main.rs` only maps the outcome to an exit code.

pub mod advisories;
pub mod app;
pub mod args;
pub mod codes;
pub mod finding;
pub mod fips;
pub mod imports;
pub mod init;
pub mod input;
pub mod output;
pub mod policy;
pub mod redact;
pub mod report;
pub mod secrets;
pub mod upload;
