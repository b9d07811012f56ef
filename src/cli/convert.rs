//! `lineage convert FILE --to ndjson|chrome [-o OUT]`: reads any supported format, writes
//! lineage NDJSON or a Chrome trace (for Perfetto).
//!
//! The input is read in chunks. To NDJSON, the events of each chunk are written out and
//! forgotten, so memory stays bounded whatever the size of the trace. A Chrome trace lays
//! operations out on lanes over the whole trace, so its events are collected first; the
//! output is then written item by item, never built as one document in memory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::input::with_deep_stack;
use super::input::{stream_file, ImportArgs};
use crate::core::Event;
use crate::trace::{self, EventVec};

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
    #[command(flatten)]
    pub import: ImportArgs,
}

pub fn run(args: ConvertArgs) -> ExitCode {
    with_deep_stack(move || match run_here(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lineage convert: {message}");
            ExitCode::FAILURE
        }
    })
}

fn run_here(args: &ConvertArgs) -> Result<(), String> {
    let mut output = Output::open(args.out.as_deref())?;
    let dest = output.describe();
    let written = match args.to {
        Target::Ndjson => {
            let writer = &mut output.writer;
            let mut write = |events: &mut Vec<Event>| {
                for e in events.drain(..) {
                    trace::native::write_line(writer, &e)
                        .map_err(|e| format!("cannot write {dest}: {e}"))?;
                }
                Ok(())
            };
            stream_file(&args.file, &args.import, Vec::new(), &mut write).map(|_| ())
        }
        Target::Chrome => {
            let done = stream_file(&args.file, &args.import, EventVec::new(), |_| Ok(()))?;
            let imported = trace::Imported::from_finished(done);
            trace::chrome::write(&imported.events, &mut output.writer)
                .map_err(|e| format!("cannot write {dest}: {e}"))
        }
    };
    match written {
        Ok(()) => output.commit(),
        Err(message) => {
            output.abandon();
            Err(message)
        }
    }
}

/// Where the converted trace goes: standard output, or a file written under a temporary
/// name beside it and renamed into place only when complete, so a failed conversion never
/// leaves half a trace where a good file was.
struct Output {
    writer: Box<dyn Write>,
    /// (the temporary file, the destination)
    paths: Option<(PathBuf, PathBuf)>,
}

impl Output {
    fn open(out: Option<&Path>) -> Result<Output, String> {
        let Some(dest) = out else {
            return Ok(Output {
                writer: Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
                paths: None,
            });
        };
        let mut temp = dest.as_os_str().to_owned();
        temp.push(format!(".partial-{}", std::process::id()));
        let temp = PathBuf::from(temp);
        let file = std::fs::File::create(&temp)
            .map_err(|e| format!("cannot write {}: {e}", temp.display()))?;
        Ok(Output {
            writer: Box::new(std::io::BufWriter::with_capacity(1 << 20, file)),
            paths: Some((temp, dest.to_owned())),
        })
    }

    /// What the output is called in messages.
    fn describe(&self) -> String {
        match &self.paths {
            Some((_, dest)) => dest.display().to_string(),
            None => "to standard output".to_owned(),
        }
    }

    fn error(&self, e: &std::io::Error) -> String {
        format!("cannot write {}: {e}", self.describe())
    }

    fn commit(mut self) -> Result<(), String> {
        if let Err(e) = self.writer.flush() {
            let message = self.error(&e);
            self.abandon();
            return Err(message);
        }
        drop(self.writer);
        if let Some((temp, dest)) = self.paths {
            std::fs::rename(&temp, &dest).map_err(|e| {
                let _ = std::fs::remove_file(&temp);
                format!("cannot write {}: {e}", dest.display())
            })?;
        }
        Ok(())
    }

    fn abandon(self) {
        drop(self.writer);
        if let Some((temp, _)) = self.paths {
            let _ = std::fs::remove_file(temp);
        }
    }
}
