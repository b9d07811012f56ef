//! # What the listener says on the stream
//!
//! `GET /v1/stream` is Server-Sent Events (see `docs/live.md`, summarised in the
//! [module docs](super)): each message has a name (`hello`, `gap`, `events`, `status`, `bye`),
//! its `data` lines (the browser's `EventSource` joins them with `\n`) and, for `events`, an
//! `id`: the listener sequence number of its last event. [`Message::parse`] turns one into a
//! plain value. The page trusts nothing it reads: a line that is not an event is counted and
//! described (bounded and escaped), never shown raw, and the rest of the message still counts.

use serde::Deserialize;

use std::rc::Rc;

use super::compact::Decoder;
use super::wire::{CompactLine, LiveEvent};
use crate::core::Event;

/// At most this many unreadable lines are described per message (the rest are only counted).
pub const MAX_DESCRIBED: usize = 3;

/// The first message of every connection.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Hello {
    /// The listener's name and version, e.g. `lineage 0.1.0`.
    #[serde(default)]
    pub listener: String,
    /// The oldest sequence number the listener still holds.
    #[serde(default)]
    pub first_seq: u64,
    /// The sequence number the next stored event will get.
    #[serde(default)]
    pub next_seq: u64,
    #[serde(default)]
    pub max_events: u64,
    #[serde(default)]
    pub when_full: String,
    /// Optional: an id the listener picks at start. When present, a changed id is how the
    /// page knows it is talking to a new store (else it infers it from `next_seq`).
    #[serde(default)]
    pub instance: Option<String>,
}

/// `event: gap`: the events from `from` to `first_seq - 1` were evicted before this page read
/// them (keep-newest); the stream continues at `first_seq`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Gap {
    pub from: u64,
    pub first_seq: u64,
    pub lost: u64,
}

/// `event: status`, about once a second: the listener's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Status {
    /// The store's instance, once it has one (a listener on a fresh recording has none
    /// before its first event): the page adopts it if its hello had none.
    #[serde(default)]
    pub instance: Option<String>,
    #[serde(default)]
    pub received: u64,
    #[serde(default)]
    pub stored: u64,
    #[serde(default)]
    pub evicted: u64,
    #[serde(default)]
    pub refused: u64,
    #[serde(default)]
    pub next_seq: u64,
    #[serde(default)]
    pub clients: u64,
}

/// `event: events`: consecutive stored events ending at sequence number `last_seq`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    pub last_seq: u64,
    /// The events read, each with its sequence number (an unreadable line keeps its number:
    /// it is counted as rejected, and the numbering of the others stays right).
    pub events: Vec<(u64, LiveEvent)>,
    /// Lines that were not events.
    pub rejected: u64,
    /// What was wrong with the first few of them, escaped and bounded.
    pub problems: Vec<String>,
}

/// One message of the stream.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    Hello(Hello),
    Gap(Gap),
    Events(Batch),
    Status(Status),
    /// The listener is closing the stream on purpose, and says why.
    Bye(String),
}

/// Why a message could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadMessage(pub String);

impl std::fmt::Display for BadMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Message {
    /// Reads the message named `name` with `data` (its data lines joined by `\n`) and `id`
    /// (the SSE `lastEventId`, used by `events` only).
    pub fn parse(name: &str, data: &str, id: &str) -> Result<Message, BadMessage> {
        Message::parse_owned(name, data.to_owned(), id)
    }

    /// [`Message::parse`] keeping `data`: an `events` message's compact events refer to
    /// their names and payloads in it ([`super::wire`]).
    pub fn parse_owned(name: &str, data: String, id: &str) -> Result<Message, BadMessage> {
        let json = |what: &str| BadMessage(format!("a `{what}` message that is not its JSON"));
        match name {
            "hello" => serde_json::from_str(&data)
                .map(Message::Hello)
                .map_err(|_| json(name)),
            "gap" => serde_json::from_str(&data)
                .map(Message::Gap)
                .map_err(|_| json(name)),
            "status" => serde_json::from_str(&data)
                .map(Message::Status)
                .map_err(|_| json(name)),
            "bye" => {
                #[derive(Deserialize)]
                struct Bye {
                    #[serde(default)]
                    reason: String,
                }
                let bye: Bye = serde_json::from_str(&data).map_err(|_| json(name))?;
                Ok(Message::Bye(bounded(&bye.reason, 200)))
            }
            "events" => Batch::parse(data, id).map(Message::Events),
            other => Err(BadMessage(format!(
                "an unknown message `{}`",
                bounded(other, 40)
            ))),
        }
    }
}

