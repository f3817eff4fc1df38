//! The JSON report of `check --format json` (the contract in check-json.md, version 1).

use serde::Serialize;

use super::FileReport;
use crate::analysis::Analysis;
use crate::document::{Document, PositionEncoding};

/// A zero-based line and UTF-16 column.
#[derive(Debug, Serialize)]
pub struct Position {
    /// Zero-based line.
    pub line: u32,
    /// Zero-based UTF-16 column.
    pub character: u32,
}

/// A range of positions.
#[derive(Debug, Serialize)]
pub struct Range {
    /// Start.
    pub start: Position,
    /// End (exclusive).
    pub end: Position,
}

impl Range {
    /// The LSP-style range of a byte range in a document.
    pub fn of(document: &Document, bytes: &std::ops::Range<usize>) -> Range {
        let convert = |b: usize| {
            let p = document.position_at(b, PositionEncoding::Utf16);
            Position {
                line: p.line,
                character: p.col,
            }
        };
        Range {
            start: convert(bytes.start),
            end: convert(bytes.end),
        }
    }
}

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool,
    files: Vec<FileJson<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct FileJson<'a> {
    path: &'a str,
    language: &'static str,
    is_policy: bool,
    facts: FactsJson,
    findings: Vec<FindingJson<'a>>,
}

#[derive(Serialize)]
struct ControllerJson {
    name: Option<String>,
    org_number: Option<String>,
}

#[derive(Serialize)]
struct DpoJson {
    name: Option<String>,
    contact: Vec<&'static str>,
}

#[derive(Serialize)]
struct RightsJson {
    access: bool,
    rectification: bool,
    erasure: bool,
    restriction: bool,
    portability: bool,
    objection: bool,
    withdraw_consent: bool,
    complaint: bool,
    automated_decisions: bool,
}

#[derive(Serialize)]
struct PeriodJson {
    text: String,
    days: u32,
    range: Range,
}

#[derive(Serialize)]
struct ProcessorJson {
    name: String,
    entity: Option<String>,
    country: Option<String>,
    third_country: bool,
    adequacy: Option<&'static str>,
    transfer_declared: bool,
    range: Range,
}

#[derive(Serialize)]
struct FactsJson {
    controller: Option<ControllerJson>,
    controller_contact: Vec<&'static str>,
    dpo: Option<DpoJson>,
    purposes: bool,
    legal_bases: Vec<String>,
    rights: RightsJson,
    complaint_authority: Option<String>,
    retention: &'static str,
    retention_periods: Vec<PeriodJson>,
    special_categories: Vec<&'static str>,
    last_updated: Option<String>,
    transfer_statement: bool,
    transfer_mechanisms: Vec<&'static str>,
    processors: Vec<ProcessorJson>,
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

fn processors_json(document: &Document, analysis: &Analysis) -> Vec<ProcessorJson> {
    let facts = &analysis.facts;
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for mention in &facts.processors {
        if seen.contains(&mention.index) {
            continue;
        }
        seen.push(mention.index);
        let Some(processor) = analysis.processor(mention.index) else {
            continue;
        };
        let third = processor.third_country();
        let (entity, country) = match third {
            Some((entity, country)) => (non_empty(entity), non_empty(country)),
            None => (
                non_empty(&processor.entity),
                non_empty(&processor.entity_country),
            ),
        };
        out.push(ProcessorJson {
            name: mention.written.clone(),
            entity,
            country,
            third_country: third.is_some(),
            adequacy: processor.adequacy(),
            transfer_declared: third.is_some() && facts.transfers_declared,
            range: Range::of(document, &mention.range),
        });
    }
    out
}

#[derive(Serialize)]
struct FindingJson<'a> {
    rule: &'static str,
    severity: &'static str,
    article: &'a str,
    message: &'a str,
    subject: Option<&'a str>,
    range: Range,
    fixes: Vec<serde_json::Value>,
}

fn facts_json(document: &Document, analysis: &Analysis) -> FactsJson {
    let facts = &analysis.facts;
    let r = &facts.rights;
    FactsJson {
        controller: facts.controller.as_ref().map(|c| ControllerJson {
            name: c.name.clone(),
            org_number: c.org_number.clone(),
        }),
        controller_contact: facts.controller_contact.iter().map(|k| k.name()).collect(),
        dpo: facts.dpo.as_ref().map(|d| DpoJson {
            name: d.name.clone(),
            contact: d.contact.iter().map(|k| k.name()).collect(),
        }),
        purposes: facts.purposes,
        legal_bases: facts.legal_bases.clone(),
        rights: RightsJson {
            access: r.access,
            rectification: r.rectification,
            erasure: r.erasure,
            restriction: r.restriction,
            portability: r.portability,
            objection: r.objection,
            withdraw_consent: r.withdraw_consent,
            complaint: r.complaint,
            automated_decisions: r.automated_decisions,
        },
        complaint_authority: facts.complaint_authority.clone(),
        retention: facts.retention.name(),
        retention_periods: facts
            .retention_periods
            .iter()
            .map(|p| PeriodJson {
                text: p.text.clone(),
                days: p.days,
                range: Range::of(document, &p.range),
            })
            .collect(),
        special_categories: facts.special_categories.clone(),
        last_updated: facts.last_updated.clone(),
        transfer_statement: facts.transfer_statement,
        transfer_mechanisms: facts.transfer_mechanisms.clone(),
        processors: processors_json(document, analysis),
    }
}

/// The report, in the field order that the JSON contract documents.
fn report(reports: &[FileReport]) -> Report<'_> {
    let files = reports
        .iter()
        .map(|r| FileJson {
            path: &r.path,
            language: r.analysis.facts.language.code(),
            is_policy: r.analysis.facts.is_policy,
            facts: facts_json(&r.document, &r.analysis),
            findings: r
                .analysis
                .findings
                .iter()
                .map(|f| FindingJson {
                    rule: f.rule,
                    severity: f.severity.name(),
                    article: &f.article,
                    message: &f.message,
                    subject: f.subject.as_deref(),
                    range: Range::of(&r.document, &f.range),
                    fixes: Vec::new(),
                })
                .collect(),
        })
        .collect();
    Report {
        version: 1,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        files,
    }
}

/// Writes the JSON report to stdout.
pub fn write(reports: &[FileReport]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &report(reports))?;
    writeln!(out)
}
