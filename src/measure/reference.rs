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

/// The original analysis's estimate of its event overhead, ms per operation (low, high):
/// an estimate, not a measurement (`docs/reference.md`).
pub const ORIGINAL_ESTIMATE_MS_PER_OP: (f64, f64) = (0.78, 1.38);

/// The overhead the original suspected before its analysis, ms per operation (low, high).
pub const ORIGINAL_SUSPICION_MS_PER_OP: (f64, f64) = (3.0, 6.0);

/// A reference drawn behind measured bars: a line when `lo_ns == hi_ns`, a band otherwise.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub label: String,
    pub lo_ns: f64,
    pub hi_ns: f64,
}

/// The original's figures as the Compare tab draws them, per operation: its measured cost,
/// its analysis's estimate, its rule and its suspicion.
pub fn bands() -> Vec<Band> {
    let ms_band = |what: &str, (lo, hi): (f64, f64)| Band {
        label: format!("the original's {what}: {}–{} ms/op", figure(lo), figure(hi)),
        lo_ns: lo * 1e6,
        hi_ns: hi * 1e6,
    };
    vec![
        Band {
            label: format!("Python original, measured: {PYTHON_AWAITED_US_PER_OP} µs/op"),
            lo_ns: PYTHON_AWAITED_US_PER_OP * 1e3,
            hi_ns: PYTHON_AWAITED_US_PER_OP * 1e3,
        },
        ms_band("estimate", ORIGINAL_ESTIMATE_MS_PER_OP),
        Band {
            label: format!(
                "the original's rule: optimise above {} ms/op",
                figure(ORIGINAL_THRESHOLD_NS_PER_OP / 1e6)
            ),
            lo_ns: ORIGINAL_THRESHOLD_NS_PER_OP,
            hi_ns: ORIGINAL_THRESHOLD_NS_PER_OP,
        },
        ms_band("suspicion", ORIGINAL_SUSPICION_MS_PER_OP),
    ]
}

/// A figure as the documents write it: "8.38", and whole numbers without decimals.
fn figure(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// The page the figures are cited from, read at compile time.
    const DOC: &str = include_str!("../../docs/reference.md");

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

    #[test]
    fn the_estimate_and_the_suspicion_drawn_as_bands_are_the_ones_docs_reference_cites() {
        for (lo, hi) in [ORIGINAL_ESTIMATE_MS_PER_OP, ORIGINAL_SUSPICION_MS_PER_OP] {
            let cited = format!("{}–{} ms per operation", figure(lo), figure(hi));
            assert!(
                DOC.contains(&cited),
                "docs/reference.md does not cite {cited}"
            );
        }
    }

    #[test]
    fn the_bands_label_each_figure_and_lines_have_no_width() {
        let labels: Vec<String> = bands().into_iter().map(|b| b.label).collect();
        assert_eq!(
            labels,
            [
                "Python original, measured: 134 µs/op",
                "the original's estimate: 0.78–1.38 ms/op",
                "the original's rule: optimise above 1 ms/op",
                "the original's suspicion: 3–6 ms/op",
            ]
        );
        let b = bands();
        assert_eq!((b[0].lo_ns, b[0].hi_ns), (134_000.0, 134_000.0));
        assert_eq!((b[1].lo_ns, b[1].hi_ns), (780_000.0, 1_380_000.0));
        assert_eq!((b[3].lo_ns, b[3].hi_ns), (3e6, 6e6));
    }
}
