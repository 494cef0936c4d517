//! A running service's FIPS status: `GET` its status endpoint (`/about`) and read a JSON field
//! (dotted path, default `fips`) that a FIPS build sets to true.

use std::time::Duration;

/// The most of a status endpoint's answer Palisade reads.
const MAX_BODY: u64 = 1 << 20;

/// The status endpoint could not be read.
#[derive(Debug, thiserror::Error)]
#[error("FIPS status endpoint {url}: {message}")]
pub struct StatusError {
    /// The URL.
    pub url: String,
    /// What went wrong.
    pub message: String,
}

/// Fetches `url` and returns the boolean at `field` (`Some(true)` / `Some(false)`), or `None`
/// when the field is absent. `"true"`/`"false"` strings count as booleans.
pub fn fetch(url: &str, field: &str, timeout: Duration) -> Result<Option<bool>, StatusError> {
    let error = |message: String| StatusError {
        url: url.to_string(),
        message,
    };
    let client = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| error(crate::output::error_chain(&e)))?;
    let response = client
        .get(url)
        .header("Accept", "application/json")
        .send()
        .map_err(|e| error(crate::output::error_chain(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(error(format!("answered HTTP {status}")));
    }
    // A status document is a few hundred bytes; an endpoint that streams without end must
    // not exhaust the gate's memory.
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(response, MAX_BODY + 1), &mut body)
        .map_err(|e| error(crate::output::error_chain(&e)))?;
    if body.len() as u64 > MAX_BODY {
        return Err(error(format!(
            "answered more than {} KiB: not a status document",
            MAX_BODY >> 10
        )));
    }
    let json: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| error(format!("did not answer JSON: {e}")))?;
    let mut value = &json;
    for key in field.split('.') {
        match value.get(key) {
            Some(v) => value = v,
            None => return Ok(None),
        }
    }
    match value {
        serde_json::Value::Bool(b) => Ok(Some(*b)),
        serde_json::Value::String(s) if s == "true" || s == "false" => Ok(Some(s == "true")),
        serde_json::Value::Null => Ok(None),
        // Say what kind of value it is, never the value: it is the service's data.
        other => Err(error(format!(
            "`{field}` is {}, not a boolean",
            match other {
                serde_json::Value::Number(_) => "a number",
                serde_json::Value::String(_) => "a string",
                serde_json::Value::Array(_) => "an array",
                _ => "an object",
            }
        ))),
    }
}
