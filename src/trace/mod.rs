//! # Traces in and out
//!
//! Reading other tools' traces and writing ours for them. Plain Rust, no web dependency: the
//! command line and the inspector UI call the same functions.
//!
//! | format | read | write | module |
//! |---|---|---|---|
//! | lineage NDJSON: one [`Event`] per line, lossless | ✓ | ✓ | [`native`] |
//! | the Python original's `EventSerializer.to_dict` dumps (lines or an array) | ✓ | | [`original`] |
//! | Chrome Trace Event Format (Perfetto, chrome://tracing) | ✓ | ✓ | [`chrome`] |
//! | OTLP JSON `TracesData`, one document or JSON Lines | ✓ | ✓ | [`otlp`], [`otlp_export`] |
//!
//! [`import`] tells the formats apart by their content ([`detect`]) and reads the input into
//! an [`Imported`]: the events plus what was skipped on the way. It is a pure function of the
//! bytes: nothing is touched until the whole input has been read, so a caller that swaps its
//! open trace for the result only on `Ok` never loses what it had.
//!
//! ## Hostile input
//! Inputs over [`MAX_INPUT_BYTES`] or nested deeper than [`MAX_DEPTH`] are refused before
//! parsing (see [`read`] for why our own depth limit replaces serde_json's 128). Errors name
//! the format, the position and what was expected ([`ImportError`]). Parent cycles and
//! duplicate ids are kept as read and reported by the inspector's lints; the importers that
//! derive roots from parent links walk them with a visited set, never forever.
//!
//! ```
//! let events = vec![lineage::core::Event::root("processing", lineage::core::Phase::Started)];
//! let text = lineage::trace::export_ndjson(&events);
//! let back = lineage::trace::import(text.as_bytes(), Some("run.ndjson")).unwrap();
//! assert_eq!(back.events, events);
//! ```

pub mod chrome;
pub mod error;
pub mod native;
pub mod original;
pub mod otlp;
pub mod otlp_export;
pub mod read;

use std::fmt;

use serde_json::Value;
use uuid::Uuid;

pub use error::{ImportError, Position, Problem};
pub use read::{Limits, MAX_DEPTH, MAX_INPUT_BYTES, STACK_FOR_MAX_DEPTH};

use crate::core::ids::IdMap;
use crate::core::Event;
use crate::inspect::Inspection;

/// The formats we read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// lineage's own NDJSON, one [`Event`] per line.
    Native,
    /// The Python original's `EventSerializer.to_dict` objects, per line or in an array.
    Original,
    /// Chrome Trace Event Format, an array or `{"traceEvents": [...]}`.
    Chrome,
    /// OpenTelemetry `TracesData` as OTLP JSON, one document or JSON Lines.
    Otlp,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::Native,
        Format::Original,
        Format::Chrome,
        Format::Otlp,
    ];

    /// A short name for flags and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Native => "ndjson",
            Format::Original => "abstractions",
            Format::Chrome => "chrome",
            Format::Otlp => "otlp",
        }
    }

    /// What the format is called in sentences.
    pub const fn title(self) -> &'static str {
        match self {
            Format::Native => "lineage NDJSON trace",
            Format::Original => "abstractions event dump",
            Format::Chrome => "Chrome trace",
            Format::Otlp => "OTLP JSON trace",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// The formats we write. On the command line these are the values of `convert --to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
pub enum ExportFormat {
    /// lineage NDJSON, lossless.
    Ndjson,
    /// Chrome Trace Event Format, for Perfetto and chrome://tracing.
    Chrome,
    /// OTLP JSON (TracesData), for OpenTelemetry collectors, Jaeger and Tempo.
    Otlp,
}

impl ExportFormat {
    pub const fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Chrome => "chrome",
            ExportFormat::Otlp => "otlp",
        }
    }

    /// The file name extension a download should get.
    pub const fn extension(self) -> &'static str {
        match self {
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Chrome => "json",
            ExportFormat::Otlp => "otlp.json",
        }
    }

    /// The MIME type a download should get.
    pub const fn mime(self) -> &'static str {
        match self {
            ExportFormat::Ndjson => "application/x-ndjson",
            ExportFormat::Chrome | ExportFormat::Otlp => "application/json",
        }
    }
}

/// A successfully read input.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Imported {
    /// The format it was read as (`None` only for the empty default).
    pub format: Option<Format>,
    /// The events, in the input's order (Chrome and OTLP: in time order).
    pub events: Vec<Event>,
    /// Input records passed over, by what they were (Chrome: the phase letter), with counts.
    pub skipped: Vec<(String, usize)>,
    /// Things worth knowing that did not stop the import, one sentence each.
    pub notes: Vec<String>,
}

