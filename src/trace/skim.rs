//! # Skimming JSON: validating what it passes over, building nothing
//!
//! The purpose-built readers (Chrome's `chrome::import::fast`, OTLP's `otlp::fast`) read a
//! handful of members of a record and must pass over the rest (`args`, members it does not use) without building anything, yet
//! accept exactly what serde_json would: a record serde refuses must never be read here. So
//! [`Skim`] checks JSON's grammar as it goes (strings, numbers, literals, nesting, commas and
//! colons), with no allocation and no recursion (a bit per level of nesting, up to
//! [`MAX_NESTING`]).
//!
//! It is deliberately narrower than JSON: anything unusual makes it give up (`None`), and the
//! caller hands the record to serde, which decides. Given up on: a backslash in any string
//! (escapes are serde's to decode, and a key spelled with one is a different key to a byte
//! compare), a control character in a string (serde refuses it, with its own message), a
//! number a `serde_json::Value` cannot hold (beyond `f64`, which the end-of-file pass would
//! meet when it turns `args` into a `Value`), and nesting deeper than [`MAX_NESTING`].
//!
//! Strings are scanned eight bytes at a time by the same helper as the NDJSON line
//! reader's ([`crate::trace::swar`]): the tokens are short, and `memchr`'s set-up costs more
//! than the bytes.

use crate::trace::swar::plain_string_len;

/// Levels of arrays and objects a skimmed value may nest (the bits of the stack word);
/// deeper values go to serde.
pub(crate) const MAX_NESTING: u32 = 64;

/// A JSON number's text as serde_json reads it.
#[derive(Clone, Copy)]
pub(crate) struct Number<'a> {
    pub(crate) text: &'a str,
    /// No fraction and no exponent.
    pub(crate) integer: bool,
}

impl Number<'_> {
    /// The `f64` serde_json makes of it (its `float_roundtrip` feature parses correctly
    /// rounded, as `str::parse` does; integers of up to 19 digits are read as integers and
    /// converted, which is the same value); `None` where it would not be finite (serde
    /// refuses those) or the integer is too long to convert here.
    #[inline]
    pub(crate) fn to_f64(self) -> Option<f64> {
        if self.integer {
            let (negative, digits) = match self.text.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, self.text),
            };
            if digits.len() > 19 {
                return None;
            }
            let m = digits
                .bytes()
                .fold(0u64, |v, c| v * 10 + u64::from(c - b'0'));
            // A negative integer is read as an `i64` (or `-0` as the float `-0.0`), and
            // rounding to nearest is symmetric: the same as negating the magnitude's float.
            return Some(if negative { -(m as f64) } else { m as f64 });
        }
        self.text.parse::<f64>().ok().filter(|v| v.is_finite())
    }
}

/// A position in one record's text; see the module docs.
pub(crate) struct Skim<'a> {
    s: &'a str,
    b: &'a [u8],
    pub(crate) i: usize,
}

impl<'a> Skim<'a> {
    pub(crate) fn new(s: &'a str) -> Skim<'a> {
        Skim {
            s,
            b: s.as_bytes(),
            i: 0,
        }
    }

    /// Whether the whole text has been read.
    pub(crate) fn at_end(&self) -> bool {
        self.i == self.b.len()
    }

    /// The text from here to the end.
    pub(crate) fn rest(&self) -> &'a str {
        &self.s[self.i..]
    }

    /// The text from `start` to here.
    pub(crate) fn since(&self, start: usize) -> &'a str {
        &self.s[start..self.i]
    }

    /// The byte here, without moving.
    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// JSON's whitespace, as serde_json skips it.
    #[inline]
    pub(crate) fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    #[inline]
    pub(crate) fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek() == Some(byte)).then(|| self.i += 1)
    }

    #[inline]
    pub(crate) fn literal(&mut self, word: &[u8]) -> Option<()> {
        let found = self.b.get(self.i..self.i + word.len())?;
        (found == word).then(|| self.i += word.len())
    }

    /// A string without escapes or control characters, borrowed.
    #[inline]
    pub(crate) fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let len = plain_string_len(self.b.get(start..)?)?;
        self.i = start + len + 1;
        // Cut at ASCII quotes, so on character boundaries.
        self.s.get(start..start + len)
    }

    /// A member's key and its colon, up to its value.
    #[inline]
    pub(crate) fn key(&mut self) -> Option<&'a str> {
        let key = self.string()?;
        self.ws();
        self.eat(b':')?;
        self.ws();
        Some(key)
    }

    /// After a member or element: `true` at a comma (and past the whitespace after it),
    /// `false` at `close`.
    #[inline]
    pub(crate) fn next_or(&mut self, close: u8) -> Option<bool> {
        self.ws();
        let b = self.peek()?;
        self.i += 1;
        if b == b',' {
            self.ws();
            Some(true)
        } else {
            (b == close).then_some(false)
        }
    }

    /// A number by JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    #[inline]
    pub(crate) fn number(&mut self) -> Option<Number<'a>> {
        let start = self.i;
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        let mut integer = true;
        if self.eat(b'.').is_some() {
            integer = false;
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            integer = false;
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.some_digits()?;
        }
        Some(Number {
            text: &self.s[start..self.i],
            integer,
        })
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.i;
        self.digits();
        (self.i > start).then_some(())
    }

    /// A number a `serde_json::Value` holds (see [`Number::to_f64`]; a long integer is
    /// checked as a float would be).
    fn held_number(&mut self) -> Option<()> {
        let n = self.number()?;
        if n.integer && n.text.len() <= 19 {
            return Some(());
        }
        n.text.parse::<f64>().ok().filter(|v| v.is_finite())?;
        Some(())
    }

    /// One scalar: a string, a number, `true`, `false` or `null`.
    #[inline]
    fn scalar(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.held_number(),
        }
    }

    /// Passes over one value, checking it; see the module docs for what it gives up on.
    pub(crate) fn value(&mut self) -> Option<()> {
        // One bit per open level: 1 for an object, 0 for an array.
        let (mut stack, mut depth) = (0u64, 0u32);
        loop {
            // A value starts here.
            match self.peek()? {
                open @ (b'{' | b'[') => {
                    self.i += 1;
                    self.ws();
                    let close = if open == b'{' { b'}' } else { b']' };
                    if self.eat(close).is_none() {
                        if depth == MAX_NESTING {
                            return None;
                        }
                        stack = (stack << 1) | u64::from(open == b'{');
                        depth += 1;
                        if open == b'{' {
                            self.key()?;
                        }
                        continue;
                    }
                }
                _ => self.scalar()?,
            }
            // After a value: close levels until one goes on with a comma.
            loop {
                if depth == 0 {
                    return Some(());
                }
                let object = stack & 1 == 1;
                if self.next_or(if object { b'}' } else { b']' })? {
                    if object {
                        self.key()?;
                    }
                    break;
                }
                stack >>= 1;
                depth -= 1;
            }
        }
    }
}
