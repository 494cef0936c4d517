//! Progress on a terminal's stderr (the secrets scan's objects and bytes); never on a pipe or
//! in CI, where it would only clutter logs.

use crate::check::{Progress, Silent};
use crate::output;

/// A bar when stderr is a terminal outside CI, else nothing.
pub fn for_stderr() -> Box<dyn Progress> {
    if output::stderr_is_terminal() && std::env::var_os("CI").is_none() {
        Box::new(TerminalProgress::default())
    } else {
        Box::new(Silent)
    }
}

/// Object/byte progress drawn with indicatif.
#[derive(Default)]
struct TerminalProgress {
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
    bytes: std::sync::atomic::AtomicU64,
}

impl Progress for TerminalProgress {
    fn start(&self, objects: u64) {
        let bar = indicatif::ProgressBar::new(objects);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {pos}/{len} objects, {msg} of blobs [{elapsed}]",
        ) {
            bar.set_style(style);
        }
        let _ = self.bar.set(bar);
    }

    fn advance(&self, objects: u64, bytes: u64) {
        if let Some(bar) = self.bar.get() {
            let total = self
                .bytes
                .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed)
                + bytes;
            bar.set_message(indicatif::HumanBytes(total).to_string());
            bar.inc(objects);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}
