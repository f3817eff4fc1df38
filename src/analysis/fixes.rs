//! Quick fixes: text edits that resolve a finding, in the document's language and format.
//!
//! - the missing rights, as a list added to the rights section or as a new section where
//!   one belongs (before contact and change sections, else at the end);
//! - a transfer declaration for processors that send data out of the EEA, naming each
//!   one's country and usual transfer tools;
//! - an outdated name replaced by its successor;
//! - a "Sist oppdatert" / "Last updated" line under the title, with today's date;
//! - a directive that silences a finding in its block.
//!
//! Pure: today's date and the jurisdiction come from the caller. Edits use byte ranges of
//! the document as analysed.

use std::ops::Range;

use super::Analysis;
use super::coverage::heading_text;
use super::finding::fill;
use super::language::Language;
use crate::document::{Document, TextFormat};
use crate::knowledge::{self, FixTexts};

/// One replacement of a byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    /// The replaced bytes (empty to insert).
    pub range: Range<usize>,
    /// The new text.
    pub new_text: String,
}

/// A quick fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the editor shows.
    pub title: String,
    /// The findings it resolves (indices into `analysis.findings`).
    pub findings: Vec<usize>,
    /// The edits, which do not overlap.
    pub edits: Vec<TextEdit>,
    /// The fix to apply first when several are offered.
    pub preferred: bool,
}

/// What a fix needs from outside the document.
#[derive(Debug, Clone)]
pub struct FixContext {
    /// Today's date: year, month (1–12), day.
    pub today: (i32, u32, u32),
    /// ISO code of the jurisdiction whose supervisory authority the text names.
    pub jurisdiction: String,
}

/// The items whose findings are missing rights, in the order a rights section lists them.
const RIGHT_ITEMS: [&str; 3] = ["rights", "withdraw_consent", "complaint"];

/// The rules whose finding is a missing right, in article order (from `items.toml`).
fn right_rules() -> impl Iterator<Item = &'static str> {
    RIGHT_ITEMS.iter().flat_map(|id| {
        knowledge::items()
            .iter()
            .filter(move |item| item.id == *id)
            .flat_map(|item| item.rules.iter().map(String::as_str))
    })
}

fn is_right(rule: &str) -> bool {
    right_rules().any(|r| r == rule)
}

/// `a`, `a og b`, `a, b og c`.
fn join(items: &[String], and: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {and} {last}", init.join(", ")),
    }
}

/// A heading line in the document's format.
fn heading(format: TextFormat, level: u8, text: &str) -> String {
    match format {
        TextFormat::Markdown => format!("{} {text}", "#".repeat(level.clamp(1, 6) as usize)),
        TextFormat::PlainText => text.to_string(),
    }
}

/// Where a new section goes, its heading level, and whether a blank line must precede it.
fn new_section_point(document: &Document, analysis: &Analysis, texts: &FixTexts) -> (usize, u8) {
    let sections: Vec<_> = analysis
        .outline
        .sections
        .iter()
        .filter(|s| s.heading.is_some())
        .collect();
    let title_level = sections.first().map_or(1, |s| s.level);
    let level = sections
        .iter()
        .skip(1)
        .map(|s| s.level)
        .min()
        .unwrap_or(title_level + 1)
        .max(2);
    let late: Vec<String> = texts
        .text
        .get("late_sections")
        .and_then(toml::Value::as_array)
        .map(|words| {
            words
                .iter()
                .filter_map(|w| w.as_str().map(str::to_lowercase))
                .collect()
        })
        .unwrap_or_default();
    let before = sections.iter().skip(1).find(|s| {
        s.level <= level
            && s.heading.as_ref().is_some_and(|h| {
                let text = heading_text(document, h).to_lowercase();
                late.iter().any(|w| text.starts_with(w.as_str()))
            })
    });
    match before.and_then(|s| s.heading.as_ref()) {
        Some(h) => (document.line_start(h.start), level),
        None => (document.len_bytes(), level),
    }
}

/// Text inserted at `at` as blocks of its own: blank lines around it as needed.
fn as_blocks(document: &Document, at: usize, body: &str) -> String {
    let before = document.slice(at.saturating_sub(2)..at);
    let lead = if at == 0 || before.ends_with("\n\n") {
        ""
    } else if before.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    let after = document.slice(at..(at + 1).min(document.len_bytes()));
    let tail = if at >= document.len_bytes() || after.starts_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    format!("{lead}{body}{tail}")
}

fn authority_name(jurisdiction: &str) -> String {
    knowledge::authorities()
        .iter()
        .find(|a| a.country == jurisdiction)
        .map_or_else(|| "Datatilsynet".to_string(), |a| a.name.clone())
}

