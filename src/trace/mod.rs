//! # Traces in and out
//!
//! Reading other tools' traces and writing ours for them. Plain Rust, no web dependency: the
//! command line and the inspector UI call the same functions.
//!
//! | format | read | write | module |
//! |---|---|---|---|
//! | lineage NDJSON: one [`Event`] per line, lossless | ✓ | ✓ | [`native`] |
//! | the Python original's `EventSerializer.to_dict` dumps (lines or an array) | ✓ | | [`abstractions`] |
//! | Chrome Trace Event Format (Perfetto, chrome://tracing) | ✓ | ✓ | [`chrome`] |
//! | OTLP JSON `TracesData`, one document or JSON Lines | ✓ | ✓ | [`otlp`], [`otlp_export`] |
//!
//! Every import streams ([`stream`]): an [`Importer`] is fed the input in chunks, tells the
//! format from the first bytes (`sniff`), cuts the input into records (`scan`) and pushes
//! each event into an `EventSink` (`sink`) as soon as it is complete, within budgets on
//! events and memory ([`Limits`]). [`import`] is the convenience for bytes already in
//! memory: it collects into a `Vec` and gives an [`Imported`]. Either way nothing a caller
//! holds is touched until the import succeeds, so a caller that swaps its open trace for the
//! result only on `Ok` never loses what it had.
//!
//! ## Hostile input
//! Inputs over the byte bound, nested deeper than [`MAX_DEPTH`], or over the event or memory
//! budget are stopped while they are read (see `read` for why our own depth limit replaces
//! serde_json's 128). Errors name the format, the position and what was expected
//! ([`ImportError`]). Parent cycles and duplicate ids are kept as read and reported by the
//! inspector's lints; the importers that derive roots from parent links walk them with a
//! visited set, never forever.
//!
//! ```
//! let events = vec![lineage::core::Event::root("processing", lineage::core::Phase::Started)];
//! let text = lineage::trace::export_ndjson(&events);
//! let back = lineage::trace::import(text.as_bytes(), Some("run.ndjson")).unwrap();
//! assert_eq!(back.events, events);
//! ```

pub mod abstractions;
pub(crate) mod carry;
pub mod chrome;
pub(crate) mod error;
pub mod native;
pub(crate) mod notice;
pub mod otlp;
pub mod otlp_export;
pub(crate) mod progress;
pub(crate) mod read;
pub(crate) mod scan;
pub(crate) mod skim;
pub(crate) mod sniff;
pub(crate) mod source;
pub(crate) mod step_sort;
pub mod stream;
pub(crate) mod swar;
pub(crate) mod time_order;

use std::fmt;

use uuid::Uuid;

pub use error::{Budget, ImportError, Position, Problem};
pub use progress::{Progress, ReadTimes};
pub use read::{scan_depth, Limits, MAX_DEPTH, MAX_INPUT_BYTES, STACK_FOR_MAX_DEPTH};
#[cfg(not(target_arch = "wasm32"))]
pub use stream::{read_all, ReadError};
pub use stream::{Finished, Finishing, Importer};

use crate::core::ids::IdMap;
use crate::core::Event;
use crate::model::{EventLog, EventVec, Spans};

/// The formats we read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// lineage's own NDJSON, one [`Event`] per line.
    Native,
    /// The Python original's `EventSerializer.to_dict` objects, per line or in an array.
    Abstractions,
    /// Chrome Trace Event Format, an array or `{"traceEvents": [...]}`.
    Chrome,
    /// OpenTelemetry `TracesData` as OTLP JSON, one document or JSON Lines.
    Otlp,
}

impl Format {
    /// Every format we read, for code that tries each in turn (the tests and fuzz
    /// regressions do).
    pub const ALL: [Format; 4] = [
        Format::Native,
        Format::Abstractions,
        Format::Chrome,
        Format::Otlp,
    ];

    /// A short name for flags and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Native => "ndjson",
            Format::Abstractions => "abstractions",
            Format::Chrome => "chrome",
            Format::Otlp => "otlp",
        }
    }

    /// What the format is called in sentences.
    pub const fn title(self) -> &'static str {
        match self {
            Format::Native => "lineage NDJSON trace",
            Format::Abstractions => "abstractions event dump",
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
    /// Records skipped, all kinds together.
    pub fn skipped_total(&self) -> usize {
        self.skipped.iter().map(|(_, n)| n).sum()
    }

    /// A finished import streamed into a `EventLog` (the compact store), in the order
    /// [`import`] promises: the events, with what was skipped and noted (`events` stays
    /// empty: the trace holds them).
    pub fn from_finished_trace(
        done: Finished<crate::model::EventLog>,
    ) -> (Imported, crate::model::EventLog) {
        let trace = match time_order::rank_of(done.format) {
            Some(rank) => time_order::TimeOrder::new(done.sink, rank).run(),
            None => done.sink,
        };
        let imported = Imported {
            format: Some(done.format),
            events: Vec::new(),
            skipped: done.skipped,
            notes: done.notes,
        };
        (imported, trace)
    }

    /// A finished import collected into a `Vec`, in the order [`import`] promises (Chrome
    /// and OTLP: time order; the other formats already are in theirs).
    pub fn from_finished(done: Finished<EventVec>) -> Imported {
        let mut events = done.sink.into_events();
        match done.format {
            Format::Chrome => events.sort_by_key(|e| (e.timestamp_ns, chrome::import::rank(e))),
            Format::Otlp => events.sort_by_key(|e| (e.timestamp_ns, otlp::rank(e))),
            _ => {}
        }
        Imported {
            format: Some(done.format),
            events,
            skipped: done.skipped,
            notes: done.notes,
        }
    }
}

