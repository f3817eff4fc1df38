//! Coverage of the Art. 13/14 items (`knowledge::items()`): which the whole policy gives, and
//! which each section speaks to, for the outline ("Rettigheter · art. 15–22") and the
//! "Art. 13: 11 of 14 items" lens.
//!
//! An item is missing from the policy when a finding of one of its rules stands; a section
//! covers an item when one of its blocks carries one of the item's marks.

use std::ops::Range;

use super::Analysis;
use super::extract::BlockFacts;
use super::lexicon::Concept;
use crate::document::Document;
use crate::knowledge::{self, Item};

/// How much of Art. 13/14 the policy gives.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// How many items there are.
    pub total: usize,
    /// The items a finding says are missing or incomplete, in order.
    pub missing: Vec<&'static Item>,
}

impl Coverage {
    /// How many items the policy gives.
    pub fn given(&self) -> usize {
        self.total - self.missing.len()
    }
}

/// The policy's coverage of the Art. 13/14 items.
pub fn coverage(analysis: &Analysis) -> Coverage {
    let items = knowledge::items();
    let missing = items
        .iter()
        .filter(|item| {
            analysis
                .findings
                .iter()
                .any(|f| item.rules.iter().any(|r| r == f.rule))
        })
        .collect();
    Coverage {
        total: items.len(),
        missing,
    }
}

/// Whether a block carries `mark`: a lexicon concept's key or the name of a fact.
fn has_mark(facts: &BlockFacts, mark: &str) -> bool {
    match mark {
        "email" => !facts.emails.is_empty(),
        "phone" => !facts.phones.is_empty(),
        "address" => !facts.addresses.is_empty(),
        "controller_name" => !facts.controller_names.is_empty(),
        "basis_ref" => !facts.basis_refs.is_empty(),
        "period" => !facts.periods.is_empty() && !facts.cookie_context,
        "processor" => facts.processors.iter().any(|p| !p.negated),
        "authority" => !facts.authorities.is_empty(),
        key => Concept::ALL
            .iter()
            .find(|c| c.key() == key)
            .is_some_and(|c| facts.has(*c)),
    }
}

/// A section of the outline, with the items it speaks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionSymbol {
    /// The heading text, then the items' citations: "Dine rettigheter · art. 15–22, 77".
    pub name: String,
    /// The items' names, in the document's language.
    pub detail: String,
    /// From the heading to the end of the section's last block (subsections included).
    pub range: Range<usize>,
    /// The heading.
    pub heading: Range<usize>,
    /// Heading level.
    pub level: u8,
    /// Subsections.
    pub children: Vec<SectionSymbol>,
}

/// The heading's text without Markdown markers, its white space collapsed.
pub fn heading_text(document: &Document, range: &Range<usize>) -> String {
    let text = document.slice(range.clone());
    let text = text.trim().trim_start_matches('#').trim();
    let text = text.trim_end_matches('#').trim();
    let text = text.trim_matches('*').trim_matches('_').trim();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The outline as nested sections, each labelled with the Art. 13/14 items it covers. Text
/// before the first heading is left out.
pub fn symbols(document: &Document, analysis: &Analysis) -> Vec<SectionSymbol> {
    let outline = &analysis.outline;
    let language = analysis.facts.language.code();
    let mut flat = Vec::new();
    for (index, section) in outline.sections.iter().enumerate() {
        let Some(heading) = section.heading.clone() else {
            continue;
        };
        let last_block = outline
            .sections
            .get(index + 1)
            .map_or(outline.blocks.len(), |next| next.first_block);
        let blocks = outline
            .blocks
            .get(section.first_block..last_block)
            .unwrap_or(&[]);
        let end = blocks
            .last()
            .map_or(heading.end, |b| b.block.content.end.max(heading.end));
        let covered: Vec<&Item> = knowledge::items()
            .iter()
            .filter(|item| {
                blocks
                    .iter()
                    .any(|b| item.marks.iter().any(|m| has_mark(&b.facts, m)))
            })
            .collect();
        let mut cites: Vec<&str> = Vec::new();
        for item in &covered {
            if !cites.contains(&item.cite.as_str()) {
                cites.push(&item.cite);
            }
        }
        let title = heading_text(document, &heading);
        let name = if cites.is_empty() {
            title
        } else {
            format!("{title} · art. {}", cites.join(", "))
        };
        flat.push(SectionSymbol {
            name,
            detail: covered
                .iter()
                .map(|i| i.name(language))
                .collect::<Vec<_>>()
                .join(", "),
            range: document.line_start(heading.start)..end,
            heading,
            level: section.level,
            children: Vec::new(),
        });
    }
    nest(flat)
}

/// Nests sections by heading level: a section holds the deeper ones that follow it.
fn nest(flat: Vec<SectionSymbol>) -> Vec<SectionSymbol> {
    let mut roots: Vec<SectionSymbol> = Vec::new();
    let mut stack: Vec<SectionSymbol> = Vec::new();
    for section in flat {
        while stack.last().is_some_and(|open| open.level >= section.level) {
            close(&mut stack, &mut roots);
        }
        stack.push(section);
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    roots
}

fn close(stack: &mut Vec<SectionSymbol>, roots: &mut Vec<SectionSymbol>) {
    let Some(done) = stack.pop() else {
        return;
    };
    match stack.last_mut() {
        Some(parent) => {
            parent.range.end = parent.range.end.max(done.range.end);
            parent.children.push(done);
        }
        None => roots.push(done),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Options, analyze};
    use crate::document::TextFormat;

    const POLICY: &str = "# Personvernerklæring\n\n\
Eksempel AS er behandlingsansvarlig. Kontakt oss på post@eksempel.example.\n\n\
## Dine rettigheter\n\n\
Du har rett til innsyn, retting og sletting.\n\n\
### Klage\n\n\
Du kan klage til Datatilsynet.\n\n\
## Lagring\n\n\
Vi lagrer opplysningene i 3 år.\n";

    #[test]
    fn sections_nest_and_name_their_items() {
        let document = Document::new(POLICY, TextFormat::Markdown);
        let analysis = analyze(&document, &Options::default());
        let symbols = symbols(&document, &analysis);
        assert_eq!(symbols.len(), 1);
        let root = &symbols[0];
        assert_eq!(root.name, "Personvernerklæring · art. 13(1)(a)");
        assert_eq!(root.range, 0..POLICY.trim_end().len());
        let names: Vec<_> = root.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["Dine rettigheter · art. 15–22", "Lagring · art. 13(2)(a)"]
        );
        assert_eq!(root.children[0].children[0].name, "Klage · art. 77");
        assert_eq!(
            root.children[0].children[0].detail,
            "klage til tilsynsmyndighet"
        );
    }

    #[test]
    fn coverage_counts_items_without_findings() {
        let document = Document::new(POLICY, TextFormat::Markdown);
        let analysis = analyze(&document, &Options::default());
        let coverage = coverage(&analysis);
        assert_eq!(coverage.total, 14);
        let missing: Vec<_> = coverage.missing.iter().map(|i| i.id.as_str()).collect();
        assert!(missing.contains(&"purposes"), "{missing:?}");
        assert!(missing.contains(&"rights"), "{missing:?}");
        assert!(!missing.contains(&"complaint"), "{missing:?}");
        assert!(!missing.contains(&"contact"), "{missing:?}");
        assert_eq!(coverage.given() + coverage.missing.len(), 14);
    }
}