fn rights_fix(document: &Document, analysis: &Analysis, ctx: &FixContext) -> Option<Fix> {
    let language = analysis.facts.language;
    let texts = knowledge::fix_texts(language.code());
    let missing: Vec<(usize, &str)> = analysis
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| is_right(f.rule))
        .map(|(i, f)| (i, f.rule))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let authority = authority_name(&ctx.jurisdiction);
    let mut lines = Vec::new();
    for rule in right_rules() {
        if missing.iter().any(|(_, r)| *r == rule) {
            lines.push(format!(
                "- {}",
                fill(texts.get(rule), &[("authority", &authority)])
            ));
        }
    }
    let list = lines.join("\n");
    let format = document.format();
    // Into the rights section when there is one, else a new section where one belongs.
    let rights_section = analysis
        .outline
        .sections
        .iter()
        .enumerate()
        .rev()
        .find(|(_, s)| s.rights && s.heading.is_some());
    let (at, body) = match rights_section {
        Some((index, _)) => {
            let last_block = analysis
                .outline
                .sections
                .get(index + 1)
                .map_or(analysis.outline.blocks.len(), |s| s.first_block);
            let end = analysis
                .outline
                .blocks
                .get(last_block.saturating_sub(1))
                .map_or(document.len_bytes(), |b| b.block.range.end);
            (end, format!("{}:\n\n{list}", texts.get("rights_more")))
        }
        None => {
            let (at, level) = new_section_point(document, analysis, texts);
            (
                at,
                format!(
                    "{}\n\n{}:\n\n{list}",
                    heading(format, level, texts.get("rights_heading")),
                    texts.get("rights_intro")
                ),
            )
        }
    };
    let names: Vec<String> = missing
        .iter()
        .filter_map(|(i, _)| analysis.findings.get(*i))
        .map(|f| f.rule.trim_start_matches("right-").replace('-', " "))
        .collect();
    let title = match language {
        Language::En => format!("Add the missing rights ({})", names.join(", ")),
        Language::Nb => format!("Legg til rettighetene som mangler ({})", names.join(", ")),
        Language::Nn => format!("Legg til rettane som manglar ({})", names.join(", ")),
    };
    Some(Fix {
        title,
        findings: missing.iter().map(|(i, _)| *i).collect(),
        edits: vec![TextEdit {
            range: at..at,
            new_text: as_blocks(document, at, &body),
        }],
        preferred: true,
    })
}

/// The transfer lines for the processors of the given findings.
fn transfer_fix(
    document: &Document,
    analysis: &Analysis,
    findings: &[usize],
    title: String,
) -> Option<Fix> {
    let language = analysis.facts.language;
    let norwegian = language.is_norwegian();
    let texts = knowledge::fix_texts(language.code());
    let mut lines: Vec<String> = Vec::new();
    for index in findings {
        let finding = analysis.findings.get(*index)?;
        let mention = analysis
            .facts
            .processors
            .iter()
            .find(|p| p.range == finding.range)?;
        let processor = analysis.processor(mention.index)?;
        let (entity, country) = processor.third_country()?;
        let tools: Vec<String> = processor
            .mechanisms
            .iter()
            .filter(|m| *m != "none")
            .map(|m| knowledge::areas::mechanism_name(m, norwegian))
            .collect();
        let mechanisms = if tools.is_empty() {
            texts.get("transfer_unknown").to_string()
        } else {
            join(&tools, texts.get("and"))
        };
        let line = format!(
            "- {}",
            fill(
                texts.get("transfer_line"),
                &[
                    ("processor", &processor.name),
                    ("entity", entity),
                    (
                        "country",
                        &knowledge::areas::country_name(country, norwegian)
                    ),
                    ("mechanisms", &mechanisms),
                ],
            )
        );
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        return None;
    }
    let (at, level) = new_section_point(document, analysis, texts);
    let body = format!(
        "{}\n\n{}\n\n{}",
        heading(document.format(), level, texts.get("transfer_heading")),
        texts.get("transfer_intro"),
        lines.join("\n")
    );
    Some(Fix {
        title,
        findings: findings.to_vec(),
        edits: vec![TextEdit {
            range: at..at,
            new_text: as_blocks(document, at, &body),
        }],
        preferred: findings.len() > 1,
    })
}

