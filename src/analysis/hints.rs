//! Inlay hints: after each processor mention, where its data go and on what basis
//! ("US · DPF+SCC"; "NO · EØS" for data that stay in the EEA; "valgt region" where the
//! customer chooses where data live).

use std::ops::Range;

use super::Analysis;
use crate::knowledge;

/// One inlay hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    /// The byte offset it follows.
    pub offset: usize,
    /// Its text.
    pub label: String,
    /// What it stands for, in words (tooltip).
    pub tooltip: String,
}

/// The hints for processor mentions inside `within`.
pub fn inlay_hints(analysis: &Analysis, within: Range<usize>) -> Vec<InlayHint> {
    let norwegian = analysis.facts.language.is_norwegian();
    analysis
        .facts
        .processors
        .iter()
        .filter(|p| p.range.start >= within.start && p.range.end <= within.end)
        .filter_map(|mention| {
            let processor = analysis.processor(mention.index)?;
            if processor.self_hosted {
                return None;
            }
            let label = match processor.third_country() {
                Some((_, country)) => {
                    let tools: Vec<String> = processor
                        .mechanisms
                        .iter()
                        .filter(|m| *m != "none")
                        .map(|m| m.to_uppercase())
                        .collect();
                    if tools.is_empty() {
                        country.to_string()
                    } else {
                        format!("{country} · {}", tools.join("+"))
                    }
                }
                None if processor.leaves_eea == "depends" => if norwegian {
                    "valgt region"
                } else {
                    "chosen region"
                }
                .to_string(),
                None => format!(
                    "{} · {}",
                    processor.entity_country,
                    if norwegian { "EØS" } else { "EEA" }
                ),
            };
            let tooltip = format!(
                "{} ({})",
                processor.entity,
                knowledge::areas::country_name(&processor.entity_country, norwegian)
            );
            Some(InlayHint {
                offset: mention.range.end,
                label,
                tooltip,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Options, analyze};
    use crate::document::{Document, TextFormat};

    #[test]
    fn a_us_processor_shows_country_and_tools() {
        let text = "# Personvernerklæring\n\nNyhetsbrevet sendes med Mailchimp.\n";
        let document = Document::new(text, TextFormat::Markdown);
        let analysis = analyze(&document, &Options::default());
        let hints = inlay_hints(&analysis, 0..text.len());
        assert_eq!(hints.len(), 1);
        assert_eq!(hints[0].offset, text.find("Mailchimp").unwrap_or(0) + 9);
        assert!(hints[0].label.starts_with("US · "), "{}", hints[0].label);
        assert!(hints[0].label.contains("DPF"), "{}", hints[0].label);
        assert!(inlay_hints(&analysis, 0..10).is_empty());
    }
}
