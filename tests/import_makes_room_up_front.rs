//! An import that knows how many events are coming makes room for them up front: the page
//! says how long the file is after its first slice ([`Importer::expect_total_bytes`]), a
//! Chrome trace's held slices are counted before they become events. The event store then
//! does not rebuild its id indexes from every event held each time they fill (one frame of
//! hundreds of milliseconds at a million events), and a guess never takes more than half
//! of the memory budget's room. No timing here: what is checked is the room and the events.
//!
//! Native only: a debug wasm build takes longer than the browser runner's 20 s to build and
//! read the 150 000 events the first case needs (the store is the same code in both).
#![cfg(not(target_arch = "wasm32"))]

use lineage::core::store::EventStore;
use lineage::core::{Event, Phase};
use lineage::model::EventLog;
use lineage::trace::{self, Importer, Limits};

/// `n` events as lineage NDJSON: roots, each with a child.
fn ndjson(n: usize) -> String {
    let mut events = Vec::with_capacity(n);
    while events.len() < n {
        let root = Event::root("processing", Phase::Started);
        let child = Event::child_of(&root, "custom", Phase::Progress);
        events.push(root);
        events.push(child);
    }
    events.truncate(n);
    trace::export_ndjson(&events)
}

/// Bytes of the store's part `name` (records, events_by_id, ...).
fn part(log: &EventLog, name: &str) -> usize {
    let parts = log.store().heap_parts();
    parts.iter().find(|(n, _)| *n == name).unwrap().1
}

#[test]
fn told_the_input_length_the_store_makes_room_once_and_grows_no_more() {
    let text = ndjson(150_000); // past the 65 536 events an empty store has room for
    let total = text.len() as u64;
    let mut importer = Importer::new(EventLog::default(), None, Limits::DEFAULT);
    let mut chunks = text.as_bytes().chunks(256 * 1024);
    importer.feed(chunks.next().unwrap()).unwrap();
    let first = importer.events();
    assert!(first > 0 && first < 10_000, "{first}");
    importer.expect_total_bytes(total);
    let (records, ids) = (
        part(importer.sink(), "records"),
        part(importer.sink(), "events_by_id"),
    );
    assert!(
        records >= 140_000 * EventStore::RECORD_BYTES,
        "room for the file's events: {records}"
    );
    for chunk in chunks {
        importer.feed(chunk).unwrap();
    }
    let done = importer.finish().unwrap();
    assert_eq!(done.events, 150_000);
    assert_eq!(
        part(&done.sink, "events_by_id"),
        ids,
        "the id index never grew"
    );
    // A guess a little short leaves at most one growth of the records; never a second.
    assert!(part(&done.sink, "records") <= 2 * records);
    done.sink.store().check_indexes().unwrap();
    let whole = trace::import(text.as_bytes(), None).unwrap().events;
    assert_eq!(done.sink.events().collect::<Vec<_>>(), whole);
}

#[test]
fn a_guess_takes_at_most_half_of_the_memory_budgets_room() {
    let text = ndjson(2_000);
    let limits = Limits {
        max_retained_bytes: 64 << 20,
        ..Limits::DEFAULT
    };
    let mut importer = Importer::new(EventLog::default(), None, limits);
    importer.feed(&text.as_bytes()[..64 * 1024]).unwrap();
    let held = importer.sink().heap_bytes();
    // A file said to be a thousand times longer would need ~250 MB: past the budget.
    importer.expect_total_bytes(1_000 * text.len() as u64);
    let grown = importer.sink().heap_bytes() - held;
    assert!(grown <= ((64 << 20) - held) / 2, "{grown} bytes reserved");
    assert!(grown > 0, "some room was made");
    importer.feed(&text.as_bytes()[64 * 1024..]).unwrap();
    assert_eq!(importer.finish().unwrap().events, 2_000);
}

#[test]
fn a_chrome_traces_held_slices_are_made_room_for_before_they_become_events() {
    // Past the 65 536 records an empty store starts with.
    let n = 50_000;
    let mut text = String::from("[");
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        text.push_str(r#"{"ph":"X","ts":0}"#);
    }
    text.push(']');
    let mut importer = Importer::new(EventLog::default(), None, Limits::DEFAULT);
    importer.feed(text.as_bytes()).unwrap();
    let mut finishing = importer.finishing().unwrap();
    // The first step makes room for every owed event (a start and an end per slice).
    assert!(finishing.step(1).unwrap().is_none());
    let done = loop {
        if let Some(done) = finishing.step(4096).unwrap() {
            break done;
        }
    };
    assert_eq!(done.events, 2 * n as u64);
    let records = part(&done.sink, "records");
    assert_eq!(
        records,
        2 * n * EventStore::RECORD_BYTES,
        "room for exactly the owed events, reserved once"
    );
    done.sink.store().check_indexes().unwrap();
}
