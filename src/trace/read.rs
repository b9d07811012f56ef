//! # Reading JSON safely
//!
//! What every importer shares: the size and depth limits, UTF-8 checking, splitting an input
//! into records (NDJSON lines, elements of a JSON array, or one document) with their byte
//! offsets, and typed parsing whose errors carry an absolute position and a field path.
//!
//! ## Why our own depth limit
//! serde_json refuses documents nested deeper than 128 levels by default, with the message
//! "recursion limit exceeded". Real payloads (the original's free-form `metadata`, OTLP's
//! `kvlistValue`s) may legitimately nest deeper than that, so we lift serde_json's limit
//! (`disable_recursion_limit`, feature `unbounded_depth`) and instead measure the nesting with
//! one linear, non-recursive pass over the bytes before parsing anything: deeper than the
//! limit ([`MAX_DEPTH`], 1 000, unless the caller's [`Limits`] say otherwise) is refused with
//! the position where the limit is crossed.
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
use serde_json::value::RawValue;

use super::error::{ImportError, Position, Problem};
use super::Format;

/// The largest input we read: 200 MB. Larger files are refused before anything is parsed.
pub const MAX_INPUT_BYTES: u64 = 200_000_000;

/// The deepest nesting of JSON arrays and objects we read.
pub const MAX_DEPTH: usize = 1_000;

/// Stack for a thread that imports, inspects and exports documents nested to [`MAX_DEPTH`]
/// in any build (see the module docs for the measurement); 64 MB of address space, of which
/// only what is touched is ever backed by memory.
pub const STACK_FOR_MAX_DEPTH: usize = 64 << 20;

/// The limits an import enforces before parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_bytes: u64,
    pub max_depth: usize,
}

impl Limits {
    /// 200 MB, 1 000 levels.
    pub const DEFAULT: Limits = Limits {
        max_bytes: MAX_INPUT_BYTES,
        max_depth: MAX_DEPTH,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Checks the size, the encoding and the nesting depth; returns the input as text.
pub(crate) fn checked_text(
    format: Option<Format>,
    input: &[u8],
    limits: Limits,
) -> Result<&str, ImportError> {
    if input.len() as u64 > limits.max_bytes {
        return Err(ImportError::new(
            format,
            None,
            Problem::TooLarge {
                bytes: input.len() as u64,
                limit: limits.max_bytes,
            },
        ));
    }
    let text = std::str::from_utf8(input).map_err(|e| {
        ImportError::new(
            format,
            Some(Position::of_byte(input, e.valid_up_to())),
            Problem::Syntax {
                detail: "the input is not UTF-8 text".to_owned(),
            },
        )
    })?;
    check_depth(format, text, limits.max_depth)?;
    Ok(text)
}

/// One pass over the bytes, counting nesting outside strings. Never recursive, never
/// allocates.
fn check_depth(format: Option<Format>, text: &str, max_depth: usize) -> Result<(), ImportError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
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
                    return Err(ImportError::new(
                        format,
                        Some(Position::of_byte(bytes, i)),
                        Problem::TooDeep { limit: max_depth },
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The text with a leading byte-order mark removed, and how many bytes that was.
pub(crate) fn strip_bom(text: &str) -> (&str, usize) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (text, 0),
    }
}

/// Parses `slice` (which starts at byte `base` of `whole`) as a `T`, with serde_json's
/// recursion limit lifted (our own limit was checked) and the failing field's path and
/// absolute position in the error.
pub(crate) fn parse<'a, T: Deserialize<'a>>(
    format: Format,
    whole: &'a str,
    base: usize,
    slice: &'a str,
) -> Result<T, ImportError> {
    parse_item(format, whole, base, slice, "")
}

/// [`parse`] for an item of a larger document: `prefix` (such as `traceEvents[3]`) is put in
/// front of the field path in errors.
pub(crate) fn parse_item<'a, T: Deserialize<'a>>(
    format: Format,
    whole: &'a str,
    base: usize,
    slice: &'a str,
    prefix: &str,
) -> Result<T, ImportError> {
    let mut de = serde_json::Deserializer::from_str(slice);
    de.disable_recursion_limit();
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.path().to_string();
        let path = match (prefix.is_empty(), inner.as_str()) {
            (true, p) => p.to_owned(),
            (false, "." | "") => prefix.to_owned(),
            (false, p) if p.starts_with('[') => format!("{prefix}{p}"),
            (false, p) => format!("{prefix}.{p}"),
        };
        ImportError::from_json(format, whole.as_bytes(), base, &path, e.inner())
    })?;
    de.end()
        .map_err(|e| ImportError::from_json(format, whole.as_bytes(), base, "", &e))?;
    Ok(value)
}

