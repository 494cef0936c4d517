//! One test per bug, each named after what broke (ripgrep's `tests/regression.rs`): a
//! reintroduced bug fails the test that carries its name. One module per area.

#[path = "../common/mod.rs"]
mod common;

mod advisories;
mod allow;
mod config;
mod fips;
mod gate;
mod git;
mod imports;
mod init;
mod leaks;
mod matches;
mod pipes;
mod placeholders;
mod reports;
mod sarif;
mod scope;
