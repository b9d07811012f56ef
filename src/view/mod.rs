//! # The page's view model
//!
//! Plain types behind the inspector's page, kept out of its components so they are tested
//! without a browser: what is shown, selected, scrolled to and followed. It stands on the
//! analysis ([`crate::analysis`]) and the model ([`crate::model`]).
//!
//! - [`filter`]: kind / phase / lineage / text selection ([`filter::Query`]).
//! - [`tree`]: the visible rows of the tree under collapse and filter ([`tree::TreeRows`]).
//! - [`growing_rows`]: the same rows built in slices and kept up to date as a trace grows.
//! - [`viewport`]: which rows of the virtualised tree are in the DOM, and scrolling to one.
//! - [`row_info`]: what one row shows: name, status, duration, tooltip, bar.
//! - [`navigate`]: where an arrow key goes in the tree.
//! - [`timeline`]: the waterfall's zoomable time axis.
//! - [`overview`]: the minimap's event and failure density over time.
//! - [`derived`]: the counts over a whole trace (minimap bins, failed nodes), built in slices
//!   and kept up to date as a live trace grows.
//! - [`event_detail`]: the selected event's fields and relatives.
//! - [`scrub`]: the inspection of a replay brought to a moved cursor.
//! - [`live`]: the page's side of a live source: stream messages, sequence numbers, the
//!   connection and Pause.
//! - [`shortcuts`]: the keys that pick an emit mode.
//! - [`page_url`]: everything the page keeps in its address.

pub mod derived;
pub mod event_detail;
pub mod filter;
pub mod growing_rows;
#[cfg(test)]
mod grown_tests;
pub mod live;
pub mod navigate;
pub mod overview;
pub mod page_url;
pub mod row_info;
pub mod scrub;
pub mod shortcuts;
pub mod timeline;
pub mod tree;
pub mod viewport;
