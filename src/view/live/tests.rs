//! The page's live logic without a browser: messages, numbering under reconnects,
//! duplicates and gaps, the connection's states, Pause.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::{Event, Phase};

fn line(e: &Event) -> String {
    serde_json::to_string(e).unwrap()
}

/// An `events` message holding `events` numbered so the last is `last_seq`.
fn events_msg(events: &[Event], last_seq: u64) -> Message {
    let data: Vec<String> = events.iter().map(line).collect();
    Message::parse("events", &data.join("\n"), &last_seq.to_string()).unwrap()
}

fn hello(first: u64, next: u64) -> Message {
    Message::parse(
        "hello",
        &format!(r#"{{"listener":"lineage 0.1.0","first_seq":{first},"next_seq":{next},"max_events":100,"when_full":"keep-newest"}}"#),
        "",
    )
    .unwrap()
}

fn roots(n: usize) -> Vec<Event> {
    (0..n)
        .map(|_| Event::root("processing", Phase::Started))
        .collect()
}

#[test]
fn every_message_of_the_protocol_is_read() {
    assert!(matches!(hello(3, 9), Message::Hello(h) if h.first_seq == 3 && h.next_seq == 9));
    let gap = Message::parse("gap", r#"{"from":1,"first_seq":40,"lost":39}"#, "").unwrap();
    assert!(matches!(gap, Message::Gap(g) if g.lost == 39 && g.first_seq == 40));
    let status = Message::parse(
        "status",
        r#"{"received":5,"stored":4,"evicted":0,"refused":1,"next_seq":5,"clients":2}"#,
        "",
    )
    .unwrap();
    assert!(matches!(status, Message::Status(s) if s.refused == 1 && s.clients == 2));
    let bye = Message::parse(
        "bye",
        r#"{"reason":"shutting down\u001b[31m (SIGTERM)"}"#,
        "",
    );
    match bye.unwrap() {
        Message::Bye(r) => assert!(
            r.starts_with("shutting down") && !r.contains('\u{1b}'),
            "{r}"
        ),
        other => panic!("{other:?}"),
    }
    let evs = roots(3);
    match events_msg(&evs, 12) {
        Message::Events(b) => {
            assert_eq!(b.first_seq(), 10);
            let seqs: Vec<u64> = b.events.iter().map(|(s, _)| *s).collect();
            assert_eq!(seqs, [10, 11, 12]);
            assert_eq!(b.events[2].1, evs[2]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unreadable_line_is_counted_and_keeps_the_numbering_of_the_others() {
    let evs = roots(2);
    let data = format!(
        "{}\n{{\"not\": \"an event\u{7}\"}}\n{}",
        line(&evs[0]),
        line(&evs[1])
    );
    let Message::Events(b) = Message::parse("events", &data, "7").unwrap() else {
        panic!()
    };
    assert_eq!(b.rejected, 1);
    assert_eq!(b.events.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [5, 7]);
    assert_eq!(b.problems.len(), 1);
    assert!(b.problems[0].starts_with("event 6:"), "{:?}", b.problems);
}

#[test]
fn a_message_that_is_not_the_protocol_is_refused_with_a_sentence() {
    for (name, data, id) in [
        ("events", "{}", "not-a-number"),
        ("events", "{}\n{}\n{}", "2"),
        ("hello", "[1,", ""),
        ("what\u{0}ever", "", ""),
    ] {
        let e = Message::parse(name, data, id).unwrap_err();
        assert!(!e.0.contains('\u{0}') && e.0.len() < 200, "{e}");
    }
}

#[test]
fn a_reconnect_that_serves_events_again_shows_each_once() {
    let evs = roots(6);
    let mut seq = Sequence::default();
    assert_eq!(seq.hello(&hello_of(1, 1)), HelloOutcome::Continue);
    let Message::Events(b) = events_msg(&evs[..4], 4) else {
        panic!()
    };
    assert_eq!(seq.accept(b), evs[..4].to_vec());
    assert_eq!(seq.resume_from(), 5);
    // The same listener after a dropped connection: it resends 3..=6.
    assert_eq!(seq.hello(&hello_of(1, 7)), HelloOutcome::Continue);
    let Message::Events(b) = events_msg(&evs[2..], 6) else {
        panic!()
    };
    assert_eq!(seq.accept(b), evs[4..].to_vec());
    assert_eq!(seq.duplicates, 2);
    // A message wholly held already.
    let Message::Events(b) = events_msg(&evs[..2], 2) else {
        panic!()
    };
    assert!(seq.accept(b).is_empty());
    assert_eq!((seq.duplicates, seq.lost, seq.resume_from()), (4, 0, 7));
}

fn hello_of(first_seq: u64, next_seq: u64) -> message::Hello {
    message::Hello {
        first_seq,
        next_seq,
        ..Default::default()
    }
}

#[test]
fn gaps_announced_or_not_are_counted_as_lost_and_reading_goes_on_after_them() {
    let evs = roots(4);
    let mut seq = Sequence::default();
    seq.hello(&hello_of(10, 12));
    // Before the page read anything, the listener's window started later: not lost.
    seq.gap(&message::Gap {
        from: 1,
        first_seq: 10,
        lost: 9,
    });
    assert_eq!((seq.before_start, seq.lost, seq.resume_from()), (9, 0, 10));
    let Message::Events(b) = events_msg(&evs[..2], 11) else {
        panic!()
    };
    assert_eq!(seq.accept(b).len(), 2);
    seq.gap(&message::Gap {
        from: 12,
        first_seq: 20,
        lost: 8,
    });
    assert_eq!((seq.lost, seq.resume_from()), (8, 20));
    // An unannounced hole: 20..=21 never came.
    let Message::Events(b) = events_msg(&evs[2..], 23) else {
        panic!()
    };
    assert_eq!(seq.accept(b).len(), 2);
    assert_eq!((seq.lost, seq.resume_from()), (10, 24));
}

#[test]
fn a_restarted_listener_starts_a_new_segment_read_from_its_first_event() {
    let mut seq = Sequence::default();
    seq.hello(&hello_of(1, 1));
    let Message::Events(b) = events_msg(&roots(5), 5) else {
        panic!()
    };
    seq.accept(b);
    // A new store numbered from 1 again, holding 3 events: the stream opened at 6 is wrong.
    assert_eq!(seq.hello(&hello_of(1, 4)), HelloOutcome::Reopen { from: 1 });
    assert_eq!((seq.segments(), seq.resume_from()), (2, 1));
    // By an instance id, even when its numbers went past the page's.
    let mut seq = Sequence::default();
    let with = |id: &str, next| message::Hello {
        instance: Some(id.into()),
        ..hello_of(1, next)
    };
    seq.hello(&with("a", 1));
    let Message::Events(b) = events_msg(&roots(2), 2) else {
        panic!()
    };
    seq.accept(b);
    assert_eq!(seq.hello(&with("a", 3)), HelloOutcome::Continue);
    assert_eq!(seq.hello(&with("b", 900)), HelloOutcome::Reopen { from: 1 });
}

#[test]
fn an_instance_first_named_by_a_status_tells_a_later_listener_apart() {
    // A fresh recording has no instance until its first event: the hello has none, the
    // next status names it, and a listener on another recording is then told apart.
    let mut seq = Sequence::default();
    seq.hello(&hello_of(1, 1));
    let Message::Events(b) = events_msg(&roots(2), 2) else {
        panic!()
    };
    seq.accept(b);
    seq.adopt_instance("a");
    seq.adopt_instance("ignored: the page has one");
    let with = |id: &str, next| message::Hello {
        instance: Some(id.into()),
        ..hello_of(1, next)
    };
    assert_eq!(seq.hello(&with("a", 3)), HelloOutcome::Continue);
    assert_eq!(seq.segments(), 1);
    assert_eq!(seq.hello(&with("b", 900)), HelloOutcome::Reopen { from: 1 });
}

#[test]
fn the_connection_backs_off_shows_the_wait_and_resets_when_live() {
    let mut c = Connection::default();
    c.connecting();
    assert_eq!(c.describe(0.0), "connecting…");
    let delays: Vec<f64> = (0..7)
        .map(|_| {
            let d = c.dropped(0.0, "the stream dropped").unwrap();
            c.connecting();
            d
        })
        .collect();
    assert_eq!(
        delays,
        [500.0, 1_000.0, 2_000.0, 4_000.0, 8_000.0, 10_000.0, 10_000.0]
    );
    c.live();
    assert_eq!(c.describe(0.0), "live");
    c.dropped(1_000.0, "x");
    assert_eq!(c.describe(1_000.0), "reconnecting in 1 s (x)");
    assert!(!c.retry_due(1_400.0) && c.retry_due(1_500.0));
    // A bye's reason stays when the stream's closing error follows it.
    let mut c = Connection::default();
    c.connecting();
    c.live();
    c.dropped(0.0, "the listener said: shutting down (SIGTERM)");
    c.dropped(0.0, "the stream dropped");
    assert!(
        c.describe(0.0).contains("shutting down (SIGTERM)"),
        "{}",
        c.describe(0.0)
    );
    c.close("disconnected");
    assert_eq!(c.dropped(0.0, "x"), None);
    assert_eq!(c.describe(0.0), "closed: disconnected");
}

#[test]
fn paused_the_view_holds_still_while_events_keep_arriving_and_are_counted() {
    let mut feed = LiveFeed::new(LiveAddress::parse("127.0.0.1:4318", None).unwrap());
    feed.on_message(hello(1, 1), 0.0);
    let evs = roots(5);
    feed.on_message(events_msg(&evs[..2], 2), 0.0);
    assert_eq!(feed.take(usize::MAX), evs[..2].to_vec());
    feed.pause();
    feed.on_message(events_msg(&evs[2..], 5), 0.0);
    assert!(feed.take(usize::MAX).is_empty());
    assert_eq!(feed.waiting(), 3);
    assert!(
        feed.describe_counts().contains("3 waiting"),
        "{}",
        feed.describe_counts()
    );
    feed.resume();
    assert_eq!(feed.tick(0.0), Reaction::Nothing);
    assert_eq!(feed.take(2), evs[2..4].to_vec());
    assert_eq!(feed.take(9), evs[4..].to_vec());
}

#[test]
fn events_a_frame_had_no_time_for_wait_first_in_their_order_and_let_go_is_counted() {
    let mut feed = LiveFeed::new(LiveAddress::parse("h:1", None).unwrap());
    feed.on_message(hello(1, 1), 0.0);
    let evs = roots(6);
    feed.on_message(events_msg(&evs, 6), 0.0);
    let mut taken = feed.take(4);
    let rest = taken.split_off(1);
    feed.put_back(rest);
    assert_eq!(feed.waiting(), 5);
    assert_eq!(feed.take(usize::MAX), evs[1..].to_vec());
    feed.let_go = 4;
    assert!(
        feed.describe_counts()
            .starts_with("6 received · 4 older let go to stay within the page's budget"),
        "{}",
        feed.describe_counts()
    );
}

#[test]
fn a_long_pause_closes_the_stream_and_resume_reads_on_from_the_first_event_not_held() {
    let mut feed = LiveFeed::new(LiveAddress::parse("h:1", None).unwrap());
    feed.on_message(hello(1, 1), 0.0);
    feed.pause();
    let evs = roots(1_000);
    let mut last = 0;
    let mut reaction = Reaction::Nothing;
    while reaction == Reaction::Nothing {
        last += evs.len() as u64;
        reaction = feed.on_message(events_msg(&evs, last), 0.0);
    }
    assert_eq!(reaction, Reaction::CloseStream);
    assert!(feed.suspended() && feed.waiting() >= feed::MAX_WAITING);
    // The stream's closing error does not schedule a retry while suspended.
    assert_eq!(feed.on_error(0.0), Reaction::Nothing);
    assert_eq!(feed.tick(1e9), Reaction::Nothing);
    feed.resume();
    assert_eq!(feed.tick(1e9), Reaction::Nothing, "still too many waiting");
    assert_eq!(feed.take(usize::MAX).len() as u64, last);
    assert_eq!(feed.tick(1e9), Reaction::Open);
    assert_eq!(
        feed.stream_url(),
        format!("http://h:1/v1/stream?from={}&encoding=compact", last + 1)
    );
}

#[test]
fn a_bye_then_the_dropped_stream_retries_with_the_reason_shown() {
    let mut feed = LiveFeed::new(LiveAddress::parse("h:1", Some("s e/cret")).unwrap());
    feed.on_message(hello(1, 1), 0.0);
    let bye = Message::parse(
        "bye",
        r#"{"reason":"the listener is shutting down (SIGTERM)"}"#,
        "",
    );
    assert_eq!(feed.on_message(bye.unwrap(), 0.0), Reaction::CloseStream);
    assert_eq!(feed.on_error(10.0), Reaction::CloseStream);
    assert!(feed.connection.describe(10.0).contains("SIGTERM"));
    assert_eq!(feed.tick(100.0), Reaction::Nothing);
    assert_eq!(feed.tick(600.0), Reaction::Open);
    assert_eq!(
        feed.stream_url(),
        "http://h:1/v1/stream?from=1&encoding=compact&token=s%20e%2Fcret"
    );
}

#[test]
fn addresses_are_read_as_people_type_them() {
    let a = |t: &str| LiveAddress::parse(t, None).map(|a| a.base);
    assert_eq!(a("127.0.0.1:4318").unwrap(), "http://127.0.0.1:4318");
    assert_eq!(a(" http://host:4318/ ").unwrap(), "http://host:4318");
    assert_eq!(a("HTTPS://h").unwrap(), "https://h");
    assert_eq!(a("/").unwrap(), "");
    assert!(a("").is_err() && a("ftp://h").is_err() && a("h:1/?x").is_err());
    let e = a("javascript:alert(1)//\u{1b}").unwrap_err();
    assert!(!e.contains('\u{1b}'), "{e}");
    assert_eq!(
        LiveAddress::parse("h:1", None).unwrap().stream_url(0),
        "http://h:1/v1/stream?from=0&encoding=compact"
    );
}

// The numbering under any sequence of drops, overlaps and restarts: native only (proptest).
#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// A listener's store and a page reading it over connections that drop: each
    /// connection resends from the page's `from` minus `overlap` (a listener may serve more
    /// than asked), in messages of `size`, and drops after `keep` messages.
    fn read_over_drops(store: &[Event], plan: &[(usize, usize, u64)]) -> (Vec<Event>, LiveFeed) {
        let mut feed = LiveFeed::new(LiveAddress::parse("h:1", None).unwrap());
        let mut shown = Vec::new();
        for &(size, keep, overlap) in plan.iter().cycle().take(10_000) {
            let next = store.len() as u64 + 1;
            feed.on_message(hello(1, next), 0.0);
            let overlap = overlap.min((size * keep) as u64 - 1); // each connection makes progress
            let from = feed.sequence.resume_from().saturating_sub(overlap).max(1);
            let mut at = from as usize - 1;
            for _ in 0..keep {
                if at >= store.len() {
                    break;
                }
                let end = (at + size).min(store.len());
                feed.on_message(events_msg(&store[at..end], end as u64), 0.0);
                at = end;
            }
            shown.extend(feed.take(usize::MAX).iter().map(LiveEvent::to_event));
            feed.on_error(0.0);
            feed.tick(f64::MAX);
            if feed.sequence.resume_from() > store.len() as u64 {
                break;
            }
        }
        (shown, feed)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn drops_and_overlapping_resends_show_every_event_once_in_order(
            n in 0usize..200,
            plan in prop::collection::vec((1usize..40, 1usize..5, 0u64..30), 1..6),
        ) {
            let store = roots(n);
            let (shown, feed) = read_over_drops(&store, &plan);
            prop_assert_eq!(shown.len(), store.len());
            prop_assert!(shown == store);
            prop_assert_eq!(feed.sequence.lost, 0);
        }
    }
}
