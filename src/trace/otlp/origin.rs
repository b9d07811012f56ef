//! # What the spans of one scope share
//!
//! A `scopeSpans` element's resource, scope and schema URL, which every span converted from
//! it carries (`span.rs` converts, `json_text.rs` writes them into the start's `otel` object).
//! Its own file so that the writer and the converter name it without importing each other.

use serde_json::Value;

/// What the spans of one `scopeSpans` share, already as JSON.
#[derive(Default)]
pub(super) struct Origin<'a> {
    pub resource: Option<&'a Value>,
    pub scope: Option<&'a Value>,
    pub schema_url: Option<&'a str>,
}
