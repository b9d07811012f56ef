//! # Moving through the tree with the arrow keys
//!
//! Up and down walk the visible rows; left collapses an open node, or else goes to the parent;
//! right opens a collapsed node, or else goes to the first child. With nothing selected, any
//! arrow selects the first row. Plain Rust over [`TreeRows`] and [`Spans`], so the page's key
//! handler only applies the answer (`ui/app.rs`) and the rules are tested natively.

use crate::model::spans::Spans;
use crate::view::tree::TreeRows;

/// An arrow key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrow {
    Up,
    Down,
    Left,
    Right,
}

impl Arrow {
    /// The arrow of a `KeyboardEvent.key` value (`"ArrowUp"`, ...).
    pub fn of_key(key: &str) -> Option<Arrow> {
        match key {
            "ArrowUp" => Some(Arrow::Up),
            "ArrowDown" => Some(Arrow::Down),
            "ArrowLeft" => Some(Arrow::Left),
            "ArrowRight" => Some(Arrow::Right),
            _ => None,
        }
    }
}

/// What an arrow does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// Select this span.
    Select(usize),
    /// Collapse or expand this span (the selection stays).
    Toggle(usize),
    /// Nothing (the first or last row, a root's parent, a leaf's child, an empty tree).
    Stay,
}

/// Where `arrow` goes from the `selected` span among the visible `rows`.
pub fn step(rows: &TreeRows, spans: &Spans, selected: Option<usize>, arrow: Arrow) -> Move {
    let Some(first) = rows.rows.first() else {
        return Move::Stay;
    };
    let Some(p) = selected.and_then(|s| rows.position(s)) else {
        return Move::Select(first.span);
    };
    let r = rows.rows[p];
    let target = match arrow {
        Arrow::Down => rows.rows.get(p + 1).map(|r| r.span),
        Arrow::Up => p.checked_sub(1).map(|p| rows.rows[p].span),
        Arrow::Left if r.has_children && !r.collapsed => return Move::Toggle(r.span),
        Arrow::Left => spans.spans[r.span].parent,
        Arrow::Right if r.collapsed => return Move::Toggle(r.span),
        Arrow::Right => spans.spans[r.span].children.first().copied(),
    };
    target.map_or(Move::Stay, Move::Select)
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use std::collections::HashSet;

    use super::*;

    use crate::analysis::fixtures::small_tree as tree;

    fn rows(spans: &Spans, collapsed: &[usize]) -> TreeRows {
        let collapsed: HashSet<usize> = collapsed.iter().copied().collect();
        TreeRows::build(spans, &collapsed, &vec![true; spans.len()], false)
    }

    #[test]
    fn up_and_down_walk_the_visible_rows_and_stop_at_the_ends() {
        let spans = tree();
        let open = rows(&spans, &[]);
        assert_eq!(step(&open, &spans, Some(1), Arrow::Down), Move::Select(2));
        assert_eq!(step(&open, &spans, Some(3), Arrow::Down), Move::Stay);
        assert_eq!(step(&open, &spans, Some(0), Arrow::Up), Move::Stay);
        // With a collapsed, its child is not a row: down from a goes to b.
        let closed = rows(&spans, &[1]);
        assert_eq!(step(&closed, &spans, Some(1), Arrow::Down), Move::Select(3));
    }

    #[test]
    fn left_collapses_then_goes_up_and_right_expands_then_goes_down() {
        let spans = tree();
        let open = rows(&spans, &[]);
        assert_eq!(step(&open, &spans, Some(1), Arrow::Left), Move::Toggle(1));
        assert_eq!(step(&open, &spans, Some(2), Arrow::Left), Move::Select(1));
        assert_eq!(step(&open, &spans, Some(0), Arrow::Right), Move::Select(1));
        assert_eq!(step(&open, &spans, Some(2), Arrow::Right), Move::Stay);
        let closed = rows(&spans, &[1]);
        assert_eq!(step(&closed, &spans, Some(1), Arrow::Left), Move::Select(0));
        assert_eq!(
            step(&closed, &spans, Some(1), Arrow::Right),
            Move::Toggle(1)
        );
    }

    #[test]
    fn with_nothing_selected_any_arrow_selects_the_first_row() {
        let spans = tree();
        let open = rows(&spans, &[]);
        for arrow in [Arrow::Up, Arrow::Down, Arrow::Left, Arrow::Right] {
            assert_eq!(step(&open, &spans, None, arrow), Move::Select(0));
        }
        assert_eq!(
            step(&TreeRows::default(), &spans, None, Arrow::Down),
            Move::Stay
        );
        assert_eq!(Arrow::of_key("Enter"), None);
    }
}
