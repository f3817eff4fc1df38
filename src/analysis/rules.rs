//! The rules of checks.md ("Completeness" and "Hygiene"): document facts in, findings out.
//! Rules read facts only.

use super::facts::{DocumentFacts, Retention};
use super::finding::{Finding, Severity};

fn push(findings: &mut Vec<Finding>, finding: Option<Finding>) {
    if let Some(f) = finding {
        findings.push(f);
    }
}

/// Runs every rule over the facts.
pub fn run(facts: &DocumentFacts) -> Vec<Finding> {
    let lang = facts.language;
    let doc = facts.document_anchor.clone();
    let rights = facts.rights_anchor.clone();
    let has_basis = |code: &str| facts.legal_bases.iter().any(|b| b == code);
    let mut out = Vec::new();

    if facts.controller.as_ref().is_none_or(|c| c.name.is_none()) {
        push(
            &mut out,
            Finding::new("controller-identity", lang, doc.clone(), None),
        );
    }
    if facts.controller_contact.is_empty() {
        push(
            &mut out,
            Finding::new("controller-contact", lang, doc.clone(), None),
        );
    }
    let dpo_reachable = facts.dpo.as_ref().is_some_and(|d| !d.contact.is_empty());
    if !dpo_reachable && !facts.dpo_denied {
        let range = facts
            .dpo
            .as_ref()
            .map(|d| d.range.clone())
            .unwrap_or_else(|| doc.clone());
        if facts.public_authority {
            push(
                &mut out,
                Finding::new("dpo-contact", lang, range, Some("public"))
                    .map(|f| f.with_severity(Severity::Warning)),
            );
        } else {
            push(&mut out, Finding::new("dpo-contact", lang, range, None));
        }
    }
    if !facts.purposes {
        push(
            &mut out,
            Finding::new("purposes-missing", lang, doc.clone(), None),
        );
    }
    if facts.legal_bases.is_empty() {
        push(
            &mut out,
            Finding::new("legal-basis-missing", lang, doc.clone(), None),
        );
    }
    for range in &facts.legitimate_interest_unstated {
        push(
            &mut out,
            Finding::new("legitimate-interest-unstated", lang, range.clone(), None),
        );
    }
    if !facts.recipients {
        push(
            &mut out,
            Finding::new("recipients-missing", lang, doc.clone(), None),
        );
    }
    match facts.retention {
        Retention::None => push(
            &mut out,
            Finding::new("retention-missing", lang, doc.clone(), None),
        ),
        Retention::Vague => {
            let range = facts
                .vague_retention
                .first()
                .cloned()
                .unwrap_or_else(|| doc.clone());
            push(&mut out, Finding::new("retention-vague", lang, range, None));
        }
        Retention::Specific => {}
    }

    let r = &facts.rights;
    for (present, rule) in [
        (r.access, "right-access"),
        (r.rectification, "right-rectification"),
        (r.erasure, "right-erasure"),
        (r.restriction, "right-restriction"),
    ] {
        if !present {
            push(&mut out, Finding::new(rule, lang, rights.clone(), None));
        }
    }
    if !r.portability {
        let applies = has_basis("6.1.a") || has_basis("6.1.b");
        let finding = Finding::new("right-portability", lang, rights.clone(), None);
        push(
            &mut out,
            if applies {
                finding
            } else {
                finding.map(|f| f.with_severity(Severity::Hint))
            },
        );
    }
    if !r.objection {
        let applies = has_basis("6.1.e") || has_basis("6.1.f");
        let finding = Finding::new("right-objection", lang, rights.clone(), None);
        push(
            &mut out,
            if applies {
                finding
            } else {
                finding.map(|f| f.with_severity(Severity::Hint))
            },
        );
    }
    if !r.withdraw_consent && (has_basis("6.1.a") || has_basis("9.2.a")) {
        push(
            &mut out,
            Finding::new("right-withdraw-consent", lang, rights.clone(), None),
        );
    }
    if !r.complaint {
        match &facts.complaint_unnamed {
            Some(range) => push(
                &mut out,
                Finding::new("right-complaint", lang, range.clone(), Some("unnamed")),
            ),
            None => push(
                &mut out,
                Finding::new("right-complaint", lang, rights.clone(), None),
            ),
        }
    }
    if let Some(range) = &facts.automated_unexplained {
        push(
            &mut out,
            Finding::new("automated-decisions", lang, range.clone(), None),
        );
    }
    if !facts.statutory {
        push(
            &mut out,
            Finding::new("statutory-requirement", lang, doc.clone(), None),
        );
    }
    if facts.last_updated.is_none() {
        push(
            &mut out,
            Finding::new("last-updated-missing", lang, doc.clone(), None),
        );
    }
    out.sort_by(|a, b| {
        (a.range.start, a.severity, a.rule).cmp(&(b.range.start, b.severity, b.rule))
    });
    out
}
