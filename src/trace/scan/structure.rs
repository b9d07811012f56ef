//! # Arrays, keyed documents and whole documents
//!
//! Every byte goes through a small state machine, one function per [`Stage`]: before the
//! top-level value, in the top-level object outside the records (looking for the key), in
//! the array of records waiting for an element, inside an element, after the value. Strings
//! are skipped eight bytes at a time (`memchr` past 64 bytes; only a key is captured), and
//! an element's bytes outside its strings by a table of the few that matter, so the cost per
//! byte is low where most bytes are: inside strings and elements.
//!
//! A stage function sees one byte outside any string and says what to do next ([`Step`]):
//! go on to the next byte, or scan this same byte again as the first of a record that
//! starts here.

use super::ahead::{offered, Ahead, READ_AHEAD_DEPTH};
use super::element::{element_len, string_stop, ELEMENT_STOPS};
use super::{Key, Layout, Sink, Splitter, Stage, MAX_KEY};
use crate::trace::error::{ImportError, Problem};

/// What the scan does after one byte.
pub(super) enum Step {
    /// On to the next byte.
    Next,
    /// A record starts at this byte: remember where, and scan the byte again as part of it.
    Begin,
}

impl Splitter {
    /// Scans `chunk` through the state machine, handing over every record it completes.
    pub(super) fn feed_structure(
        &mut self,
        chunk: &[u8],
        checked: Option<&str>,
        each: &mut Sink<'_>,
    ) -> Result<(), ImportError> {
        let base = self.byte;
        // The chunk as text, for a reader that reads records where they start (`ahead`):
        // checked by the importer as it passed it on, or here.
        let text = checked.or_else(|| std::str::from_utf8(chunk).ok());
        // Where the record being gathered starts in this chunk (0 if it began earlier).
        let mut start: Option<usize> = self.record_at.map(|_| 0);
        // A record began at this byte of this chunk (not one carried over from the last).
        let mut fresh = false;
        let mut i = 0;
        while i < chunk.len() {
            if self.in_string {
                i = self.string_run(chunk, i, base);
                continue;
            }
            if self.stage == Stage::Element {
                // A record that starts in this chunk: its end found in one tight loop when
                // nothing in it needs the state machine (see `element`).
                if std::mem::take(&mut fresh) && self.records_depth > 0 {
                    let room = self.max_depth.saturating_sub(self.depth);
                    if room >= READ_AHEAD_DEPTH && offered() {
                        if let Some(end) = self.read_ahead(text, i, base, each)? {
                            start = None;
                            if chunk[end] == b',' {
                                self.stage = Stage::Expect { after_comma: true };
                            } else {
                                self.close_records();
                            }
                            i = end + 1;
                            continue;
                        }
                    }
                    if let Some(len) = element_len(&chunk[i..], room) {
                        i += len;
                    }
                }
                // Most bytes of an element outside its strings are digits, letters, `:`
                // and spaces: passed over without the state machine.
                while i < chunk.len() && !ELEMENT_STOPS[usize::from(chunk[i])] {
                    i += 1;
                }
                if i == chunk.len() {
                    break;
                }
            }
            let b = chunk[i];
            let abs = base + i;
            if b == b'\n' {
                self.line += 1;
                self.line_start = abs + 1;
                i += 1;
                continue;
            }
            let step = match self.stage {
                Stage::Before => self.before_byte(b, abs)?,
                Stage::Top => self.top_byte(b, abs)?,
                Stage::Expect { after_comma } => self.expect_byte(b, abs, after_comma)?,
                Stage::Element => self.element_byte(chunk, i, &mut start, each)?,
                Stage::After => self.after_byte(b, abs)?,
            };
            match step {
                Step::Next => i += 1,
                Step::Begin => {
                    start = Some(i);
                    fresh = true;
                }
            }
        }
        self.byte = base + chunk.len();
        self.keep_pending(chunk, start)
    }

    /// Offers the record that starts at byte `i` of the chunk to the reader, to be read
    /// where it is (see `ahead`). If it was, the element is over: returns where the `,` or
    /// `]` that ends it is, the record counted and the lines inside it too.
    pub(super) fn read_ahead(
        &mut self,
        text: Option<&str>,
        i: usize,
        base: usize,
        each: &mut Sink<'_>,
    ) -> Result<Option<usize>, ImportError> {
        let (Some(text), Some(at)) = (text, self.record_at) else {
            return Ok(None);
        };
        let Some(rest) = text.get(i..) else {
            return Ok(None);
        };
        let ahead = Ahead {
            rest,
            at,
            index: self.index,
            place: self.place,
        };
        let Some(end) = each.ahead(ahead)? else {
            return Ok(None);
        };
        self.taken_ahead(&rest.as_bytes()[..end], base + i);
        Ok(Some(i + end))
    }

