//! # An OTLP document cut at the span
//!
//! A single `TracesData` document may hold a million spans under one `resourceSpans`
//! element. Cut at that element, one record is the whole document's text (278 MB for a
//! million spans, held in a buffer that grows by doubling) and its spans are read in the one
//! call that completes it, which a page cannot spread over frames. So this layout walks the
//! keyed path `resourceSpans[] › scopeSpans[] › spans[]` (the pre-1.0
//! `instrumentationLibrarySpans` too) and hands over, each as its own record with its
//! [`Place`]:
//! - every span, the one record held at a time for most of the document;
//! - every other member of a `resourceSpans` or `scopeSpans` element (`resource`,
//!   `schemaUrl`, `scope`, unknown keys), wherever it stands among the keys: before the
//!   spans, between them or after them (protobuf's field order puts `schemaUrl` last);
//! - the end of each of those elements, so the reader knows when what it waits for can no
//!   longer come;
//! - anything off the path's expected shape (an element that is not an object, a
//!   `scopeSpans` that is not an array) whole, for the reader to refuse with serde's words.
//!
//! Between records the scanner checks the objects' and arrays' punctuation itself (keys,
//! colons, commas): what lies between two records is never seen by serde.

use super::ahead::{offered, READ_AHEAD_DEPTH};
use super::element::{element_len, ELEMENT_STOPS};
use super::structure::Step;
use super::{Key, Sink, Splitter, Stage};
use crate::trace::error::ImportError;

/// Where a record stands on the span path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// A record of a flat layout (a line, an array's element, a keyed element, a document).
    Record,
    /// The value of a member of `resourceSpans[r]` (`scopeSpans` only when not an array).
    ResourceMember { r: usize, member: Member },
    /// `resourceSpans[r]` has closed (empty text).
    ResourceEnd { r: usize },
    /// The value of a member of `resourceSpans[r].scopeSpans[s]` (`spans` only when not an
    /// array).
    ScopeMember { r: usize, s: usize, member: Member },
    /// `resourceSpans[r].scopeSpans[s]` has closed (empty text).
    ScopeEnd { r: usize, s: usize },
    /// `resourceSpans[r]` (`s` is `None`) or `.scopeSpans[s]` whole: it is not an object.
    NotAnObject { r: usize, s: Option<usize> },
    /// `resourceSpans[r].scopeSpans[s].spans[k]`.
    Span { r: usize, s: usize, k: usize },
}

/// The members of the objects on the span path that mean something, by their key (an alias
/// reads as its field, as serde reads it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Member {
    Resource,
    ScopeSpans,
    SchemaUrl,
    Scope,
    Spans,
    #[default]
    Other,
}

/// The containers on the path, each at its own JSON depth.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Level {
    /// `resourceSpans`' array (depth 2).
    #[default]
    Resources,
    /// One of its elements (depth 3).
    Resource,
    /// Its `scopeSpans` array (depth 4).
    Scopes,
    /// One of those elements (depth 5).
    Scope,
    /// Its `spans` array (depth 6).
    Spans,
}

impl Level {
    fn depth(self) -> usize {
        match self {
            Level::Resources => 2,
            Level::Resource => 3,
            Level::Scopes => 4,
            Level::Scope => 5,
            Level::Spans => 6,
        }
    }

    fn is_object(self) -> bool {
        matches!(self, Level::Resource | Level::Scope)
    }

    /// The container around this one.
    fn up(self) -> Level {
        match self {
            Level::Resources | Level::Resource => Level::Resources,
            Level::Scopes => Level::Resource,
            Level::Scope => Level::Scopes,
            Level::Spans => Level::Scope,
        }
    }
}

/// Between records, in a container of the path: what may come next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Slot {
    /// An element or `]` (a list), a key or `}` (an object); not the closer after a comma.
    #[default]
    Item,
    ItemAfterComma,
    /// The key was read: its colon.
    Colon,
    /// After the colon: the member's value.
    Value,
    /// After an element or a value: `,` or the closer.
    After,
}

/// The span path's state (see the module docs).
#[derive(Default)]
pub(super) struct Path {
    level: Level,
    slot: Slot,
    member: Member,
    /// The current element of each list, and the next one's index.
    r: usize,
    s: usize,
    next_r: usize,
    next_s: usize,
    next_k: usize,
}

