//! A small measurement through the browser entry point, in headless Chromium: the result has
//! the right shape and sane figures (counts, all positive and finite). Timing is not judged:
//! the figures depend on the machine. Natively the same checks run on a native session.

#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use lineage::core::EmitMode;
use lineage::measure::{Comparison, MeasureConfig, Plan, Spread};

fn small_config() -> MeasureConfig {
    MeasureConfig {
        rounds: 3,
        min_batch_ms: 1.0,
        min_ops_per_batch: 32,
        ..MeasureConfig::default()
    }
}

fn small_plan() -> Plan {
    Plan {
        modes: EmitMode::ALL.to_vec(),
        subscribers: false,
        phases: true,
        real_aexecute: false,
    }
}

fn sane(s: &Spread, what: &str) {
    for x in [s.median, s.q1, s.q3, s.min, s.max] {
        assert!(x.is_finite() && x > 0.0, "{what}: {s:?}");
    }
    assert!(s.min <= s.q1 && s.q1 <= s.median && s.median <= s.q3 && s.q3 <= s.max);
}

fn check(c: &Comparison, progress_calls: usize) {
    let expected = small_plan().subjects().len();
    assert_eq!(c.rows.len(), expected);
    assert_eq!(progress_calls, expected * (1 + c.rounds));
    assert!(c.timer_resolution_ns > 0);
    for row in &c.rows {
        assert_eq!(row.ns_per_op.n, 3, "{}", row.key);
        assert_eq!(row.events_per_op, 6);
        assert!(row.ops_per_batch >= 32);
        sane(&row.ns_per_op, &row.key);
        sane(&row.ns_per_event, &row.key);
        if let Some(o) = row.overhead_ns_per_op {
            assert!(o.median.is_finite(), "{}", row.key);
        }
    }
    let awaited = c.row("awaited").expect("an awaited row");
    assert_eq!(awaited.recorded_events_per_op, Some(6.0));
    assert_eq!(c.row("disabled").unwrap().recorded_events_per_op, Some(0.0));
    assert_eq!(c.phases.len(), 5);
    split_is_sane(c);
    // Plain serde data: the UI can keep it, export it and read it back.
    // (Floats may differ in the last digit after a round trip, so compare keys and medians.)
    let json = serde_json::to_string(c).unwrap();
    let back: Comparison = serde_json::from_str(&json).unwrap();
    assert_eq!(back.rows.len(), c.rows.len());
    for (a, b) in back.rows.iter().zip(&c.rows) {
        assert_eq!(a.key, b.key);
        assert!((a.ns_per_op.median - b.ns_per_op.median).abs() <= 1e-9 * b.ns_per_op.median);
    }
}

/// The critical path / background split (measure::split): relations between figures of the
/// same run, with generous margins, never thresholds on time.
fn split_is_sane(c: &Comparison) {
    for mode in EmitMode::ALL {
        let row = c.row(&mode.spec()).expect("a row per mode");
        let split = row
            .split
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no split", row.key));
        assert_eq!(split.caller_ns_per_op.n, c.rounds, "{}", row.key);
        // Caller + background ≈ the batch's wall time, read independently around the loop:
        // they differ by the loop and the clock readings only.
        let (sum, total) = (split.sum_ns_per_op.median, row.ns_per_op.median);
        let margin = 0.25 * total + row.ns_per_op.iqr() + split.sum_ns_per_op.iqr();
        assert!(
            (sum - total).abs() <= margin,
            "{}: caller + background {sum:.1} vs total {total:.1} ns/op (margin {margin:.1})",
            row.key
        );
        assert!(
            split.caller_ns_per_op.median <= total + margin,
            "{}",
            row.key
        );
    }
    let split = |m: EmitMode| c.row(m.as_str()).unwrap().split.unwrap();
    let (awaited, faf, disabled) = (
        split(EmitMode::Awaited),
        split(EmitMode::FireAndForget),
        split(EmitMode::Disabled),
    );
    // Disabled emits nothing: no background work to speak of, no lag.
    assert!(
        disabled.background_ns_per_op.median <= 0.1 * awaited.background_ns_per_op.median,
        "disabled background {:?} vs awaited {:?}",
        disabled.background_ns_per_op,
        awaited.background_ns_per_op
    );
    assert!(disabled.lag_p50_ns.is_none() && disabled.lag_p99_ns.is_none());
    // Fire-and-forget leaves its puts and the processing to the background.
    let faf_total = c.row("fire_and_forget").unwrap().ns_per_op.median;
    assert!(
        faf.caller_ns_per_op.median < faf_total,
        "fire-and-forget caller {:?} vs total {faf_total}",
        faf.caller_ns_per_op
    );
    assert!(faf.background_ns_per_op.median > 0.0);
    // Recorded events have a lag, and its 99th percentile is not below its median.
    for s in [awaited, faf] {
        let (p50, p99) = (s.lag_p50_ns.unwrap(), s.lag_p99_ns.unwrap());
        assert!(
            p50.median >= 0.0 && p99.median >= p50.median,
            "{p50:?} {p99:?}"
        );
    }
}

