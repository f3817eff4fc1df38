//! Markdown block structure from tree-sitter-md: parsing one piece of text and picking the
//! blocks the analysis reads out of its tree with `queries/blocks.scm`.
//!
//! Invariant: block ranges are byte ranges into the parsed text, trimmed of trailing white
//! space, always on character boundaries, and listed in document order.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::OnceLock;

use rustc_hash::FxHasher;
use tree_sitter::{Language, Node, Parser, Tree};

/// The query that selects blocks: one-node patterns, read by [`block_patterns`].
pub const BLOCKS_QUERY: &str = include_str!("../../queries/blocks.scm");

/// What kind of block a piece of the document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockKind {
    /// An ATX or setext heading.
    Heading,
    /// A paragraph, also inside list items and block quotes.
    Paragraph,
    /// A table header or body row.
    TableRow,
    /// An indented code block.
    Code,
    /// A fenced code block.
    FencedCode,
    /// An HTML block (comments included).
    Html,
}

/// One block of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The kind of block.
    pub kind: BlockKind,
    /// Byte range of the whole block, trailing white space trimmed.
    pub range: Range<usize>,
    /// Byte range of the text to read: the heading text without its markers, else `range`.
    pub content: Range<usize>,
    /// Heading level 1-6, or 0 for other blocks.
    pub level: u8,
    /// Whether the block sits inside a list item.
    pub in_list: bool,
    /// Hash of the kind and content text: equal hashes mean equal facts.
    pub hash: u64,
}

impl Block {
    /// The same block moved by `offset` bytes.
    pub fn shifted(&self, offset: usize) -> Block {
        Block {
            range: self.range.start + offset..self.range.end + offset,
            content: self.content.start + offset..self.content.end + offset,
            ..self.clone()
        }
    }
}

/// The tree-sitter Markdown block grammar.
pub fn language() -> Language {
    tree_sitter_md::LANGUAGE.into()
}

/// The block kind of a capture name in `queries/blocks.scm`.
pub fn capture_kind(name: &str) -> Option<BlockKind> {
    Some(match name {
        "heading" => BlockKind::Heading,
        "paragraph" => BlockKind::Paragraph,
        "table_row" => BlockKind::TableRow,
        "code" => BlockKind::Code,
        "fenced_code" => BlockKind::FencedCode,
        "html" => BlockKind::Html,
        _ => return None,
    })
}

/// The patterns of `queries/blocks.scm` as (node kind, capture name) pairs. The file holds
/// only patterns of one node and one capture, `(kind) @capture`, one per line, and comments;
/// any other line is an error naming it.
pub fn block_patterns(query: &str) -> Result<Vec<(&str, &str)>, String> {
    let mut patterns = Vec::new();
    for line in query.lines() {
        let line = line.split(';').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let pattern = line
            .strip_prefix('(')
            .and_then(|rest| rest.split_once(')'))
            .and_then(|(kind, capture)| Some((kind.trim(), capture.trim().strip_prefix('@')?)))
            .filter(|(kind, capture)| {
                let is_name = |s: &str| {
                    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                };
                is_name(kind) && is_name(capture)
            });
        match pattern {
            Some(pattern) => patterns.push(pattern),
            None => return Err(format!("not a `(kind) @capture` pattern: {line}")),
        }
    }
    Ok(patterns)
}

/// What the block walk needs to know of a node kind id.
struct NodeKinds {
    /// The block kind of each node kind id that `queries/blocks.scm` captures, indexed by id.
    blocks: Vec<Option<BlockKind>>,
    /// The id of `list_item`, whose descendants are in a list.
    list_item: u16,
}

/// The node kinds of the block walk. Reading the query's one-node patterns as a table and
/// walking the tree spares the 8.5 M-instruction analysis that `tree_sitter::Query::new`
/// runs over the grammar at startup; a test holds the walk to tree-sitter's own query
/// matches.
fn node_kinds() -> &'static NodeKinds {
    static KINDS: OnceLock<NodeKinds> = OnceLock::new();
    KINDS.get_or_init(|| {
        let language = language();
        let mut blocks = vec![None; language.node_kind_count()];
        // The query is a constant of this crate; a unit test reads every line of it.
        for (kind, capture) in block_patterns(BLOCKS_QUERY).unwrap_or_default() {
            let id = usize::from(language.id_for_node_kind(kind, true));
            if let (Some(slot), Some(block_kind)) = (blocks.get_mut(id), capture_kind(capture)) {
                *slot = Some(block_kind);
            }
        }
        NodeKinds {
            blocks,
            list_item: language.id_for_node_kind("list_item", true),
        }
    })
}

