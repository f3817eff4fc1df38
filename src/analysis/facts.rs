//! Document facts: what the whole policy says, gathered from its blocks' facts.
//!
//! This is where block facts meet the outline: a retention period counts when its sentence
//! speaks of storing or deleting data or its section is about storage, a DPO's contact may
//! stand a few blocks after the DPO is named, a controller label ("Behandlingsansvarlig:") is
//! followed by the name. Rules read these facts, never text.

use std::collections::BTreeSet;
use std::ops::Range;

use super::extract;
use super::language::Language;
use super::lexicon::Concept;
use super::outline::Outline;

/// The organisation named as controller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Controller {
    /// Its name as written, when found.
    pub name: Option<String>,
    /// Its organisation number, digits only.
    pub org_number: Option<String>,
    /// Where it is named.
    pub range: Range<usize>,
}

/// Ways to contact someone, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ContactKind {
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
    /// A postal address.
    Address,
    /// A contact form.
    Form,
}

impl ContactKind {
    /// The report name of the kind.
    pub fn name(self) -> &'static str {
        match self {
            ContactKind::Email => "email",
            ContactKind::Phone => "phone",
            ContactKind::Address => "address",
            ContactKind::Form => "form",
        }
    }
}

/// The data protection officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dpo {
    /// The DPO's name, when found.
    pub name: Option<String>,
    /// How to reach the DPO.
    pub contact: Vec<ContactKind>,
    /// Where the DPO is named.
    pub range: Range<usize>,
}

/// Which data-subject rights the policy mentions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct Rights {
    pub access: bool,
    pub rectification: bool,
    pub erasure: bool,
    pub restriction: bool,
    pub portability: bool,
    pub objection: bool,
    pub withdraw_consent: bool,
    /// A complaint to a named supervisory authority.
    pub complaint: bool,
    /// The policy says whether automated decisions or profiling take place, and explains them.
    pub automated_decisions: bool,
}

/// How the policy states storage periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// A period or a concrete criterion.
    Specific,
    /// Only "as long as necessary" statements.
    Vague,
    /// Nothing.
    None,
}

impl Retention {
    /// The report name.
    pub fn name(self) -> &'static str {
        match self {
            Retention::Specific => "specific",
            Retention::Vague => "vague",
            Retention::None => "none",
        }
    }
}

/// A storage period stated for data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionPeriod {
    /// As written.
    pub text: String,
    /// In whole days.
    pub days: u32,
    /// Where.
    pub range: Range<usize>,
}

/// A name that no longer exists, where the policy uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutdatedReference {
    /// The name as written.
    pub written: String,
    /// Index of the entry in [`crate::knowledge::outdated`].
    pub entry: usize,
    /// Where.
    pub range: Range<usize>,
}

/// A processor or recipient the policy names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessorFact {
    /// As written.
    pub written: String,
    /// Index in [`crate::knowledge::processors::shipped`].
    pub index: usize,
    /// Where.
    pub range: Range<usize>,
}

