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
    /// The whole input is one (pretty-printed) record.
    Document,
}

/// One record and where it starts.
pub(crate) struct Record<'a> {
    pub text: &'a str,
    pub at: Position,
    /// Its place among the records (0-based).
    pub index: usize,
    /// It ends where the input ends, without the newline, comma or bracket after it: the
    /// input may have been cut off inside it.
    pub cut: bool,
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
}

type Sink<'f> = dyn FnMut(Record<'_>) -> Result<(), ImportError> + 'f;

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
        }
    }

    /// Scans `chunk`, calling `each` with every record it completes.
    pub(crate) fn feed(&mut self, chunk: &[u8], each: &mut Sink<'_>) -> Result<(), ImportError> {
        match self.layout {
            Layout::Lines => self.feed_lines(chunk, each),
            _ => self.feed_structure(chunk, each),
        }
    }

    /// The end of the input: hands over the last record if it was cut off, and says how the
    /// input ended.
    pub(crate) fn finish(&mut self, each: &mut Sink<'_>) -> Result<Ending, ImportError> {
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
            Layout::Array | Layout::Keyed(_) => match self.stage {
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
                    Ok(if matches!(self.layout, Layout::Keyed(_)) {
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

    fn feed_lines(&mut self, chunk: &[u8], each: &mut Sink<'_>) -> Result<(), ImportError> {
        let base = self.byte;
        let mut pos = 0;
        while let Some(k) = memchr::memchr(b'\n', &chunk[pos..]) {
            let end = pos + k;
            let at = self.position_of(self.line_first);
            if self.pending.is_empty() {
                self.emit_line(&chunk[pos..end], at, false, each)?;
            } else {
                let mut line = std::mem::take(&mut self.pending);
                line.extend_from_slice(&chunk[pos..end]);
                self.emit_line(&line, at, false, each)?;
                line.clear();
                self.pending = line;
            }
            self.line += 1;
            pos = end + 1;
            self.line_start = base + pos;
            self.line_first = self.line_start;
        }
        self.pending.extend_from_slice(&chunk[pos..]);
        self.byte = base + chunk.len();
        if self.pending.len() > self.max_record {
            let at = self.position_of(self.line_first);
            return Err(self.too_large(at));
        }
        Ok(())
    }

    /// One line: `\r` dropped, blank lines skipped, depth checked, then handed over.
    fn emit_line(
        &mut self,
        line: &[u8],
        at: Position,
        cut: bool,
        each: &mut Sink<'_>,
    ) -> Result<(), ImportError> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        // Only a line with more brackets than the limit can nest past it.
        let opens = line.iter().filter(|&&b| b == b'[' || b == b'{').count();
        if opens > self.max_depth {
            if let Some(i) = crossing(line, self.max_depth) {
                let at = Position {
                    column: at.column + i,
                    byte: at.byte + i,
                    ..at
                };
                return Err(ImportError::new(
                    Some(self.format),
                    Some(at),
                    Problem::TooDeep {
                        limit: self.max_depth,
                    },
                ));
            }
        }
        self.emit(line, at, cut, each)
    }

    fn emit(
        &mut self,
        bytes: &[u8],
        at: Position,
        cut: bool,
        each: &mut Sink<'_>,
    ) -> Result<(), ImportError> {
        let bytes = bytes.trim_ascii_end();
        let text = std::str::from_utf8(bytes).map_err(|e| {
            ImportError::new(
                Some(self.format),
                Some(Position::of_byte(bytes, e.valid_up_to()).shifted(at)),
                Problem::Syntax {
                    detail: "the input is not UTF-8 text".to_owned(),
                },
            )
        })?;
        let index = self.index;
        self.index += 1;
        each(Record {
            text,
            at,
            index,
            cut,
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

    /// Arrays, keyed documents and whole documents: every byte goes through the state
    /// machine (strings are skipped with `memchr`).
    fn feed_structure(&mut self, chunk: &[u8], each: &mut Sink<'_>) -> Result<(), ImportError> {
        let base = self.byte;
        // Where the record being gathered starts in this chunk (0 if it began earlier).
        let mut start: Option<usize> = self.record_at.map(|_| 0);
        let mut i = 0;
        while i < chunk.len() {
            if self.in_string {
                let reading_key = self.key_state == Key::Reading;
                if self.escaped {
                    // This byte is escaped: whatever it is, it does not end the string.
                    self.escaped = false;
                    if reading_key {
                        self.push_key(&chunk[i..i + 1]);
                    }
                    i += 1;
                    continue;
                }
                let Some(k) = memchr::memchr3(b'"', b'\\', b'\n', &chunk[i..]) else {
                    if reading_key {
                        self.push_key(&chunk[i..]);
                    }
                    i = chunk.len();
                    continue;
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
                            let matched = matches!(self.layout, Layout::Keyed(key) if key.as_bytes() == self.key);
                            self.key_state = Key::Read(matched);
                        }
                    }
                }
                i = j + 1;
                continue;
            }
            let b = chunk[i];
            let abs = base + i;
            if b == b'\n' {
                self.line += 1;
                self.line_start = abs + 1;
                i += 1;
                continue;
            }
            match self.stage {
                Stage::Before => {
                    if b.is_ascii_whitespace() {
                    } else if self.layout == Layout::Document {
                        self.record_at = Some(self.position_of(abs));
                        start = Some(i);
                        self.stage = Stage::Element;
                        self.records_depth = 0;
                        continue; // scan this byte as part of the document
                    } else {
                        let want = if self.layout == Layout::Array {
                            b'['
                        } else {
                            b'{'
                        };
                        if b != want {
                            return Err(self.error(
                                self.position_of(abs),
                                if want == b'[' {
                                    "expected a JSON array"
                                } else {
                                    "expected a JSON object"
                                },
                            ));
                        }
                        self.open(abs)?;
                        if want == b'[' {
                            self.records_depth = 1;
                            self.found_key = true;
                            self.stage = Stage::Expect { after_comma: false };
                        } else {
                            self.stage = Stage::Top;
                            self.key_state = Key::Expect;
                        }
                    }
                }
                Stage::Top => self.top_byte(b, abs)?,
                Stage::Expect { after_comma } => {
                    if b.is_ascii_whitespace() {
                    } else if b == b']' && !after_comma {
                        self.close_records();
                    } else if b == b',' || b == b']' {
                        return Err(self.error(self.position_of(abs), "expected a value"));
                    } else {
                        self.record_at = Some(self.position_of(abs));
                        start = Some(i);
                        self.stage = Stage::Element;
                        continue; // scan this byte as part of the element
                    }
                }
                Stage::Element => match b {
                    b'"' => self.in_string = true,
                    b'[' | b'{' => self.open(abs)?,
                    b']' | b'}' if self.depth == self.records_depth && self.records_depth > 0 => {
                        self.end_element(chunk, start.take(), i, each)?;
                        if b == b'}' {
                            return Err(self.error(self.position_of(abs), "expected ]"));
                        }
                        self.close_records();
                    }
                    b']' | b'}' => {
                        self.depth = self.depth.saturating_sub(1);
                    }
                    b',' if self.depth == self.records_depth && self.records_depth > 0 => {
                        self.end_element(chunk, start.take(), i, each)?;
                        self.stage = Stage::Expect { after_comma: true };
                    }
                    _ => {}
                },
                Stage::After => {
                    if !b.is_ascii_whitespace() {
                        return Err(self.error(
                            self.position_of(abs),
                            "trailing characters after the end of the document",
                        ));
                    }
                }
            }
            i += 1;
        }
        self.byte = base + chunk.len();
        if let Some(s) = start {
            self.pending.extend_from_slice(&chunk[s..]);
            if self.pending.len() > self.max_record {
                let at = self.record_at.unwrap_or(self.here());
                return Err(self.too_large(at));
            }
        }
        Ok(())
    }

    /// Captures key bytes, at most `MAX_KEY + 1` of them: a longer key matches nothing.
    fn push_key(&mut self, bytes: &[u8]) {
        let room = (MAX_KEY + 1).saturating_sub(self.key.len());
        self.key.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    /// A byte inside the top-level object, outside the array of records.
    fn top_byte(&mut self, b: u8, abs: usize) -> Result<(), ImportError> {
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
        Ok(())
    }

    fn open(&mut self, abs: usize) -> Result<(), ImportError> {
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
    fn close_records(&mut self) {
        self.depth -= 1;
        self.records_depth = 0;
        self.stage = if self.depth == 0 {
            Stage::After
        } else {
            Stage::Top
        };
    }

    /// Hands over the element that ends before byte `end` of `chunk`.
    fn end_element(
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

/// Where nesting in `line` first goes past `max_depth` (outside strings), if it does.
fn crossing(line: &[u8], max_depth: usize) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in line.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}
