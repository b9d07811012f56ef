//! # Imports that stream
//!
//! An [`Importer`] is fed the input in chunks of any size ([`Importer::feed`]) and
//! [`finish`](Importer::finish)ed at its end. It sniffs the format from the first bytes, cuts
//! the input into records ([`super::scan`]), parses each record alone and pushes each event
//! into an [`EventSink`] as soon as it is complete. Besides the sink it holds one record, the
//! current chunk and what a format needs to link its events (a Chrome trace's open slices,
//! an original dump's root of each id): never the whole input, never a tree of JSON values.
//!
//! Budgets ([`Limits`]) are checked as the input arrives: bytes read, events kept and the
//! bytes they hold. Exceeding one stops the import with an error that says at which event and
//! where in the input ([`Problem::OverBudget`]); nothing aborts, and a caller that swaps its
//! open trace only on success loses nothing.
//!
//! ## A trace cut off by a crash
//! A last record that ends where the input ends, without its newline or closing bracket,
//! and is valid JSON as far as it goes, was cut off while it was written. By default it is
//! dropped and a note says so (line, bytes); every complete record before it is kept.
//! [`Importer::strict`] makes it an error instead, as any malformed record is.
//!
//! ```
//! use lineage::trace::{EventVec, Importer, Limits};
//!
//! let text = "{\"id\":\"00000000-0000-4000-8000-000000000001\",\"kind\":\"k\",\"phase\":\"started\",\
//!             \"root_id\":\"00000000-0000-4000-8000-000000000001\",\
//!             \"lineage_id\":\"00000000-0000-4000-8000-000000000002\",\"seq\":0,\"timestamp_ns\":5}\n";
//! let mut importer = Importer::new(EventVec::new(), None, Limits::DEFAULT);
//! for chunk in text.as_bytes().chunks(7) {
//!     importer.feed(chunk).unwrap();
//! }
//! let done = importer.finish().unwrap();
//! assert_eq!(done.sink.events.len(), 1);
//! ```

use super::error::{grouped, Budget, ImportError, Position, Problem};
use super::read::{self, Limits};
use super::scan::{Ending, Layout, Record, Splitter};
use super::sink::EventSink;
use super::sniff::{self, Sniff};
use super::{chrome, format_of_name, native, original, otlp, Format};
use crate::core::Event;

/// What an import produced, with the sink that holds the events.
#[derive(Debug)]
pub struct Finished<S> {
    /// The format the input was read as.
    pub format: Format,
    pub sink: S,
    /// Events pushed into the sink.
    pub events: u64,
    /// Records passed over, by what they were (Chrome: the phase letter), with counts.
    pub skipped: Vec<(String, usize)>,
    /// Things worth knowing that did not stop the import, one sentence each.
    pub notes: Vec<String>,
}

/// The events' way out, with the counts and budgets every reader shares.
pub(crate) struct Output<S> {
    pub(crate) sink: S,
    format: Format,
    limits: Limits,
    events: u64,
    /// Bytes the reader holds back (pending slices, root maps), counted against the budget.
    held: usize,
    /// Where the record being read starts, for errors.
    pub(crate) at: Option<Position>,
    pub(crate) skipped: Vec<(String, usize)>,
    pub(crate) notes: Vec<String>,
}

impl<S: EventSink> Output<S> {
    /// Pushes one event, within the budgets.
    pub(crate) fn push(&mut self, event: Event) -> Result<(), ImportError> {
        if self.events >= self.limits.max_events {
            return Err(self.over(Budget::Events {
                limit: self.limits.max_events,
            }));
        }
        if let Err(refused) = self.sink.push(event) {
            return Err(self.over(Budget::Memory {
                limit: refused.limit_bytes as u64,
                held: refused.retained_bytes as u64,
            }));
        }
        self.events += 1;
        self.check_memory()
    }

    /// Records that the reader now holds `bytes` of its own (replacing the last figure).
    pub(crate) fn hold(&mut self, bytes: usize) -> Result<(), ImportError> {
        self.held = bytes;
        self.check_memory()
    }

    fn check_memory(&self) -> Result<(), ImportError> {
        let held = (self.sink.retained_bytes() + self.held) as u64;
        if held > self.limits.max_retained_bytes {
            return Err(self.over(Budget::Memory {
                limit: self.limits.max_retained_bytes,
                held,
            }));
        }
        Ok(())
    }

    fn over(&self, budget: Budget) -> ImportError {
        ImportError::new(
            Some(self.format),
            self.at,
            Problem::OverBudget {
                budget,
                event: self.events + 1,
            },
        )
    }