/// Everything the rules need to know about a policy.
#[derive(Debug, Clone)]
pub struct DocumentFacts {
    /// The language the policy was read in.
    pub language: Language,
    /// Whether the text reads as a privacy policy.
    pub is_policy: bool,
    /// The controller, when named.
    pub controller: Option<Controller>,
    /// How the controller can be reached.
    pub controller_contact: Vec<ContactKind>,
    /// The DPO, when named with a contact or as the organisation's own.
    pub dpo: Option<Dpo>,
    /// The policy says it has no DPO.
    pub dpo_denied: bool,
    /// Purposes are stated.
    pub purposes: bool,
    /// Legal bases, as codes such as "6.1.a", sorted.
    pub legal_bases: Vec<String>,
    /// Rights mentioned.
    pub rights: Rights,
    /// The authority named as the place to complain.
    pub complaint_authority: Option<String>,
    /// A complaint mentioned without an authority.
    pub complaint_unnamed: Option<Range<usize>>,
    /// How storage periods are stated.
    pub retention: Retention,
    /// Storage periods stated for data (not cookie lifetimes).
    pub retention_periods: Vec<RetentionPeriod>,
    /// "As long as necessary" statements.
    pub vague_retention: Vec<Range<usize>>,
    /// Recipients, processors or their categories are mentioned.
    pub recipients: bool,
    /// Whether providing data is required or voluntary is said.
    pub statutory: bool,
    /// The date of the last change, when given.
    pub last_updated: Option<String>,
    /// Where profiling or automated decisions are mentioned without an explanation.
    pub automated_unexplained: Option<Range<usize>>,
    /// Legitimate-interest statements that do not name the interest.
    pub legitimate_interest_unstated: Vec<Range<usize>>,
    /// The controller appears to be a public authority.
    pub public_authority: bool,
    /// Where consent is read into using, continuing to use, logging in or buying.
    pub consent_by_use: Vec<Range<usize>>,
    /// Names that no longer exist.
    pub outdated_references: Vec<OutdatedReference>,
    /// Special categories of Art. 9(1) the policy processes (report names), denials left out.
    pub special_categories: Vec<&'static str>,
    /// Where special categories are first mentioned, when they are.
    pub special_category_at: Option<Range<usize>>,
    /// An Art. 9(2) condition is named.
    pub art9_condition: bool,
    /// Every mention of a processor or recipient (denials left out), in order.
    pub processors: Vec<ProcessorFact>,
    /// The policy says something about transfers out of the EU/EEA.
    pub transfer_statement: bool,
    /// The first statement that transfers out of the EU/EEA happen (not a denial).
    pub transfer_affirmed: Option<Range<usize>>,
    /// Transfer tools named ("adequacy", "scc", "bcr", "dpf", "derogation").
    pub transfer_mechanisms: Vec<&'static str>,
    /// The policy declares transfers out of the EU/EEA and a tool for them, even in general
    /// terms: named third-country processors are then covered.
    pub transfers_declared: bool,
    /// Struck-down transfer tools relied on (Safe Harbor, Privacy Shield): name and place.
    pub invalid_mechanisms: Vec<(String, Range<usize>)>,
    /// Claims that all data stay in Norway or the EU/EEA, and whether the claim also allows
    /// countries with an adequacy decision.
    pub stays_in_eea: Vec<(Range<usize>, bool)>,
    /// Where a finding about the whole document points: the first heading or the first line.
    pub document_anchor: Range<usize>,
    /// Where a finding about a missing right points: the rights section's heading, if any.
    pub rights_anchor: Range<usize>,
}

fn contact_kinds(outline: &Outline, blocks: Range<usize>) -> Vec<ContactKind> {
    let mut kinds = BTreeSet::new();
    for block in outline.blocks.get(blocks).unwrap_or(&[]) {
        let f = &block.facts;
        if !f.emails.is_empty() {
            kinds.insert(ContactKind::Email);
        }
        if !f.phones.is_empty() {
            kinds.insert(ContactKind::Phone);
        }
        if !f.addresses.is_empty() {
            kinds.insert(ContactKind::Address);
        }
        if f.has(Concept::ContactForm) {
            kinds.insert(ContactKind::Form);
        }
    }
    kinds.into_iter().collect()
}

fn is_processor(name: &str, processors: &[String]) -> bool {
    let lower = name.to_lowercase();
    processors.iter().any(|p| {
        lower == *p || lower.starts_with(&format!("{p} ")) || p.starts_with(&format!("{lower} "))
    })
}

