//! Naming what an encoded value is in the text around it: the key it is assigned to (a
//! Kubernetes Secret's `data.DATABASE_URL`, a JSON or YAML key), and for a Docker
//! `config.json` credential, the registry it logs in to and its user. Names only make the
//! decoding path and the finding readable; nothing here decides whether something is a secret.

use crate::checks::secrets::hits::Anchor;
use base64::Engine as _;

/// The rule whose secret is the base64 `user:password` of a Docker `config.json` `auths` entry.
pub const DOCKER_CONFIG_AUTH: &str = "secret.docker-config-auth";

/// The key the value starting at `at` is assigned to on its line (`KEY: value`,
/// `"key": "value"`, `KEY=value`); in a Kubernetes Secret, `Secret data.KEY` for a key under
/// `data:`.
pub fn field_of(data: &[u8], at: usize) -> Option<String> {
    let line_start = memchr::memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1);
    let before = std::str::from_utf8(&data[line_start..at]).ok()?;
    let trimmed = before.trim_end().trim_end_matches(['"', '\'']).trim_end();
    let assigned = trimmed
        .strip_suffix(':')
        .or_else(|| trimmed.strip_suffix('='))?
        .trim_end()
        .trim_end_matches(['"', '\'']);
    let key: String = assigned
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        .collect::<Vec<char>>()
        .into_iter()
        .rev()
        .collect();
    if key.is_empty() {
        return None;
    }
    let indent = before.len() - before.trim_start().len();
    if indent > 0 && under_secret_data(data, line_start, indent) {
        return Some(format!("Secret data.{key}"));
    }
    Some(key)
}

/// Whether the line at `line_start` (indented by `indent`) sits under a `data:` key of a
/// YAML document that says `kind: Secret`.
fn under_secret_data(data: &[u8], line_start: usize, indent: usize) -> bool {
    let head = &data[..line_start];
    // The document the line is in: from the last `---` separator.
    let doc_start = memchr::memmem::rfind(head, b"\n---").map_or(0, |p| p + 1);
    let doc = &data[doc_start..];
    let doc_end = memchr::memmem::find(&doc[1..], b"\n---").map_or(doc.len(), |p| p + 1);
    if memchr::memmem::find(&doc[..doc_end], b"kind: Secret").is_none() {
        return false;
    }
    // The parent: the nearest line above indented less.
    for line in head[doc_start..].split(|b| *b == b'\n').rev() {
        let text = String::from_utf8_lossy(line);
        let content = text.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if text.len() - content.len() < indent {
            return content.trim_end() == "data:";
        }
    }
    false
}

/// Names the registry and user of a Docker `config.json` credential: the key of the object
/// that holds `"auth"`, and what comes before `:` in the decoded `user:password`. The
/// finding stands whether or not they can be named.
pub fn docker_registry(data: &[u8], anchor: &mut Anchor) {
    let window = &data[anchor.offset.saturating_sub(1024)..anchor.offset];
    let Ok(text) = std::str::from_utf8(window) else {
        return;
    };
    // `"registry": {` … `"auth": "` — the last `{` before the value opens the entry.
    let Some(open) = text.rfind('{') else {
        return;
    };
    let before = text[..open].trim_end().trim_end_matches(':').trim_end();
    let Some(name) = before
        .strip_suffix('"')
        .and_then(|b| b.rfind('"').map(|q| &b[q + 1..]))
    else {
        return;
    };
    let user = base64::engine::general_purpose::STANDARD
        .decode(&anchor.secret)
        .ok()
        .and_then(|plain| {
            let colon = plain.iter().position(|b| *b == b':')?;
            String::from_utf8(plain[..colon].to_vec()).ok()
        });
    anchor.decoding = Some(format!("base64 → auths.\"{name}\".auth (user:password)"));
    anchor.registry = Some((name.to_string(), user));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_secret_data_are_named() {
        let manifest =
            b"apiVersion: v1\nkind: Secret\ndata:\n  DATABASE_URL: cG9zdA==\nstringData:\n  X: y\n";
        let at = manifest.windows(4).position(|w| w == b"cG9z").unwrap();
        assert_eq!(
            field_of(manifest, at).as_deref(),
            Some("Secret data.DATABASE_URL")
        );
        let json = br#"{"config": "Y29uZmln"}"#;
        let at = json.windows(4).position(|w| w == b"Y29u").unwrap();
        assert_eq!(field_of(json, at).as_deref(), Some("config"));
        assert_eq!(field_of(b"just Y29uZmln", 5), None);
    }

    #[test]
    fn a_docker_credential_names_its_registry_and_user() {
        let config =
            br#"{"auths": {"registry.example.com": {"auth": "ZGVwbG95OlE5bVgya1A3clQ0dlc4eUIx"}}}"#;
        let at = config.windows(4).position(|w| w == b"ZGVw").unwrap();
        let mut anchor = Anchor {
            rule: 0,
            offset: at,
            secret: b"ZGVwbG95OlE5bVgya1A3clQ0dlc4eUIx".to_vec(),
            decoding: None,
            registry: None,
            confidence: crate::checks::secrets::rules::Confidence::High,
        };
        docker_registry(config, &mut anchor);
        assert_eq!(
            anchor.registry,
            Some(("registry.example.com".into(), Some("deploy".into())))
        );
    }
}