/// A new parser for the block grammar.
pub fn new_parser() -> Parser {
    let mut parser = Parser::new();
    // Setting a grammar fails only on an ABI mismatch, which the pinned versions rule out.
    parser
        .set_language(&language())
        .expect("tree-sitter-md matches the tree-sitter ABI");
    parser
}

/// A parsed piece of text.
pub struct Parsed {
    /// The block tree.
    pub tree: Tree,
    /// Whether the parser read the text with words joined (see [`parser_view`]). Only such a
    /// tree may be handed to [`parse`] again as the old tree: the view of its text is what the
    /// next parse reads everywhere the edit does not reach.
    pub words_joined: bool,
}

/// Parses `text`, reusing `old` (already edited, and parsed with words joined) when given.
/// The parser reads [`parser_view`] of the text, which has the same block structure and byte
/// offsets; a tree with a syntax error is parsed again from the verbatim text, since error
/// recovery weighs the number of tokens. A final line without a line break is parsed as if it
/// had one, since tree-sitter-md needs it to close the last block. `None` only if the parser
/// was cancelled, which this crate never does.
pub fn parse(parser: &mut Parser, text: &str, old: Option<&Tree>) -> Option<Parsed> {
    let tree = parse_view(parser, parser_view(text, true), old)?;
    if !tree.root_node().has_error() {
        return Some(Parsed {
            tree,
            words_joined: true,
        });
    }
    let tree = parse_view(parser, parser_view(text, false), None)?;
    Some(Parsed {
        tree,
        words_joined: false,
    })
}

/// Like [`parse`], without joining words: the reference that tests hold [`parse`] to.
#[doc(hidden)]
pub fn parse_verbatim(parser: &mut Parser, text: &str, old: Option<&Tree>) -> Option<Tree> {
    parse_view(parser, parser_view(text, false), old)
}

fn parse_view(parser: &mut Parser, view: Cow<'_, str>, old: Option<&Tree>) -> Option<Tree> {
    if view.is_empty() || view.ends_with('\n') || view.ends_with('\r') {
        return parser.parse(view.as_ref(), old);
    }
    let mut view = view.into_owned();
    view.push('\n');
    parser.parse(&view, old)
}

/// The widest line prefix (indentation, quote and list markers), in columns, that the parser
/// sees. tree-sitter-md's scanner aborts the whole process (a C assertion, not a panic) when
/// its serialised state outgrows 1 KB, which a few hundred nested lists or quotes do. Beyond
/// this width the rest of a prefix is handed to the parser as text ('x'), so nesting stops
/// there; byte offsets are unchanged, so the tree still maps onto the real text.
const MAX_PREFIX_COLUMNS: usize = 200;

/// A byte of a word: an ASCII letter or digit, or any byte of a non-ASCII character.
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte >= 0x80
}

/// Whether a line (with or without its line break) holds only white space.
fn is_blank(line: &[u8]) -> bool {
    line.iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Whether structure may turn on the words of a region that holds `line`: HTML blocks, link
/// reference definitions, table rows and fence info strings read on past a line's start,
/// and each holds one of these bytes somewhere in its region.
fn holds_structure_marks(line: &[u8]) -> bool {
    line.iter()
        .any(|b| matches!(b, b'<' | b'[' | b'|' | b'`' | b'~'))
}

/// The lines of `bytes` from `from`: (start, end) with `end` past the line break.
fn lines_from(bytes: &[u8], from: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = from;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |n| start + n + 1);
        let line = (start, end);
        start = end;
        Some(line)
    })
}