fn last_updated_fix(
    document: &Document,
    analysis: &Analysis,
    finding: usize,
    ctx: &FixContext,
) -> Fix {
    let language = analysis.facts.language;
    let texts = knowledge::fix_texts(language.code());
    let (year, month, day) = ctx.today;
    let date = fill(
        texts.get("date"),
        &[
            ("day", &day.to_string()),
            ("month", texts.month(month)),
            ("year", &year.to_string()),
        ],
    );
    let line = fill(texts.get("updated"), &[("date", &date)]);
    let at = analysis
        .outline
        .blocks
        .iter()
        .find(|b| b.heading.is_some())
        .map_or(0, |b| b.block.range.end);
    let title = match language {
        Language::En => format!("Add \"{line}\""),
        Language::Nb | Language::Nn => format!("Legg til «{line}»"),
    };
    Fix {
        title,
        findings: vec![finding],
        edits: vec![TextEdit {
            range: at..at,
            new_text: as_blocks(document, at, &line),
        }],
        preferred: true,
    }
}

fn ignore_fix(document: &Document, analysis: &Analysis, finding: usize) -> Option<Fix> {
    let f = analysis.findings.get(finding)?;
    let block_start = document
        .blocks()
        .find(|b| b.range.start <= f.range.start && f.range.start <= b.range.end)
        .map_or(0, |b| b.range.start);
    let at = document.line_start(block_start);
    let directive = match document.format() {
        TextFormat::Markdown => format!("<!-- privacy-lsp: ignore {} -->\n", f.rule),
        TextFormat::PlainText => format!("[privacy-lsp: ignore {}]\n", f.rule),
    };
    let title = match analysis.facts.language {
        Language::En => format!("Ignore {} here", f.rule),
        Language::Nb | Language::Nn => format!("Ignorer {} her", f.rule),
    };
    Some(Fix {
        title,
        findings: vec![finding],
        edits: vec![TextEdit {
            range: at..at,
            new_text: directive,
        }],
        preferred: false,
    })
}

/// The fixes for the findings that overlap `range`.
pub fn fixes(
    document: &Document,
    analysis: &Analysis,
    range: Range<usize>,
    ctx: &FixContext,
) -> Vec<Fix> {
    let language = analysis.facts.language;
    let touching: Vec<usize> = analysis
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.range.start <= range.end && range.start <= f.range.end)
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    if touching
        .iter()
        .any(|i| analysis.findings.get(*i).is_some_and(|f| is_right(f.rule)))
    {
        out.extend(rights_fix(document, analysis, ctx));
    }
    let undeclared: Vec<usize> = analysis
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.rule == "transfer-undeclared" && f.range.start < f.range.end)
        .map(|(i, _)| i)
        .collect();
    for index in &touching {
        let Some(finding) = analysis.findings.get(*index) else {
            continue;
        };
        match finding.rule {
            "transfer-undeclared" if undeclared.contains(index) => {
                let name = finding.subject.clone().unwrap_or_default();
                let title = match language {
                    Language::En => format!("Declare the transfer for {name}"),
                    Language::Nb => format!("Opplys om overføringen for {name}"),
                    Language::Nn => format!("Opplys om overføringa for {name}"),
                };
                out.extend(transfer_fix(document, analysis, &[*index], title));
                if undeclared.len() > 1 {
                    let n = undeclared.len();
                    let title = match language {
                        Language::En => format!("Declare the transfers for all {n} processors"),
                        Language::Nb => {
                            format!("Opplys om overføringene for alle {n} leverandørene")
                        }
                        Language::Nn => {
                            format!("Opplys om overføringane for alle {n} leverandørane")
                        }
                    };
                    out.extend(transfer_fix(document, analysis, &undeclared, title));
                }
            }
            "outdated-reference" => {
                let reference = analysis
                    .facts
                    .outdated_references
                    .iter()
                    .find(|r| r.range == finding.range);
                let entry = reference.and_then(|r| knowledge::outdated().get(r.entry));
                if let Some(entry) = entry {
                    let successor = if language.is_norwegian() {
                        &entry.successor
                    } else {
                        &entry.successor_en
                    };
                    let title = match language {
                        Language::En => format!("Replace with {successor}"),
                        Language::Nb | Language::Nn => format!("Erstatt med {successor}"),
                    };
                    out.push(Fix {
                        title,
                        findings: vec![*index],
                        edits: vec![TextEdit {
                            range: finding.range.clone(),
                            new_text: successor.clone(),
                        }],
                        preferred: true,
                    });
                }
            }
            "last-updated-missing" => out.push(last_updated_fix(document, analysis, *index, ctx)),
            _ => {}
        }
    }
    for index in &touching {
        out.extend(ignore_fix(document, analysis, *index));
    }
    out
}

/// `text` with `edits` applied (they must not overlap).
pub fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_string();
    for edit in sorted {
        if out.is_char_boundary(edit.range.start)
            && out.is_char_boundary(edit.range.end.min(out.len()))
        {
            out.replace_range(
                edit.range.start..edit.range.end.min(out.len()),
                &edit.new_text,
            );
        }
    }
    out
}
