//! # The range of every setting
//!
//! One table of bounds, used by the URL reader (which clamps silently: a shared link with a
//! typo still opens) and by the settings form, which must never keep showing a number the
//! run does not use. [`Bounds::accept`] turns what was typed into the value used and, when
//! the two differ, a short note saying so.

/// The values a numeric setting accepts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    /// The smallest value accepted.
    pub min: f64,
    /// The largest value accepted.
    pub max: f64,
    /// Whole numbers only (counts, iterations); a fraction is cut to the whole number below.
    pub integer: bool,
}

/// A typed value as the run will use it.
#[derive(Clone, Debug, PartialEq)]
pub struct Accepted {
    /// The value the run uses: what was typed, clamped to the bounds (and cut to a whole number
    /// where the setting counts).
    pub value: f64,
    /// Why `value` differs from what was typed (shown next to the field), if it does.
    pub note: Option<String>,
}

const fn whole(min: u64, max: u64) -> Bounds {
    Bounds {
        min: min as f64,
        max: max as f64,
        integer: true,
    }
}

/// Operations per run.
pub const OPERATIONS: Bounds = whole(1, 100_000);
/// Operations interleaved at once.
pub const CONCURRENCY: Bounds = whole(1, 1_000);
/// Levels have names up to 8 (see `run::level_name`).
pub const DEPTH: Bounds = whole(1, 8);
/// In percent.
pub const FAILURE_PERCENT: Bounds = Bounds {
    min: 0.0,
    max: 100.0,
    integer: false,
};
/// The form's range; a URL may carry any `u64`.
pub const SEED: Bounds = whole(0, u32::MAX as u64);
/// Busy-loop iterations per level.
pub const WORK_PER_LEVEL: Bounds = whole(0, 10_000_000);
/// Yields to the executor per level.
pub const YIELDS_PER_LEVEL: Bounds = whole(0, 100);
/// Simulated subscribers.
pub const SUBSCRIBERS: Bounds = whole(0, 100);
/// Events a live run keeps. The top is the page's memory budget: a retained event costs the
/// store about 150 bytes and the inspection built over it a few hundred more, so two million
/// stay well inside the 400 MiB an import may take (`trace::Limits::BROWSER`).
pub const HISTORY: Bounds = whole(1_000, 2_000_000);
/// Busy-loop iterations per handler call, for async handlers: a paced run can pause their
/// spin (`pacer`), so they may cost more than sync ones ([`SYNC_HANDLER_COST`]).
pub const HANDLER_COST: Bounds = whole(0, 10_000_000);
/// A sync handler runs to completion once called (the processor cannot pause it, see
/// `pacer`), so its cost is the one step a paced run cannot cut: at most about 10 ms of the
/// page's thread (10 000 000 iterations took 25–50 ms in headless Chromium on 2 busy cores).
pub const SYNC_HANDLER_COST: Bounds = whole(0, 2_000_000);

/// The handler cost's bounds for sync or async handlers.
pub fn handler_cost(asynchronous: bool) -> Bounds {
    if asynchronous {
        HANDLER_COST
    } else {
        SYNC_HANDLER_COST
    }
}

/// The handler cost used once handlers switch to `asynchronous` (or back to sync): `cost`
/// when the new bounds allow it, the nearest bound otherwise, with a note saying so.
pub fn cost_when_switching(asynchronous: bool, cost: f64) -> Accepted {
    let bounds = handler_cost(asynchronous);
    let value = bounds.clamp(cost);
    Accepted {
        value,
        note: (value != cost).then(|| {
            format!(
                "sync handlers cost at most {}: using {}",
                show(bounds.max),
                show(value)
            )
        }),
    }
}

impl Bounds {
    /// Clamps a number into the bounds (and to a whole number if need be).
    pub fn clamp(&self, v: f64) -> f64 {
        let v = if self.integer { v.floor() } else { v };
        v.clamp(self.min, self.max)
    }

