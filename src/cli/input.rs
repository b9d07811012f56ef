//! Reading a trace file for a subcommand: streamed in chunks into the importer, so memory
//! follows the events kept, not the file; the byte bound and the budgets hold while reading
//! (a pipe or `/dev/zero` reports size 0 and is stopped all the same).

use std::path::Path;

use clap::Args;

use crate::model::EventSink;
use crate::trace::{self, Finished, Imported, Importer, Limits};

/// How much is read at a time.
pub(crate) const CHUNK: usize = 1 << 20;

/// The budgets and the strictness of an import, as flags.
#[derive(Args, Debug, Clone, Copy)]
pub(crate) struct ImportArgs {
    /// Stop after this many events (the default keeps a 5 M-event trace).
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.max_events,
          value_parser = super::bounds::whole::<u64>(1, super::bounds::MAX_EVENTS))]
    pub max_events: u64,
    /// Stop when the events held take more than this many MiB.
    #[arg(long, value_name = "MIB", default_value_t = Limits::DEFAULT.max_retained_bytes >> 20,
          value_parser = super::bounds::whole::<u64>(1, super::bounds::MAX_MEMORY_MIB))]
    pub max_memory: u64,
    /// Stop after reading this many bytes (a sanity bound for endless inputs).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::DEFAULT.max_bytes,
          value_parser = super::bounds::whole::<u64>(1, super::bounds::MAX_INPUT_BYTES))]
    pub max_bytes: u64,
    /// All or nothing: a last line cut off by a crash is an error instead of being dropped
    /// with a note.
    #[arg(long)]
    pub strict: bool,
}

impl ImportArgs {
    pub(crate) fn limits(&self) -> Limits {
        Limits {
            max_events: self.max_events,
            max_retained_bytes: self.max_memory.saturating_mul(1 << 20),
            max_bytes: self.max_bytes,
            ..Limits::DEFAULT
        }
    }
}

/// Reads `path` straight into the event store, or says in one line why not: what the
/// summary inspects (the compact store holds a million events in a fraction of a `Vec`).
pub(crate) fn import_file_to_trace(
    path: &Path,
    args: &ImportArgs,
) -> Result<(Imported, crate::model::EventLog), String> {
    stream_file(path, args, crate::model::EventLog::default(), |_| Ok(()))
        .map(Imported::from_finished_trace)
}

/// Streams `path` into `sink`, calling `drain` after every chunk (a converter writes out
/// and forgets what arrived), or says in one line why not.
pub(crate) fn stream_file<S: EventSink>(
    path: &Path,
    args: &ImportArgs,
    sink: S,
    mut drain: impl FnMut(&mut S) -> Result<(), String>,
) -> Result<Finished<S>, String> {
    use std::io::Read;
    let shown = path.display();
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot open {shown}: {e}"))?;
    let name = path.file_name().and_then(|n| n.to_str());
    let mut importer = Importer::new(sink, name, args.limits()).strict(args.strict);
    // The file's length, to make room for its events once its first events are read (as
    // the page does, `Importer::expect_total_bytes`): an event store growing one event at a
    // time doubles its records and refills its id tables as it goes, ~170 instructions an
    // event of a million-event file (callgrind, docs/performance.md, 2026-12-07). 0 (a pipe)
    // makes no room.
    let total = file.metadata().map_or(0, |m| m.len());
    let mut room_made = total == 0;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("cannot read {shown}: {e}")),
        };
        importer
            .feed(&buf[..n])
            .map_err(|e| format!("{shown}: {e}"))?;
        if !room_made {
            room_made = importer.expect_total_bytes(total) || importer.bytes_read() >= total;
        }
        drain(importer.sink_mut())?;
    }
    let mut done = importer.finish().map_err(|e| format!("{shown}: {e}"))?;
    drain(&mut done.sink)?;
    Ok(done)
}

/// Runs `work` on a thread with a stack big enough for documents nested to the depth limit
/// (see [`trace::STACK_FOR_MAX_DEPTH`]), and returns its result.
pub(crate) fn with_deep_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .name("lineage-import".into())
        .stack_size(trace::STACK_FOR_MAX_DEPTH)
        .spawn(work)
        .expect("the system refused a thread for the import")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Writes `text` to `out` whole or not at all (see [`super::replace_file`]), or to standard
/// output when `out` is `None`; says in one line why not.
pub(crate) fn write_output(out: Option<&Path>, text: &str) -> Result<(), String> {
    match out {
        Some(path) => super::replace_file::replace_file(path, text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => super::output::print(text),
    }
}
