//! The parts of a SARIF 2.1.0 log an import uses, and nothing else: serde skips every other
//! field without building it, and strings borrow from the file's bytes where the JSON has no
//! escapes. The run-level parts (tool, rules, invocations) are read whole; results are read one
//! at a time by `stream` and turned into findings at once, so a log with 200,000 results never
//! exists as a tree in memory (a `serde_json::Value` of a 40 MB log takes over a gigabyte).
//!
//! Enumerations the SARIF schema closes (`level`, `kind`) are strict, as are the fields it
//! requires (`tool.driver.name`, `result.message`, `invocation.executionSuccessful`): a file
//! that breaks them is malformed, not read by guesswork.

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// A JSON string, borrowed from the input when it has no escapes. (serde's own `Cow<str>`
/// always copies when it sits inside an `Option` or a collection.)
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Text<'a>(pub Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(TextVisitor(PhantomData))
    }
}

/// Only the version, read first so a SARIF 1.0 file gets the right message.
#[derive(Deserialize)]
pub struct Head {
    /// `"2.1.0"`.
    pub version: Option<Value>,
}

/// The log with its runs, results skipped (they are streamed afterwards).
#[derive(Deserialize)]
pub struct Log<'a> {
    /// `null` or absent: the tool produced no run at all.
    #[serde(borrow, default)]
    pub runs: Option<Vec<Run<'a>>>,
}

/// One run of one tool.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Run<'a> {
    /// The tool.
    #[serde(borrow)]
    pub tool: Tool<'a>,
    /// How the tool was run, and whether it finished.
    #[serde(borrow, default)]
    pub invocations: Option<Vec<Invocation<'a>>>,
    /// How many results, or `None` when `results` is absent or null: SARIF's way of saying
    /// the tool did not run or failed (an empty array is a clean run).
    #[serde(default)]
    pub results: Option<ResultCount>,
}

/// The number of results of a run, counted without keeping them.
pub struct ResultCount(pub usize);

impl<'de> Deserialize<'de> for ResultCount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CountVisitor;
        impl<'de> Visitor<'de> for CountVisitor {
            type Value = ResultCount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of results")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ResultCount, A::Error> {
                let mut n = 0;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(ResultCount(n))
            }
        }
        deserializer.deserialize_seq(CountVisitor)
    }
}

/// `run.tool`.
#[derive(Deserialize)]
pub struct Tool<'a> {
    /// `tool.driver`.
    #[serde(borrow)]
    pub driver: Driver<'a>,
}

/// The tool's driver: its name, version and rules.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver<'a> {
    /// `gosec`.
    #[serde(borrow)]
    pub name: Text<'a>,
    /// Free-form version.
    #[serde(borrow, default)]
    pub version: Option<Text<'a>>,
    /// Semantic version.
    #[serde(borrow, default)]
    pub semantic_version: Option<Text<'a>>,
    /// Home page.
    #[serde(borrow, default)]
    pub information_uri: Option<Text<'a>>,
    /// The rules results refer to.
    #[serde(borrow, default)]
    pub rules: Option<Vec<Rule<'a>>>,
}

/// `invocations[]`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation<'a> {
    /// False when the tool failed.
    pub execution_successful: bool,
    /// Problems while it ran.
    #[serde(borrow, default)]
    pub tool_execution_notifications: Option<Vec<Notification<'a>>>,
    /// Problems with how it was configured.
    #[serde(borrow, default)]
    pub tool_configuration_notifications: Option<Vec<Notification<'a>>>,
    /// Set when the tool's process could not start.
    #[serde(borrow, default)]
    pub process_start_failure_message: Option<Text<'a>>,
    /// Set when a signal ended the tool's process.
    #[serde(borrow, default)]
    pub exit_signal_name: Option<Text<'a>>,
    /// The same, by number.
    #[serde(default)]
    pub exit_signal_number: Option<i64>,
}

/// A notification about the tool's run.
#[derive(Deserialize)]
pub struct Notification<'a> {
    /// SARIF's default is `warning`.
    #[serde(default)]
    pub level: Option<Level>,
    /// What happened.
    #[serde(borrow, default)]
    pub message: Option<Message<'a>>,
    /// Which kind of notification.
    #[serde(borrow, default)]
    pub descriptor: Option<DescriptorReference<'a>>,
}

/// A reference to a rule or notification descriptor.
#[derive(Deserialize)]
pub struct DescriptorReference<'a> {
    /// Its id.
    #[serde(borrow, default)]
    pub id: Option<Text<'a>>,
    /// Its index.
    #[serde(default)]
    pub index: Option<i64>,
}

/// `level`, as the schema closes it.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// `none`.
    None,
    /// `note`.
    Note,
    /// `warning`.
    Warning,
    /// `error`.
    Error,
}

impl Level {
    /// The word as SARIF writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// `kind` of a result, as the schema closes it.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// Not a problem.
    Pass,
    /// A problem.
    Fail,
    /// Not applicable here.
    NotApplicable,
    /// Needs a person.
    Review,
    /// Could not be decided.
    Open,
    /// Information.
    Informational,
}

