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

/// Single characters typed inside a line: letters, and every character that can change block
/// structure from the middle of a line.
const KEYS: &[&str] = &[
    "a", "ø", " ", "1", ".", "-", "=", "*", "#", "|", "\\", "<", ">", "[", "]", ":", "'", "(", "`",
    "~", "\t", "\n",
];

/// Prose lines: where typing happens, and where edits may skip the parser.
const PROSE: &[&str] = &[
    "Vi behandler navn og e-post for å svare deg.\n",
    "Opplysningene lagres i tolv måneder.",
    "- Navn, adresse og telefonnummer\n",
    "> Du kan når som helst trekke samtykket.\n",
    "3. Behandlingen skjer på grunnlag av avtalen.\n",
    "Kategori | Formål\n",
    "|---|---|\n",
    "[avtalen]: https://example.org/avtale\n",
    "\n\n",
    "\n",
];

/// Mostly prose with some of every other piece.
fn prose_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![3 => prop::sample::select(PROSE), 1 => prop::sample::select(PIECES)],
        0..30,
    )
    .prop_map(|p| p.concat())
}

fn text_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..30).prop_map(|p| p.concat())
}

#[derive(Debug, Clone)]
struct Edit {
    start: f64,
    len: f64,
    insert: String,
}

/// A keystroke or a short deletion, as typing makes them.
fn keystroke_strategy() -> impl Strategy<Value = Edit> {
    (
        0.0..=1.0f64,
        prop_oneof![Just(0.0), 0.0..=0.01f64],
        prop::sample::select(KEYS).prop_map(|k| k.to_string()),
    )
        .prop_map(|(start, len, insert)| Edit { start, len, insert })
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    let pasted = (
        0.0..=1.0f64,
        0.0..=0.3f64,
        text_strategy().prop_map(|t| t.chars().take(40).collect()),
    )
        .prop_map(|(start, len, insert)| Edit { start, len, insert });
    prop_oneof![pasted, keystroke_strategy()]
}

/// Applies `edits` through LSP positions in UTF-16, as a client sends them, and checks after
/// each that the text, the blocks and the chunks equal those of a fresh parse: once for a
/// document that parses small chunks afresh (as served) and once for one that reparses every
/// chunk with its old tree.
fn check_edits(initial: &str, edits: Vec<Edit>) -> Result<(), TestCaseError> {
    check_edits_of(
        Document::new(initial, TextFormat::Markdown),
        initial,
        &edits,
    )?;
    check_edits_of(
        Document::keeping_all_trees(initial, TextFormat::Markdown),
        initial,
        &edits,
    )
}

fn check_edits_of(mut doc: Document, initial: &str, edits: &[Edit]) -> Result<(), TestCaseError> {
    let mut expected = initial.to_string();
    for edit in edits {
        let start = boundary(&expected, edit.start);
        let end = boundary(&expected, (edit.start + edit.len).min(1.0)).max(start);
        let encoding = PositionEncoding::Utf16;
        let start_pos = doc.position_at(start, encoding);
        let end_pos = doc.position_at(end, encoding);
        doc.edit_lsp(start_pos, end_pos, encoding, &edit.insert);
        expected.replace_range(start..end, &edit.insert);
        prop_assert_eq!(doc.text(), expected.clone());
        let blocks: Vec<Block> = doc.blocks().collect();
        prop_assert_eq!(blocks, fresh_blocks(&expected));
        prop_assert_eq!(
            doc.chunk_starts(),
            Document::new(&expected, TextFormat::Markdown).chunk_starts()
        );
    }
    Ok(())
}

/// The blocks of a fresh parse of the verbatim text, which the parser's view (words joined,
/// see `syntax::parser_view`) must not change.
fn fresh_blocks(text: &str) -> Vec<Block> {
    syntax::parse_whole_verbatim(text)
}

