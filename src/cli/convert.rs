//! `lineage convert FILE --to ndjson|chrome|otlp [-o OUT]`: reads any supported format,
//! writes lineage NDJSON, a Chrome trace (for Perfetto) or OTLP JSON (for OpenTelemetry). The
//! output is written whole or not at all, and control characters inside its strings are `\u`
//! escapes (the same data, safe to `cat`).
//!
//! The input is read in chunks. To NDJSON, the events of each chunk are written out and
//! forgotten, so memory stays bounded whatever the size of the trace (OTLP input, whose
//! events arrive in the file's span order, is collected and put in time order first). A Chrome trace lays
//! operations out on lanes over the whole trace, and OTLP groups spans by trace, so their
//! events are collected first (within the import budget); the output is then written item by
//! item (Chrome) or span by span (OTLP), never built as one document in memory.
//!
//! What the import noted (a cut-off last line) and skipped (a Chrome trace's counter
//! events) is said on standard error in the words `summary` uses, so nothing is dropped
//! without a word ([`super::report::import_note_lines`]).

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::input::with_deep_stack;
use super::input::{stream_file, ImportArgs};
use super::output;
use super::replace_file::replace_with;
use super::report;
use crate::core::Event;
use crate::model::EventVec;
use crate::text::{self, JsonEscaper};
use crate::trace::{self, ExportFormat, Imported};

#[derive(Args, Debug)]
pub(crate) struct ConvertArgs {
    /// The trace to read (any supported format, detected from its content).
    pub file: PathBuf,
    /// The format to write.
    #[arg(long, value_enum)]
    pub to: ExportFormat,
    /// Where to write (default: standard output).
    #[arg(short = 'o', long = "out")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub import: ImportArgs,
}

pub(crate) fn run(args: ConvertArgs) -> ExitCode {
    with_deep_stack(move || match run_here(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lineage convert: {}", text::escape(&message));
            ExitCode::FAILURE
        }
    })
}

/// Whether `path` starts as OTLP JSON: its spans reach the sink in the file's order, so to
/// keep NDJSON in the time order every import gives, they are collected and sorted first
/// (within the import budget) instead of written as they arrive.
fn is_otlp(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(1 << 16).read_to_end(&mut head));
    let name = path.file_name().and_then(|n| n.to_str());
    read.is_ok() && trace::detect(&head, name) == Ok(trace::Format::Otlp)
}

fn run_here(args: &ConvertArgs) -> Result<(), String> {
    // Why reading failed, when it did (the writer only sees that it must give up).
    let mut import_error: Option<String> = None;
    // What the output format could not carry, said once the output is written.
    let mut carry_note: Option<String> = None;
    // What the import noted and skipped, said on standard error once the output is written.
    let mut said: Vec<String> = Vec::new();
    let mut convert = |out: &mut dyn Write| -> io::Result<()> {
        // Through the escaper, so control characters inside strings are `\u` escapes.
        let mut out = JsonEscaper::new(out);
        let read = match args.to {
            ExportFormat::Ndjson if !is_otlp(&args.file) => {
                let mut drain = |events: &mut Vec<Event>| {
                    for e in events.drain(..) {
                        trace::native::write_line(&mut out, &e).map_err(|e| e.to_string())?;
                    }
                    Ok(())
                };
                stream_file(&args.file, &args.import, Vec::new(), &mut drain)
                    .map(|done| said = report::import_note_lines(&done.notes, &done.skipped))
            }
            ExportFormat::Ndjson | ExportFormat::Chrome | ExportFormat::Otlp => {
                match stream_file(&args.file, &args.import, EventVec::new(), |_| Ok(())) {
                    Ok(done) => {
                        let imported = Imported::from_finished(done);
                        carry_note = carry_note_for(args.to, &imported.events);
                        said = report::import_note_lines(&imported.notes, &imported.skipped);
                        if args.to == ExportFormat::Ndjson {
                            for e in &imported.events {
                                trace::native::write_line(&mut out, e)?;
                            }
                        } else if args.to == ExportFormat::Chrome {
                            trace::chrome::write(&imported.events, &mut out)?;
                        } else {
                            trace::otlp_export::write(&imported.events, &mut out)?;
                        }
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
        };
        if let Err(message) = read {
            import_error = Some(message);
            return Err(io::Error::other("the input could not be read"));
        }
        out.flush()
    };
    let written = match args.out.as_deref() {
        Some(path) => replace_with(path, |file| convert(&mut BufWriter::new(file)))
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => output::to_stdout(&mut convert),
    };
    match (import_error, written) {
        (Some(message), _) => Err(message),
        (None, result) => {
            if let (Ok(()), Some(note)) = (&result, carry_note) {
                eprintln!("{}", text::escape(&note));
            }
            for line in said {
                eprintln!("lineage convert: {line}");
            }
            result
        }
    }
}

/// One line on what Chrome JSON or OTLP could not carry of `events` (`trace::carry`).
fn carry_note_for(to: ExportFormat, events: &[Event]) -> Option<String> {
    let mut changes = trace::carry::Changes::default();
    for e in events {
        match to {
            ExportFormat::Otlp => changes.count_otlp(e),
            _ => changes.count_chrome(e),
        }
    }
    changes.note(if to == ExportFormat::Otlp {
        "OTLP"
    } else {
        "Chrome JSON"
    })
}
