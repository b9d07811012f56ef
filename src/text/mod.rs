//! # Showing text that came from a file
//!
//! Kinds, keys, process names and error details in a trace are whatever the file says. Printed
//! as they are, an escape sequence in a kind clears the terminal and draws a fake
//! "lints: none", a carriage return overwrites the line it is on, and a right-to-left override
//! makes `exe.txt` read as `txt.exe`. So every piece of text from a file goes through this
//! module before it reaches a person, in the command line and in the page alike:
//!
//! - [`escape`] writes each character that would act instead of show ([`is_hidden`]: C0 and
//!   C1 controls, DEL, bidirectional embeddings, overrides and isolates, zero-width and
//!   invisible formatting characters) as a visible escape such as `\u{1b}`, the way code
//!   review tools show them. Everything else, including ordinary non-ASCII text, is kept.
//! - [`excerpt`] also clips: at most [`EXCERPT_CHARS`] characters, then "… (N bytes)", so a
//!   1 MB key quoted in an error is a sentence, not a megabyte.
//! - [`escape_json`] makes serialized JSON safe to print without changing the data it holds:
//!   serde_json escapes only C0 controls, so the other hidden characters are written as
//!   `\uXXXX` escapes, which every JSON reader decodes back to the same string.
//!   [`JsonEscaper`] does the same to JSON written piece by piece into any `io::Write`.
//!
//! Backslashes are not escaped: a file that contains the six characters `\u{1b}` shows the
//! same as one that contains ESC, and both are harmless. Escaping is idempotent.
//!
//! ```
//! use lineage::text::{escape, excerpt};
//! assert_eq!(escape("\u{1b}[2Jlints: none"), "\\u{1b}[2Jlints: none");
//! assert_eq!(escape("exe\u{202e}txt.exe"), "exe\\u{202e}txt.exe");
//! let key = "k".repeat(1_000_000);
//! assert!(excerpt(&key).ends_with("… (1000000 bytes)"));
//! ```

pub mod count;
pub mod duration;
pub mod visible;

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// The most characters of one piece of file content an [`excerpt`] shows.
pub const EXCERPT_CHARS: usize = 200;

/// True for a character that changes what a terminal or a page shows instead of showing
/// itself: C0 controls (tab and newline included: one finding is one line), DEL, C1
/// controls (U+009B is a one-byte CSI on some terminals), the Arabic letter mark, zero-width
/// spaces and joiners, left-to-right and right-to-left marks, line and paragraph separators,
/// bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), invisible
/// operators, the byte order mark, interlinear annotation marks and tag characters.
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{0000}'..='\u{001F}'
        | '\u{007F}'..='\u{009F}'
        | '\u{00AD}'              // soft hyphen
        | '\u{034F}'              // combining grapheme joiner
        | '\u{061C}'              // Arabic letter mark
        | '\u{115F}' | '\u{1160}' // Hangul fillers
        | '\u{17B4}' | '\u{17B5}' // Khmer inherent vowels
        | '\u{180B}'..='\u{180F}' // Mongolian variation selectors and vowel separator
        | '\u{200B}'..='\u{200F}' // zero-width space, non-joiner, joiner; LRM, RLM
        | '\u{2028}'..='\u{202E}' // line and paragraph separators; LRE RLE PDF LRO RLO
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{206F}' // LRI RLI FSI PDI, deprecated format characters
        | '\u{3164}'              // Hangul filler
        | '\u{FE00}'..='\u{FE0D}' // variation selectors 1–14
        | '\u{FEFF}'              // byte order mark / zero-width no-break space
        | '\u{FFA0}'              // halfwidth Hangul filler
        | '\u{FFF9}'..='\u{FFFB}' // interlinear annotation
        | '\u{E0000}'..='\u{E007F}' // tag characters
        | '\u{E0100}'..='\u{E01EF}' // variation selectors 17–256
    )
}

