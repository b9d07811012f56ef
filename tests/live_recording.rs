//! `lineage listen --out FILE`: the recording reads with `summary` while it grows, and
//! SIGTERM leaves it whole (every line an event, none cut) after telling the stream `bye`.
#![cfg(not(target_arch = "wasm32"))]

mod live_support;

use std::process::Command;

use live_support::{event_lines, post, Listener, Stream};

fn summary_events(path: &std::path::Path) -> u64 {
    let out = Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(["summary", "--json"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["events"]
        .as_u64()
        .unwrap_or_else(|| panic!("no event count in {v}"))
}

/// The `instance` of a listener's `hello` (a UUID), if it names one.
async fn instance_of(url: &str) -> Option<String> {
    let mut stream = Stream::open(&format!("{url}/v1/stream")).await;
    let hello = stream.next().await.unwrap();
    assert_eq!(hello.event, "hello");
    let v: serde_json::Value = serde_json::from_str(&hello.data.join("")).unwrap();
    let id = v["instance"].as_str()?;
    uuid::Uuid::parse_str(id).unwrap_or_else(|e| panic!("{id:?}: {e}"));
    Some(id.to_owned())
}

#[tokio::test]
async fn a_listener_without_a_recording_is_another_instance_each_time_it_starts() {
    let a = Listener::start(&[]);
    let first = instance_of(&a.url)
        .await
        .expect("an instance from the start");
    assert_eq!(instance_of(&a.url).await.as_ref(), Some(&first));
    assert!(a.terminate().0);
    let b = Listener::start(&[]);
    assert_ne!(instance_of(&b.url).await, Some(first));
}

#[tokio::test]
async fn the_recording_is_read_while_it_grows_and_whole_after_sigterm() {
    let dir = std::env::temp_dir().join(format!("lineage-live-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("live.ndjson");
    let _ = std::fs::remove_file(&path);
    let l = Listener::start(&["--out", path.to_str().unwrap()]);
    let url = format!("{}/v1/events", l.url);

    assert_eq!(
        post(&url, "application/x-ndjson", event_lines(100, 1))
            .await
            .status,
        200
    );
    assert_eq!(summary_events(&path), 100, "read while the listener runs");
    assert_eq!(
        post(&url, "application/x-ndjson", event_lines(250, 101))
            .await
            .status,
        200
    );
    assert_eq!(summary_events(&path), 350);

    let mut stream = Stream::open(&format!("{}/v1/stream", l.url)).await;
    assert_eq!(stream.next().await.unwrap().event, "hello");
    let reader = tokio::spawn(async move {
        let mut last = String::new();
        while let Some(m) = stream.next().await {
            last = format!("{} {}", m.event, m.data.join(""));
        }
        last
    });
    let (clean, stderr) = tokio::task::spawn_blocking(move || l.terminate())
        .await
        .unwrap();
    assert!(clean, "exit status after SIGTERM: {stderr}");
    assert!(stderr.contains("stored 350"), "{stderr}");
    let last = reader.await.unwrap();
    assert!(last.starts_with("bye "), "{last}");
    assert!(last.contains("SIGTERM"), "{last}");

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.ends_with('\n'), "the last line is whole");
    for line in text.lines() {
        serde_json::from_str::<lineage::core::Event>(line).unwrap();
    }
    assert_eq!(text.lines().count(), 350);
    assert_eq!(summary_events(&path), 350);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_listener_restarted_on_its_recording_numbers_on_so_a_page_resumes_without_gap() {
    let dir = std::env::temp_dir().join(format!("lineage-live-resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("live.ndjson");
    let _ = std::fs::remove_file(&path);
    let out = ["--out", path.to_str().unwrap()];

    let first = Listener::start(&out);
    // A fresh recording has no instance before its first event: it becomes that event's id.
    assert_eq!(instance_of(&first.url).await, None);
    post(
        &format!("{}/v1/events", first.url),
        "application/x-ndjson",
        event_lines(7, 1),
    )
    .await;
    let first_instance = instance_of(&first.url)
        .await
        .expect("named by the first event");
    assert!(first_instance.ends_with("000000000001"), "{first_instance}");
    assert!(first.terminate().0);
    // A crash mid-write leaves a cut line: it is cut back, not numbered.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    std::io::Write::write_all(&mut f, b"{\"id\":\"00000000-00").unwrap();
    drop(f);

    let second = Listener::start(&out);
    post(
        &format!("{}/v1/events", second.url),
        "application/x-ndjson",
        event_lines(3, 8),
    )
    .await;
    let mut stream = Stream::open(&format!("{}/v1/stream?from=8", second.url)).await;
    let hello = stream.next().await.unwrap();
    assert!(
        hello.data[0].contains("\"next_seq\":11"),
        "{:?}",
        hello.data
    );
    let m = stream.next_not_status().await.unwrap();
    assert_eq!(
        (m.event.as_str(), m.id, m.data.len()),
        ("events", Some(10), 3)
    );
    assert!(m.data[0].contains("000000000008"), "{}", m.data[0]);
    // Restarted on its recording it numbers on and is the same instance (line 1's id): a
    // page continues where it was, without re-reading anything.
    assert_eq!(instance_of(&second.url).await, Some(first_instance));
    let (clean, stderr) = second.terminate();
    assert!(clean, "{stderr}");
    assert!(stderr.contains("resumed 7 events"), "{stderr}");
    assert_eq!(summary_events(&path), 10);
    std::fs::remove_dir_all(dir).unwrap();
}