impl Splitter {
    /// Scans `chunk` along the span path, handing over every record it completes.
    pub(super) fn feed_spans(
        &mut self,
        chunk: &[u8],
        checked: Option<&str>,
        each: &mut Sink<'_>,
    ) -> Result<(), ImportError> {
        let base = self.byte;
        // The chunk as text, for the reader that reads spans where they start (`ahead`).
        let text = checked.or_else(|| std::str::from_utf8(chunk).ok());
        let mut start: Option<usize> = self.record_at.map(|_| 0);
        // A record began at this byte of this chunk (not one carried over from the last).
        let mut fresh = false;
        let mut i = 0;
        while i < chunk.len() {
            if self.in_string {
                i = self.string_run(chunk, i, base);
                continue;
            }
            if self.stage == Stage::Element {
                // A span that starts in this chunk: its end found in one tight loop when
                // nothing in it needs the state machine (see `element`); the byte that
                // ends it is the machine's.
                if std::mem::take(&mut fresh) {
                    let room = self.max_depth.saturating_sub(self.depth);
                    // A span read where it starts, by the reader (see `ahead`); the byte
                    // that ends it is the machine's, as below.
                    let span = matches!(self.place, Place::Span { .. });
                    if room >= READ_AHEAD_DEPTH && span && offered() {
                        if let Some(end) = self.read_ahead(text, i, base, each)? {
                            start = None;
                            self.place = Place::Record;
                            self.stage = Stage::Expect { after_comma: false };
                            self.path.slot = Slot::After;
                            i = end;
                            continue;
                        }
                    }
                    if let Some(len) = element_len(&chunk[i..], room) {
                        i += len;
                    }
                }
                while i < chunk.len() && !ELEMENT_STOPS[usize::from(chunk[i])] {
                    i += 1;
                }
                if i == chunk.len() {
                    break;
                }
            }
            let b = chunk[i];
            let abs = base + i;
            if b == b'\n' {
                self.line += 1;
                self.line_start = abs + 1;
                i += 1;
                continue;
            }
            let step = match self.stage {
                Stage::Before => self.before_byte(b, abs)?,
                Stage::Top => {
                    let step = self.top_byte(b, abs)?;
                    if matches!(self.stage, Stage::Expect { .. }) {
                        // The `resourceSpans` array opened: the path begins.
                        self.path.level = Level::Resources;
                        self.path.slot = Slot::Item;
                    }
                    step
                }
                Stage::Element => self.capture_byte(chunk, i, &mut start, each)?,
                Stage::Expect { .. } => self.path_byte(b, abs, each)?,
                // Another document after the first (a JSON Lines file whose first line was too
                // long to wait for): read the same way, its elements numbered on.
                Stage::After if b == b'{' => {
                    self.open(abs)?;
                    self.stage = Stage::Top;
                    self.key_state = Key::Expect;
                    Step::Next
                }
                Stage::After => self.after_byte(b, abs)?,
            };
            match step {
                Step::Next => i += 1,
                Step::Begin => {
                    start = Some(i);
                    fresh = true;
                }
            }
        }
        self.byte = base + chunk.len();
        self.keep_pending(chunk, start)
    }

    /// A byte between records, on the path.
    fn path_byte(&mut self, b: u8, abs: usize, each: &mut Sink<'_>) -> Result<Step, ImportError> {
        if b.is_ascii_whitespace() {
            return Ok(Step::Next);
        }
        let level = self.path.level;
        let at = self.position_of(abs);
        match self.path.slot {
            Slot::Item | Slot::ItemAfterComma => {
                let after_comma = self.path.slot == Slot::ItemAfterComma;
                let closer = if level.is_object() { b'}' } else { b']' };
                if b == closer && !after_comma {
                    self.close_level(abs, each)?;
                } else if level.is_object() {
                    if b != b'"' {
                        return Err(self.error(at, "expected a key"));
                    }
                    self.in_string = true;
                    self.key_state = Key::Reading;
                    self.key.clear();
                    self.path.slot = Slot::Colon;
                } else if b == b',' || b == b']' || b == b'}' {
                    return Err(self.error(at, "expected a value"));
                } else {
                    return self.begin_element(b, abs);
                }
            }
            Slot::Colon if b == b':' => {
                self.path.member = self.member_of_key(level);
                self.path.slot = Slot::Value;
            }
            Slot::Colon => return Err(self.error(at, "expected :")),
            Slot::Value => {
                let descend = match (level, self.path.member) {
                    (Level::Resource, Member::ScopeSpans) => Some(Level::Scopes),
                    (Level::Scope, Member::Spans) => Some(Level::Spans),
                    _ => None,
                };
                match descend {
                    Some(list) if b == b'[' => {
                        self.open(abs)?;
                        self.path.level = list;
                        self.path.slot = Slot::Item;
                    }
                    _ => {
                        self.place = match level {
                            Level::Resource => Place::ResourceMember {
                                r: self.path.r,
                                member: self.path.member,
                            },
                            _ => Place::ScopeMember {
                                r: self.path.r,
                                s: self.path.s,
                                member: self.path.member,
                            },
                        };
                        return Ok(self.begin_capture(abs));
                    }
                }
            }
            Slot::After => match b {
                b',' => self.path.slot = Slot::ItemAfterComma,
                b'}' if level.is_object() => self.close_level(abs, each)?,
                b']' if !level.is_object() => self.close_level(abs, each)?,
                _ if level.is_object() => return Err(self.error(at, "expected , or }")),
                _ => return Err(self.error(at, "expected , or ]")),
            },
        }
        Ok(Step::Next)
    }

