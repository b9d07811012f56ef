//! # Telling the formats apart
//!
//! The format is decided from the first record, read from the start of the input: the keys
//! of the first object, or the first element of an array. A streaming import sniffs the
//! bytes it has so far and asks for more ([`Sniff::NeedMore`]) until the answer is certain,
//! so a Chrome document is recognised by its `traceEvents` key long before its end.

use std::cell::RefCell;
use std::fmt;

use serde_json::Value;

use super::error::{self, ImportError, Problem};
use super::scan::Layout;
use super::{read, Format};

/// What the bytes so far say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sniff {
    /// This format.
    Is(Format),
    /// Nothing but whitespace (so far, if the input is not finished).
    Empty,
    /// Not enough bytes to tell yet.
    NeedMore,
}

/// The byte-order mark's length at the start of `text` (0 or 3).
pub(crate) fn bom_len(text: &[u8]) -> usize {
    if text.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    }
}

/// Decides the format from the start of the input, `text` (all of it if `finished`).
pub(crate) fn sniff(text: &str, finished: bool) -> Result<Sniff, ImportError> {
    let body = &text[bom_len(text.as_bytes())..];
    let trimmed = body.trim_start();
    let unknown = |seen: String| ImportError::new(None, None, Problem::UnknownFormat { seen });
    let need_more = |certain: Result<Sniff, ImportError>| {
        if finished {
            certain
        } else {
            Ok(Sniff::NeedMore)
        }
    };
    match trimmed.as_bytes().first() {
        None if finished => Ok(Sniff::Empty),
        None => Ok(Sniff::NeedMore),
        Some(b'[') => {
            let after = trimmed[1..].trim_start();
            if after.starts_with(']') {
                return Ok(Sniff::Is(Format::Chrome)); // an empty trace; Chrome's array form
            }
            if after.is_empty() {
                return need_more(Ok(Sniff::Is(Format::Chrome)));
            }
            let mut de = serde_json::Deserializer::from_str(after);
            de.disable_recursion_limit();
            let first = match <Value as serde::Deserialize>::deserialize(&mut de) {
                // A value that ends where the text so far ends may go on (a number's digits
                // cut by a chunk boundary read as a smaller number: the fuzz target
                // `import_chunked` found 100 digits described as 90).
                Ok(Value::Number(_)) if !finished && runs_to_the_end(after) => {
                    return Ok(Sniff::NeedMore)
                }
                Ok(v) => v,
                Err(e) if e.is_eof() && !finished => return Ok(Sniff::NeedMore),
                Err(_) => {
                    return Err(unknown(
                        "a JSON array whose first element is not valid JSON".to_owned(),
                    ))
                }
            };
            match &first {
                Value::Object(o) if o.contains_key("ph") => Ok(Sniff::Is(Format::Chrome)),
                Value::Object(o) if o.contains_key("type") && o.contains_key("phase") => {
                    Ok(Sniff::Is(Format::Abstractions))
                }
                Value::Object(o) if o.contains_key("kind") && o.contains_key("timestamp_ns") => {
                    Ok(Sniff::Is(Format::Native))
                }
                other => Err(unknown(format!(
                    "an array starting with {}",
                    error::describe(other)
                ))),
            }
        }
        Some(b'{') => sniff_object(text, trimmed, finished),
        Some(_) => {
            let mut seen: String = trimmed.chars().take(24).collect();
            if seen.len() < trimmed.len() {
                seen.push('…');
            } else if !finished {
                return Ok(Sniff::NeedMore);
            }
            Err(unknown(format!("text starting {seen:?}")))
        }
    }
}

/// Whether the number `text` begins with reaches its end (the only value whose end the text
/// so far cannot show: a string, array or object closes, a literal is whole or an error).
fn runs_to_the_end(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
}

/// Whether serde's error `e` is on the last byte of `text`: the text so far may end inside a
/// value that goes on. Values the sniffer skips are read by serde's ignoring path, which calls
/// a number cut after its `.`, `e` or sign "invalid number", not "EOF while parsing" (the
/// fuzz target `import_chunked` found it: chunks of 2 bytes reported a number of the first
/// object as invalid where the whole input read on to a real error 200 bytes later).
fn ends_the_text(text: &str, e: &serde_json::Error) -> bool {
    let line_start = match e.line() {
        0 | 1 => 0,
        n => text
            .match_indices('\n')
            .nth(n - 2)
            .map_or(text.len(), |(i, _)| i + 1),
    };
    line_start + e.column() >= text.len()
}

