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

mod ending;
mod output;
#[cfg(not(target_arch = "wasm32"))]
mod read_all;
mod readers;

use super::error::{ImportError, Position, Problem};
use super::read::{self, Limits};
use super::scan::{Layout, Record, Splitter};
use super::sink::EventSink;
use super::sniff::{self, Sniff};
use super::{format_of_name, Format};
pub(crate) use output::Output;
#[cfg(not(target_arch = "wasm32"))]
pub use read_all::{read_all, ReadError};
use readers::Reader;

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
                read::scan_depth(format, limits.max_depth),
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
        ending::report(&reading, ending, end, strict, out)?;
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