    /// Counts one skipped record of kind `what`.
    pub(crate) fn skip(&mut self, what: &str) {
        match self.skipped.iter_mut().find(|(w, _)| w == what) {
            Some((_, n)) => *n += 1,
            None => self.skipped.push((what.to_owned(), 1)),
        }
    }
}

/// The per-format part: what a record becomes, and what is left at the end.
enum Reader {
    Native,
    Original(original::Reader),
    Chrome(Box<chrome::import::Reader>),
    Otlp(otlp::Reader),
}

impl Reader {
    fn new(format: Format, layout: Layout) -> Reader {
        match format {
            Format::Native => Reader::Native,
            Format::Original => Reader::Original(original::Reader::default()),
            Format::Chrome => Reader::Chrome(Box::default()),
            Format::Otlp => Reader::Otlp(otlp::Reader::new(matches!(layout, Layout::Keyed(_)))),
        }
    }

    fn record<S: EventSink>(
        &mut self,
        record: &Record<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        match self {
            Reader::Native => native::read_record(record, out),
            Reader::Original(r) => r.record(record, out),
            Reader::Chrome(r) => r.record(record, out),
            Reader::Otlp(r) => r.record(record, out),
        }
    }

    fn finish<S: EventSink>(&mut self, out: &mut Output<S>) -> Result<(), ImportError> {
        match self {
            Reader::Native | Reader::Original(_) => Ok(()),
            Reader::Chrome(r) => r.finish(out),
            Reader::Otlp(r) => r.finish(out),
        }
    }
}

struct Reading {
    format: Format,
    layout: Layout,
    splitter: Splitter,
    reader: Reader,
    /// Records read whole, and the cut-off last one if it was dropped (where, how long).
    records: u64,
    dropped: Option<(Position, usize)>,
}

enum Stage {
    /// Gathering the first bytes until the format and layout are certain.
    Sniffing(Vec<u8>),
    Reading(Box<Reading>),
}

/// A resumable import; see the module docs.
pub struct Importer<S> {
    out: Output<S>,
    stage: Stage,
    forced: Option<Format>,
    name_hint: Option<String>,
    strict: bool,
    bytes: u64,
    /// The first bytes of a UTF-8 character split between two chunks.
    utf8_tail: Vec<u8>,
    /// Where the sniffed bytes start: leading whitespace is counted, not kept, so an input
    /// of nothing but whitespace costs no memory (and no quadratic re-sniffing).
    lead: Position,
}

impl<S: EventSink> Importer<S> {
    /// An import into `sink` that tells the format from the content. `name_hint` (a file
    /// name) only names the format in the error for an input that is empty.
    pub fn new(sink: S, name_hint: Option<&str>, limits: Limits) -> Importer<S> {
        Importer {
            out: Output {
                sink,
                format: Format::Native,
                limits,
                events: 0,
                held: 0,
                at: None,
                skipped: Vec::new(),
                notes: Vec::new(),
            },
            stage: Stage::Sniffing(Vec::new()),
            forced: None,
            name_hint: name_hint.map(str::to_owned),
            strict: false,
            bytes: 0,
            utf8_tail: Vec::new(),
            lead: Position {
                line: 1,
                column: 1,
                byte: 0,
            },
        }
    }

    /// An import that reads the input as `format`, without guessing.
    pub fn with_format(format: Format, sink: S, limits: Limits) -> Importer<S> {
        let mut importer = Importer::new(sink, None, limits);
        importer.forced = Some(format);
        importer
    }

    /// All or nothing: a last record cut off by the end of the input is an error instead of
    /// being dropped with a note.
    pub fn strict(mut self, strict: bool) -> Importer<S> {
        self.strict = strict;
        self
    }

    /// Bytes fed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// Events pushed into the sink so far.
    pub fn events(&self) -> u64 {
        self.out.events
    }

    /// The sink, for a look at what has arrived so far.
    pub fn sink(&self) -> &S {
        &self.out.sink
    }

    /// The sink, to take away what has arrived so far (a converter writes it out between
    /// chunks; the event budget still counts every event pushed).
    pub fn sink_mut(&mut self) -> &mut S {
        &mut self.out.sink
    }

