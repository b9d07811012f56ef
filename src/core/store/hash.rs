//! # The hash of interned strings
//!
//! Kinds, names and field keys read from a file are chosen by whoever wrote it, like ids: the
//! Fx hash used until 2026-12 had no key, so strings built to share one Fx value would have
//! shared one probe chain. Interned text is hashed with foldhash (hashbrown's default) under
//! the same platform-drawn seeds as ids ([`crate::core::ids::IdHash`], whose docs say why the
//! seed cannot come from foldhash itself on wasm32); literals rarely reach it, as the symbol
//! table's pointer cache answers them first.

use crate::core::ids::IdHash;

/// The hasher of the symbol table's text: the id hash, whose `Hasher` takes any bytes.
pub(crate) type TextHash = IdHash;

/// A text hash with a fresh random seed.
pub(crate) fn text_hash() -> TextHash {
    IdHash::random()
}