/// The text as the parser reads it, byte for byte as long as `text`, with two changes:
///
/// - every line's prefix is cut to [`MAX_PREFIX_COLUMNS`];
/// - with `join_words`, a space between two words ("du har", or "navn, adresse"), and then
///   a punctuation mark between two words ("e-post", "navn,xadresse"), reads as a letter,
///   within regions (lines between blank lines) that hold none of `<`, `[`, `|`,
///   `` ` `` and `~`. The block grammar reads a paragraph line one token per word, space and
///   punctuation mark, at some 5,000 instructions a token, and most of a policy is such
///   lines: joined, the seeds parse 2.7 to 3 times faster (`cargo bench --bench analysis --
///   block_parse`). Block structure never turns on such a byte there: block markers, fences,
///   thematic breaks and setext underlines are punctuation at the start of a line or a whole
///   line of it, and a list marker ends in
///   `.`, `)` or a bullet. The constructs that read on into their lines (HTML blocks, link
///   reference definitions, table rows, fence info strings) hold one of the excluded bytes in
///   their region. Error recovery, which counts tokens, is the exception: [`parse`] reparses a
///   tree with an error from the verbatim text. Tests hold the named nodes of the tree to
///   those of the verbatim text.
///
/// Borrowed when nothing changes.
pub fn parser_view(text: &str, join_words: bool) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut view: Option<Vec<u8>> = None;
    for (line_start, line_end) in lines_from(bytes, 0) {
        let mut column = 0;
        for (i, &byte) in bytes[line_start..line_end].iter().enumerate() {
            match byte {
                b' ' | b'>' | b'-' | b'*' | b'+' | b'.' | b')' | b'0'..=b'9' => column += 1,
                b'\t' => column += 4 - column % 4,
                _ => break,
            }
            if column > MAX_PREFIX_COLUMNS {
                if let Some(slot) = view
                    .get_or_insert_with(|| bytes.to_vec())
                    .get_mut(line_start + i)
                {
                    *slot = b'x';
                }
            }
        }
    }
    if join_words {
        let mut region_start = 0;
        let mut region_clean = true;
        for (line_start, line_end) in lines_from(bytes, 0) {
            let line = &bytes[line_start..line_end];
            if is_blank(line) {
                if region_clean {
                    join_words_in(bytes, region_start..line_start, &mut view);
                }
                (region_start, region_clean) = (line_end, true);
            } else if region_clean && holds_structure_marks(line) {
                region_clean = false;
            }
        }
        if region_clean {
            join_words_in(bytes, region_start..bytes.len(), &mut view);
        }
    }
    match view.map(String::from_utf8) {
        Some(Ok(owned)) => Cow::Owned(owned),
        _ => Cow::Borrowed(text),
    }
}

/// Writes 'x' into `view` (a copy of `bytes`, made on the first change) for every space in
/// `region` between two words, or after a word and a comma or semicolon and before a word;
/// then for every ASCII punctuation mark left between two words ("e-post", "10.10.2021",
/// and the comma of "navn, adresse").
fn join_words_in(bytes: &[u8], region: Range<usize>, view: &mut Option<Vec<u8>>) {
    // tree-sitter skips a byte order mark at the start of its input: not a word.
    let bom = if bytes.starts_with("\u{feff}".as_bytes()) {
        3
    } else {
        0
    };
    let word_at = |at: usize, byte: u8| at >= bom && is_word_byte(byte);
    let Some(text) = bytes.get(region.clone()) else {
        return;
    };
    for i in memchr::memchr_iter(b' ', text) {
        let at = region.start + i;
        let word = |j: usize| j < bytes.len() && word_at(j, bytes[j]);
        let word_before = match at.checked_sub(1).map(|j| bytes[j]) {
            Some(b',' | b';') => at.checked_sub(2).is_some_and(word),
            Some(_) => word(at - 1),
            None => false,
        };
        if word_before && at + 1 < region.end && word(at + 1) {
            view.get_or_insert_with(|| bytes.to_vec())[at] = b'x';
        }
    }
    for at in region.start + 1..region.end.saturating_sub(1) {
        let read = |j: usize| view.as_ref().map_or(bytes[j], |joined| joined[j]);
        if bytes[at].is_ascii_punctuation()
            && word_at(at - 1, read(at - 1))
            && word_at(at + 1, read(at + 1))
        {
            view.get_or_insert_with(|| bytes.to_vec())[at] = b'x';
        }
    }
}

