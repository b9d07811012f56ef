//! Runs one of the bench's nested rows alone, for counting instructions per operation with
//! callgrind (the bench interleaves its rows, so their counts cannot be told apart there).
//!
//! ```text
//! cargo build --release --example emit_cost
//! valgrind --tool=callgrind ./target/release/examples/emit_cost awaited 20000
//! valgrind --tool=callgrind ./target/release/examples/emit_cost awaited 40000
//! ```
//! The difference of the two totals over 20 000 is the row's instructions per operation,
//! start-up and the history's first fill left out. Rows: `baseline`, `awaited`, `names-only`,
//! `disabled`, `lazy`, `sampled0`, and `tracing` (the same nesting under `tracing` spans with
//! a `Registry` subscriber, the bench's peer row); the bus keeps 10 000 events and is drained
//! every 1 024 operations, as `lineage bench` does by default.

// Native only: the `tracing` peer row is (the bench's peers are not built for the browser).
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use futures::executor::LocalPool;
    use lineage::core::{EmitMode, EventBus};
    use lineage::measure::ablation::NamesOnly;
    use lineage::measure::peers::TracingSpans;
    use lineage::workload::run::run_operation_with;
    use lineage::workload::{CallShape, PipelineConfig};

    pub fn main() {
        let args: Vec<String> = std::env::args().collect();
        let row = args.get(1).map_or("awaited", String::as_str);
        let ops: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(20_000);
        let mode = match row {
            "disabled" => EmitMode::Disabled,
            "lazy" => EmitMode::Lazy,
            "sampled0" => EmitMode::Sampled(lineage::core::SampleRatio::NONE),
            _ => EmitMode::Awaited,
        };
        let mut pool = LocalPool::new();
        let bus = EventBus::builder()
            .history_capacity(10_000)
            .mode(mode)
            .build(pool.spawner());
        let config = PipelineConfig::default();
        let registry = tracing::Dispatch::new(tracing_subscriber::Registry::default());
        let mut failures = 0usize;
        for start in (0..ops).step_by(1_024) {
            for i in start..(start + 1_024).min(ops) {
                let result = match row {
                    "baseline" => pool.run_until(run_operation_with(
                        &None::<&EventBus>,
                        &config,
                        i,
                        CallShape::Nested,
                    )),
                    "tracing" => tracing::dispatcher::with_default(&registry, || {
                        pool.run_until(run_operation_with(
                            &TracingSpans,
                            &config,
                            i,
                            CallShape::Nested,
                        ))
                    }),
                    "names-only" => pool.run_until(run_operation_with(
                        &NamesOnly(&bus),
                        &config,
                        i,
                        CallShape::Nested,
                    )),
                    _ => pool.run_until(run_operation_with(
                        &Some(&bus),
                        &config,
                        i,
                        CallShape::Nested,
                    )),
                };
                failures += usize::from(result.is_err());
            }
            pool.run_until(bus.flush());
        }
        println!(
            "{row}: {ops} operations, {failures} failed, {} events processed",
            bus.stats().processed
        );
    }
}
