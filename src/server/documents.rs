//! Open documents and their analyses, as the server keeps them.
//!
//! Invariant: changes are applied in the order they arrive, and a change whose version is not
//! newer than the document's is stale and dropped. Versions only have to increase: clients
//! may skip numbers (Neovim counts its change ticks). Everything here is synchronous, so the
//! server applies a change under one lock before any `.await`.

use crate::analysis::{Analysis, Analyzer, Options};
use crate::document::{Document, LineCol, PositionEncoding, TextFormat};

/// The largest document analysed as the user types (4 MiB). A privacy policy is a few
/// hundred kilobytes at most; a larger file is a log or a data dump opened by mistake, and
/// parsing and reading it on every keystroke would take seconds and hundreds of megabytes.
/// Larger documents are kept (edits still apply) but get no analysis; the user is told once,
/// and `privacy-lsp check` still reads them.
pub const MAX_ANALYSED_BYTES: usize = 4 * 1024 * 1024;

/// One content change, in protocol-neutral terms.
#[derive(Debug, Clone)]
pub struct Change {
    /// The replaced range; `None` replaces the whole text.
    pub range: Option<(LineCol, LineCol)>,
    /// The new text.
    pub text: String,
}

/// What happened to a batch of changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Applied.
    Yes,
    /// Not newer than the document: dropped.
    Stale,
}

/// An open document with its analysis state.
pub struct OpenDocument {
    /// The text and its structure.
    pub document: Document,
    /// The latest applied version.
    pub version: i32,
    /// Whether the configuration's `policies` globs name this document (`None`: no globs).
    pub policy_by_glob: Option<bool>,
    /// What the server last said about whether this is a policy (logged when it changes).
    pub policy_said: Option<bool>,
    /// The project file whose settings apply.
    pub project_file: Option<std::path::PathBuf>,
    /// The jurisdiction's country code (default "NO").
    pub jurisdiction: String,
    /// Whether the user has been told that the document is too large to analyse.
    pub told_too_large: bool,
    options: Options,
    analyzer: Analyzer,
    analysis: Option<Analysis>,
}

impl OpenDocument {
    /// A newly opened document.
    pub fn new(text: &str, version: i32, format: TextFormat) -> OpenDocument {
        // A document too large to analyse is not parsed as Markdown either.
        let format = if text.len() > MAX_ANALYSED_BYTES {
            TextFormat::PlainText
        } else {
            format
        };
        OpenDocument {
            document: Document::new(text, format),
            version,
            policy_by_glob: None,
            policy_said: None,
            project_file: None,
            jurisdiction: "NO".to_string(),
            told_too_large: false,
            options: Options::default(),
            analyzer: Analyzer::new(),
            analysis: None,
        }
    }

    fn apply_now(&mut self, changes: &[Change], encoding: PositionEncoding) {
        for change in changes {
            match change.range {
                Some((start, end)) => self.document.edit_lsp(start, end, encoding, &change.text),
                None => self.document.replace_all(&change.text),
            }
        }
        self.analysis = None;
    }

    /// Applies a versioned batch of changes, unless it is not newer than the document.
    pub fn apply(
        &mut self,
        version: i32,
        changes: Vec<Change>,
        encoding: PositionEncoding,
    ) -> Applied {
        if version <= self.version {
            return Applied::Stale;
        }
        self.apply_now(&changes, encoding);
        self.version = version;
        Applied::Yes
    }

    /// Whether the document is larger than [`MAX_ANALYSED_BYTES`] and gets no analysis.
    pub fn too_large(&self) -> bool {
        self.document.len_bytes() > MAX_ANALYSED_BYTES
    }

    /// Sets the analysis options; a change discards the current analysis.
    pub fn set_options(&mut self, options: Options) {
        if self.options != options {
            self.options = options;
            self.analysis = None;
        }
    }

    /// The document and the analysis of its current text, computed once per version.
    pub fn analysed(&mut self) -> (&Document, &Analysis) {
        let analysis = match self.analysis.take() {
            Some(analysis) => analysis,
            None => self.analyzer.analyze(&self.document, &self.options),
        };
        let analysis = self.analysis.insert(analysis);
        (&self.document, analysis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insert(line: u32, col: u32, text: &str) -> Vec<Change> {
        let at = LineCol { line, col };
        vec![Change {
            range: Some((at, at)),
            text: text.to_string(),
        }]
    }

    #[test]
    fn versions_may_skip_numbers_and_stale_changes_are_dropped() {
        let mut doc = OpenDocument::new("ab", 0, TextFormat::PlainText);
        let enc = PositionEncoding::Utf16;
        // Neovim: opened as version 0, first change as version 5.
        assert_eq!(doc.apply(5, insert(0, 2, "c"), enc), Applied::Yes);
        assert_eq!(doc.apply(9, insert(0, 3, "d"), enc), Applied::Yes);
        assert_eq!(doc.document.text(), "abcd");
        assert_eq!(doc.version, 9);
        assert_eq!(doc.apply(9, insert(0, 0, "x"), enc), Applied::Stale);
        assert_eq!(doc.apply(7, insert(0, 0, "x"), enc), Applied::Stale);
        assert_eq!(doc.document.text(), "abcd");
    }
}