    /// The element at absolute offset `abs` was read ahead: counted, and its lines too.
    fn taken_ahead(&mut self, element: &[u8], abs: usize) {
        if let Some(last) = memchr::memrchr(b'\n', element) {
            self.line += memchr::memchr_iter(b'\n', element).count();
            self.line_start = abs + last + 1;
        }
        self.index += 1;
        self.record_at = None;
    }

    /// Inside a string from byte `i`: skips to its end (or the chunk's), counting newlines
    /// and capturing a key's bytes. Returns where the scan goes on.
    #[inline]
    pub(super) fn string_run(&mut self, chunk: &[u8], i: usize, base: usize) -> usize {
        let reading_key = self.key_state == Key::Reading;
        if self.escaped {
            // This byte is escaped: whatever it is, it does not end the string.
            self.escaped = false;
            if reading_key {
                self.push_key(&chunk[i..i + 1]);
            }
            return i + 1;
        }
        let Some(k) = string_stop(&chunk[i..]) else {
            if reading_key {
                self.push_key(&chunk[i..]);
            }
            return chunk.len();
        };
        let j = i + k;
        if reading_key {
            self.push_key(&chunk[i..j]);
        }
        match chunk[j] {
            b'\\' => {
                self.escaped = true;
                if reading_key {
                    self.push_key(b"\\");
                }
            }
            b'\n' => {
                self.line += 1;
                self.line_start = base + j + 1;
            }
            _ => {
                self.in_string = false;
                if reading_key {
                    self.key_state = Key::Read(self.key_is_records());
                }
            }
        }
        j + 1
    }

    /// Before the top-level value: a document starts its one record here; an array or a
    /// keyed document must open with `[` or `{`.
    pub(super) fn before_byte(&mut self, b: u8, abs: usize) -> Result<Step, ImportError> {
        if b.is_ascii_whitespace() {
            return Ok(Step::Next);
        }
        if self.layout == Layout::Document {
            self.record_at = Some(self.position_of(abs));
            self.stage = Stage::Element;
            self.records_depth = 0;
            return Ok(Step::Begin);
        }
        let array = self.layout == Layout::Array;
        let (want, what) = if array {
            (b'[', "expected a JSON array")
        } else {
            (b'{', "expected a JSON object")
        };
        if b != want {
            return Err(self.error(self.position_of(abs), what));
        }
        self.open(abs)?;
        if array {
            self.records_depth = 1;
            self.found_key = true;
            self.stage = Stage::Expect { after_comma: false };
        } else {
            self.stage = Stage::Top;
            self.key_state = Key::Expect;
        }
        Ok(Step::Next)
    }

    /// A byte inside the top-level object, outside the array of records.
    pub(super) fn top_byte(&mut self, b: u8, abs: usize) -> Result<Step, ImportError> {
        match b {
            b'"' => {
                self.in_string = true;
                if self.depth == 1 && self.key_state == Key::Expect {
                    self.key_state = Key::Reading;
                    self.key.clear();
                }
            }
            b':' if self.depth == 1 => {
                if let Key::Read(m) = self.key_state {
                    self.key_state = Key::Value(m);
                }
            }
            b',' if self.depth == 1 => self.key_state = Key::Expect,
            b'[' | b'{' => {
                self.open(abs)?;
                if self.depth == 2 && b == b'[' && self.key_state == Key::Value(true) {
                    self.records_depth = 2;
                    self.found_key = true;
                    self.key_state = Key::Value(false);
                    self.stage = Stage::Expect { after_comma: false };
                }
            }
            b']' | b'}' => {
                self.depth = self.depth.saturating_sub(1);
                if self.depth == 0 {
                    self.stage = Stage::After;
                }
            }
            _ => {}
        }
        Ok(Step::Next)
    }

    /// In the array of records, between elements: the array's end, or an element's start.
    fn expect_byte(&mut self, b: u8, abs: usize, after_comma: bool) -> Result<Step, ImportError> {
        if b.is_ascii_whitespace() {
            Ok(Step::Next)
        } else if b == b']' && !after_comma {
            self.close_records();
            Ok(Step::Next)
        } else if b == b',' || b == b']' {
            Err(self.error(self.position_of(abs), "expected a value"))
        } else {
            self.record_at = Some(self.position_of(abs));
            self.stage = Stage::Element;
            Ok(Step::Begin)
        }
    }

