//! # A symbol: an interned string's number
//!
//! Four bytes that stand for a kind, a name or a field key in the store (`symbols.rs` keeps
//! the strings). Its own file because the tables that hold symbols (`symbols.rs`,
//! `layouts.rs`, `origins.rs`) name it without needing each other.

/// An interned string; `Sym::NONE` (0) stands for "absent".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(pub u32);

impl Sym {
    pub const NONE: Sym = Sym(0);

    pub const fn is_none(self) -> bool {
        self.0 == 0
    }
}