    /// An element of a list starts with byte `b`: an object on the path is entered, a span
    /// or anything else is captured whole.
    fn begin_element(&mut self, b: u8, abs: usize) -> Result<Step, ImportError> {
        let level = self.path.level;
        let path = &mut self.path;
        match level {
            Level::Resources => {
                path.r = path.next_r;
                path.next_r += 1;
                path.next_s = 0;
            }
            Level::Scopes => {
                path.s = path.next_s;
                path.next_s += 1;
                path.next_k = 0;
            }
            _ => {}
        }
        let (r, s) = (path.r, path.s);
        self.place = match level {
            Level::Resources | Level::Scopes if b == b'{' => {
                self.open(abs)?;
                self.path.level = match level {
                    Level::Resources => Level::Resource,
                    _ => Level::Scope,
                };
                self.path.slot = Slot::Item;
                return Ok(Step::Next);
            }
            Level::Resources => Place::NotAnObject { r, s: None },
            Level::Scopes => Place::NotAnObject { r, s: Some(s) },
            _ => {
                let k = self.path.next_k;
                self.path.next_k += 1;
                Place::Span { r, s, k }
            }
        };
        Ok(self.begin_capture(abs))
    }

    /// A record (of `self.place`) starts at this byte.
    fn begin_capture(&mut self, abs: usize) -> Step {
        self.record_at = Some(self.position_of(abs));
        self.stage = Stage::Element;
        Step::Begin
    }

    /// Inside a captured record: nesting, and the `,` or closer at the container's depth
    /// that ends it.
    fn capture_byte(
        &mut self,
        chunk: &[u8],
        i: usize,
        start: &mut Option<usize>,
        each: &mut Sink<'_>,
    ) -> Result<Step, ImportError> {
        let b = chunk[i];
        let abs = self.byte_at(i);
        let at_level = self.depth == self.path.level.depth();
        match b {
            b'"' => self.in_string = true,
            b'[' | b'{' => self.open(abs)?,
            b',' | b']' | b'}' if at_level => {
                self.end_element(chunk, start.take(), i, each)?;
                self.place = Place::Record;
                self.stage = Stage::Expect { after_comma: false };
                self.path.slot = Slot::After;
                return self.path_byte(b, abs, each);
            }
            b']' | b'}' => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        Ok(Step::Next)
    }

    /// The closer of the current container: an object's end is handed over as a record of
    /// its own; the `resourceSpans` array's end leaves the path.
    fn close_level(&mut self, abs: usize, each: &mut Sink<'_>) -> Result<(), ImportError> {
        let level = self.path.level;
        let end = match level {
            Level::Resource => Some(Place::ResourceEnd { r: self.path.r }),
            Level::Scope => Some(Place::ScopeEnd {
                r: self.path.r,
                s: self.path.s,
            }),
            _ => None,
        };
        if level == Level::Resources {
            self.close_records();
            return Ok(());
        }
        self.depth -= 1;
        self.path.level = level.up();
        self.path.slot = Slot::After;
        if let Some(place) = end {
            self.place = place;
            let at = self.position_of(abs);
            let result = self.emit(b"", at, false, each);
            self.place = Place::Record;
            result?;
        }
        Ok(())
    }

    /// What the key just read names, in an object at `level` (a key with escapes is
    /// unescaped first, as serde compares it).
    fn member_of_key(&self, level: Level) -> Member {
        let unescaped;
        let key: &[u8] = if self.key.contains(&b'\\') {
            let quoted = [b"\"", self.key.as_slice(), b"\""].concat();
            unescaped = serde_json::from_slice::<String>(&quoted).unwrap_or_default();
            unescaped.as_bytes()
        } else {
            &self.key
        };
        match (level, key) {
            (Level::Resource, b"resource") => Member::Resource,
            (Level::Resource, b"scopeSpans" | b"instrumentationLibrarySpans") => Member::ScopeSpans,
            (Level::Resource, b"schemaUrl") => Member::SchemaUrl,
            (Level::Scope, b"scope" | b"instrumentationLibrary") => Member::Scope,
            (Level::Scope, b"spans") => Member::Spans,
            _ => Member::Other,
        }
    }
}
