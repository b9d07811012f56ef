//! Times, natively, what the page does to open a file (`ui::files::open_file`), phase by
//! phase, with the page's own slicing: the file read in 4 MB slices fed in 128 KB pieces,
//! room made after the first slice, the end-of-file pass in steps (not the time order a
//! Chrome or OTLP trace is then put in: NDJSON has none), the
//! view built in steps, then the derived views and the tree's rows. The page runs the same
//! Rust code in wasm; set this table beside the phase times `tests/e2e_page_scale.rs`
//! prints to see what costs more in the browser than here (docs/page-open.md).
//!
//! ```text
//! lineage simulate --operations 166667 --failure-rate 0.1 --out million.ndjson
//! cargo run --release --example page_open_cost -- million.ndjson
//! ```
//! Prints one line per phase: milliseconds, the longest single step, and the heap held
//! at the phase's end and at its peak (a counting allocator: the wasm page's linear memory
//! follows the peak, as it never shrinks).

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static HEAP: native::Counting = native::Counting;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::collections::HashSet;
    use std::io::Read;
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    use std::time::Instant;

    use lineage::analysis::build::InspectionBuilder;
    use lineage::model::EventLog;
    use lineage::trace::{Importer, Limits};
    use lineage::view::derived::Derived;
    use lineage::view::growing_rows::GrowingRows;

    /// The page's sizes (`ui::files`).
    const SLICE: usize = 4 * 1024 * 1024;
    const PIECE: usize = 128 * 1024;
    const BUILD_SLICE: usize = 8 * 1024;
    const FINISH_SLICE: usize = 2 * 1024;
    const MINIMAP_BINS: usize = 200;

    static HELD: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);

    /// The system allocator, counting the bytes held and their peak.
    pub struct Counting;

    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let held = HELD.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(held, Relaxed);
            System.alloc(layout)
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            HELD.fetch_sub(layout.size(), Relaxed);
            System.dealloc(ptr, layout)
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
            // The old and the new block are both held while the bytes move.
            let held = HELD.fetch_add(new, Relaxed) + new;
            PEAK.fetch_max(held, Relaxed);
            HELD.fetch_sub(layout.size(), Relaxed);
            System.realloc(ptr, layout, new)
        }
    }

    /// Milliseconds in all and the longest step of one phase.
    #[derive(Default)]
    struct Phase {
        total: f64,
        longest: f64,
        steps: usize,
        /// Heap bytes held when the phase's last step ended, and the peak until then.
        held: usize,
        peak: usize,
    }

    impl Phase {
        fn time<T>(&mut self, f: impl FnOnce() -> T) -> T {
            let t = Instant::now();
            let out = f();
            let ms = t.elapsed().as_secs_f64() * 1e3;
            self.total += ms;
            self.longest = self.longest.max(ms);
            self.steps += 1;
            self.held = HELD.load(Relaxed);
            self.peak = PEAK.load(Relaxed);
            out
        }

        fn print(&self, name: &str) {
            println!(
                "| {name} | {:.0} ms | {:.1} ms | {} | {:.0} MB | {:.0} MB |",
                self.total,
                self.longest,
                self.steps,
                self.held as f64 / 1e6,
                self.peak as f64 / 1e6
            );
        }
    }

    pub fn main() {
        let path = std::env::args().nth(1).expect("a trace file");
        let mut file = std::fs::File::open(&path).expect("the file opens");
        let total = file.metadata().unwrap().len();
        let mut importer = Importer::new(EventLog::default(), Some(&path), Limits::BROWSER);
        let (mut reading, mut finishing) = (Phase::default(), Phase::default());
        let (mut building, mut deriving, mut rows_phase) =
            (Phase::default(), Phase::default(), Phase::default());
        let mut slice = vec![0u8; SLICE];
        let mut made_room = false;
        loop {
            let n = read_full(&mut file, &mut slice);
            if n == 0 {
                break;
            }
            for piece in slice[..n].chunks(PIECE) {
                Phase::time(&mut reading, || importer.feed(piece)).expect("the file reads");
            }
            if !made_room && importer.events() > 0 {
                Phase::time(&mut reading, || importer.expect_total_bytes(total));
                made_room = true;
            }
        }
        let mut ending = importer.finishing().expect("the file ends well");
        let done = loop {
            let step = Phase::time(&mut finishing, || ending.step(FINISH_SLICE));
            if let Some(done) = step.expect("the end-of-file pass") {
                break done;
            }
        };
        drop(ending);
        let mut builder = InspectionBuilder::new(done.sink, &[]);
        let ins = loop {
            if let Some(ins) = Phase::time(&mut building, || builder.step(BUILD_SLICE)) {
                break ins;
            }
        };
        let mut derived = Derived::new(MINIMAP_BINS);
        while !Phase::time(&mut deriving, || derived.follow(&ins, BUILD_SLICE)) {}
        let mut rows = GrowingRows::default();
        let (none, all) = (HashSet::new(), vec![true; ins.spans.len()]);
        while !Phase::time(&mut rows_phase, || {
            rows.follow(&ins, &none, &all, false, BUILD_SLICE)
        }) {}
        println!(
            "{} events, {} spans, {} rows from {path} ({:.0} MB)\n",
            ins.trace.len(),
            ins.spans.len(),
            rows.rows().len(),
            total as f64 / 1e6
        );
        println!("| phase | time | longest step | steps | heap held after | peak so far |\n|---|---|---|---|---|---|");
        reading.print("reading (feed + room)");
        finishing.print("end-of-file pass");
        building.print("building the view");
        deriving.print("derived views");
        rows_phase.print("tree rows");
        let all = [&reading, &finishing, &building, &deriving, &rows_phase];
        println!(
            "| all | {:.0} ms | | | | |",
            all.iter().map(|p| p.total).sum::<f64>()
        );
        if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
            for line in status.lines().filter(|l| l.starts_with("VmHWM")) {
                println!(
                    "\npeak resident: {}",
                    line.trim_start_matches("VmHWM:").trim()
                );
            }
        }
    }

    /// Fills `buf` from `file` as far as it goes; the bytes read (0 at the end).
    fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> usize {
        let mut n = 0;
        while n < buf.len() {
            match file.read(&mut buf[n..]).expect("the file reads") {
                0 => break,
                k => n += k,
            }
        }
        n
    }
}
