//! Component tests in headless Chromium: mount the inspector's components on a crafted trace,
//! click, let Leptos update, read the DOM.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use lineage::core::{Event, Payload, Phase};
use lineage::ui::detail::DetailPanel;
use lineage::ui::lints::LintsPanel;
use lineage::ui::settings::SettingsPanel;
use lineage::ui::state::Ui;
use lineage::ui::summary::SummaryBar;
use lineage::ui::tree::TreeView;
use lineage::workload::PipelineConfig;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn named(mut e: Event, name: &'static str, t: u64) -> Event {
    e.payload = Payload::process(name);
    e.timestamp_ns = t;
    e
}

fn end_of(start: &Event, phase: Phase, t: u64) -> Event {
    let mut e = Event::child_of(start, "processed", phase);
    e.parent_id = start.parent_id;
    e.start_id = Some(start.id);
    e.payload = start.payload.clone();
    e.timestamp_ns = t;
    e
}

/// Two root calls: the first completes with two nested levels, the second fails at the
/// innermost level and its middle level never ends.
fn crafted() -> Vec<Event> {
    let a = named(
        Event::root("processing", Phase::Started),
        "function_execution",
        0,
    );
    let a1 = named(
        Event::child_of(&a, "processing", Phase::Started),
        "input_preparation",
        10,
    );
    let a2 = named(
        Event::child_of(&a1, "processing", Phase::Started),
        "transactional_execution",
        20,
    );
    let b = named(
        Event::root("processing", Phase::Started),
        "function_execution",
        100,
    );
    let b1 = named(
        Event::child_of(&b, "processing", Phase::Started),
        "input_preparation",
        110,
    );
    let mut b2 = named(
        Event::child_of(&b1, "processing", Phase::Started),
        "transactional_execution",
        120,
    );
    b2.payload = b2.payload.with("note", "<img src=x onerror=alert(1)>");
    vec![
        a.clone(),
        a1.clone(),
        a2.clone(),
        end_of(&a2, Phase::Completed, 30),
        end_of(&a1, Phase::Completed, 40),
        end_of(&a, Phase::Completed, 50),
        b.clone(),
        b1.clone(),
        b2.clone(),
        end_of(&b2, Phase::Failed, 130),
        end_of(&b, Phase::Failed, 150),
    ]
}

fn container() -> web_sys::HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let div = doc.create_element("div").unwrap();
    // The tree measures its viewport: give it one.
    div.set_attribute("style", "height:600px;display:flex;flex-direction:column")
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

/// Mounts the trace views on a crafted trace; returns the container and the state.
fn mount(events: Vec<Event>) -> (web_sys::HtmlElement, Ui) {
    let root = container();
    let ui_slot = std::rc::Rc::new(std::cell::Cell::new(None));
    let slot = ui_slot.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let ui = Ui::new(PipelineConfig::default());
        ui.show_imported(
            "crafted.ndjson".into(),
            lineage::model::EventLog::new(events),
        );
        slot.set(Some(ui));
        view! {
            <SummaryBar ui />
            <TreeView ui />
            <DetailPanel ui />
            <LintsPanel ui />
        }
    });
    handle.forget();
    (root, ui_slot.take().unwrap())
}

#[wasm_bindgen_test]
async fn the_tree_shows_one_row_per_operation_with_subtree_counts_and_collapses() {
    let (root, _ui) = mount(crafted());
    leptos::task::tick().await;
    assert_eq!(all(&root, ".row").len(), 6);
    assert_eq!(text(&root, "#node-count"), "6");
    assert_eq!(text(&root, "#failed-node-count"), "2");
    assert_eq!(text(&root, "#unfinished-count"), "0");
    let first = &all(&root, ".row")[0];
    assert_eq!(text(first, ".count"), "2", "two spans below the first root");
    // The failed root counts three problem spans below and including it.
    let failed_root = all(&root, ".row[data-status=failed]")
        .into_iter()
        .find(|r| text(r, ".name") == "function_execution")
        .unwrap();
    assert_eq!(text(&failed_root, ".badge.problems"), "3");

    // Collapsing the first root hides its two descendants.
    all(&root, ".row .toggle")[0].click();
    leptos::task::tick().await;
    assert_eq!(all(&root, ".row").len(), 4);
    all(&root, ".row .toggle")[0].click();
    leptos::task::tick().await;
    assert_eq!(all(&root, ".row").len(), 6);
}

