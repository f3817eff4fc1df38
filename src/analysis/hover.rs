//! Hover: what the text under the cursor is, in the document's language. A processor mention
//! shows its facts from the knowledge base; an article reference shows the statutory text of
//! the article, paragraph or point; a finding's range shows the rule, what would satisfy it,
//! its article and a link.

use std::fmt::Write;
use std::ops::Range;

use super::language::Language;
use super::references::ArticleRef;
use super::{Analysis, Finding};
use crate::knowledge;
use crate::knowledge::gdpr::Paragraph;
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

/// The text of the referenced article, paragraph or point in the document's language, with
/// its title, a link and the source's attribution. `None` for an article that does not exist.
/// `limit` bounds the statutory text shown (in bytes) before it points to the source.
pub fn article_markdown(
    reference: &ArticleRef,
    language: Language,
    limit: usize,
) -> Option<String> {
    let norwegian = language.is_norwegian();
    let regulation = knowledge::gdpr::regulation(norwegian);
    let article = regulation.article(reference.article)?;
    let l = article_labels(language);
    let mut out = String::new();
    let link = knowledge::article_link(article.number, norwegian);

    if let Some(last) = reference.through {
        let _ = writeln!(out, "**{} {}–{last}**\n", l.article, article.number);
        for number in article.number..=last {
            if let Some(each) = regulation.article(number) {
                let each_link = knowledge::article_link(number, norwegian);
                let _ = writeln!(
                    out,
                    "- [{} {number}]({each_link}): {}",
                    l.article, each.title
                );
            }
        }
        let _ = write!(out, "\n_{}_", regulation.attribution);
        return Some(out);
    }

    let paragraph = reference.paragraph.and_then(|n| article.paragraph(n));
    let point = reference
        .point
        .and_then(|letter| paragraph.and_then(|p| p.point(letter)));
    let cited = cited(reference, language);
    let _ = writeln!(out, "**{cited}** · {}\n", article.title);
    match (paragraph, point) {
        (Some(paragraph), Some(point)) => {
            if let Some(lead) = paragraph.lead() {
                let _ = writeln!(out, "{}\n", lead.text);
            }
            let letter = point.point.as_deref().unwrap_or("");
            let _ = writeln!(out, "> {letter}) {}\n", point.text);
        }
        (Some(paragraph), None) => {
            if let Some(letter) = reference.point {
                let _ = writeln!(
                    out,
                    "_{}_\n",
                    l.no_point(&cited_without_point(reference, language), letter)
                );
            }
            write_paragraph(&mut out, paragraph, limit);
        }
        (None, _) => {
            if let Some(number) = reference.paragraph {
                let _ = writeln!(out, "_{}_\n", l.no_paragraph(article.number, number));
            }
            let mut budget = limit;
            for paragraph in &article.paragraphs {
                budget = write_paragraph(&mut out, paragraph, budget);
                if budget == 0 {
                    let _ = writeln!(out, "{}\n", l.more);
                    break;
                }
            }
        }
    }
    let _ = write!(
        out,
        "[{} {}]({link})\n\n_{}_",
        l.read_at, article.number, regulation.attribution
    );
    if language == Language::Nn {
        let _ = write!(out, " _{}_", l.bokmal_only);
    }
    Some(out)
}

/// How much statutory text a hover shows before pointing to the source.
const ARTICLE_TEXT_LIMIT: usize = 2400;

/// Writes a paragraph's parts; returns the budget left (0 when the text was cut).
fn write_paragraph(out: &mut String, paragraph: &Paragraph, budget: usize) -> usize {
    let mut left = budget;
    let mut first = true;
    for part in &paragraph.parts {
        if part.text.len() > left {
            return 0;
        }
        left -= part.text.len();
        match (&part.point, paragraph.number, first) {
            (Some(letter), _, _) => {
                let _ = writeln!(out, "{letter}) {}\n", part.text);
            }
            (None, Some(number), true) => {
                let _ = writeln!(out, "**{number}.** {}\n", part.text);
            }
            (None, _, _) => {
                let _ = writeln!(out, "{}\n", part.text);
            }
        }
        first = false;
    }
    left.max(1)
}

/// The reference as the document's language cites it: "artikkel 6 nr. 1 bokstav f" or
/// "Article 6(1)(f)".
fn cited(reference: &ArticleRef, language: Language) -> String {
    let mut out = cited_without_point(reference, language);
    if let (Some(letter), Some(_)) = (reference.point, reference.paragraph) {
        if language.is_norwegian() {
            let _ = write!(out, " bokstav {letter}");
        } else {
            let _ = write!(out, "({letter})");
        }
    }
    out
}

fn cited_without_point(reference: &ArticleRef, language: Language) -> String {
    let mut out = match language {
        Language::En => format!("Article {}", reference.article),
        Language::Nb | Language::Nn => format!("Artikkel {}", reference.article),
    };
    if let Some(number) = reference.paragraph {
        if language.is_norwegian() {
            let _ = write!(out, " nr. {number}");
        } else {
            let _ = write!(out, "({number})");
        }
    }
    out
}

struct ArticleLabels {
    language: Language,
    article: &'static str,
    read_at: &'static str,
    more: &'static str,
    bokmal_only: &'static str,
}

impl ArticleLabels {
    fn no_point(&self, paragraph: &str, letter: char) -> String {
        match self.language {
            Language::En => format!("{paragraph} has no point ({letter}); here is the paragraph."),
            Language::Nb => {
                format!("{paragraph} har ingen bokstav {letter}; her er hele nummeret.")
            }
            Language::Nn => {
                format!("{paragraph} har ingen bokstav {letter}; her er heile nummeret.")
            }
        }
    }

