//! # The sending thread
//!
//! The bus runs on the simulation's thread and must not wait on the network for each event;
//! the listener is best fed in batches. So a subscriber hands each event to a bounded channel
//! ([`Sender::push`]) and one thread drains it: it gathers events for at most [`LINGER`] or
//! [`MAX_BATCH`] events, whichever comes first, and POSTs them ([`super::http`]).
//!
//! The channel is bounded ([`QUEUE`] events): when the listener is slower than the
//! simulation, `push` blocks and the simulation slows down to the listener's pace. A
//! simulated run loses nothing; it is the Python subscriber (examples/python) that must never
//! block its bus, and it drops with a count instead.

use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::batch::{Batch, SendFormat};
use super::http::{Poster, Taken};
use crate::core::Event;

/// The longest an event waits in the sender before its batch leaves.
pub(crate) const LINGER: Duration = Duration::from_millis(50);
/// Events in one request at most.
pub(crate) const MAX_BATCH: usize = 1_000;
/// Events waiting between the bus and the sending thread.
const QUEUE: usize = 16 * MAX_BATCH;

/// What a finished sender did.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sent {
    pub events: u64,
    pub operations: u64,
    pub requests: u64,
    pub taken: Taken,
}

/// The bus side of the sending thread.
pub(crate) struct Sender {
    queue: Option<SyncSender<Event>>,
    thread: Option<JoinHandle<Result<Sent, String>>>,
}

impl Sender {
    /// Starts the thread; the caller has checked the listener is there ([`Poster::check`]).
    pub(crate) fn start(poster: Poster, format: SendFormat) -> Sender {
        let (queue, events) = sync_channel(QUEUE);
        let thread = thread::Builder::new()
            .name("lineage-send".into())
            .spawn(move || drain(events, &poster, format))
            .expect("spawning the sending thread");
        Sender {
            queue: Some(queue),
            thread: Some(thread),
        }
    }

    /// A handle for the bus's subscriber: blocks while the queue is full; an `Err` means the
    /// thread has stopped (its error comes from [`Sender::failure`] or [`Sender::finish`]).
    pub(crate) fn feed(&self) -> SyncSender<Event> {
        self.queue.clone().expect("the sender is open")
    }

    /// The error that stopped the thread early, if it has.
    pub(crate) fn failure(&mut self) -> Option<String> {
        if !self.thread.as_ref().is_some_and(JoinHandle::is_finished) {
            return None;
        }
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(Err(message))) => Some(message),
            Some(Err(_)) => Some("the sending thread panicked".to_owned()),
            _ => Some("the sending thread stopped early".to_owned()),
        }
    }

    /// Closes the queue, waits for everything queued to be sent, and says what was.
    pub(crate) fn finish(mut self) -> Result<Sent, String> {
        self.queue = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err("the sending thread panicked".to_owned()),
            None => Err("the sending thread had already stopped".to_owned()),
        }
    }
}

/// The thread: batches the queue and posts, until the bus side closes it.
fn drain(events: Receiver<Event>, poster: &Poster, format: SendFormat) -> Result<Sent, String> {
    let mut batch = Batch::new(format);
    let mut sent = Sent::default();
    let mut due: Option<Instant> = None;
    loop {
        let wait = due.map_or(Duration::from_secs(3600), |d| {
            d.saturating_duration_since(Instant::now())
        });
        match events.recv_timeout(wait) {
            Ok(event) => {
                batch.push(event);
                due.get_or_insert_with(|| Instant::now() + LINGER);
                if batch.ready_len() < MAX_BATCH {
                    continue;
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                batch.close();
                send_ready(&mut batch, poster, format, &mut sent)?;
                return Ok(sent);
            }
        }
        send_ready(&mut batch, poster, format, &mut sent)?;
        due = None;
    }
}

fn send_ready(
    batch: &mut Batch,
    poster: &Poster,
    format: SendFormat,
    sent: &mut Sent,
) -> Result<(), String> {
    while let Some(body) = batch.take()? {
        poster.post(format, &body.bytes, &mut sent.taken)?;
        sent.events += body.events as u64;
        sent.operations += body.operations as u64;
        sent.requests += 1;
    }
    Ok(())
}