/// The part of `text` whose [`parser_view`] an edit of `start..end` may change: from the
/// start of the region (lines between blank lines) before the line holding `start` to the
/// end of the region after the line holding `end`. A region's words are joined or not as a
/// whole, and an edit can merge the regions beside it, so both count. Ends at line breaks, or
/// at the ends of `text`.
pub fn view_changes_within(text: &str, start: usize, end: usize) -> Range<usize> {
    let bytes = text.as_bytes();
    let start = start.min(bytes.len());
    let end = end.clamp(start, bytes.len());
    // Back from the line before the one holding `start` to just after a blank line.
    let line_of_start = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |n| n + 1);
    let mut from = line_of_start;
    while from > 0 {
        let previous = memchr::memrchr(b'\n', &bytes[..from - 1]).map_or(0, |n| n + 1);
        if is_blank(&bytes[previous..from]) {
            break;
        }
        from = previous;
    }
    // On from the line after the one holding `end` to the start of a blank line.
    let line_of_end = memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |n| end + n + 1);
    let to = lines_from(bytes, line_of_end)
        .find(|(line_start, line_end)| is_blank(&bytes[*line_start..*line_end]))
        .map_or(bytes.len(), |(line_start, _)| line_start);
    from..to
}

/// The blocks of a whole text parsed in one go: the reference that the chunked document must
/// always equal.
pub fn parse_whole(text: &str) -> Vec<Block> {
    let mut parser = new_parser();
    parse(&mut parser, text, None)
        .map(|parsed| extract_blocks(&parsed.tree, text))
        .unwrap_or_default()
}

/// Like [`parse_whole`], with the parser reading the text without joined words (see
/// [`parser_view`]): the reference for tests.
#[doc(hidden)]
pub fn parse_whole_verbatim(text: &str) -> Vec<Block> {
    let mut parser = new_parser();
    parse_verbatim(&mut parser, text, None)
        .map(|tree| extract_blocks(&tree, text))
        .unwrap_or_default()
}

/// Moves a chunk's `blocks` over an edit that changed the text of paragraph `edited` and no
/// block structure (see `plain_edit`): the paragraph ends `shift` bytes later, before any
/// trailing white space, and gets the hash of its new text; blocks after it move by `shift`.
/// `text` is the chunk's new text. Gives the same blocks as [`extract_blocks`] on the edited
/// tree, without running the query over the chunk.
pub fn move_blocks_over_plain_edit(blocks: &mut [Block], edited: usize, shift: isize, text: &str) {
    let moved = |range: &Range<usize>| {
        range.start.saturating_add_signed(shift)..range.end.saturating_add_signed(shift)
    };
    let mut edited_end = 0;
    for (i, block) in blocks.iter_mut().enumerate() {
        match i.cmp(&edited) {
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => {
                let end = block.range.end.saturating_add_signed(shift);
                debug_assert!(block.range.start <= end, "an edit before its paragraph");
                block.range = trim_end(text, block.range.start..end);
                block.content = block.range.clone();
                block.hash =
                    content_hash(block.kind, text.get(block.content.clone()).unwrap_or(""));
                edited_end = end;
            }
            std::cmp::Ordering::Greater => {
                block.range = moved(&block.range);
                block.content = moved(&block.content);
                debug_assert!(
                    block.range.start >= edited_end,
                    "a block moved into the edit"
                );
            }
        }
    }
}

fn trim_end(text: &str, range: Range<usize>) -> Range<usize> {
    // The parse may have seen a line break appended to the text: clamp to the text.
    let range = range.start.min(text.len())..range.end.min(text.len());
    let slice = text.get(range.clone()).unwrap_or("");
    let trimmed = slice.trim_end();
    range.start..range.start + trimmed.len()
}

fn trim(text: &str, range: Range<usize>) -> Range<usize> {
    let range = trim_end(text, range);
    let slice = text.get(range.clone()).unwrap_or("");
    let lead = slice.len() - slice.trim_start().len();
    range.start + lead..range.end
}

fn heading_level(node: Node) -> u8 {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        let level = match child.kind() {
            "atx_h1_marker" | "setext_h1_underline" => 1,
            "atx_h2_marker" | "setext_h2_underline" => 2,
            "atx_h3_marker" => 3,
            "atx_h4_marker" => 4,
            "atx_h5_marker" => 5,
            "atx_h6_marker" => 6,
            _ => continue,
        };
        return level;
    }
    1
}