#[cfg(target_family = "wasm")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn a_small_measurement_in_the_browser_has_sane_figures() {
    let mut calls = 0;
    let c =
        lineage::measure::web::run_comparison(small_config(), small_plan(), |_| calls += 1).await;
    check(&c, calls);
    web_sys::console::log_1(
        &format!(
            "timer resolution {} ns; awaited {:.0} ns/op; baseline {:.1} ns/op",
            c.timer_resolution_ns,
            c.row("awaited").unwrap().ns_per_op.median,
            c.row("baseline").unwrap().ns_per_op.median
        )
        .into(),
    );
}

#[cfg(not(target_family = "wasm"))]
#[test]
fn a_small_measurement_natively_has_sane_figures() {
    use std::rc::Rc;
    let config = small_config();
    let subjects = small_plan()
        .subjects()
        .iter()
        .map(|s| s.build(&config.bench))
        .collect();
    let session = lineage::measure::Session::new(
        config,
        Rc::new(lineage::core::MonotonicClock::new()),
        subjects,
    );
    let mut calls = 0;
    let c = session.run(|_| calls += 1);
    check(&c, calls);
}

/// Not a check: the browser figures quoted in docs/performance.md ("What it costs in the browser"). Run with
/// `cargo test --release --target wasm32-unknown-unknown --test measure_in_browser -- --include-ignored --nocapture`.
#[cfg(target_family = "wasm")]
#[wasm_bindgen_test::wasm_bindgen_test]
#[ignore]
async fn browser_figures_for_the_docs() {
    // Batches of exactly 4 096 operations, so the native side can be run with the same
    // count: `lineage bench --no-subscribers --no-phases --no-real --no-peers --rounds 11
    // --operations 4096 --batch-ms 0` (docs/page-open.md).
    let config = MeasureConfig {
        rounds: 11,
        min_batch_ms: 1.0,
        min_ops_per_batch: 4096,
        max_ops_per_batch: 4096,
        ..MeasureConfig::default()
    };
    let plan = Plan {
        modes: EmitMode::ALL.to_vec(),
        subscribers: false,
        phases: false,
        real_aexecute: false,
    };
    let c = lineage::measure::web::run_comparison(config, plan, |_| {}).await;
    for row in &c.rows {
        wasm_bindgen_test::console_log!(
            "browser {:<40} {:>10.1} ns/op (IQR {:.1}–{:.1}, {} ops a batch)  {:>8.1} ns/event  overhead {:>8.2} ns/event",
            row.label,
            row.ns_per_op.median,
            row.ns_per_op.q1,
            row.ns_per_op.q3,
            row.ops_per_batch,
            row.ns_per_event.median,
            row.overhead_ns_per_event.map_or(0.0, |o| o.median)
        );
    }
    wasm_bindgen_test::console_log!("browser timer resolution {} ns", c.timer_resolution_ns);
    // What one clock read costs: the bus reads it about once per event.
    use lineage::core::Clock;
    let clock = lineage::measure::performance_clock::PerformanceClock::new().unwrap();
    let reads = 200_000u64;
    let t0 = clock.now_ns();
    let mut sink = 0u64;
    for _ in 0..reads {
        sink = sink.wrapping_add(clock.now_ns());
    }
    let per_read = (clock.now_ns() - t0) as f64 / reads as f64;
    wasm_bindgen_test::console_log!("browser performance.now() read: {per_read:.1} ns ({sink})");
    let t0 = clock.now_ns();
    let mut x = 0u128;
    for _ in 0..reads {
        x ^= uuid::Uuid::new_v4().as_u128();
    }
    let per_id = (clock.now_ns() - t0) as f64 / reads as f64;
    wasm_bindgen_test::console_log!("browser Uuid::new_v4(): {per_id:.1} ns ({})", x & 1);
}
