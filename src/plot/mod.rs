//! # Plotting helpers
//!
//! Plain geometry for the inspector's SVG charts, testable without a browser.
//!
//! - [`scale`]: a logarithmic axis over whole decades ([`LogScale`]).
//! - [`bar_chart`]: rows of bars on that axis with reference bands ([`BarChart`]).
//! - [`stack`]: one bar cut into segments by share ([`stack::stack`]).

pub mod bar_chart;
pub mod scale;
pub mod stack;

pub use bar_chart::BarChart;
pub use scale::LogScale;
