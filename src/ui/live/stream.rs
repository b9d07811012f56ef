//! The browser's side of the listener's stream: an `EventSource` with a handler per message,
//! each handing what it reads to the [`LiveFeed`] and noting what the feed asks for; the
//! frame loop in `ui/live.rs` does the asking (see its docs for why a handler never opens or
//! closes a stream itself).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::Live;
use crate::ui::state::now_ms;
use crate::view::live::{LiveFeed, Message, Reaction};

/// Messages the listener sends (see `docs/live.md`).
const MESSAGES: [&str; 5] = ["hello", "gap", "events", "status", "bye"];
/// A handler of one named message.
type OnMessage = Closure<dyn FnMut(web_sys::MessageEvent)>;

/// An open `EventSource` and its handlers; dropping it closes the stream.
pub(super) struct Stream {
    source: web_sys::EventSource,
    handlers: Vec<(&'static str, OnMessage)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for Stream {
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
                        self.on_message(name, &ev);
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
        self.stream.set_value(Some(Stream {
            source,
            handlers,
            _on_error: on_error,
        }));
    }

    fn on_message(self, name: &str, ev: &web_sys::MessageEvent) {
        let data = ev.data().as_string().unwrap_or_default();
        let id = ev.last_event_id();
        let now = now_ms();
        let message = self.profiled(
            || Message::parse(name, &data, &id),
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

    fn on_error(self) {
        let now = now_ms();
        let reaction = self
            .feed
            .try_update_value(|f| f.as_mut().map(|f| f.on_error(now)));
        self.ask(reaction.flatten().unwrap_or(Reaction::Nothing));
    }
}