/// Reads `bytes` in whichever format they are in. `name_hint` (a file name) names the format
/// in the error for an empty input.
pub fn import(bytes: &[u8], name_hint: Option<&str>) -> Result<Imported, ImportError> {
    import_with_limits(bytes, name_hint, Limits::DEFAULT)
}

/// [`import`] within other limits (the page uses [`Limits::BROWSER`]).
pub fn import_with_limits(
    bytes: &[u8],
    name_hint: Option<&str>,
    limits: Limits,
) -> Result<Imported, ImportError> {
    let mut importer = Importer::new(EventVec::new(), name_hint, limits);
    importer.feed(bytes)?;
    importer.finish().map(Imported::from_finished)
}

/// Reads `bytes` as `format`, without guessing.
pub fn import_as(format: Format, bytes: &[u8]) -> Result<Imported, ImportError> {
    let mut importer = Importer::with_format(format, EventVec::new(), Limits::DEFAULT);
    importer.feed(bytes)?;
    importer.finish().map(Imported::from_finished)
}

/// The format of `bytes`, judged by their content (`name_hint` decides for empty input).
pub fn detect(bytes: &[u8], name_hint: Option<&str>) -> Result<Format, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ImportError::new(
            None,
            Some(Position::of_byte(bytes, e.valid_up_to())),
            Problem::Syntax {
                detail: "the input is not UTF-8 text".to_owned(),
            },
        )
    })?;
    match sniff::sniff(text, true)? {
        sniff::Sniff::Is(format) => Ok(format),
        _ => name_hint
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

/// Writes the events of `log` in `format` to `out`, as they are held: `spans` are `log`'s own
/// (the page's inspection holds both), so nothing is decoded into a list or paired again, and
/// each line, trace event or span is written as it is made. [`export`] is the same for a list
/// of events, into a `String`.
pub fn write_log(
    format: ExportFormat,
    log: &EventLog,
    spans: &Spans,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    match format {
        ExportFormat::Ndjson => native::write_log(log, out),
        ExportFormat::Chrome => chrome::write_log(log, spans, out),
        ExportFormat::Otlp => otlp_export::write_log(log, spans, out),
    }
}

/// What [`link_roots`] reads and writes of an event: an [`Event`], or an event the listener
/// prepares for its store without building one (`core::store::prepared`).
pub(crate) trait Linkable {
    fn id(&self) -> Uuid;
    fn parent_id(&self) -> Option<Uuid>;
    fn start_id(&self) -> Option<Uuid>;
    fn set_tree(&mut self, root_id: Uuid, lineage_id: Uuid);
    /// The heap it holds besides its own size (what waiting for a parent costs).
    fn heap_bytes(&self) -> usize;
}

impl Linkable for Event {
    fn id(&self) -> Uuid {
        self.id
    }
    fn parent_id(&self) -> Option<Uuid> {
        self.parent_id
    }
    fn start_id(&self) -> Option<Uuid> {
        self.start_id
    }
    fn set_tree(&mut self, root_id: Uuid, lineage_id: Uuid) {
        self.root_id = root_id;
        self.lineage_id = lineage_id;
    }
    fn heap_bytes(&self) -> usize {
        crate::model::sink::heap_bytes(self)
    }
}

/// Fills `root_id` and `lineage_id` of events whose importer only knew parent links: the root
/// is the topmost ancestor reachable through `parent_id` inside `events` (a missing parent
/// makes the event its own subtree's root; an end event follows its `start_id`), the lineage
/// is derived from the root. Cycles are
/// walked once: the event where a walk meets itself is taken as the root of its loop.
// The OTLP importer links in slices (`otlp::leftovers`), tested against this.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn link_roots<E: Linkable>(events: &mut [E]) {
    let mut index: IdMap<usize> = IdMap::default();
    for (i, e) in events.iter().enumerate() {
        index.entry(e.id()).or_insert(i);
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
                .start_id()
                .and_then(|s| index.get(&s).copied())
                .or_else(|| e.parent_id().and_then(|p| index.get(&p).copied()));
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
        let root_id = events[root[i]].id();
        events[i].set_tree(root_id, lineage_of(root_id));
    }
}

/// The lineage id derived from a root id: the root id with its bits inverted, so it is
/// deterministic, distinct from every event id we make, and reversible.
pub(crate) fn lineage_of(root: Uuid) -> Uuid {
    Uuid::from_u128(!root.as_u128())
}
