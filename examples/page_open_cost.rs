//! Times what the page does to open a file (`ui::files::open_file`), phase by phase, with
//! the page's own slicing: the file read in 4 MB slices fed in 128 KB pieces, room made
//! after the first slice, the end-of-file pass in steps (not the time order a Chrome or
//! OTLP trace is then put in: NDJSON has none), the view built in steps, then the derived
//! views and the tree's rows. Natively, and built for wasm32 and run by Node (the engine of
//! Chromium, V8): the page's own code in wasm, without the browser's turns and file reads,
//! so the two tables side by side say what wasm costs, and where the page's linear memory
//! goes (docs/page-open.md).
//!
//! ```text
//! lineage simulate --operations 166667 --failure-rate 0.1 --out million.ndjson
//! cargo run --release --example page_open_cost -- million.ndjson
//! cargo build --release --target wasm32-unknown-unknown --example page_open_cost
//! wasm-bindgen --target nodejs --out-dir /tmp/poc \
//!     target/wasm32-unknown-unknown/release/examples/page_open_cost.wasm
//! node /tmp/poc/page_open_cost.js million.ndjson
//! ```
//! Prints one line per phase: milliseconds, the longest single step, the heap held at the
//! phase's end and at its peak (a counting allocator), and in wasm the linear memory then:
//! it follows the peak plus what the allocator could not reuse, as it never shrinks.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

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

/// The system allocator (dlmalloc in wasm32), counting the bytes held and their peak.
struct Counting;

#[global_allocator]
static HEAP: Counting = Counting;

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

/// What differs between the two runs: the clock, the file, the output, the memory reading.
trait Host {
    /// Milliseconds from some fixed point.
    fn now_ms(&self) -> f64;
    /// Fills `buf` from the file as far as it goes; the bytes read (0 at the end).
    fn read(&mut self, buf: &mut [u8]) -> usize;
    fn print(&self, line: &str);
    /// The wasm module's linear memory in bytes (0 natively).
    fn linear_memory(&self) -> usize;
}

/// Milliseconds in all and the longest step of one phase.
#[derive(Default)]
struct Phase {
    total: f64,
    longest: f64,
    steps: usize,
    /// Heap bytes held when the phase's last step ended, the peak until then, and the
    /// linear memory then.
    held: usize,
    peak: usize,
    linear: usize,
}

impl Phase {
    fn time<T>(&mut self, host: &impl Host, f: impl FnOnce() -> T) -> T {
        let t = host.now_ms();
        let out = f();
        let ms = host.now_ms() - t;
        self.total += ms;
        self.longest = self.longest.max(ms);
        self.steps += 1;
        self.held = HELD.load(Relaxed);
        self.peak = PEAK.load(Relaxed);
        self.linear = host.linear_memory();
        out
    }

    fn line(&self, name: &str) -> String {
        format!(
            "| {name} | {:.0} ms | {:.1} ms | {} | {:.0} MB | {:.0} MB | {:.0} MB |",
            self.total,
            self.longest,
            self.steps,
            self.held as f64 / 1e6,
            self.peak as f64 / 1e6,
            self.linear as f64 / 1e6
        )
    }
}

/// The page's open of `total` bytes read from `host`, phase by phase (see the module docs).
fn run(host: &mut impl Host, name: &str, total: u64) {
    let mb = |bytes: usize| bytes as f64 / 1e6;
    let at_start = (HELD.load(Relaxed), host.linear_memory());
    let mut importer = Importer::new(EventLog::default(), Some(name), Limits::BROWSER);
    host.print(&format!(
        "before the open: heap {:.1} MB, linear memory {:.1} MB; an empty importer holds {:.1} MB",
        mb(at_start.0),
        mb(at_start.1),
        mb(HELD.load(Relaxed) - at_start.0)
    ));
    let (mut reading, mut finishing) = (Phase::default(), Phase::default());
    let (mut building, mut deriving, mut rows_phase) =
        (Phase::default(), Phase::default(), Phase::default());
    // The page holds a slice on the JS side and one piece in wasm memory.
    let mut slice = vec![
        0u8;
        if cfg!(target_arch = "wasm32") {
            PIECE
        } else {
            SLICE
        }
    ];
    let mut made_room = false;
    loop {
        let n = host.read(&mut slice);
        if n == 0 {
            break;
        }
        for piece in slice[..n].chunks(PIECE) {
            Phase::time(&mut reading, host, || importer.feed(piece)).expect("the file reads");
        }
        if !made_room && importer.bytes_read() >= SLICE as u64 && importer.events() > 0 {
            Phase::time(&mut reading, host, || {
                importer.expect_total_bytes(total);
                // As the page does (`ui::files::make_heap_room`).
                let more = payload_bytes_to_come(&importer, total);
                let mut room = Vec::<u8>::new();
                if room.try_reserve_exact(more).is_ok() {
                    drop(std::hint::black_box(room));
                }
            });
            made_room = true;
        }
    }
    let mut ending = importer.finishing().expect("the file ends well");
    let done = loop {
        let step = Phase::time(&mut finishing, host, || ending.step(FINISH_SLICE));
        if let Some(done) = step.expect("the end-of-file pass") {
            break done;
        }
    };
    drop(ending);
    let mut builder = InspectionBuilder::new(done.sink, &[]);
    let ins = loop {
        if let Some(ins) = Phase::time(&mut building, host, || builder.step(BUILD_SLICE)) {
            break ins;
        }
    };
    let mut derived = Derived::new(MINIMAP_BINS);
    while !Phase::time(&mut deriving, host, || derived.follow(&ins, BUILD_SLICE)) {}
    let mut rows = GrowingRows::default();
    let (none, all) = (HashSet::new(), vec![true; ins.spans.len()]);
    while !Phase::time(&mut rows_phase, host, || {
        rows.follow(&ins, &none, &all, false, BUILD_SLICE)
    }) {}
    host.print(&format!(
        "{} events, {} spans, {} rows from {name} ({:.0} MB)\n",
        ins.trace.len(),
        ins.spans.len(),
        rows.rows().len(),
        total as f64 / 1e6
    ));
    host.print("| phase | time | longest step | steps | heap held after | peak so far | linear memory |\n|---|---|---|---|---|---|---|");
    host.print(&reading.line("reading (feed + room)"));
    host.print(&finishing.line("end-of-file pass"));
    host.print(&building.line("building the view"));
    host.print(&deriving.line("derived views"));
    host.print(&rows_phase.line("tree rows"));
    let all = [&reading, &finishing, &building, &deriving, &rows_phase];
    let ms: f64 = all.iter().map(|p| p.total).sum();
    host.print(&format!("| all | {ms:.0} ms | | | | | |"));
    for (part, bytes) in ins.trace.store().heap_parts() {
        host.print(&format!("store {part}: {:.1} MB", bytes as f64 / 1e6));
    }
}

