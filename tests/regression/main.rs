//! One test per bug, each named after what broke (ripgrep's `tests/regression.rs`): a
//! reintroduced bug fails the test that carries its name. One module per area.

#[path = "../common/mod.rs"]
mod common;
mod git;
