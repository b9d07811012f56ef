//! The store path for event lines (`lines::store_lines`: borrowed events straight into the
//! store) held equal to the owned path it replaced (`ingest::event_lines`, owned `Event`s,
//! then `LiveStore::commit`): the same answer, the same events by seq, the same counts,
//! instance and recording, byte for byte, on the fixtures, the hostile files and mutated
//! lines, under both `--when-full` settings and a store that fills.

use std::sync::{Arc, Mutex};

use super::ingest;
use super::lines;
use super::store::{LiveStore, WhenFull};
use crate::core::{Event, Payload, Phase};
use crate::trace::{native, Limits};

/// A recording shared with the test.
#[derive(Clone, Default)]
struct Recording(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Recording {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn store(max_events: u64, when_full: WhenFull) -> (LiveStore, Recording) {
    let limits = Limits {
        max_events,
        ..Limits::DEFAULT
    };
    let mut store = LiveStore::new(limits, when_full);
    let out = Recording::default();
    store.record_to(Box::new(out.clone()));
    (store, out)
}

/// Posts every body to a store both ways and compares everything a client, a stream or
/// the recording can see.
fn assert_same(bodies: &[Vec<u8>], max_events: u64, when_full: WhenFull) {
    let (mut old, old_out) = store(max_events, when_full);
    let (mut new, new_out) = store(max_events, when_full);
    let limits = Limits::DEFAULT;
    for (n, body) in bodies.iter().enumerate() {
        let a = ingest::event_lines(body, limits).map(|lines| {
            let (done, written) = old.commit(&lines.events);
            written.unwrap();
            (lines.rejected, lines.errors, done)
        });
        let b = lines::store_lines(body, limits, &mut new).map(|s| {
            s.written.unwrap();
            (s.report.rejected, s.report.errors, s.committed)
        });
        assert_eq!(a, b, "body {n}: {:?}", String::from_utf8_lossy(body));
        assert_eq!(old.counts(), new.counts(), "body {n}");
        assert_eq!(
            (old.first_seq(), old.next_seq()),
            (new.first_seq(), new.next_seq())
        );
        assert_eq!(old.instance(), new.instance(), "body {n}");
    }
    for seq in old.first_seq()..old.next_seq() {
        assert_eq!(old.event(seq), new.event(seq), "seq {seq}");
    }
    let (a, b) = (old_out.0.lock().unwrap(), new_out.0.lock().unwrap());
    assert!(a.as_slice() == b.as_slice(), "the recordings differ");
}

fn read(path: &str) -> Vec<u8> {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Lines lineage writes: a simulated run's events, with the payload shapes it uses.
fn written_lines(n: usize) -> Vec<u8> {
    let events: Vec<Event> = (0..n)
        .map(|i| {
            let mut e = Event::root("processing", Phase::Started);
            e.seq = i as u64;
            e.timestamp_ns = 1_000 * i as u64;
            e.payload = Payload::process("function_execution")
                .function(format!("f{}", i % 5))
                .with("attempt", i as u64)
                .with("delta", -(i as i64) - 1)
                .with("ok", i % 2 == 0)
                .with("note", "straße ✓");
            if i % 3 == 1 {
                e.phase = Phase::Failed;
                e.duration_ns = Some(7);
                e.error = Some(format!("boom {i}"));
                e.payload.input_entity_ids.push(uuid::Uuid::new_v4());
            }
            if i % 7 == 3 {
                e.payload.extra.put("unicode", "tab\there \"quoted\"");
            }
            if i % 4 == 2 {
                e.payload.entity_count = Some(i as u32);
                e.payload.output_entity_ids.push(uuid::Uuid::new_v4());
                e.payload.output_entity_ids.push(uuid::Uuid::new_v4());
                e.parent_id = Some(uuid::Uuid::new_v4());
                e.start_id = Some(uuid::Uuid::new_v4());
            }
            if i % 11 == 5 {
                e.payload = Payload::default();
            }
            e
        })
        .collect();
    native::export(&events).into_bytes()
}

#[test]
fn the_fixtures_are_stored_the_same_both_ways() {
    let mut bodies = vec![
        read("tests/fixtures/abstractions-sample.ndjson"),
        read("tests/fixtures/otlp-sample.json"),
        written_lines(300),
    ];
    let shared = format!("{}/../shared/fixtures", env!("CARGO_MANIFEST_DIR"));
    if let Ok(dir) = std::fs::read_dir(&shared) {
        for f in dir.flatten() {
            bodies.push(std::fs::read(f.path()).unwrap());
        }
    }
    for when_full in [WhenFull::KeepNewest, WhenFull::Refuse] {
        assert_same(&bodies, 1_000_000, when_full);
        // A store that fills and evicts (or refuses) part of the way through a body.
        assert_same(&bodies, 250, when_full);
    }
}

#[test]
fn hostile_files_are_stored_the_same_both_ways() {
    let mut bodies = Vec::new();
    for dir in ["tests/hostile", "tests/hostile/live"] {
        let full = format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<_> = std::fs::read_dir(&full)
            .unwrap()
            .flatten()
            .map(|f| f.path())
            .filter(|p| p.extension().is_some_and(|x| x == "ndjson" || x == "json"))
            .collect();
        files.sort();
        bodies.extend(files.iter().map(|p| std::fs::read(p).unwrap()));
    }
    assert!(bodies.len() > 30);
    for when_full in [WhenFull::KeepNewest, WhenFull::Refuse] {
        assert_same(&bodies, 1_000_000, when_full);
        assert_same(&bodies, 20, when_full);
    }
}

/// Each line of a written body cut, with a byte replaced, or spelled another way that the
/// purpose-built reader leaves to serde (an escape, spaces, members out of order): bodies
/// of good and bad lines, the bad ones numbered in the whole body.
#[test]
fn mutated_lines_are_stored_the_same_both_ways() {
    let good = written_lines(12);
    let lines: Vec<&[u8]> = good.split_inclusive(|&b| b == b'\n').collect();
    let mut bodies = Vec::new();
    for (k, line) in lines.iter().enumerate() {
        let body_line = &line[..line.len() - 1];
        let mut variants: Vec<Vec<u8>> = Vec::new();
        for cut in [1, 10, body_line.len() / 2, body_line.len() - 1] {
            variants.push(body_line[..cut].to_vec());
        }
        for at in (0..body_line.len()).step_by(body_line.len() / 9 + 1) {
            for byte in [b'"', b'\\', b'}', b'x', b'1', 0x1b, 0xff] {
                let mut v = body_line.to_vec();
                v[at] = byte;
                variants.push(v);
            }
        }
        let text = String::from_utf8(body_line.to_vec()).unwrap();
        variants.push(text.replacen("\"kind\"", "\"\\u006bind\"", 1).into_bytes());
        variants.push(text.replace(",\"", " , \"").into_bytes());
        variants.push(
            text.replacen("{\"id\"", "{\"zz\":[1,{\"a\":null}],\"id\"", 1)
                .into_bytes(),
        );
        variants.push(
            text.replacen("\"seq\"", "\"seq\":1,\"seq\"", 1)
                .into_bytes(),
        );
        for (v, variant) in variants.into_iter().enumerate() {
            let mut body = Vec::new();
            for (j, other) in lines.iter().enumerate() {
                if j == k {
                    body.extend_from_slice(&variant);
                    // Every other bad line is the last, without its newline.
                    if v % 2 == 0 || j + 1 < lines.len() {
                        body.push(b'\n');
                    }
                } else {
                    body.extend_from_slice(other);
                }
            }
            bodies.push(body);
        }
    }
    for when_full in [WhenFull::KeepNewest, WhenFull::Refuse] {
        assert_same(&bodies, 1_000_000, when_full);
        assert_same(&bodies, 100, when_full);
    }
}

#[test]
fn bodies_of_nothing_readable_are_the_same_400() {
    let bodies: Vec<Vec<u8>> = [
        &b""[..],
        b"   \n\n",
        b"\x1b[2J not json",
        b"{\"id\": 3}",
        b"[1, 2",
        b"\xff\xfe",
        b"{\"id\":\"00000000-0000-4000-8000-000000000001\"}\n{}\n",
    ]
    .iter()
    .map(|b| b.to_vec())
    .collect();
    for body in &bodies {
        let (mut s, _) = store(10, WhenFull::KeepNewest);
        let a = ingest::event_lines(body, Limits::DEFAULT).map(|_| ());
        let b = lines::store_lines(body, Limits::DEFAULT, &mut s).map(|_| ());
        assert!(a.is_err(), "{body:?}");
        assert_eq!(a, b);
        assert_eq!(s.next_seq(), 1, "nothing stored");
    }
}