/// `s` with every [hidden](is_hidden) character written visibly (`\n`, `\r`, `\t`, else
/// `\u{..}` in hex); borrowed when there is nothing to escape.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let _ = write_escaped(&mut out, s);
    Cow::Owned(out)
}

/// `s` escaped like [`escape`] and clipped to its first [`EXCERPT_CHARS`] characters, with
/// "… (N bytes)" giving the full length when anything was cut.
pub fn excerpt(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(EXCERPT_CHARS) {
        None => escape(s),
        Some(_) => Cow::Owned(Excerpt::new(s).to_string()),
    }
}

/// Formats as [`excerpt`] does, without building the string first (for `Display` impls).
#[derive(Clone, Copy, Debug)]
pub struct Excerpt<'a> {
    text: &'a str,
    max_chars: usize,
}

impl<'a> Excerpt<'a> {
    /// At most [`EXCERPT_CHARS`] characters of `text`.
    pub fn new(text: &'a str) -> Excerpt<'a> {
        Excerpt::clipped_at(text, EXCERPT_CHARS)
    }

    /// At most `max_chars` characters of `text`: for a message of ours that quotes file
    /// content somewhere inside (a parser's "unknown variant `...`, expected one of ...").
    pub fn clipped_at(text: &'a str, max_chars: usize) -> Excerpt<'a> {
        Excerpt { text, max_chars }
    }
}

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.text.char_indices().nth(self.max_chars) {
            None => write_escaped(f, self.text),
            Some((cut, _)) => {
                write_escaped(f, &self.text[..cut])?;
                write!(f, "… ({} bytes)", self.text.len())
            }
        }
    }
}

fn write_escaped(out: &mut impl fmt::Write, s: &str) -> fmt::Result {
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        if !is_hidden(c) {
            continue;
        }
        out.write_str(&s[plain..i])?;
        match c {
            '\n' => out.write_str("\\n")?,
            '\r' => out.write_str("\\r")?,
            '\t' => out.write_str("\\t")?,
            _ => write!(out, "\\u{{{:x}}}", c as u32)?,
        }
        plain = i + c.len_utf8();
    }
    out.write_str(&s[plain..])
}

/// Serialized JSON with every [hidden](is_hidden) character that is still raw written as a
/// `\uXXXX` escape (a surrogate pair above the BMP). Such characters can only stand inside
/// strings, where the escape decodes to the same character, so the document means exactly
/// what it meant. Borrowed when nothing needed escaping.
pub fn escape_json(json: &str) -> Cow<'_, str> {
    if !json.chars().any(is_hidden_in_json) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 64);
    let mut plain = 0;
    for (i, c) in json.char_indices() {
        if !is_hidden_in_json(c) {
            continue;
        }
        out.push_str(&json[plain..i]);
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            let _ = write!(out, "\\u{unit:04x}");
        }
        plain = i + c.len_utf8();
    }
    out.push_str(&json[plain..]);
    Cow::Owned(out)
}

/// A writer that passes JSON through [`escape_json`] on its way to `inner`, for output
/// written piece by piece (a converter streaming events). A character split between two
/// writes is held back until it is whole.
#[derive(Debug)]
pub struct JsonEscaper<W: std::io::Write> {
    inner: W,
    /// The first bytes of a character whose rest has not been written yet (at most 3).
    pending: Vec<u8>,
}

impl<W: std::io::Write> JsonEscaper<W> {
    pub fn new(inner: W) -> JsonEscaper<W> {
        JsonEscaper {
            inner,
            pending: Vec::new(),
        }
    }

    fn pass(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        // Serialized JSON is UTF-8; anything else is passed on untouched.
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => return self.inner.write_all(bytes),
        };
        self.inner.write_all(escape_json(text).as_bytes())
    }
}