fn content_hash(kind: BlockKind, text: &str) -> u64 {
    let mut hasher = FxHasher::default();
    kind.hash(&mut hasher);
    text.hash(&mut hasher);
    hasher.finish()
}

/// The blocks of a parsed `text`, in document order, with ranges relative to `text`: the
/// nodes that `queries/blocks.scm` captures.
pub fn extract_blocks(tree: &Tree, text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    for_each_block_node(tree, |kind, node, in_list| {
        push_block(&mut blocks, kind, node, text, in_list);
    });
    blocks.sort_by_key(|b| (b.range.start, b.range.end));
    blocks.dedup_by(|a, b| a.range == b.range && a.kind == b.kind);
    blocks
}

/// Every node of `tree` that `queries/blocks.scm` captures, with its block kind and whether a
/// list item encloses it: the reference that tests hold to tree-sitter's query matches.
#[doc(hidden)]
pub fn block_nodes(tree: &Tree) -> Vec<(BlockKind, Range<usize>, bool)> {
    let mut nodes = Vec::new();
    for_each_block_node(tree, |kind, node, in_list| {
        nodes.push((kind, node.byte_range(), in_list));
    });
    nodes
}

/// Calls `found` with each node that `queries/blocks.scm` captures, in one walk over the tree:
/// its block kind, the node, and whether a list item encloses it.
fn for_each_block_node<'tree>(
    tree: &'tree Tree,
    mut found: impl FnMut(BlockKind, Node<'tree>, bool),
) {
    let kinds = node_kinds();
    let mut cursor = tree.walk();
    // The depth of the outermost list item above the cursor, while there is one.
    let mut outer_list_item: Option<u32> = None;
    loop {
        let node = cursor.node();
        if let Some(Some(kind)) = kinds.blocks.get(usize::from(node.kind_id())) {
            found(*kind, node, outer_list_item.is_some());
        }
        let depth = cursor.depth();
        if cursor.goto_first_child() {
            if node.kind_id() == kinds.list_item && outer_list_item.is_none() {
                outer_list_item = Some(depth);
            }
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
            if outer_list_item == Some(cursor.depth()) {
                outer_list_item = None;
            }
        }
    }
}

/// Adds the block of a captured `node` of `kind`, unless it is empty or the paragraph of a
/// setext heading (read through its heading).
fn push_block(blocks: &mut Vec<Block>, kind: BlockKind, node: Node, text: &str, in_list: bool) {
    if kind == BlockKind::Paragraph && node.parent().is_some_and(|p| p.kind() == "setext_heading") {
        return;
    }
    let range = trim_end(text, node.byte_range());
    if range.is_empty() {
        return;
    }
    let (content, level) = if kind == BlockKind::Heading {
        let content = node
            .child_by_field_name("heading_content")
            .map(|c| trim(text, c.byte_range()))
            .unwrap_or(range.start..range.start);
        (content, heading_level(node))
    } else {
        (range.clone(), 0)
    };
    let hash = content_hash(kind, text.get(content.clone()).unwrap_or(""));
    blocks.push(Block {
        kind,
        range,
        content,
        level,
        in_list,
        hash,
    });
}

/// An end marker that no line of text contains.
const NEVER_CLOSES: &str = "\u{0}\u{0}never";

/// The tags of raw HTML blocks (CommonMark type 1), with the text that ends each.
const HTML_RAW_TAGS: [(&str, &str); 4] = [
    ("pre", "</pre>"),
    ("script", "</script>"),
    ("style", "</style>"),
    ("textarea", "</textarea>"),
];

