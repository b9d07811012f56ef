//! # Splitting a stream into records
//!
//! Every format we read is a sequence of small records inside a large container: NDJSON
//! lines, the elements of a top-level JSON array, or the elements of one array-valued key of
//! a top-level object (`{"traceEvents": [...]}`, `{"resourceSpans": [...]}`). A [`Splitter`]
//! is fed the input in chunks of any size and calls back with each record as soon as its last
//! byte has arrived; the importer parses the record alone and forgets it. So the working
//! memory is one record (plus the chunk), whatever the size of the input.
//!
//! The splitter is a byte scanner, not a parser: it tracks strings, escapes and nesting depth
//! (and enforces the depth limit at the byte that crosses it, before anything recursive
//! runs), finds the commas and brackets that separate records, and counts lines so every
//! record knows its absolute [`Position`]. Whether a record is valid JSON is for serde_json
//! to say when the record is parsed. Outside the records (the other keys of a Chrome
//! document, say) only the nesting is checked.

//!
//! ## Where things are
//! - Here: the [`Splitter`]'s state, what a [`Entry`] is, and the hand-over of records.
//! - `lines`: the line layout (NDJSON, JSON Lines), cut at newlines with `memchr`.
//! - `structure`: arrays, keyed documents and whole documents, a byte state machine with
//!   one small function per [`Stage`].
//! - `spans`: an OTLP document cut at the span (`resourceSpans[] › scopeSpans[] ›
//!   spans[]`), each record knowing its [`Place`] on that path.
//! - `ahead`: what the splitter hands over ([`Records`]), and a record read where it starts
//!   in the chunk, its extent found by the reader in the same pass ([`Ahead`]).

mod ahead;
mod element;
mod lines;
mod spans;
mod structure;
mod words;

#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) use ahead::NEVER as NEVER_AHEAD;
pub(crate) use ahead::{Ahead, Records};
pub(crate) use spans::{Member, Place};

use super::error::{ImportError, Position, Problem};
use super::Format;

/// How an input is cut into records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// One record per non-blank line.
    Lines,
    /// The elements of a top-level array.
    Array,
    /// The elements of the array under this key of a top-level object.
    Keyed(&'static str),
    /// An OTLP `TracesData` document cut at the span: each span of
    /// `resourceSpans[] › scopeSpans[] › spans[]` is a record, and so is each other member
    /// of the objects on that path (see `spans`).
    Spans,
    /// The whole input is one (pretty-printed) record.
    Document,
}

/// One entry of the input (a line, or an element of the top-level array) and where it starts.
pub(crate) struct Entry<'a> {
    pub text: &'a str,
    pub at: Position,
    /// Its place among the records (0-based).
    pub index: usize,
    /// It ends where the input ends, without the newline, comma or bracket after it: the
    /// input may have been cut off inside it.
    pub cut: bool,
    /// Its length in the input, in bytes: more than `text`'s when the input ended inside a
    /// character, whose first bytes are not part of `text`.
    pub len: usize,
    /// Where it stands on the span path ([`Layout::Spans`]); [`Place::Record`] otherwise.
    pub place: Place,
}

/// How the input ended, once [`Splitter::finish`] has seen all of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Complete: every bracket closed (or a line format).
    Closed,
    /// The array of records was never closed (a trace cut short).
    Open,
    /// A keyed document never had the key.
    KeyMissing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Before the top-level value.
    Before,
    /// Inside the top-level object, outside the array of records.
    Top,
    /// In the array of records, waiting for an element (or its end).
    Expect { after_comma: bool },
    /// Inside an element.
    Element,
    /// After the top-level value: only whitespace may follow.
    After,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    /// Expecting a key (after `{` or `,`).
    Expect,
    /// Reading a key's string.
    Reading,
    /// The key was read; `true` if it is the one we look for.
    Read(bool),
    /// After the colon of that key.
    Value(bool),
}

/// The longest key we capture to compare (longer keys are not the one we look for).
const MAX_KEY: usize = 64;

/// Cuts a stream of UTF-8 text into records; see the module docs.
pub(crate) struct Splitter {
    layout: Layout,
    format: Format,
    max_depth: usize,
    max_record: usize,
    /// Absolute offset of the next byte, its line, and where that line starts.
    byte: usize,
    line: usize,
    line_start: usize,
    /// Lines layout: the first byte of the current line (after a byte-order mark on line 1).
    line_first: usize,
    /// The start of the record being gathered, and its bytes from earlier chunks.
    record_at: Option<Position>,
    pending: Vec<u8>,
    index: usize,
    depth: usize,
    /// Depth of the inside of the array of records (1 or 2), 0 when not in it.
    records_depth: usize,
    in_string: bool,
    escaped: bool,
    stage: Stage,
    key_state: Key,
    key: Vec<u8>,
    found_key: bool,
    /// The span path's state ([`Layout::Spans`] only).
    path: spans::Path,
    /// The place of the record being gathered.
    place: Place,
    /// The input has ended ([`Splitter::finish`]): only now may a record end inside a
    /// character (the input was cut there). Earlier, a record whose last bytes begin a
    /// character that never completes (`"{…}\xE4"` then a newline) is not UTF-8.
    ending: bool,
}

