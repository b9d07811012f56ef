//! # The stream's compact event lines
//!
//! Measured in headless Chromium at 100 k events/s (docs/live-page.md): an `events`
//! message of 1 000 lineage NDJSON lines is 475 kB, and most of the page's main thread
//! went on bytes, not events: the browser's `EventSource` parsing the text, `TextEncoder`
//! copying it into the module, the reader scanning it. Half of a line is ids: up to four
//! hyphenated uuids with their keys (~200 bytes), and most of them name an event of the same
//! message (the parent, the root, the lineage, the start an end closes). The payload is the
//! other half, and a pipeline repeats the same few.
//!
//! So a page that asks for it (`GET /v1/stream?from=SEQ&encoding=compact`) gets each event
//! as one tab-separated line whose ids, names and payloads are written once per message and
//! then referred to by number (`=N`), seq and timestamp as differences from the line before:
//! 120–200 bytes an event instead of 475, and a payload repeated in the message is decoded
//! once. Each message starts afresh (a page resuming at any seq reads it alone). A line
//! that starts with `{` is a lineage NDJSON line, read as before: what the listener writes
//! for an event this form does not carry (top-level members this crate does not model), and
//! all a listener that does not know `encoding=` sends. The fields, in order:
//!
//! | field | written as |
//! |---|---|
//! | id, root, lineage | a uuid: 32 hex digits (new) or `=N` (the N-th uuid of the message) |
//! | kind | a string: a JSON string literal (new) or `=N` (the N-th string) |
//! | phase | its index, `0`–`7` ([`Phase::ALL`]) |
//! | parent, start | a uuid, or empty for none |
//! | seq, timestamp | the difference from the line before (the first: from 0), wrapping |
//! | duration | decimal nanoseconds, or empty |
//! | error | a string, or empty |
//! | payload | its JSON object (new) or `=N` (the N-th payload) |
//!
//! Nothing read is trusted: a reference past the table, a bad uuid or number, a missing
//! field is an error (a sentence, bounded) and the line is counted as rejected, and so is
//! every compact line after it in the message (what it defined is unknown, and a reference
//! must never name the wrong id).

use std::collections::HashMap;
use std::fmt::Write as _;

use uuid::Uuid;

use super::wire::{FastPayload, Line, PayloadAt, Wire};
use crate::core::{Event, Kind, Payload, Phase};
use crate::trace::read::MAX_DEPTH;

/// The value of `encoding=` that asks for these lines.
pub const ENCODING: &str = "compact";

/// Writes one message's events as compact lines; one per message (see the module docs).
#[derive(Default)]
pub struct Encoder {
    uuids: HashMap<Uuid, u32>,
    strings: HashMap<String, u32>,
    payloads: HashMap<String, u32>,
    seq: u64,
    timestamp: u64,
}

impl Encoder {
    /// Appends `event`'s line to `out`, without its newline. An event with members this
    /// form does not carry is written as its lineage NDJSON line.
    pub fn write(&mut self, out: &mut String, e: &Event) {
        if !e.unknown.is_empty() {
            let mut line = Vec::with_capacity(512);
            serde_json::to_writer(&mut line, e).expect("serialising an event cannot fail");
            out.push_str(std::str::from_utf8(&line).expect("serde_json writes UTF-8"));
            return;
        }
        self.uuid(out, Some(e.id));
        out.push('\t');
        self.string(out, Some(&e.kind));
        let _ = write!(out, "\t{}\t", e.phase.index());
        self.uuid(out, e.parent_id);
        out.push('\t');
        self.uuid(out, Some(e.root_id));
        out.push('\t');
        self.uuid(out, Some(e.lineage_id));
        out.push('\t');
        self.uuid(out, e.start_id);
        let seq = e.seq.wrapping_sub(self.seq) as i64;
        let ts = e.timestamp_ns.wrapping_sub(self.timestamp) as i64;
        (self.seq, self.timestamp) = (e.seq, e.timestamp_ns);
        let _ = write!(out, "\t{seq}\t{ts}\t");
        if let Some(d) = e.duration_ns {
            let _ = write!(out, "{d}");
        }
        out.push('\t');
        self.string(out, e.error.as_deref());
        out.push('\t');
        let payload = serde_json::to_string(&e.payload).expect("a payload serialises");
        let next = self.payloads.len() as u32;
        match self.payloads.get(&payload) {
            Some(n) => {
                let _ = write!(out, "={n}");
            }
            None => {
                out.push_str(&payload);
                self.payloads.insert(payload, next);
            }
        }
    }

