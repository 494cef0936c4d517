//! The command line: parse, resolve what was typed into settings once ([`resolve`]), run one
//! command (`cmd_gate`, `cmd_secrets`…), write the reports ([`reports`]). Errors come
//! back to `main`, which prints them and exits 2.

pub mod args;
mod cmd_advisories;
mod cmd_config;
mod cmd_db;
mod cmd_fips;
mod cmd_gate;
mod cmd_go;
mod cmd_init;
mod cmd_rules;
mod cmd_secrets;
mod cmd_upload;
mod progress;
pub mod reports;
pub mod resolve;

use anyhow::Result;
use args::{Cli, Command, ConfigCommand, DbCommand};
use clap::{CommandFactory, FromArgMatches};
use std::ffi::OsString;

/// How a run ended, as `main` maps it to an exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing over the threshold: exit 0.
    Clean,
    /// Findings over the threshold: exit 1.
    Findings,
}

/// Parses the arguments (without cargo's `palisade` word) and runs the command.
pub fn run(args: Vec<OsString>) -> Result<Outcome> {
    let matches = match Cli::command().try_get_matches_from(args) {
        Ok(m) => m,
        // --help and --version print and exit 0; usage errors exit 2.
        Err(e) => e.exit(),
    };
    let cli = Cli::from_arg_matches(&matches).map_err(|e| anyhow::anyhow!("{e}"))?;
    let sub = resolve::subcommand_matches(&matches)?;
    match cli.command {
        Command::Advisories(a) => cmd_advisories::run(&a, &resolve::destinations(sub)?),
        Command::Go(a) => cmd_go::run(&a, &resolve::destinations(sub)?),
        Command::Secrets(a) => cmd_secrets::run(&a, &resolve::destinations(sub)?),
        Command::Fips(a) => cmd_fips::run(&a, &resolve::destinations(sub)?),
        Command::Gate(a) => {
            cmd_gate::run(&a, &resolve::destinations(sub)?, resolve::cli_imports(sub)?)
        }
        Command::Rules(cmd) => cmd_rules::run(&cmd),
        Command::Config(ConfigCommand::Check { config }) => cmd_config::check(config.as_deref()),
        Command::Init { output, force } => cmd_init::run(&output, force),
        Command::UploadSarif(a) => cmd_upload::run(&a),
        Command::Db(DbCommand::Fetch {
            go: true,
            go_vulndb,
            ..
        }) => cmd_db::fetch_go(go_vulndb.as_deref()),
        Command::Db(DbCommand::Fetch { advisory_db, .. }) => cmd_db::fetch(advisory_db.as_deref()),
    }
}
