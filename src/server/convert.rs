//! Conversion between the analysis's terms and LSP types.

use std::str::FromStr;

use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticSeverity, NumberOrString, Position, Range, Uri,
};

use crate::analysis::{Finding, Severity};
use crate::document::{LineCol, LinePositions};

/// The LSP position of a byte offset.
pub fn position(positions: &mut LinePositions, byte: usize) -> Position {
    let p = positions.line_col(byte);
    Position {
        line: p.line,
        character: p.col,
    }
}

/// The line/column of an LSP position.
pub fn line_col(position: Position) -> LineCol {
    LineCol {
        line: position.line,
        col: position.character,
    }
}

/// The LSP range of a byte range.
pub fn range(positions: &mut LinePositions, bytes: &std::ops::Range<usize>) -> Range {
    Range {
        start: position(positions, bytes.start),
        end: position(positions, bytes.end),
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// A finding as an LSP diagnostic: code = rule id, source = "privacy-lsp", a link to the
/// article.
pub fn diagnostic(positions: &mut LinePositions, finding: &Finding) -> Diagnostic {
    Diagnostic {
        range: range(positions, &finding.range),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.rule.to_string())),
        code_description: Uri::from_str(&finding.link)
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("privacy-lsp".to_string()),
        message: finding.message.clone(),
        related_information: None,
        tags: None,
        data: None,
    }
}
