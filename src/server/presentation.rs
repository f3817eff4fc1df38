//! Conversion of the analysis's structure into LSP types: document symbols, folding ranges,
//! semantic tokens, inlay hints and the coverage lens.

use tower_lsp_server::ls_types::{
    CodeLens, Command, DocumentSymbol, FoldingRange, FoldingRangeKind, InlayHint, InlayHintLabel,
    InlayHintTooltip, SemanticToken, SemanticTokenType, SemanticTokensLegend, SymbolKind, Uri,
};

use super::convert;
use crate::analysis::Analysis;
use crate::analysis::coverage::{self, SectionSymbol};
use crate::analysis::tokens::{self, TokenKind};
use crate::document::{Document, LinePositions, PositionEncoding};

/// The command the coverage lens runs: it lists the missing Art. 13/14 items.
pub const SHOW_MISSING: &str = "privacy-lsp.showMissing";

/// The standard token type each kind is shown as, so that any theme colours it.
fn token_type(kind: TokenKind) -> SemanticTokenType {
    match kind {
        TokenKind::LegalBasis => SemanticTokenType::ENUM_MEMBER,
        TokenKind::ArticleReference => SemanticTokenType::MACRO,
        TokenKind::Processor => SemanticTokenType::CLASS,
        TokenKind::Right => SemanticTokenType::FUNCTION,
        TokenKind::Authority => SemanticTokenType::NAMESPACE,
    }
}

/// The semantic tokens legend: one standard type per [`TokenKind`], in its order.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TokenKind::ALL.iter().map(|k| token_type(*k)).collect(),
        token_modifiers: Vec::new(),
    }
}

fn symbol(positions: &mut LinePositions, section: &SectionSymbol) -> DocumentSymbol {
    #[allow(deprecated)] // `deprecated` is a required field of the type
    DocumentSymbol {
        name: section.name.clone(),
        detail: (!section.detail.is_empty()).then(|| section.detail.clone()),
        kind: SymbolKind::NAMESPACE,
        tags: None,
        deprecated: None,
        range: convert::range(positions, &section.range),
        selection_range: convert::range(positions, &section.heading),
        children: Some(
            section
                .children
                .iter()
                .map(|child| symbol(positions, child))
                .collect(),
        ),
    }
}

/// The sections as nested document symbols, labelled with the items they cover.
pub fn symbols(
    document: &Document,
    analysis: &Analysis,
    encoding: PositionEncoding,
) -> Vec<DocumentSymbol> {
    let mut positions = document.positions(encoding);
    coverage::symbols(document, analysis)
        .iter()
        .map(|section| symbol(&mut positions, section))
        .collect()
}

/// A folding range per section that spans more than its heading line.
pub fn folding_ranges(
    document: &Document,
    analysis: &Analysis,
    encoding: PositionEncoding,
) -> Vec<FoldingRange> {
    fn walk(
        sections: &[SectionSymbol],
        positions: &mut LinePositions,
        out: &mut Vec<FoldingRange>,
    ) {
        for section in sections {
            let start = positions.line_col(section.range.start).line;
            let end = positions.line_col(section.range.end).line;
            if end > start {
                out.push(FoldingRange {
                    start_line: start,
                    end_line: end,
                    kind: Some(FoldingRangeKind::Region),
                    collapsed_text: Some(section.name.clone()),
                    ..Default::default()
                });
            }
            walk(&section.children, positions, out);
        }
    }
    let mut out = Vec::new();
    walk(
        &coverage::symbols(document, analysis),
        &mut document.positions(encoding),
        &mut out,
    );
    out
}

