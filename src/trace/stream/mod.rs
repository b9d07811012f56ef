//! # Imports that stream
//!
//! An [`Importer`] is fed the input in chunks of any size ([`Importer::feed`]) and
//! [`finish`](Importer::finish)ed at its end. It sniffs the format from the first bytes, cuts
//! the input into records (`super::scan`), parses each record alone and pushes each event
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
//! use lineage::model::EventVec;
//! use lineage::trace::{Importer, Limits};
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
mod finishing;
pub(crate) mod output;
#[cfg(not(target_arch = "wasm32"))]
mod read_all;
mod readers;
mod taker;
mod utf8;

use super::error::{ImportError, Position, Problem};
use super::read::{self, Limits};
use super::scan::{Layout, Splitter};
use super::sniff::{self, Sniff};
use super::{format_of_name, Format};
use crate::model::sink::EventSink;
pub use finishing::Finishing;
use output::Output;
#[cfg(not(target_arch = "wasm32"))]
pub use read_all::{read_all, ReadError};
use readers::Reader;
use taker::Taker;

/// What an import produced, with the sink that holds the events.
#[derive(Debug)]
pub struct Finished<S> {
    /// The format the input was read as.
    pub format: Format,
    /// The sink the events went into, handed back with everything it holds.
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
                pending: 0,
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

    /// Says the whole input is `total` bytes long: the sink makes room now for the events
    /// that many bytes hold at the rate read so far (within the event budget and half the
    /// memory budget's room, so a wrong guess leaves the other half to what the file really
    /// holds; the reserved room counts against the budget as it is made). The page calls
    /// it after the first slice of a file: an event store growing one event at a time
    /// rebuilds its id indexes from every event held each time they fill, one frame of
    /// hundreds of milliseconds at a million events; made room for early, it rebuilds them
    /// while they are small. Nothing happens before the first event: returns whether room
    /// was made (`false`: nothing read yet to guess from, or nothing left to read).
    pub fn expect_total_bytes(&mut self, total: u64) -> bool {
        // An OTLP document's first spans wait for a late `schemaUrl` (`otlp::window`): the
        // events they owe count as read, or the guess would miss them. (A Chrome trace's
        // owed events get room of their own at its end-of-file pass.)
        let owed = if self.out.format == Format::Otlp {
            self.out.pending
        } else {
            0
        };
        let (events, read) = (self.out.events + owed, self.bytes);
        if events == 0 || read == 0 || total <= read {
            return false;
        }
        let expected = (events as u128 * total as u128 / read as u128) as u64;
        // A guess from the first slice, with 1/16 to spare: a little over costs that many
        // records, a little under doubles the record vector at the end (a 2 M-event file
        // guessed a few thousand events short went 112 → 224 MB of records at its last
        // events, over the page's budget: `examples/page_open_cost`, docs/performance.md).
        let expected = (expected + expected / 16).min(self.out.limits.max_events);
        self.out
            .reserve(expected.saturating_sub(self.out.events), 2);
        true
    }

    /// Reads the next `chunk` of the input.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
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
        self.feed_characters(chunk)
    }

    /// Valid UTF-8, in order; `checked`, when given, is the same bytes as text (the
    /// splitter then need not check them again to read records where they start).
    fn feed_text(&mut self, text: &[u8], checked: Option<&str>) -> Result<(), ImportError> {
        match &mut self.stage {
            Stage::Reading(reading) => {
                feed_records(reading, &mut self.out, self.strict, text, checked)
            }
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
        let text = match std::str::from_utf8(buf) {
            Ok(text) => text,
            // Only the end of the input leaves a character incomplete here (see
            // `end_inside_a_character`): sniff the whole characters before it.
            Err(e) if finished && e.error_len().is_none() => {
                std::str::from_utf8(&buf[..e.valid_up_to()]).unwrap_or_default()
            }
            Err(_) => {
                return Err(ImportError::new(
                    self.forced,
                    None,
                    Problem::Syntax {
                        detail: "the input is not UTF-8 text".to_owned(),
                    },
                ))
            }
        };
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
        feed_records(&mut reading, &mut self.out, self.strict, &buf[bom..], None)?;
        self.stage = Stage::Reading(reading);
        Ok(())
    }

    /// The end of the input: reads what is left and hands over the sink.
    pub fn finish(self) -> Result<Finished<S>, ImportError> {
        let mut finishing = self.finishing()?;
        loop {
            if let Some(done) = finishing.step(usize::MAX)? {
                return Ok(done);
            }
        }
    }

    /// The end of the input, to be completed in steps ([`Finishing::step`]): a Chrome
    /// trace's slices become events only now, seconds of work for a million of them, which
    /// the page spreads over frames.
    pub fn finishing(mut self) -> Result<Finishing<S>, ImportError> {
        self.end_inside_a_character()?;
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
            splitter.finish(&mut Taker {
                reader,
                out,
                strict,
                records,
                dropped,
            })?
        };
        let end = reading.splitter.here();
        ending::report(&reading, ending, end, strict, out)?;
        out.at = None;
        Ok(Finishing {
            out: Some(self.out),
            reading,
        })
    }
}

/// Feeds valid text to the splitter, each record to the reader.
fn feed_records<S: EventSink>(
    reading: &mut Reading,
    out: &mut Output<S>,
    strict: bool,
    text: &[u8],
    checked: Option<&str>,
) -> Result<(), ImportError> {
    let Reading {
        splitter,
        reader,
        records,
        dropped,
        ..
    } = reading;
    splitter.feed(
        text,
        checked,
        &mut Taker {
            reader,
            out,
            strict,
            records,
            dropped,
        },
    )
}
