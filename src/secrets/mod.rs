//! The secrets check: finds credentials in files and git history.

pub mod engine;
pub mod redact;
pub mod rules;
