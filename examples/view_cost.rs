//! Times, natively, what the page derives from an inspection when it first shows it: the
//! pieces of the first frame after a large import (`Ui::show_inspected` and the first render).
//! The browser runs the same Rust code in wasm, one and a half to two times slower.
//!
//! ```text
//! cargo run --release --example view_cost            # the 1 M-slice Chrome bomb (2 M events)
//! cargo run --release --example view_cost -- 200000  # 200 k slices
//! lineage simulate --operations 50000 --failure-rate 0.1 --out run.ndjson
//! cargo run --release --example view_cost -- live run.ndjson 4096
//! ```
//! Prints one line per derived view: its name and milliseconds (best of three). With `live`,
//! the events of a lineage NDJSON file are appended to a [`LiveView`] in batches (4 096 by
//! default) as the page appends a live stream's, and each batch's cost is printed by part,
//! summed over the run: the append itself, the views followed over the new events, and the
//! same views derived again from the whole trace (what the page did per batch before).

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::collections::HashSet;
    use std::time::Instant;

    use lineage::analysis::build::InspectionBuilder;
    use lineage::analysis::Inspection;
    use lineage::model::EventLog;
    use lineage::trace::{Imported, Importer, Limits};
    use lineage::view::derived::Derived;
    use lineage::view::filter::Query;
    use lineage::view::growing_rows::GrowingRows;
    use lineage::view::overview::Overview;
    use lineage::view::tree::TreeRows;

    /// The page's bomb: `[` + `{"ph":"X","ts":0}` × `n` + `]`.
    fn bomb(n: usize) -> Vec<u8> {
        let mut s = String::with_capacity(n * 19 + 2);
        s.push('[');
        for i in 0..n {
            if i > 0 {
                s.push(',');
            }
            s.push_str(r#"{"ph":"X","ts":0}"#);
        }
        s.push(']');
        s.into_bytes()
    }

    fn inspect(n: usize) -> Inspection {
        let bytes = bomb(n);
        let mut importer = Importer::new(EventLog::default(), None, Limits::BROWSER);
        importer.feed(&bytes).expect("the bomb is read");
        let (_, trace) = Imported::from_finished_trace(importer.finish().expect("finished"));
        let mut builder = InspectionBuilder::new(trace, &[]);
        loop {
            if let Some(ins) = builder.step(1 << 20) {
                return ins;
            }
        }
    }

    /// Best of three runs of `f`, in ms.
    fn time<T>(name: &str, mut f: impl FnMut() -> T) {
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let t0 = Instant::now();
            std::hint::black_box(f());
            best = best.min(t0.elapsed().as_secs_f64() * 1e3);
        }
        println!("{name:<40} {best:>8.1} ms");
    }

    pub fn main() {
        if std::env::args().nth(1).as_deref() == Some("live") {
            return live();
        }
        let n: usize = std::env::args()
            .nth(1)
            .and_then(|a| a.parse().ok())
            .unwrap_or(1_000_000);
        let ins = inspect(n);
        println!(
            "{} events, {} spans, {} lints",
            ins.trace.len(),
            ins.spans.len(),
            ins.lints.len()
        );
        let q = Query::default();
        let none = HashSet::new();
        time("selection (Query::select, no query)", || {
            q.select(&ins.trace, &ins.spans)
        });
        let sel = q.select(&ins.trace, &ins.spans);
        time("tree rows (TreeRows::build)", || {
            TreeRows::build(&ins.spans, &none, &sel, false)
        });
        time("minimap (Overview::build, 200 bins)", || {
            Overview::build(&ins.trace, &ins.spans, 200)
        });
        time("failed nodes (failed_spans)", || {
            lineage::analysis::summary::failed_spans(&ins.spans)
        });
        time("kinds (distinct, sorted)", || {
            ins.trace
                .kinds()
                .collect::<std::collections::BTreeSet<&str>>()
                .len()
        });
        time("lints by kind", || ins.lints.by_kind().count());
        time("time range", || ins.trace.time_range());
        time("counts (Derived), one slice of 8 192", || {
            Derived::new(200).follow(&ins, 8_192)
        });
        time("counts (Derived), every slice", || {
            let mut d = Derived::new(200);
            while !d.follow(&ins, 8_192) {}
            d.failed_nodes()
        });
        time("rows (GrowingRows), one slice of 8 192", || {
            GrowingRows::default().follow(&ins, &none, &sel, false, 8_192)
        });
        time("rows (GrowingRows), every slice", || {
            let mut g = GrowingRows::default();
            while !g.follow(&ins, &none, &sel, false, 8_192) {}
            g.rows().len()
        });
        let mut d = Derived::new(200);
        d.follow(&ins, usize::MAX);
        time("counts followed, nothing new (first frame)", || {
            d.follow(&ins, usize::MAX);
            (d.overview(), d.failed_nodes())
        });
    }

    /// Milliseconds `f` took.
    fn ms<T>(f: impl FnOnce() -> T) -> (T, f64) {
        let t0 = Instant::now();
        let v = f();
        (v, t0.elapsed().as_secs_f64() * 1e3)
    }

    /// The page's decoding of the stream: the file's lines as `events` messages of 1 000
    /// (the listener's `MAX_BATCH_EVENTS`), read by `Message::parse` as the page reads them,
    /// against serde alone on every line (what the page did before).
    fn decode(text: &str) {
        use lineage::core::Event;
        use lineage::view::live::Message;
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let messages: Vec<(String, String)> = lines
            .chunks(1000)
            .enumerate()
            .map(|(k, c)| (c.join("\n"), (k * 1000 + c.len()).to_string()))
            .collect();
        let n = lines.len() as f64;
        let best = |f: &dyn Fn() -> usize| (0..3).map(|_| ms(f).1).fold(f64::INFINITY, f64::min);
        let page = best(&|| {
            let mut got = 0;
            for (data, id) in &messages {
                if let Ok(Message::Events(b)) = Message::parse("events", data, id) {
                    got += b.events.len();
                }
            }
            assert_eq!(got, lines.len(), "every line is an event");
            got
        });
        let serde = best(&|| {
            let mut got = 0;
            for l in &lines {
                let e: Event = serde_json::from_str(l).expect("lineage NDJSON");
                got += usize::from(e.seq != u64::MAX);
            }
            got
        });
        for (name, t) in [
            ("decode (Message::parse)", page),
            ("decode (serde per line)", serde),
        ] {
            println!(
                "{name:<36} total {t:>8.1} ms, {:>6.2} µs an event",
                t * 1000.0 / n
            );
        }
    }

    fn live() {
        use lineage::core::Event;
        use lineage::view::live::LiveView;
        let path = std::env::args().nth(2).expect("a lineage NDJSON file");
        let batch: usize = std::env::args()
            .nth(3)
            .and_then(|a| a.parse().ok())
            .unwrap_or(4_096);
        let text = std::fs::read_to_string(path).expect("readable");
        let events: Vec<Event> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("lineage NDJSON"))
            .collect();
        decode(&text);
        let mut view = LiveView::default();
        let (mut derived, mut rows) = (Derived::new(200), GrowingRows::default());
        let q = Query::default();
        let none = HashSet::new();
        let mut sel: Vec<bool> = Vec::new();
        let mut sums = [0.0f64; 7];
        let mut worst = [0.0f64; 7];
        let batches = events.len().div_ceil(batch);
        for chunk in events.chunks(batch) {
            let held = view.len();
            let (_, append) = ms(|| view.append(chunk.to_vec(), false, 0.0));
            let ins = view.inspection();
            let (_, counts) = ms(|| derived.follow(&ins, usize::MAX));
            let (s, search) = ms(|| q.select_grown(&sel, held, &ins.trace, &ins.spans));
            sel = s;
            let (_, tree) = ms(|| rows.follow(&ins, &none, &sel, false, usize::MAX));
            let (_, overview) = ms(|| Overview::build(&ins.trace, &ins.spans, 200));
            let (_, failed) = ms(|| lineage::analysis::summary::failed_spans(&ins.spans));
            let (_, whole_rows) = ms(|| TreeRows::build(&ins.spans, &none, &sel, false));
            for (k, t) in [append, counts, search, tree, overview, failed, whole_rows]
                .into_iter()
                .enumerate()
            {
                sums[k] += t;
                worst[k] = worst[k].max(t);
            }
        }
        println!("{} events in {batches} batches of {batch}", events.len());
        let names = [
            "append (Scrub::append)",
            "counts followed (Derived)",
            "search followed (select_grown)",
            "rows followed (GrowingRows)",
            "before: Overview::build per batch",
            "before: failed_spans per batch",
            "before: TreeRows::build per batch",
        ];
        for (k, name) in names.iter().enumerate() {
            println!(
                "{name:<36} total {:>8.1} ms, mean {:>6.2} ms, worst {:>6.2} ms",
                sums[k],
                sums[k] / batches as f64,
                worst[k]
            );
        }
    }
}