#[wasm_bindgen_test]
async fn selecting_a_row_selects_it_everywhere_and_links_navigate() {
    let events = crafted();
    let (root, ui) = mount(events.clone());
    leptos::task::tick().await;
    all(&root, ".row")[1].click();
    leptos::task::tick().await;
    assert_eq!(text(&root, "#detail-id"), events[1].id.to_string());
    assert_eq!(all(&root, ".row.selected").len(), 1);
    assert_eq!(ui.selected.get_untracked(), Some(events[1].id));
    // The parent link in the detail panel selects the root, in the tree too.
    let parent_link = root
        .query_selector("#detail-parent")
        .unwrap()
        .expect("a parent link")
        .unchecked_into::<web_sys::HtmlElement>();
    parent_link.click();
    leptos::task::tick().await;
    assert_eq!(text(&root, "#detail-id"), events[0].id.to_string());
    let selected = &all(&root, ".row.selected")[0];
    assert_eq!(selected.get_attribute("data-span").as_deref(), Some("0"));
}

#[wasm_bindgen_test]
async fn a_filter_keeps_ancestors_for_context_and_highlights_the_matches() {
    let (root, ui) = mount(crafted());
    leptos::task::tick().await;
    ui.query.update(|q| q.text = "transactional".into());
    leptos::task::tick().await;
    // Both transactional spans match; their parents and roots stay as context.
    assert_eq!(all(&root, ".row.matched").len(), 2);
    assert_eq!(all(&root, ".row").len(), 6);
    ui.query.update(|q| q.phase = Some(Phase::Failed));
    leptos::task::tick().await;
    assert_eq!(all(&root, ".row.matched").len(), 1);
    assert_eq!(all(&root, ".row").len(), 3);
    ui.query.update(|q| q.invert = true);
    leptos::task::tick().await;
    assert_eq!(all(&root, ".row.matched").len(), 5);
}

#[wasm_bindgen_test]
async fn lints_on_a_crafted_trace_link_to_their_events() {
    let mut events = crafted();
    // Drop the middle level's end of the completed call and orphan one event.
    events.remove(4);
    let ghost = Event::root("processing", Phase::Started);
    let mut orphan = Event::child_of(&ghost, "processing", Phase::Pending);
    orphan.payload = Payload::process("state_transition");
    events.push(orphan.clone());
    let (root, ui) = mount(events.clone());
    leptos::task::tick().await;
    // The completed call's middle level lost its end; the failed call's never had one.
    assert_eq!(all(&root, ".lint-group[data-kind=unfinished] li").len(), 2);
    assert_eq!(all(&root, ".lint-group[data-kind=orphan] li").len(), 1);
    all(&root, ".lint-group[data-kind=orphan] button.lint")[0].click();
    leptos::task::tick().await;
    assert_eq!(ui.selected.get_untracked(), Some(orphan.id));
    assert_eq!(text(&root, "#detail-id"), orphan.id.to_string());
}

#[wasm_bindgen_test]
async fn a_payload_with_markup_renders_as_text() {
    let events = crafted();
    let (root, ui) = mount(events.clone());
    leptos::task::tick().await;
    ui.select(events[8].id);
    leptos::task::tick().await;
    let payload = text(&root, "#detail-payload");
    assert!(
        payload.contains("<img src=x onerror=alert(1)>"),
        "{payload}"
    );
    assert!(root
        .query_selector("#detail-payload img")
        .unwrap()
        .is_none());
    assert!(root.query_selector("img").unwrap().is_none());
}

/// Sets an input's value as typing would, then commits it (the `change` event).
fn commit(input: &web_sys::HtmlInputElement, value: &str) {
    input.set_value(value);
    input
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
}

