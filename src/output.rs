//! The sinks: everything Palisade prints or writes for people and machines leaves through
//! here — stdout, stderr, report files, uploads — and is redacted on the way by
//! [`crate::redact`]. Nothing else in the crate prints (a test keeps it that way).
//!
//! A closed stdout (`| head`) is not an error: the rest of the output is dropped and the exit
//! code still tells the verdict.

use crate::redact;
use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

/// Prints a line on stderr, redacted, as one line: control characters in it are made visible
/// so that no data can open a line of its own.
#[macro_export]
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::output::stderr_line(&format!($($arg)*))
    };
}

/// What a sink does besides redacting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text for people (the human report, help-like listings): a line that would read as a
    /// GitHub Actions workflow command (`::error …`) is defused.
    Text,
    /// GitHub Actions workflow commands: written as they are.
    WorkflowCommands,
    /// JSON or SARIF: only redacted.
    Data,
}

/// `text` as it may leave the process.
pub fn clean(text: &str, kind: Kind) -> Cow<'_, str> {
    let redacted = redact::text(text);
    if kind != Kind::Text {
        return redacted;
    }
    let forged = |line: &str| line.trim_start().starts_with("::");
    if !redacted.lines().any(forged) {
        return redacted;
    }
    let mut out = String::with_capacity(redacted.len() + 16);
    for line in redacted.split_inclusive('\n') {
        if forged(line) {
            // The runner reads `::` at the start of a line as a command; `:\:` it does not.
            let at = line.len() - line.trim_start().len();
            out.push_str(&line[..at]);
            out.push_str(":\\:");
            out.push_str(&line[at + 2..]);
        } else {
            out.push_str(line);
        }
    }
    Cow::Owned(out)
}

/// Writes `text` to stdout (ANSI styles kept on a terminal, stripped elsewhere). A closed pipe
/// ends the output quietly.
pub fn stdout(text: &str, kind: Kind) -> io::Result<()> {
    let cleaned = clean(text, kind);
    let stdout = io::stdout();
    let mut out = anstream::AutoStream::auto(stdout.lock());
    match out.write_all(cleaned.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Whether stderr is a terminal (progress bars go there, never into logs).
pub fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    io::stderr().is_terminal()
}

/// Writes `text` to `path`, whole or not at all.
pub fn file(path: &Path, text: &str, kind: Kind) -> io::Result<()> {
    std::fs::write(path, clean(text, kind).as_bytes())
}

/// Prints one line on stderr: redacted, control characters made visible, a forged workflow
/// command defused. A closed stderr is ignored (there is nowhere left to say anything).
pub fn stderr_line(line: &str) {
    let one_line = redact::escape_controls(line.trim_end_matches('\n'));
    let cleaned = clean(&one_line, Kind::Text);
    let stderr = io::stderr();
    let mut err = anstream::AutoStream::auto(stderr.lock());
    let _ = writeln!(err, "{cleaned}").and_then(|()| err.flush());
}

/// Prints an error the way `main` reports it: `error: ` and the chain. One problem a line (a
/// config error lists every problem of the file), each cut to a readable length so no error
/// quotes much of its input, at most [`MAX_ERROR_LINES`] lines.
pub fn error(err: &anyhow::Error) {
    let text = format!("{err:#}");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    for (i, line) in lines.iter().take(MAX_ERROR_LINES).enumerate() {
        let line = shorten(line, MAX_ERROR);
        if i == 0 {
            stderr_line(&format!("error: {line}"));
        } else {
            stderr_line(&line);
        }
    }
    if lines.len() > MAX_ERROR_LINES {
        stderr_line(&format!("… and {} more", lines.len() - MAX_ERROR_LINES));
    }
}

/// The most lines one error prints.
const MAX_ERROR_LINES: usize = 100;

/// The longest error line printed, in characters.
const MAX_ERROR: usize = 600;

/// `text` cut to `max` characters, with `…` where it was cut.
pub fn shorten(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((at, _)) => Cow::Owned(format!("{}…", &text[..at])),
    }
}

/// An error and its sources on one line: the first line of each level (toml adds code frames
/// below its message), repeated text dropped.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = String::new();
    let mut level: Option<&dyn std::error::Error> = Some(err);
    while let Some(e) = level {
        let line = one_line(&e.to_string());
        if !out.contains(&line) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&line);
        }
        level = e.source();
    }
    out
}

/// A multi-line message (toml's: a position line, a code frame, then what is wrong) on one
/// line: the frame dropped, the rest joined.
pub fn one_line(text: &str) -> String {
    let is_frame = |l: &str| {
        let rest = l
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start();
        rest.starts_with('|') || l.chars().all(|c| c == '^' || c == ' ' || c == '|')
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !is_frame(l))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forged_workflow_command_is_defused_in_text_only() {
        let report = "ok\n::error file=README.md::Forged\n  ::warning::x\n";
        let cleaned = clean(report, Kind::Text);
        assert!(
            !cleaned.lines().any(|l| l.trim_start().starts_with("::")),
            "{cleaned}"
        );
        assert_eq!(clean(report, Kind::WorkflowCommands), report);
    }

    /// The sinks are the only way out: a `println!` elsewhere would bypass the redactor.
    #[test]
    fn nothing_else_in_the_crate_prints() {
        let forbidden = [
            "println!(",
            "eprintln!(",
            "print!(",
            "eprint!(",
            "io::stdout()",
            "io::stderr()",
            "dbg!(",
        ];
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![src];
        let mut offenders = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).unwrap() {
                    files.push(entry.unwrap().path());
                }
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("output.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    if forbidden.iter().any(|f| line.contains(f)) {
                        offenders.push(format!("{}:{}: {line}", path.display(), n + 1));
                    }
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "print through crate::output:\n{}",
            offenders.join("\n")
        );
    }

    #[test]
    fn shorten_cuts_on_a_character() {
        assert_eq!(shorten("ééé", 2), "éé…");
        assert_eq!(shorten("abc", 3), "abc");
    }

    #[test]
    fn toml_frames_collapse_to_one_line() {
        let text = "TOML parse error at line 19, column 15\n   |\n19 |  \"x\",\n   |               ^\ninvalid array\nexpected `]`\n";
        assert_eq!(
            one_line(text),
            "TOML parse error at line 19, column 15; invalid array; expected `]`"
        );
    }
}
