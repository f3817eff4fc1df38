//! Semantic tokens: legal bases, article references, processors, rights and supervisory
//! authorities, with absolute byte ranges, in text order and without overlaps (the earlier,
//! then the longer, token wins).

use std::ops::Range;

use super::Analysis;
use super::lexicon::Concept;

/// What a token is. The server maps each to a standard LSP token type so that themes colour
/// them without configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TokenKind {
    /// A legal basis ("samtykke", "berettiget interesse", "artikkel 6 nr. 1 bokstav f").
    LegalBasis,
    /// A reference to a GDPR article.
    ArticleReference,
    /// A processor or recipient from the knowledge base.
    Processor,
    /// A data-subject right.
    Right,
    /// A supervisory authority.
    Authority,
}

impl TokenKind {
    /// Every kind, in legend order.
    pub const ALL: [TokenKind; 5] = [
        TokenKind::LegalBasis,
        TokenKind::ArticleReference,
        TokenKind::Processor,
        TokenKind::Right,
        TokenKind::Authority,
    ];
}

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Absolute byte range.
    pub range: Range<usize>,
    /// What it is.
    pub kind: TokenKind,
}

fn concept_kind(concept: Concept) -> Option<TokenKind> {
    use Concept::*;
    match concept {
        BasisConsent
        | BasisContract
        | BasisLegalObligation
        | BasisVital
        | BasisPublicTask
        | BasisLegitimateInterest
        | Art9Condition => Some(TokenKind::LegalBasis),
        RightAccess | RightRectification | RightErasure | RightRestriction | RightPortability
        | RightObjection | RightWithdraw | RightComplaint => Some(TokenKind::Right),
        _ => None,
    }
}

/// The tokens of the blocks that overlap `within` (the whole document when `None`).
pub fn tokens(analysis: &Analysis, within: Option<Range<usize>>) -> Vec<Token> {
    let mut tokens = Vec::new();
    for block in &analysis.outline.blocks {
        let content = &block.block.content;
        if let Some(within) = &within {
            if content.end < within.start || content.start > within.end {
                continue;
            }
        }
        let facts = &block.facts;
        let mut push = |range: &Range<usize>, kind| {
            tokens.push(Token {
                range: block.absolute(range),
                kind,
            })
        };
        for reference in &facts.article_refs {
            push(&reference.range, TokenKind::ArticleReference);
        }
        for mention in &facts.processors {
            push(&mention.range, TokenKind::Processor);
        }
        for authority in &facts.authorities {
            push(&authority.range, TokenKind::Authority);
        }
        for mention in facts.mentions.iter().filter(|m| !m.negated) {
            if let Some(kind) = concept_kind(mention.concept) {
                push(&mention.range, kind);
            }
        }
    }
    tokens.sort_by(|a, b| {
        a.range
            .start
            .cmp(&b.range.start)
            .then(b.range.end.cmp(&a.range.end))
    });
    let mut end = 0;
    tokens.retain(|t| {
        let keep = t.range.start >= end && t.range.start < t.range.end;
        if keep {
            end = t.range.end;
        }
        keep
    });
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Options, analyze};
    use crate::document::{Document, TextFormat};

    #[test]
    fn kinds_in_order_without_overlap() {
        let text = "# Personvernerklæring\n\nVi bruker Google Analytics med grunnlag i samtykke \
(artikkel 6 nr. 1 bokstav a). Du har rett til innsyn, og du kan klage til Datatilsynet.\n";
        let document = Document::new(text, TextFormat::Markdown);
        let analysis = analyze(&document, &Options::default());
        let found: Vec<_> = tokens(&analysis, None)
            .into_iter()
            .map(|t| (&text[t.range], t.kind))
            .collect();
        assert!(
            found.contains(&("Google Analytics", TokenKind::Processor)),
            "{found:?}"
        );
        assert!(
            found.contains(&("artikkel 6 nr. 1 bokstav a", TokenKind::ArticleReference)),
            "{found:?}"
        );
        assert!(
            found.contains(&("Datatilsynet", TokenKind::Authority)),
            "{found:?}"
        );
        assert!(
            found.iter().any(|(_, k)| *k == TokenKind::LegalBasis),
            "{found:?}"
        );
        assert!(
            found.iter().any(|(_, k)| *k == TokenKind::Right),
            "{found:?}"
        );
        let ranges: Vec<_> = tokens(&analysis, None)
            .into_iter()
            .map(|t| t.range)
            .collect();
        assert!(
            ranges.windows(2).all(|w| w[0].end <= w[1].start),
            "{ranges:?}"
        );
    }
}
