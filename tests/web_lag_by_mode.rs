//! Component test in headless Chromium: the queue lag per emit mode draws one row per mode
//! the run used, bars for the modes that recorded events and a note for those that did not.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use lineage::analysis::latency::{Histogram, LagByMode};
use lineage::core::EmitMode;
use lineage::ui::lag::QueueLagByMode;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn all(root: &web_sys::Element, css: &str) -> Vec<web_sys::Element> {
    let list = root.query_selector_all(css).unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().unchecked_into())
        .collect()
}

#[wasm_bindgen_test]
async fn each_mode_of_the_run_gets_a_row_and_a_mode_without_events_says_so() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root: web_sys::HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&root).unwrap();
    let lag = LagByMode {
        modes: vec![
            (
                EmitMode::Awaited,
                Histogram::within(&[0, 0, 3], 0, 9_000, 6),
            ),
            (
                EmitMode::FireAndForget,
                Histogram::within(&[900, 9_000], 0, 9_000, 6),
            ),
            (EmitMode::Disabled, Histogram::within(&[], 0, 9_000, 6)),
        ],
    };
    leptos::mount::mount_to(root.clone(), move || {
        view! { <QueueLagByMode name="aexecute".to_owned() lag /> }
    })
    .forget();
    leptos::task::tick().await;
    let rows = all(&root, "#lag-by-mode .lag-row");
    let modes: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.get_attribute("data-mode").unwrap(),
                r.get_attribute("data-events").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        modes,
        [
            ("awaited", "3"),
            ("fire_and_forget", "2"),
            ("disabled", "0")
        ]
        .map(|(m, n)| (m.to_owned(), n.to_owned()))
    );
    // Six bins a mode that recorded events; their counts add up to its events.
    let bars = |row: &web_sys::Element| -> Vec<u32> {
        all(row, ".hist-bar")
            .iter()
            .map(|b| b.get_attribute("data-count").unwrap().parse().unwrap())
            .collect()
    };
    assert_eq!(bars(&rows[0]).len(), 6);
    assert_eq!(bars(&rows[0]).iter().sum::<u32>(), 3);
    assert_eq!(bars(&rows[1]).iter().sum::<u32>(), 2);
    assert!(all(&rows[2], ".hist-bar").is_empty());
    assert!(rows[2]
        .text_content()
        .unwrap()
        .contains("no events recorded"));
    assert!(root
        .text_content()
        .unwrap()
        .contains("aexecute: queue lag by emit mode"));
}
