//! The counts above the tree: what the trace holds and what the bus did.

use leptos::prelude::*;

use super::state::{Source, Ui};

#[component]
pub fn SummaryBar(ui: Ui) -> impl IntoView {
    move || {
        let (s, nodes, failed_nodes, kept) = ui.inspection.with(|i| {
            (
                i.summary.clone(),
                i.spans.len(),
                ui.counts.with(|c| c.0 .1),
                i.kept_note(),
            )
        });
        let source = match ui.source.get() {
            Source::Empty => "no trace".to_owned(),
            Source::Live => format!("live bus · {} mode", ui.config.with(|c| c.mode.label())),
            Source::Imported(name) => format!("file · {name}"),
            Source::Listener(address) => format!("listener · {address}"),
        };
        let bus = ui.stats.get().map(|st| {
            view! {
                <span class="stat" title="events processed by the bus">"processed "<b id="bus-processed">{st.processed}</b></span>
                <span class="stat" title="most events waiting in the queue at once">"queue peak "<b>{st.queue_high_water}</b></span>
                <span class="stat" title="events processed after one emitted later (fire-and-forget)">"inversions "<b id="bus-inversions">{st.order_inversions}</b></span>
                <span class="stat" title="operations run bare because lazy mode found no subscriber">"lazy-skipped "<b>{st.lazy_skipped}</b></span>
                <span class="stat" title="root operations whose whole tree sampled mode dropped (decided at the root; their nested operations are not counted again)">"sampled out "<b id="bus-sampled-out">{st.sampled_out}</b></span>
                <span class="stat" title="handler errors and panics">"handler errors "<b>{st.handler_errors + st.handler_panics}</b></span>
            }
        });
        view! {
            <div class="summary-bar">
                <span class="source">{source}</span>
                <span class="stat">"events "<b id="event-count">{s.events}</b></span>
                <span class="stat" title="spans: operations at every level, plus single events">"nodes "<b id="node-count">{nodes}</b></span>
                <span class="stat">"operations "<b id="operation-count">{s.operations}</b></span>
                <span class="stat ok">"completed "<b id="completed-count">{s.completed}</b></span>
                <span class="stat fail" title="failed root operations">"failed "<b id="failed-count">{s.failed}</b></span>
                <span class="stat fail" title="failed nodes at every level">"failed nodes "<b id="failed-node-count">{failed_nodes}</b></span>
                <span class="stat open">"unfinished "<b id="unfinished-count">{s.unfinished}</b></span>
                <span class="stat">"orphans "<b id="orphan-count">{s.orphans}</b></span>
                {kept.map(|kept| view! {
                    <span class="stat open" id="history-kept" title="the history cap pruned older events; raise it in the settings (within the page's memory budget)">
                        {kept}
                    </span>
                })}
                {bus}
                {ui.render_ms.get().map(|ms| view! {
                    <span class="stat" title="building the view of the whole trace and updating the page">"view built in "<b id="render-ms">{format!("{ms:.0}")}</b>" ms"</span>
                })}
            </div>
        }
    }
}