    /// Inside an element (or the whole document): nesting, and the `,` or `]` at the
    /// records' depth that ends the element.
    #[inline]
    fn element_byte(
        &mut self,
        chunk: &[u8],
        i: usize,
        start: &mut Option<usize>,
        each: &mut Sink<'_>,
    ) -> Result<Step, ImportError> {
        let b = chunk[i];
        match b {
            b'"' => self.in_string = true,
            b'[' | b'{' => self.open(self.byte_at(i))?,
            b']' | b'}' if self.at_records_depth() => {
                self.end_element(chunk, start.take(), i, each)?;
                if b == b'}' {
                    return Err(self.error(self.position_of(self.byte_at(i)), "expected ]"));
                }
                self.close_records();
            }
            b']' | b'}' => self.depth = self.depth.saturating_sub(1),
            b',' if self.at_records_depth() => {
                self.end_element(chunk, start.take(), i, each)?;
                self.stage = Stage::Expect { after_comma: true };
            }
            _ => {}
        }
        Ok(Step::Next)
    }

    /// Whether the scan is at the depth of the array of records, where `,` and `]` end an
    /// element (never in a whole document, whose records depth is 0).
    #[inline]
    fn at_records_depth(&self) -> bool {
        self.depth == self.records_depth && self.records_depth > 0
    }

    /// After the top-level value: only whitespace may follow.
    pub(super) fn after_byte(&mut self, b: u8, abs: usize) -> Result<Step, ImportError> {
        if !b.is_ascii_whitespace() {
            return Err(self.error(
                self.position_of(abs),
                "trailing characters after the end of the document",
            ));
        }
        Ok(Step::Next)
    }

    /// The absolute offset of byte `i` of the chunk being fed (`self.byte` moves only when
    /// the chunk is done).
    #[inline]
    pub(super) fn byte_at(&self, i: usize) -> usize {
        self.byte + i
    }

    /// Keeps the unfinished record's bytes of this chunk for the next, within the record
    /// size limit.
    pub(super) fn keep_pending(
        &mut self,
        chunk: &[u8],
        start: Option<usize>,
    ) -> Result<(), ImportError> {
        if let Some(s) = start {
            self.pending.extend_from_slice(&chunk[s..]);
            if self.pending.len() > self.max_record {
                let at = self.record_at.unwrap_or(self.here());
                return Err(self.too_large(at));
            }
        }
        Ok(())
    }

    /// Whether the key just read is the top-level key of the records.
    fn key_is_records(&self) -> bool {
        match self.layout {
            Layout::Keyed(key) => key.as_bytes() == self.key,
            Layout::Spans => self.depth == 1 && self.key == b"resourceSpans",
            _ => false,
        }
    }

    /// Captures key bytes, at most `MAX_KEY + 1` of them: a longer key matches nothing.
    fn push_key(&mut self, bytes: &[u8]) {
        let room = (MAX_KEY + 1).saturating_sub(self.key.len());
        self.key.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    pub(super) fn open(&mut self, abs: usize) -> Result<(), ImportError> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(ImportError::new(
                Some(self.format),
                Some(self.position_of(abs)),
                Problem::TooDeep {
                    limit: self.max_depth,
                },
            ));
        }
        Ok(())
    }

    /// The `]` of the array of records.
    pub(super) fn close_records(&mut self) {
        self.depth -= 1;
        self.records_depth = 0;
        self.stage = if self.depth == 0 {
            Stage::After
        } else {
            Stage::Top
        };
    }

    /// Hands over the element that ends before byte `end` of `chunk`.
    pub(super) fn end_element(
        &mut self,
        chunk: &[u8],
        start: Option<usize>,
        end: usize,
        each: &mut Sink<'_>,
    ) -> Result<(), ImportError> {
        let at = self.record_at.take().unwrap_or(self.here());
        match start {
            Some(s) if self.pending.is_empty() => self.emit(&chunk[s..end], at, false, each),
            _ => {
                let mut record = std::mem::take(&mut self.pending);
                record.extend_from_slice(&chunk[..end]);
                let result = self.emit(&record, at, false, each);
                record.clear();
                self.pending = record;
                result
            }
        }
    }
}