/// Whether `slice` is one complete JSON value (checked without building it).
pub(crate) fn is_complete_value(slice: &str) -> bool {
    let mut de = serde_json::Deserializer::from_str(slice);
    de.disable_recursion_limit();
    IgnoredAny::deserialize(&mut de).is_ok() && de.end().is_ok()
}

/// The byte offset of `part` inside `whole` (`part` must be a sub-slice of it).
pub(crate) fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

/// The non-blank lines of `text`, each with its byte offset in `whole` and its line number.
pub(crate) fn lines<'a>(whole: &'a str, text: &'a str) -> impl Iterator<Item = (usize, &'a str)> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.trim().is_empty())
        .map(move |l| (offset_in(whole, l), l))
}

/// One record of a multi-record input and where it starts.
pub(crate) struct Record<'a> {
    pub base: usize,
    pub text: &'a str,
}

/// Splits `text` into records: the elements of a top-level JSON array, the lines of JSON
/// Lines (when the first non-blank line is a complete value on its own), or else the whole
/// text as one (pretty-printed) document.
pub(crate) fn records<'a>(
    format: Format,
    whole: &'a str,
    text: &'a str,
) -> Result<Vec<Record<'a>>, ImportError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let base = offset_in(whole, trimmed);
        let items: Vec<&RawValue> = parse(format, whole, base, trimmed)?;
        return Ok(items
            .into_iter()
            .map(|raw| Record {
                base: offset_in(whole, raw.get()),
                text: raw.get(),
            })
            .collect());
    }
    let mut it = lines(whole, text).peekable();
    match it.peek() {
        None => Ok(Vec::new()),
        Some(&(_, first)) if is_complete_value(first) => {
            Ok(it.map(|(base, text)| Record { base, text }).collect())
        }
        Some(_) => Ok(vec![Record {
            base: offset_in(whole, trimmed),
            text: trimmed,
        }]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_past_the_limit_is_refused_at_the_byte_that_crosses_it() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let err = checked_text(None, deep.as_bytes(), Limits::DEFAULT).unwrap_err();
        assert_eq!(err.problem, Problem::TooDeep { limit: MAX_DEPTH });
        assert_eq!(err.at.unwrap().byte, MAX_DEPTH);
    }

    #[test]
    fn brackets_inside_strings_do_not_count_as_nesting() {
        let s = format!("[\"{}\\\"{}\"]", "[".repeat(5000), "{".repeat(5000));
        assert!(checked_text(None, s.as_bytes(), Limits::DEFAULT).is_ok());
    }

    #[test]
    fn a_lower_depth_limit_is_honoured_and_named() {
        let s = format!("{}{}", "[".repeat(300), "]".repeat(300));
        let limits = Limits {
            max_depth: 256,
            ..Limits::DEFAULT
        };
        let err = checked_text(Some(Format::Chrome), s.as_bytes(), limits).unwrap_err();
        assert_eq!(err.problem, Problem::TooDeep { limit: 256 });
        assert!(checked_text(None, s.as_bytes(), Limits::DEFAULT).is_ok());
    }

    #[test]
    fn invalid_utf8_is_reported_at_the_first_bad_byte() {
        let err = checked_text(None, b"{\"a\":\n\"\xff\"}", Limits::DEFAULT).unwrap_err();
        let at = err.at.unwrap();
        assert_eq!((at.line, at.column, at.byte), (2, 2, 7));
    }
}