/// The payload arena's bytes still to come, guessed from the share of the file read (as
/// `ui::files::payload_bytes_to_come`).
fn payload_bytes_to_come(importer: &Importer<EventLog>, total: u64) -> usize {
    let read = importer.bytes_read().max(1);
    let parts = importer.sink().store().heap_parts();
    let arena = parts.iter().find(|(name, _)| *name == "payload arena");
    let arena = arena.map_or(0, |&(_, bytes)| bytes) as u128;
    let more = arena * u128::from(total.saturating_sub(read)) / u128::from(read);
    more.min(u128::from(Limits::BROWSER.max_retained_bytes / 2)) as usize
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main()
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::io::Read;
    use std::time::Instant;

    struct Native {
        file: std::fs::File,
        start: Instant,
    }

    impl super::Host for Native {
        fn now_ms(&self) -> f64 {
            self.start.elapsed().as_secs_f64() * 1e3
        }

        fn read(&mut self, buf: &mut [u8]) -> usize {
            let mut n = 0;
            while n < buf.len() {
                match self.file.read(&mut buf[n..]).expect("the file reads") {
                    0 => break,
                    k => n += k,
                }
            }
            n
        }

        fn print(&self, line: &str) {
            println!("{line}");
        }

        fn linear_memory(&self) -> usize {
            0
        }
    }

    pub fn main() {
        let path = std::env::args().nth(1).expect("a trace file");
        let file = std::fs::File::open(&path).expect("the file opens");
        let total = file.metadata().unwrap().len();
        let mut host = Native {
            file,
            start: Instant::now(),
        };
        super::run(&mut host, &path, total);
        if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
            for line in status.lines().filter(|l| l.starts_with("VmHWM")) {
                let peak = line.trim_start_matches("VmHWM:").trim();
                println!("\npeak resident: {peak}");
            }
        }
    }
}

/// In wasm32 under Node: the file read through Node's `fs` (`process.getBuiltinModule`,
/// Node ≥ 20.16) into JS memory, then copied into wasm memory a piece at a time, as the page
/// copies its slices.
#[cfg(target_arch = "wasm32")]
fn main() {
    use js_sys::{Function, Uint8Array};
    use wasm_bindgen::{JsCast, JsValue};

    struct Node {
        fd: JsValue,
        read: Function,
        now: Function,
        log: Function,
    }

    impl Host for Node {
        fn now_ms(&self) -> f64 {
            self.now.call0(&JsValue::NULL).unwrap().as_f64().unwrap()
        }

        fn read(&mut self, buf: &mut [u8]) -> usize {
            let n = JsValue::from(buf.len() as f64);
            let got = self.read.call2(&JsValue::NULL, &self.fd, &n).unwrap();
            let got: Uint8Array = got.dyn_into().unwrap();
            let len = got.length() as usize;
            got.copy_to(&mut buf[..len]);
            len
        }

        fn print(&self, line: &str) {
            self.log.call1(&JsValue::NULL, &line.into()).unwrap();
        }

        fn linear_memory(&self) -> usize {
            let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
            memory
                .buffer()
                .unchecked_into::<js_sys::ArrayBuffer>()
                .byte_length() as usize
        }
    }

    let js = |args: &str, body: &str| Function::new_with_args(args, body);
    let fs = "const fs = process.getBuiltinModule('fs');";
    let path = js("", "return process.argv[2]")
        .call0(&JsValue::NULL)
        .unwrap()
        .as_string()
        .expect("a trace file");
    let open = js(
        "p",
        &format!("{fs} return [fs.openSync(p), fs.statSync(p).size]"),
    );
    let opened: js_sys::Array = open
        .call1(&JsValue::NULL, &path.clone().into())
        .unwrap()
        .into();
    let mut host = Node {
        fd: opened.get(0),
        read: js(
            "fd, n",
            &format!("{fs} const b = new Uint8Array(n); return b.subarray(0, fs.readSync(fd, b));"),
        ),
        now: js("", "return performance.now()"),
        log: js("s", "console.log(s)"),
    };
    let total = opened.get(1).as_f64().unwrap() as u64;
    run(&mut host, &path, total);
}
