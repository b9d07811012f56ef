//! The top bar: emit mode, run and replay controls, the scrubber.

use leptos::prelude::*;

use super::state::{Source, Ui};
use crate::core::EmitMode;
use crate::replay::pacing::{speed_label, SPEEDS};

#[component]
pub fn ModeToggle(ui: Ui) -> impl IntoView {
    view! {
        <div class="modes" role="radiogroup" aria-label="Emit mode"
            title="Switches the live bus at once: operations that start from now on use the new mode">
            {EmitMode::ALL.into_iter().map(|m| view! {
                <button class="mode" id=format!("mode-{}", m.as_str()) role="radio"
                    aria-checked=move || (ui.config.with(|c| c.mode) == m).to_string()
                    class:active=move || ui.config.with(|c| c.mode) == m
                    on:click=move |_| ui.set_mode(m)>{m.label()}</button>
            }).collect_view()}
        </div>
    }
}

#[component]
pub fn ReplayControls(ui: Ui) -> impl IntoView {
    let live = move || ui.source.get() == Source::Live;
    view! {
        <div class="replay">
            <button id="run" class="primary" title="Run the whole pipeline now (r)"
                disabled=move || ui.busy.get().is_some()
                on:click=move |_| ui.run_all()>"Run"</button>
            <button id="stop" title="Stop the live run now, keeping what was recorded"
                disabled=move || ui.busy.get().is_none() && !ui.playing.get()
                on:click=move |_| ui.stop()>"■ Stop"</button>
            <button id="play" title="Play / pause the replay (Space)"
                on:click=move |_| ui.toggle_play()>{move || if ui.playing.get() { "Pause" } else { "▶ Play" }}</button>
            <button id="step" title="One event forward (.)" on:click=move |_| ui.step()>"Step"</button>
            <select id="speed" title="Replay speed"
                on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { ui.speed.set(v) } }>
                {SPEEDS.into_iter().map(|s| view! {
                    <option value=s.to_string() selected=move || ui.speed.get() == s>
                        {speed_label(s)}
                    </option>
                }).collect_view()}
            </select>
            <input id="scrubber" type="range" min="0" title="Scrub through the recorded events"
                disabled=move || !live()
                prop:max=move || ui.recorded.get().to_string()
                prop:value=move || ui.cursor.get().to_string()
                on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { ui.seek(v) } } />
            <span class="cursor" id="cursor">{move || {
                if let Some(b) = ui.busy.get() { return b; }
                let more = if live() && !ui.finished.get() { "+" } else { "" };
                let stopped = if live() && ui.stopped.get() { " · stopped" } else { "" };
                format!("{} / {}{}{}", ui.cursor.get(), ui.recorded.get(), more, stopped)
            }}</span>
        </div>
    }
}
