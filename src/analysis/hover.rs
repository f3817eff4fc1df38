//! Hover: what the text under the cursor is, in the document's language. A processor mention
//! shows its facts from the knowledge base; a finding's range shows the rule, its article and
//! a link.

use std::fmt::Write;
use std::ops::Range;

use super::Analysis;
use super::language::Language;
use crate::knowledge;
use crate::knowledge::processors::Processor;

/// Hover content: Markdown and the range it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverInfo {
    /// Byte range of the hovered item.
    pub range: Range<usize>,
    /// The text, as Markdown.
    pub markdown: String,
}

struct Labels {
    entity: &'static str,
    parent: &'static str,
    leaves: &'static str,
    stays: &'static str,
    depends: &'static str,
    mechanisms: &'static str,
    dpa: &'static str,
    checked: &'static str,
    unchecked: &'static str,
    self_hosted: &'static str,
    dpf: &'static str,
    adequacy: &'static str,
}

fn labels(language: Language) -> Labels {
    match language {
        Language::En => Labels {
            entity: "EEA contracting entity",
            parent: "Parent",
            leaves: "Data leave the EEA: yes, to",
            stays: "Data leave the EEA: no",
            depends: "Data leave the EEA: depends on the region chosen",
            mechanisms: "Usual transfer tools",
            dpa: "Data processing terms",
            checked: "Checked against a primary source on",
            unchecked: "Not yet checked against a primary source",
            self_hosted: "Software that runs on your own server: not a processor by itself. The hosting company is the processor.",
            dpf: "covered by the EU-U.S. Data Privacy Framework (decision of 10 July 2023)",
            adequacy: "covered by an adequacy decision",
        },
        Language::Nb | Language::Nn => Labels {
            entity: "Avtalepart i EØS",
            parent: "Morselskap",
            leaves: "Data ut av EØS: ja, til",
            stays: "Data ut av EØS: nei",
            depends: "Data ut av EØS: avhenger av valgt region",
            mechanisms: "Vanlig overføringsgrunnlag",
            dpa: "Databehandlervilkår",
            checked: "Kontrollert mot primærkilde",
            unchecked: "Ikke kontrollert mot primærkilde ennå",
            self_hosted: "Programvare som kjører på egen server: ikke en databehandler i seg selv. Det er vertsleverandøren som er databehandler.",
            dpf: "dekket av EU-U.S. Data Privacy Framework (beslutning 10. juli 2023)",
            adequacy: "dekket av en beslutning om tilstrekkelig beskyttelsesnivå",
        },
    }
}

fn with_country(name: &str, country: &str) -> String {
    if country.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({country})")
    }
}

/// The facts of a processor, as Markdown.
pub fn processor_markdown(processor: &Processor, language: Language) -> String {
    let l = labels(language);
    let norwegian = language.is_norwegian();
    let mut out = format!("**{}** · {}\n\n", processor.name, processor.category);
    if processor.self_hosted {
        let _ = writeln!(out, "{}\n", l.self_hosted);
    } else {
        if !processor.entity.is_empty() {
            let _ = writeln!(
                out,
                "- {}: {}",
                l.entity,
                with_country(&processor.entity, &processor.entity_country)
            );
        }
        if !processor.parent.is_empty() {
            let _ = writeln!(
                out,
                "- {}: {}",
                l.parent,
                with_country(&processor.parent, &processor.parent_country)
            );
        }
        match processor.third_country() {
            Some((entity, country)) => {
                let coverage = match processor.adequacy() {
                    Some("dpf") => format!("; {}", l.dpf),
                    Some(_) => format!("; {}", l.adequacy),
                    None => String::new(),
                };
                let place = knowledge::areas::country_name(country, norwegian);
                let _ = writeln!(out, "- {} {place} ({entity}){coverage}", l.leaves);
            }
            None if processor.leaves_eea == "depends" => {
                let _ = writeln!(out, "- {}", l.depends);
            }
            None => {
                let _ = writeln!(out, "- {}", l.stays);
            }
        }
        let tools: Vec<String> = processor
            .mechanisms
            .iter()
            .filter(|m| *m != "none")
            .map(|m| knowledge::areas::mechanism_name(m, norwegian))
            .collect();
        if !tools.is_empty() {
            let _ = writeln!(out, "- {}: {}", l.mechanisms, tools.join(" + "));
        }
        if !processor.dpa.is_empty() {
            let _ = writeln!(out, "- {}: <{}>", l.dpa, processor.dpa);
        }
        out.push('\n');
    }
    if processor.checked.is_empty() {
        let _ = write!(out, "_{}_", l.unchecked);
    } else {
        let _ = write!(out, "_{} {}_", l.checked, processor.checked);
    }
    if !processor.notes.is_empty() {
        let _ = write!(out, "\n\n{}", processor.notes);
    }
    out
}

/// What to show when hovering at byte `offset`: a processor mention, else the findings whose
/// range holds the offset.
pub fn hover(analysis: &Analysis, offset: usize) -> Option<HoverInfo> {
    let language = analysis.facts.language;
    let contains = |r: &Range<usize>| r.start <= offset && offset <= r.end;
    if let Some(mention) = analysis
        .facts
        .processors
        .iter()
        .find(|p| contains(&p.range))
    {
        let processor = knowledge::processors::shipped().get(mention.index)?;
        return Some(HoverInfo {
            range: mention.range.clone(),
            markdown: processor_markdown(processor, language),
        });
    }
    let findings: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| contains(&f.range))
        .collect();
    let first = findings.first()?;
    let mut markdown = String::new();
    for finding in &findings {
        let _ = write!(
            markdown,
            "**{}** ({})\n\n{}\n\n{}: <{}>\n\n",
            finding.rule,
            finding.severity.name(),
            finding.message,
            finding.article,
            finding.link
        );
    }
    Some(HoverInfo {
        range: first.range.clone(),
        markdown: markdown.trim_end().to_string(),
    })
}
