//! # Reading JSON safely
//!
//! What every importer shares: the limits and budgets, and typed parsing of one record whose
//! errors carry an absolute position and a field path. (Splitting the input into records is
//! [`super::scan`]'s job.)
//!
//! ## Budgets, not file sizes
//! What an import costs is set by the events it keeps, not by the bytes of the file: an
//! 18-byte Chrome event (`{"ph":"X","ts":0}`) becomes two events of a few hundred bytes each,
//! while a 450-byte NDJSON event becomes one. So the limits that matter are on events
//! ([`Limits::max_events`]) and on the memory the events hold ([`Limits::max_retained_bytes`]),
//! both checked as each event arrives. The byte limit stays as a sanity bound, counted while
//! reading (a pipe or `/dev/zero` has no size to check up front).
//!
//! ## Why our own depth limit
//! serde_json refuses documents nested deeper than 128 levels by default, with the message
//! "recursion limit exceeded". Real payloads (the original's free-form `metadata`, OTLP's
//! `kvlistValue`s) may legitimately nest deeper than that, so we lift serde_json's limit
//! (`disable_recursion_limit`, feature `unbounded_depth`) and instead measure the nesting with
//! the byte scanner that splits records, before the record is parsed: deeper than the limit
//! ([`MAX_DEPTH`], 1 000, unless the caller's [`Limits`] say otherwise) is refused with the
//! position where the limit is crossed.
//!
//! ## Depth of the trace's values, whatever the format
//! [`Limits::max_depth`] bounds how deep the trace's *values* nest (a payload field, an
//! OTLP attribute), counted as lineage NDJSON spells them. Other formats spell the same
//! value deeper: a Chrome trace puts the payload under `traceEvents[].args.start.payload`
//! (four levels more than NDJSON), and OTLP writes every level of a value as an
//! `AnyValue` wrapper (`{"kvlistValue":{"values":[{"key":..,"value":` is four JSON levels
//! per level of the object). The scanner's limit on JSON nesting is scaled accordingly
//! ([`scan_depth`]), so every trace `convert` writes from a trace it could read reads back,
//! and the bound stays linear in the limit. In the page (wasm32, one 1 MB stack) OTLP is
//! not scaled: its typed attribute values cost the most stack per JSON level.
//!
//! ## The stack that depth needs
//! Parsing, cloning, comparing and dropping a `serde_json::Value` recurse once per level.
//! Measured here on x86-64 for a document nested to the limit, through import, inspection
//! and export: about 4 KB of stack per level in an unoptimised build (8 KB for OTLP attribute
//! values, whose typed form recurses through three structs per level) and about a fifth of
//! that optimised. So 1 000 levels need up to 8 MB unoptimised: the command line runs its
//! work on a thread with [`STACK_FOR_MAX_DEPTH`] bytes of stack. A wasm32 module has one
//! stack, 1 MB by default: the UI should either link with a larger one (`-C
//! link-arg=-zstack-size=...`) or pass a lower `max_depth` (256 fits 1 MB in either build).

use serde::de::{Deserialize, IgnoredAny};

use super::error::ImportError;
use super::scan::Entry;
use super::Format;

/// The largest input we read natively: 4 GB, a sanity bound counted while reading. The
/// event budget (5 M events, at 450 bytes each as `lineage simulate` writes them: 2.25 GB)
/// is reached first by any real trace.
pub const MAX_INPUT_BYTES: u64 = 4_000_000_000;

/// The deepest nesting of JSON arrays and objects we read.
pub const MAX_DEPTH: usize = 1_000;

/// Stack for a thread that imports, inspects and exports documents nested to [`MAX_DEPTH`]
/// in any build (see the module docs for the measurement); 64 MB of address space, of which
/// only what is touched is ever backed by memory.
pub const STACK_FOR_MAX_DEPTH: usize = 64 << 20;

/// The limits an import enforces while it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes read, at most (counted as they arrive).
    pub max_bytes: u64,
    /// Nesting of arrays and objects, at most.
    pub max_depth: usize,
    /// Events kept, at most.
    pub max_events: u64,
    /// Bytes held for the events (the sink's estimate plus what the importer holds back,
    /// such as a Chrome trace's open slices), at most. One record may not be larger either.
    pub max_retained_bytes: u64,
}

