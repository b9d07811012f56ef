//! The browser's side of the listener's stream: an `EventSource`, read by the page's worker
//! (`pipe.rs`) or, where there is none, by the page itself with a handler per message; each
//! message goes to the [`LiveFeed`], noting what the feed asks for; the frame loop in
//! `ui/live.rs` does the asking (see its docs for why a handler never opens or closes a
//! stream itself).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::pipe::WorkerStream;
use super::Live;
use crate::ui::state::now_ms;
use crate::view::live::frames::NAMES as MESSAGES;
use crate::view::live::{LiveFeed, Message, Reaction};
/// A handler of one named message.
type OnMessage = Closure<dyn FnMut(web_sys::MessageEvent)>;

#[wasm_bindgen]
extern "C" {
    /// The browser's `TextEncoder` (bound here: one method, no `web-sys` feature needed).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &JsValue) -> js_sys::Uint8Array;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// A message's data as a Rust string. wasm-bindgen's own string passing copies an ASCII
/// string one character at a time in JavaScript: 2.9 ms for a 475 kB `events` message in
/// Chromium's profile (0.87 s of a 13.5 s run at 100 k events/s, docs/live-page.md). The
/// browser's `TextEncoder` writes the UTF-8 bytes natively, and they are copied into the
/// module's memory in one block.
fn message_text(data: &JsValue) -> String {
    if !data.is_string() {
        return String::new();
    }
    let bytes = ENCODER.with(|e| e.encode(data)).to_vec();
    // A JavaScript string always encodes to valid UTF-8 (lone surrogates become U+FFFD).
    String::from_utf8(bytes).unwrap_or_default()
}

/// An open stream, held for its `Drop`: dropping it closes the stream.
pub(super) enum Stream {
    /// Read by the page's worker.
    Worker { _held: WorkerStream },
    /// Read by the page itself.
    Direct { _held: Direct },
}

/// An `EventSource` of the page's own and its handlers; dropping it closes the stream.
pub(super) struct Direct {
    source: web_sys::EventSource,
    handlers: Vec<(&'static str, OnMessage)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for Direct {
    fn drop(&mut self) {
        self.source.close();
        self.source.set_onerror(None);
        for (name, h) in &self.handlers {
            let _ = self
                .source
                .remove_event_listener_with_callback(name, h.as_ref().unchecked_ref());
        }
    }
}

impl Live {
    /// Opens a stream at the feed's resume point (closing any other).
    pub(super) fn open_stream(self) {
        self.stream.set_value(None);
        let Some(url) = self
            .feed
            .with_value(|f| f.as_ref().map(LiveFeed::stream_url))
        else {
            return;
        };
        self.stream_id.update_value(|s| *s += 1);
        if let Some(s) = self.open_in_worker(&url) {
            self.stream.set_value(Some(Stream::Worker { _held: s }));
            self.note_reader("worker");
            return;
        }
        self.note_reader("page");
        let (session, stream_id) = (self.session.get_value(), self.stream_id.get_value());
        let current =
            move || self.session.get_value() == session && self.stream_id.get_value() == stream_id;
        let source = match web_sys::EventSource::new(&url) {
            Ok(s) => s,
            Err(_) => {
                self.on_error();
                return;
            }
        };
        let handlers = MESSAGES
            .into_iter()
            .map(|name| {
                let h = OnMessage::new(move |ev: web_sys::MessageEvent| {
                    if current() {
                        self.on_message(name, message_text(&ev.data()), &ev.last_event_id());
                    }
                });
                let _ = source.add_event_listener_with_callback(name, h.as_ref().unchecked_ref());
                (name, h)
            })
            .collect();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if current() {
                self.on_error();
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        self.stream.set_value(Some(Stream::Direct {
            _held: Direct {
                source,
                handlers,
                _on_error: on_error,
            },
        }));
    }

    fn note_reader(self, reader: &'static str) {
        if self.reader.get_untracked() != reader {
            self.reader.set(reader);
        }
    }

    /// One message of the stream named `name`, its `data` and `id` (`lastEventId`).
    pub(super) fn on_message(self, name: &str, data: String, id: &str) {
        let now = now_ms();
        let message = self.profiled(
            || Message::parse_owned(name, data, id),
            |p, m, ms| {
                if let Ok(Message::Events(b)) = m {
                    p.decoded(b.events.len(), ms);
                }
            },
        );
        let reaction = self.feed.try_update_value(|f| {
            let f = f.as_mut()?;
            Some(match message {
                Ok(m) => f.on_message(m, now),
                Err(e) => {
                    f.on_bad_message(&e.0);
                    Reaction::Nothing
                }
            })
        });
        self.ask(reaction.flatten().unwrap_or(Reaction::Nothing));
    }

    /// A batch from the worker that could not be read past `why` (counted and described).
    pub(super) fn on_bad_batch(self, why: &str) {
        self.feed.update_value(|f| {
            if let Some(f) = f {
                f.on_bad_message(why);
            }
        });
    }

    /// The stream failed or closed.
    pub(super) fn on_error(self) {
        let now = now_ms();
        let reaction = self
            .feed
            .try_update_value(|f| f.as_mut().map(|f| f.on_error(now)));
        self.ask(reaction.flatten().unwrap_or(Reaction::Nothing));
    }
}