/// Semantic tokens in the protocol's relative encoding. A token that spans lines is split
/// into one per line, for clients without multi-line token support.
pub fn semantic_tokens(
    document: &Document,
    analysis: &Analysis,
    within: Option<std::ops::Range<usize>>,
    encoding: PositionEncoding,
) -> Vec<SemanticToken> {
    let mut out = Vec::new();
    let (mut last_line, mut last_col) = (0u32, 0u32);
    let mut positions = document.positions(encoding);
    for token in tokens::tokens(analysis, within) {
        let kind = TokenKind::ALL
            .iter()
            .position(|k| *k == token.kind)
            .unwrap_or(0) as u32;
        let text = document.slice(token.range.clone());
        let mut piece_start = token.range.start;
        let mut pieces = Vec::new();
        for (i, byte) in text.bytes().enumerate() {
            if byte == b'\n' {
                pieces.push(piece_start..token.range.start + i);
                piece_start = token.range.start + i + 1;
            }
        }
        pieces.push(piece_start..token.range.end);
        for piece in pieces.into_iter().filter(|p| p.start < p.end) {
            let start = positions.line_col(piece.start);
            let end = positions.line_col(piece.end);
            if end.line != start.line || end.col <= start.col {
                continue;
            }
            let delta_line = start.line - last_line;
            let delta_start = if delta_line == 0 {
                start.col - last_col
            } else {
                start.col
            };
            out.push(SemanticToken {
                delta_line,
                delta_start,
                length: end.col - start.col,
                token_type: kind,
                token_modifiers_bitset: 0,
            });
            (last_line, last_col) = (start.line, start.col);
        }
    }
    out
}

/// Inlay hints after processor mentions in `within`.
pub fn inlay_hints(
    document: &Document,
    analysis: &Analysis,
    within: std::ops::Range<usize>,
    encoding: PositionEncoding,
) -> Vec<InlayHint> {
    let mut positions = document.positions(encoding);
    crate::analysis::hints::inlay_hints(analysis, within)
        .into_iter()
        .map(|hint| InlayHint {
            position: convert::position(&mut positions, hint.offset),
            label: InlayHintLabel::String(hint.label),
            kind: None,
            text_edits: None,
            tooltip: Some(InlayHintTooltip::String(hint.tooltip)),
            padding_left: Some(true),
            padding_right: None,
            data: None,
        })
        .collect()
}

/// The lens at the top: "Art. 13: 11 of 14 items", running [`SHOW_MISSING`].
pub fn coverage_lens(analysis: &Analysis, uri: &Uri) -> CodeLens {
    let coverage = coverage::coverage(analysis);
    let title = match analysis.facts.language {
        crate::analysis::Language::En => {
            format!("Art. 13: {} of {} items", coverage.given(), coverage.total)
        }
        crate::analysis::Language::Nb | crate::analysis::Language::Nn => {
            format!("Art. 13: {} av {} punkt", coverage.given(), coverage.total)
        }
    };
    let zero = tower_lsp_server::ls_types::Position {
        line: 0,
        character: 0,
    };
    CodeLens {
        range: tower_lsp_server::ls_types::Range {
            start: zero,
            end: zero,
        },
        command: Some(Command {
            title,
            command: SHOW_MISSING.to_string(),
            arguments: Some(vec![serde_json::json!(uri.as_str())]),
        }),
        data: None,
    }
}

/// The message [`SHOW_MISSING`] shows: the missing items, in the document's language.
pub fn missing_message(analysis: &Analysis) -> String {
    let coverage = coverage::coverage(analysis);
    let language = analysis.facts.language;
    let names: Vec<String> = coverage
        .missing
        .iter()
        .map(|item| format!("{} (art. {})", item.name(language.code()), item.cite))
        .collect();
    use crate::analysis::Language;
    match (language, names.is_empty()) {
        (Language::En, true) => "Every Art. 13 item is given.".to_string(),
        (Language::En, false) => format!("Missing or incomplete: {}.", names.join("; ")),
        (Language::Nb, true) => "Alle punktene i art. 13 er med.".to_string(),
        (Language::Nb, false) => format!("Mangler eller er ufullstendig: {}.", names.join("; ")),
        (Language::Nn, true) => "Alle punkta i art. 13 er med.".to_string(),
        (Language::Nn, false) => format!("Manglar eller er ufullstendig: {}.", names.join("; ")),
    }
}
