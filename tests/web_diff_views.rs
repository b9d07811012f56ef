//! Component tests in headless Chromium for the views of issue 10: the run diff's alignment,
//! the critical path on a crafted trace, and the minimap's window. Mount, act, let Leptos
//! update, read the DOM (or the state the DOM drives).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use lineage::core::{Event, Payload, Phase};
use lineage::ui::critical::{Critical, CriticalPathPanel};
use lineage::ui::minimap::Minimap;
use lineage::ui::run_diff::{Pin, RunDiffPanel};
use lineage::ui::state::Ui;
use lineage::ui::tree::TreeView;
use lineage::workload::PipelineConfig;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn start(name: &'static str, parent: Option<&Event>, t: u64) -> Event {
    let mut e = match parent {
        Some(p) => Event::child_of(p, "processing", Phase::Started),
        None => Event::root("processing", Phase::Started),
    };
    e.payload = Payload::process(name);
    e.timestamp_ns = t;
    e
}

fn end_of(s: &Event, phase: Phase, t: u64) -> Event {
    let mut e = Event::child_of(s, "processed", phase);
    e.parent_id = s.parent_id;
    e.start_id = Some(s.id);
    e.payload = s.payload.clone();
    e.timestamp_ns = t;
    e
}

/// One root `op` (0..100) with `a` (10..40) and `b` (30..90), `b` with `b1` (35..50) and
/// `b2` (50..85): the critical path is op → b → b2.
fn nested(offset: u64, outcome: Phase) -> Vec<Event> {
    let op = start("op", None, offset);
    let a = start("a", Some(&op), offset + 10);
    let b = start("b", Some(&op), offset + 30);
    let b1 = start("b1", Some(&b), offset + 35);
    let b2 = start("b2", Some(&b), offset + 50);
    let mut events = vec![
        op.clone(),
        a.clone(),
        b.clone(),
        b1.clone(),
        end_of(&a, Phase::Completed, offset + 40),
        end_of(&b1, Phase::Completed, offset + 50),
        b2.clone(),
        end_of(&b2, outcome, offset + 85),
        end_of(&b, outcome, offset + 90),
        end_of(&op, outcome, offset + 100),
    ];
    for (i, e) in events.iter_mut().enumerate() {
        e.seq = offset + i as u64 + 1;
    }
    events
}

fn container() -> web_sys::HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let div = doc.create_element("div").unwrap();
    div.set_attribute(
        "style",
        "width:1000px;height:600px;display:flex;flex-direction:column",
    )
    .unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

fn all(root: &web_sys::HtmlElement, css: &str) -> Vec<web_sys::HtmlElement> {
    let list = root.query_selector_all(css).unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().unchecked_into())
        .collect()
}

fn text(root: &web_sys::HtmlElement, css: &str) -> String {
    root.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("no {css}"))
        .text_content()
        .unwrap_or_default()
}

/// Mounts the tree with the diff panel, the critical path and the minimap on `events`.
fn mount(events: Vec<Event>) -> (web_sys::HtmlElement, Ui, Pin) {
    let root = container();
    let slot = std::rc::Rc::new(std::cell::Cell::new(None));
    let out = slot.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let ui = Ui::new(PipelineConfig::default());
        ui.show_imported("a.ndjson".into(), lineage::model::EventLog::new(events));
        let pin = Pin::new(ui);
        let critical = Critical::new(ui);
        provide_context(critical);
        out.set(Some((ui, pin)));
        view! {
            <RunDiffPanel ui pin />
            <Minimap ui />
            <TreeView ui />
            <CriticalPathPanel ui critical />
        }
    });
    handle.forget();
    let (ui, pin) = slot.take().unwrap();
    (root, ui, pin)
}

#[wasm_bindgen_test]
async fn the_diff_aligns_operations_and_marks_added_removed_and_changed() {
    // A: three operations; B (opened after pinning A): the first the same, the second failed,
    // the third missing and a fourth new, every id different.
    let a: Vec<Event> = [0, 1_000, 2_000]
        .into_iter()
        .flat_map(|t| nested(t, Phase::Completed))
        .collect();
    let (root, ui, _pin) = mount(a);
    leptos::task::tick().await;
    assert!(
        all(&root, "#diff-summary").is_empty(),
        "no diff before a pin"
    );
    all(&root, "#pin")[0].click();
    leptos::task::tick().await;
    let mut b = nested(0, Phase::Completed);
    b.extend(nested(1_000, Phase::Failed));
    let mut extra = nested(2_000, Phase::Completed);
    extra[0].payload = Payload::process("other");
    let last = extra.len() - 1;
    extra[last].payload = Payload::process("other");
    b.extend(extra);
    ui.show_imported("b.ndjson".into(), lineage::model::EventLog::new(b));
    leptos::task::tick().await;

    let presence: Vec<String> = all(&root, ".diff-line")
        .iter()
        .map(|l| l.get_attribute("data-presence").unwrap())
        .collect();
    // B's new operation sits after the B operation before it, so ahead of A's missing one.
    assert_eq!(presence, vec!["both", "both", "only-b", "only-a"]);
    assert_eq!(all(&root, ".diff-line.changed").len(), 1);
    assert!(all(&root, ".diff-line")[1].class_list().contains("changed"));
    assert_eq!(
        text(&root, "#diff-counts"),
        "2 aligned · 1 only in A · 1 only in B · 1 changed · 0 reordered only in B"
    );
    let row = |side: &str, col: &str| {
        text(
            &root,
            &format!("#diff-summary tr[data-side={side}] td.{col}"),
        )
    };
    assert_eq!(
        (row("A", "events"), row("B", "events")),
        ("30".into(), "30".into())
    );
    assert_eq!(
        (row("A", "failures"), row("B", "failures")),
        ("0".into(), "1".into())
    );

    // Swapping puts A back on screen and pins B: the one-sided operations trade sides.
    all(&root, "#swap")[0].click();
    leptos::task::tick().await;
    let presence: Vec<String> = all(&root, ".diff-line")
        .iter()
        .map(|l| l.get_attribute("data-presence").unwrap())
        .collect();
    assert_eq!(presence, vec!["both", "both", "only-b", "only-a"]);
    let names: Vec<String> = all(&root, ".diff-line .name")
        .iter()
        .map(|n| n.text_content().unwrap())
        .collect();
    assert_eq!(names[2..], ["op #2".to_owned(), "other #0".to_owned()]);
    // Unpinning removes the diff.
    all(&root, "#pin")[0].click();
    leptos::task::tick().await;
    assert!(all(&root, "#diff-summary").is_empty());
}

