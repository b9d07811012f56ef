//! # The inspector's keyboard shortcuts
//!
//! One table says which key does what: the page's key handlers (`ui/app.rs`, and
//! `ui/run_diff.rs` for pin and swap) ask [`Action::of_key`], and the help overlay
//! (`ui/help.rs`) shows [`help`], written from the same table, so a key cannot be handled
//! without being listed, or listed without being handled.
//!
//! The digit keys pick an emit mode: key `n` is the `n`th mode of [`EmitMode::ALL`], so a new
//! mode gets a key, and a line in the help, without anyone editing a list.

use crate::core::EmitMode;
use crate::view::navigate::Arrow;

/// What a key does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `?`: open or close the help.
    Help,
    /// `/`: focus the search box.
    Search,
    /// Space: play or pause the replay.
    PlayPause,
    /// `.`: one event forward.
    Step,
    /// `r`: run the whole pipeline.
    Run,
    /// A digit: switch the emit mode.
    Mode(EmitMode),
    /// An arrow: move through the tree ([`crate::view::navigate::step`]).
    Navigate(Arrow),
    /// `p`: pin the trace on screen as A, or unpin.
    Pin,
    /// `x`: swap A and B.
    Swap,
    /// Escape: close the help, leave the search box.
    Dismiss,
}

impl Action {
    /// The action of a `KeyboardEvent.key` value, if it has one.
    pub fn of_key(key: &str) -> Option<Action> {
        let action = match key {
            "?" => Action::Help,
            "/" => Action::Search,
            " " => Action::PlayPause,
            "." => Action::Step,
            "r" => Action::Run,
            "p" => Action::Pin,
            "x" => Action::Swap,
            "Escape" => Action::Dismiss,
            k => {
                return mode_of_key(k)
                    .map(Action::Mode)
                    .or(Arrow::of_key(k).map(Action::Navigate))
            }
        };
        Some(action)
    }

    /// Whether the key acts while the user types in a field (or holds Ctrl, Alt or Meta):
    /// only Escape, which leaves the field; every other key is the user's text.
    pub fn acts_while_typing(self) -> bool {
        self == Action::Dismiss
    }
}

/// Every shortcut but the mode keys: (the keys as the help shows them, the keys as
/// `KeyboardEvent.key` names them, what they do).
const FIXED: [(&str, &[&str], &str); 10] = [
    (
        "↑ ↓",
        &["ArrowUp", "ArrowDown"],
        "previous / next row in the tree",
    ),
    (
        "← →",
        &["ArrowLeft", "ArrowRight"],
        "collapse / expand, or go to parent / first child",
    ),
    ("Space", &[" "], "play / pause the replay"),
    (".", &["."], "step one event"),
    ("r", &["r"], "run the whole pipeline"),
    ("/", &["/"], "search"),
    (
        "p",
        &["p"],
        "pin the trace as A / unpin (then run again or open a file as B)",
    ),
    ("x", &["x"], "swap A and B"),
    ("?", &["?"], "this help"),
    ("Esc", &["Escape"], "close help, leave the search box"),
];

/// Where the mode keys' line goes in the help: after searching, before pinning.
const MODE_LINE_AT: usize = 6;

/// The help: (keys, what they do), one line per shortcut, the mode keys' line from
/// [`mode_keys_help`].
pub fn help() -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = FIXED
        .into_iter()
        .map(|(shown, _, what)| (shown.to_owned(), what.to_owned()))
        .collect();
    rows.insert(MODE_LINE_AT, mode_keys_help());
    rows
}

/// The mode a key picks: `"1"` the first of [`EmitMode::ALL`], and so on.
pub fn mode_of_key(key: &str) -> Option<EmitMode> {
    let n: usize = key.parse().ok()?;
    EmitMode::ALL.get(n.checked_sub(1)?).copied()
}

/// The key that picks `mode`.
pub fn key_of_mode(mode: EmitMode) -> String {
    // By family: `sampled:0.25` has the key of `sampled`.
    let i = EmitMode::ALL
        .iter()
        .position(|m| m.as_str() == mode.as_str())
        .unwrap_or(0);
    (i + 1).to_string()
}

/// The help line of the mode keys: the keys, and what each picks, in the same order.
pub fn mode_keys_help() -> (String, String) {
    let keys: Vec<String> = EmitMode::ALL.into_iter().map(key_of_mode).collect();
    let names: Vec<String> = EmitMode::ALL
        .into_iter()
        .map(|m| m.label().to_lowercase())
        .collect();
    (keys.join(" "), format!("emit mode: {}", names.join(", ")))
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn keys_outside_the_modes_pick_nothing() {
        assert_eq!(mode_of_key("1"), Some(EmitMode::ALL[0]));
        assert_eq!(mode_of_key("0"), None);
        assert_eq!(mode_of_key(&(EmitMode::ALL.len() + 1).to_string()), None);
        assert_eq!(mode_of_key("x"), None);
    }

    #[test]
    fn every_key_in_the_help_does_something_and_every_action_is_in_the_help() {
        let mut seen = Vec::new();
        for (shown, keys, _) in FIXED {
            for key in keys {
                let action = Action::of_key(key);
                assert!(action.is_some(), "{shown}: {key:?} does nothing");
                seen.extend(action);
            }
        }
        for mode in EmitMode::ALL {
            seen.extend(Action::of_key(&key_of_mode(mode)));
        }
        let every = [
            Action::Help,
            Action::Search,
            Action::PlayPause,
            Action::Step,
            Action::Run,
            Action::Pin,
            Action::Swap,
            Action::Dismiss,
        ]
        .into_iter()
        .chain(EmitMode::ALL.map(Action::Mode))
        .chain([Arrow::Up, Arrow::Down, Arrow::Left, Arrow::Right].map(Action::Navigate));
        for action in every {
            assert!(seen.contains(&action), "{action:?} has no line in the help");
        }
        assert_eq!(help().len(), FIXED.len() + 1);
        assert_eq!(help()[MODE_LINE_AT], mode_keys_help());
    }

    #[test]
    fn other_keys_do_nothing_and_only_escape_acts_while_typing() {
        for key in ["a", "Enter", "Tab", "0", "P", ""] {
            assert_eq!(Action::of_key(key), None, "{key:?}");
        }
        assert_eq!(
            Action::of_key("ArrowLeft"),
            Some(Action::Navigate(Arrow::Left))
        );
        assert!(Action::Dismiss.acts_while_typing());
        assert!(!Action::Search.acts_while_typing());
    }
}