impl<W: std::io::Write> std::io::Write for JsonEscaper<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let joined;
        let bytes = if self.pending.is_empty() {
            buf
        } else {
            joined = [std::mem::take(&mut self.pending).as_slice(), buf].concat();
            &joined[..]
        };
        // Hold back an incomplete character at the end; pass the rest on.
        let whole = match std::str::from_utf8(bytes) {
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            _ => bytes.len(),
        };
        self.pass(&bytes[..whole])?;
        self.pending.extend_from_slice(&bytes[whole..]);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let rest = std::mem::take(&mut self.pending);
        self.inner.write_all(&rest)?;
        self.inner.flush()
    }
}

/// Hidden characters other than the whitespace JSON itself uses between tokens (raw C0
/// controls are not allowed inside JSON strings, so any left are structural whitespace).
fn is_hidden_in_json(c: char) -> bool {
    is_hidden(c) && !matches!(c, '\n' | '\r' | '\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_and_unchanged() {
        let s = "processing · función 処理 👍";
        assert!(matches!(escape(s), Cow::Borrowed(_)));
        assert!(matches!(excerpt(s), Cow::Borrowed(_)));
        assert!(matches!(escape_json(s), Cow::Borrowed(_)));
    }

    #[test]
    fn every_hidden_class_is_escaped_visibly() {
        for (raw, shown) in [
            ("\u{1b}[2J", "\\u{1b}[2J"),
            ("a\rb", "a\\rb"),
            ("bell\u{7}", "bell\\u{7}"),
            ("\u{7f}", "\\u{7f}"),
            ("\u{9b}31m", "\\u{9b}31m"),
            ("exe\u{202e}txt.exe", "exe\\u{202e}txt.exe"),
            ("\u{2066}x\u{2069}", "\\u{2066}x\\u{2069}"),
            ("zero\u{200b}width", "zero\\u{200b}width"),
            ("\u{feff}bom", "\\u{feff}bom"),
            ("tag\u{e0041}", "tag\\u{e0041}"),
            ("line\nbreak\ttab", "line\\nbreak\\ttab"),
        ] {
            assert_eq!(escape(raw), shown);
            assert!(!escape(raw).chars().any(is_hidden));
        }
    }

    #[test]
    fn escaping_is_idempotent() {
        let once = escape("\u{1b}]0;title\u{7}\u{202e}");
        assert_eq!(escape(&once), once);
    }

    #[test]
    fn a_long_excerpt_is_clipped_with_its_length() {
        let key = format!("{}\u{1b}", "é".repeat(300));
        let shown = excerpt(&key);
        assert_eq!(shown, format!("{}… ({} bytes)", "é".repeat(200), key.len()));
        assert_eq!(Excerpt::new(&key).to_string(), shown);
        assert_eq!(
            Excerpt::clipped_at("abcdef", 3).to_string(),
            "abc… (6 bytes)"
        );
        let short = "\u{1b}".repeat(200);
        assert_eq!(excerpt(&short), "\\u{1b}".repeat(200));
    }

    #[test]
    fn the_streaming_escaper_matches_the_whole_one_however_the_bytes_are_split() {
        use std::io::Write;
        let json = "{\"k\":\"a\u{9b}b\u{202e}c\u{e0041}d\u{7f}\"}\n";
        for chunk in 1..=json.len() {
            let mut out = JsonEscaper::new(Vec::new());
            for piece in json.as_bytes().chunks(chunk) {
                out.write_all(piece).unwrap();
            }
            out.flush().unwrap();
            assert_eq!(String::from_utf8(out.inner).unwrap(), escape_json(json));
        }
    }

    #[test]
    fn escaped_json_decodes_to_the_same_value() {
        let value = serde_json::json!({
            "kind": "\u{1b}[2J\u{9b}\u{202e}\u{7f}\u{e0041}\u{2028}",
            "plain": "ok",
        });
        let text = serde_json::to_string_pretty(&value).unwrap();
        let safe = escape_json(&text);
        assert!(!safe.chars().any(is_hidden_in_json), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }
}