/// The end marker of a raw HTML block (CommonMark types 1-5, which blank lines do not end)
/// that `line` opens, if it opens one, with the byte length of the opener (the end marker is
/// looked for after it, so `<!-->` does not close itself). This follows tree-sitter-md, which after `<!` or `<!-`
/// goes on to look for a tag name (so `<!-pre>` opens a `<pre>` block), and errs on the side
/// of "open": a wrong "open" only makes a chunk larger.
pub fn html_raw_block_end(line: &str) -> Option<(usize, &'static str)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 || !trimmed.starts_with('<') {
        return None;
    }
    let lower: String = trimmed.chars().take(16).collect::<String>().to_lowercase();
    if lower.starts_with("<?") {
        return Some((2, "?>"));
    }
    if lower.starts_with("<!--") {
        return Some((4, "-->"));
    }
    if lower.starts_with("<![cdata[") {
        return Some((9, "]]>"));
    }
    let rest = lower
        .strip_prefix("<!-")
        .or_else(|| lower.strip_prefix("<!"))
        .or_else(|| lower.strip_prefix('<'))
        .unwrap_or("");
    for (tag, closer) in HTML_RAW_TAGS {
        if let Some(after) = rest.strip_prefix(tag) {
            if after.is_empty() || after.starts_with(['>', ' ', '\t']) {
                return Some((lower.len() - after.len(), closer));
            }
        }
    }
    if lower.starts_with("<!") && lower.as_bytes().get(2).is_some_and(u8::is_ascii_alphabetic) {
        // tree-sitter-md never ends this kind of block (CommonMark type 4) before the end of
        // the text, so nothing closes it here either.
        return Some((3, NEVER_CLOSES));
    }
    None
}

