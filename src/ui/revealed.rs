//! Text from a trace, drawn with its control and invisible characters as visible badges.
//!
//! Every string that comes from a trace (names, kinds, errors, payloads, lint messages) goes
//! through [`revealed`] (in the DOM) or [`crate::inspect::visible::reveal`] (in tooltips,
//! which hold plain text only), so a right-to-left override cannot make `exe.txt` read as
//! `txt.exe` and a zero-width space cannot make two kinds look the same.

use leptos::prelude::*;

use crate::inspect::visible::{badge, describe, pieces, Piece};

/// `text` as a span whose hidden characters are badges (`⟨U+202E⟩`, named in the badge's
/// tooltip). With `multiline`, line feeds stay line feeds (formatted JSON).
pub fn revealed(text: &str, multiline: bool) -> impl IntoView {
    let parts = pieces(text, multiline)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => t.to_owned().into_any(),
            Piece::Hidden(c) => view! {
                <span class="hidden-char" title=describe(c)>{badge(c)}</span>
            }
            .into_any(),
        })
        .collect_view();
    view! { <span class="revealed">{parts}</span> }
}
