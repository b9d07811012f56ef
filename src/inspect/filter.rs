//! # Filter and search
//!
//! A [`Query`] selects spans by kind, phase, lineage and free text found anywhere in their
//! events (ids, labels, errors, the payload's JSON). The tree keeps the ancestors of matches
//! visible, so a match is always seen in context, and highlights the matches themselves;
//! `invert` selects what does *not* match.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::spans::Spans;
use super::trace::Trace;
use crate::core::{Event, Phase};

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

    fn event_matches(&self, e: &Event, needle: &str) -> bool {
        if let Some(k) = &self.kind {
            if *e.kind != **k {
                return false;
            }
        }
        if let Some(l) = self.lineage {
            if e.lineage_id != l {
                return false;
            }
        }
        if let Some(p) = self.phase {
            if e.phase != p {
                return false;
            }
        }
        needle.is_empty() || event_text_contains(e, needle)
    }

    /// Does span `s` match (before inversion)? Any of its events may satisfy the query.
    pub fn span_matches(&self, trace: &Trace, spans: &Spans, s: usize, needle: &str) -> bool {
        let span = &spans.spans[s];
        self.event_matches(&trace.event(span.start), needle)
            || span
                .end
                .is_some_and(|e| self.event_matches(&trace.event(e), needle))
    }

    /// For every span, whether it is selected by the query (inversion applied).
    pub fn select(&self, trace: &Trace, spans: &Spans) -> Vec<bool> {
        if self.is_empty() {
            return vec![!self.invert; spans.len()];
        }
        let needle = self.text.trim().to_lowercase();
        (0..spans.len())
            .map(|s| self.span_matches(trace, spans, s, &needle) != self.invert)
            .collect()
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
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn the_match_count_shows_only_under_a_filter_and_agrees_in_number() {
        let selected = [true, false, true];
        assert_eq!(Query::default().describe_matches(&selected), "");
        let text = Query {
            text: "load".into(),
            ..Query::default()
        };
        assert_eq!(text.describe_matches(&selected), "2 matches");
        assert_eq!(text.describe_matches(&[false, true]), "1 match");
        let inverted = Query {
            invert: true,
            ..Query::default()
        };
        assert!(inverted.is_active() && inverted.is_empty());
        assert_eq!(inverted.describe_matches(&[false]), "0 matches");
    }
}
