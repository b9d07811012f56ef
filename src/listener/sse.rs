//! # The stream's messages
//!
//! What `GET /v1/stream` sends, as Server-Sent Events text (see
//! `docs/live.md`, summarised in `docs/live.md`): `hello` first, `gap` when the
//! reader asked for events already evicted, `events` with one `data:` line per event and the
//! seq of its last event as `id`, `status` about once a second, `bye` before the listener
//! closes the stream. Written here as plain strings so they are tested without a socket.
//!
//! An event's line is lineage NDJSON, which serde_json writes on one line (newlines inside
//! strings are escaped), so a `data:` line can never be split by the event it carries.

use serde::Serialize;
use serde_json::json;

use super::store::{Counts, LiveStore};
use crate::trace::native;

/// The most events in one `events` message.
pub const MAX_BATCH_EVENTS: usize = 1000;

/// Roughly the most bytes in one `events` message (one event may take it past).
pub const MAX_BATCH_BYTES: usize = 1 << 20;

/// The status a stream and `GET /v1/status` report.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    #[serde(flatten)]
    pub counts: Counts,
    pub next_seq: u64,
    pub clients: usize,
    /// The store's instance: a page that connected before the first event learns it here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

impl Status {
    pub fn of(store: &LiveStore, clients: usize) -> Status {
        Status {
            counts: store.counts(),
            next_seq: store.next_seq(),
            clients,
            instance: store.instance().map(str::to_owned),
        }
    }
}

fn message(event: &str, data: &str) -> String {
    format!("event: {event}\ndata: {data}\n\n")
}

/// The first message of every connection, with the store's `instance` when it has one
/// (see `LiveStore::instance` for what a restart on the same `--out` means).
pub fn hello(store: &LiveStore, listener: &str) -> String {
    let mut data = json!({
        "listener": listener,
        "first_seq": store.first_seq(),
        "next_seq": store.next_seq(),
        "max_events": store.capacity(),
        "when_full": store.when_full().as_str(),
    });
    if let Some(id) = store.instance() {
        data["instance"] = id.into();
    }
    message("hello", &data.to_string())
}

/// Events from `from` were evicted: the stream goes on at `first_seq`.
pub fn gap(from: u64, first_seq: u64) -> String {
    let data = json!({"from": from, "first_seq": first_seq, "lost": first_seq - from});
    message("gap", &data.to_string())
}

pub fn status(status: &Status) -> String {
    message(
        "status",
        &serde_json::to_string(status).expect("counters serialise"),
    )
}

pub fn bye(reason: &str) -> String {
    message("bye", &json!({ "reason": reason }).to_string())
}

pub const KEEPALIVE: &str = ": keepalive\n\n";

/// How a stream writes its events (`?encoding=` of `GET /v1/stream`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// One lineage NDJSON line per event: what every page before `encoding=` reads.
    #[default]
    Ndjson,
    /// Compact lines, ids and payloads written once per message
    /// ([`crate::view::live::compact`]): about a third of the bytes.
    Compact,
}

impl Encoding {
    /// The encoding a stream's `?encoding=` value asks for (anything unknown: NDJSON, so an
    /// older page and a newer listener, or the reverse, still agree).
    pub fn named(value: Option<&str>) -> Encoding {
        match value {
            Some(crate::view::live::compact::ENCODING) => Encoding::Compact,
            _ => Encoding::Ndjson,
        }
    }
}

/// The next `events` message for a reader at `from`, as lineage NDJSON ([`events_as`]).
pub fn events(store: &LiveStore, from: u64) -> Option<(String, u64)> {
    events_as(store, from, Encoding::Ndjson)
}

/// The next `events` message for a reader at `from`: the message and the seq the reader
/// goes on from, or `None` when it has everything held. `from` must be held (a reader
/// before `first_seq` is sent a [`gap`] first).
pub fn events_as(store: &LiveStore, from: u64, encoding: Encoding) -> Option<(String, u64)> {
    let end = store.next_seq();
    if from >= end || from < store.first_seq() {
        return None;
    }
    let mut text = String::from("event: events\n");
    let mut line = Vec::with_capacity(512);
    let mut compact = crate::view::live::compact::Encoder::default();
    let mut seq = from;
    while seq < end && seq - from < MAX_BATCH_EVENTS as u64 && text.len() < MAX_BATCH_BYTES {
        let Some(event) = store.event(seq) else { break };
        text.push_str("data: ");
        match encoding {
            Encoding::Ndjson => {
                line.clear();
                native::write_line(&mut line, &event).expect("writing to a Vec cannot fail");
                text.push_str(std::str::from_utf8(&line).expect("serde_json writes UTF-8"));
            }
            Encoding::Compact => {
                compact.write(&mut text, &event);
                text.push('\n');
            }
        }
        seq += 1;
    }
    text.push_str(&format!("id: {}\n\n", seq - 1));
    Some((text, seq))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Event, Phase};
    use crate::listener::store::WhenFull;
    use crate::trace::Limits;
    use crate::view::live::Message;

    /// The page's reading of one `events` message: its data lines and its id.
    fn read(text: &str) -> Vec<Event> {
        let data: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("data: "))
            .collect();
        let id = text.lines().find_map(|l| l.strip_prefix("id: ")).unwrap();
        let Ok(Message::Events(batch)) = Message::parse("events", &data.join("\n"), id) else {
            panic!("an events message");
        };
        assert_eq!(batch.rejected, 0, "{:?}", batch.problems);
        batch.events.iter().map(|(_, e)| e.to_event()).collect()
    }

    #[test]
    fn a_compact_message_reads_back_as_the_ndjson_one_in_fewer_bytes() {
        let mut events = Vec::new();
        for _ in 0..400 {
            let root = Event::root("processing", Phase::Started);
            let mut end = Event::child_of(&root, "processed", Phase::Completed);
            (end.parent_id, end.start_id) = (None, Some(root.id));
            events.extend([root, end]);
        }
        let limits = Limits {
            max_events: 10_000,
            ..Limits::DEFAULT
        };
        let mut store = LiveStore::new(limits, WhenFull::KeepNewest);
        store.commit(&events).1.unwrap();
        let (ndjson, next) = events_as(&store, 1, Encoding::Ndjson).unwrap();
        let (compact, compact_next) = events_as(&store, 1, Encoding::Compact).unwrap();
        assert_eq!(next, compact_next);
        assert_eq!(read(&compact), read(&ndjson));
        assert_eq!(read(&compact).len(), events.len());
        assert!(
            compact.len() * 2 < ndjson.len(),
            "{} bytes against {}",
            compact.len(),
            ndjson.len()
        );
        assert_eq!(Encoding::named(Some("compact")), Encoding::Compact);
        assert_eq!(Encoding::named(Some("msgpack")), Encoding::Ndjson);
        assert_eq!(Encoding::named(None), Encoding::Ndjson);
    }
}
