//! # How far an import has got
//!
//! What the page shows while a file loads (a progress bar and a line of text), kept as a plain
//! value so it is tested without a browser.

use crate::text::count::grouped;

/// An import under way: bytes read of the total, events so far.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Which load this is (a Cancel or a newer load makes older ones stop).
    pub id: u64,
    /// The file's name, which the line of text begins with.
    pub name: String,
    /// Bytes read so far.
    pub bytes: u64,
    /// The file's size in bytes (0 for an empty file).
    pub total: u64,
    /// Events imported so far.
    pub events: u64,
    /// Once the file is read: how far the importer's end-of-file pass has got (a Chrome
    /// trace's slices nested, made into events and put in time order), 0 to 1.
    pub finishing: Option<f64>,
    /// Once the file is read: how much of the view (spans, lints, summary) is built, 0 to 1.
    pub building: Option<f64>,
}

impl Progress {
    /// The fraction read, 0 to 1 (1 for an empty file); once read, the fraction built.
    pub fn fraction(&self) -> f64 {
        if let Some(built) = self.building.or(self.finishing) {
            built.clamp(0.0, 1.0)
        } else if self.total == 0 {
            1.0
        } else {
            (self.bytes as f64 / self.total as f64).min(1.0)
        }
    }

    /// One line for the progress bar: "run.ndjson: 12.5 of 199.0 MB, 62 800 events", then
    /// "run.ndjson: 1 000 000 events read, building the view …".
    pub fn describe(&self) -> String {
        if self.building.is_none() && self.finishing.is_some() {
            return format!(
                "{}: {} events, linking them and putting them in time order …",
                self.name,
                grouped(self.events)
            );
        }
        if self.building.is_some() {
            return format!(
                "{}: {} events read, building the view …",
                self.name,
                grouped(self.events)
            );
        }
        format!(
            "{}: {:.1} of {:.1} MB, {} events",
            self.name,
            self.bytes as f64 / 1e6,
            self.total as f64 / 1e6,
            grouped(self.events)
        )
    }
}

/// Where the wall time of reading a file went, in ms: the importer's own work, waiting for
/// the browser to hand over the next slice of the file, and yielding to the browser between
/// pieces (its frames, other tasks, a timer's delay). The page publishes it when a file is
/// read so a test can tell a cost of the import from time the page sat idle.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ReadTimes {
    /// Feeding the importer (and copying each piece into wasm memory).
    pub work: f64,
    /// Awaiting a slice of the file the browser had not yet handed over.
    pub waiting: f64,
    /// Between a yield to the browser and the page's next turn.
    pub yielded: f64,
}

impl ReadTimes {
    /// Adds the time since `since` to one of the three, and returns now: the next mark.
    pub fn add(slot: &mut f64, since: f64, now: f64) -> f64 {
        *slot += (now - since).max(0.0);
        now
    }

    /// A JSON object `{"work":…,"waiting":…,"yielded":…}` (whole ms).
    pub fn to_json(&self) -> String {
        format!(
            "{{\"work\":{:.0},\"waiting\":{:.0},\"yielded\":{:.0}}}",
            self.work, self.waiting, self.yielded
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_as_bytes_of_total_and_events() {
        let p = Progress {
            id: 1,
            name: "run.ndjson".into(),
            bytes: 12_500_000,
            total: 199_000_000,
            events: 62_800,
            finishing: None,
            building: None,
        };
        assert_eq!(p.describe(), "run.ndjson: 12.5 of 199.0 MB, 62 800 events");
        assert!((p.fraction() - 12.5 / 199.0).abs() < 1e-9);
        assert_eq!(
            Progress {
                total: 0,
                ..p.clone()
            }
            .fraction(),
            1.0
        );
    }

    #[test]
    fn once_read_progress_reads_as_the_view_being_built() {
        let p = Progress {
            id: 1,
            name: "run.ndjson".into(),
            bytes: 199_000_000,
            total: 199_000_000,
            events: 1_000_000,
            finishing: Some(1.0),
            building: Some(0.25),
        };
        assert_eq!(
            p.describe(),
            "run.ndjson: 1 000 000 events read, building the view …"
        );
        assert_eq!(p.fraction(), 0.25);
        let ending = Progress {
            building: None,
            finishing: Some(0.5),
            ..p
        };
        assert_eq!(
            ending.describe(),
            "run.ndjson: 1 000 000 events, linking them and putting them in time order …"
        );
        assert_eq!(ending.fraction(), 0.5);
    }

    #[test]
    fn read_times_add_up_and_read_as_json() {
        let mut t = ReadTimes::default();
        let mark = ReadTimes::add(&mut t.waiting, 0.0, 4.0);
        let mark = ReadTimes::add(&mut t.work, mark, 34.4);
        let mark = ReadTimes::add(&mut t.yielded, mark, 39.0);
        ReadTimes::add(&mut t.work, mark, 38.0); // a clock that went back adds nothing
        assert_eq!(t.to_json(), r#"{"work":30,"waiting":4,"yielded":5}"#);
        let v: serde_json::Value = serde_json::from_str(&t.to_json()).unwrap();
        assert_eq!(v["yielded"], 5);
    }
}
