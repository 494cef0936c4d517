//! Redaction of secrets the scan found: the forms live in [`crate::redact`], the one redactor
//! every output passes through.

pub use crate::redact::{redact, secret_fingerprint, secret_hash};