/// A message: text, or a template in the rule's `messageStrings`.
#[derive(Deserialize)]
pub struct Message<'a> {
    /// Plain text.
    #[serde(borrow, default)]
    pub text: Option<Text<'a>>,
    /// A `messageStrings` key.
    #[serde(borrow, default)]
    pub id: Option<Text<'a>>,
    /// `{0}`, `{1}`… of the template.
    #[serde(borrow, default)]
    pub arguments: Option<Vec<Text<'a>>>,
}

/// A message whose `text` the schema requires.
#[derive(Deserialize)]
pub struct MultiformatMessage<'a> {
    /// Plain text.
    #[serde(borrow)]
    pub text: Text<'a>,
}

/// A rule (`reportingDescriptor`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule<'a> {
    /// `G101`.
    #[serde(borrow)]
    pub id: Text<'a>,
    /// A readable name.
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
    /// One line.
    #[serde(borrow, default)]
    pub short_description: Option<MultiformatMessage<'a>>,
    /// More.
    #[serde(borrow, default)]
    pub full_description: Option<MultiformatMessage<'a>>,
    /// How to fix.
    #[serde(borrow, default)]
    pub help: Option<MultiformatMessage<'a>>,
    /// Where to read more.
    #[serde(borrow, default)]
    pub help_uri: Option<Text<'a>>,
    /// Message templates by id.
    #[serde(borrow, default)]
    pub message_strings: Option<BTreeMap<Text<'a>, MultiformatMessage<'a>>>,
    /// The level results of this rule default to.
    #[serde(borrow, default)]
    pub default_configuration: Option<Configuration<'a>>,
    /// Tags and severity properties.
    #[serde(borrow, default)]
    pub properties: Option<Properties<'a>>,
}

/// `defaultConfiguration`.
#[derive(Deserialize)]
pub struct Configuration<'a> {
    /// Kept as written: tools have put other words here, and it is only a fallback.
    #[serde(borrow, default)]
    pub level: Option<Text<'a>>,
}

/// The properties an import reads: a `security-severity` score, a `severity` word, tags.
#[derive(Deserialize)]
pub struct Properties<'a> {
    /// A number, or a string holding one.
    #[serde(rename = "security-severity", default)]
    pub security_severity: Option<Value>,
    /// A word (`HIGH`).
    #[serde(default)]
    pub severity: Option<Value>,
    /// Free tags; gosec puts its severity word here.
    #[serde(borrow, default)]
    pub tags: Option<Vec<Text<'a>>>,
}

/// One result.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult<'a> {
    /// Its rule's id.
    #[serde(borrow, default)]
    pub rule_id: Option<Text<'a>>,
    /// Its rule's index in the driver's rules.
    #[serde(default)]
    pub rule_index: Option<i64>,
    /// Its rule, by reference.
    #[serde(borrow, default)]
    pub rule: Option<DescriptorReference<'a>>,
    /// `pass`, `fail`…
    #[serde(default)]
    pub kind: Option<Kind>,
    /// `error`, `warning`…
    #[serde(default)]
    pub level: Option<Level>,
    /// What it says.
    #[serde(borrow)]
    pub message: Message<'a>,
    /// Where.
    #[serde(borrow, default)]
    pub locations: Option<Vec<ResultLocation<'a>>>,
    /// The tool's stable fingerprints.
    #[serde(borrow, default)]
    pub partial_fingerprints: Option<BTreeMap<Text<'a>, Text<'a>>>,
    /// More of them.
    #[serde(borrow, default)]
    pub fingerprints: Option<BTreeMap<Text<'a>, Text<'a>>>,
    /// `absent`: gone since the tool's own baseline.
    #[serde(borrow, default)]
    pub baseline_state: Option<Text<'a>>,
    /// The tool's own suppressions.
    #[serde(default)]
    pub suppressions: Option<Vec<Suppression>>,
    /// Severity properties.
    #[serde(borrow, default)]
    pub properties: Option<Properties<'a>>,
}

/// `locations[]`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultLocation<'a> {
    /// The file and region.
    #[serde(borrow, default)]
    pub physical_location: Option<PhysicalLocation<'a>>,
}

/// `physicalLocation`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation<'a> {
    /// The file.
    #[serde(borrow, default)]
    pub artifact_location: Option<ArtifactLocation<'a>>,
    /// Where in it.
    #[serde(default)]
    pub region: Option<Region>,
}

/// `artifactLocation`.
#[derive(Deserialize)]
pub struct ArtifactLocation<'a> {
    /// Relative or `file://` URI.
    #[serde(borrow, default)]
    pub uri: Option<Text<'a>>,
}

/// `region`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// 1-based.
    #[serde(default)]
    pub start_line: Option<i64>,
    /// 1-based.
    #[serde(default)]
    pub start_column: Option<i64>,
}

/// A suppression the tool recorded. `kind` and `status` stay loose JSON, as before: only
/// their string values matter.
#[derive(Deserialize)]
pub struct Suppression {
    /// `inSource`, `external`.
    #[serde(default)]
    pub kind: Option<Value>,
    /// `accepted` (the default), `underReview`, `rejected`.
    #[serde(default)]
    pub status: Option<Value>,
    /// Why.
    #[serde(default)]
    pub justification: Option<String>,
}
