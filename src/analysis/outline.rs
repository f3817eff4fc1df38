//! The outline: which blocks are headings, and the sections they open.
//!
//! Markdown headings are headings. In plain text, a short line standing alone without closing
//! punctuation is one, and so is a short first line directly followed by a capitalised line (a
//! heading written without a blank line after it). In Markdown, a paragraph that is one line
//! of bold text counts too. Code and HTML blocks in Markdown are not read.

use std::ops::Range;
use std::sync::Arc;

use super::extract::BlockFacts;
use super::lexicon::Concept;
use crate::document::{Block, BlockKind, TextFormat};

/// A block the analysis reads, with its facts and its place in the outline.
#[derive(Debug, Clone)]
pub struct OutlineBlock {
    /// The block, with absolute ranges.
    pub block: Block,
    /// Its facts (ranges relative to `block.content.start`).
    pub facts: Arc<BlockFacts>,
    /// Absolute range of the heading text when the block is or starts with a heading.
    pub heading: Option<Range<usize>>,
    /// Index of the section the block belongs to.
    pub section: usize,
}

impl OutlineBlock {
    /// An absolute range from a range relative to the block's content.
    pub fn absolute(&self, relative: &Range<usize>) -> Range<usize> {
        let base = self.block.content.start;
        base + relative.start..base + relative.end
    }
}

/// A section: a heading and the blocks up to the next heading.
#[derive(Debug, Clone, Default)]
pub struct Section {
    /// Absolute range of the heading text (`None` for text before the first heading).
    pub heading: Option<Range<usize>>,
    /// Heading level (1-6; plain-text headings count as 2).
    pub level: u8,
    /// Index of the first block.
    pub first_block: usize,
    /// The heading names the person's rights.
    pub rights: bool,
    /// The heading is about storage periods.
    pub retention: bool,
}

/// The outline of a document.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    /// The blocks the analysis reads, in order.
    pub blocks: Vec<OutlineBlock>,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

impl Outline {
    /// The first heading of the document, if any.
    pub fn first_heading(&self) -> Option<Range<usize>> {
        self.blocks.iter().find_map(|b| b.heading.clone())
    }

    /// The section a block belongs to.
    pub fn section_of(&self, block: usize) -> &Section {
        &self.sections[self.blocks[block].section]
    }
}

fn heading_of(block: &Block, facts: &BlockFacts, format: TextFormat) -> Option<(Range<usize>, u8)> {
    match block.kind {
        BlockKind::Heading => Some((block.content.clone(), block.level)),
        BlockKind::Paragraph if !block.in_list => match format {
            TextFormat::Markdown => facts.bold_line.then(|| (block.content.clone(), 3)),
            TextFormat::PlainText => {
                let line = facts.heading_line.as_ref()?;
                let base = block.content.start;
                if facts.single_line || (facts.second_line_capitalised && line.len() <= 60) {
                    Some((base + line.start..base + line.end, 2))
                } else {
                    None
                }
            }
        },
        _ => None,
    }
}

/// Whether the analysis reads a block of this kind in this format.
pub fn is_read(kind: BlockKind, format: TextFormat) -> bool {
    format == TextFormat::PlainText || !matches!(kind, BlockKind::FencedCode | BlockKind::Html)
}

/// Builds the outline from blocks and their facts.
pub fn build(blocks: Vec<(Block, Arc<BlockFacts>)>, format: TextFormat) -> Outline {
    let mut outline = Outline {
        blocks: Vec::with_capacity(blocks.len()),
        sections: vec![Section::default()],
    };
    for (block, facts) in blocks {
        let heading = heading_of(&block, &facts, format);
        if let Some((range, level)) = &heading {
            let base = block.content.start;
            let in_heading = |concept: Concept| {
                facts
                    .affirmed(concept)
                    .any(|m| base + m.range.start >= range.start && base + m.range.end <= range.end)
            };
            outline.sections.push(Section {
                heading: Some(range.clone()),
                level: *level,
                first_block: outline.blocks.len(),
                rights: in_heading(Concept::RightsHeading),
                retention: in_heading(Concept::RetentionHeading),
            });
        }
        let section = outline.sections.len() - 1;
        outline.blocks.push(OutlineBlock {
            block,
            facts,
            heading: heading.map(|(r, _)| r),
            section,
        });
    }
    outline
}
