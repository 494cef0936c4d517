//! Service names that rules claim. A service rule lists, in `service-names`, the services
//! whose every credential format it knows (`wandb`, `meraki`). A generic rule that finds a
//! value by its name alone (`WANDB_API_KEY=…`, `merakiToken: …`), under a name that claims such
//! a service, found a value that service's rule did not match: a wrong length, a test-mode or
//! sandbox key, a stand-in. That match is reported at low confidence only, so the default gate
//! does not fail on it and `--min-confidence low` still shows it.
//!
//! Passwords are chosen by people, not formatted by a service: a name with `pass` or `pwd` in
//! it (`MERAKI_PASSWORD`) claims nothing.

use super::placeholder::contains_folded;
use super::rules::Rule;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Every service name some rule claims, searched in the names generic matches are found under.
pub struct Claims {
    names: Option<AhoCorasick>,
}

impl Claims {
    /// The names `rules` claim (none: nothing is claimed).
    pub fn new(rules: &[Rule]) -> Result<Claims, String> {
        let mut names: Vec<String> = rules
            .iter()
            .flat_map(|r| r.service_names.iter().map(|n| n.to_ascii_lowercase()))
            .collect();
        names.sort_unstable();
        names.dedup();
        if names.is_empty() {
            return Ok(Claims { names: None });
        }
        let searcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&names)
            .map_err(|e| format!("service names: {e}"))?;
        Ok(Claims {
            names: Some(searcher),
        })
    }

    /// Whether `name` (what a match holds before its secret: the key, the operator) names a
    /// claimed service as a word of its own: `WANDB_API_KEY`, `wandb.key`, `merakiToken`,
    /// `myMerakiKey`; not `gitealike_token` nor `xwandb_key`.
    pub fn claimed(&self, name: &[u8]) -> bool {
        let Some(names) = &self.names else {
            return false;
        };
        if contains_folded(name, b"pass") || contains_folded(name, b"pwd") {
            return false;
        }
        names
            .find_overlapping_iter(name)
            .any(|m| word_at(name, m.start(), m.end()))
    }
}

/// Whether `text[start..end]` is a word of its own: not inside a run of letters and digits,
/// except where case changes (`myMerakiKey`: `Meraki` starts at a capital after a lowercase
/// letter and ends before a capital).
fn word_at(text: &[u8], start: usize, end: usize) -> bool {
    let starts = match start.checked_sub(1).map(|i| text[i]) {
        None => true,
        Some(before) if !before.is_ascii_alphanumeric() => true,
        Some(before) => before.is_ascii_lowercase() && text[start].is_ascii_uppercase(),
    };
    let ends = match text.get(end) {
        None => true,
        Some(after) if !after.is_ascii_alphabetic() => true,
        Some(after) => after.is_ascii_uppercase() && text[end - 1].is_ascii_lowercase(),
    };
    starts && ends
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(names: &[&str]) -> Claims {
        let mut rule = crate::checks::secrets::rules::builtin().unwrap().remove(0);
        rule.service_names = names.iter().map(|n| n.to_string()).collect();
        Claims::new(&[rule]).unwrap()
    }

    #[test]
    fn a_service_name_is_claimed_as_a_word_of_the_name() {
        let c = claims(&["meraki", "wandb"]);
        for name in [
            "MERAKI_API_KEY=",
            "merakiToken: ",
            "myMerakiKey = \"",
            "wandb.key=",
            "  wandb:\n    api_key: ",
            "WANDB2_KEY=",
        ] {
            assert!(c.claimed(name.as_bytes()), "{name}");
        }
        for name in [
            "xwandb_key=",
            "merakish_token=",
            "WANDBAPIKEY=",
            "ACME_TOKEN=",
            "MERAKI_PASSWORD=",
            "wandb_pwd: ",
        ] {
            assert!(!c.claimed(name.as_bytes()), "{name}");
        }
    }

    #[test]
    fn no_rule_claims_nothing() {
        assert!(!claims(&[]).claimed(b"WANDB_API_KEY="));
    }
}
