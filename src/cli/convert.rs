//! `lineage convert FILE --to ndjson|chrome [-o OUT]`: reads any supported format, writes
//! lineage NDJSON or a Chrome trace (for Perfetto). The output is written whole or not at all,
//! and control characters inside its strings are `\u` escapes (the same data, safe to `cat`).

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::input::import_file;
use super::input::with_deep_stack;
use super::output;
use super::replace_file::replace_with;
use crate::text::{self, JsonEscaper};
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
    // Through the escaper, so control characters inside strings are `\u` escapes.
    let write = |out: &mut dyn Write| {
        let mut out = JsonEscaper::new(out);
        out.write_all(exported.as_bytes())?;
        out.flush()
    };
    let written = match args.out.as_deref() {
        Some(path) => replace_with(path, |file| write(&mut BufWriter::new(file)))
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => output::to_stdout(write),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lineage convert: {}", text::escape(&message));
            ExitCode::FAILURE
        }
    }
}
