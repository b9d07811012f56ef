//! The top-level component: layout, keyboard shortcuts, and the page's state kept in its
//! address (read and written by [`PageUrl`]).

use leptos::prelude::*;

use super::compare::ComparePanel;
use super::controls::{ModeToggle, ReplayControls};
use super::critical::{Critical, CriticalPathPanel};
use super::detail::DetailPanel;
use super::files::{on_drop, FileButtons};
use super::filter_bar::FilterBar;
use super::help::HelpOverlay;
use super::lints::LintsPanel;
use super::live::Live;
use super::live_bar::{LiveBar, LiveButton};
use super::minimap::Minimap;
use super::run_diff::{replay_from_url, Pin, RunDiffPanel};
use super::settings::SettingsPanel;
use super::state::{Source, Tab, Ui};
use super::summary::SummaryBar;
use super::tree::TreeView;
use super::typing::typing;
use crate::view::navigate::{self, Arrow, Move};
use crate::view::page_url::PageUrl;
use crate::view::shortcuts::Action;
use crate::workload::PipelineConfig;

/// What a first visit shows: a small pipeline with some failures and interleaving, so the
/// tree and waterfall have something to say.
pub fn default_config() -> PipelineConfig {
    PipelineConfig {
        operations: 50,
        concurrency: 4,
        failure_rate: 0.1,
        work_per_level: 20_000,
        yields_per_level: 1,
        ..PipelineConfig::default()
    }
}

fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Puts `url` in the address bar without reloading.
fn write_url(url: &PageUrl) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("?{}", url.to_query())),
        );
    }
}

#[component]
pub fn App() -> impl IntoView {
    let opened = PageUrl::parse(&location_search(), default_config());
    let ui = Ui::new(opened.config.clone());
    if !opened.search.is_empty() {
        ui.query.update(|q| q.text = opened.search.clone());
    }
    // Two runs side by side and the selection's critical path (run_diff.rs, critical.rs).
    let pin = Pin::new(ui);
    let critical = Critical::new(ui);
    provide_context(critical);
    // Following a listener (live.rs): `live=` in the link connects at once.
    let live = Live::new();
    keep_in_address(ui, pin, live, &opened);
    // Once the page follows a listener, V8 optimises the live path while the page is idle,
    // before the program's first events need it.
    live.warm_up(ui);

    let search = NodeRef::<leptos::html::Input>::new();
    let _keys = window_event_listener(leptos::ev::keydown, move |ev| on_key(ui, search, ev));

    view! {
        <div class="app"
            class:dragging=move || ui.dragging.get()
            on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); ui.dragging.set(true); }
            on:dragleave=move |_| ui.dragging.set(false)
            on:drop=move |ev| on_drop(ui, ev)>
            <header class="topbar">
                <h1 title="event-bus inspector">"lineage"</h1>
                <ModeToggle ui />
                <ReplayControls ui />
                <span class="spacer"></span>
                <FileButtons ui />
                <LiveButton live />
                <button id="help" title="Keyboard shortcuts (?)" on:click=move |_| ui.help_open.set(true)>"?"</button>
            </header>
            <Banners ui />
            <LiveBar ui live />
            <div class="main">
                <aside class="left">
                    <SettingsPanel ui />
                    <section class="lints">
                        <h2>"Lints"</h2>
                        <LintsPanel ui />
                    </section>
                </aside>
                <section class="center">
                    <nav class="tabs" role="tablist">
                        <button id="tab-trace" role="tab" class:active=move || ui.tab.get() == Tab::Trace
                            on:click=move |_| ui.tab.set(Tab::Trace)>"Trace"</button>
                        <button id="tab-compare" role="tab" class:active=move || ui.tab.get() == Tab::Compare
                            on:click=move |_| ui.tab.set(Tab::Compare)>"Compare modes"</button>
                    </nav>
                    <div class="tab-body" class:hidden=move || ui.tab.get() != Tab::Trace>
                        <SummaryBar ui />
                        <FilterBar ui search />
                        <RunDiffPanel ui pin />
                        <Minimap ui />
                        <TreeView ui />
                    </div>
                    <div class="tab-body scroll" class:hidden=move || ui.tab.get() != Tab::Compare>
                        <ComparePanel ui />
                    </div>
                </section>
                <aside class="right">
                    <h2>"Detail"</h2>
                    <DetailPanel ui />
                    <CriticalPathPanel ui critical />
                </aside>
            </div>
            <HelpOverlay ui />
        </div>
    }
}

