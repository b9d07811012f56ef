//! `lineage convert FILE --to ndjson|chrome|otlp [-o OUT]`: reads any supported format,
//! writes lineage NDJSON, a Chrome trace (for Perfetto) or OTLP JSON (for OpenTelemetry).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::input::with_deep_stack;
use super::input::{import_file, write_output};
use crate::trace::{self, ExportFormat};

#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// The trace to read (any supported format, detected from its content).
    pub file: PathBuf,
    /// The format to write.
    #[arg(long, value_enum)]
    pub to: ExportFormat,
    /// Where to write (default: standard output).
    #[arg(short = 'o', long = "out")]
    pub out: Option<PathBuf>,
}

pub fn run(args: ConvertArgs) -> ExitCode {
    with_deep_stack(move || run_here(args))
}

fn run_here(args: ConvertArgs) -> ExitCode {
    let imported = match import_file(&args.file) {
        Ok(i) => i,
        Err(message) => {
            eprintln!("lineage convert: {message}");
            return ExitCode::FAILURE;
        }
    };
    let text = trace::export(args.to, &imported.events);
    match write_output(args.out.as_deref(), &text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lineage convert: {message}");
            ExitCode::FAILURE
        }
    }
}
