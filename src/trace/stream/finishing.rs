//! # The end of a streamed import, in steps
//!
//! Some formats hold events back until the input ends (a Chrome trace's open slices, OTLP
//! spans waiting for their parents). Turning them into events all at once could freeze a
//! page for seconds on a large trace, so [`Finishing`] does it a bounded number at a time
//! and the page yields between steps.

use super::output::Output;
use super::{Finished, Reading};
use crate::model::sink::EventSink;
use crate::trace::error::ImportError;

/// An import whose input has all been read, turning what its reader held back into events
/// a bounded number at a time; see [`Importer::finishing`](super::Importer::finishing).
pub struct Finishing<S> {
    /// `None` once the import is handed out or has failed.
    pub(super) out: Option<Output<S>>,
    pub(super) reading: Box<Reading>,
}

impl<S: EventSink> Finishing<S> {
    /// Does about `budget` items of the end-of-input pass (at least one); the finished import
    /// once done. An error ends it: stepping on after an error or the end gives nothing.
    pub fn step(&mut self, budget: usize) -> Result<Option<Finished<S>>, ImportError> {
        let Some(out) = self.out.as_mut() else {
            return Ok(None);
        };
        match self.reading.reader.finish_step(out, budget) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let out = self.out.take().expect("checked above");
                Ok(Some(Finished {
                    format: self.reading.format,
                    sink: out.sink,
                    events: out.events,
                    skipped: out.skipped,
                    notes: out.notes,
                }))
            }
            Err(e) => {
                self.out = None;
                Err(e)
            }
        }
    }

    /// Events pushed so far.
    pub fn events(&self) -> u64 {
        self.out.as_ref().map_or(0, |o| o.events)
    }

    /// How far the end-of-input pass has got, 0 to 1.
    pub fn fraction(&self) -> f64 {
        self.reading.reader.finish_fraction()
    }
}
