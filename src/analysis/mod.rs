//! The analysis: facts per block, then rules over the facts.
//!
//! Pure functions over a [`crate::document::Document`]: no LSP types, no I/O, no panics on any
//! text.

pub mod language;
pub mod extract;
pub mod lexicon;