fn controller(outline: &Outline) -> Option<Controller> {
    let processors: Vec<String> = outline
        .blocks
        .iter()
        .flat_map(|b| b.facts.processor_names.iter().cloned())
        .collect();
    let mut org_number = None;
    for block in &outline.blocks {
        if let Some(number) = block.facts.org_numbers.first() {
            org_number = Some(number.value.clone());
            break;
        }
    }
    let accept = |name: &str| !is_processor(name, &processors);
    let mut named: Option<(String, Range<usize>)> = None;
    'blocks: for (i, block) in outline.blocks.iter().enumerate() {
        for span in &block.facts.controller_names {
            if accept(&span.value) {
                named = Some((span.value.clone(), block.absolute(&span.range)));
                break 'blocks;
            }
        }
        if block.facts.controller_label {
            for next in outline.blocks.iter().skip(i + 1).take(3) {
                let candidate = next
                    .facts
                    .organisations
                    .first()
                    .map(|o| (o.value.clone(), next.absolute(&o.range)))
                    .or_else(|| {
                        next.facts
                            .line_text
                            .clone()
                            .map(|t| (t, next.block.content.clone()))
                    });
                if let Some((name, range)) = candidate {
                    if accept(&name) {
                        named = Some((name, range));
                        break 'blocks;
                    }
                }
            }
        }
    }
    if named.is_none() {
        // An organisation number names its organisation: look beside it.
        if let Some(i) = outline
            .blocks
            .iter()
            .position(|b| !b.facts.org_numbers.is_empty())
        {
            named = outline.blocks[i.saturating_sub(2)..=i]
                .iter()
                .rev()
                .find_map(|b| {
                    b.facts
                        .organisations
                        .iter()
                        .find(|o| accept(&o.value))
                        .map(|o| (o.value.clone(), b.absolute(&o.range)))
                });
        }
    }
    if named.is_none() {
        // An organisation with a legal form at the top of the notice is its author.
        named = outline.blocks.iter().take(3).find_map(|b| {
            b.facts
                .organisations
                .iter()
                .find(|o| accept(&o.value))
                .map(|o| (o.value.clone(), b.absolute(&o.range)))
        });
    }
    match (named, org_number) {
        (Some((name, range)), number) => Some(Controller {
            name: Some(name),
            org_number: number,
            range,
        }),
        (None, Some(number)) => {
            let range = outline
                .blocks
                .iter()
                .find_map(|b| b.facts.org_numbers.first().map(|n| b.absolute(&n.range)))
                .unwrap_or(0..0);
            Some(Controller {
                name: None,
                org_number: Some(number),
                range,
            })
        }
        (None, None) => None,
    }
}

fn dpo(outline: &Outline) -> (Option<Dpo>, bool) {
    let mut denied = false;
    let mut fallback = None;
    for (i, block) in outline.blocks.iter().enumerate() {
        if block
            .facts
            .mentions
            .iter()
            .any(|m| m.concept == Concept::Dpo && m.negated)
        {
            denied = true;
        }
        let Some(mention) = block.facts.affirmed(Concept::Dpo).next() else {
            continue;
        };
        let range = block.absolute(&mention.range);
        let contact = contact_kinds(outline, i..(i + 5).min(outline.blocks.len()));
        let contact: Vec<ContactKind> = contact
            .into_iter()
            .filter(|k| *k != ContactKind::Form)
            .collect();
        if !contact.is_empty() {
            return (
                Some(Dpo {
                    name: None,
                    contact,
                    range,
                }),
                denied,
            );
        }
        if fallback.is_none() && block.facts.has(Concept::DpoOurs) {
            fallback = Some(Dpo {
                name: None,
                contact: Vec::new(),
                range,
            });
        }
    }
    (fallback, denied)
}