type Sink<'f> = dyn Records + 'f;

impl Splitter {
    /// A splitter whose first byte is at `start` (after leading whitespace and a
    /// byte-order mark).
    pub(crate) fn new(
        layout: Layout,
        format: Format,
        max_depth: usize,
        max_record: usize,
        start: Position,
    ) -> Splitter {
        Splitter {
            layout,
            format,
            max_depth,
            max_record,
            byte: start.byte,
            line: start.line,
            line_start: start.byte + 1 - start.column,
            line_first: start.byte,
            record_at: None,
            pending: Vec::new(),
            index: 0,
            depth: 0,
            records_depth: 0,
            in_string: false,
            escaped: false,
            stage: Stage::Before,
            key_state: Key::Expect,
            key: Vec::new(),
            found_key: false,
            path: spans::Path::default(),
            place: Place::Record,
            ending: false,
        }
    }

    /// Scans `chunk`, calling `each` with every record it completes. `checked`, when given,
    /// is `chunk` as text, checked UTF-8 already (records are read where they start from
    /// text; without it the splitter checks the chunk itself).
    pub(crate) fn feed(
        &mut self,
        chunk: &[u8],
        checked: Option<&str>,
        each: &mut Sink<'_>,
    ) -> Result<(), ImportError> {
        match self.layout {
            Layout::Lines => self.feed_lines(chunk, each),
            Layout::Spans => self.feed_spans(chunk, checked, each),
            _ => self.feed_structure(chunk, checked, each),
        }
    }

    /// The end of the input: hands over the last record if it was cut off, and says how the
    /// input ended.
    pub(crate) fn finish(&mut self, each: &mut Sink<'_>) -> Result<Ending, ImportError> {
        self.ending = true;
        match self.layout {
            Layout::Lines => {
                if !self.pending.is_empty() {
                    let pending = std::mem::take(&mut self.pending);
                    let at = self.position_of(self.line_first);
                    self.emit_line(&pending, at, true, each)?;
                }
                Ok(Ending::Closed)
            }
            Layout::Document => {
                if let Some(at) = self.record_at.take() {
                    let pending = std::mem::take(&mut self.pending);
                    self.emit(&pending, at, false, each)?;
                }
                Ok(Ending::Closed)
            }
            Layout::Array | Layout::Keyed(_) | Layout::Spans => match self.stage {
                Stage::Element => {
                    let pending = std::mem::take(&mut self.pending);
                    let at = self.record_at.take().unwrap_or(self.here());
                    self.emit(&pending, at, true, each)?;
                    Ok(Ending::Open)
                }
                Stage::Expect { .. } => Ok(Ending::Open),
                Stage::Top => Ok(if self.found_key {
                    Ending::Open
                } else {
                    Ending::KeyMissing
                }),
                Stage::Before | Stage::After if !self.found_key => {
                    Ok(if matches!(self.layout, Layout::Keyed(_) | Layout::Spans) {
                        Ending::KeyMissing
                    } else {
                        Ending::Closed
                    })
                }
                Stage::Before | Stage::After => Ok(Ending::Closed),
            },
        }
    }

    /// The position of the next byte.
    pub(crate) fn here(&self) -> Position {
        self.position_of(self.byte)
    }

    fn position_of(&self, byte: usize) -> Position {
        Position {
            line: self.line,
            column: byte.saturating_sub(self.line_start) + 1,
            byte,
        }
    }

    fn emit(
        &mut self,
        bytes: &[u8],
        at: Position,
        cut: bool,
        each: &mut Sink<'_>,
    ) -> Result<(), ImportError> {
        let bytes = bytes.trim_ascii_end();
        let text = match crate::trace::swar::utf8(bytes) {
            Ok(text) => text,
            // The importer passes only whole characters, except the first bytes of one that
            // the end of the input cut (see `Importer::finish`): those end the record, which
            // is then read as cut off at that point, like a cut between two characters.
            // Only at the end of the input: before it, such a record is not UTF-8.
            Err(e) if e.error_len().is_none() && self.ending => {
                std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default()
            }
            Err(e) => {
                return Err(ImportError::new(
                    Some(self.format),
                    Some(Position::of_byte(bytes, e.valid_up_to()).shifted(at)),
                    Problem::Syntax {
                        detail: "the input is not UTF-8 text".to_owned(),
                    },
                ))
            }
        };
        let index = self.index;
        self.index += 1;
        each.record(Entry {
            text,
            at,
            index,
            cut,
            len: bytes.len(),
            place: self.place,
        })
    }

    fn too_large(&self, at: Position) -> ImportError {
        ImportError::new(
            Some(self.format),
            Some(at),
            Problem::RecordTooLarge {
                limit: self.max_record as u64,
            },
        )
    }

    fn error(&self, at: Position, detail: &str) -> ImportError {
        ImportError::new(
            Some(self.format),
            Some(at),
            Problem::Syntax {
                detail: detail.to_owned(),
            },
        )
    }
}
