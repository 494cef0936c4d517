//! Reading a parsed `palisade.toml` table field by field. Each value is checked against the
//! type its key expects; a wrong type or an unknown key becomes a problem with its line and
//! reading goes on, so one run reports every problem (serde would stop at the first).
//!
//! Messages name the key and the type expected, never the value: a config value can be a
//! secret pasted in the wrong place. Key names are shown truncated to [`MAX_SHOWN`] chars.

use super::Problems;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A parsed value with its span.
pub type Value<'i> = Spanned<DeValue<'i>>;

/// The longest piece of input (a key, an id) a message may show.
pub const MAX_SHOWN: usize = 40;

/// `text` shortened to [`MAX_SHOWN`] chars (with `…`), control characters escaped, so a
/// message never carries more than a short excerpt of the input on one line.
pub fn shown(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(MAX_SHOWN)
        .flat_map(char::escape_default)
        .collect();
    if text.chars().nth(MAX_SHOWN).is_some() {
        out.push('…');
    }
    out
}

/// Ticket values that stand for "no ticket" (compared case-insensitively, trimmed).
const PLACEHOLDER_TICKETS: &[&str] = &[
    "", "none", "n/a", "na", "todo", "tbd", "-", "0", "?", "xxx", "null", "nil", "tba",
];

/// Whether a ticket says there is none: blank, or one of [`PLACEHOLDER_TICKETS`] (also `--`,
/// `???`, `XXXX`: a run of one placeholder character).
pub fn is_placeholder_ticket(ticket: &str) -> bool {
    let t = ticket.trim().to_ascii_lowercase();
    let same_char = |c: char| !t.is_empty() && t.chars().all(|x| x == c);
    PLACEHOLDER_TICKETS.contains(&t.as_str())
        || ['-', '?', 'x', '0', '.'].into_iter().any(same_char)
}

/// What reading one field gave.
#[derive(Clone, Debug, PartialEq)]
pub enum Field<T> {
    /// The key is not there.
    Absent,
    /// The key is there with the wrong type; the problem is recorded.
    Invalid,
    /// The value.
    Given(T),
}

impl Field<toml::Spanned<String>> {
    /// The text, trimmed; `None` when absent, invalid or blank.
    pub fn text(self) -> Option<String> {
        self.ok()
            .map(|t| t.into_inner().trim().to_string())
            .filter(|t| !t.is_empty())
    }
}

impl<T> Field<T> {
    /// The value, if given and valid.
    pub fn ok(self) -> Option<T> {
        match self {
            Field::Given(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the key is there (valid or not).
    pub fn is_present(&self) -> bool {
        !matches!(self, Field::Absent)
    }

    /// Whether the key is there with a wrong type.
    pub fn is_invalid(&self) -> bool {
        matches!(self, Field::Invalid)
    }

    /// The value by reference.
    pub fn as_ref(&self) -> Field<&T> {
        match self {
            Field::Absent => Field::Absent,
            Field::Invalid => Field::Invalid,
            Field::Given(v) => Field::Given(v),
        }
    }

    /// Maps the value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Absent => Field::Absent,
            Field::Invalid => Field::Invalid,
            Field::Given(v) => Field::Given(f(v)),
        }
    }
}

/// One table of the file, read key by key.
pub struct Table<'a, 'i> {
    entries: &'a DeTable<'i>,
    span: Range<usize>,
    name: String,
    known: &'static [&'static str],
}

