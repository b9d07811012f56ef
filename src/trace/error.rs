//! # Import errors
//!
//! Bad input is the normal case for an importer, so its errors are written for the person who
//! picked the file: one sentence naming the format, where in the file (line, column and byte
//! offset) and what was expected there. For example:
//!
//! ```text
//! could not read the Chrome trace: at line 3, column 17 (byte 52), traceEvents[1].ts:
//! expected a number of microseconds, found a string
//! ```
//!
//! An [`ImportError`] is always returned *instead of* a result: importers build a fresh event
//! list and hand it over only when the whole input has been read, so whatever the caller had
//! open stays untouched when reading fails.

use crate::text::count::grouped;
use std::fmt;

use super::Format;
use crate::text::Excerpt;

/// A place in the input. Lines and columns count from 1, bytes from 0; columns count bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Line number, from 1.
    pub line: usize,
    /// Column in bytes from the line's start, from 1.
    pub column: usize,
    /// Byte offset from the start of the input, from 0.
    pub byte: usize,
}

impl Position {
    /// The position of byte offset `byte` in `input` (clamped to its length).
    ///
    /// Only computed on the error path, so a linear scan is fine.
    pub fn of_byte(input: &[u8], byte: usize) -> Position {
        let byte = byte.min(input.len());
        let before = &input[..byte];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        Position {
            line,
            column: byte - line_start + 1,
            byte,
        }
    }

    /// The absolute position of a serde_json line/column reported while parsing the slice
    /// of `input` that starts at byte `base`.
    pub fn of_json_error(input: &[u8], base: usize, err: &serde_json::Error) -> Position {
        if err.line() == 0 {
            return Position::of_byte(input, base);
        }
        // Walk to the reported line inside the slice, then add the column.
        let mut offset = base;
        let mut line = 1;
        while line < err.line() {
            match input[offset..].iter().position(|&b| b == b'\n') {
                Some(p) => offset += p + 1,
                None => break,
            }
            line += 1;
        }
        // serde_json reports the column of the last byte read (0 when at a line start).
        Position::of_byte(input, offset + err.column().saturating_sub(1))
    }
}

impl Position {
    /// This position, taken relative to a record that starts at `origin`, made absolute.
    pub fn shifted(self, origin: Position) -> Position {
        Position {
            line: origin.line + self.line - 1,
            column: if self.line == 1 {
                origin.column + self.column - 1
            } else {
                self.column
            },
            byte: origin.byte + self.byte,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {} (byte {})",
            self.line, self.column, self.byte
        )
    }
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The input is larger than the byte limit ([`super::Limits::max_bytes`]); reading
    /// stopped after `bytes`.
    TooLarge {
        /// Bytes read when reading stopped.
        bytes: u64,
        /// The byte limit in force.
        limit: u64,
    },
    /// One record (a line, an array element, a whole document) is larger than `limit`
    /// bytes: it would have to be held whole to be parsed.
    RecordTooLarge {
        /// The most bytes one record may take.
        limit: u64,
    },
    /// The events read so far exceed a budget of [`super::Limits`]; `event` is the number
    /// of the event that did not fit (counting from 1).
    OverBudget {
        /// Which budget ran out, with its limit.
        budget: Budget,
        /// The number of the event that did not fit, from 1.
        event: u64,
    },
    /// Arrays and objects nest deeper than [`super::MAX_DEPTH`].
    TooDeep {
        /// The deepest nesting allowed.
        limit: usize,
    },
    /// Nothing but whitespace.
    Empty,
    /// The content matches none of the formats we read.
    UnknownFormat {
        /// What the content looked like instead, in words ("an object with the keys a, b");
        /// may quote the file, so it is shown escaped and clipped.
        seen: String,
    },
    /// The text is not valid JSON (or not UTF-8) here.
    Syntax {
        /// The parser's message, without its own position (may quote the file).
        detail: String,
    },
    /// Valid JSON, but not what the format allows: `field` (a path such as
    /// `traceEvents[3].ts`, empty for the whole record) should be `expected`.
    Invalid {
        /// Where in the record, as a path (`traceEvents[3].ts`); empty for the whole record.
        field: String,
        /// What the format allows there, in words.
        expected: String,
        /// What the file holds there, in words (empty when the parser did not say).
        found: String,
    },
}

/// The budget an import ran out of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// At most this many events.
    Events {
        /// The most events an import may hold.
        limit: u64,
    },
    /// At most this many bytes held for the events (the sink's estimate plus what the
    /// importer holds back).
    Memory {
        /// The most bytes the events may hold.
        limit: u64,
        /// The bytes held when the budget was exceeded.
        held: u64,
    },
}

/// How the user raises a budget: a command-line flag natively; the page has no flag.
fn raise_hint(flag: &str) -> String {
    if cfg!(target_arch = "wasm32") {
        String::new()
    } else {
        format!("; raise it with {flag}")
    }
}

/// Why an input could not be imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// The format the input was read as, when it was known.
    pub format: Option<Format>,
    /// Where in the input the problem was met, when there is a place to point at (an empty
    /// file, unknown content or an input over the byte limit has none).
    pub at: Option<Position>,
    /// What went wrong.
    pub problem: Problem,
}

