//! # Exports as downloads, written piece by piece into a `Blob`
//!
//! The page's ⤓ buttons write the open trace as it is held (the inspection's `EventLog` and
//! its `Spans`, through [`trace::write_log`]) into [`BlobParts`]: an `io::Write` that hands
//! what it is given to JavaScript a [`PART`] at a time. The export as one `String` never
//! exists in the wasm heap, which matters twice over there: a wasm memory grows and never
//! shrinks, so an export text built whole once would stay the page's for good; and the bytes
//! are copied into JavaScript's memory for the `Blob` anyway.

use std::io;

use wasm_bindgen::{JsCast, JsValue};

use crate::model::{EventLog, Spans};
use crate::trace::{self, ExportFormat};

/// Bytes gathered before they are copied to a JavaScript buffer: large enough that a part
/// per MiB costs nothing next to writing it, small enough that the wasm heap never holds
/// more than this of the export.
pub const PART: usize = 1 << 20;

/// The parts of a `Blob` being written.
pub struct BlobParts {
    parts: js_sys::Array,
    buf: Vec<u8>,
    bytes: u64,
}

impl Default for BlobParts {
    fn default() -> Self {
        BlobParts {
            parts: js_sys::Array::new(),
            buf: Vec::with_capacity(PART),
            bytes: 0,
        }
    }
}

impl BlobParts {
    /// Copies the bytes gathered so far into a JavaScript buffer of their own.
    fn hand_over(&mut self) {
        if !self.buf.is_empty() {
            self.parts
                .push(&js_sys::Uint8Array::from(self.buf.as_slice()));
            self.buf.clear();
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.bytes
    }

    pub fn is_empty(&self) -> bool {
        self.bytes == 0
    }

    /// The `Blob` of everything written, typed `mime`.
    pub fn into_blob(mut self, mime: &str) -> Result<web_sys::Blob, JsValue> {
        self.hand_over();
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type(mime);
        web_sys::Blob::new_with_u8_array_sequence_and_options(&self.parts, &opts)
    }
}

impl io::Write for BlobParts {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.bytes += bytes.len() as u64;
        if self.buf.len() + bytes.len() > PART {
            self.hand_over();
        }
        if bytes.len() >= PART {
            // A piece as large as a part goes over as it is, not through the buffer.
            self.parts.push(&js_sys::Uint8Array::from(bytes));
        } else {
            self.buf.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The events of `log` in `format` as a `Blob` (what the ⤓ buttons download): written
/// straight from the store and the page's own spans, a [`PART`] at a time.
pub fn export_blob(
    format: ExportFormat,
    log: &EventLog,
    spans: &Spans,
) -> Result<web_sys::Blob, JsValue> {
    let mut parts = BlobParts::default();
    trace::write_log(format, log, spans, &mut parts)
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    parts.into_blob(format.mime())
}

/// Offers `blob` as a download named `file_name`.
pub fn download(blob: &web_sys::Blob, file_name: &str) -> Result<(), JsValue> {
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    web_sys::Url::revoke_object_url(&url)
}
