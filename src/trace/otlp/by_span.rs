//! # A document read span by span
//!
//! The scanner hands a single `TracesData` document over at the span (see
//! [`Layout::Spans`](crate::trace::scan::Layout)): each span, each other member of a
//! `resourceSpans` or `scopeSpans` element, and each element's end, with its place. Here
//! the reader keeps what it knows of the element being read (its resource, its
//! `schemaUrl`, the current scope: each unknown until its key comes or the element closes)
//! and converts each span with it. A span read before all of that is known waits in the
//! [`Window`] until it is; so the spans reach the linker in file order with the origin the
//! whole-element reading gives them, and the import's output is the same whatever order the
//! keys come in.

use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use serde_json::Value;

use super::origin::{text_of, Origin};
use super::span;
use super::window::{Held, Lacks, MAX_SPANS, RELEASE_PER_RECORD};
use super::wire::{attributes, Resource, ResourceSpans, Scope, ScopeSpans, Span};
use super::{scope_value, Reader};
use crate::model::sink::EventSink;
use crate::trace::error::{ImportError, Problem};
use crate::trace::read;
use crate::trace::scan::{Ahead, Entry, Member, Place};
use crate::trace::stream::output::Output;
use crate::trace::{lineage_of, Format};

/// What is known of the `resourceSpans` element being read, each member as the JSON text
/// every span's `otel` carries (see [`super::origin`]). `None`: its key has not come (yet);
/// `Some(None)`: the element said there is none.
#[derive(Default)]
pub(super) struct Element {
    r: usize,
    resource: Option<Option<Vec<u8>>>,
    schema_url: Option<Option<Vec<u8>>>,
    /// The scope being read, its index and its `scope`.
    s: usize,
    scope: Option<Option<Vec<u8>>>,
    /// Spans that went on before their origin was known (the window was full), and what
    /// they lacked (`scope`: of the current scope).
    gone: usize,
    gone_lacking: Lacks,
}

impl Reader {
    /// One record of a document cut at the span.
    pub(super) fn place<S: EventSink>(
        &mut self,
        record: &Entry<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        match record.place {
            Place::Record => return Ok(()),
            Place::Span { r, s, k } => self.span_record(r, s, k, record, out)?,
            Place::ResourceMember { r, member } => self.resource_member(r, member, record, out)?,
            Place::ScopeMember { r, s, member } => self.scope_member(r, s, member, record, out)?,
            Place::ScopeEnd { r, s } => {
                let el = self.enter(r, Some(s));
                if el.scope.is_none() {
                    el.scope = Some(None);
                    self.window
                        .scope_mut(r, s)
                        .for_each(|h| h.lacks.scope = false);
                }
            }
            Place::ResourceEnd { r } => {
                self.enter(r, None);
                // What has not come will not: every waiting span of it may go.
                for h in self.window.element_mut(r) {
                    h.lacks = Lacks::default();
                }
            }
            Place::NotAnObject { r, s: None } => {
                let path = || format!("resourceSpans[{r}]");
                read::parse_record::<ResourceSpans>(Format::Otlp, record, path)?;
            }
            Place::NotAnObject { r, s: Some(s) } => {
                let path = || format!("resourceSpans[{r}].scopeSpans[{s}]");
                read::parse_record::<ScopeSpans>(Format::Otlp, record, path)?;
            }
        }
        self.release_ready(RELEASE_PER_RECORD, out)?;
        self.settle(out)
    }

    /// The element `r` (and its scope `s`), begun if it is new.
    fn enter(&mut self, r: usize, s: Option<usize>) -> &mut Element {
        let el = self.element.get_or_insert_with(Element::default);
        if el.r != r {
            *el = Element {
                r,
                ..Element::default()
            };
        }
        if let Some(s) = s.filter(|&s| s != el.s) {
            el.s = s;
            el.scope = None;
            el.gone_lacking.scope = false;
        }
        el
    }

    fn span_record<S: EventSink>(
        &mut self,
        r: usize,
        s: usize,
        k: usize,
        record: &Entry<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let path = || format!("resourceSpans[{r}].scopeSpans[{s}].spans[{k}]");
        let spare = std::mem::take(&mut self.spare_attributes);
        let one: Span = match super::fast::span_into(record.text, spare) {
            Some(span) => span,
            None => read::parse_record(Format::Otlp, record, path)?,
        };
        self.span_read((r, s), one, record, out)
    }

