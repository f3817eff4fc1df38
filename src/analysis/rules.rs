//! The rules of checks.md ("Completeness" and "Hygiene"): document facts in, findings out.
//! Rules read facts only.

use std::ops::Range;

use super::facts::{DocumentFacts, Retention};
use super::finding::{Finding, Severity};
use super::language::Language;
use crate::knowledge;
use crate::knowledge::processors::Processor;

/// Collects findings in the document's language.
struct Report<'a> {
    facts: &'a DocumentFacts,
    /// The organisation's own processors (indices after the shipped ones).
    own: &'a [Processor],
    /// The language of the messages.
    language: Language,
    findings: Vec<Finding>,
}

impl Report<'_> {
    /// Adds a finding of `rule` at `range`, with a message variant and a severity other than
    /// the default when given.
    fn add(
        &mut self,
        rule: &str,
        range: Range<usize>,
        variant: Option<&str>,
        severity: Option<Severity>,
    ) {
        if let Some(finding) = Finding::new(rule, self.language, range, variant) {
            self.findings.push(match severity {
                Some(severity) => finding.with_severity(severity),
                None => finding,
            });
        }
    }
}

/// Runs every rule over the facts, with messages in `language`; `own` are the
/// organisation's own processors.
pub fn run(facts: &DocumentFacts, language: Language, own: &[Processor]) -> Vec<Finding> {
    let doc = facts.document_anchor.clone();
    let rights = facts.rights_anchor.clone();
    let has_basis = |code: &str| facts.legal_bases.iter().any(|b| b == code);
    let mut report = Report {
        facts,
        own,
        language,
        findings: Vec::new(),
    };

    // Items whose absence from the whole document is the finding.
    let controller_named = facts.controller.as_ref().is_some_and(|c| c.name.is_some());
    for (present, rule) in [
        (controller_named, "controller-identity"),
        (!facts.controller_contact.is_empty(), "controller-contact"),
        (facts.purposes, "purposes-missing"),
        (!facts.legal_bases.is_empty(), "legal-basis-missing"),
        (facts.recipients, "recipients-missing"),
        (facts.retention != Retention::None, "retention-missing"),
        (facts.statutory, "statutory-requirement"),
        (facts.last_updated.is_some(), "last-updated-missing"),
    ] {
        if !present {
            report.add(rule, doc.clone(), None, None);
        }
    }

    let dpo_reachable = facts.dpo.as_ref().is_some_and(|d| !d.contact.is_empty());
    if !dpo_reachable && !facts.dpo_denied {
        let range = facts
            .dpo
            .as_ref()
            .map_or_else(|| doc.clone(), |d| d.range.clone());
        if facts.public_authority {
            report.add(
                "dpo-contact",
                range,
                Some("public"),
                Some(Severity::Warning),
            );
        } else {
            report.add("dpo-contact", range, None, None);
        }
    }
    for range in &facts.legitimate_interest_unstated {
        report.add("legitimate-interest-unstated", range.clone(), None, None);
    }
    if facts.retention == Retention::Vague {
        let range = facts
            .vague_retention
            .first()
            .cloned()
            .unwrap_or_else(|| doc.clone());
        report.add("retention-vague", range, None, None);
    }

    let r = &facts.rights;
    let hint_unless = |applies: bool| (!applies).then_some(Severity::Hint);
    for (present, rule, severity) in [
        (r.access, "right-access", None),
        (r.rectification, "right-rectification", None),
        (r.erasure, "right-erasure", None),
        (r.restriction, "right-restriction", None),
        (
            r.portability,
            "right-portability",
            hint_unless(has_basis("6.1.a") || has_basis("6.1.b")),
        ),
        (
            r.objection,
            "right-objection",
            hint_unless(has_basis("6.1.e") || has_basis("6.1.f")),
        ),
    ] {
        if !present {
            report.add(rule, rights.clone(), None, severity);
        }
    }
    if !r.withdraw_consent && (has_basis("6.1.a") || has_basis("9.2.a")) {
        report.add("right-withdraw-consent", rights.clone(), None, None);
    }
    if !r.complaint {
        match &facts.complaint_unnamed {
            Some(range) => report.add("right-complaint", range.clone(), Some("unnamed"), None),
            None => report.add("right-complaint", rights.clone(), None, None),
        }
    }
    if let Some(range) = &facts.automated_unexplained {
        report.add("automated-decisions", range.clone(), None, None);
    }
    if let Some(range) = &facts.special_category_at {
        if !facts.art9_condition {
            let code = language.code();
            let labels: Vec<&str> = facts
                .special_categories
                .iter()
                .map(|c| knowledge::category_label(c, code).unwrap_or(c))
                .collect();
            let labels = if labels.is_empty() {
                if language.is_norwegian() {
                    "uspesifisert"
                } else {
                    "unspecified"
                }
                .to_string()
            } else {
                labels.join(", ")
            };
            if let Some(finding) =
                Finding::new("special-category-basis", language, range.clone(), None)
            {
                let subject = facts.special_categories.join(", ");
                report
                    .findings
                    .push(finding.about(&subject, &[("categories", labels.as_str())]));
            }
        }
    }
    for range in &facts.consent_by_use {
        report.add("consent-by-use", range.clone(), None, None);
    }
    for reference in &facts.outdated_references {
        let Some(entry) = knowledge::outdated().get(reference.entry) else {
            continue;
        };
        let successor = if language.is_norwegian() {
            &entry.successor
        } else {
            &entry.successor_en
        };
        if let Some(finding) = Finding::new(
            "outdated-reference",
            language,
            reference.range.clone(),
            None,
        ) {
            report.findings.push(finding.about(
                &reference.written,
                &[
                    ("successor", successor.as_str()),
                    ("since", entry.since.as_str()),
                ],
            ));
        }
    }

    transfers(&mut report);

    let mut findings = report.findings;
    findings.sort_by(|a, b| {
        (a.range.start, a.severity, a.rule).cmp(&(b.range.start, b.severity, b.rule))
    });
    findings
}

