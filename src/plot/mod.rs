//! # Plotting helpers
//!
//! Plain geometry for the inspector's SVG charts, testable without a browser.

pub mod scale;

pub use scale::LogScale;
