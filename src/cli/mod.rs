//! # The `lineage` command line (native only)
//!
//! One subcommand per file; this module only parses and dispatches. What a command prints
//! goes through `output` (a closed or broken standard output is an error, not lost
//! output), files are written through `replace_file` (whole or not at all), and text from
//! a trace through [`crate::text`] (control characters escaped).

pub mod bench;
mod bounds;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod convert;
mod diff;
mod input;
mod listen;
pub mod mode_arg;
mod output;
mod replace_file;
mod report;
mod send;
mod simulate;
mod summary;
mod temp_files;

pub use output::note_standard_output_at_exec;

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
    /// Convert a trace file to lineage NDJSON, a Chrome trace (Perfetto) or OTLP JSON.
    Convert(convert::ConvertArgs),
    /// Compare two traces operation by operation: only in A, only in B, changed, reordered.
    Diff(diff::DiffArgs),
    /// Run the simulated pipeline on a bus and write the recorded events as NDJSON.
    Simulate(simulate::SimulateArgs),
    /// Receive events from running programs (OTLP/HTTP on :4318) and stream them to the page.
    Listen(listen::ListenArgs),
}

/// Parses the process arguments and runs the chosen subcommand.
pub fn main() -> ExitCode {
    output::prepare_process();
    let cli = Cli::parse();
    let (name, prints) = match &cli.command {
        Command::Bench(_) => ("bench", true),
        Command::Summary(_) => ("summary", true),
        Command::Convert(args) => ("convert", args.out.is_none()),
        Command::Simulate(_) => ("simulate", false),
        Command::Diff(_) => ("diff", true),
        Command::Listen(_) => ("listen", false),
    };
    if prints {
        if let Err(message) = output::check_standard_output() {
            eprintln!("lineage {name}: {message}");
            return ExitCode::FAILURE;
        }
    }
    match cli.command {
        Command::Bench(args) => bench::run(args),
        Command::Summary(args) => summary::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Listen(args) => listen::run(args),
    }
}
