//! # The `lineage` command line (native only)
//!
//! One subcommand per file; this module only parses and dispatches.

pub mod bench;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod convert;
mod diff;
mod input;
mod simulate;
mod summary;

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
    /// Summarise a trace file: events, operations and how they ended, orphans, lints.
    Summary(summary::SummaryArgs),
    /// Convert a trace file to lineage NDJSON or a Chrome trace (Perfetto).
    Convert(convert::ConvertArgs),
    /// Compare two traces operation by operation: only in A, only in B, changed, reordered.
    Diff(diff::DiffArgs),
    /// Run the simulated pipeline on a bus and write the recorded events as NDJSON.
    Simulate(simulate::SimulateArgs),
}

/// Parses the process arguments and runs the chosen subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Bench(args) => bench::run(args),
        Command::Summary(args) => summary::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Diff(args) => diff::run(args),
    }
}
