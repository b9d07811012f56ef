//! `lineage convert FILE --to ndjson|chrome [-o OUT]`: reads any supported format, writes
//! lineage NDJSON or a Chrome trace (for Perfetto). The output is written whole or not at all,
//! and control characters inside its strings are `\u` escapes (the same data, safe to `cat`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::input::with_deep_stack;
use super::input::{import_file, write_output};
use crate::text;
use crate::trace::{self, ExportFormat};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// lineage NDJSON, lossless.
    Ndjson,
    /// Chrome Trace Event Format, for Perfetto and chrome://tracing.
    Chrome,
}

#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// The trace to read (any supported format, detected from its content).
    pub file: PathBuf,
    /// The format to write.
    #[arg(long, value_enum)]
    pub to: Target,
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
            eprintln!("lineage convert: {}", text::escape(&message));
            return ExitCode::FAILURE;
        }
    };
    let format = match args.to {
        Target::Ndjson => ExportFormat::Ndjson,
        Target::Chrome => ExportFormat::Chrome,
    };
    let exported = trace::export(format, &imported.events);
    match write_output(args.out.as_deref(), &text::escape_json(&exported)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lineage convert: {}", text::escape(&message));
            ExitCode::FAILURE
        }
    }
}