impl ImportError {
    pub(crate) fn new(format: Option<Format>, at: Option<Position>, problem: Problem) -> Self {
        ImportError {
            format,
            at,
            problem,
        }
    }

    /// A field that holds the wrong thing.
    pub(crate) fn invalid(
        format: Format,
        at: Option<Position>,
        field: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        ImportError::new(
            Some(format),
            at,
            Problem::Invalid {
                field: field.into(),
                expected: expected.into(),
                found: found.into(),
            },
        )
    }

    /// A serde_json error met while reading the slice of `input` starting at `base`, with the
    /// field path serde_path_to_error tracked (may be empty or `.`).
    pub(crate) fn from_json(
        format: Format,
        input: &[u8],
        base: usize,
        path: &str,
        err: &serde_json::Error,
    ) -> Self {
        let at = Some(Position::of_json_error(input, base, err));
        let detail = strip_serde_position(&err.to_string());
        let path = if path == "." { "" } else { path };
        let problem = match err.classify() {
            serde_json::error::Category::Data => Problem::Invalid {
                field: path.to_owned(),
                expected: detail,
                found: String::new(),
            },
            _ => Problem::Syntax { detail },
        };
        ImportError::new(Some(format), at, problem)
    }
}

/// serde_json appends " at line L column C" to its messages; we print our own position.
fn strip_serde_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// The most characters shown of a parser's message, which may quote a value from the file.
const MESSAGE_CHARS: usize = 400;

/// File content quoted in the message (a field path holding a key, a parser's message quoting
/// a value) is shown through [`Excerpt`]: escaped and clipped, so a crafted key can neither
/// drive the terminal nor turn one sentence into a megabyte.
impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.format {
            Some(format) => write!(f, "could not read the {}", format.title())?,
            None => f.write_str("could not import the file")?,
        }
        if let Problem::OverBudget { budget, event } = &self.problem {
            return self.write_over_budget(f, *budget, *event);
        }
        let mut sep = ": ";
        if let Some(at) = self.at {
            write!(f, "{sep}at {at}")?;
            sep = ", ";
        }
        match &self.problem {
            Problem::TooLarge { bytes, limit } => write!(
                f,
                "{sep}the input is larger than the {} MB limit (reading stopped after {} bytes){}",
                grouped(limit / 1_000_000),
                grouped(*bytes),
                raise_hint("--max-bytes")
            ),
            Problem::RecordTooLarge { limit } => write!(
                f,
                "{sep}one record is larger than {} MB, more than the memory budget allows",
                grouped(limit / 1_000_000)
            ),
            Problem::OverBudget { .. } => Ok(()),
            Problem::TooDeep { limit } => write!(
                f,
                "{sep}arrays and objects nest deeper than {limit} levels, the limit"
            ),
            Problem::Empty => write!(f, "{sep}the file is empty"),
            Problem::UnknownFormat { seen } => write!(
                f,
                "{sep}expected lineage NDJSON, the Python original's events, a Chrome trace \
                 or OTLP JSON, found {}",
                Excerpt::new(seen)
            ),
            Problem::Syntax { detail } => {
                write!(
                    f,
                    "{sep}the JSON is malformed: {}",
                    Excerpt::clipped_at(detail, MESSAGE_CHARS)
                )
            }
            Problem::Invalid {
                field,
                expected,
                found,
            } => {
                f.write_str(sep)?;
                if !field.is_empty() {
                    write!(f, "{}: ", Excerpt::new(field))?;
                }
                if found.is_empty() {
                    write!(f, "{}", Excerpt::clipped_at(expected, MESSAGE_CHARS))
                } else {
                    write!(
                        f,
                        "expected {}, found {}",
                        Excerpt::clipped_at(expected, MESSAGE_CHARS),
                        Excerpt::new(found)
                    )
                }
            }
        }
    }
}

impl ImportError {
    /// The rest of an over-budget message: at which event, where, which budget.
    fn write_over_budget(
        &self,
        f: &mut fmt::Formatter<'_>,
        budget: Budget,
        event: u64,
    ) -> fmt::Result {
        write!(f, ": stopped at event {}", grouped(event))?;
        if let Some(at) = self.at {
            write!(f, " ({at})")?;
        }
        match budget {
            Budget::Events { limit } => write!(
                f,
                ": the trace exceeds the budget of {} events{}",
                grouped(limit),
                raise_hint("--max-events")
            ),
            Budget::Memory { limit, held } => write!(
                f,
                ": the trace exceeds the memory budget of {} MiB ({} MiB held){}",
                grouped(limit >> 20),
                grouped(held >> 20),
                raise_hint("--max-memory")
            ),
        }
    }
}

impl std::error::Error for ImportError {}

/// A short, printable description of a JSON value for "found ..." messages.
pub(crate) fn describe(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let mut shown: String = s.chars().take(40).collect();
            if shown.len() < s.len() {
                shown.push('…');
            }
            format!("the string {shown:?}")
        }
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(_) => "an object".to_owned(),
    }
}
