//! The *Live…* control: a button in the top bar opens a bar under it with the listener's
//! address (and token), Connect / Disconnect, the connection's state, the counts, *Pause*
//! and *Follow*. The wiring is [`Live`]; this file only draws it.

use leptos::prelude::*;

use super::live::Live;
use super::state::Ui;
use crate::view::live::LiveAddress;

/// The top bar's button that shows or hides the live bar.
#[component]
pub fn LiveButton(live: Live) -> impl IntoView {
    view! {
        <button id="live-open" title="Follow a running program: connect to `lineage listen`"
            class:active=move || live.address.get().is_some()
            on:click=move |_| live.bar_open.update(|o| *o = !*o)>"Live…"</button>
    }
}

/// The live bar (shown once opened).
#[component]
pub fn LiveBar(ui: Ui, live: Live) -> impl IntoView {
    let address = RwSignal::new(String::from("127.0.0.1:4318"));
    let token = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(a) = live.address.get() {
            address.set(a.for_link().to_string());
            token.set(a.token.clone().unwrap_or_default());
        }
    });
    let connect = move || {
        let t = token.get_untracked();
        match LiveAddress::parse(&address.get_untracked(), Some(&t)) {
            Ok(a) => {
                problem.set(None);
                live.connect(ui, a);
            }
            Err(e) => problem.set(Some(e)),
        }
    };
    let on = move || live.address.get().is_some();
    view! {
        <div class="live-bar" id="live-bar" class:hidden=move || !live.bar_open.get()
            data-applied=move || live.applied.get().0
            data-last-applied-ms=move || live.applied.get().1
            data-reader=move || live.reader.get()>
            <form class="live-form" on:submit=move |ev| { ev.prevent_default(); connect(); }>
                <label>"Listener "
                    <input id="live-address" type="text" spellcheck="false" size="24"
                        placeholder="127.0.0.1:4318" prop:value=move || address.get()
                        on:input=move |ev| address.set(event_target_value(&ev)) />
                </label>
                <label>" token "
                    <input id="live-token" type="password" size="10" placeholder="(none)"
                        prop:value=move || token.get()
                        on:input=move |ev| token.set(event_target_value(&ev)) />
                </label>
                <button id="live-connect" type="submit" class="primary" class:hidden=on>"Connect"</button>
            </form>
            <button id="live-disconnect" class:hidden=move || !on()
                title="Stop following; the trace stays on screen"
                on:click=move |_| live.disconnect("disconnected")>"Disconnect"</button>
            <span id="live-state" role="status"
                class=move || format!("live-state {}", live.state_line.get().1)>
                {move || live.state_line.get().0}</span>
            <button id="live-pause" disabled=move || !on()
                title="Hold the view still; events keep arriving and wait"
                on:click=move |_| live.toggle_pause()>
                {move || if live.paused.get() { "▶ Resume" } else { "Pause" }}</button>
            <label title="Keep the newest operation in view">
                <input id="live-follow" type="checkbox" prop:checked=move || live.follow.get()
                    on:change=move |ev| live.follow.set(event_target_checked(&ev)) />" Follow"
            </label>
            <span id="live-counts" class="live-counts">{move || live.counts.get()}</span>
            {move || problem.get().map(|p| view! { <span class="live-problem" id="live-problem">{p}</span> })}
        </div>
    }
}
