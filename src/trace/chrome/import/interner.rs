//! # Strings kept once
//!
//! A Chrome trace repeats the same few names, categories and thread keys in every event;
//! the slices held until the end refer to them by a `u32`, which keeps a [`super::Slice`]
//! small (about 64 bytes) however long its strings are.

use std::collections::HashMap;

/// Strings seen many times (names, categories, threads), kept once.
#[derive(Default)]
pub(super) struct Interner {
    ids: HashMap<String, u32>,
    strings: Vec<String>,
    /// What the strings hold, for the memory budget.
    pub(super) bytes: usize,
}

impl Interner {
    pub(super) fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.bytes += 2 * s.len() + 64;
        self.strings.push(s.to_owned());
        self.ids.insert(s.to_owned(), id);
        id
    }

    pub(super) fn get(&self, id: u32) -> &str {
        &self.strings[id as usize]
    }
}
