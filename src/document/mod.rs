//! The document: text in a rope plus its Markdown block structure, kept up to date edit by
//! edit.
//!
//! The block tree is held as a list of chunks (see [`chunks`]), each parsed on its own by
//! tree-sitter-md. An edit re-splits only the chunks around it, reuses every chunk whose text
//! did not change, and gives the edited chunk's old tree to tree-sitter as an `InputEdit`, so a
//! keystroke costs about the same on a 15 KB and a 1 MB document. Only chunks of at least
//! [`KEEP_TREE_MIN_BYTES`] keep their trees: a smaller one is parsed afresh, which costs about
//! the same and saves most of the memory. Most keystrokes need no parse at all: an edit inside
//! a paragraph line that cannot change block structure (see `plain_edit.rs`) only moves the
//! chunk's tree (if kept) and blocks over the edit.
//!
//! Invariants: after every edit the blocks equal those of a fresh whole-text parse (a property
//! test checks this), chunk boundaries equal those of [`Document::new`] on the same text, and no
//! input (ranges past the end, inside a character, any text) makes it panic.

pub mod chunks;
mod plain_edit;
pub mod position;
pub mod syntax;

use std::borrow::Cow;
use std::ops::Range;

use ropey::Rope;
use tree_sitter::{InputEdit, Parser, Point, Tree};

pub use position::{LineCol, LinePositions, PositionEncoding};
pub use syntax::{Block, BlockKind};

/// How the document is written: it decides how plain headings are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextFormat {
    /// Markdown: headings are explicit.
    #[default]
    Markdown,
    /// Plain text: a short line standing alone is a heading.
    PlainText,
}

impl TextFormat {
    /// The format for a file name or an LSP language id (`markdown`, `plaintext`).
    pub fn from_hint(hint: &str) -> TextFormat {
        let lower = hint.to_ascii_lowercase();
        if lower == "plaintext" || lower == "text" || lower.ends_with(".txt") {
            TextFormat::PlainText
        } else {
            TextFormat::Markdown
        }
    }
}

/// The smallest chunk whose syntax tree is kept for incremental reparsing. A tree takes
/// about 33 bytes per byte of text, while a fresh parse of a chunk below this size costs
/// little more than a reparse with its old tree (typing a policy from empty, the parses cost
/// 1.26 times the instructions, about 44,000 per parse). Policies are mostly such chunks (a
/// paragraph or a heading each), so their trees are dropped once the blocks are read.
const KEEP_TREE_MIN_BYTES: usize = 4096;

struct Chunk {
    start: usize,
    len: usize,
    /// The syntax tree, kept only for chunks of at least [`KEEP_TREE_MIN_BYTES`] that parsed
    /// with words joined (see [`syntax::Parsed`]).
    tree: Option<Tree>,
    blocks: Vec<Block>,
    /// The chunk ends inside an unclosed fence or raw HTML block and runs to the end.
    open: bool,
}

impl Chunk {
    fn end(&self) -> usize {
        self.start + self.len
    }
}

/// A text document with its block structure.
pub struct Document {
    rope: Rope,
    format: TextFormat,
    chunks: Vec<Chunk>,
    parser: Parser,
    /// The smallest chunk whose tree is kept ([`KEEP_TREE_MIN_BYTES`] but in tests).
    keep_tree_min_bytes: usize,
    /// Edits that went through the parser (the others only moved a tree).
    parsed_edits: u64,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("bytes", &self.rope.len_bytes())
            .field("format", &self.format)
            .field("chunks", &self.chunks.len())
            .finish()
    }
}

/// The edited chunk's old tree, already told about the edit, for reuse by the reparse.
struct EditedTree {
    start: usize,
    new_len: usize,
    tree: Tree,
    /// Whether the chunk's text ended in a line break before the edit (else the parse saw
    /// one appended, and the old tree is reusable only if that is still so).
    terminated: bool,
}

impl Document {
    /// A document holding `text`.
    pub fn new(text: &str, format: TextFormat) -> Document {
        Document::with_tree_threshold(text, format, KEEP_TREE_MIN_BYTES)
    }

    /// A document that keeps the syntax tree of every chunk, however small, so that tests
    /// exercise incremental reparsing on short texts.
    #[doc(hidden)]
    pub fn keeping_all_trees(text: &str, format: TextFormat) -> Document {
        Document::with_tree_threshold(text, format, 0)
    }

    fn with_tree_threshold(text: &str, format: TextFormat, keep_tree_min_bytes: usize) -> Document {
        let mut parser = syntax::new_parser();
        let (chunks, _) = build_chunks(&mut parser, text, 0, true, &[], None, keep_tree_min_bytes);
        Document {
            rope: Rope::from_str(text),
            format,
            chunks,
            parser,
            keep_tree_min_bytes,
            parsed_edits: 0,
        }
    }