/// The keys of the first object (of a document or of JSON Lines), as far as it parses: a
/// broken document still tells its format by the keys before the break, and its own importer
/// then reports the break with its position.
fn sniff_object(text: &str, trimmed: &str, finished: bool) -> Result<Sniff, ImportError> {
    let keys = RefCell::new(Vec::new());
    let mut de = serde_json::Deserializer::from_str(trimmed);
    de.disable_recursion_limit();
    let read = serde::Deserializer::deserialize_map(&mut de, KeySniffer(&keys));
    let keys = keys.into_inner();
    let has = |k: &str| keys.iter().any(|x| x == k);
    if let Err(e) = read {
        // Keys that only one format has decide at once, even mid-document.
        if has("resourceSpans") {
            return Ok(Sniff::Is(Format::Otlp));
        }
        if has("traceEvents") {
            return Ok(Sniff::Is(Format::Chrome));
        }
        if !finished && (e.is_eof() || ends_the_text(trimmed, &e)) {
            return Ok(Sniff::NeedMore);
        }
        if !keys.iter().any(|k| MARKER_KEYS.contains(&k.as_str())) {
            let base = read::offset_in(text, trimmed);
            let mut err = ImportError::from_json(Format::Native, text.as_bytes(), base, "", &e);
            err.format = None;
            return Err(err);
        }
    }
    if has("resourceSpans") {
        Ok(Sniff::Is(Format::Otlp))
    } else if has("traceEvents") {
        Ok(Sniff::Is(Format::Chrome))
    } else if has("timestamp_ns") && has("kind") {
        Ok(Sniff::Is(Format::Native))
    } else if has("type") && has("phase") {
        Ok(Sniff::Is(Format::Abstractions))
    } else {
        let mut shown = keys.clone();
        shown.truncate(6);
        Err(ImportError::new(
            None,
            None,
            Problem::UnknownFormat {
                seen: format!(
                    "an object with the keys {}",
                    if shown.is_empty() {
                        "(none)".to_owned()
                    } else {
                        shown.join(", ")
                    }
                ),
            },
        ))
    }
}

/// Keys that tell a format apart (see [`sniff`]).
const MARKER_KEYS: [&str; 4] = ["resourceSpans", "traceEvents", "timestamp_ns", "type"];

/// Records the keys of a JSON object as they are read, skipping the values.
struct KeySniffer<'a>(&'a RefCell<Vec<String>>);

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

/// Bytes of an OTLP input's first line past which it is read span by span without waiting
/// for the line's end (see [`layout`]).
const LONG_FIRST_LINE: usize = 256 << 10;

/// How `format` is cut into records, judged from the start of the input (`None`: the first
/// line is not complete yet). Arrays by element; Chrome documents by `traceEvents` element;
/// the line formats by line when the first line is a complete value, else as one document
/// (OTLP: by span, see [`Layout::Spans`]).
pub(crate) fn layout(format: Format, text: &str, finished: bool) -> Option<Layout> {
    let body = &text[bom_len(text.as_bytes())..];
    let trimmed = body.trim_start_matches(|c: char| c.is_ascii_whitespace());
    if trimmed.starts_with('[') {
        return Some(Layout::Array);
    }
    if format == Format::Chrome {
        return Some(Layout::Keyed("traceEvents"));
    }
    let newline = trimmed.find('\n');
    // A first line this long is one document on one line (or a JSON Lines file of huge
    // lines): waiting for its end would gather all of it here, and read it as one record.
    // The span cut reads it, and any lines after it, as documents.
    if format == Format::Otlp && newline.unwrap_or(trimmed.len()) >= LONG_FIRST_LINE {
        return Some(Layout::Spans);
    }
    let first = match newline {
        Some(n) => &trimmed[..n],
        None if finished => trimmed,
        None => return None,
    };
    if read::is_complete_value(first) {
        Some(Layout::Lines)
    } else if format == Format::Otlp {
        Some(Layout::Spans)
    } else {
        Some(Layout::Document)
    }
}

#[cfg(test)]
mod tests {
    use super::{sniff, Sniff};

    /// A value cut by the end of what has arrived asks for more, however serde names the
    /// cut; the same text as the whole input is an error.
    #[test]
    fn a_value_cut_at_the_end_so_far_asks_for_more() {
        for cut in [
            "{\"a\": 40.",
            "{\"a\": 40.1e-",
            "{\"a\": -",
            "{\"a\":\n  [1, 2.",
            "[12345",
            "[{\"ph\": \"X\", \"ts\": 1.",
        ] {
            assert!(
                matches!(sniff(cut, false), Ok(Sniff::NeedMore)),
                "{cut:?} asked for no more"
            );
            assert!(
                !matches!(sniff(cut, true), Ok(Sniff::NeedMore)),
                "{cut:?} whole"
            );
        }
        // An error before the end is one, whatever follows.
        assert!(sniff("{\"a\": 1.x, \"b\": 2", false).is_err());
        assert!(sniff("[12345 {", false).is_err());
    }
}