    fn no_paragraph(&self, article: u32, paragraph: u32) -> String {
        match self.language {
            Language::En => {
                format!("Article {article} has no paragraph {paragraph}; here is the article.")
            }
            Language::Nb => {
                format!("Artikkel {article} har ikke nr. {paragraph}; her er hele artikkelen.")
            }
            Language::Nn => {
                format!("Artikkel {article} har ikkje nr. {paragraph}; her er heile artikkelen.")
            }
        }
    }
}

fn article_labels(language: Language) -> ArticleLabels {
    match language {
        Language::En => ArticleLabels {
            language,
            article: "Article",
            read_at: "EUR-Lex: Article",
            more: "…",
            bokmal_only: "",
        },
        Language::Nb => ArticleLabels {
            language,
            article: "Artikkel",
            read_at: "Lovdata: personvernforordningen artikkel",
            more: "… (resten hos Lovdata)",
            bokmal_only: "",
        },
        Language::Nn => ArticleLabels {
            language,
            article: "Artikkel",
            read_at: "Lovdata: personvernforordninga artikkel",
            more: "… (resten hos Lovdata)",
            bokmal_only: "(Teksten er på bokmål: det finst inga offisiell nynorsk omsetjing.)",
        },
    }
}

/// What a finding means and what would satisfy it, in the document's language.
fn finding_markdown(finding: &Finding, language: Language) -> String {
    let mut out = format!(
        "**{}** ({})\n\n{}",
        finding.rule,
        finding.severity.name(),
        finding.message
    );
    let satisfy = knowledge::rules()
        .get(finding.rule)
        .and_then(|info| info.messages.get(&format!("satisfy_{}", language.code())));
    if let Some(satisfy) = satisfy {
        let label = match language {
            Language::En => "What satisfies it",
            Language::Nb => "Dette oppfyller kravet",
            Language::Nn => "Dette oppfyller kravet",
        };
        let _ = write!(out, "\n\n**{label}:** {satisfy}");
    }
    let _ = write!(out, "\n\n{}: <{}>", finding.article, finding.link);
    out
}

/// What to show when hovering at byte `offset`: a processor mention or an article reference,
/// and the findings whose range holds the offset, separated by rules.
pub fn hover(analysis: &Analysis, offset: usize) -> Option<HoverInfo> {
    let language = analysis.facts.language;
    let contains = |r: &Range<usize>| r.start <= offset && offset <= r.end;
    let mut sections = Vec::new();
    let mut range = None;
    if let Some(mention) = analysis
        .facts
        .processors
        .iter()
        .find(|p| contains(&p.range))
    {
        if let Some(processor) = analysis.processor(mention.index) {
            sections.push(processor_markdown(processor, language));
            range = Some(mention.range.clone());
        }
    }
    if range.is_none() {
        let block = analysis
            .outline
            .blocks
            .iter()
            .find(|b| b.block.content.start <= offset && offset <= b.block.content.end);
        let reference = block.and_then(|b| {
            b.facts
                .article_refs
                .iter()
                .map(|r| (r, b.absolute(&r.range)))
                .find(|(_, absolute)| contains(absolute))
        });
        if let Some((reference, absolute)) = reference {
            if let Some(markdown) = article_markdown(reference, language, ARTICLE_TEXT_LIMIT) {
                sections.push(markdown);
                range = Some(absolute);
            }
        }
    }
    for finding in analysis.findings.iter().filter(|f| contains(&f.range)) {
        sections.push(finding_markdown(finding, language));
        range.get_or_insert_with(|| finding.range.clone());
    }
    Some(HoverInfo {
        range: range?,
        markdown: sections.join("\n\n---\n\n"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(
        article: u32,
        paragraph: Option<u32>,
        point: Option<char>,
        through: Option<u32>,
    ) -> ArticleRef {
        ArticleRef {
            range: 0..0,
            article,
            paragraph,
            point,
            through,
        }
    }

    #[test]
    fn a_missing_paragraph_or_point_shows_what_exists() {
        let text = article_markdown(&reference(6, Some(7), None, None), Language::Nb, 4000)
            .unwrap_or_default();
        assert!(text.contains("Artikkel 6 har ikke nr. 7"), "{text}");
        assert!(
            text.contains("**1.** Behandlingen er bare lovlig"),
            "{text}"
        );
        let text = article_markdown(&reference(6, Some(1), Some('x'), None), Language::En, 4000)
            .unwrap_or_default();
        assert!(text.contains("Article 6(1) has no point (x)"), "{text}");
        assert!(article_markdown(&reference(100, None, None, None), Language::En, 4000).is_none());
    }

    #[test]
    fn ranges_list_titles_and_long_articles_are_cut() {
        let text = article_markdown(&reference(15, None, None, Some(22)), Language::En, 4000)
            .unwrap_or_default();
        assert_eq!(text.matches("\n- [Article ").count(), 8, "{text}");
        assert!(text.contains("Right to erasure"), "{text}");
        let text = article_markdown(&reference(4, None, None, None), Language::Nb, 500)
            .unwrap_or_default();
        assert!(text.len() < 1500, "{}", text.len());
        assert!(text.contains("resten hos Lovdata"), "{text}");
    }

    #[test]
    fn nynorsk_readers_are_told_the_text_is_bokmal() {
        let text = article_markdown(&reference(9, None, None, None), Language::Nn, 4000)
            .unwrap_or_default();
        assert!(text.contains("inga offisiell nynorsk omsetjing"), "{text}");
        assert!(text.contains("personvernforordninga artikkel 9"), "{text}");
    }
}