    /// The document's format.
    pub fn format(&self) -> TextFormat {
        self.format
    }

    /// The text as a rope.
    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    /// Length in bytes.
    pub fn len_bytes(&self) -> usize {
        self.rope.len_bytes()
    }

    /// The whole text.
    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// The text in a byte range, clamped to the document.
    pub fn slice(&self, range: Range<usize>) -> Cow<'_, str> {
        let end = range.end.min(self.rope.len_bytes());
        let start = range.start.min(end);
        let start = self.rope.char_to_byte(self.rope.byte_to_char(start));
        let end = self.rope.char_to_byte(self.rope.byte_to_char(end));
        self.rope.byte_slice(start..end).into()
    }

    /// The blocks in document order, with absolute byte ranges.
    pub fn blocks(&self) -> impl Iterator<Item = Block> + '_ {
        self.chunks
            .iter()
            .flat_map(|chunk| chunk.blocks.iter().map(move |b| b.shifted(chunk.start)))
    }

    /// Number of independently parsed chunks (for tests and benchmarks).
    pub fn chunk_count(&self) -> usize {
        self.chunks.len()
    }

    /// How many edits needed the parser; the others kept the block structure (for tests and
    /// benchmarks).
    pub fn parsed_edits(&self) -> u64 {
        self.parsed_edits
    }

    /// Byte offsets where chunks start (for tests).
    pub fn chunk_starts(&self) -> Vec<usize> {
        self.chunks.iter().map(|c| c.start).collect()
    }

    /// Converts an LSP position to a byte offset, clamping anything out of range.
    pub fn offset_at(&self, pos: LineCol, encoding: PositionEncoding) -> usize {
        position::to_byte(&self.rope, pos, encoding)
    }

    /// Converts a byte offset to an LSP position.
    pub fn position_at(&self, byte: usize, encoding: PositionEncoding) -> LineCol {
        position::to_line_col(&self.rope, byte, encoding)
    }

    /// A converter of many byte offsets to LSP positions, cheaper than [`Self::position_at`]
    /// for each when several share a line.
    pub fn positions(&self, encoding: PositionEncoding) -> LinePositions<'_> {
        LinePositions::new(&self.rope, encoding)
    }

    /// The byte offset where the line holding byte `byte` starts (clamped to the text).
    pub fn line_start(&self, byte: usize) -> usize {
        let byte = byte.min(self.rope.len_bytes());
        self.rope.line_to_byte(self.rope.byte_to_line(byte))
    }

    /// Replaces the whole text.
    pub fn replace_all(&mut self, text: &str) {
        let format = self.format;
        let parsed_edits = self.parsed_edits + 1;
        *self = Document::with_tree_threshold(text, format, self.keep_tree_min_bytes);
        self.parsed_edits = parsed_edits;
    }

    /// Replaces the text between two LSP positions with `new_text`.
    pub fn edit_lsp(
        &mut self,
        start: LineCol,
        end: LineCol,
        encoding: PositionEncoding,
        new_text: &str,
    ) {
        let start = self.offset_at(start, encoding);
        let end = self.offset_at(end, encoding).max(start);
        self.edit(start..end, new_text);
    }

    /// Replaces a byte range with `new_text`. The range is clamped to the document and to
    /// character boundaries.
    pub fn edit(&mut self, range: Range<usize>, new_text: &str) {
        let len = self.rope.len_bytes();
        let start_char = self.rope.byte_to_char(range.start.min(len));
        let end_char = self.rope.byte_to_char(range.end.min(len)).max(start_char);
        let start = self.rope.char_to_byte(start_char);
        let end = self.rope.char_to_byte(end_char);
        if self.chunks.is_empty() {
            self.rope.remove(start_char..end_char);
            self.rope.insert(start_char, new_text);
            let text = self.rope.to_string();
            let (chunks, _) = build_chunks(
                &mut self.parser,
                &text,
                0,
                true,
                &[],
                None,
                self.keep_tree_min_bytes,
            );
            self.chunks = chunks;
            return;
        }

        if self.edit_in_paragraph_line(start, end, new_text) {
            self.rope.remove(start_char..end_char);
            self.rope.insert(start_char, new_text);
            return;
        }
        self.parsed_edits += 1;

        let last = self.chunks.len() - 1;
        let containing = |offset: usize| {
            self.chunks
                .partition_point(|c| c.start <= offset)
                .saturating_sub(1)
                .min(last)
        };
        let first_touched = containing(start);
        let last_touched = containing(end);
        let a = first_touched.saturating_sub(1);
        let mut b = (last_touched + 1).min(last);

        // The edited chunk's tree, when the edit lies inside one chunk.
        let mut edited = None;
        let kept_tree = self.chunks[first_touched]
            .tree
            .as_ref()
            .filter(|_| first_touched == last_touched);
        if let Some(tree) = kept_tree {
            let chunk = &self.chunks[first_touched];
            let input = self.input_edit(chunk.start, chunk.end(), start, end, new_text);
            let mut tree = tree.clone();
            tree.edit(&input);
            let last_byte = self.rope.bytes_at(chunk.end().saturating_sub(1)).next();
            let terminated = chunk.len > 0 && matches!(last_byte, Some(b'\n' | b'\r'));
            edited = Some(EditedTree {
                start: chunk.start,
                new_len: chunk.len + new_text.len() - (end - start),
                tree,
                terminated,
            });
        }

        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, new_text);
        let new_len_total = self.rope.len_bytes();
        let shift = |offset: usize| offset + new_text.len() - (end - start);

        loop {
            let region_start = self.chunks[a].start;
            let region_end = if b == last {
                new_len_total
            } else {
                shift(self.chunks[b].end())
            };
            let text: String = self.rope.byte_slice(region_start..region_end).into();
            // Unchanged chunks in the region, at their new offsets.
            let reusable: Vec<(usize, usize, usize)> = (a..=b)
                .filter(|i| *i < first_touched || *i > last_touched)
                .map(|i| {
                    let c = &self.chunks[i];
                    let start_new = if i < first_touched {
                        c.start
                    } else {
                        shift(c.start)
                    };
                    (i, start_new, c.len)
                })
                .collect();
            let (new_chunks, open) = build_chunks(
                &mut self.parser,
                &text,
                region_start,
                region_start == 0,
                &reusable
                    .iter()
                    .map(|(i, s, l)| (*s, *l, &self.chunks[*i]))
                    .collect::<Vec<_>>(),
                edited.as_ref(),
                self.keep_tree_min_bytes,
            );
            if open && b < last {
                b = last;
                continue;
            }
            for chunk in &mut self.chunks[b + 1..] {
                chunk.start = shift(chunk.start);
            }
            self.chunks.splice(a..=b, new_chunks);
            return;
        }
    }

    /// Applies an edit that cannot change the block structure (see [`plain_edit`]) to the
    /// chunk holding it without parsing: the old tree and the blocks are moved over the
    /// edit, and the edited paragraph gets its new end and hash. Returns `false`, changing
    /// nothing, for any other edit. The caller then changes the rope.
    fn edit_in_paragraph_line(&mut self, start: usize, end: usize, new_text: &str) -> bool {
        /// Longer edits are rare while typing and go through the parser.
        const MAX_EDIT_BYTES: usize = 256;
        if end - start > MAX_EDIT_BYTES || new_text.len() > MAX_EDIT_BYTES {
            return false;
        }
        let index = self
            .chunks
            .partition_point(|c| c.start <= start)
            .saturating_sub(1);
        let Some(chunk) = self.chunks.get(index) else {
            return false;
        };
        let line_start = self.line_start(start);
        if chunk.open || end > chunk.end() || line_start < chunk.start {
            return false;
        }
        let (relative_start, relative_end) = (start - chunk.start, end - chunk.start);
        let Some(paragraph_index) = chunk.blocks.iter().position(|block| {
            block.kind == BlockKind::Paragraph
                && block.range.start < relative_start
                && relative_end <= block.range.end
        }) else {
            return false;
        };
        let old_text: String = self.rope.byte_slice(chunk.start..chunk.end()).into();
        let line_start = line_start - chunk.start;
        let line_end = old_text[relative_end..]
            .find(['\n', '\r'])
            .map_or(old_text.len(), |n| relative_end + n);
        let (line, line_before_edit, removed) = (
            &old_text[line_start..line_end],
            &old_text[line_start..relative_start],
            &old_text[relative_start..relative_end],
        );
        if !plain_edit::keeps_blocks(line, line_before_edit, removed, new_text) {
            return false;
        }
        let mut text = String::with_capacity(old_text.len() + new_text.len());
        text.push_str(&old_text[..relative_start]);
        text.push_str(new_text);
        text.push_str(&old_text[relative_end..]);
        // A link reference definition turns on characters anywhere in its paragraph, and the
        // chunk scanner must still see one chunk ending in its initial state.
        if text.contains("]:") || chunks::split_points(&text, chunk.start == 0) != (vec![], true) {
            return false;
        }
        let input = chunk
            .tree
            .is_some()
            .then(|| self.input_edit(chunk.start, chunk.end(), start, end, new_text));
        let shift = new_text.len() as isize - (end - start) as isize;
        let chunk = &mut self.chunks[index];
        if let (Some(tree), Some(input)) = (&mut chunk.tree, input) {
            tree.edit(&input);
        }
        syntax::move_blocks_over_plain_edit(&mut chunk.blocks, paragraph_index, shift, &text);
        chunk.len = text.len();
        for later in &mut self.chunks[index + 1..] {
            later.start = later.start.saturating_add_signed(shift);
        }
        true
    }

    /// The tree-sitter edit for replacing `start..end` with `new_text` in the chunk
    /// `chunk_start..chunk_end`, relative to the chunk and widened to all the text whose
    /// parser view the edit may change (see [`syntax::view_changes_within`]): tree-sitter
    /// must be told of every byte it will read differently. Computed before the rope changes.
    fn input_edit(
        &self,
        chunk_start: usize,
        chunk_end: usize,
        start: usize,
        end: usize,
        new_text: &str,
    ) -> InputEdit {
        let point = |byte: usize| {
            let line = self.rope.byte_to_line(byte);
            let base_line = self.rope.byte_to_line(chunk_start);
            let line_start = self.rope.line_to_byte(line).max(chunk_start);
            Point {
                row: line - base_line,
                column: byte - line_start,
            }
        };
        let chunk_text: String = self.rope.byte_slice(chunk_start..chunk_end).into();
        let widened =
            syntax::view_changes_within(&chunk_text, start - chunk_start, end - chunk_start);
        let rest = chunk_text
            .get(end - chunk_start..widened.end)
            .unwrap_or_default();
        // Where the edited text ends: the rest of the widened range follows the new text.
        let edit_start = point(start);
        let mut tail = String::with_capacity(new_text.len() + rest.len());
        tail.push_str(new_text);
        tail.push_str(rest);
        let (breaks, after_last_break) = line_breaks(&tail);
        let new_end_position = match after_last_break {
            Some(column) => Point {
                row: edit_start.row + breaks,
                column,
            },
            None => Point {
                row: edit_start.row,
                column: edit_start.column + tail.len(),
            },
        };
        InputEdit {
            start_byte: widened.start,
            old_end_byte: widened.end,
            new_end_byte: start - chunk_start + tail.len(),
            start_position: point(chunk_start + widened.start),
            old_end_position: point(chunk_start + widened.end),
            new_end_position,
        }
    }
}

