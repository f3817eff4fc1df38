//! Completion, triggered and ranked by what precedes the cursor on its line: the points of
//! Art. 6(1) or 9(2) after "artikkel 6 nr. 1 bokstav " or "Article 6(1)(", whole legal bases
//! after "Behandlingsgrunnlaget er" or "The legal basis is", supervisory authorities after
//! "klage til" or "complaint with", and processors by the prefix being typed. Nothing is
//! offered without such a context.

use std::ops::Range;
use std::sync::OnceLock;

use super::ascii_regex::{AsciiRegex, ascii_regex};
use super::fold::fold;
use super::hover::article_markdown;
use super::language::Language;
use super::references::ArticleRef;
use crate::knowledge;
use crate::knowledge::processors::Processor;

/// The articles privacy policies cite most, in the order completion offers them: legal bases,
/// the information duties, the rights, consent, complaint, transfers, processors, the DPO,
/// definitions and principles. The rest follow in numerical order.
const CITED_IN_POLICIES: &[u32] = &[
    6, 9, 13, 14, 15, 16, 17, 18, 20, 21, 22, 7, 77, 44, 45, 46, 49, 28, 37, 4, 5, 8, 10, 12, 26,
    30, 32, 33, 34, 35, 47, 79, 82,
];

/// How much statutory text a completion item's documentation shows.
const COMPLETION_TEXT_LIMIT: usize = 700;

/// `text` cut at a word boundary to at most about `max` characters, with "…" when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':']))
}

/// What a completion item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    /// A legal basis or an Art. 9(2) condition.
    LegalBasis,
    /// A processor from the knowledge base.
    Processor,
    /// A supervisory authority.
    Authority,
    /// An article, paragraph or point of the GDPR.
    Article,
}

/// One completion item, protocol-neutral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    /// What the list shows.
    pub label: String,
    /// What replaces `replace`.
    pub insert: String,
    /// One line beside the label.
    pub detail: String,
    /// Markdown shown beside the list.
    pub documentation: String,
    /// What it is.
    pub kind: CompletionKind,
    /// The byte range it replaces (the part of the word already typed).
    pub replace: Range<usize>,
    /// Sort order.
    pub sort: String,
}

struct Contexts {
    point_nb: AsciiRegex,
    point_en: AsciiRegex,
    article: AsciiRegex,
    paragraph_nb: AsciiRegex,
    paragraph_en: AsciiRegex,
    basis: AsciiRegex,
    authority: AsciiRegex,
    word: AsciiRegex,
}

fn contexts() -> &'static Contexts {
    static CELL: OnceLock<Contexts> = OnceLock::new();
    CELL.get_or_init(|| Contexts {
        point_nb: ascii_regex(
            r"\bart(?:ikkel|\.)?\s*(\d{1,2})\s*nr\.?\s*(\d{1,2})\s*(?:bokstav|litra)\s+([a-z]?)$",
        ),
        point_en: ascii_regex(
            r"\b(?:article|art\.?)\s*(\d{1,2})\s*\(\s*(\d{1,2})\s*\)\s*\(\s*([a-z]?)$",
        ),
        article: ascii_regex(
            r"\b(?:artikkel|artiklene|artiklane|artikler|artiklar|articles|article|art\.)\s*(\d{0,2})$|\bart\s+(\d{1,2})$",
        ),
        paragraph_nb: ascii_regex(r"\bart(?:ikkel|\.)?\s*(\d{1,2})\s*nr\.?\s+(\d?)$"),
        paragraph_en: ascii_regex(r"\b(?:article|art\.?)\s*(\d{1,2})\s*\(\s*(\d?)$"),
        basis: ascii_regex(
            r"(?:behandlingsgrunnlag\w*|rettslig\w* grunnlag\w*|rettsleg\w* grunnlag\w*|grunnlaget for \w+(?: \w+){0,4}|legal basis(?: for \w+(?: \w+){0,4})?|lawful basis(?: for \w+(?: \w+){0,4})?)\s*(?:er|is|:)\s*$",
        ),
        authority: ascii_regex(r"(?:klage(?: \w+){0,3} (?:til|hos)|complaint with(?: the)?|complain to(?: the)?)\s+(\w*)$"),
        word: ascii_regex(r"[a-z0-9][a-z0-9.\-]*$"),
    })
}