    /// A span read where it starts in the chunk, its end found in the same pass (see
    /// `scan::Ahead`): where its element ends, or `None`, nothing done, for the splitter to
    /// cut it out and hand it to [`Reader::place`].
    pub(crate) fn ahead<S: EventSink>(
        &mut self,
        ahead: Ahead<'_>,
        out: &mut Output<S>,
    ) -> Result<Option<usize>, ImportError> {
        let Place::Span { r, s, .. } = ahead.place else {
            return Ok(None);
        };
        let spare = std::mem::take(&mut self.spare_attributes);
        let Some((one, len)) = super::fast::span_prefix(ahead.rest, spare) else {
            return Ok(None);
        };
        let Some((record, end)) = ahead.entry(len) else {
            return Ok(None);
        };
        out.at = Some(record.at);
        self.span_read((r, s), one, &record, out)?;
        self.release_ready(RELEASE_PER_RECORD, out)?;
        self.settle(out)?;
        Ok(Some(end))
    }

    /// A span read, converted and held in the window (or added) as its origin allows.
    fn span_read<S: EventSink>(
        &mut self,
        (r, s): (usize, usize),
        one: Span,
        record: &Entry<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let mut spare = std::mem::take(&mut self.spare_attributes);
        let el = self.enter(r, Some(s));
        let lacks = Lacks {
            resource: el.resource.is_none(),
            schema_url: el.schema_url.is_none(),
            scope: el.scope.is_none(),
        };
        let origin = Origin {
            resource: known(&el.resource),
            scope: known(&el.scope),
            schema_url: known(&el.schema_url),
        };
        let (parts, extra) = span::convert_open(one, &origin, &mut out.notes, &mut spare);
        // Kept only if small: the room of a span of a million attributes would stay held,
        // unseen by the memory budget.
        if spare.capacity() <= SPARE_ATTRIBUTES {
            self.spare_attributes = spare;
        }
        let held = Held::new(parts, extra, (r, s), lacks, record.text.len());
        if !lacks.any() && self.window.is_empty() {
            return self.add(held, out);
        }
        self.window.push(held);
        while self.window.overflowing() {
            let Some(oldest) = self.window.pop_front_if(|_| true) else {
                break;
            };
            if let Some(el) = self.element.as_mut() {
                let mut lacked = oldest.lacks;
                lacked.scope &= oldest.scope == el.s;
                el.gone += usize::from(oldest.lacks.any());
                el.gone_lacking = el.gone_lacking.union(lacked);
            }
            self.add(oldest, out)?;
        }
        Ok(())
    }

    fn resource_member<S: EventSink>(
        &mut self,
        r: usize,
        member: Member,
        record: &Entry<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let prefix = |key: &'static str| move || format!("resourceSpans[{r}].{key}");
        let (key, value) = match member {
            Member::Resource => {
                let v: Option<Resource> =
                    read::parse_record(Format::Otlp, record, prefix("resource"))?;
                (
                    "resource",
                    v.map(|v| text_of(&Value::Object(attributes(v.attributes)))),
                )
            }
            Member::SchemaUrl => {
                let v: Option<String> =
                    read::parse_record(Format::Otlp, record, prefix("schemaUrl"))?;
                ("schema_url", v.as_deref().map(text_of))
            }
            Member::ScopeSpans => {
                // Not an array (an array is walked span by span): serde says what is wrong.
                read::parse_record::<Vec<ScopeSpans>>(Format::Otlp, record, prefix("scopeSpans"))?;
                return Ok(());
            }
            _ => {
                read::parse_record::<IgnoredAny>(Format::Otlp, record, String::new)?;
                return Ok(());
            }
        };
        let el = self.enter(r, None);
        let (slot, lacked) = if key == "resource" {
            (&mut el.resource, el.gone_lacking.resource)
        } else {
            (&mut el.schema_url, el.gone_lacking.schema_url)
        };
        if slot.is_some() {
            return Err(duplicate(record, format!("resourceSpans[{r}]"), member));
        }
        *slot = Some(value.clone());
        if lacked && value.is_some() {
            out.notes.push(gone_note(el, key));
        }
        for h in self.window.element_mut(r) {
            if key == "resource" && h.lacks.resource {
                h.fill(key, value.as_deref());
                h.lacks.resource = false;
            } else if key == "schema_url" && h.lacks.schema_url {
                h.fill(key, value.as_deref());
                h.lacks.schema_url = false;
            }
        }
        Ok(())
    }

