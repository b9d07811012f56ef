//! Text from a trace, drawn with its control and invisible characters as visible badges, and
//! clipped.
//!
//! Every string that comes from a trace (names, kinds, errors, payloads, lint messages) goes
//! through [`revealed`] (in the DOM) or [`crate::text::visible::reveal_clipped`] (in
//! tooltips, which hold plain text only), so a right-to-left override cannot make `exe.txt`
//! read as `txt.exe` and a zero-width space cannot make two kinds look the same. Both clip:
//! a 100 KB kind drawn whole in the detail header froze the tab for 14 s. [`WholeValue`]
//! gives the whole of a clipped value on demand, in a text area filled only when asked.

use leptos::prelude::*;

use crate::text::visible::{
    badge, clip, clipped_mark, describe, pieces, reveal, Piece, BLOCK_CHARS, LINE_CHARS,
};

/// `text` as a span whose hidden characters are badges (`⟨U+202E⟩`, named in the badge's
/// tooltip), clipped to [`LINE_CHARS`] characters, or [`BLOCK_CHARS`] with `multiline`, with
/// "… (N bytes)" when cut. With `multiline`, line feeds stay line feeds (formatted JSON).
pub fn revealed(text: &str, multiline: bool) -> impl IntoView {
    let (shown, cut) = clip(text, if multiline { BLOCK_CHARS } else { LINE_CHARS });
    let parts = pieces(shown, multiline)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => t.to_owned().into_any(),
            Piece::Hidden(c) => view! {
                <span class="hidden-char" title=describe(c)>{badge(c)}</span>
            }
            .into_any(),
        })
        .collect_view();
    let mark = cut.map(|bytes| {
        view! { <span class="clipped" title="clipped: the detail panel shows the whole value">{clipped_mark(bytes)}</span> }
    });
    view! { <span class="revealed">{parts}{mark}</span> }
}

/// Whether [`revealed`] clips `text`.
pub fn is_clipped(text: &str, multiline: bool) -> bool {
    clip(text, if multiline { BLOCK_CHARS } else { LINE_CHARS })
        .1
        .is_some()
}

/// The whole of a value [`revealed`] clipped, on demand: a button that opens a read-only text
/// area (hidden characters as badges). Nothing is laid out until it is opened, and a text
/// area lays out a megabyte without freezing the page as a header would.
#[component]
pub fn WholeValue(text: String, #[prop(into)] what: String) -> impl IntoView {
    let open = RwSignal::new(false);
    let label = format!(
        "show the whole {what} ({} bytes)",
        crate::text::count::grouped(text.len() as u64)
    );
    let text = StoredValue::new(text);
    view! {
        <div class="whole-value">
            <button class="link whole-toggle" on:click=move |_| open.update(|o| *o = !*o)>
                {move || if open.get() { "hide".to_owned() } else { label.clone() }}
            </button>
            {move || open.get().then(|| view! {
                <textarea class="whole" readonly rows="8"
                    prop:value=text.with_value(|t| reveal(t).into_owned())></textarea>
            })}
        </div>
    }
}