/// Every named node of a block tree: its kind and byte range.
fn named_nodes(tree: &tree_sitter::Tree) -> Vec<(&'static str, std::ops::Range<usize>)> {
    let mut nodes = Vec::new();
    let mut cursor = tree.walk();
    'walk: loop {
        let node = cursor.node();
        if node.is_named() {
            nodes.push((node.kind(), node.byte_range()));
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    nodes
}

/// Holds the tree of the parser's view of `text` to that of the verbatim text: same named
/// nodes, same errors.
fn check_parser_view(text: &str) -> Result<(), TestCaseError> {
    let mut parser = syntax::new_parser();
    let (Some(viewed), Some(verbatim)) = (
        syntax::parse(&mut parser, text, None).map(|parsed| parsed.tree),
        syntax::parse_verbatim(&mut parser, text, None),
    ) else {
        return Err(TestCaseError::fail("the parser gave no tree"));
    };
    prop_assert_eq!(named_nodes(&viewed), named_nodes(&verbatim), "{:?}", text);
    prop_assert_eq!(
        viewed.root_node().has_error(),
        verbatim.root_node().has_error()
    );
    Ok(())
}

/// Holds the block walk over the tree of `text` to tree-sitter's own matches of
/// `queries/blocks.scm`: the same nodes, kinds and list membership.
fn check_block_walk(text: &str) -> Result<(), TestCaseError> {
    use tree_sitter::StreamingIterator;
    let mut parser = syntax::new_parser();
    let Some(parsed) = syntax::parse(&mut parser, text, None) else {
        return Err(TestCaseError::fail("the parser gave no tree"));
    };
    let query = tree_sitter::Query::new(&syntax::language(), syntax::BLOCKS_QUERY)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut cursor = tree_sitter::QueryCursor::new();
    let mut matches = cursor.matches(&query, parsed.tree.root_node(), text.as_bytes());
    let mut expected = Vec::new();
    while let Some(found) = matches.next() {
        for capture in found.captures {
            let name = query.capture_names()[capture.index as usize];
            let Some(kind) = syntax::capture_kind(name) else {
                return Err(TestCaseError::fail(format!("unknown capture {name}")));
            };
            let mut in_list = false;
            let mut ancestor = capture.node.parent();
            while let Some(node) = ancestor {
                in_list |= node.kind() == "list_item";
                ancestor = node.parent();
            }
            expected.push((kind, capture.node.byte_range(), in_list));
        }
    }
    let mut walked = syntax::block_nodes(&parsed.tree);
    let key = |n: &(syntax::BlockKind, std::ops::Range<usize>, bool)| {
        (n.1.start, n.1.end, format!("{:?}", n.0), n.2)
    };
    expected.sort_by_key(key);
    walked.sort_by_key(key);
    prop_assert_eq!(walked, expected, "{:?}", text);
    Ok(())
}

/// Words, spaces and every character that can change block structure, mixed into lines.
const MIXED: &[&str] = &[
    "og ",
    "navn",
    " ",
    ", ",
    "; ",
    "Du har rett ",
    "æ",
    "1",
    ". ",
    ") ",
    "- ",
    "* ",
    "+ ",
    "# ",
    "<",
    ">",
    "[",
    "]",
    ":",
    "|",
    "`",
    "```",
    "~~~",
    "---",
    "===",
    "\\",
    "    ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "<div ",
    "<!-- ",
    "-->",
    "[lenke]: /sti tittel",
    "\"",
    "'",
    "(",
    "_",
];

fn mixed_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(MIXED),
            1 => prop::sample::select(PROSE),
            1 => prop::sample::select(PIECES),
        ],
        0..60,
    )
    .prop_map(|p| p.concat())
}

#[test]
fn the_parser_view_and_the_block_walk_keep_the_structure_of_the_seeds_and_fixtures() {
    let mut texts = Vec::new();
    for dir in ["../shared/corpus/seeds", "tests/fixtures"] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                texts.push(text);
            }
        }
    }
    assert!(
        texts.len() >= 6,
        "seeds and fixtures found: {}",
        texts.len()
    );
    for text in texts {
        if let Err(e) = check_parser_view(&text).and_then(|()| check_block_walk(&text)) {
            panic!("{e}");
        }
    }
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
        check_edits(&initial, edits)?;
    }

    /// Typing, where most edits keep the block structure and skip the parser.
    #[test]
    fn keystrokes_equal_a_fresh_parse(initial in prose_strategy(), edits in prop::collection::vec(keystroke_strategy(), 1..40)) {
        check_edits(&initial, edits)?;
    }

    #[test]
    fn the_parser_view_keeps_every_named_node(text in mixed_strategy()) {
        check_parser_view(&text)?;
    }

    /// The block walk against tree-sitter's own query matches.
    #[test]
    fn the_block_walk_finds_what_the_block_query_matches(text in mixed_strategy()) {
        check_block_walk(&text)?;
    }

    /// Typing into mixed lines: the parser's view of a whole line can change with one key.
    #[test]
    fn keystrokes_in_mixed_lines_equal_a_fresh_parse(initial in mixed_strategy(), edits in prop::collection::vec(keystroke_strategy(), 1..40)) {
        check_edits(&initial, edits)?;
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

    #[test]
    fn many_offsets_convert_as_one_does(text in text_strategy(), offsets in prop::collection::vec(0..4096usize, 0..40)) {
        let doc = Document::new(&text, TextFormat::PlainText);
        for encoding in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
            let mut positions = doc.positions(encoding);
            for offset in &offsets {
                // Past the end, inside characters and line breaks, in any order.
                let at = offset % (text.len() + 2);
                prop_assert_eq!(positions.line_col(at), doc.position_at(at, encoding), "at {}", at);
            }
        }
    }
}
