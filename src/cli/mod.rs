//! # The `lineage` command line (native only)
//!
//! One subcommand per file; this module only parses and dispatches.

pub mod bench;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "lineage",
    version,
    about = "Event-bus inspector: measure, summarise and convert event traces"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Measure what event emission costs: modes, phases, peers, the Python reference.
    Bench(bench::BenchArgs),
}

/// Parses the process arguments and runs the chosen subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Bench(args) => bench::run(args),
    }
}