impl Batch {
    /// The events of one `events` message: one line per event, numbered so that the last
    /// one is `id`; a compact line ([`super::compact`]) or a lineage NDJSON line.
    fn parse(data: String, id: &str) -> Result<Batch, BadMessage> {
        let last_seq: u64 = id.trim().parse().map_err(|_| {
            BadMessage(format!(
                "an `events` message whose id `{}` is not a sequence number",
                bounded(id, 40)
            ))
        })?;
        let lines: Vec<std::ops::Range<usize>> = data
            .split('\n')
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let start = l.as_ptr() as usize - data.as_ptr() as usize;
                start..start + l.len()
            })
            .collect();
        let n = lines.len() as u64;
        if n > last_seq {
            return Err(BadMessage(format!(
                "an `events` message of {n} events ending at sequence number {last_seq}"
            )));
        }
        let first = last_seq + 1 - n;
        let mut batch = Batch {
            last_seq,
            ..Batch::default()
        };
        // Compact lines refer to the message's tables, made whole once every line is read.
        let mut read: Vec<(u64, Result<CompactLine, LiveEvent>)> = Vec::with_capacity(lines.len());
        let mut compact = Decoder::over(data);
        for (k, range) in lines.into_iter().enumerate() {
            let seq = first + k as u64;
            let line = &compact.text()[range.clone()];
            if Decoder::is_compact(line) {
                match compact.read_at(range) {
                    Ok(l) => read.push((seq, Ok(CompactLine(l)))),
                    Err(why) => batch.reject(seq, &why),
                }
                continue;
            }
            match Batch::ndjson(line) {
                Ok(e) => read.push((seq, Err(LiveEvent::from(e)))),
                Err(why) => batch.reject(seq, &why),
            }
        }
        let wire = Rc::new(compact.finish());
        batch.events = read
            .into_iter()
            .map(|(seq, e)| match e {
                Ok(line) => (seq, LiveEvent::Compact(wire.clone(), line)),
                Err(owned) => (seq, owned),
            })
            .collect();
        Ok(batch)
    }

    /// An NDJSON line's event. A line as the listener writes it (lineage NDJSON) is read by
    /// the purpose-built reader (0.78 µs an event natively against serde's 1.21 µs,
    /// docs/live-page.md); anything else, and every error, by serde, once its nesting is
    /// measured (the reader lifts serde's recursion limit for payloads).
    fn ndjson(line: &str) -> Result<Event, String> {
        if let Some(e) = crate::trace::native::read_exact(line) {
            return Ok(e);
        }
        if super::compact::nesting(line) > crate::trace::read::MAX_DEPTH {
            return Err("an event nested deeper than the page reads".into());
        }
        serde_json::from_str::<Event>(line).map_err(|e| e.to_string())
    }

    /// Counts the line of event `seq` as unreadable, describing the first few.
    fn reject(&mut self, seq: u64, why: &str) {
        self.rejected += 1;
        if self.problems.len() < MAX_DESCRIBED {
            self.problems
                .push(format!("event {seq}: {}", bounded(why, 120)));
        }
    }

    /// The sequence number of the first event of the message.
    pub fn first_seq(&self) -> u64 {
        self.last_seq + 1 - (self.events.len() as u64 + self.rejected)
    }
}

/// `s` escaped (control and invisible characters made visible) and cut to `max` characters.
pub(crate) fn bounded(s: &str, max: usize) -> String {
    crate::text::Excerpt::clipped_at(s, max).to_string()
}
