//! `lineage convert FILE --to ndjson|chrome|otlp [-o OUT]`: reads any supported format,
//! writes lineage NDJSON, a Chrome trace (for Perfetto) or OTLP JSON (for OpenTelemetry). The
//! output is written whole or not at all, and control characters inside its strings are `\u`
//! escapes (the same data, safe to `cat`).

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::input::import_file;
use super::input::with_deep_stack;
use super::output;
use super::replace_file::replace_with;
use crate::text::{self, JsonEscaper};
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
            eprintln!("lineage convert: {}", text::escape(&message));
            return ExitCode::FAILURE;
        }
    };
    let exported = trace::export(args.to, &imported.events);
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