#[wasm_bindgen_test]
async fn selecting_an_operation_highlights_its_critical_path_with_self_times() {
    let events = nested(0, Phase::Completed);
    let op_id = events[0].id;
    let (root, ui, _pin) = mount(events);
    leptos::task::tick().await;
    assert!(all(&root, ".row.critical").is_empty());
    ui.select(op_id);
    leptos::task::tick().await;
    let on_path: Vec<String> = all(&root, ".row.critical")
        .iter()
        .map(|r| text(r, ".name"))
        .collect();
    assert_eq!(on_path, vec!["op", "b", "b2"]);
    let steps: Vec<String> = all(&root, "#critical-path li")
        .iter()
        .map(|li| format!("{} {}", text(li, ".name"), text(li, ".self")))
        .collect();
    assert_eq!(steps, vec!["op 20 ns", "b 10 ns", "b2 35 ns"]);
    assert_eq!(text(&root, "#split-self"), "20 ns");
    assert_eq!(text(&root, "#split-children"), "80 ns");
    // The histogram counts the one finished "op".
    assert_eq!(all(&root, "#latency-histogram .hist-bar").len(), 16);
    let counted: u32 = all(&root, "#latency-histogram .hist-bar")
        .iter()
        .map(|r| {
            r.get_attribute("data-count")
                .unwrap()
                .parse::<u32>()
                .unwrap()
        })
        .sum();
    assert_eq!(counted, 1);
}

#[wasm_bindgen_test]
async fn dragging_a_window_on_the_minimap_zooms_the_waterfall_to_it() {
    // Ten operations 1 000 ns apart: the trace spans 0..9 100 ns.
    let events: Vec<Event> = (0..10)
        .flat_map(|i| nested(i * 1_000, Phase::Completed))
        .collect();
    let (root, ui, _pin) = mount(events);
    leptos::task::tick().await;
    let svg = root.query_selector("#minimap").unwrap().unwrap();
    let r = svg.get_bounding_client_rect();
    let mouse = |kind: &str, fraction: f64| {
        // `new MouseEvent(kind, {bubbles, clientX, clientY})` through js_sys, so the test
        // needs no extra web-sys feature.
        let init = js_sys::Object::new();
        let set = |k: &str, v: wasm_bindgen::JsValue| {
            js_sys::Reflect::set(&init, &k.into(), &v).unwrap();
        };
        set("bubbles", true.into());
        set("clientX", (r.left() + r.width() * fraction).into());
        set("clientY", (r.top() + r.height() / 2.0).into());
        let window = web_sys::window().unwrap();
        let ctor: js_sys::Function = js_sys::Reflect::get(&window, &"MouseEvent".into())
            .unwrap()
            .unchecked_into();
        let ev: web_sys::Event =
            js_sys::Reflect::construct(&ctor, &js_sys::Array::of2(&kind.into(), &init))
                .unwrap()
                .unchecked_into();
        svg.dispatch_event(&ev).unwrap();
    };
    mouse("mousedown", 0.2);
    mouse("mousemove", 0.5);
    leptos::task::tick().await;
    mouse("mouseup", 0.5);
    leptos::task::tick().await;
    let axis = ui.axis.get_untracked().unwrap();
    // 0.2 and 0.5 of 9 100 ns, give or take a pixel of the drag.
    let px = 9_100.0 / r.width();
    assert!((axis.start - 1_820.0).abs() <= 2.0 * px, "{axis:?}");
    assert!((axis.end - 4_550.0).abs() <= 2.0 * px, "{axis:?}");
    // The window drawn on the minimap follows the axis.
    let window = root.query_selector("#minimap-window").unwrap().unwrap();
    let from: f64 = window.get_attribute("data-from").unwrap().parse().unwrap();
    assert!((from - 0.2).abs() < 0.01, "{from}");
    // The axis labels are relative to the trace's first event.
    assert_eq!(text(&root, "#minimap-axis .tick"), "0 ns");
}
