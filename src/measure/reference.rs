//! # The Python original's figures (a labelled reference, not measured here)
//!
//! Measured on a 2-vCPU machine of the same class, Python 3.11, pydantic 2.14, 2 000
//! operations × 25 repetitions, pooled medians; one operation is three nested `@emit_events`
//! functions, six events, no work inside. `docs/reference.md` says where, when and how each
//! figure was obtained, and how far to trust it (the machine drifts about 2× between days).
//! They are printed beside our figures so the ratio can be read, and never mixed into them.

use serde::Serialize;

/// One reference figure.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Reference {
    pub key: &'static str,
    pub label: &'static str,
    /// Microseconds per operation (six events), or per the unit in the label.
    pub us_per_op: f64,
}

/// The original's per-operation figures (six events per operation).
pub const PYTHON: [Reference; 5] = [
    Reference {
        key: "baseline",
        label: "plain nested awaits, no events",
        us_per_op: 0.4,
    },
    Reference {
        key: "generic_events",
        label: "6 generic events, 0 subscribers (caller + background drain)",
        us_per_op: 134.0,
    },
    Reference {
        key: "real_event_classes",
        label: "6 real callable_events classes, 0 subscribers",
        us_per_op: 164.0,
    },
    Reference {
        key: "one_async_subscriber",
        label: "same, 1 async subscriber",
        us_per_op: 169.0,
    },
    Reference {
        key: "one_sync_subscriber",
        label: "same, 1 sync subscriber (thread-pool hop)",
        us_per_op: 735.0,
    },
];

/// The original's figure the speed goal is stated against: 134 µs per six-event operation
/// (measured on 2026-11-27; see `docs/reference.md`).
pub const PYTHON_AWAITED_US_PER_OP: f64 = 134.0;

/// A real `CallableRegistry.aexecute` (28 events) in the original: events on vs off, ms.
pub const PYTHON_REAL_AEXECUTE_MS: (f64, f64) = (8.38, 5.49);

/// The original's rule, from its analysis (`docs/reference.md`): optimise event emission only
/// if it costs more than this per operation.
pub const ORIGINAL_THRESHOLD_NS_PER_OP: f64 = 1_000_000.0;

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// The page the figures are cited from, read at compile time.
    const DOC: &str = include_str!("../../docs/reference.md");

    /// "8.38" as the doc writes it; whole numbers without decimals.
    fn figure(x: f64) -> String {
        if x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            format!("{x}")
        }
    }

    #[test]
    fn every_figure_here_is_in_docs_reference_with_its_label() {
        for r in PYTHON {
            let row = DOC
                .lines()
                .find(|l| l.contains(r.label))
                .unwrap_or_else(|| panic!("docs/reference.md has no row {:?}", r.label));
            assert!(
                row.contains(&format!("{} µs per operation", figure(r.us_per_op))),
                "{row}"
            );
        }
        assert!(DOC.contains(&format!(
            "**{} µs per operation**",
            figure(PYTHON_AWAITED_US_PER_OP)
        )));
        let (on, off) = PYTHON_REAL_AEXECUTE_MS;
        assert!(DOC.contains(&format!("{} ms vs {} ms", figure(on), figure(off))));
        assert!(DOC.contains(&format!(
            "more than {} ms of overhead",
            figure(ORIGINAL_THRESHOLD_NS_PER_OP / 1e6)
        )));
    }
}
