//! Directives written in the policy itself: `<!-- privacy-lsp: ignore rule-id -->` silences
//! rules for the next block, `ignore-file` for the whole file, and `language nn` reads the
//! file in a language. In plain text the same words stand on a line of their own, optionally
//! in brackets: `[privacy-lsp: ignore retention-vague]`.
//!
//! Several rule ids may be given, separated by spaces or commas; `all` stands for every rule.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use rustc_hash::FxHashSet;

use super::language::Language;
use crate::document::{Block, BlockKind, Document, TextFormat};

/// The directives of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directives {
    /// Rules silenced in the whole file.
    pub file: Vec<String>,
    /// Rules silenced in a block: the block's range and the rules.
    pub blocks: Vec<(Range<usize>, Vec<String>)>,
    /// The language the file asks to be read in.
    pub language: Option<Language>,
    /// Where each directive is, for the outline of what was decided.
    pub ranges: Vec<Range<usize>>,
}

impl Directives {
    /// Whether a block holds nothing but directives (it is then not read as text).
    pub fn is_directive_block(&self, block: &Range<usize>) -> bool {
        self.ranges
            .iter()
            .any(|r| r.start <= block.start && block.end <= r.end)
    }

    /// Whether a finding of `rule` at `range` is silenced.
    pub fn silences(&self, rule: &str, range: &Range<usize>) -> bool {
        let names = |rules: &[String]| rules.iter().any(|r| r == rule || r == "all");
        names(&self.file)
            || self.blocks.iter().any(|(block, rules)| {
                names(rules) && block.start <= range.start && range.start <= block.end
            })
    }
}

fn pattern(format: TextFormat) -> &'static Regex {
    static MARKDOWN: OnceLock<Regex> = OnceLock::new();
    static PLAIN: OnceLock<Regex> = OnceLock::new();
    match format {
        TextFormat::Markdown => MARKDOWN.get_or_init(|| {
            Regex::new(r"<!--\s*privacy-lsp:\s*(ignore-file|ignore|language)\b([^>]*?)-->")
                .expect("directive pattern compiles")
        }),
        TextFormat::PlainText => PLAIN.get_or_init(|| {
            Regex::new(
                r"(?m)^[ \t]*(?:\[|#+[ \t]*|//[ \t]*)?privacy-lsp:[ \t]*(ignore-file|ignore|language)\b([^\]\n]*)\]?[ \t]*$",
            )
            .expect("directive pattern compiles")
        }),
    }
}

/// Whether a block can hold a directive: an HTML block in Markdown, any block in text.
fn may_hold(block: &Block, format: TextFormat) -> bool {
    match format {
        TextFormat::Markdown => block.kind == BlockKind::Html,
        TextFormat::PlainText => true,
    }
}

/// The directives in `document`.
pub fn find(document: &Document) -> Directives {
    find_remembering(document, &mut FxHashSet::default())
}

/// The directives in `document`; `clean` holds the hashes of blocks known to hold none, so
/// that a keystroke re-reads only the blocks it changed.
pub fn find_remembering(document: &Document, clean: &mut FxHashSet<u64>) -> Directives {
    let format = document.format();
    let mut directives = Directives::default();
    let blocks: Vec<Block> = document.blocks().collect();
    for (index, block) in blocks.iter().enumerate() {
        if !may_hold(block, format) || clean.contains(&block.hash) {
            continue;
        }
        let text = document.slice(block.range.clone());
        if !text.contains("privacy-lsp:") {
            clean.insert(block.hash);
            continue;
        }
        for caps in pattern(format).captures_iter(&text) {
            let (Some(whole), Some(kind), Some(args)) = (caps.get(0), caps.get(1), caps.get(2))
            else {
                continue;
            };
            let words: Vec<String> = args
                .as_str()
                .split([' ', ',', '\t'])
                .map(|w| w.trim().to_ascii_lowercase())
                .filter(|w| !w.is_empty())
                .collect();
            directives
                .ranges
                .push(block.range.start + whole.start()..block.range.start + whole.end());
            match kind.as_str() {
                "ignore-file" => directives.file.extend(words),
                "ignore"
                    if format == TextFormat::PlainText
                        && !text[whole.end()..].trim().is_empty() =>
                {
                    // A directive line that opens a block of text: that block.
                    directives.blocks.push((block.range.clone(), words));
                }
                "ignore" => {
                    // The next block that is not itself a directive.
                    let next = blocks
                        .get(index + 1..)
                        .unwrap_or(&[])
                        .iter()
                        .find(|b| !(may_hold(b, format) && format == TextFormat::Markdown));
                    if let Some(next) = next {
                        directives.blocks.push((next.range.clone(), words));
                    }
                }
                _ => {
                    if let Some(language) = words.first().and_then(|w| Language::from_code(w)) {
                        directives.language = Some(language);
                    }
                }
            }
        }
    }
    directives
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_comments_silence_the_next_block_or_the_file() {
        let text = "# Personvern\n\n<!-- privacy-lsp: ignore retention-vague, right-objection -->\n\
Vi lagrer så lenge det er nødvendig.\n\nAnnet avsnitt.\n\n\
<!-- privacy-lsp: ignore-file dpo-contact -->\n\n<!-- privacy-lsp: language nn -->\n";
        let document = Document::new(text, TextFormat::Markdown);
        let directives = find(&document);
        assert_eq!(directives.file, ["dpo-contact"]);
        assert_eq!(directives.language, Some(Language::Nn));
        let paragraph = text.find("Vi lagrer").unwrap_or(0);
        assert!(directives.silences("retention-vague", &(paragraph + 3..paragraph + 9)));
        assert!(directives.silences("right-objection", &(paragraph..paragraph)));
        let other = text.find("Annet").unwrap_or(0);
        assert!(!directives.silences("retention-vague", &(other..other + 3)));
        assert!(directives.silences("dpo-contact", &(0..0)));
        assert_eq!(directives.ranges.len(), 3);
    }

    #[test]
    fn plain_text_lines_and_no_directive_in_prose() {
        let text = "Personvern\n\n[privacy-lsp: ignore-file all]\n\nVi skriver privacy-lsp: ignore x midt i en setning.\n";
        let directives = find(&Document::new(text, TextFormat::PlainText));
        assert_eq!(directives.file, ["all"]);
        assert!(directives.silences("anything", &(5..6)));
        let prose = "# Tittel\n\nVi skriver privacy-lsp: ignore x her.\n";
        assert_eq!(
            find(&Document::new(prose, TextFormat::Markdown)),
            Directives::default()
        );
    }
}
