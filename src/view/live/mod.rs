//! # Following a live source
//!
//! `lineage listen` receives a running program's events and serves them to the page as
//! Server-Sent Events (`GET /v1/stream?from=SEQ`; the protocol is in
//! `docs/live.md` and `docs/live.md`). This module is the page's side of it as
//! plain types, tested natively; `ui::live` only wires a browser `EventSource` and the
//! animation frames to them:
//!
//! - [`message`]: one stream message read into a [`Message`] (hello, gap, events, status,
//!   bye), hostile lines counted and described, never shown raw.
//! - [`sequence`]: the listener's sequence numbers: where to resume, which events of a
//!   message the page has already, what was lost, and a restarted listener ([`Sequence`]).
//! - [`connection`]: connecting, live, reconnecting in N s with backoff, closed
//!   ([`Connection`]).
//! - [`feed`]: the three together with the events waiting to be shown and Pause
//!   ([`LiveFeed`]).
//! - [`address`]: what a person types, made a stream URL ([`LiveAddress`]).
//! - [`compact`]: the stream's compact event lines, written and read ([`compact::Encoder`],
//!   [`compact::Decoder`]).
//! - [`frames`]: the stream's messages as the page's worker hands them over, in batches.
//! - [`budget`]: how many waiting events a frame takes ([`FrameBudget`]).
//! - [`redraw`]: when the screen shows what was stored, under a flood ([`RedrawPace`]).
//! - [`profile`]: where a live frame's time goes, when the page is asked to say
//!   ([`FrameProfile`]).
//!
//! - [`wire`]: an event as read from the stream until it is stored ([`LiveEvent`]): a
//!   compact line's names and payload stay in its message's tables.
//! - [`view`]: the live trace's inspection, advanced batch by batch ([`LiveView`]).
//! - [`retire`]: the inspection let go at the page's budget, freed a slice a frame.
//! - [`warm`]: made-up events run through the page's live path while it is idle, so V8
//!   has optimised it before a real stream starts ([`warm::WarmUp`]).
//!
//! The view is advanced by [`crate::view::scrub::Scrub::append`], event by event
//! from the last batch, never rebuilt per batch.

pub mod address;
pub mod budget;
pub mod compact;
#[cfg(test)]
mod compact_tests;
pub mod connection;
pub mod feed;
pub mod frames;
pub mod message;
pub mod profile;
pub mod redraw;
pub mod reorder;
pub mod retire;
pub mod sequence;
#[cfg(test)]
mod tests;
pub mod view;
pub mod warm;
pub mod wire;

pub use address::LiveAddress;
pub use budget::FrameBudget;
pub use connection::{Connection, State};
pub use feed::{LiveFeed, Reaction};
pub use message::{Batch, Message};
pub use profile::FrameProfile;
pub use redraw::RedrawPace;
pub use sequence::{HelloOutcome, Sequence};
pub use view::LiveView;
pub use wire::LiveEvent;
