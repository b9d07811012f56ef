//! # Invisible characters, made visible
//!
//! A trace is untrusted text. A right-to-left override (U+202E) in a payload makes the browser
//! draw what follows backwards, so `⟨RLO⟩exe.txt` reads as `txt.exe`; zero-width characters
//! make two different kinds look equal; a control character can hide or fake a line. Code
//! review tools answer this by drawing such characters as a visible token instead of applying
//! them, and so does the inspector: every text taken from a trace is split into [`Piece`]s,
//! and each hidden character is shown as a badge `⟨U+202E⟩` (its name in the tooltip).
//!
//! Display-oriented on purpose: it never changes what is stored, exported or searched, only
//! what the page draws. (The command line escapes for a terminal instead; the two may share a
//! character table one day.)

use std::borrow::Cow;

/// One run of a text: characters drawn as they are, or one character shown as a badge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Hidden(char),
}

/// One list of what counts as hidden, for the page and the command line alike.
pub use crate::text::is_hidden;

/// The badge text of a hidden character: `⟨U+202E⟩`.
pub fn badge(c: char) -> String {
    format!("⟨U+{:04X}⟩", c as u32)
}

/// A human name for the hidden characters people meet most (the badge's tooltip).
pub fn name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{0000}' => "NULL",
        '\u{0007}' => "BELL",
        '\u{0008}' => "BACKSPACE",
        '\u{0009}' => "TAB",
        '\u{000A}' => "LINE FEED",
        '\u{000D}' => "CARRIAGE RETURN",
        '\u{001B}' => "ESCAPE",
        '\u{007F}' => "DELETE",
        '\u{00AD}' => "SOFT HYPHEN",
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        _ => return None,
    })
}

/// The badge's tooltip: `U+202E RIGHT-TO-LEFT OVERRIDE`.
pub fn describe(c: char) -> String {
    match name(c) {
        Some(n) => format!("U+{:04X} {n}", c as u32),
        None => format!("U+{:04X}", c as u32),
    }
}

/// Splits `s` into drawable runs and hidden characters, in order. With `keep_newlines`, a
/// line feed stays in the text (for multi-line blocks such as formatted JSON, whose own
/// strings never hold a raw one); otherwise it is a badge too.
pub fn pieces(s: &str, keep_newlines: bool) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if is_hidden(c) && !(keep_newlines && c == '\n') {
            if start < i {
                out.push(Piece::Text(&s[start..i]));
            }
            out.push(Piece::Hidden(c));
            start = i + c.len_utf8();
        }
    }
    if start < s.len() {
        out.push(Piece::Text(&s[start..]));
    }
    out
}

/// The most characters of one value a header, a row, a filter option or a tooltip shows: a
/// 100 KB kind drawn whole froze the tab for 14 s when its row was selected. The detail
/// panel offers the whole value on demand.
pub const LINE_CHARS: usize = 200;

/// The most characters of a multi-line block (the formatted payload) shown at once.
pub const BLOCK_CHARS: usize = 20_000;

/// `s` cut to its first `max_chars` characters (never inside one), and the whole length in
/// bytes when anything was cut.
pub fn clip(s: &str, max_chars: usize) -> (&str, Option<usize>) {
    match s.char_indices().nth(max_chars) {
        Some((cut, _)) => (&s[..cut], Some(s.len())),
        None => (s, None),
    }
}

/// The mark after a clipped value: "… (N bytes)".
pub fn clipped_mark(bytes: usize) -> String {
    format!("… ({} bytes)", crate::text::count::grouped(bytes as u64))
}

/// [`reveal`] of at most `max_chars` characters of `s`, with [`clipped_mark`] when cut: for
/// tooltips and filter options, which hold plain text only.
pub fn reveal_clipped(s: &str, max_chars: usize) -> Cow<'_, str> {
    match clip(s, max_chars) {
        (whole, None) => reveal(whole),
        (part, Some(bytes)) => Cow::Owned(format!("{}{}", reveal(part), clipped_mark(bytes))),
    }
}

/// `s` with every hidden character replaced by its badge, for places that hold plain text
/// only (tooltips, `title` attributes). Borrows when there is nothing to replace.
pub fn reveal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for p in pieces(s, false) {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Hidden(c) => out.push_str(&badge(c)),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn a_right_to_left_override_is_shown_as_a_badge_and_never_applied() {
        let s = "\u{202E}exe.txt";
        assert_eq!(
            pieces(s, false),
            vec![Piece::Hidden('\u{202E}'), Piece::Text("exe.txt")]
        );
        assert_eq!(reveal(s), "⟨U+202E⟩exe.txt");
        assert!(!reveal(s).contains('\u{202E}'));
        assert_eq!(describe('\u{202E}'), "U+202E RIGHT-TO-LEFT OVERRIDE");
    }

    #[test]
    fn plain_text_is_borrowed_untouched() {
        for s in [
            "",
            "processing",
            "función ✓ 日本語 עברית",
            "emoji ❤\u{FE0F}",
        ] {
            assert!(matches!(reveal(s), Cow::Borrowed(_)), "{s:?}");
            assert_eq!(pieces(s, false).len(), usize::from(!s.is_empty()));
        }
    }

    #[test]
    fn controls_zero_widths_isolates_and_tags_are_all_revealed() {
        let s = "a\u{1B}[2Jb\u{200B}c\u{2066}d\u{E0041}e\u{0}f\u{85}g";
        assert_eq!(
            reveal(s),
            "a⟨U+001B⟩[2Jb⟨U+200B⟩c⟨U+2066⟩d⟨U+E0041⟩e⟨U+0000⟩f⟨U+0085⟩g"
        );
    }

    #[test]
    fn newlines_stay_in_multi_line_blocks_only() {
        let s = "{\n  \"x\": \"\u{202E}y\"\n}";
        let p = pieces(s, true);
        assert_eq!(
            p,
            vec![
                Piece::Text("{\n  \"x\": \""),
                Piece::Hidden('\u{202E}'),
                Piece::Text("y\"\n}")
            ]
        );
        assert_eq!(pieces("a\nb", false)[1], Piece::Hidden('\n'));
    }

    #[test]
    fn long_values_are_clipped_at_a_character_with_their_length() {
        let kind = "é".repeat(100_000);
        let (part, bytes) = clip(&kind, LINE_CHARS);
        assert_eq!(part.chars().count(), LINE_CHARS);
        assert_eq!(bytes, Some(200_000));
        let shown = reveal_clipped(&kind, LINE_CHARS);
        assert!(shown.ends_with("… (200 000 bytes)"), "{shown}");
        assert!(shown.chars().count() < LINE_CHARS + 20);
        assert_eq!(clip("short", LINE_CHARS), ("short", None));
        assert_eq!(reveal_clipped("a\u{202E}b", 10), "a⟨U+202E⟩b");
    }

    #[test]
    fn adjacent_hidden_characters_give_one_badge_each() {
        assert_eq!(
            pieces("\u{202D}\u{202E}", false),
            vec![Piece::Hidden('\u{202D}'), Piece::Hidden('\u{202E}')]
        );
    }
}