/// Whether the parse of a piece of text ends inside a construct that blank lines do not close
/// (an unclosed fenced code block or raw HTML block), so that the text after it would be read
/// differently when parsed together with this piece.
pub fn ends_open(tree: &Tree, text: &str) -> bool {
    let end = text.trim_end().len();
    let mut cursor = tree.walk();
    let mut node = tree.root_node();
    // Walk down the last child chain: only a block that reaches the end can be open there.
    loop {
        match node.kind() {
            "fenced_code_block" => {
                let mut walker = node.walk();
                let delimiters = node
                    .children(&mut walker)
                    .filter(|c| c.kind() == "fenced_code_block_delimiter")
                    .count();
                if delimiters < 2 {
                    return true;
                }
            }
            "html_block" => {
                let block = text.get(node.byte_range()).unwrap_or("");
                let first_line = block.lines().next().unwrap_or("");
                if let Some((opener_len, closer)) = html_raw_block_end(first_line) {
                    let lower = block.trim_start_matches(' ').to_lowercase();
                    let after_opener = lower.get(opener_len..).unwrap_or("");
                    if !after_opener.contains(closer) {
                        return true;
                    }
                }
            }
            _ => {}
        }
        let mut last = None;
        for child in node.children(&mut cursor) {
            if child.end_byte() >= end && child.start_byte() < end.max(1) {
                last = Some(child);
            }
        }
        match last {
            Some(child) => node = child,
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks_of(text: &str) -> Vec<(BlockKind, String)> {
        let mut parser = new_parser();
        let tree = parse(&mut parser, text, None).expect("parse").tree;
        extract_blocks(&tree, text)
            .into_iter()
            .map(|b| (b.kind, text[b.content].to_string()))
            .collect()
    }

    #[test]
    fn headings_paragraphs_lists_and_tables_are_blocks() {
        let text = "# Dine rettigheter\n\nDu har rett til innsyn.\n\n- retting\n- sletting\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";
        let blocks = blocks_of(text);
        assert_eq!(blocks[0], (BlockKind::Heading, "Dine rettigheter".into()));
        assert_eq!(
            blocks[1],
            (BlockKind::Paragraph, "Du har rett til innsyn.".into())
        );
        assert_eq!(blocks[2], (BlockKind::Paragraph, "retting".into()));
        assert_eq!(blocks[3], (BlockKind::Paragraph, "sletting".into()));
        assert_eq!(blocks[4].0, BlockKind::TableRow);
        assert_eq!(blocks.len(), 6);
    }

    #[test]
    fn the_last_line_without_a_line_break_is_a_block() {
        let blocks = blocks_of("Tekst.\n\nSist oppdatert: 08.12.23");
        assert_eq!(
            blocks.last(),
            Some(&(BlockKind::Paragraph, "Sist oppdatert: 08.12.23".into()))
        );
    }

    #[test]
    fn setext_heading_content_is_not_also_a_paragraph() {
        let blocks = blocks_of("Lagringstid\n===========\n\nTekst.\n");
        assert_eq!(blocks[0], (BlockKind::Heading, "Lagringstid".into()));
        assert_eq!(blocks.len(), 2);
    }

    #[test]
    fn unclosed_fences_and_comments_are_open() {
        let mut parser = new_parser();
        for (text, open) in [
            ("Tekst\n\n```\nkode\n", true),
            ("```\nkode\n```\n", false),
            ("<!--\nnotat\n", true),
            ("<!-- notat -->\n", false),
            ("Bare tekst.\n", false),
        ] {
            let tree = parse(&mut parser, text, None).expect("parse").tree;
            assert_eq!(ends_open(&tree, text), open, "{text:?}");
        }
    }

    #[test]
    fn deep_nesting_is_cut_instead_of_aborting_the_parser() {
        let nested: String = (0..3_000)
            .map(|depth| format!("{}- punkt {depth}\n", "  ".repeat(depth % 600)))
            .collect();
        let blocks = parse_whole(&nested);
        assert!(!blocks.is_empty());
        let quotes = format!("{}deep\n", "> ".repeat(5_000));
        assert!(!parse_whole(&quotes).is_empty());
        let flat = "# Title\n\n- a\n  - b\n";
        assert!(matches!(parser_view(flat, false), Cow::Borrowed(_)));
    }

    #[test]
    fn every_line_of_the_block_query_is_a_pattern_of_a_known_kind_and_capture() {
        let patterns = block_patterns(BLOCKS_QUERY).expect("queries/blocks.scm reads");
        assert_eq!(patterns.len(), 8);
        let language = language();
        for (kind, capture) in patterns {
            assert_ne!(language.id_for_node_kind(kind, true), 0, "{kind}");
            assert!(capture_kind(capture).is_some(), "{capture}");
        }
        assert_eq!(
            block_patterns("; note\n (paragraph)  @p ; why\n"),
            Ok(vec![("paragraph", "p")])
        );
        for not_one_node in [
            "(list (paragraph) @p)",
            "(paragraph)",
            "[(a) (b)] @x",
            "(a) @b @c",
        ] {
            assert!(block_patterns(not_one_node).is_err(), "{not_one_node}");
        }
    }

    #[test]
    fn the_parser_view_joins_words_only_where_structure_cannot_turn_on_them() {
        let text =
            "Du har rett, til innsyn.\n- a b\n1. æ ø\n\n[x]: /u\nt u\n\n| a |\nb c\n \nx  y\n";
        let view = parser_view(text, true);
        assert_eq!(
            view,
            "Duxharxrettxxtilxinnsyn.\n- axb\n1. æxø\n\n[x]: /u\nt u\n\n| a |\nb c\n \nx  y\n"
        );
        assert_eq!(parser_view("e-post 1.5 a.\n", true), "expostx1x5xa.\n");
        assert_eq!(parser_view("1.5 a\n", true), "1x5xa\n");
        assert_eq!(parser_view("e-post\n", true), "expost\n");
        // tree-sitter skips a leading byte order mark, so it is no word.
        assert_eq!(parser_view("\u{feff} 1. a b\n", true), "\u{feff} 1. axb\n");
        assert_eq!(view.len(), text.len());
        assert_eq!(parser_view(text, false), text);
        assert!(matches!(parser_view("- a\n", true), Cow::Borrowed(_)));
    }

    #[test]
    fn an_edit_may_change_the_view_of_its_regions_and_those_beside_it() {
        let text = "a b\nc d\n\ne f\n\ng h";
        // Inside a region: that region only.
        assert_eq!(view_changes_within(text, 9, 10), 9..13);
        // On a blank line, which the edit may fill: the regions on both sides.
        assert_eq!(view_changes_within(text, 8, 8), 0..13);
        assert_eq!(view_changes_within(text, 13, 13), 9..17);
        // Across a blank line, and at the ends.
        assert_eq!(view_changes_within(text, 2, 10), 0..13);
        assert_eq!(view_changes_within(text, 0, 0), 0..8);
        assert_eq!(view_changes_within(text, 17, 17), 14..17);
        assert_eq!(view_changes_within(text, 99, 99), 14..17);
    }
}