fn short(basis: &knowledge::LegalBasis, language: Language) -> &str {
    if language.is_norwegian() {
        &basis.short_nb
    } else {
        &basis.short_en
    }
}

fn statute(basis: &knowledge::LegalBasis, language: Language) -> String {
    let (article, paragraph, point) = split_code(&basis.code);
    let link = knowledge::article_link(article.parse().unwrap_or(6), language.is_norwegian());
    let text = if language.is_norwegian() {
        &basis.text_nb
    } else {
        &basis.text_en
    };
    let reference = reference(article, paragraph, point, language);
    format!("**{reference}**\n\n{text}\n\n<{link}>")
}

fn split_code(code: &str) -> (&str, &str, &str) {
    let mut parts = code.split('.');
    (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    )
}

/// "artikkel 6 nr. 1 bokstav f" or "Article 6(1)(f)".
fn reference(article: &str, paragraph: &str, point: &str, language: Language) -> String {
    if language.is_norwegian() {
        format!("artikkel {article} nr. {paragraph} bokstav {point}")
    } else {
        format!("Article {article}({paragraph})({point})")
    }
}

/// What completion knows beyond the line: the document's language, the organisation's own
/// processors (offered beside the shipped ones) and the jurisdiction (whose supervisory
/// authority comes first).
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    /// The document's language.
    pub language: Language,
    /// The organisation's own processors.
    pub own: &'a [Processor],
    /// ISO code of the jurisdiction.
    pub jurisdiction: &'a str,
}

impl Setting<'_> {
    /// Norway, no own processors.
    pub fn plain(language: Language) -> Setting<'static> {
        Setting {
            language,
            own: &[],
            jurisdiction: "NO",
        }
    }
}

