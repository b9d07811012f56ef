//! # Values shared by pointer
//!
//! The inspection and the rows derived from it are large (a million events); signals and
//! memos compare their values on every update, so these travel as [`Shared`], which compares
//! by address: a change is a new `Arc`.

use std::sync::Arc;

/// Shared by pointer: a change is a new `Arc`, compared by address, so memos and signals do
/// not compare 100 000-event inspections field by field.
#[derive(Debug, Default)]
pub struct Shared<T>(pub Arc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
