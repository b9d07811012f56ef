//! A Chrome "bomb" (millions of `{"ph":"X","ts":0}`, 18 bytes each) is held back slice by
//! slice until the end of the file, where each slice becomes two events. Before, the budget
//! was checked only as the events were made: 11 M such events held 1.77 GB against a 1.5 GB
//! bound and the error said "stopped at event 1". Now the events a held slice will become
//! count against the event budget as it is read, the slice vector's next doubling against the
//! memory budget before it happens, and the error says how far the reading got (event N, line,
//! column, byte). Generated here, not kept in `tests/hostile/` (tens of MB).

use lineage::model::EventLog;
use lineage::model::EventVec;
use lineage::trace::{Importer, Limits};

const EVENT: &[u8] = br#"{"ph":"X","ts":0}"#;

/// Feeds `n` bomb events (or until the importer refuses); the error text, if any.
fn feed_bomb<S: lineage::model::EventSink>(importer: &mut Importer<S>, n: usize) -> Option<String> {
    importer.feed(b"[").unwrap();
    let mut chunk = Vec::new();
    for i in 0..n {
        if i > 0 {
            chunk.push(b',');
        }
        chunk.extend_from_slice(EVENT);
        if chunk.len() > 1 << 16 {
            if let Err(e) = importer.feed(&chunk) {
                return Some(e.to_string());
            }
            chunk.clear();
        }
    }
    chunk.push(b']');
    importer.feed(&chunk).err().map(|e| e.to_string())
}

#[test]
fn the_event_budget_stops_a_bomb_while_it_is_read_and_says_where() {
    let limits = Limits {
        max_events: 100_000,
        ..Limits::DEFAULT
    };
    let mut importer = Importer::new(EventVec::new(), None, limits);
    let error = feed_bomb(&mut importer, 200_000).expect("refused while reading");
    // Each X owes two events: the 50 001st slice is the one that does not fit.
    assert!(
        error.contains("stopped at event 100 002 (line 1, column"),
        "{error}"
    );
    assert!(error.contains("(byte 900001))"), "{error}");
    assert!(
        error.contains("exceeds the budget of 100 000 events"),
        "{error}"
    );
    assert!(
        importer.bytes_read() < 1_000_000,
        "stopped soon after: {}",
        importer.bytes_read()
    );
}

#[test]
fn the_memory_budget_stops_a_bomb_before_its_slices_double_past_it() {
    let limits = Limits {
        max_retained_bytes: 4 << 20,
        ..Limits::DEFAULT
    };
    let mut importer = Importer::new(EventVec::new(), None, limits);
    let error = feed_bomb(&mut importer, 1_000_000).expect("refused while reading");
    assert!(error.contains("memory budget of 4 MiB"), "{error}");
    // The slices (64 bytes each) would pass 4 MiB at the doubling after 32 768 of them: it is
    // refused there, with at most 4 MiB held, not after growing to 8.
    assert!(error.contains("(4 MiB held)"), "{error}");
    assert!(error.contains("stopped at event 65 5"), "{error}");
}

#[test]
fn a_bomb_inside_the_budget_reads_whole_with_one_note() {
    let mut importer = Importer::new(EventLog::default(), None, Limits::DEFAULT);
    assert_eq!(feed_bomb(&mut importer, 20_000), None);
    let done = importer.finish().unwrap();
    assert_eq!(done.events, 40_000);
    assert_eq!(
        done.notes,
        ["20 000 X events have no dur (the first: traceEvents[0]); they were read as lasting 0 µs"]
    );
}

#[test]
fn the_end_of_file_pass_in_small_steps_makes_the_same_events() {
    // Slices on three threads, listed out of order, nested, with instants and B/E pairs.
    let mut events = Vec::new();
    for i in 0..60u32 {
        let (ts, dur, tid) = ((i * 37) % 50, (i * 13) % 20, i % 3);
        events.push(match i % 5 {
            0 => format!(r#"{{"ph":"i","name":"p{i}","ts":{ts},"pid":1,"tid":{tid}}}"#),
            _ => format!(
                r#"{{"ph":"X","name":"s{i}","ts":{ts},"dur":{dur},"pid":1,"tid":{tid},"args":{{"i":{i}}}}}"#
            ),
        });
    }
    events.push(r#"{"ph":"B","name":"open","ts":1,"pid":1,"tid":9}"#.to_owned());
    let text = format!("[{}]", events.join(",")).into_bytes();
    let whole = {
        let mut importer = Importer::new(EventVec::new(), None, Limits::DEFAULT);
        importer.feed(&text).unwrap();
        importer.finish().unwrap()
    };
    for budget in [1, 3, 64] {
        let mut importer = Importer::new(EventVec::new(), None, Limits::DEFAULT);
        importer.feed(&text).unwrap();
        let mut finishing = importer.finishing().unwrap();
        let mut steps = 0;
        let done = loop {
            steps += 1;
            if let Some(done) = finishing.step(budget).unwrap() {
                break done;
            }
        };
        assert_eq!(done.sink.events, whole.sink.events, "budget {budget}");
        assert_eq!(done.notes, whole.notes);
        assert!(steps > 1, "budget {budget}: {steps} step");
    }
}