/// Completion items at byte `offset` of a text whose current line, up to the cursor, is
/// `line_before` and starts at byte `line_start`.
pub fn complete(
    line_before: &str,
    line_start: usize,
    offset: usize,
    setting: Setting<'_>,
) -> Vec<CompletionItem> {
    let Setting {
        language,
        own,
        jurisdiction,
    } = setting;
    let c = contexts();
    let folded = fold(line_before);
    let mut items = Vec::new();

    // After "artikkel 6 nr. 1 bokstav " or "Article 6(1)(": the points of that paragraph.
    for (regex, english_style) in [(&c.point_nb, false), (&c.point_en, true)] {
        let Some(caps) = regex.captures(&folded) else {
            continue;
        };
        let (Some(article), Some(paragraph), Some(typed)) = (caps.get(1), caps.get(2), caps.get(3))
        else {
            continue;
        };
        let replace = line_start + typed.start()..offset;
        let close = if english_style { ")" } else { "" };
        let prefix = format!("{}.{}.", article.as_str(), paragraph.as_str());
        let bases: Vec<_> = knowledge::legal_bases()
            .iter()
            .filter(|b| b.code.starts_with(&prefix))
            .collect();
        if !bases.is_empty() {
            // Art. 6(1) and 9(2): the legal bases, with their short names.
            for (i, basis) in bases.into_iter().enumerate() {
                let point = split_code(&basis.code).2;
                items.push(CompletionItem {
                    label: format!("{point}{close} {}", short(basis, language)),
                    insert: format!("{point}{close} ({})", short(basis, language)),
                    detail: reference(article.as_str(), paragraph.as_str(), point, language),
                    documentation: statute(basis, language),
                    kind: CompletionKind::LegalBasis,
                    replace: replace.clone(),
                    sort: format!("{i:02}"),
                });
            }
            return items;
        }
        // Any other paragraph: its points, from the text of the regulation.
        let (Ok(article), Ok(paragraph)) = (article.as_str().parse(), paragraph.as_str().parse())
        else {
            return items;
        };
        let text = knowledge::gdpr::regulation(language.is_norwegian())
            .article(article)
            .and_then(|a| a.paragraph(paragraph));
        for (i, part) in text.iter().flat_map(|p| &p.parts).enumerate() {
            let Some(letter) = part.point.as_deref() else {
                continue;
            };
            let Some(point) = letter.chars().next() else {
                continue;
            };
            let cited = ArticleRef {
                range: 0..0,
                article,
                paragraph: Some(paragraph),
                point: Some(point),
                through: None,
            };
            items.push(CompletionItem {
                label: format!("{letter}{close} {}", clip(&part.text, 60)),
                insert: format!("{letter}{close}"),
                detail: clip(&part.text, 120),
                documentation: article_markdown(&cited, language, COMPLETION_TEXT_LIMIT)
                    .unwrap_or_default(),
                kind: CompletionKind::Article,
                replace: replace.clone(),
                sort: format!("{i:02}"),
            });
        }
        return items;
    }

    // After "artikkel 13 nr. " or "Article 13(": the paragraphs of that article.
    for (regex, english_style) in [(&c.paragraph_nb, false), (&c.paragraph_en, true)] {
        let Some(caps) = regex.captures(&folded) else {
            continue;
        };
        let (Some(article), Some(typed)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        let Some(text) = article
            .as_str()
            .parse()
            .ok()
            .and_then(|n| knowledge::gdpr::regulation(language.is_norwegian()).article(n))
        else {
            return items;
        };
        let replace = line_start + typed.start()..offset;
        for paragraph in &text.paragraphs {
            let Some(number) = paragraph.number else {
                continue;
            };
            let lead = paragraph.parts.first().map_or("", |p| p.text.as_str());
            let cited = ArticleRef {
                range: 0..0,
                article: text.number,
                paragraph: Some(number),
                point: None,
                through: None,
            };
            items.push(CompletionItem {
                label: format!("{number} {}", clip(lead, 60)),
                insert: if english_style {
                    format!("{number})")
                } else {
                    number.to_string()
                },
                detail: clip(lead, 120),
                documentation: article_markdown(&cited, language, COMPLETION_TEXT_LIMIT)
                    .unwrap_or_default(),
                kind: CompletionKind::Article,
                replace: replace.clone(),
                sort: format!("{number:02}"),
            });
        }
        return items;
    }

    // After "artikkel", "art." or "Article": articles, those policies cite first.
    if let Some(caps) = c.article.captures(&folded) {
        let Some(typed) = caps.get(1).or_else(|| caps.get(2)) else {
            return items;
        };
        let regulation = knowledge::gdpr::regulation(language.is_norwegian());
        for article in &regulation.articles {
            let number = article.number.to_string();
            if !number.starts_with(typed.as_str()) {
                continue;
            }
            let rank = CITED_IN_POLICIES
                .iter()
                .position(|n| *n == article.number)
                .unwrap_or(CITED_IN_POLICIES.len() + article.number as usize);
            let cited = ArticleRef {
                range: 0..0,
                article: article.number,
                paragraph: None,
                point: None,
                through: None,
            };
            items.push(CompletionItem {
                label: format!("{number} {}", article.title),
                insert: number,
                detail: article.title.clone(),
                documentation: article_markdown(&cited, language, COMPLETION_TEXT_LIMIT)
                    .unwrap_or_default(),
                kind: CompletionKind::Article,
                replace: line_start + typed.start()..offset,
                sort: format!("{rank:03}"),
            });
        }
        items.sort_by(|a, b| a.sort.cmp(&b.sort));
        return items;
    }

    // After "Behandlingsgrunnlaget er" or "The legal basis is": whole legal bases.
    if c.basis.is_match(&folded) {
        for (i, basis) in knowledge::legal_bases().iter().enumerate() {
            let (article, paragraph, point) = split_code(&basis.code);
            let text = format!(
                "{} ({})",
                reference(article, paragraph, point, language),
                short(basis, language)
            );
            items.push(CompletionItem {
                label: text.clone(),
                insert: text,
                detail: basis.code.clone(),
                documentation: statute(basis, language),
                kind: CompletionKind::LegalBasis,
                replace: offset..offset,
                sort: format!("{i:02}"),
            });
        }
        return items;
    }

    // After "klage til": supervisory authorities, the jurisdiction's first.
    if let Some(caps) = c.authority.captures(&folded) {
        let typed = caps.get(1).map(|m| m.start()).unwrap_or(folded.len());
        let typed_text = folded.get(typed..).unwrap_or("");
        for (i, authority) in knowledge::authorities().iter().enumerate() {
            if !fold(&authority.name).starts_with(typed_text) {
                continue;
            }
            let mut documentation = format!("**{}** ({})", authority.name, authority.country);
            if let Some(address) = &authority.address {
                documentation.push_str(&format!("\n\n{address}"));
            }
            if let Some(web) = &authority.web {
                documentation.push_str(&format!("\n\n<{web}>"));
            }
            items.push(CompletionItem {
                label: authority.name.clone(),
                insert: authority.name.clone(),
                detail: authority
                    .address
                    .clone()
                    .unwrap_or_else(|| authority.country.clone()),
                documentation,
                kind: CompletionKind::Authority,
                replace: line_start + typed..offset,
                sort: format!(
                    "{}{i:02}",
                    if authority.country == jurisdiction {
                        0
                    } else {
                        1
                    }
                ),
            });
        }
        items.sort_by(|a, b| a.sort.cmp(&b.sort));
        return items;
    }

    // A word being typed: processors whose name or alias starts with it.
    let Some(word) = c.word.find(&folded) else {
        return items;
    };
    let typed = word.as_str();
    if typed.len() < 2 {
        return items;
    }
    let norwegian = language.is_norwegian();
    // Which processors match, ranked (the organisation's own first, then shorter names),
    // before any text is built.
    let mut matches: Vec<(usize, usize)> = Vec::new();
    for (index, names) in folded_processor_names().iter().enumerate() {
        if let Some(alias) = names.iter().position(|n| n.starts_with(typed)) {
            matches.push((index, alias));
        }
    }
    let base = knowledge::processors::shipped().len();
    for (i, processor) in own.iter().enumerate() {
        let names = std::iter::once(&processor.name).chain(processor.aliases.iter());
        if let Some(alias) = names.map(|n| fold(n)).position(|n| n.starts_with(typed)) {
            matches.push((base + i, alias));
        }
    }
    matches.sort_by_cached_key(|(index, _)| {
        knowledge::processors::lookup(*index, own)
            .map(|p| (*index < base, p.name.len(), p.name.to_lowercase()))
    });
    matches.truncate(MAX_PROCESSOR_ITEMS);
    for (rank, (index, alias)) in matches.into_iter().enumerate() {
        let Some(processor) = knowledge::processors::lookup(index, own) else {
            continue;
        };
        let (entity, country) = processor
            .third_country()
            .unwrap_or((&*processor.entity, &*processor.entity_country));
        let mechanism = processor
            .mechanisms
            .iter()
            .filter(|m| *m != "none")
            .map(|m| m.to_uppercase())
            .collect::<Vec<_>>()
            .join("+");
        let mechanism = if mechanism.is_empty() {
            if norwegian {
                "i EØS".to_string()
            } else {
                "in the EEA".to_string()
            }
        } else {
            mechanism
        };
        // The name itself, or the alias typed when it is another name ("GA4").
        let insert = match alias {
            0 => processor.name.to_string(),
            n => processor
                .aliases
                .get(n - 1)
                .filter(|a| fold(a) != fold(&processor.name))
                .unwrap_or(&processor.name)
                .to_string(),
        };
        items.push(CompletionItem {
            label: processor.name.to_string(),
            insert,
            detail: format!("{entity} · {country} · {mechanism}"),
            documentation: super::hover::processor_markdown(processor, language),
            kind: CompletionKind::Processor,
            replace: line_start + word.start()..offset,
            sort: format!("{rank:02}"),
        });
    }
    items
}

/// How many processors completion offers at most.
const MAX_PROCESSOR_ITEMS: usize = 30;

/// The folded name and aliases of every shipped processor, name first, computed once.
fn folded_processor_names() -> &'static [Vec<String>] {
    static CELL: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    CELL.get_or_init(|| {
        knowledge::processors::shipped()
            .iter()
            .map(|p| {
                std::iter::once(&p.name)
                    .chain(p.aliases.iter())
                    .map(|n| fold(n))
                    .collect()
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(line: &str, language: Language) -> Vec<String> {
        complete(line, 0, line.len(), Setting::plain(language))
            .into_iter()
            .map(|i| i.insert)
            .collect()
    }

    #[test]
    fn points_after_a_norwegian_or_english_reference() {
        let nb = labels("Grunnlaget er artikkel 6 nr. 1 bokstav ", Language::Nb);
        assert_eq!(nb.len(), 6);
        assert_eq!(nb[5], "f (berettiget interesse)");
        let en = labels("The basis is Article 6(1)(", Language::En);
        assert_eq!(en[5], "f) (legitimate interests)");
        assert_eq!(labels("Art. 9 nr. 2 bokstav ", Language::Nb).len(), 10);
    }

    #[test]
    fn whole_bases_after_a_basis_cue_and_authorities_after_klage_til() {
        let bases = labels("Behandlingsgrunnlaget er ", Language::Nb);
        assert_eq!(bases[0], "artikkel 6 nr. 1 bokstav a (samtykke)");
        let en = labels("The legal basis for this processing is ", Language::En);
        assert_eq!(en[5], "Article 6(1)(f) (legitimate interests)");
        let authorities = complete("Du kan klage til ", 0, 17, Setting::plain(Language::Nb));
        assert_eq!(authorities[0].insert, "Datatilsynet");
        assert!(
            authorities[0]
                .documentation
                .contains("Postboks 458 Sentrum")
        );
        let swedish = Setting {
            jurisdiction: "SE",
            ..Setting::plain(Language::En)
        };
        let authorities = complete("lodge a complaint with ", 0, 23, swedish);
        assert_eq!(authorities[0].insert, "Integritetsskyddsmyndigheten (IMY)");
    }

    #[test]
    fn articles_are_ranked_by_how_often_policies_cite_them() {
        let all = labels("jf. artikkel ", Language::Nb);
        assert_eq!(all.len(), 99);
        assert_eq!(&all[..4], ["6", "9", "13", "14"]);
        let twos = labels("see Article 2", Language::En);
        assert_eq!(&twos[..3], ["20", "21", "22"]);
        assert!(twos.iter().all(|n| n.starts_with('2')));
        assert!(labels("denne art ", Language::Nb).is_empty());
    }

    #[test]
    fn paragraphs_and_points_of_any_article() {
        assert_eq!(labels("Article 17(", Language::En), ["1)", "2)", "3)"]);
        let points = labels("Article 17(1)(", Language::En);
        assert_eq!(points, ["a)", "b)", "c)", "d)", "e)", "f)"]);
        assert!(labels("artikkel 12 nr. 1 bokstav ", Language::Nb).is_empty());
    }

    #[test]
    fn processors_by_prefix_and_nothing_without_context() {
        let items = complete(
            "Nyhetsbrevet sendes med Mailc",
            0,
            29,
            Setting::plain(Language::Nb),
        );
        let mailchimp = items
            .iter()
            .find(|i| i.label == "Mailchimp")
            .expect("Mailchimp offered");
        assert!(mailchimp.detail.contains("US"), "{}", mailchimp.detail);
        assert_eq!(mailchimp.replace, 24..29);
        assert!(labels("Vi ", Language::Nb).is_empty());
        assert!(labels("", Language::Nb).is_empty());
    }
}