    fn uuid(&mut self, out: &mut String, id: Option<Uuid>) {
        let Some(id) = id else { return };
        let next = self.uuids.len() as u32;
        match self.uuids.get(&id) {
            Some(n) => {
                let _ = write!(out, "={n}");
            }
            None => {
                let _ = write!(out, "{}", id.simple());
                self.uuids.insert(id, next);
            }
        }
    }

    fn string(&mut self, out: &mut String, s: Option<&str>) {
        let Some(s) = s else { return };
        let next = self.strings.len() as u32;
        match self.strings.get(s) {
            Some(n) => {
                let _ = write!(out, "={n}");
            }
            None => {
                out.push_str(&serde_json::to_string(s).expect("a string serialises"));
                self.strings.insert(s.to_owned(), next);
            }
        }
    }
}

/// Reads one message's compact lines, in order; one per message. It holds the message's
/// text, and what the lines define (uuids, strings, payloads) as tables the events refer to
/// ([`Wire`]): a payload repeated in the message is read once and never copied per event.
#[derive(Default)]
pub struct Decoder {
    /// The text, its strings and its payloads.
    wire: Wire,
    uuids: Vec<Uuid>,
    seq: u64,
    timestamp: u64,
    /// A line was unreadable: what it defined is unknown, so no later reference is trusted.
    broken: bool,
}

/// What a message's lines defined so far, borrowed from the [`Decoder`] while a line is
/// read from its text.
struct Tables<'d> {
    uuids: &'d mut Vec<Uuid>,
    strings: &'d mut Vec<Kind>,
    payloads: &'d mut Vec<PayloadAt>,
}

/// The fields of a compact line.
const FIELDS: usize = 12;

impl Decoder {
    /// Whether `line` is a compact line (else lineage NDJSON, read as before).
    pub fn is_compact(line: &str) -> bool {
        !line.trim_start().starts_with('{')
    }

    /// A decoder over a message's `text`, whose lines [`Decoder::read_at`] reads.
    pub(crate) fn over(text: String) -> Decoder {
        Decoder {
            wire: Wire {
                text,
                ..Wire::default()
            },
            ..Decoder::default()
        }
    }

    /// The message's text.
    pub(crate) fn text(&self) -> &str {
        &self.wire.text
    }

    /// The text and the tables, for the events read to share.
    pub(crate) fn finish(self) -> Wire {
        self.wire
    }

    /// The event of one compact line (standing alone, as the tests write them), or why it
    /// is not one; see [`Decoder::read_at`].
    pub fn read(&mut self, line: &str) -> Result<Event, String> {
        let start = self.wire.text.len();
        self.wire.text.push_str(line);
        let read = self.read_at(start..self.wire.text.len());
        let event = read.map(|l| self.wire.event(&l));
        self.wire.text.push('\n');
        event
    }

    /// The event of the compact line at `line` (bytes of the message's text), or why it is
    /// not one. After an unreadable line every later one of the message is refused too: the
    /// tables may have missed what the bad line defined, and a reference must never name
    /// the wrong event.
    pub(crate) fn read_at(&mut self, line: std::ops::Range<usize>) -> Result<Line, String> {
        if self.broken {
            return Err("follows an unreadable line, whose ids it may refer to".into());
        }
        let Wire {
            text,
            strings,
            payloads,
        } = &mut self.wire;
        let mut tables = Tables {
            uuids: &mut self.uuids,
            strings,
            payloads,
        };
        let read = tables.read_fields(text, line);
        let read = read.map(|mut l| {
            self.seq = self.seq.wrapping_add(l.seq);
            self.timestamp = self.timestamp.wrapping_add(l.timestamp_ns);
            (l.seq, l.timestamp_ns) = (self.seq, self.timestamp);
            l
        });
        self.broken = read.is_err();
        read
    }
}

