//! Property tests of the incremental document: random edits, including multi-byte and
//! non-BMP text, leave the rope equal to the same edits applied to a String, and the blocks
//! equal to a fresh parse of the whole final text.

use privacy_lsp::document::syntax;
use privacy_lsp::document::{Block, Document, LineCol, PositionEncoding, TextFormat};
use proptest::prelude::*;

/// Pieces that exercise the chunking rules: headings, paragraphs, lists, fences, comments,
/// tables, front matter, blank lines, and Norwegian and emoji text.
const PIECES: &[&str] = &[
    "\n",
    "\n\n",
    "# Rettigheter\n",
    "## Lagringstid\n",
    "Du har rett til innsyn.",
    "Æøå ",
    "😀",
    "personopplysningene ",
    "- punkt\n",
    "1. første\n",
    "2. andre\n",
    "```\n",
    "~~~\n",
    "<!-- notat\n",
    "-->\n",
    "> sitat\n",
    "| a | b |\n|---|---|\n",
    "    kode\n",
    "---\n",
    " ---\n",
    "----\n",
    "+++\n",
    "\r",
    "\u{feff}",
    "Tekst uten punktum\n",
    "2024 var et år.",
    "\r\n",
    "<pre>\n",
    "</pre>\n",
    "Slutt.",
];

fn text_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..30).prop_map(|p| p.concat())
}

#[derive(Debug, Clone)]
struct Edit {
    start: f64,
    len: f64,
    insert: String,
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    (
        0.0..=1.0f64,
        0.0..=0.3f64,
        text_strategy().prop_map(|t| t.chars().take(40).collect()),
    )
        .prop_map(|(start, len, insert)| Edit { start, len, insert })
}

fn fresh_blocks(text: &str) -> Vec<Block> {
    syntax::parse_whole(text)
}

/// Byte offset of the char boundary nearest below `fraction` of the text.
fn boundary(text: &str, fraction: f64) -> usize {
    let mut at = ((text.len() as f64) * fraction) as usize;
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    // LSP has no position between "\r" and "\n".
    if at > 0
        && text.as_bytes().get(at - 1) == Some(&b'\r')
        && text.as_bytes().get(at) == Some(&b'\n')
    {
        at -= 1;
    }
    at.min(text.len())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn incremental_edits_equal_a_fresh_parse(initial in text_strategy(), edits in prop::collection::vec(edit_strategy(), 1..12)) {
        let mut doc = Document::new(&initial, TextFormat::Markdown);
        let mut expected = initial.clone();
        for edit in edits {
            let start = boundary(&expected, edit.start);
            let end = boundary(&expected, (edit.start + edit.len).min(1.0)).max(start);
            // Go through LSP positions in UTF-16, as a client would send them.
            let encoding = PositionEncoding::Utf16;
            let start_pos = doc.position_at(start, encoding);
            let end_pos = doc.position_at(end, encoding);
            doc.edit_lsp(start_pos, end_pos, encoding, &edit.insert);
            expected.replace_range(start..end, &edit.insert);
            prop_assert_eq!(doc.text(), expected.clone());
            let blocks: Vec<Block> = doc.blocks().collect();
            prop_assert_eq!(blocks, fresh_blocks(&expected));
            prop_assert_eq!(doc.chunk_starts(), Document::new(&expected, TextFormat::Markdown).chunk_starts());
        }
    }

    #[test]
    fn utf8_positions_round_trip(text in text_strategy(), fraction in 0.0..=1.0f64) {
        let doc = Document::new(&text, TextFormat::PlainText);
        let at = boundary(&text, fraction);
        for encoding in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
            let pos: LineCol = doc.position_at(at, encoding);
            // "\r\n" splits into a line end that has no position of its own before "\n".
            let back = doc.offset_at(pos, encoding);
            prop_assert!(back == at || (text.as_bytes().get(back) == Some(&b'\r')), "{} -> {:?} -> {}", at, pos, back);
        }
    }
}
