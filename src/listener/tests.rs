//! The live store, the stream's messages and the body readers, without sockets.

use super::bad_body::MAX_LINE_ERRORS;
use super::ingest;
use super::sse;
use super::store::{LiveStore, WhenFull};
use crate::core::{Event, Phase};
use crate::trace::Limits;

fn events(n: usize) -> Vec<Event> {
    (0..n).map(|_| Event::root("k", Phase::Started)).collect()
}

fn limits(max_events: u64) -> Limits {
    Limits {
        max_events,
        ..Limits::DEFAULT
    }
}

#[test]
fn seqs_count_every_event_stored_and_keep_newest_evicts_the_oldest() {
    let mut store = LiveStore::new(limits(3), WhenFull::KeepNewest);
    let batch = events(5);
    let (done, written) = store.commit(&batch);
    written.unwrap();
    assert_eq!((done.stored, done.evicted, done.refused), (5, 2, 0));
    assert_eq!((store.first_seq(), store.next_seq()), (3, 6));
    assert_eq!(store.event(3).unwrap().id, batch[2].id);
    assert!(store.event(2).is_none());
    let c = store.counts();
    assert_eq!((c.received, c.stored, c.evicted, c.refused), (5, 5, 2, 0));
}

#[test]
fn refuse_stores_what_fits_and_refuses_the_rest() {
    let mut store = LiveStore::new(limits(3), WhenFull::Refuse);
    let (done, _) = store.commit(&events(5));
    assert_eq!((done.stored, done.refused), (3, 2));
    assert!(store.is_refusing());
    assert_eq!(store.commit(&events(1)).0.refused, 1);
    assert_eq!(store.first_seq(), 1);
}

#[test]
fn keep_newest_keeps_the_memory_budget_by_evicting() {
    let small = Limits {
        max_retained_bytes: 1 << 20,
        ..Limits::DEFAULT
    };
    let mut store = LiveStore::new(small, WhenFull::KeepNewest);
    for _ in 0..20 {
        store.commit(&events(2000)).1.unwrap();
    }
    assert!(
        store.heap_bytes() <= (1 << 20) + (64 << 10),
        "{}",
        store.heap_bytes()
    );
    assert!(store.counts().evicted > 0);
    assert_eq!(store.counts().stored, 40_000);
}

#[test]
fn the_recording_gets_whole_lines_of_what_was_stored() {
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let out = Shared::default();
    let mut store = LiveStore::new(limits(2), WhenFull::Refuse);
    store.record_to(Box::new(out.clone()));
    let batch = events(3);
    store.commit(&batch).1.unwrap();
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    let back = crate::trace::native::import(text.as_bytes())
        .unwrap()
        .events;
    assert_eq!(back, batch[..2]);
}

#[test]
fn a_reader_gets_batches_ending_at_their_id_and_a_gap_message_says_what_was_lost() {
    let mut store = LiveStore::new(limits(2000), WhenFull::KeepNewest);
    store.commit(&events(2500)).1.unwrap();
    assert_eq!(store.first_seq(), 501);
    let (first, next) = sse::events(&store, 501).unwrap();
    assert_eq!(next, 1501);
    assert_eq!(first.matches("\ndata: ").count(), sse::MAX_BATCH_EVENTS);
    assert!(first.starts_with("event: events\n") && first.ends_with("id: 1500\n\n"));
    let (_, end) = sse::events(&store, next).unwrap();
    assert_eq!(end, 2501);
    assert!(sse::events(&store, end).is_none());
    assert!(
        sse::events(&store, 1).is_none(),
        "evicted: the caller sends a gap"
    );
    assert_eq!(
        sse::gap(1, 501),
        "event: gap\ndata: {\"first_seq\":501,\"from\":1,\"lost\":500}\n\n"
    );
}

#[test]
fn bad_lines_are_numbered_in_the_whole_body_and_the_others_read() {
    let good = |i: usize| {
        let e = Event::root("k", Phase::Started);
        let mut line = serde_json::to_string(&e).unwrap();
        line.push('\n');
        (i, line)
    };
    let mut body = String::new();
    for i in 1..=30 {
        if i % 2 == 0 {
            body.push_str("{\"id\": 3}\n");
        } else {
            body.push_str(&good(i).1);
        }
    }
    let lines = ingest::event_lines(body.as_bytes(), Limits::DEFAULT).unwrap();
    assert_eq!((lines.events.len(), lines.rejected), (15, 15));
    assert_eq!(lines.errors.len(), MAX_LINE_ERRORS);
    assert!(
        lines.errors[0].starts_with("line 2: "),
        "{}",
        lines.errors[0]
    );
    assert!(
        lines.errors[1].starts_with("line 4: "),
        "{}",
        lines.errors[1]
    );
}

#[test]
fn a_body_of_nothing_readable_is_one_sentence() {
    let err = ingest::event_lines(b"\x1b[2J not json", Limits::DEFAULT).unwrap_err();
    assert!(!err.0.contains('\x1b') && err.0.len() < 400, "{err}");
    let err = ingest::otlp_protobuf(b"\x0a\xff\xff\xff\xff\x0f", Limits::DEFAULT).unwrap_err();
    assert!(err.0.starts_with("could not decode"), "{err}");
}
