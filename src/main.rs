//! `cargo-palisade`: parse, run, map the outcome to an exit code (0 clean, 1 findings over
//! the threshold, 2 could not do the job).

use palisade::cli::{self, Outcome};
use std::process::ExitCode;

/// musl's allocator is slow under threads (figures in Cargo.toml); elsewhere the system's is kept.
#[cfg(all(target_env = "musl", target_pointer_width = "64"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A panic message could carry data the tool was reading, secrets included: say where it
    // happened, never what the payload was. A panic exits 101, never 0.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        palisade::output::stderr_line(&format!(
            "error: internal error (a bug in Palisade){place}; please report it"
        ));
    }));
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `cargo palisade …` runs `cargo-palisade palisade …`.
    if args.get(1).is_some_and(|a| a == "palisade") {
        args.remove(1);
    }
    match cli::run(args) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(err) => {
            palisade::output::error(&err);
            ExitCode::from(2)
        }
    }
}
