//! # Event lines straight into the store
//!
//! `POST /v1/events` carries JSON lines in any format `summary` reads line by line. They are
//! read by the file importer ([`Importer`]), sniffed like a file, so a line means what it
//! means in a file. The importer's sink decides where the events go:
//!
//! - [`store_lines`] (what the listener does): a sink that stores each event the moment it is
//!   read, under the store's policy (`--when-full`), and writes it to the recording. A line
//!   as lineage writes it arrives borrowed from the body (`EventRef`, read by the
//!   purpose-built reader in `trace::native`) and is encoded into the store without an
//!   owned `Event`: about half the instructions of building one and dropping it
//!   (`docs/live.md`).
//! - [`read_lines`] with an [`EventVec`](crate::model::EventVec) (`ingest::event_lines`): the
//!   same lines as owned events, the reference the tests hold the store path to.
//!
//! A bad line is reported ("line 3: ...", numbered in the whole body) and the lines after it
//! are read by a fresh importer; every event read before it stays where it went. Nothing of
//! a line is stored before the line has been read whole, so a bad line never leaves half of
//! itself; the lines around it are kept, which is the partial success `/v1/events` promises.
//!
//! The listener runs on one thread (`cli::listen`): holding the store while a body is read
//! delays the streams no more than reading it first would.

use crate::core::{Event, EventRef};
use crate::model::{BudgetExceeded, EventSink};
use crate::trace::{ImportError, Importer, Limits};

use super::bad_body::{BadBody, MAX_LINE_ERRORS};
use super::store::{Committed, LiveStore, Source};

/// What reading a body's lines found besides its events.
#[derive(Debug, Default)]
pub struct LineReport {
    /// Events read (handed to the sink: stored or refused by it).
    pub read: u64,
    /// Lines refused, and the first [`MAX_LINE_ERRORS`] reasons ("line 3: ...").
    pub rejected: u64,
    pub errors: Vec<String>,
}

/// What [`store_lines`] did with a body.
#[derive(Debug)]
pub struct StoredLines {
    pub report: LineReport,
    /// The events the store took, refused (`--when-full refuse`) and evicted for them.
    pub committed: Committed,
    /// The recording's error, if writing it failed (the events are stored all the same).
    pub written: std::io::Result<()>,
}

/// Reads a body of JSON lines into `store` (see the module docs). `Err` only when not one
/// event could be read and something was wrong; then nothing was stored.
pub fn store_lines(
    body: &[u8],
    limits: Limits,
    store: &mut LiveStore,
) -> Result<StoredLines, BadBody> {
    let mut sink = StoreSink {
        store,
        done: Committed::default(),
        written: Ok(()),
    };
    let report = read_lines(body, limits, &mut sink)?;
    let written = sink.store.end_batch(sink.written);
    Ok(StoredLines {
        report,
        committed: sink.done,
        written,
    })
}

/// Reads a body of JSON lines into `sink`, one importer after another: each bad line is
/// counted and reported and the next importer starts on the line after it. `Err` only when
/// not one event could be read and something was wrong.
pub fn read_lines<S: EventSink>(
    body: &[u8],
    limits: Limits,
    sink: &mut S,
) -> Result<LineReport, BadBody> {
    let mut report = LineReport::default();
    let mut rest = body;
    let mut lines_before = 0usize;
    loop {
        let mut importer = Importer::new(
            Counted {
                sink: &mut *sink,
                read: &mut report.read,
            },
            Some("events.ndjson"),
            limits,
        );
        // Every event pushed stays in the sink whichever step fails: a bad last line
        // (read by `finish`) loses none of the lines before it.
        let fed = first_line_then_rest(rest, limits)
            .into_iter()
            .try_for_each(|piece| importer.feed(piece));
        let err = match fed.and_then(|()| importer.finish()) {
            Ok(_) => break,
            Err(e) => e,
        };
        report.rejected += 1;
        let Some(at) = err.at else {
            // No line to skip (a budget, an empty body): nothing further can be read.
            report.push_error(None, &err);
            break;
        };
        report.push_error(Some(lines_before + at.line), &err);
        let after = rest[at.byte.min(rest.len())..]
            .iter()
            .position(|&b| b == b'\n');
        match after {
            Some(nl) => {
                rest = &rest[at.byte + nl + 1..];
                lines_before += at.line;
            }
            None => break,
        }
        if rest.iter().all(u8::is_ascii_whitespace) {
            break;
        }
    }
    if report.read == 0 && report.rejected > 0 {
        let first = report.errors.first().map_or("", String::as_str);
        return Err(BadBody::new(&format!("no event could be read: {first}")));
    }
    Ok(report)
}