/// The Chapter V rules: undeclared transfers, missing and invalid mechanisms, and claims that
/// all data stay in the EU/EEA that a named processor contradicts.
fn transfers(report: &mut Report<'_>) {
    let facts = report.facts;
    let language = report.language;
    let norwegian = language.is_norwegian();
    let own = report.own;
    let mut contradicted = Vec::new();
    for mention in &facts.processors {
        let Some(processor) = knowledge::processors::lookup(mention.index, own) else {
            continue;
        };
        let Some((entity, country)) = processor.third_country() else {
            continue;
        };
        let country_name = knowledge::areas::country_name(country, norwegian);
        if !facts.transfers_declared {
            let coverage = match processor.adequacy() {
                Some(kind) => Finding::new("transfer-undeclared", language, 0..0, Some(kind))
                    .map(|f| f.message)
                    .unwrap_or_default(),
                None => String::new(),
            };
            let mechanism = processor
                .mechanisms
                .iter()
                .filter(|m| *m != "none")
                .map(|m| knowledge::areas::mechanism_name(m, norwegian))
                .collect::<Vec<_>>()
                .join(" + ");
            let mechanism = if mechanism.is_empty() {
                knowledge::areas::mechanism_name("scc", norwegian)
            } else {
                mechanism
            };
            if let Some(finding) =
                Finding::new("transfer-undeclared", language, mention.range.clone(), None)
            {
                report.findings.push(finding.about(
                    &mention.written,
                    &[
                        ("country", &country_name),
                        ("entity", entity),
                        ("coverage", &coverage),
                        ("mechanism", &mechanism),
                    ],
                ));
            }
        }
        for (_, allows_adequacy) in &facts.stays_in_eea {
            let covered = *allows_adequacy && processor.adequacy().is_some();
            if !covered && !contradicted.contains(&mention.index) {
                contradicted.push(mention.index);
                if let Some(finding) = Finding::new(
                    "transfer-contradiction",
                    language,
                    mention.range.clone(),
                    None,
                ) {
                    report.findings.push(finding.about(
                        &mention.written,
                        &[("country", &country_name), ("entity", entity)],
                    ));
                }
            }
        }
    }
    if let Some(range) = &facts.transfer_affirmed {
        if facts.transfer_mechanisms.is_empty() && facts.invalid_mechanisms.is_empty() {
            report.add("transfer-mechanism-missing", range.clone(), None, None);
        }
    }
    for (written, range) in &facts.invalid_mechanisms {
        let note = knowledge::outdated()
            .iter()
            .find(|o| {
                o.invalid_transfer_mechanism
                    && o.aliases.iter().any(|a| a.eq_ignore_ascii_case(written))
            })
            .map(|o| {
                let source = o.source.split(';').next().unwrap_or("").trim();
                format!("{source}, {}", o.since)
            })
            .unwrap_or_default();
        if let Some(finding) =
            Finding::new("transfer-invalid-mechanism", language, range.clone(), None)
        {
            report
                .findings
                .push(finding.about(written, &[("successor_note", &note)]));
        }
    }
}
