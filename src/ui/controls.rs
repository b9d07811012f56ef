//! The top bar: emit mode, run and replay controls, the scrubber.

use leptos::prelude::*;

use super::state::{Source, Ui};
use crate::core::{EmitMode, SampleRatio};
use crate::replay::pacing::{speed_label, SPEEDS};

#[component]
pub fn ModeToggle(ui: Ui) -> impl IntoView {
    view! {
        <div class="modes" role="radiogroup" aria-label="Emit mode"
            title="Switches the live bus at once: operations that start from now on use the new mode">
            {EmitMode::ALL.into_iter().map(|m| {
                // A button stands for a mode's family; a parameterised mode keeps the
                // parameter it has (the URL's `sampled:0.25`) until the field below changes it.
                let current = move || ui.config.with(|c| c.mode);
                let same_family = move || current().as_str() == m.as_str();
                let shown = move || if same_family() { current() } else { m };
                view! {
                    <button class="mode" id=format!("mode-{}", m.as_str()) role="radio"
                        aria-checked=move || same_family().to_string()
                        class:active=same_family
                        on:click=move |_| ui.set_mode(shown())>{move || shown().label()}</button>
                }
            }).collect_view()}
            <SampleRatioField ui=ui />
        </div>
    }
}

/// The sampled mode's ratio, shown while sampled mode is on: a percentage, applied at once.
#[component]
fn SampleRatioField(ui: Ui) -> impl IntoView {
    let ratio = move || ui.config.with(|c| c.mode.sample_ratio());
    view! {
        <label class="sample-ratio" hidden=move || ratio().is_none()
            title="The share of root operations whose whole tree is recorded (decided at the root from the seed and its id)">
            <input id="sample-ratio" type="number" min="0" max="100" step="any"
                prop:value=move || ratio().map(|r| (r.fraction() * 100.0).to_string()).unwrap_or_default()
                on:change=move |ev| {
                    let text = format!("{}%", event_target_value(&ev));
                    if let Some(r) = SampleRatio::parse(&text) {
                        ui.set_mode(EmitMode::Sampled(r));
                    }
                } />"%"
        </label>
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