/// How many line breaks `text` holds, counted as the rope counts them (`\r\n`, `\n` and `\r`),
/// and the bytes after the last one, if any.
fn line_breaks(text: &str) -> (usize, Option<usize>) {
    let bytes = text.as_bytes();
    let mut breaks = 0;
    let mut after_last = None;
    for (i, byte) in bytes.iter().enumerate() {
        let ends_line = *byte == b'\n' || (*byte == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        if ends_line {
            breaks += 1;
            after_last = Some(bytes.len() - i - 1);
        }
    }
    (breaks, after_last)
}

/// Splits `text` (which starts at document offset `base`) into chunks and parses them.
/// Chunks listed in `reusable` as (new start, length, chunk) are kept without parsing when a
/// piece matches them exactly; the `edited` tree is reused for the piece it belongs to.
/// Returns the chunks (with absolute starts) and whether the last one is open.
fn build_chunks(
    parser: &mut Parser,
    text: &str,
    base: usize,
    at_document_start: bool,
    reusable: &[(usize, usize, &Chunk)],
    edited: Option<&EditedTree>,
    keep_tree_min_bytes: usize,
) -> (Vec<Chunk>, bool) {
    let (mut bounds, ends_clean) = chunks::split_points(text, at_document_start);
    bounds.insert(0, 0);
    bounds.push(text.len());
    bounds.dedup();
    let mut result = Vec::with_capacity(bounds.len());
    let mut i = 0;
    while i + 1 < bounds.len() {
        let (piece_start, mut piece_end) = (bounds[i], bounds[i + 1]);
        let absolute = base + piece_start;
        if let Some((_, _, old)) = reusable
            .iter()
            .find(|(s, l, _)| *s == absolute && *l == piece_end - piece_start)
        {
            result.push(Chunk {
                start: absolute,
                len: old.len,
                tree: old.tree.clone(),
                blocks: old.blocks.clone(),
                open: old.open,
            });
            if old.open {
                return (result, true);
            }
            i += 1;
            continue;
        }
        let mut piece = &text[piece_start..piece_end];
        let terminated = piece.ends_with('\n') || piece.ends_with('\r');
        let old_tree = edited
            .filter(|e| {
                e.start == absolute && e.new_len == piece.len() && e.terminated == terminated
            })
            .map(|e| &e.tree);
        let Some(syntax::Parsed {
            mut tree,
            mut words_joined,
        }) = syntax::parse(parser, piece, old_tree)
        else {
            break;
        };
        // Error recovery may reach past the piece, so a piece with a syntax error is treated
        // like an open one.
        let mut open = syntax::ends_open(&tree, piece) || tree.root_node().has_error();
        if open && piece_end < text.len() {
            // Everything after an unclosed fence belongs to it: parse the rest as one chunk.
            piece_end = text.len();
            piece = &text[piece_start..piece_end];
            let Some(whole) = syntax::parse(parser, piece, None) else {
                break;
            };
            (tree, words_joined) = (whole.tree, whole.words_joined);
            open = true;
        }
        let blocks = syntax::extract_blocks(&tree, piece);
        result.push(Chunk {
            start: absolute,
            len: piece.len(),
            tree: (piece.len() >= keep_tree_min_bytes && words_joined).then_some(tree),
            blocks,
            open,
        });
        if open {
            return (result, true);
        }
        i += 1;
    }
    // A scanner still inside a fence or raw HTML block at the end would not cut here either.
    (result, !ends_clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh_blocks(text: &str) -> Vec<Block> {
        syntax::parse_whole(text)
    }

    fn assert_consistent(doc: &Document) {
        let text = doc.text();
        let blocks: Vec<Block> = doc.blocks().collect();
        assert_eq!(
            blocks,
            fresh_blocks(&text),
            "blocks differ from a whole parse of {text:?}"
        );
        assert_eq!(
            doc.chunk_starts(),
            Document::new(&text, doc.format()).chunk_starts()
        );
    }

    #[test]
    fn typing_in_a_paragraph_keeps_blocks_equal_to_a_fresh_parse() {
        let mut doc = Document::new(
            "# Tittel\n\nFørste avsnitt.\n\nAndre avsnitt.\n",
            TextFormat::Markdown,
        );
        let at = "# Tittel\n\nFørste".len();
        doc.edit(at..at, " lange");
        assert_consistent(&doc);
        assert!(doc.text().contains("Første lange avsnitt."));
    }

    #[test]
    fn typing_words_in_a_paragraph_needs_no_parse_but_a_pipe_does() {
        let text = "# Tittel\n\nFørste avsnitt.\n|---|---|\n\nAndre.\n";
        let mut doc = Document::new(text, TextFormat::Markdown);
        let mut at = "# Tittel\n\nFørste".len();
        for key in [" ", "l", "a", "n", "g", "e"] {
            doc.edit(at..at, key);
            at += key.len();
            assert_consistent(&doc);
        }
        assert_eq!(doc.parsed_edits(), 0);
        assert!(doc.text().contains("Første lange avsnitt."));
        let has_table = |doc: &Document| doc.blocks().any(|b| b.kind == BlockKind::TableRow);
        assert!(!has_table(&doc));
        // A pipe in the line before a two-column delimiter row makes it a table header.
        doc.edit(at..at, " | b");
        assert_consistent(&doc);
        assert_eq!(doc.parsed_edits(), 1);
        assert!(has_table(&doc));
    }

    #[test]
    fn opening_and_closing_a_fence_reparses_the_rest() {
        let mut doc = Document::new("Tekst\n\nMer tekst\n\nSlutt\n", TextFormat::Markdown);
        doc.edit(0..0, "```\n");
        assert_consistent(&doc);
        assert_eq!(doc.chunk_count(), 1);
        doc.edit(0..4, "");
        assert_consistent(&doc);
        assert_eq!(doc.chunk_count(), 3);
    }

    #[test]
    fn deleting_a_blank_line_merges_chunks() {
        let mut doc = Document::new("En\n\nTo\n\nTre\n", TextFormat::Markdown);
        doc.edit(2..4, " ");
        assert_consistent(&doc);
        assert_eq!(doc.text(), "En To\n\nTre\n");
    }

    #[test]
    fn edits_past_the_end_clamp() {
        let mut doc = Document::new("abc", TextFormat::PlainText);
        doc.edit(10..20, "d");
        assert_eq!(doc.text(), "abcd");
        doc.edit(0..100, "");
        assert_eq!(doc.text(), "");
        doc.edit(0..0, "ny\n\ntekst");
        assert_consistent(&doc);
    }
}
