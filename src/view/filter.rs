//! # Filter and search
//!
//! A [`Query`] selects spans by kind, phase, lineage and free text found anywhere in their
//! events (ids, labels, errors, the payload's JSON). The tree keeps the ancestors of matches
//! visible, so a match is always seen in context, and highlights the matches themselves;
//! `invert` selects what does *not* match.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::core::store::search::TextFinder;
use crate::core::{Event, Phase};
use crate::model::events::EventLog;
use crate::model::spans::Spans;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Query {
    /// Case-insensitive text searched in every field of the span's events.
    pub text: String,
    /// Exact event kind (e.g. "processing").
    pub kind: Option<String>,
    /// A phase any of the span's events has.
    pub phase: Option<Phase>,
    pub lineage: Option<Uuid>,
    pub invert: bool,
}

impl Query {
    /// True when the query selects everything.
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
            && self.kind.is_none()
            && self.phase.is_none()
            && self.lineage.is_none()
    }

    /// True when the query narrows or inverts the selection: the tree then shows matches in
    /// context and counts them.
    pub fn is_active(&self) -> bool {
        !self.is_empty() || self.invert
    }

    /// "3 matches", "1 match": the count beside the search box, empty when nothing is
    /// filtered.
    pub fn describe_matches(&self, selected: &[bool]) -> String {
        if !self.is_active() {
            return String::new();
        }
        let n = selected.iter().filter(|b| **b).count();
        format!("{n} match{}", if n == 1 { "" } else { "es" })
    }

    /// Does event `i` pass the kind, lineage and phase filters? Read from its record.
    fn event_passes_filters(&self, trace: &EventLog, i: usize) -> bool {
        self.kind.as_deref().is_none_or(|k| trace.kind(i) == k)
            && self.lineage.is_none_or(|l| trace.lineage_id(i) == l)
            && self.phase.is_none_or(|p| trace.phase(i) == p)
    }

    fn event_matches(&self, trace: &EventLog, i: usize, text: &mut TextSearch) -> bool {
        self.event_passes_filters(trace, i) && (text.is_empty() || text.event_contains(trace, i))
    }

    fn span_matches_with(
        &self,
        trace: &EventLog,
        spans: &Spans,
        s: usize,
        text: &mut TextSearch,
    ) -> bool {
        let span = &spans.spans[s];
        self.event_matches(trace, span.start, text)
            || span.end.is_some_and(|e| self.event_matches(trace, e, text))
    }

    /// Does span `s` match (before inversion)? Any of its events may satisfy the query;
    /// `needle` is the lowercase text.
    pub fn span_matches(&self, trace: &EventLog, spans: &Spans, s: usize, needle: &str) -> bool {
        self.span_matches_with(trace, spans, s, &mut TextSearch::new(needle))
    }

    /// For every span, whether it is selected by the query (inversion applied).
    pub fn select(&self, trace: &EventLog, spans: &Spans) -> Vec<bool> {
        if self.is_empty() {
            return vec![!self.invert; spans.len()];
        }
        let mut text = TextSearch::new(&self.text.trim().to_lowercase());
        (0..spans.len())
            .map(|s| self.span_matches_with(trace, spans, s, &mut text) != self.invert)
            .collect()
    }

    /// [`Query::select`] on a trace grown in place (a live batch), given this query's
    /// selection `before` when the trace held its first `events` events: only the spans of
    /// the new events are searched (the spans they open, and those they end, whose match
    /// may change with their end); the other spans' events are as they were.
    pub fn select_grown(
        &self,
        before: &[bool],
        events: usize,
        trace: &EventLog,
        spans: &Spans,
    ) -> Vec<bool> {
        if self.is_empty() {
            return vec![!self.invert; spans.len()];
        }
        let mut selected = before.to_vec();
        selected.resize(spans.len(), false);
        let mut text = TextSearch::new(&self.text.trim().to_lowercase());
        let upto = trace.len().min(spans.span_of_event.len());
        for &s in &spans.span_of_event[events.min(upto)..upto] {
            selected[s] = self.span_matches_with(trace, spans, s, &mut text) != self.invert;
        }
        selected
    }

    /// [`Query::select`], given the selection `before_selected` that the query `before` made
    /// on the same trace and spans. When this query can only narrow that one's matches (the
    /// same filters, and a text that contains the old text, as when one more character is
    /// typed), only the spans that matched before are searched again: a search's first
    /// keystrokes over a million events match most of them, the later ones few.
    pub fn select_after(
        &self,
        before: &Query,
        before_selected: &[bool],
        trace: &EventLog,
        spans: &Spans,
    ) -> Vec<bool> {
        let needle = self.text.trim().to_lowercase();
        let narrows = self.kind == before.kind
            && self.phase == before.phase
            && self.lineage == before.lineage
            && self.invert == before.invert
            && before_selected.len() == spans.len()
            && needle.contains(&before.text.trim().to_lowercase());
        if !narrows || self.is_empty() {
            return self.select(trace, spans);
        }
        let mut text = TextSearch::new(&needle);
        (0..spans.len())
            .map(|s| {
                let matched_before = before_selected[s] != self.invert;
                let matches = matched_before && self.span_matches_with(trace, spans, s, &mut text);
                matches != self.invert
            })
            .collect()
    }
}

/// One search's text, compiled once: a search over a million events reads each event's
/// record and payload bytes in place ([`TextFinder`]) and decodes none of them unless the
/// text holds JSON punctuation (it decoded every event and wrote its payload's JSON before:
/// ~0.4 s a full scan natively, 0.8 s in the page). Finds exactly what
/// [`event_text_contains`] finds.
struct TextSearch(TextFinder);

impl TextSearch {
    /// `needle` must be lowercase.
    fn new(needle: &str) -> TextSearch {
        TextSearch(TextFinder::new(needle))
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// [`event_text_contains`] for event `i`.
    fn event_contains(&mut self, trace: &EventLog, i: usize) -> bool {
        let store = trace.store();
        let record = store.record(i as u64).expect("an index within the trace");
        self.0.record_contains(store, record)
    }
}

/// Case-insensitive search through an event's fields; `needle` must be lowercase.
pub fn event_text_contains(e: &Event, needle: &str) -> bool {
    let hit = |s: &str| s.to_lowercase().contains(needle);
    if hit(&e.kind) || hit(e.phase.as_str()) || hit(e.label()) {
        return true;
    }
    if e.error.as_deref().is_some_and(hit) {
        return true;
    }
    if e.id.to_string().contains(needle) {
        return true;
    }
    // The payload as JSON: field names and values alike.
    serde_json::to_string(&e.payload).is_ok_and(|j| hit(&j))
}

#[cfg(test)]
mod tests;
