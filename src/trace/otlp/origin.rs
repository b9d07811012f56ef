//! # What the spans of one scope share
//!
//! A `scopeSpans` element's resource, scope and schema URL, which every span converted from
//! it carries (`span.rs` converts, `json_text.rs` writes them into the start's `otel` object).
//! Its own file so that the writer and the converter name it without importing each other.
//!
//! They are kept as the JSON text `serde_json` writes for them, written once per element:
//! written again from their `Value`s at every span, they were ~1 200 instructions a span of
//! the budget.md document (serde_json's serializer over a one-attribute resource and a
//! scope; callgrind, 2026-12-06), 15 % of its import.
//!
//! In the store too they are kept once: a start's `otel` text is handed over with its
//! origin's members marked (`core::JsonRef::Members`), and the store keeps that piece as a symbol
//! (`core::store::shared_text`): ~90 bytes a span less in the arena for the document of
//! `docs/budget.md`, which is what lets its million spans open in the page's budget.

use serde_json::Value;

/// What the spans of one `scopeSpans` share, each as its JSON text.
#[derive(Default, Clone, Copy)]
pub(super) struct Origin<'a> {
    pub resource: Option<&'a [u8]>,
    pub scope: Option<&'a [u8]>,
    /// The schema URL as a JSON string (quotes and escapes included).
    pub schema_url: Option<&'a [u8]>,
}

/// The JSON text `serde_json` writes for `v`.
pub(super) fn text_of(v: &(impl serde::Serialize + ?Sized)) -> Vec<u8> {
    serde_json::to_vec(v).expect("writing JSON to memory succeeds")
}

/// An origin's members written once, for the [`Origin`] every span of it borrows.
#[derive(Default)]
pub(super) struct Written {
    pub resource: Option<Vec<u8>>,
    pub scope: Option<Vec<u8>>,
    pub schema_url: Option<Vec<u8>>,
}

impl Written {
    pub(super) fn new(
        resource: Option<&Value>,
        scope: Option<&Value>,
        schema_url: Option<&str>,
    ) -> Written {
        Written {
            resource: resource.map(text_of),
            scope: scope.map(text_of),
            schema_url: schema_url.map(text_of),
        }
    }

    pub(super) fn origin(&self) -> Origin<'_> {
        Origin {
            resource: self.resource.as_deref(),
            scope: self.scope.as_deref(),
            schema_url: self.schema_url.as_deref(),
        }
    }
}
