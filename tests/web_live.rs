//! Component test in headless Chromium: the live bar refuses an address that is not one,
//! and a listener that is not there leaves the page connecting, then reconnecting with a
//! countdown, through a real `EventSource` (the end-to-end test `e2e_live.rs` has a real
//! listener).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use lineage::ui::live::Live;
use lineage::ui::live_bar::LiveBar;
use lineage::ui::state::Ui;
use lineage::workload::PipelineConfig;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn mount() -> web_sys::HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root: web_sys::HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&root).unwrap();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let ui = Ui::new(PipelineConfig::default());
        let live = Live::new();
        live.bar_open.set(true);
        view! { <LiveBar ui live /> }
    });
    handle.forget();
    root
}

fn el<T: JsCast>(root: &web_sys::HtmlElement, css: &str) -> T {
    root.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("no {css}"))
        .unchecked_into()
}

fn text(root: &web_sys::HtmlElement, css: &str) -> String {
    el::<web_sys::HtmlElement>(root, css)
        .text_content()
        .unwrap_or_default()
}

fn type_address(root: &web_sys::HtmlElement, address: &str) {
    let input: web_sys::HtmlInputElement = el(root, "#live-address");
    input.set_value(address);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Whether the page reads the stream itself (`true`) or through its worker (`false`).
fn read_by_the_page(yes: bool) {
    let window = web_sys::window().unwrap();
    let key = wasm_bindgen::JsValue::from_str("__lineageLiveNoWorker");
    js_sys::Reflect::set(&window, &key, &wasm_bindgen::JsValue::from_bool(yes)).unwrap();
}

#[wasm_bindgen_test]
async fn an_address_that_is_not_one_is_refused_and_an_absent_listener_is_retried() {
    absent_listener_is_retried("worker").await;
}

/// The same, where the page reads the stream itself (no worker can be made, or asked not).
#[wasm_bindgen_test]
async fn without_a_worker_the_page_reads_the_stream_itself_and_retries_the_same() {
    read_by_the_page(true);
    absent_listener_is_retried("page").await;
    read_by_the_page(false);
}

async fn absent_listener_is_retried(reader: &str) {
    let root = mount();
    leptos::task::tick().await;
    type_address(&root, "ftp://somewhere");
    el::<web_sys::HtmlElement>(&root, "#live-connect").click();
    leptos::task::tick().await;
    assert!(text(&root, "#live-problem").contains("not an http(s) address"));
    assert_eq!(text(&root, "#live-state"), "not connected");

    // Port 9 (discard) has no listener here: the stream fails, and the page says when it
    // tries again.
    type_address(&root, "127.0.0.1:9");
    el::<web_sys::HtmlElement>(&root, "#live-connect").click();
    let mut seen = String::new();
    for _ in 0..100 {
        sleep(50).await;
        seen = text(&root, "#live-state");
        if seen.starts_with("reconnecting in") {
            break;
        }
    }
    assert!(seen.starts_with("reconnecting in"), "{seen}");
    let bar: web_sys::HtmlElement = el(&root, "#live-bar");
    assert_eq!(bar.get_attribute("data-reader").as_deref(), Some(reader));
    assert!(root.query_selector("#live-problem").unwrap().is_none());
    el::<web_sys::HtmlElement>(&root, "#live-disconnect").click();
    sleep(50).await;
    assert_eq!(text(&root, "#live-state"), "closed: disconnected");
}