impl Imported {
    fn new(format: Format, events: Vec<Event>) -> Imported {
        Imported {
            format: Some(format),
            events,
            skipped: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Counts one skipped record of kind `what`.
    fn skip(&mut self, what: &str) {
        match self.skipped.iter_mut().find(|(w, _)| w == what) {
            Some((_, n)) => *n += 1,
            None => self.skipped.push((what.to_owned(), 1)),
        }
    }

    /// Records skipped, all kinds together.
    pub fn skipped_total(&self) -> usize {
        self.skipped.iter().map(|(_, n)| n).sum()
    }

    /// The inspector's view of the events (spans, lints, summary).
    pub fn inspect(&self) -> Inspection {
        Inspection::new(self.events.clone(), &[])
    }
}

/// Reads `bytes` in whichever format they are in. `name_hint` (a file name) only decides
/// for an empty input, which is otherwise an error.
pub fn import(bytes: &[u8], name_hint: Option<&str>) -> Result<Imported, ImportError> {
    import_with_limits(bytes, name_hint, Limits::DEFAULT)
}

/// [`import`] with other size and depth limits (the UI on a small wasm stack may want a
/// lower depth; see [`read`]).
pub fn import_with_limits(
    bytes: &[u8],
    name_hint: Option<&str>,
    limits: Limits,
) -> Result<Imported, ImportError> {
    let text = read::checked_text(None, bytes, limits)?;
    match sniff(text)? {
        Some(format) => import_text(format, text),
        None => match name_hint.and_then(format_of_name) {
            Some(format) => Ok(Imported::new(format, Vec::new())),
            None => Err(ImportError::new(None, None, Problem::Empty)),
        },
    }
}

/// Reads `bytes` as `format`, without guessing.
pub fn import_as(format: Format, bytes: &[u8]) -> Result<Imported, ImportError> {
    let text = read::checked_text(Some(format), bytes, Limits::DEFAULT)?;
    import_text(format, text)
}

fn import_text(format: Format, text: &str) -> Result<Imported, ImportError> {
    match format {
        Format::Native => native::import_text(text),
        Format::Original => original::import_text(text),
        Format::Chrome => chrome::import_text(text),
        Format::Otlp => otlp::import_text(text),
    }
}

/// The format of `bytes`, judged by their content (`name_hint` decides for empty input).
pub fn detect(bytes: &[u8], name_hint: Option<&str>) -> Result<Format, ImportError> {
    let text = read::checked_text(None, bytes, Limits::DEFAULT)?;
    match sniff(text)? {
        Some(format) => Ok(format),
        None => name_hint
            .and_then(format_of_name)
            .ok_or_else(|| ImportError::new(None, None, Problem::Empty)),
    }
}

/// The format a file name suggests, by its extension.
pub fn format_of_name(name: &str) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".ndjson") || lower.ends_with(".jsonl") {
        Some(Format::Native)
    } else if lower.ends_with(".json") {
        Some(Format::Chrome)
    } else {
        None
    }
}

/// Decides the format from the first record; `None` for an input with nothing in it.
fn sniff(text: &str) -> Result<Option<Format>, ImportError> {
    let (body, _) = read::strip_bom(text);
    let trimmed = body.trim_start();
    let unknown = |seen: String| ImportError::new(None, None, Problem::UnknownFormat { seen });
    match trimmed.as_bytes().first() {
        None => Ok(None),
        Some(b'[') => {
            let after = trimmed[1..].trim_start();
            if after.is_empty() || after.starts_with(']') {
                return Ok(Some(Format::Chrome)); // an empty trace; Chrome's array form
            }
            let mut de = serde_json::Deserializer::from_str(after);
            de.disable_recursion_limit();
            let first = <Value as serde::Deserialize>::deserialize(&mut de).map_err(|_| {
                unknown("a JSON array whose first element is not valid JSON".to_owned())
            })?;
            match &first {
                Value::Object(o) if o.contains_key("ph") => Ok(Some(Format::Chrome)),
                Value::Object(o) if is_original(o) => Ok(Some(Format::Original)),
                Value::Object(o) if is_native(o) => Ok(Some(Format::Native)),
                other => Err(unknown(format!(
                    "an array starting with {}",
                    error::describe(other)
                ))),
            }
        }
        Some(b'{') => {
            // The keys of the first object (of a document or of JSON Lines), as far as it
            // parses: a broken document still tells its format by the keys before the break,
            // and its own importer then reports the break with its position.
            let keys = std::cell::RefCell::new(Vec::new());
            let mut de = serde_json::Deserializer::from_str(trimmed);
            de.disable_recursion_limit();
            let read = serde::Deserializer::deserialize_map(&mut de, KeySniffer(&keys));
            let keys = keys.into_inner();
            if let Err(e) = read {
                if !keys.iter().any(|k| MARKER_KEYS.contains(&k.as_str())) {
                    let base = read::offset_in(text, trimmed);
                    return Err(ImportError::from_json(
                        Format::Native,
                        text.as_bytes(),
                        base,
                        "",
                        &e,
                    )
                    .without_format());
                }
            }
            let has = |k: &str| keys.iter().any(|x| x == k);
            if has("resourceSpans") {
                Ok(Some(Format::Otlp))
            } else if has("traceEvents") {
                Ok(Some(Format::Chrome))
            } else if has("timestamp_ns") && has("kind") {
                Ok(Some(Format::Native))
            } else if has("type") && has("phase") {
                Ok(Some(Format::Original))
            } else {
                let mut shown = keys.clone();
                shown.truncate(6);
                Err(unknown(format!(
                    "an object with the keys {}",
                    if shown.is_empty() {
                        "(none)".to_owned()
                    } else {
                        shown.join(", ")
                    }
                )))
            }
        }
        Some(_) => {
            let mut seen: String = trimmed.chars().take(24).collect();
            if seen.len() < trimmed.len() {
                seen.push('…');
            }
            Err(unknown(format!("text starting {seen:?}")))
        }
    }
}

