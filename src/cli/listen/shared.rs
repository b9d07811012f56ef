//! # What every connection of the listener shares
//!
//! The settings, the store behind its lock, and the signals streams wait on. In a file of its
//! own because the server creates it while the routes, the body reader and the streams only
//! read it: none of them needs the server itself.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use tokio::sync::watch;

use super::Settings;
use crate::listener::LiveStore;

/// What every connection shares.
pub(crate) struct Shared {
    pub settings: Settings,
    pub store: Mutex<LiveStore>,
    /// The next seq, sent after every commit: streams wait on it.
    pub stored: watch::Sender<u64>,
    /// Why the listener is stopping, once it is.
    pub stopping: watch::Sender<Option<String>>,
    /// Streams open now.
    pub clients: AtomicUsize,
    /// Body bytes held by requests being read.
    pub in_flight: AtomicUsize,
}

impl Shared {
    /// Streams open now.
    pub(crate) fn clients(&self) -> usize {
        self.clients.load(Ordering::Relaxed)
    }
}