/// `body` as the importer is fed it: its first line, then the rest. The importer decides
/// the format from the first record, keeping every byte it is fed until then in its sniff
/// buffer, checked for UTF-8 as a whole; fed the body in one piece, it copied and checked
/// the whole body there before reading a line (callgrind, 2026-12-06: ~690 of ~7 000
/// instructions per line). Fed the first line alone, it decides on that line and reads the
/// rest in place. The importer reads chunks of any size alike, so the events, errors and
/// positions are the same; a body over the byte budget is still fed whole, so it is
/// refused before any line is read.
fn first_line_then_rest(body: &[u8], limits: Limits) -> [&[u8]; 2] {
    if body.len() as u64 > limits.max_bytes {
        return [body, &[]];
    }
    let first = memchr::memchr(b'\n', body).map_or(body.len(), |nl| nl + 1);
    let (line, rest) = body.split_at(first);
    [line, rest]
}

impl LineReport {
    fn push_error(&mut self, line: Option<usize>, err: &ImportError) {
        if self.errors.len() >= MAX_LINE_ERRORS {
            return;
        }
        let mut err = err.clone();
        err.at = None;
        let text = match line {
            Some(n) => format!("line {n}: {err}"),
            None => err.to_string(),
        };
        self.errors.push(BadBody::new(&text).0);
    }
}

/// The caller's sink, lent to one importer, counting the events it is handed.
struct Counted<'a, S> {
    sink: &'a mut S,
    read: &'a mut u64,
}

impl<S: EventSink> EventSink for Counted<'_, S> {
    fn push(&mut self, event: Event) -> Result<(), BudgetExceeded> {
        self.sink.push(event)?;
        *self.read += 1;
        Ok(())
    }

    fn push_ref(&mut self, event: EventRef<'_>) -> Result<(), BudgetExceeded> {
        self.sink.push_ref(event)?;
        *self.read += 1;
        Ok(())
    }

    /// Forwarded as it came: the wrapped sink (the listener's store) reads the event where
    /// it lies, so counting must not turn it into a copy.
    fn push_borrowed(&mut self, event: &EventRef<'_>) -> Result<(), BudgetExceeded> {
        self.sink.push_borrowed(event)?;
        *self.read += 1;
        Ok(())
    }

    const ENCODES_BORROWED: bool = S::ENCODES_BORROWED;

    fn retained_bytes(&self) -> usize {
        self.sink.retained_bytes()
    }

    fn reserve(&mut self, events: usize) {
        self.sink.reserve(events);
    }
}

/// The listener's store as an importer's sink: each event is stored as it is read.
struct StoreSink<'a> {
    store: &'a mut LiveStore,
    done: Committed,
    written: std::io::Result<()>,
}

impl EventSink for StoreSink<'_> {
    fn push(&mut self, event: Event) -> Result<(), BudgetExceeded> {
        let events = std::slice::from_ref(&event);
        self.store.take(
            &mut Source::Events(events),
            0,
            &mut self.done,
            &mut self.written,
        );
        Ok(())
    }

    fn push_ref(&mut self, event: EventRef<'_>) -> Result<(), BudgetExceeded> {
        self.push_borrowed(&event)
    }

    /// The store encodes the event where the importer filled it in; no copy of its ~400
    /// bytes per event (the default would clone it to call `push_ref`).
    fn push_borrowed(&mut self, event: &EventRef<'_>) -> Result<(), BudgetExceeded> {
        self.store.take(
            &mut Source::Ref(event),
            0,
            &mut self.done,
            &mut self.written,
        );
        Ok(())
    }

    /// Nothing: the events are the store's, which keeps its own budget (`--when-full`);
    /// reading a body holds no event of its own.
    fn retained_bytes(&self) -> usize {
        0
    }
}