    /// Reads the next `chunk` of the input.
    pub fn feed(&mut self, mut chunk: &[u8]) -> Result<(), ImportError> {
        self.bytes += chunk.len() as u64;
        if self.bytes > self.out.limits.max_bytes {
            return Err(ImportError::new(
                self.forced,
                None,
                Problem::TooLarge {
                    bytes: self.bytes,
                    limit: self.out.limits.max_bytes,
                },
            ));
        }
        // Complete a character split by the last chunk boundary first.
        if !self.utf8_tail.is_empty() {
            let want = utf8_width(self.utf8_tail[0]).saturating_sub(self.utf8_tail.len());
            let take = want.min(chunk.len());
            self.utf8_tail.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if take < want {
                return Ok(());
            }
            let tail = std::mem::take(&mut self.utf8_tail);
            if std::str::from_utf8(&tail).is_err() {
                return Err(self.not_utf8());
            }
            self.feed_text(&tail)?;
        }
        match std::str::from_utf8(chunk) {
            Ok(_) => self.feed_text(chunk),
            Err(e) => {
                let (good, rest) = chunk.split_at(e.valid_up_to());
                self.feed_text(good)?;
                match e.error_len() {
                    None => {
                        self.utf8_tail.extend_from_slice(rest);
                        Ok(())
                    }
                    Some(_) => Err(self.not_utf8()),
                }
            }
        }
    }

    fn not_utf8(&self) -> ImportError {
        let at = match &self.stage {
            Stage::Sniffing(buf) => Position::of_byte(buf, buf.len()).shifted(self.lead),
            Stage::Reading(r) => r.splitter.here(),
        };
        ImportError::new(
            self.forced.or(match &self.stage {
                Stage::Reading(r) => Some(r.format),
                Stage::Sniffing(_) => None,
            }),
            Some(at),
            Problem::Syntax {
                detail: "the input is not UTF-8 text".to_owned(),
            },
        )
    }

    /// Valid UTF-8, in order.
    fn feed_text(&mut self, text: &[u8]) -> Result<(), ImportError> {
        match &mut self.stage {
            Stage::Reading(reading) => feed_records(reading, &mut self.out, self.strict, text),
            Stage::Sniffing(buf) => {
                let mut text = text;
                if buf.is_empty() {
                    let blank = text
                        .iter()
                        .position(|b| !b.is_ascii_whitespace())
                        .unwrap_or(text.len());
                    for &b in &text[..blank] {
                        if b == b'\n' {
                            self.lead.line += 1;
                            self.lead.column = 1;
                        } else {
                            self.lead.column += 1;
                        }
                    }
                    self.lead.byte += blank;
                    text = &text[blank..];
                }
                buf.extend_from_slice(text);
                self.try_start(false)
            }
        }
    }

    /// Decides format and layout if the bytes gathered so far allow it, then reads them.
    fn try_start(&mut self, finished: bool) -> Result<(), ImportError> {
        let Stage::Sniffing(buf) = &mut self.stage else {
            return Ok(());
        };
        let text = std::str::from_utf8(buf).map_err(|_| {
            ImportError::new(
                self.forced,
                None,
                Problem::Syntax {
                    detail: "the input is not UTF-8 text".to_owned(),
                },
            )
        })?;
        let lead = self.lead;
        let format = match self.forced {
            Some(f) if !text.trim().is_empty() => f,
            Some(_) | None => match sniff::sniff(text, finished).map_err(|mut e| {
                e.at = e.at.map(|p| p.shifted(lead));
                e
            })? {
                Sniff::Is(f) => self.forced.unwrap_or(f),
                Sniff::NeedMore => return Ok(()),
                Sniff::Empty => {
                    let format = self
                        .forced
                        .or_else(|| self.name_hint.as_deref().and_then(format_of_name));
                    return Err(ImportError::new(format, None, Problem::Empty));
                }
            },
        };
        let Some(layout) = sniff::layout(format, text, finished) else {
            return Ok(());
        };
        let bom = sniff::bom_len(buf);
        let start = Position {
            column: lead.column + bom,
            byte: lead.byte + bom,
            ..lead
        };
        let limits = self.out.limits;
        let mut reading = Box::new(Reading {
            format,
            layout,
            splitter: Splitter::new(
                layout,
                format,
                limits.max_depth,
                usize::try_from(limits.max_retained_bytes).unwrap_or(usize::MAX),
                start,
            ),
            reader: Reader::new(format, layout),
            records: 0,
            dropped: None,
        });
        self.out.format = format;
        let buf = std::mem::take(buf);
        feed_records(&mut reading, &mut self.out, self.strict, &buf[bom..])?;
        self.stage = Stage::Reading(reading);
        Ok(())
    }

