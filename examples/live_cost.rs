//! The page's side of a live stream, natively: the listener's compact `events` messages
//! (`GET /v1/stream?encoding=compact`, 1 000 events each) read as the page reads them
//! (`Message::parse`, the feed's numbering and waiting queue) and stored into the page's
//! view in slices of 512 (`LiveView::append`), as `ui::live` does once per frame.
//!
//! ```text
//! lineage simulate --operations 50000 --failure-rate 0.1 --out run.ndjson
//! cargo run --release --example live_cost -- run.ndjson 40000
//! ```
//!
//! Prints the time per event of decoding and of storing; a third argument `W` also prints
//! the storing cost of every `W` events as the view grows (`... run.ndjson 2000000 250000`). For instruction counts, run it
//! under callgrind with only the page's work counted, for N and 2N events, and take
//! `(I(2N) − I(N)) / N` (what one more event costs, setup and first-time costs cancelled):
//!
//! ```text
//! valgrind --tool=callgrind --toggle-collect='*live_cost*page_side*' \
//!     target/release/examples/live_cost run.ndjson 20000
//! ```
//!
//! `callgrind_annotate --inclusive=yes` then splits it between `decode` and `store`.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::time::Instant;

    use lineage::core::Event;
    use lineage::listener::sse::{events_as, Encoding};
    use lineage::listener::store::{LiveStore, WhenFull};
    use lineage::trace::Limits;
    use lineage::view::live::{LiveAddress, LiveFeed, LiveView, Message};

    /// Events stored between two looks at the clock (`ui::live`'s `STORE_SLICE`).
    const SLICE: usize = 512;

    /// The stream's messages for `events`, as the page's `EventSource` hands them over: the
    /// data lines joined by `\n`, and the id.
    fn messages(events: &[Event]) -> Vec<(String, String)> {
        let limits = Limits {
            max_events: events.len() as u64 + 1,
            ..Limits::DEFAULT
        };
        let mut store = LiveStore::new(limits, WhenFull::Refuse);
        store.commit(events).1.expect("no recording");
        let mut out = Vec::new();
        let mut from = 1;
        while let Some((text, next)) = events_as(&store, from, Encoding::Compact) {
            let data: Vec<&str> = text
                .lines()
                .filter_map(|l| l.strip_prefix("data: "))
                .collect();
            let id = text.lines().find_map(|l| l.strip_prefix("id: ")).unwrap();
            out.push((data.join("\n"), id.to_string()));
            from = next;
        }
        out
    }

    /// Every message decoded into the feed; returns the feed.
    #[inline(never)]
    fn decode(messages: &[(String, String)]) -> LiveFeed {
        let mut feed =
            LiveFeed::new(LiveAddress::parse("127.0.0.1:4318", None).expect("an address"));
        let hello = r#"{"listener":"lineage","first_seq":1,"next_seq":1}"#;
        feed.on_message(Message::parse("hello", hello, "").unwrap(), 0.0);
        for (data, id) in messages {
            let m = Message::parse("events", data, id).expect("an events message");
            feed.on_message(m, 0.0);
        }
        feed
    }

    /// What waits in `feed` stored into `view`, in slices; with `window` > 0, prints what
    /// storing cost per event for each `window` events, to see whether it grows with what
    /// the view already holds.
    #[inline(never)]
    fn store(feed: &mut LiveFeed, view: &mut LiveView, window: usize) {
        let (mut in_window, mut t, mut longest) = (0, Instant::now(), 0.0f64);
        loop {
            let slice = feed.take(SLICE);
            if slice.is_empty() {
                break;
            }
            in_window += slice.len();
            let s = Instant::now();
            view.append(slice, false, 0.0);
            longest = longest.max(s.elapsed().as_secs_f64() * 1e3);
            if window > 0 && in_window >= window {
                let ns = t.elapsed().as_secs_f64() * 1e9 / in_window as f64;
                println!(
                    "held {:>9}: store {ns:>6.0} ns an event, longest slice of {SLICE} \
                     {longest:.1} ms",
                    view.len()
                );
                (in_window, t, longest) = (0, Instant::now(), 0.0);
            }
        }
    }

    /// The page's work, alone (what callgrind counts with `--toggle-collect`).
    #[inline(never)]
    fn page_side(messages: &[(String, String)], window: usize) -> (LiveView, f64, f64) {
        let t0 = Instant::now();
        let mut feed = decode(messages);
        let t1 = Instant::now();
        let mut view = LiveView::default();
        store(&mut feed, &mut view, window);
        let t2 = Instant::now();
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
        (view, ms(t0, t1), ms(t1, t2))
    }

    pub fn main() {
        let mut args = std::env::args().skip(1);
        let path = args
            .next()
            .expect("a lineage NDJSON file (lineage simulate --out)");
        let n: usize = args.next().map_or(40_000, |a| a.parse().expect("a count"));
        let window: usize = args.next().map_or(0, |a| a.parse().expect("a window"));
        let text = std::fs::read_to_string(path).expect("readable");
        let events: Vec<Event> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(n)
            .map(|l| serde_json::from_str(l).expect("lineage NDJSON"))
            .collect();
        let messages = messages(&events);
        let bytes: usize = messages.iter().map(|(d, _)| d.len()).sum();
        let (view, decode_ms, store_ms) = page_side(&messages, window);
        assert_eq!(view.len(), events.len(), "every event stored");
        let per = |ms: f64| ms * 1000.0 / events.len() as f64;
        println!(
            "{} events in {} messages ({:.0} bytes an event): decode {decode_ms:.1} ms \
             ({:.2} µs an event), store {store_ms:.1} ms ({:.2} µs an event)",
            events.len(),
            messages.len(),
            bytes as f64 / events.len() as f64,
            per(decode_ms),
            per(store_ms)
        );
    }
}
