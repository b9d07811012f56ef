//! # Characters cut by a chunk boundary or by the end of the input
//!
//! The importer is fed bytes in chunks of any size, so a multi-byte UTF-8 character can be
//! split between two chunks: its first bytes wait in `utf8_tail` until the rest arrives. The
//! input can also end inside a character (a trace cut off by a crash): that is a cut-off
//! last record like a cut between two characters, not a file that is not text.
//!
//! ## Validated once
//! Every record is checked for UTF-8 when it is cut out (`scan::Splitter`'s `emit`, which
//! places the error on the bad byte). In the lines layout every byte that is not whitespace
//! belongs to some line, so checking the whole chunk here as well was the same work twice
//! (callgrind, 2026-12-06: ~260 instructions per event of a lineage NDJSON import). There,
//! a chunk is only cut before a character the chunk boundary splits; the other layouts
//! (whose bytes between records are read by the splitter, not checked by `emit`) and the
//! first bytes, while the format is sniffed, are still checked whole here.

use super::{feed_records, Importer, Stage};
use crate::model::sink::EventSink;
use crate::trace::error::{ImportError, Position, Problem};
use crate::trace::scan::Layout;

impl<S: EventSink> Importer<S> {
    /// Passes the whole characters of `chunk` on, completing one split by the last chunk
    /// boundary first and holding back one split by the next.
    pub(super) fn feed_characters(&mut self, mut chunk: &[u8]) -> Result<(), ImportError> {
        // Complete a character split by the last chunk boundary first.
        if !self.utf8_tail.is_empty() {
            let want = utf8_width(self.utf8_tail[0]).saturating_sub(self.utf8_tail.len());
            let take = want.min(chunk.len());
            self.utf8_tail.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if take < want {
                return Ok(());
            }
            let tail = std::mem::take(&mut self.utf8_tail);
            if self.reads_lines() {
                // Checked with its line, like every other byte of the lines layout: an
                // error is then placed on the line's first bad byte, which may come before
                // this character (a fuzzer's find: chunks of 91 bytes placed it 52 bytes
                // late, on the character the chunk boundary split).
                self.feed_text(&tail, None)?;
            } else {
                let Ok(text) = std::str::from_utf8(&tail) else {
                    return Err(self.not_utf8());
                };
                self.feed_text(&tail, Some(text))?;
            }
        }
        if self.reads_lines() {
            let whole = chunk.len() - split_character(chunk);
            self.utf8_tail.extend_from_slice(&chunk[whole..]);
            return self.feed_text(&chunk[..whole], None);
        }
        // `swar::utf8`: the standard check's verdict and error, ASCII 32 bytes a step (a
        // Chrome or OTLP chunk is nearly always ASCII: ~270 instructions an event of our
        // Chrome export with the standard check, callgrind, 2026-12-06).
        match crate::trace::swar::utf8(chunk) {
            Ok(text) => self.feed_text(chunk, Some(text)),
            Err(e) => {
                let (good, rest) = chunk.split_at(e.valid_up_to());
                self.feed_text(good, None)?;
                match e.error_len() {
                    None => {
                        self.utf8_tail.extend_from_slice(rest);
                        Ok(())
                    }
                    Some(_) => Err(self.not_utf8()),
                }
            }
        }
    }

    /// Reading the lines layout, whose every byte is checked with its line (module docs).
    fn reads_lines(&self) -> bool {
        matches!(&self.stage, Stage::Reading(r) if matches!(r.layout, Layout::Lines))
    }

    /// The error for bytes that are not UTF-8, placed where reading stands.
    pub(super) fn not_utf8(&self) -> ImportError {
        let at = match &self.stage {
            Stage::Sniffing(buf) => Position::of_byte(buf, buf.len()).shifted(self.lead),
            Stage::Reading(r) => r.splitter.here(),
        };
        ImportError::new(
            self.forced.or(match &self.stage {
                Stage::Reading(r) => Some(r.format),
                Stage::Sniffing(_) => None,
            }),
            Some(at),
            Problem::Syntax {
                detail: "the input is not UTF-8 text".to_owned(),
            },
        )
    }

    /// The end of the input came inside a character (a trace cut off by a crash in the
    /// middle of a multi-byte character): its first bytes go to the record they end, which
    /// is then cut off like any other (dropped with a note, or an error when strict), instead
    /// of the whole input being refused as not UTF-8. Bytes that can begin no character
    /// are still refused.
    pub(super) fn end_inside_a_character(&mut self) -> Result<(), ImportError> {
        let tail = std::mem::take(&mut self.utf8_tail);
        if tail.is_empty() {
            return Ok(());
        }
        let nothing_before = matches!(&self.stage, Stage::Sniffing(buf) if buf.is_empty());
        match std::str::from_utf8(&tail) {
            Err(e) if e.error_len().is_none() && !nothing_before => {}
            // Judged with its line, which may hold an earlier bad byte: the error is placed
            // there (import_chunked: bytes held back as a character were refused at their
            // own place, 125 bytes after the line's first bad one).
            _ if self.reads_lines() => {}
            _ => return Err(self.not_utf8()),
        }
        match &mut self.stage {
            Stage::Reading(reading) => {
                feed_records(reading, &mut self.out, self.strict, &tail, None)
            }
            Stage::Sniffing(buf) => {
                buf.extend_from_slice(&tail);
                Ok(())
            }
        }
    }
}

/// How many bytes at the end of `chunk` begin a character that does not end in it: the
/// last byte that can begin a multi-byte character, if it is among the last three and
/// fewer bytes than its width follow. (Whether they are a valid character is judged when
/// the rest arrives, or by the line they end.)
fn split_character(chunk: &[u8]) -> usize {
    let from = chunk.len().saturating_sub(3);
    match chunk[from..].iter().rposition(|&b| b >= 0xC0) {
        Some(k) if chunk.len() - (from + k) < utf8_width(chunk[from + k]) => {
            chunk.len() - (from + k)
        }
        _ => 0,
    }
}

/// The length of the UTF-8 sequence that starts with `first`.
fn utf8_width(first: u8) -> usize {
    match first {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}