/// Keys that tell a format apart (see [`sniff`]).
const MARKER_KEYS: [&str; 4] = ["resourceSpans", "traceEvents", "timestamp_ns", "type"];

/// Records the keys of a JSON object as they are read, skipping the values.
struct KeySniffer<'a>(&'a std::cell::RefCell<Vec<String>>);

impl<'de> serde::de::Visitor<'de> for KeySniffer<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            self.0.borrow_mut().push(key);
            map.next_value::<serde::de::IgnoredAny>()?;
        }
        Ok(())
    }
}

fn is_original(o: &serde_json::Map<String, Value>) -> bool {
    o.contains_key("type") && o.contains_key("phase")
}

fn is_native(o: &serde_json::Map<String, Value>) -> bool {
    o.contains_key("kind") && o.contains_key("timestamp_ns")
}

impl ImportError {
    fn without_format(mut self) -> Self {
        self.format = None;
        self
    }
}

/// Writes `events` as lineage NDJSON (lossless; see [`native`]).
pub fn export_ndjson(events: &[Event]) -> String {
    native::export(events)
}

/// Writes `events` as a Chrome trace for Perfetto and chrome://tracing (see [`chrome`]).
pub fn export_chrome(events: &[Event]) -> String {
    chrome::export(events)
}

/// Writes `events` in `format`.
pub fn export(format: ExportFormat, events: &[Event]) -> String {
    match format {
        ExportFormat::Ndjson => export_ndjson(events),
        ExportFormat::Chrome => export_chrome(events),
        ExportFormat::Otlp => otlp_export::export(events),
    }
}

/// Fills `root_id` and `lineage_id` of events whose importer only knew parent links: the root
/// is the topmost ancestor reachable through `parent_id` inside `events` (a missing parent
/// makes the event its own subtree's root; an end event follows its `start_id`), the lineage
/// is derived from the root. Cycles are
/// walked once: the event where a walk meets itself is taken as the root of its loop.
pub(crate) fn link_roots(events: &mut [Event]) {
    let mut index: IdMap<usize> = IdMap::default();
    for (i, e) in events.iter().enumerate() {
        index.entry(e.id).or_insert(i);
    }
    const UNKNOWN: usize = usize::MAX;
    const ON_PATH: usize = usize::MAX - 1;
    let mut root = vec![UNKNOWN; events.len()];
    let mut path = Vec::new();
    for i in 0..events.len() {
        let mut cur = i;
        let found = loop {
            match root[cur] {
                UNKNOWN => {}
                ON_PATH => break cur, // a cycle: close it here
                r => break r,
            }
            root[cur] = ON_PATH;
            path.push(cur);
            // An end event belongs where its start does (a root's end has no parent).
            let e = &events[cur];
            let up = e
                .start_id
                .and_then(|s| index.get(&s).copied())
                .or_else(|| e.parent_id.and_then(|p| index.get(&p).copied()));
            match up {
                Some(p) if p != cur => cur = p,
                _ => break cur,
            }
        };
        for p in path.drain(..) {
            root[p] = found;
        }
    }
    for i in 0..events.len() {
        let r = root[i];
        let root_id = events[r].id;
        events[i].root_id = root_id;
        events[i].lineage_id = lineage_of(root_id);
    }
}

/// The lineage id derived from a root id: the root id with its bits inverted, so it is
/// deterministic, distinct from every event id we make, and reversible.
pub(crate) fn lineage_of(root: Uuid) -> Uuid {
    Uuid::from_u128(!root.as_u128())
}