/// Keeps the page's state in its address from now on, and does what the opening link asked:
/// `run=1` reproduces the run, not just the settings; `pin=<mode>`, the two-run diff (A in
/// that mode, B in the settings' mode).
fn keep_in_address(ui: Ui, pin: Pin, live: Live, opened: &PageUrl) {
    // `run=1` when a live run is on screen, so opening the link runs it again.
    Effect::new(move |_| {
        write_url(&PageUrl {
            config: ui.config.get(),
            search: ui.query.with(|q| q.text.clone()),
            run: ui.source.get() == Source::Live,
            pin: pin.pinned_mode(),
            live: live
                .address
                .with(|a| a.as_ref().map(|a| a.for_link().to_string())),
            token: live
                .address
                .with(|a| a.as_ref().and_then(|a| a.token.clone())),
        })
    });
    if let Some(typed) = &opened.live {
        match crate::view::live::LiveAddress::parse(typed, opened.token.as_deref()) {
            Ok(address) => live.connect(ui, address),
            Err(e) => ui.error.set(Some(format!("live=: {e}"))),
        }
    } else if let Some(a_mode) = opened.pin {
        replay_from_url(ui, pin, a_mode);
    } else if opened.run {
        ui.run_all();
    }
}

/// The error and notice banners, each dismissible.
#[component]
fn Banners(ui: Ui) -> impl IntoView {
    view! {
        {move || ui.error.get().map(|e| view! {
            <div class="error-banner" role="alert" id="error-banner">
                <span>{e}</span>
                <button on:click=move |_| ui.error.set(None)>"dismiss"</button>
            </div>
        })}
        {move || ui.notice.get().map(|n| view! {
            <div class="notice-banner" id="notice-banner">
                <NoticeList notices=n />
                <button on:click=move |_| ui.notice.set(None)>"dismiss"</button>
            </div>
        })}
    }
}

/// The notes of the last import: a few in full, the rest behind "… and N more" (a crafted
/// file's million notes once made a banner 99 973 px tall, covering the page).
#[component]
fn NoticeList(notices: crate::trace::notice::Notices) -> impl IntoView {
    let more = notices.more();
    let unlisted = notices.unlisted;
    view! {
        <div class="notices">
            <ul class="notes-shown">
                {notices.shown.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
            </ul>
            {(more > 0).then(|| view! {
                <details class="notes-more" id="notes-more">
                    <summary>{format!("… and {more} more")}</summary>
                    <ul>
                        {notices.listed.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                        {(unlisted > 0).then(|| view! { <li class="hint">{format!("… {unlisted} more not listed")}</li> })}
                    </ul>
                </details>
            })}
        </div>
    }
}

/// The keyboard shortcuts: which key does what is [`Action::of_key`] (the same table the
/// help shows); this applies it. Pin and swap are the diff panel's (`run_diff.rs`).
fn on_key(ui: Ui, search: NodeRef<leptos::html::Input>, ev: web_sys::KeyboardEvent) {
    let Some(action) = Action::of_key(&ev.key()) else {
        return;
    };
    if !action.acts_while_typing()
        && (typing(&ev) || ev.ctrl_key() || ev.meta_key() || ev.alt_key())
    {
        return;
    }
    match action {
        Action::Dismiss => {
            ui.help_open.set(false);
            if let Some(el) = search.get_untracked() {
                let _ = el.blur();
            }
            return;
        }
        Action::Help => ui.help_open.update(|o| *o = !*o),
        Action::Search => {
            if let Some(el) = search.get_untracked() {
                let _ = el.focus();
            }
        }
        Action::PlayPause => ui.toggle_play(),
        Action::Step => ui.step(),
        Action::Run => ui.run_all(),
        Action::Mode(mode) => ui.set_mode(mode),
        Action::Navigate(arrow) => navigate(ui, arrow),
        Action::Pin | Action::Swap => return,
    }
    ev.prevent_default();
}

/// Arrow keys in the tree: the move is decided by [`navigate::step`]; this only applies it.
fn navigate(ui: Ui, arrow: Arrow) {
    let rows = ui.rows.get_untracked();
    let ins = ui.inspection.get_untracked();
    match rows.with(|rows| navigate::step(rows, &ins.spans, ui.selected_span(), arrow)) {
        Move::Select(s) => ui.select(ins.trace.id(ins.spans.spans[s].start)),
        Move::Toggle(s) => ui.toggle_collapsed(s),
        Move::Stay => {}
    }
}