    /// What the run uses when `typed` is entered into a field now holding `current`: the
    /// number itself when it is in bounds, the nearest bound when it is not, the whole number
    /// below a fraction, and `current` when it is not a number at all (an empty field).
    pub fn accept(&self, typed: &str, current: f64) -> Accepted {
        let typed = typed.trim();
        let Some(v) = typed.parse::<f64>().ok().filter(|v| v.is_finite()) else {
            return Accepted {
                value: current,
                note: Some(format!("not a number: kept {}", show(current))),
            };
        };
        let value = self.clamp(v);
        let note = if v > self.max {
            Some(format!("at most {}: using {}", show(self.max), show(value)))
        } else if v < self.min {
            Some(format!(
                "at least {}: using {}",
                show(self.min),
                show(value)
            ))
        } else if value != v {
            Some(format!("whole numbers only: using {}", show(value)))
        } else {
            None
        };
        Accepted { value, note }
    }
}

/// A number as the form shows it: no trailing `.0`, at most three decimals.
pub fn show(v: f64) -> String {
    let r = (v * 1000.0).round() / 1000.0;
    if r.fract() == 0.0 && r.abs() < 1e15 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn a_value_in_bounds_is_used_as_typed_without_a_note() {
        assert_eq!(
            DEPTH.accept("5", 3.0),
            Accepted {
                value: 5.0,
                note: None
            }
        );
        assert_eq!(FAILURE_PERCENT.accept("12.5", 0.0).value, 12.5);
    }

    #[test]
    fn a_value_outside_is_clamped_and_the_note_says_what_is_used() {
        let a = DEPTH.accept("20", 8.0);
        assert_eq!(a.value, 8.0);
        assert_eq!(a.note.as_deref(), Some("at most 8: using 8"));
        let a = OPERATIONS.accept("0", 50.0);
        assert_eq!(a.value, 1.0);
        assert_eq!(a.note.as_deref(), Some("at least 1: using 1"));
        let a = WORK_PER_LEVEL.accept("1e12", 0.0);
        assert_eq!(a.value, 10_000_000.0);
        let a = FAILURE_PERCENT.accept("-3", 10.0);
        assert_eq!(
            (a.value, a.note.as_deref()),
            (0.0, Some("at least 0: using 0"))
        );
    }

    #[test]
    fn a_sync_handler_costs_at_most_what_the_page_can_wait_for() {
        let a = handler_cost(false).accept("10000000", 0.0);
        assert_eq!(a.value, 2_000_000.0);
        assert_eq!(a.note.as_deref(), Some("at most 2000000: using 2000000"));
        assert_eq!(
            handler_cost(true).accept("10000000", 0.0).value,
            10_000_000.0
        );
    }

    #[test]
    fn switching_to_sync_handlers_lowers_a_cost_they_cannot_pay_and_says_so() {
        let a = cost_when_switching(false, 5_000_000.0);
        assert_eq!(a.value, SYNC_HANDLER_COST.max);
        assert_eq!(
            a.note.as_deref(),
            Some("sync handlers cost at most 2000000: using 2000000")
        );
        assert_eq!(cost_when_switching(false, 1_000.0).note, None);
        assert_eq!(cost_when_switching(true, 5_000_000.0).value, 5_000_000.0);
    }

    #[test]
    fn a_fraction_of_a_count_is_cut_and_said() {
        let a = CONCURRENCY.accept("2.7", 4.0);
        assert_eq!(a.value, 2.0);
        assert_eq!(a.note.as_deref(), Some("whole numbers only: using 2"));
    }

    #[test]
    fn something_that_is_not_a_number_keeps_the_current_value() {
        for typed in ["", "abc", "NaN", "inf"] {
            let a = SUBSCRIBERS.accept(typed, 7.0);
            assert_eq!(a.value, 7.0, "{typed:?}");
            assert_eq!(a.note.as_deref(), Some("not a number: kept 7"));
        }
    }
}
