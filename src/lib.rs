//! privacy-lsp: reads privacy policies the way a data protection officer would and reports what
//! GDPR Art. 13/14 requires and the text lacks.
//!
//! Layers, top to bottom (dependencies point down only):
//! - [`server`]: the language server (the only layer that knows LSP);
//! - [`cli`]: `privacy-lsp check` for terminals and CI;
//! - [`document`]: text in a rope and its incrementally parsed Markdown blocks;
//! - [`analysis`]: facts per block, then rules over the facts (pure, no I/O);
//! - [`knowledge`]: lexicons, rule metadata and legal data, loaded once;
//! - [`parallel`]: a small fork-join on scoped threads, which the analysis uses to extract a
//!   large document's new blocks on two cores.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod document;
pub mod knowledge;
pub mod parallel;
pub mod server;