impl Tables<'_> {
    /// The fields of the line at `range` of `text`; its seq and timestamp as written (the
    /// differences from the line before).
    fn read_fields(&mut self, text: &str, range: std::ops::Range<usize>) -> Result<Line, String> {
        // The fields between tabs, found by `memchr` (a `str::split` cost ~1 500
        // instructions a line, callgrind 2026-12-06). A payload holds no raw tab: JSON
        // escapes it, so a tab past the twelfth field is an error.
        let line = &text[range];
        let mut tabs = memchr::memchr_iter(b'\t', line.as_bytes());
        let mut at = 0;
        let mut next = |what: &str| {
            if at > line.len() {
                return Err(format!("no {what} field"));
            }
            let end = tabs.next().unwrap_or(line.len());
            let field = &line[at..end];
            at = end + 1;
            Ok(field)
        };
        let id = self.uuid(next("id")?, "id")?.ok_or("no id")?;
        let kind = self.string(next("kind")?, "kind")?.ok_or("no kind")?;
        let phase = match next("phase")?.as_bytes() {
            [d @ b'0'..=b'7'] => Phase::ALL[usize::from(d - b'0')],
            _ => return Err("a phase that is not 0 to 7".into()),
        };
        let parent_id = self.uuid(next("parent")?, "parent")?;
        let root_id = self.uuid(next("root")?, "root")?.ok_or("no root")?;
        let lineage_id = self
            .uuid(next("lineage")?, "lineage")?
            .ok_or("no lineage")?;
        let start_id = self.uuid(next("start")?, "start")?;
        let seq = number::<i64>(next("seq")?, "seq")?;
        let ts = number::<i64>(next("timestamp")?, "timestamp")?;
        let duration_ns = match next("duration")? {
            "" => None,
            d => Some(number::<u64>(d, "duration")?),
        };
        let error = self.string(next("error")?, "error")?;
        let payload = self.payload(text, next("payload")?)?;
        if next("").is_ok() {
            return Err(format!("more than {FIELDS} fields"));
        }
        Ok(Line {
            id,
            parent_id,
            root_id,
            lineage_id,
            start_id,
            phase,
            seq: seq as u64,
            timestamp_ns: ts as u64,
            duration_ns,
            kind,
            error,
            payload,
        })
    }

    fn uuid(&mut self, field: &str, what: &str) -> Result<Option<Uuid>, String> {
        if field.is_empty() {
            return Ok(None);
        }
        if let Some(n) = field.strip_prefix('=') {
            let n = number::<usize>(n, what)?;
            return self
                .uuids
                .get(n)
                .copied()
                .map(Some)
                .ok_or_else(|| format!("{what} refers to uuid {n} of {}", self.uuids.len()));
        }
        let id = Uuid::try_parse(field).map_err(|_| format!("{what} is not a uuid"))?;
        self.uuids.push(id);
        Ok(Some(id))
    }

    /// A string's number in the table.
    fn string(&mut self, field: &str, what: &str) -> Result<Option<u32>, String> {
        if field.is_empty() {
            return Ok(None);
        }
        if let Some(n) = field.strip_prefix('=') {
            let n = number::<usize>(n, what)?;
            return match n < self.strings.len() {
                true => Ok(Some(n as u32)),
                false => Err(format!(
                    "{what} refers to string {n} of {}",
                    self.strings.len()
                )),
            };
        }
        let s: String = match field.as_bytes() {
            // The usual name: no escapes to undo.
            [b'"', inner @ .., b'"'] if !inner.iter().any(|&b| b == b'\\' || b == b'"') => {
                field[1..field.len() - 1].to_owned()
            }
            _ => serde_json::from_str(field).map_err(|_| format!("{what} is not a JSON string"))?,
        };
        self.strings.push(Kind::Owned(s));
        Ok(Some(self.strings.len() as u32 - 1))
    }

    /// A payload's number in the table; `field` is a slice of the message's `text`.
    fn payload(&mut self, text: &str, field: &str) -> Result<u32, String> {
        if let Some(n) = field.strip_prefix('=') {
            let n = number::<usize>(n, "payload")?;
            return match n < self.payloads.len() {
                true => Ok(n as u32),
                false => Err(format!(
                    "payload refers to payload {n} of {}",
                    self.payloads.len()
                )),
            };
        }
        // As lineage writes it (names, entity ids, scalar fields): read in place, its
        // strings left in the text (it nests two levels at most).
        if let Some(read) = crate::trace::native::read_payload_ref(field) {
            self.payloads
                .push(PayloadAt::Fast(FastPayload::of(text, read)));
            return Ok(self.payloads.len() as u32 - 1);
        }
        // The payload's reader lifts serde's recursion limit (real payloads nest deeper than
        // 128): the nesting is measured first, as imports do.
        if nesting(field) > MAX_DEPTH {
            return Err(format!("payload nests deeper than {MAX_DEPTH} levels"));
        }
        let p: Payload = serde_json::from_str(field).map_err(|e| {
            format!(
                "payload: {}",
                crate::text::Excerpt::clipped_at(&e.to_string(), 80)
            )
        })?;
        self.payloads.push(PayloadAt::Owned(p));
        Ok(self.payloads.len() as u32 - 1)
    }
}

/// How deep JSON `text` nests (brackets outside strings); a hostile line is refused on
/// this before any recursive reader sees it.
pub(crate) fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn number<T: std::str::FromStr>(field: &str, what: &str) -> Result<T, String> {
    field.parse().map_err(|_| format!("{what} is not a number"))
}