fn a_type(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'a, 'i> Table<'a, 'i> {
    /// A table named `name` in messages (`[policy]`, `[[advisories.ignore]]`) whose keys are
    /// `known`; any other key is reported by [`Table::finish`].
    pub fn new(
        entries: &'a DeTable<'i>,
        span: Range<usize>,
        name: impl Into<String>,
        known: &'static [&'static str],
    ) -> Self {
        Table {
            entries,
            span,
            name: name.into(),
            known,
        }
    }

    /// Where the table is (its header, for an array-of-tables entry).
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// Its name in messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The raw value of `key`.
    pub fn value(&self, key: &'static str) -> Option<&'a Value<'i>> {
        debug_assert!(self.known.contains(&key), "{key} not declared");
        self.entries.get(key)
    }

    fn wrong(&self, key: &str, value: &Value<'_>, expected: &str, problems: &mut Problems<'_>) {
        problems.at(
            value.span(),
            format!(
                "`{key}` in {} must be {expected}, not {}",
                self.name,
                a_type(value.get_ref())
            ),
        );
    }

    /// A string.
    pub fn string(&self, key: &'static str, problems: &mut Problems<'_>) -> Field<Spanned<String>> {
        match self.value(key) {
            None => Field::Absent,
            Some(v) => match v.get_ref() {
                // A `ticket` names who authorised a suppression; a placeholder authorises
                // nothing. Checked where every table's strings are read, so each table with a
                // ticket, required or optional, today's and future ones, refuses them alike.
                DeValue::String(s) if key == "ticket" && is_placeholder_ticket(s) => {
                    problems.at(
                        v.span(),
                        format!(
                            "`ticket` in {} is a placeholder ({}): name the real ticket or spec that authorises this entry",
                            self.name,
                            match s.trim() {
                                "" => "blank".to_string(),
                                t => format!("`{}`", shown(t)),
                            }
                        ),
                    );
                    Field::Invalid
                }
                DeValue::String(s) => Field::Given(Spanned::new(v.span(), s.to_string())),
                _ => {
                    self.wrong(key, v, "a string", problems);
                    Field::Invalid
                }
            },
        }
    }

    /// A string that is not blank, trimmed; a blank one is recorded as a problem.
    pub fn text(&self, key: &'static str, problems: &mut Problems<'_>) -> Field<Spanned<String>> {
        match self.string(key, problems) {
            Field::Given(s) if s.get_ref().trim().is_empty() => {
                problems.at(s.span(), format!("`{key}` in {} is empty", self.name));
                Field::Invalid
            }
            Field::Given(s) => {
                let span = s.span();
                Field::Given(Spanned::new(span, s.into_inner().trim().to_string()))
            }
            other => other,
        }
    }

    /// A boolean.
    pub fn boolean(&self, key: &'static str, problems: &mut Problems<'_>) -> Field<bool> {
        match self.value(key) {
            None => Field::Absent,
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => Field::Given(*b),
                _ => {
                    self.wrong(key, v, "true or false", problems);
                    Field::Invalid
                }
            },
        }
    }

    /// A whole number ≥ 0.
    pub fn unsigned(&self, key: &'static str, problems: &mut Problems<'_>) -> Field<Spanned<u64>> {
        let Some(v) = self.value(key) else {
            return Field::Absent;
        };
        let parsed = match v.get_ref() {
            DeValue::Integer(i) => u64::from_str_radix(i.as_str(), i.radix()).ok(),
            _ => None,
        };
        match parsed {
            Some(n) => Field::Given(Spanned::new(v.span(), n)),
            None if matches!(v.get_ref(), DeValue::Integer(_)) => {
                problems.at(
                    v.span(),
                    format!(
                        "`{key}` in {} must be a whole number from 0 to {}",
                        self.name,
                        u64::MAX
                    ),
                );
                Field::Invalid
            }
            None => {
                self.wrong(key, v, "a whole number", problems);
                Field::Invalid
            }
        }
    }

    /// A number (an integer is taken as a float).
    pub fn number(&self, key: &'static str, problems: &mut Problems<'_>) -> Field<f64> {
        let Some(v) = self.value(key) else {
            return Field::Absent;
        };
        let parsed = match v.get_ref() {
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            _ => None,
        };
        match parsed {
            Some(n) if n.is_finite() => Field::Given(n),
            _ => {
                self.wrong(key, v, "a finite number", problems);
                Field::Invalid
            }
        }
    }

    /// An array of strings; every element that is not a string is recorded.
    pub fn strings(
        &self,
        key: &'static str,
        problems: &mut Problems<'_>,
    ) -> Field<Vec<Spanned<String>>> {
        let Some(v) = self.value(key) else {
            return Field::Absent;
        };
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong(key, v, "an array of strings", problems);
            return Field::Invalid;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(Spanned::new(item.span(), s.to_string())),
                _ => {
                    problems.at(
                        item.span(),
                        format!(
                            "`{key}` in {} must hold only strings, not {}",
                            self.name,
                            a_type(item.get_ref())
                        ),
                    );
                    ok = false;
                }
            }
        }
        if ok {
            Field::Given(out)
        } else {
            Field::Invalid
        }
    }

    /// A date (`2027-01-31`, bare or quoted).
    pub fn date(&self, key: &'static str, problems: &mut Problems<'_>) -> Field<jiff::civil::Date> {
        let Some(v) = self.value(key) else {
            return Field::Absent;
        };
        let parsed = match v.get_ref() {
            DeValue::String(s) => s.trim().parse::<jiff::civil::Date>().ok(),
            DeValue::Datetime(d) => d.to_string().parse::<jiff::civil::Date>().ok(),
            _ => None,
        };
        match parsed {
            Some(d) => Field::Given(d),
            None => {
                problems.at(
                    v.span(),
                    format!("`{key}` in {} must be a date like 2027-01-31", self.name),
                );
                Field::Invalid
            }
        }
    }

    /// A sub-table (`[advisories]` at the top level, an inline table).
    pub fn table(
        &self,
        key: &'static str,
        name: impl Into<String>,
        known: &'static [&'static str],
        problems: &mut Problems<'_>,
    ) -> Field<Table<'a, 'i>> {
        let Some(v) = self.value(key) else {
            return Field::Absent;
        };
        match v.get_ref() {
            DeValue::Table(t) => Field::Given(Table::new(t, v.span(), name, known)),
            _ => {
                self.wrong(key, v, "a table", problems);
                Field::Invalid
            }
        }
    }

    /// An array of tables (`[[advisories.ignore]]`, or `key = [{…}, {…}]`); every element that
    /// is not a table is recorded.
    pub fn tables(
        &self,
        key: &'static str,
        name: &str,
        known: &'static [&'static str],
        problems: &mut Problems<'_>,
    ) -> Vec<Table<'a, 'i>> {
        let Some(v) = self.value(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = v.get_ref() else {
            problems.at(
                v.span(),
                format!(
                    "`{key}` in {} must be an array of tables (write `{name}`), not {}",
                    self.name,
                    a_type(v.get_ref())
                ),
            );
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(t) => out.push(Table::new(t, item.span(), name, known)),
                other => problems.at(
                    item.span(),
                    format!(
                        "`{key}` in {} must hold only tables, not {}",
                        self.name,
                        a_type(other)
                    ),
                ),
            }
        }
        out
    }

    /// Records every key that is not one of the known ones.
    pub fn finish(self, problems: &mut Problems<'_>) {
        for (key, _) in self.entries.iter() {
            if !self.known.contains(&key.get_ref().as_ref()) {
                problems.at(
                    key.span(),
                    format!(
                        "unknown field `{}` in {}; expected one of {}",
                        shown(key.get_ref()),
                        self.name,
                        self.known.join(", ")
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_truncates_and_escapes() {
        assert_eq!(shown("abc"), "abc");
        assert_eq!(shown("a\nb"), "a\\nb");
        let long = "x".repeat(60);
        assert_eq!(shown(&long).chars().count(), MAX_SHOWN + 1);
    }

    #[test]
    fn placeholder_tickets_are_recognised() {
        for t in [
            "", " ", "none", "N/A", "na", "TODO", "tbd", "-", "0", "?", "xxx", "XXXX", "---",
        ] {
            assert!(is_placeholder_ticket(t), "{t:?}");
        }
        for t in ["SEC-41", "INC-77", "https://jira/x/1", "#42", "X-1"] {
            assert!(!is_placeholder_ticket(t), "{t:?}");
        }
    }
}