/// Gathers the document's facts from its outline.
pub fn gather(outline: &Outline, language: Language) -> DocumentFacts {
    let affirmed_anywhere = outline
        .blocks
        .iter()
        .fold(0, |set, b| set | b.facts.affirmed_concepts());
    let any = |concept: Concept| affirmed_anywhere & extract::concept_bit(concept) != 0;

    let mut legal_bases: BTreeSet<String> = BTreeSet::new();
    for block in &outline.blocks {
        for reference in &block.facts.basis_refs {
            legal_bases.insert(reference.value.clone());
        }
    }
    for (concept, code) in [
        (Concept::BasisConsent, "6.1.a"),
        (Concept::BasisContract, "6.1.b"),
        (Concept::BasisLegalObligation, "6.1.c"),
        (Concept::BasisVital, "6.1.d"),
        (Concept::BasisPublicTask, "6.1.e"),
        (Concept::BasisLegitimateInterest, "6.1.f"),
    ] {
        if any(concept) {
            legal_bases.insert(code.to_string());
        }
    }

    // Complaints: a complaint and an authority in the same block or the next.
    let mut complaint_authority = None;
    let mut complaint_unnamed = None;
    for (i, block) in outline.blocks.iter().enumerate() {
        let Some(mention) = block.facts.affirmed(Concept::RightComplaint).next() else {
            continue;
        };
        let authority = outline.blocks[i..(i + 2).min(outline.blocks.len())]
            .iter()
            .find_map(|b| b.facts.authorities.first().map(|a| a.value.clone()));
        match authority {
            Some(name) => {
                complaint_authority = Some(name);
                break;
            }
            None => {
                complaint_unnamed.get_or_insert_with(|| block.absolute(&mention.range));
            }
        }
    }

    // Retention.
    let mut retention_periods = Vec::new();
    let mut vague_retention = Vec::new();
    let mut criteria = false;
    for (i, block) in outline.blocks.iter().enumerate() {
        let f = &block.facts;
        if f.cookie_context {
            continue;
        }
        let retention_section = outline.section_of(i).retention;
        let about_storage =
            |s: u32| f.has_in_sentence(Concept::RetentionCue, s) || retention_section;
        let mut vague_sentences = Vec::new();
        for m in f.affirmed(Concept::RetentionVague) {
            if about_storage(m.sentence) {
                vague_sentences.push(m.sentence);
                vague_retention.push(block.absolute(&m.range));
            }
        }
        if f.affirmed(Concept::RetentionCriterion)
            .any(|m| !vague_sentences.contains(&m.sentence))
        {
            criteria = true;
        }
        for period in &f.periods {
            if about_storage(period.sentence) {
                retention_periods.push(RetentionPeriod {
                    text: period.text.clone(),
                    days: period.days,
                    range: block.absolute(&period.range),
                });
            }
        }
    }
    let retention = if !retention_periods.is_empty() || criteria {
        Retention::Specific
    } else if !vague_retention.is_empty() {
        Retention::Vague
    } else {
        Retention::None
    };

    // Profiling and automated decisions.
    let mut automated_unexplained = None;
    let mut automated_informed = false;
    for (i, block) in outline.blocks.iter().enumerate() {
        if block
            .facts
            .mentions
            .iter()
            .any(|m| m.concept == Concept::Automated && m.negated)
        {
            automated_informed = true;
        }
        if let Some(m) = block.facts.affirmed(Concept::Automated).next() {
            let explained = outline.blocks[i..(i + 2).min(outline.blocks.len())]
                .iter()
                .any(|b| b.facts.has(Concept::AutomatedExplained));
            if explained {
                automated_informed = true;
            } else {
                automated_unexplained.get_or_insert_with(|| block.absolute(&m.range));
            }
        }
    }
    if automated_informed {
        automated_unexplained = None;
    }

    // Legitimate interests relied on without naming the interest.
    let mut legitimate_interest_unstated = Vec::new();
    for (i, block) in outline.blocks.iter().enumerate() {
        let f = &block.facts;
        let Some(m) = f.affirmed(Concept::BasisLegitimateInterest).next() else {
            continue;
        };
        let rights_context = outline.section_of(i).rights || f.has(Concept::RightObjection);
        if !rights_context && !f.has(Concept::InterestNamed) {
            legitimate_interest_unstated.push(block.absolute(&m.range));
        }
    }

    let rights = Rights {
        access: any(Concept::RightAccess),
        rectification: any(Concept::RightRectification),
        erasure: any(Concept::RightErasure),
        restriction: any(Concept::RightRestriction),
        portability: any(Concept::RightPortability),
        objection: any(Concept::RightObjection),
        withdraw_consent: any(Concept::RightWithdraw),
        complaint: complaint_authority.is_some(),
        automated_decisions: automated_informed,
    };

    let public_authority = outline.blocks.iter().enumerate().any(|(i, b)| {
        b.facts.has(Concept::PublicAuthority) && (i < 3 || b.facts.has(Concept::ControllerCue))
    });

    let document_anchor = outline
        .first_heading()
        .or_else(|| {
            outline.blocks.first().map(|b| {
                let line_end = b
                    .facts
                    .heading_line
                    .as_ref()
                    .map(|r| r.end)
                    .unwrap_or(b.block.content.len());
                b.block.content.start..b.block.content.start + line_end.min(b.block.content.len())
            })
        })
        .unwrap_or(0..0);
    let rights_anchor = outline
        .sections
        .iter()
        .find(|s| s.rights)
        .and_then(|s| s.heading.clone())
        .unwrap_or_else(|| document_anchor.clone());

    let title_is_policy = outline
        .blocks
        .iter()
        .take(3)
        .any(|b| b.heading.is_some() && b.facts.has(Concept::PolicyTitle));
    let evidence = [
        Concept::ControllerCue,
        Concept::RightAccess,
        Concept::RightErasure,
        Concept::RightComplaint,
        Concept::RetentionCue,
        Concept::BasisConsent,
        Concept::BasisLegitimateInterest,
        Concept::Recipients,
        Concept::Dpo,
        Concept::Purpose,
    ]
    .into_iter()
    .filter(|c| any(*c))
    .count();
    // A first heading (or first line) that names the document a privacy policy is enough.
    let first_heading = outline.blocks.iter().find(|b| b.heading.is_some());
    let titled_policy = [outline.blocks.first(), first_heading]
        .into_iter()
        .flatten()
        .any(|b| b.facts.has(Concept::PolicyDocument));
    let is_policy = titled_policy
        || (title_is_policy && evidence >= 2)
        || evidence >= 5
        || (any(Concept::PolicyTitle) && evidence >= 3);

    let mut consent_by_use = Vec::new();
    let mut outdated_references = Vec::new();
    for block in &outline.blocks {
        consent_by_use.extend(
            block
                .facts
                .affirmed(Concept::ConsentByUse)
                .map(|m| block.absolute(&m.range)),
        );
        outdated_references.extend(block.facts.outdated.iter().map(|o| OutdatedReference {
            written: o.written.clone(),
            entry: o.entry,
            range: block.absolute(&o.range),
        }));
    }

    let special_categories: Vec<&'static str> = Concept::SPECIAL_CATEGORIES
        .iter()
        .filter(|(concept, _)| any(*concept))
        .map(|(_, name)| *name)
        .collect();
    let special_category_at = outline.blocks.iter().find_map(|b| {
        b.facts
            .mentions
            .iter()
            .find(|m| {
                !m.negated
                    && (m.concept == Concept::SpecialGeneric
                        || Concept::SPECIAL_CATEGORIES
                            .iter()
                            .any(|(c, _)| *c == m.concept))
            })
            .map(|m| b.absolute(&m.range))
    });
    let art9_condition = any(Concept::Art9Condition)
        || outline.blocks.iter().any(|b| {
            b.facts
                .basis_refs
                .iter()
                .any(|r| r.value.starts_with("9.2."))
        });

    let mut processors = Vec::new();
    let mut transfer_statement = false;
    let mut transfer_affirmed = None;
    let mut invalid_mechanisms = Vec::new();
    let mut stays_in_eea = Vec::new();
    for block in &outline.blocks {
        let f = &block.facts;
        processors.extend(
            f.processors
                .iter()
                .filter(|p| !p.negated)
                .map(|p| ProcessorFact {
                    written: p.written.clone(),
                    index: p.index,
                    range: block.absolute(&p.range),
                }),
        );
        for m in f
            .mentions
            .iter()
            .filter(|m| m.concept == Concept::TransferStatement)
        {
            transfer_statement = true;
            if !m.negated && transfer_affirmed.is_none() {
                transfer_affirmed = Some(block.absolute(&m.range));
            }
        }
        for o in &f.outdated {
            if crate::knowledge::outdated()
                .get(o.entry)
                .is_some_and(|e| e.invalid_transfer_mechanism)
            {
                invalid_mechanisms.push((o.written.clone(), block.absolute(&o.range)));
            }
        }
        for m in f.affirmed(Concept::StaysInEea) {
            let allows_adequacy = f.has_in_sentence(Concept::MechanismAdequacy, m.sentence);
            stays_in_eea.push((block.absolute(&m.range), allows_adequacy));
        }
    }
    let transfer_mechanisms: Vec<&'static str> = Concept::MECHANISMS
        .iter()
        .filter(|(c, _)| any(*c))
        .map(|(_, name)| *name)
        .collect();

    let (dpo, dpo_denied) = dpo(outline);
    DocumentFacts {
        language,
        is_policy,
        controller: controller(outline),
        controller_contact: contact_kinds(outline, 0..outline.blocks.len()),
        dpo,
        dpo_denied,
        purposes: any(Concept::Purpose),
        legal_bases: legal_bases.into_iter().collect(),
        rights,
        complaint_authority,
        complaint_unnamed,
        retention,
        retention_periods,
        vague_retention,
        recipients: outline.blocks.iter().any(|b| {
            b.facts
                .mentions
                .iter()
                .any(|m| m.concept == Concept::Recipients)
        }),
        statutory: any(Concept::Statutory),
        last_updated: outline
            .blocks
            .iter()
            .find_map(|b| b.facts.update_date.as_ref().map(|d| d.value.clone())),
        automated_unexplained,
        legitimate_interest_unstated,
        public_authority,
        consent_by_use,
        outdated_references,
        special_categories,
        special_category_at,
        art9_condition,
        processors,
        transfer_statement,
        transfer_affirmed,
        transfers_declared: transfer_statement && !transfer_mechanisms.is_empty(),
        transfer_mechanisms,
        invalid_mechanisms,
        stays_in_eea,
        document_anchor,
        rights_anchor,
    }
}
