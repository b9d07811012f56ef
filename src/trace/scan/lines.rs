//! # The line layout
//!
//! NDJSON and JSON Lines: one record per non-blank line. Newlines are found with `memchr`
//! (in wasm32 with words, `words.rs`);
//! a line split between chunks waits in `pending`. A line is checked for depth before it is
//! handed over (only a line with more brackets than the limit can nest past it), so nothing
//! recursive ever sees a line nested too deep.

use super::{words, Position, Sink, Splitter};
use crate::trace::error::{ImportError, Problem};

impl Splitter {
    pub(super) fn feed_lines(
        &mut self,
        chunk: &[u8],
        each: &mut Sink<'_>,
    ) -> Result<(), ImportError> {
        let base = self.byte;
        let mut pos = 0;
        while let Some(k) = words::newline(&chunk[pos..]) {
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
    pub(super) fn emit_line(
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
        // Only a line with more brackets than the limit can nest past it, and only a line
        // longer than the limit can hold that many: most lines are not counted at all.
        if line.len() > self.max_depth && words::openers(line) > self.max_depth {
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
