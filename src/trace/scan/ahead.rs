//! # A record read where it starts, its end found on the way
//!
//! The splitter used to find each record's end (`element_len`, about 2 800 instructions a
//! trace event of our own Chrome export, callgrind 2026-12-06) and only then hand it over,
//! so the purpose-built reader read every byte a second time. A reader that understands the
//! record finds its end anyway: given the rest of the chunk from the record's first byte
//! ([`Ahead`]), it reads one JSON value and says how long it was. The splitter takes that
//! answer only where it is provably the one it would have found itself:
//!
//! - the value is followed, after JSON whitespace, by the `,` or `]` that ends an element at
//!   the records' depth ([`Ahead::entry`] checks it before the reader acts on the record), so
//!   the record's text is the one `emit` would have cut (which trims the whitespace after it);
//! - the reader accepts a value only if it is valid JSON, and a valid JSON value's end is
//!   fixed by its first byte, so the state machine would have ended the element there too;
//! - the value nests less than the splitter's depth limit allows (the splitter asks only
//!   when its room is at least [`READ_AHEAD_DEPTH`], more than any reader accepts);
//! - newlines in it are counted by the splitter afterwards, so positions stay exact.
//!
//! Anything else (a reader that declines, a value the chunk cuts, something after the value
//! that is not `,` or `]`) and the splitter scans the record as before: nothing was done.

use super::Entry;
use super::Place;
use crate::trace::error::{ImportError, Position};

/// The nesting a reader may accept in a record read ahead, at most: the splitter asks only
/// where its depth limit leaves at least this much room (the skimmer stops at 64 levels, the
/// NDJSON line reader at a few, inside a record's own few).
pub(crate) const READ_AHEAD_DEPTH: usize = crate::trace::skim::MAX_NESTING as usize + 16;

#[cfg(all(test, not(target_arch = "wasm32")))]
thread_local! {
    /// Tests import a file both ways: with this set, no record is read ahead.
    pub(crate) static NEVER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the splitter offers records to be read ahead (always, but in tests that read a
/// file both ways).
#[inline(always)]
pub(super) fn offered() -> bool {
    #[cfg(all(test, not(target_arch = "wasm32")))]
    return !NEVER.get();
    #[cfg(not(all(test, not(target_arch = "wasm32"))))]
    true
}

/// Where the splitter's records go.
pub(crate) trait Records {
    /// A whole record, cut out by the splitter.
    fn record(&mut self, entry: Entry<'_>) -> Result<(), ImportError>;

    /// A record that starts `ahead.rest`: read it and return where its element ends (the
    /// offset in `rest` of the `,` or `]` after it, as [`Ahead::entry`] gives it), or
    /// `None`, having done nothing, to have the splitter cut it out as usual.
    fn ahead(&mut self, ahead: Ahead<'_>) -> Result<Option<usize>, ImportError> {
        let _ = ahead;
        Ok(None)
    }
}

impl<F: FnMut(Entry<'_>) -> Result<(), ImportError>> Records for F {
    fn record(&mut self, entry: Entry<'_>) -> Result<(), ImportError> {
        self(entry)
    }
}

/// The rest of the chunk from a record's first byte, and what its [`Entry`] will say.
pub(crate) struct Ahead<'a> {
    pub rest: &'a str,
    pub at: Position,
    pub index: usize,
    pub place: Place,
}

impl<'a> Ahead<'a> {
    /// The record that is the first `len` bytes of `rest`, if after it (and JSON whitespace)
    /// comes the `,` or `]` that ends an element; with that byte's offset in `rest`.
    #[inline]
    pub(crate) fn entry(&self, len: usize) -> Option<(Entry<'a>, usize)> {
        let b = self.rest.as_bytes();
        let mut end = len;
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = b.get(end) {
            end += 1;
        }
        if !matches!(b.get(end)?, b',' | b']') || len == 0 {
            return None;
        }
        let entry = Entry {
            text: self.rest.get(..len)?,
            at: self.at,
            index: self.index,
            cut: false,
            len,
            place: self.place,
        };
        Some((entry, end))
    }
}