    /// The end of the input: reads what is left and hands over the sink.
    pub fn finish(mut self) -> Result<Finished<S>, ImportError> {
        if !self.utf8_tail.is_empty() {
            return Err(self.not_utf8());
        }
        self.try_start(true)?;
        let Stage::Reading(mut reading) = self.stage else {
            unreachable!("a finished sniff always decides or fails");
        };
        let out = &mut self.out;
        let strict = self.strict;
        let ending = {
            let Reading {
                splitter,
                reader,
                records,
                dropped,
                ..
            } = &mut *reading;
            splitter
                .finish(&mut |record| take_record(reader, out, strict, records, dropped, &record))?
        };
        let end = reading.splitter.here();
        let format = reading.format;
        match ending {
            Ending::Closed => {}
            Ending::Open if format == Format::Chrome && reading.layout == Layout::Array => {}
            Ending::Open if reading.dropped.is_some() => {} // the note on the cut says it
            Ending::Open if self.strict => {
                return Err(ImportError::new(
                    Some(format),
                    Some(end),
                    Problem::Syntax {
                        detail: "the input ends before the closing ] (cut off?)".to_owned(),
                    },
                ))
            }
            Ending::Open => out.notes.push(
                "the input ends before its closing bracket (cut off?); every complete record \
                 was read"
                    .to_owned(),
            ),
            Ending::KeyMissing if format == Format::Chrome => {
                return Err(ImportError::invalid(
                    format,
                    Some(end),
                    "traceEvents",
                    "an array of trace events",
                    "nothing (the key is missing)",
                ))
            }
            Ending::KeyMissing => {}
        }
        if let Some((at, bytes)) = reading.dropped {
            if reading.records == 0 {
                return Err(ImportError::new(
                    Some(format),
                    Some(end),
                    Problem::Syntax {
                        detail: format!(
                            "the input ends inside its first record (line {}, {} bytes)",
                            at.line,
                            grouped(bytes as u64)
                        ),
                    },
                ));
            }
            let what = if reading.layout == Layout::Lines {
                "line"
            } else {
                "record at line"
            };
            out.notes.push(format!(
                "the last {what} {} ({} bytes) was cut off and is dropped; every complete \
                 record before it was read",
                grouped(at.line as u64),
                grouped(bytes as u64)
            ));
        }
        out.at = None;
        reading.reader.finish(out)?;
        Ok(Finished {
            format,
            sink: self.out.sink,
            events: self.out.events,
            skipped: self.out.skipped,
            notes: self.out.notes,
        })
    }
}

/// Feeds valid text to the splitter, each record to the reader.
fn feed_records<S: EventSink>(
    reading: &mut Reading,
    out: &mut Output<S>,
    strict: bool,
    text: &[u8],
) -> Result<(), ImportError> {
    let Reading {
        splitter,
        reader,
        records,
        dropped,
        ..
    } = reading;
    splitter.feed(text, &mut |record| {
        take_record(reader, out, strict, records, dropped, &record)
    })
}

fn take_record<S: EventSink>(
    reader: &mut Reader,
    out: &mut Output<S>,
    strict: bool,
    records: &mut u64,
    dropped: &mut Option<(Position, usize)>,
    record: &Record<'_>,
) -> Result<(), ImportError> {
    if record.cut && !strict && read::ends_early(record.text) {
        *dropped = Some((record.at, record.text.len()));
        return Ok(());
    }
    out.at = Some(record.at);
    reader.record(record, out)?;
    *records += 1;
    Ok(())
}

/// The length of the UTF-8 sequence that starts with `first`.
fn utf8_width(first: u8) -> usize {
    match first {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Reads all of `reader` in chunks of `chunk` bytes into `importer`, then finishes it: for
/// files and pipes, where the size is not known (or lies, like `/dev/zero`'s 0).
#[cfg(not(target_arch = "wasm32"))]
pub fn read_all<S: EventSink>(
    mut importer: Importer<S>,
    mut reader: impl std::io::Read,
    chunk: usize,
) -> Result<Finished<S>, ReadError> {
    let mut buf = vec![0u8; chunk.max(1)];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::Io(e)),
        };
        importer.feed(&buf[..n]).map_err(ReadError::Import)?;
    }
    importer.finish().map_err(ReadError::Import)
}

/// Why [`read_all`] failed: the reading or the import.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    Import(ImportError),
}

#[cfg(not(target_arch = "wasm32"))]
impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
            ReadError::Import(e) => e.fmt(f),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl std::error::Error for ReadError {}
