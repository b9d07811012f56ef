//! lineage NDJSON: lossless export and import of what the bus records.

mod common;

use common::{bus, one_call, run};
use futures::FutureExt;
use lineage::core::{EmitMode, Event, Operation, Payload, Phase};
use lineage::trace::{self, Format, Problem};
use serde_json::json;

/// A recorded run with every kind of event: completed, failed and cancelled operations,
/// point events, fire-and-forget reordering and payloads with awkward values.
fn rich_run() -> Vec<Event> {
    let (mut pool, bus) = bus();
    let b = bus.clone();
    run(&mut pool, async move {
        one_call(b.clone(), false).await.unwrap();
        let _ = one_call(b.clone(), true).await;
        // Cancelled: dropped after its first poll.
        let cancelled = Operation::new("processing", "processed")
            .start(|| Payload::process("cancelled_one"))
            .run(&b, async {
                lineage::core::yield_now::yield_now().await;
                Ok::<_, String>(())
            });
        let mut cancelled = Box::pin(cancelled);
        assert!((&mut cancelled).now_or_never().is_none());
        drop(cancelled);
        b.emit_point("state_transition", Phase::Pending, || {
            Payload::default()
                .with("float", 0.1 + 0.2)
                .with("tiny", 5e-324)
                .with("big", u64::MAX)
                .with("neg", i64::MIN)
                .with(
                    "text",
                    "<img src=x onerror=alert(1)> \u{1F600} \"quoted\"\n",
                )
                .with("nested", json!({"a": [1, {"b": null}], "c": {}}))
        })
        .await;
        b.set_mode(EmitMode::FireAndForget);
        one_call(b.clone(), false).await.unwrap();
        b.flush().await;
    });
    bus.events()
}

#[test]
fn export_then_import_gives_back_the_same_events_links_and_order() {
    let events = rich_run();
    assert!(events.len() > 15);
    let text = trace::export_ndjson(&events);
    let back = trace::native::import(text.as_bytes()).unwrap();
    assert_eq!(back.format, Some(Format::Native));
    assert_eq!(back.events, events);
    assert!(back.skipped.is_empty() && back.notes.is_empty());
}

#[test]
fn the_export_is_one_json_object_per_line() {
    let events = rich_run();
    let text = trace::export_ndjson(&events);
    assert_eq!(text.lines().count(), events.len());
    assert!(text.ends_with('\n'));
    for line in text.lines() {
        assert!(serde_json::from_str::<serde_json::Map<_, _>>(line).is_ok());
    }
}

#[test]
fn auto_detection_recognises_lineage_ndjson() {
    let text = trace::export_ndjson(&rich_run());
    assert_eq!(
        trace::detect(text.as_bytes(), None).unwrap(),
        Format::Native
    );
}

#[test]
fn crlf_line_ends_blank_lines_and_a_byte_order_mark_are_accepted() {
    let events = rich_run();
    let text = trace::export_ndjson(&events).replace('\n', "\r\n\r\n");
    let with_bom = format!("\u{feff}{text}");
    let back = trace::import(with_bom.as_bytes(), None).unwrap();
    assert_eq!(back.events, events);
}

#[test]
fn a_json_array_of_events_reads_too() {
    let events = rich_run();
    let array = serde_json::to_string_pretty(&events).unwrap();
    let back = trace::import(array.as_bytes(), None).unwrap();
    assert_eq!(back.format, Some(Format::Native));
    assert_eq!(back.events, events);
}

#[test]
fn a_bad_line_is_reported_with_its_line_number_and_field() {
    let events = rich_run();
    let mut lines: Vec<String> = trace::export_ndjson(&events)
        .lines()
        .map(String::from)
        .collect();
    lines[4] = lines[4].replace("\"phase\":\"", "\"phase\":\"sideways-");
    let text = lines.join("\n");
    let err = trace::import(text.as_bytes(), None).unwrap_err();
    assert_eq!(err.format, Some(Format::Native));
    assert_eq!(err.at.unwrap().line, 5);
    let Problem::Invalid { field, .. } = &err.problem else {
        panic!("{err:?}")
    };
    assert_eq!(field, "phase");
    let msg = err.to_string();
    assert!(
        msg.starts_with("could not read the lineage NDJSON trace: at line 5"),
        "{msg}"
    );
    assert!(msg.contains("unknown variant"), "{msg}");
}

#[test]
fn a_bad_last_line_fails_the_whole_import_with_no_partial_result() {
    let events = rich_run();
    let mut text = trace::export_ndjson(&events);
    text.push_str("{\"truncated\": \n");
    let err = trace::import(text.as_bytes(), None).unwrap_err();
    assert_eq!(err.at.unwrap().line, events.len() + 1);
    assert!(matches!(err.problem, Problem::Syntax { .. }), "{err:?}");
}