    fn scope_member<S: EventSink>(
        &mut self,
        r: usize,
        s: usize,
        member: Member,
        record: &Entry<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let path = format!("resourceSpans[{r}].scopeSpans[{s}]");
        match member {
            Member::Scope => {
                let v: Option<Scope> =
                    read::parse_record(Format::Otlp, record, || format!("{path}.scope"))?;
                let value = v.map(|v| text_of(&scope_value(v)));
                let el = self.enter(r, Some(s));
                if el.scope.is_some() {
                    return Err(duplicate(record, path, member));
                }
                if el.gone_lacking.scope && value.is_some() {
                    out.notes.push(gone_note(el, "scope"));
                }
                el.scope = Some(value.clone());
                for h in self.window.scope_mut(r, s) {
                    if h.lacks.scope {
                        h.fill("scope", value.as_deref());
                        h.lacks.scope = false;
                    }
                }
            }
            Member::Spans => {
                // Not an array: serde says what is wrong.
                let at = || format!("{path}.spans");
                read::parse_record::<Vec<&RawValue>>(Format::Otlp, record, at)?;
            }
            _ => {
                read::parse_record::<IgnoredAny>(Format::Otlp, record, String::new)?;
            }
        }
        Ok(())
    }

    /// The end of the input: the spans still waiting go on with what is known (their
    /// element may never have closed: the input was cut), about `budget` events of them.
    /// Returns whether none waits any more.
    pub(super) fn drain<S: EventSink>(
        &mut self,
        budget: usize,
        out: &mut Output<S>,
    ) -> Result<bool, ImportError> {
        let mut left = budget;
        while left > 0 {
            let Some(held) = self.window.pop_front_if(|_| true) else {
                break;
            };
            left = left.saturating_sub(held.events().max(1));
            self.add(held, out)?;
        }
        self.settle(out)?;
        Ok(self.window.is_empty())
    }

    /// Up to `most` waiting spans at the front whose origin is now complete go on.
    fn release_ready<S: EventSink>(
        &mut self,
        most: usize,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        for _ in 0..most {
            let Some(held) = self.window.pop_front_if(|h| !h.lacks.any()) else {
                break;
            };
            self.add(held, out)?;
        }
        Ok(())
    }

    /// One span to the linker (its events to the sink now, or when its parent comes).
    /// When its root is known now and the sink encodes borrowed events (the event store),
    /// its events go borrowed from the held span ([`super::span::Parts::push_borrowed`]);
    /// owned otherwise, the same events.
    fn add<S: EventSink>(&mut self, held: Held, out: &mut Output<S>) -> Result<(), ImportError> {
        out.promise(self.window.events() as u64)?;
        if !S::ENCODES_BORROWED || held.parts.has_span_events() {
            return self.linker.add(held.into_span(), &mut |e| out.push(e));
        }
        let (id, parent) = (held.parts.id, held.parts.parent_id);
        let Some(root) = self.linker.place(id, parent) else {
            self.linker.wait(held.into_span());
            return Ok(());
        };
        let tree = (root.id, lineage_of(root.id));
        (held.parts).push_borrowed(&held.extra, tree, &mut |e| out.push_ref(e))?;
        self.linker.release_waiting(id, root, &mut |e| out.push(e))
    }

    /// What the reader holds, for the budgets: the waiting spans' events are owed.
    pub(super) fn settle<S: EventSink>(&mut self, out: &mut Output<S>) -> Result<(), ImportError> {
        out.promise(self.window.events() as u64)?;
        out.hold(self.linker.held() + self.window.bytes())
    }
}

/// The most attributes whose room a reader keeps from one span for the next (~11 KB).
const SPARE_ATTRIBUTES: usize = 64;

/// A value whose key has come, if it has a value.
fn known(v: &Option<Option<Vec<u8>>>) -> Option<&[u8]> {
    v.as_ref().and_then(Option::as_deref)
}

/// A key given twice in one object, refused as serde refuses it in a whole element.
fn duplicate(record: &Entry<'_>, path: String, member: Member) -> ImportError {
    let field = match member {
        Member::Resource => "resource",
        Member::SchemaUrl => "schemaUrl",
        Member::Scope => "scope",
        _ => "?",
    };
    ImportError::new(
        Some(Format::Otlp),
        Some(record.at),
        Problem::Syntax {
            detail: format!("{path}: duplicate field `{field}`"),
        },
    )
}

/// The note for a key that came after spans that could not wait for it.
fn gone_note(el: &Element, key: &str) -> String {
    format!(
        "resourceSpans[{}]: its {key} came after {} of its spans had been read without it \
         (at most {MAX_SPANS} spans wait for it); their events do not carry it",
        el.r, el.gone
    )
}
