//! # The visible rows of the lineage tree
//!
//! The tree is shown as a flat list of rows (so it can be virtualised: only the rows in view
//! are in the DOM). [`TreeRows::build`] walks the span forest depth-first, skipping the
//! children of collapsed nodes and, under a filter, every subtree with no selected span, and
//! keeping the ancestors of selected spans so matches are seen in context.

use std::collections::HashSet;

use super::spans::Spans;

/// One visible row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Row {
    pub span: usize,
    pub depth: usize,
    pub has_children: bool,
    pub collapsed: bool,
    /// The span itself matches the filter (as opposed to being shown as context).
    pub matched: bool,
}

/// The rows, in display order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TreeRows {
    pub rows: Vec<Row>,
}

impl TreeRows {
    /// `selected[s]` says whether span `s` passes the filter; `filtered` says whether a
    /// filter is active at all (without one every span is shown and none highlighted).
    pub fn build(
        spans: &Spans,
        collapsed: &HashSet<usize>,
        selected: &[bool],
        filtered: bool,
    ) -> TreeRows {
        // Which subtrees hold a selected span (post-order over the forest).
        let n = spans.len();
        let mut keep = vec![!filtered; n];
        if filtered {
            let mut order = Vec::with_capacity(n);
            let mut stack: Vec<usize> = spans.roots.clone();
            while let Some(s) = stack.pop() {
                order.push(s);
                stack.extend_from_slice(&spans.spans[s].children);
            }
            for &s in order.iter().rev() {
                keep[s] = selected[s] || spans.spans[s].children.iter().any(|&c| keep[c]);
            }
        }
        let mut rows = Vec::new();
        let mut stack: Vec<usize> = spans.roots.iter().rev().copied().collect();
        while let Some(s) = stack.pop() {
            if !keep[s] {
                continue;
            }
            let span = &spans.spans[s];
            let is_collapsed = collapsed.contains(&s);
            rows.push(Row {
                span: s,
                depth: span.depth,
                has_children: !span.children.is_empty(),
                collapsed: is_collapsed,
                matched: selected.get(s).copied().unwrap_or(true) && filtered,
            });
            if !is_collapsed {
                stack.extend(span.children.iter().rev().copied());
            }
        }
        TreeRows { rows }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row showing span `s`, if visible.
    pub fn position(&self, s: usize) -> Option<usize> {
        self.rows.iter().position(|r| r.span == s)
    }
}