impl Limits {
    /// Natively: 4 GB read, 1 000 levels, 5 M events, 1 GiB held. Five million events is
    /// where the event store (about 160 bytes an event) stays under 1 GiB; a plain
    /// `Vec<Event>` (about 500 bytes an event) reaches the memory budget near 2 M events.
    pub const DEFAULT: Limits = Limits {
        max_bytes: MAX_INPUT_BYTES,
        max_depth: MAX_DEPTH,
        max_events: 5_000_000,
        max_retained_bytes: 1 << 30,
    };

    /// In the page: 2 M events and 400 MiB held, so that the trace, its inspection and the
    /// UI stay well inside what a browser tab gives a wasm32 module (4 GiB of address
    /// space, often less before the tab is killed); 256 levels, because a wasm32 module has
    /// one 1 MB stack (see the module docs). The byte bound is only a sanity check: the page
    /// reads the file in slices and never holds it.
    pub const BROWSER: Limits = Limits {
        max_bytes: 2_000_000_000,
        max_depth: 256,
        max_events: 2_000_000,
        max_retained_bytes: 400 << 20,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Levels a Chrome trace adds around a payload beyond lineage NDJSON's own, with room.
const CHROME_ENVELOPE: usize = 8;
/// JSON levels of OTLP per level of a value (`AnyValue`, `kvlistValue`, `values`,
/// `KeyValue`), and the levels of its envelope (`resourceSpans` to `attributes`), with room.
const OTLP_LEVELS_PER_VALUE: usize = 4;
const OTLP_ENVELOPE: usize = 16;

/// The JSON nesting the scanner allows in `format` for values nested `max_depth` deep (see
/// the module docs). Natively a document nested that deep needs [`STACK_FOR_MAX_DEPTH`].
pub fn scan_depth(format: Format, max_depth: usize) -> usize {
    match format {
        Format::Chrome => max_depth.saturating_add(CHROME_ENVELOPE),
        Format::Otlp if !cfg!(target_arch = "wasm32") => max_depth
            .saturating_mul(OTLP_LEVELS_PER_VALUE)
            .saturating_add(OTLP_ENVELOPE),
        _ => max_depth,
    }
}

/// Parses one record as a `T`, with serde_json's recursion limit lifted (the scanner checked
/// ours) and the failing field's path (after `prefix`, such as `traceEvents[3]`) and absolute
/// position in the error.
pub(crate) fn parse_record<'a, T: Deserialize<'a>>(
    format: Format,
    record: &Entry<'a>,
    prefix: impl FnOnce() -> String,
) -> Result<T, ImportError> {
    let text = record.text;
    let located = |path: &str, e: &serde_json::Error| {
        let mut err = ImportError::from_json(format, text.as_bytes(), 0, path, e);
        err.at = err.at.map(|p| p.shifted(record.at));
        err
    };
    // The fast path: plain serde_json. Only a record that fails is parsed again with
    // serde_path_to_error, whose path tracking costs about a fifth of the parse.
    if let Ok(value) = from_str_deep(text) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.path().to_string();
        let prefix = prefix();
        let path = match (prefix.is_empty(), inner.as_str()) {
            (true, p) => p.to_owned(),
            (false, "." | "") => prefix.to_owned(),
            (false, p) if p.starts_with('[') => format!("{prefix}{p}"),
            (false, p) => format!("{prefix}.{p}"),
        };
        located(&path, e.inner())
    })?;
    de.end().map_err(|e| located("", &e))?;
    Ok(value)
}

/// Whether `slice` is one complete JSON value (checked without building it).
pub(crate) fn is_complete_value(slice: &str) -> bool {
    let mut de = serde_json::Deserializer::from_str(slice);
    de.disable_recursion_limit();
    IgnoredAny::deserialize(&mut de).is_ok() && de.end().is_ok()
}

/// Whether `slice` is valid JSON as far as it goes but ends before its value does: what a
/// record cut off by a crash looks like.
pub(crate) fn ends_early(slice: &str) -> bool {
    let mut de = serde_json::Deserializer::from_str(slice);
    de.disable_recursion_limit();
    match IgnoredAny::deserialize(&mut de) {
        Err(e) => e.classify() == serde_json::error::Category::Eof,
        Ok(_) => false,
    }
}

/// The byte offset of `part` inside `whole` (`part` must be a sub-slice of it).
pub(crate) fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

/// Parses `text` as a `T` with serde_json's recursion limit lifted (nesting was checked when
/// the record holding `text` was scanned).
pub(crate) fn from_str_deep<'a, T: Deserialize<'a>>(text: &'a str) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let value = T::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}