fn input(root: &web_sys::HtmlElement, css: &str) -> web_sys::HtmlInputElement {
    root.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("no {css}"))
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn a_number_outside_its_bounds_shows_the_value_used_and_says_so() {
    let root = container();
    let ui_slot = std::rc::Rc::new(std::cell::Cell::new(None));
    let slot = ui_slot.clone();
    leptos::mount::mount_to(root.clone(), move || {
        let ui = Ui::new(PipelineConfig::default());
        slot.set(Some(ui));
        view! { <SettingsPanel ui /> }
    })
    .forget();
    let ui = ui_slot.take().unwrap();
    leptos::task::tick().await;
    let depth = input(&root, "#depth");
    commit(&depth, "20");
    leptos::task::tick().await;
    assert_eq!(ui.config.get_untracked().depth, 8);
    assert_eq!(depth.value(), "8");
    assert_eq!(text(&root, "#depth-note"), "at most 8: using 8");
    // Again over the bound: the run's value does not change, and the field must still not
    // keep the rejected number (it did: nothing re-rendered it).
    commit(&depth, "50");
    leptos::task::tick().await;
    assert_eq!(ui.config.get_untracked().depth, 8);
    assert_eq!(depth.value(), "8");
    // A count below its bound, a fraction, an empty field.
    let ops = input(&root, "#operations");
    commit(&ops, "0");
    leptos::task::tick().await;
    assert_eq!(
        (ops.value().as_str(), ui.config.get_untracked().operations),
        ("1", 1)
    );
    assert_eq!(text(&root, "#operations-note"), "at least 1: using 1");
    commit(&ops, "0");
    leptos::task::tick().await;
    assert_eq!(ops.value(), "1");
    commit(&ops, "12.9");
    leptos::task::tick().await;
    assert_eq!(
        (ops.value().as_str(), ui.config.get_untracked().operations),
        ("12", 12)
    );
    commit(&ops, "");
    leptos::task::tick().await;
    assert_eq!(ops.value(), "12");
    assert_eq!(text(&root, "#operations-note"), "not a number: kept 12");
    // A value in bounds is used as typed and the note goes.
    commit(&depth, "5");
    leptos::task::tick().await;
    assert_eq!(
        (depth.value().as_str(), ui.config.get_untracked().depth),
        ("5", 5)
    );
    assert!(root.query_selector("#depth-note").unwrap().is_none());
}

/// A trace whose names, kinds, errors and payloads carry a right-to-left override and other
/// control and invisible characters.
fn hostile() -> Vec<Event> {
    let mut a = named(
        Event::root("processing", Phase::Started),
        "function_execution",
        0,
    );
    a.payload.process_name = Some("\u{202E}exe.txt".into());
    a.payload.function_name = Some("update\u{200B}_gpa".into());
    a.payload = a.payload.with("attachment", "report\u{202E}fdp.exe");
    let mut b = Event::child_of(&a, "proc\u{200B}essing", Phase::Failed);
    b.payload = Payload::process("input_preparation");
    b.timestamp_ns = 10;
    b.error = Some("boom\u{1b}[2J lints: none".into());
    let mut end = end_of(&a, Phase::Completed, 20);
    end.payload.process_name = a.payload.process_name.clone();
    vec![a, b, end]
}

#[wasm_bindgen_test]
async fn control_characters_show_as_badges_in_the_tree_detail_and_tooltips() {
    let events = hostile();
    let (root, ui) = mount(events.clone());
    leptos::task::tick().await;
    let row = all(&root, ".row")
        .into_iter()
        .find(|r| text(r, ".name").contains("exe.txt"))
        .expect("the row of the hostile name");
    assert_eq!(text(&row, ".name"), "⟨U+202E⟩exe.txt");
    assert_eq!(text(&row, ".fn"), "update⟨U+200B⟩_gpa");
    let title = row.get_attribute("title").unwrap();
    assert!(title.starts_with("⟨U+202E⟩exe.txt"), "{title}");
    let badge = row.query_selector(".hidden-char").unwrap().unwrap();
    assert_eq!(
        badge.get_attribute("title").as_deref(),
        Some("U+202E RIGHT-TO-LEFT OVERRIDE")
    );

    ui.select(events[0].id);
    leptos::task::tick().await;
    let payload = text(&root, "#detail-payload");
    assert!(payload.contains("report⟨U+202E⟩fdp.exe"), "{payload}");
    assert!(payload.contains('\n'), "the JSON keeps its lines");
    ui.select(events[1].id);
    leptos::task::tick().await;
    assert_eq!(text(&root, "#detail-kind"), "proc⟨U+200B⟩essing");
    assert!(text(&root, ".detail .error").contains("boom⟨U+001B⟩[2J"));

    // Nowhere on the page is a hidden character applied instead of shown.
    let all_text = root.text_content().unwrap_or_default();
    for c in ['\u{202E}', '\u{200B}', '\u{1b}'] {
        assert!(!all_text.contains(c), "{c:?} reached the page");
    }
    for el in all(&root, "[title]") {
        let t = el.get_attribute("title").unwrap();
        assert!(!t.contains('\u{202E}') && !t.contains('\u{200B}'), "{t:?}");
    }
}
