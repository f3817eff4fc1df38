//! Compiled lexicons: the concepts of the analysis and the word patterns that express them in
//! each language (data in `src/knowledge/data/lexicon/`, pattern language described there).
//!
//! Invariant: compilation happens once per language; a pattern that does not compile is a bug
//! in the data, caught by the unit tests, so matching never fails at run time.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use regex_syntax::hir::Hir;
use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::ascii_regex::{AsciiRegex, MatchOnlyRegex, ascii_regex, match_only_config};
use super::backtrack::{ListProgram, SearchText};
use super::fold::fold;
use super::language::Language;
use super::pattern::{list_expression, pattern_expression, required_literal};
use crate::knowledge;

/// Something a policy can say, found by lexicon patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum Concept {
    ControllerCue,
    ProcessorRole,
    ContactForm,
    PhoneCue,
    Dpo,
    DpoOurs,
    Purpose,
    BasisConsent,
    BasisContract,
    BasisLegalObligation,
    BasisVital,
    BasisPublicTask,
    BasisLegitimateInterest,
    InterestNamed,
    Recipients,
    RetentionCue,
    RetentionVague,
    RetentionCriterion,
    RightCue,
    RightAccess,
    RightRectification,
    RightErasure,
    RightRestriction,
    RightPortability,
    RightObjection,
    RightWithdraw,
    RightComplaint,
    Automated,
    AutomatedExplained,
    Statutory,
    LastUpdatedCue,
    RightsHeading,
    RetentionHeading,
    PublicAuthority,
    CookieContext,
    OrgNumberCue,
    PolicyTitle,
    PolicyDocument,
    ConsentByUse,
    HistoryCue,
    SpecialPolitical,
    SpecialReligion,
    SpecialUnion,
    SpecialHealth,
    SpecialGenetic,
    SpecialBiometric,
    SpecialSex,
    SpecialEthnic,
    SpecialGeneric,
    Art9Condition,
    TransferStatement,
    MechanismAdequacy,
    MechanismScc,
    MechanismBcr,
    MechanismDpf,
    MechanismDerogation,
    StaysInEea,
}

impl Concept {
    /// Every concept, in declaration order.
    pub const ALL: [Concept; 57] = [
        Concept::ControllerCue,
        Concept::ProcessorRole,
        Concept::ContactForm,
        Concept::PhoneCue,
        Concept::Dpo,
        Concept::DpoOurs,
        Concept::Purpose,
        Concept::BasisConsent,
        Concept::BasisContract,
        Concept::BasisLegalObligation,
        Concept::BasisVital,
        Concept::BasisPublicTask,
        Concept::BasisLegitimateInterest,
        Concept::InterestNamed,
        Concept::Recipients,
        Concept::RetentionCue,
        Concept::RetentionVague,
        Concept::RetentionCriterion,
        Concept::RightCue,
        Concept::RightAccess,
        Concept::RightRectification,
        Concept::RightErasure,
        Concept::RightRestriction,
        Concept::RightPortability,
        Concept::RightObjection,
        Concept::RightWithdraw,
        Concept::RightComplaint,
        Concept::Automated,
        Concept::AutomatedExplained,
        Concept::Statutory,
        Concept::LastUpdatedCue,
        Concept::RightsHeading,
        Concept::RetentionHeading,
        Concept::PublicAuthority,
        Concept::CookieContext,
        Concept::OrgNumberCue,
        Concept::PolicyTitle,
        Concept::PolicyDocument,
        Concept::ConsentByUse,
        Concept::HistoryCue,
        Concept::SpecialPolitical,
        Concept::SpecialReligion,
        Concept::SpecialUnion,
        Concept::SpecialHealth,
        Concept::SpecialGenetic,
        Concept::SpecialBiometric,
        Concept::SpecialSex,
        Concept::SpecialEthnic,
        Concept::SpecialGeneric,
        Concept::Art9Condition,
        Concept::TransferStatement,
        Concept::MechanismAdequacy,
        Concept::MechanismScc,
        Concept::MechanismBcr,
        Concept::MechanismDpf,
        Concept::MechanismDerogation,
        Concept::StaysInEea,
    ];

    /// The special categories of Art. 9(1), with their report names.
    pub const SPECIAL_CATEGORIES: [(Concept, &'static str); 8] = [
        (Concept::SpecialEthnic, "racial_or_ethnic_origin"),
        (Concept::SpecialPolitical, "political_opinions"),
        (
            Concept::SpecialReligion,
            "religious_or_philosophical_beliefs",
        ),
        (Concept::SpecialUnion, "trade_union_membership"),
        (Concept::SpecialGenetic, "genetic_data"),
        (Concept::SpecialBiometric, "biometric_data"),
        (Concept::SpecialHealth, "health"),
        (Concept::SpecialSex, "sex_life_or_orientation"),
    ];

    /// Transfer tools named in a policy, with their report names.
    pub const MECHANISMS: [(Concept, &'static str); 5] = [
        (Concept::MechanismAdequacy, "adequacy"),
        (Concept::MechanismScc, "scc"),
        (Concept::MechanismBcr, "bcr"),
        (Concept::MechanismDpf, "dpf"),
        (Concept::MechanismDerogation, "derogation"),
    ];

    /// The concept's key in the lexicon files.
    pub fn key(self) -> &'static str {
        match self {
            Concept::ControllerCue => "controller_cue",
            Concept::ProcessorRole => "processor_role",
            Concept::ContactForm => "contact_form",
            Concept::PhoneCue => "phone_cue",
            Concept::Dpo => "dpo",
            Concept::DpoOurs => "dpo_ours",
            Concept::Purpose => "purpose",
            Concept::BasisConsent => "basis_consent",
            Concept::BasisContract => "basis_contract",
            Concept::BasisLegalObligation => "basis_legal_obligation",
            Concept::BasisVital => "basis_vital",
            Concept::BasisPublicTask => "basis_public_task",
            Concept::BasisLegitimateInterest => "basis_legitimate_interest",
            Concept::InterestNamed => "interest_named",
            Concept::Recipients => "recipients",
            Concept::RetentionCue => "retention_cue",
            Concept::RetentionVague => "retention_vague",
            Concept::RetentionCriterion => "retention_criterion",
            Concept::RightCue => "right_cue",
            Concept::RightAccess => "right_access",
            Concept::RightRectification => "right_rectification",
            Concept::RightErasure => "right_erasure",
            Concept::RightRestriction => "right_restriction",
            Concept::RightPortability => "right_portability",
            Concept::RightObjection => "right_objection",
            Concept::RightWithdraw => "right_withdraw",
            Concept::RightComplaint => "right_complaint",
            Concept::Automated => "automated",
            Concept::AutomatedExplained => "automated_explained",
            Concept::Statutory => "statutory",
            Concept::LastUpdatedCue => "last_updated_cue",
            Concept::RightsHeading => "rights_heading",
            Concept::RetentionHeading => "retention_heading",
            Concept::PublicAuthority => "public_authority",
            Concept::CookieContext => "cookie_context",
            Concept::OrgNumberCue => "org_number_cue",
            Concept::PolicyTitle => "policy_title",
            Concept::PolicyDocument => "policy_document",
            Concept::ConsentByUse => "consent_by_use",
            Concept::HistoryCue => "history_cue",
            Concept::SpecialPolitical => "special_political",
            Concept::SpecialReligion => "special_religion",
            Concept::SpecialUnion => "special_union",
            Concept::SpecialHealth => "special_health",
            Concept::SpecialGenetic => "special_genetic",
            Concept::SpecialBiometric => "special_biometric",
            Concept::SpecialSex => "special_sex",
            Concept::SpecialEthnic => "special_ethnic",
            Concept::SpecialGeneric => "special_generic",
            Concept::Art9Condition => "art9_condition",
            Concept::TransferStatement => "transfer_statement",
            Concept::MechanismAdequacy => "mechanism_adequacy",
            Concept::MechanismScc => "mechanism_scc",
            Concept::MechanismBcr => "mechanism_bcr",
            Concept::MechanismDpf => "mechanism_dpf",
            Concept::MechanismDerogation => "mechanism_derogation",
            Concept::StaysInEea => "stays_in_eea",
        }
    }

    /// Whether a negation before a mention turns it into a denial ("vi bruker ikke
    /// profilering", "we do not appoint a DPO").
    pub fn negatable(self) -> bool {
        matches!(
            self,
            Concept::Dpo
                | Concept::DpoOurs
                | Concept::Automated
                | Concept::BasisConsent
                | Concept::BasisLegitimateInterest
                | Concept::Recipients
                | Concept::ConsentByUse
                | Concept::SpecialPolitical
                | Concept::SpecialReligion
                | Concept::SpecialUnion
                | Concept::SpecialHealth
                | Concept::SpecialGenetic
                | Concept::SpecialBiometric
                | Concept::SpecialSex
                | Concept::SpecialEthnic
                | Concept::SpecialGeneric
                | Concept::TransferStatement
        )
    }
}

#[derive(Debug, Default, Deserialize)]
struct ConceptSource {
    #[serde(default)]
    strong: Vec<String>,
    #[serde(default)]
    weak: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct LexiconSource {
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    markers: Vec<String>,
    #[serde(default)]
    negations: Vec<String>,
    #[serde(default)]
    months: HashMap<String, u32>,
    #[serde(default)]
    number_words: HashMap<String, u32>,
    #[serde(default)]
    units: HashMap<String, Vec<String>>,
    #[serde(default)]
    concepts: HashMap<String, ConceptSource>,
}

/// A concept's patterns.
#[derive(Debug)]
pub struct ConceptMatcher {
    /// Patterns that count on their own.
    pub strong: PatternList,
    /// Patterns that count only with a right cue before them.
    pub weak: PatternList,
}

/// A list of lexicon patterns, compiled on first use: a session compiles only the lists its
/// documents give the prefilter a reason to search.
///
/// Searches run a backtracking program of the patterns ([`ListProgram`]): for the shipped
/// lexicons, the one `build.rs` compiled ([`SHIPPED_PROGRAMS`]), else one built at run time in
/// tens of microseconds. The list's regex, whose matches are the same, is compiled only for a
/// list without a program (a pattern outside the program's subset, which no shipped list has)
/// or a search that the program gives up on, and serves the tests as the reference.
#[derive(Debug, Default)]
pub struct PatternList {
    patterns: Vec<String>,
    program: OnceLock<Option<Cow<'static, ListProgram>>>,
    compiled: OnceLock<Option<MatchOnlyRegex>>,
}

impl PatternList {
    fn new(patterns: Vec<String>) -> PatternList {
        PatternList {
            patterns,
            program: OnceLock::new(),
            compiled: OnceLock::new(),
        }
    }

    /// The list compiled as one regex; `None` when it has no patterns.
    pub fn regex(&self) -> Option<&MatchOnlyRegex> {
        self.compiled
            .get_or_init(|| compile_list(&self.patterns))
            .as_ref()
    }

    /// The list's backtracking program; `None` when it has no patterns or one outside the
    /// program's subset (the shipped lists are all inside it: a unit test checks).
    fn program(&self) -> Option<&ListProgram> {
        self.program
            .get_or_init(|| match shipped_program(&self.patterns) {
                Some(program) => Some(Cow::Borrowed(program)),
                None => compile_program(&self.patterns).map(Cow::Owned),
            })
            .as_deref()
    }

    /// Compiles the list ahead of its first search.
    fn prepare(&self) {
        if self.program().is_none() {
            self.regex();
        }
    }

    /// Every match of the list in `folded` text, leftmost-first and non-overlapping: the
    /// ranges the list's regex finds.
    pub fn find_all(&self, folded: &SearchText) -> Vec<Range<usize>> {
        if let Some(found) = self
            .program()
            .and_then(|program| program.find_all(folded).ok())
        {
            return found;
        }
        self.regex()
            .map(|regex| {
                regex
                    .find_iter(folded.as_str())
                    .map(|m| m.range())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A time unit of a retention period, as a length in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Minutes: shorter than a day.
    Minute,
    /// Hours: shorter than a day.
    Hour,
    /// Days.
    Day,
    /// Weeks.
    Week,
    /// Months.
    Month,
    /// Years.
    Year,
}

impl Unit {
    /// Length of `count` units in whole days (a month is 365/12 days).
    pub fn days(self, count: f64) -> u32 {
        let days = match self {
            Unit::Minute => count / 1440.0,
            Unit::Hour => count / 24.0,
            Unit::Day => count,
            Unit::Week => count * 7.0,
            Unit::Month => count * 365.0 / 12.0,
            Unit::Year => count * 365.0,
        };
        days.clamp(0.0, u32::MAX as f64) as u32
    }
}

/// A language's compiled lexicon. Every pattern matches folded text ([`super::fold`]).
#[derive(Debug)]
pub struct Lexicon {
    /// The language.
    pub language: Language,
    concepts: Vec<ConceptMatcher>,
    /// Negation words, lower case.
    pub negations: Vec<String>,
    /// Number words and their values.
    pub number_words: HashMap<String, u32>,
    /// Unit words and their units.
    pub units: HashMap<String, Unit>,
    /// Month names and abbreviations and their numbers.
    pub months: HashMap<String, u32>,
    /// A retention period: a number (or number word) and a unit (over folded text).
    pub period: AsciiRegex,
    /// A date written with a month name (over folded text).
    pub named_date: AsciiRegex,
    prefilter: Prefilter,
}

impl Lexicon {
    /// The compiled patterns of a concept.
    pub fn concept(&self, concept: Concept) -> &ConceptMatcher {
        &self.concepts[concept as usize]
    }

    /// Prepares every pattern list now (for a background thread, ahead of the analysis): finds
    /// its shipped program, or compiles one for a list `build.rs` did not.
    ///
    /// Goes from the last concept to the first, the opposite of the order the analysis asks
    /// for them: an analysis that starts before this is done prepares the lists it needs
    /// itself, and the two threads meet in the middle instead of queueing on the same list.
    pub fn compile_all(&self) {
        for matcher in self.concepts.iter().rev() {
            matcher.strong.prepare();
            matcher.weak.prepare();
        }
    }

    /// The strong (or weak) list of `concept`, when `candidates` say it may match: a list the
    /// prefilter rules out is neither compiled nor searched.
    pub fn list_to_search(
        &self,
        candidates: Candidates,
        concept: Concept,
        weak: bool,
    ) -> Option<&PatternList> {
        if !candidates.may_match(concept, weak) {
            return None;
        }
        let matcher = self.concept(concept);
        Some(if weak { &matcher.weak } else { &matcher.strong })
    }

    /// Which concepts' pattern lists can match somewhere in `folded`: one pass over the text
    /// instead of one regex search per list.
    pub fn candidates(&self, folded: &str) -> Candidates {
        let mut found = self.prefilter.always;
        for hit in self.prefilter.literals.find_overlapping_iter(folded) {
            if let Some(lists) = self.prefilter.lists.get(hit.pattern().as_usize()) {
                found |= lists;
            }
        }
        Candidates(found)
    }
}

// Every concept's strong and weak list has its bit in a `u128`.
const _: () = assert!(Concept::ALL.len() * 2 <= 128);

/// A concept's strong or weak pattern list, as a bit in [`Candidates`].
fn list_bit(concept: Concept, weak: bool) -> u128 {
    1u128 << (concept as usize * 2 + usize::from(weak))
}

/// The pattern lists that may match a text, from [`Lexicon::candidates`]. A list left out
/// cannot match; a list named may or may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidates(u128);

impl Candidates {
    /// Whether the concept's strong (or weak) patterns may match.
    pub fn may_match(self, concept: Concept, weak: bool) -> bool {
        self.0 & list_bit(concept, weak) != 0
    }
}

/// A literal that every match of each pattern list contains, found with one Aho-Corasick
/// automaton for the whole lexicon.
#[derive(Debug)]
struct Prefilter {
    literals: aho_corasick::AhoCorasick,
    /// For each literal, the lists (bits) that require it.
    lists: Vec<u128>,
    /// Lists with a pattern that has no required literal: always searched.
    always: u128,
}

fn build_prefilter(source: &LexiconSource) -> Prefilter {
    // Each literal with the lists (bits) that require it, in first-seen order.
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut literals: Vec<String> = Vec::new();
    let mut lists: Vec<u128> = Vec::new();
    let mut always = 0u128;
    for concept in Concept::ALL {
        let Some(entry) = source.concepts.get(concept.key()) else {
            continue;
        };
        for (patterns, weak) in [(&entry.strong, false), (&entry.weak, true)] {
            let bit = list_bit(concept, weak);
            let required: Option<Vec<String>> =
                patterns.iter().map(|p| required_literal(p)).collect();
            let Some(required) = required else {
                always |= bit;
                continue;
            };
            for literal in required {
                let at = *index.entry(literal.clone()).or_insert_with(|| {
                    literals.push(literal);
                    lists.push(0);
                    lists.len() - 1
                });
                lists[at] |= bit;
            }
        }
    }
    // A contiguous NFA builds several times faster than a DFA and runs over single blocks.
    let automaton = aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(&literals)
        .unwrap_or_else(|e| panic!("lexicon literals do not compile: {e}"));
    Prefilter {
        literals: automaton,
        lists,
        always,
    }
}

/// A list's patterns as one regex (the reference for its program, and the fallback for a
/// search the program gives up on).
fn compile_list(patterns: &[String]) -> Option<MatchOnlyRegex> {
    if patterns.is_empty() {
        return None;
    }
    let regex = MatchOnlyRegex::builder()
        .configure(match_only_config())
        .build_from_hir(&list_expression(patterns))
        .unwrap_or_else(|e| panic!("lexicon pattern does not compile: {e}"));
    Some(regex)
}

/// The programs of the shipped lexicons' pattern lists, compiled by `build.rs` with
/// [`super::pattern`] and [`ListProgram::compile`] and sorted by the lists' patterns: a list's
/// program costs nothing to load, where compiling it was most of a lexicon's cold start.
static SHIPPED_PROGRAMS: &[(&[&str], ListProgram)] = {
    use super::backtrack::{Assertion, ByteSet, Inst};
    include!(concat!(env!("OUT_DIR"), "/knowledge/lexicon_programs.rs"))
};

/// The program `build.rs` compiled for exactly these patterns, if it did.
fn shipped_program(patterns: &[String]) -> Option<&'static ListProgram> {
    let wanted = || patterns.iter().map(String::as_str);
    SHIPPED_PROGRAMS
        .binary_search_by(|(shipped, _)| shipped.iter().copied().cmp(wanted()))
        .ok()
        .and_then(|at| SHIPPED_PROGRAMS.get(at))
        .map(|(_, program)| program)
}

/// A list's patterns as one backtracking program, each pattern's expression parsed on its own.
fn compile_program(patterns: &[String]) -> Option<ListProgram> {
    let expressions: Vec<Hir> = patterns.iter().map(|p| pattern_expression(p)).collect();
    ListProgram::compile(&expressions)
}

fn source_for(language: Language) -> &'static str {
    match language {
        Language::Nb => knowledge::LEXICON_NB,
        Language::Nn => knowledge::LEXICON_NN,
        Language::En => knowledge::LEXICON_EN,
    }
}

fn parse_source(language: Language) -> LexiconSource {
    let mut source: LexiconSource = knowledge::parse_embedded(source_for(language), "lexicon");
    if let Some(parent) = source
        .extends
        .take()
        .as_deref()
        .and_then(Language::from_code)
    {
        let base = parse_source(parent);
        for (key, concept) in base.concepts {
            let entry = source.concepts.entry(key).or_default();
            entry.strong.extend(concept.strong);
            entry.weak.extend(concept.weak);
        }
        source.negations.extend(base.negations);
        for (k, v) in base.months {
            source.months.entry(k).or_insert(v);
        }
        for (k, v) in base.number_words {
            source.number_words.entry(k).or_insert(v);
        }
        for (k, v) in base.units {
            source.units.entry(k).or_default().extend(v);
        }
    }
    source
}

fn alternation<'a>(words: impl Iterator<Item = &'a String>) -> String {
    let mut words: Vec<String> = words.map(|w| regex::escape(&fold(w))).collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.join("|")
}

fn compile(language: Language) -> Lexicon {
    let mut source = parse_source(language);
    let prefilter = build_prefilter(&source);
    let concepts = Concept::ALL
        .iter()
        .map(|concept| {
            let (strong, weak) = source
                .concepts
                .remove(concept.key())
                .map(|entry| (entry.strong, entry.weak))
                .unwrap_or_default();
            ConceptMatcher {
                strong: PatternList::new(strong),
                weak: PatternList::new(weak),
            }
        })
        .collect();
    let mut units = HashMap::new();
    for (name, words) in &source.units {
        let unit = match name.as_str() {
            "minute" => Unit::Minute,
            "hour" => Unit::Hour,
            "day" => Unit::Day,
            "week" => Unit::Week,
            "month" => Unit::Month,
            "year" => Unit::Year,
            other => panic!("unknown unit {other} in lexicon"),
        };
        for word in words {
            units.insert(fold(word), unit);
        }
    }
    let numbers = alternation(source.number_words.keys());
    let unit_words = alternation(units.keys());
    let period = ascii_regex(&format!(
        r"\b(\d{{1,4}}(?:[.,]\d{{1,2}})?|{numbers})(?:(?:-|–|\s+til\s+|\s+to\s+)(\d{{1,4}}))?\s*({unit_words})\b"
    ));
    let months = alternation(source.months.keys());
    let named_date = ascii_regex(&format!(
        r"\b(?:(\d{{1,2}})\.?\s*({months})\.?,?\s*(\d{{4}})|({months})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})|({months})\.?\s+(\d{{4}}))\b"
    ));
    Lexicon {
        language,
        concepts,
        negations: source.negations.iter().map(|n| fold(n)).collect(),
        number_words: source
            .number_words
            .into_iter()
            .map(|(k, v)| (fold(&k), v))
            .collect(),
        units,
        months: source
            .months
            .into_iter()
            .map(|(k, v)| (fold(&k), v))
            .collect(),
        period,
        named_date,
        prefilter,
    }
}

/// The compiled lexicon of a language, built on first use.
pub fn lexicon(language: Language) -> &'static Lexicon {
    static CELLS: [OnceLock<Lexicon>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    CELLS[language.index()].get_or_init(|| compile(language))
}

/// Marker words of every language, lower case, mapped to the languages they mark.
pub fn markers() -> &'static FxHashMap<String, [bool; 3]> {
    static CELL: OnceLock<FxHashMap<String, [bool; 3]>> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut map: FxHashMap<String, [bool; 3]> = FxHashMap::default();
        for language in Language::ALL {
            let source: LexiconSource = knowledge::parse_embedded(source_for(language), "lexicon");
            for word in source.markers {
                map.entry(word.to_lowercase()).or_default()[language.index()] = true;
            }
        }
        map
    })
}

/// Every non-empty pattern list of every language, as the lexicon files spell them.
#[cfg(test)]
pub(crate) fn every_shipped_list() -> Vec<Vec<String>> {
    Language::ALL
        .iter()
        .flat_map(|language| parse_source(*language).concepts.into_values())
        .flat_map(|entry| [entry.strong, entry.weak])
        .filter(|patterns| !patterns.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Words of every pattern of every language, folded, to build texts that match many
    /// patterns.
    fn lexicon_words() -> Vec<String> {
        let mut words: Vec<String> = every_shipped_list()
            .into_iter()
            .flatten()
            .flat_map(|pattern| {
                fold(&pattern)
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        words.sort();
        words.dedup();
        words
    }

    /// Every list whose regex matches `text` is named by the prefilter.
    fn prefilter_names_every_match(text: &str) -> Result<(), String> {
        let folded = fold(text);
        for language in Language::ALL {
            let lexicon = lexicon(language);
            let candidates = lexicon.candidates(&folded);
            for concept in Concept::ALL {
                let matcher = lexicon.concept(concept);
                for (list, weak) in [(&matcher.strong, false), (&matcher.weak, true)] {
                    let matched = list.regex().is_some_and(|r| r.is_match(&folded));
                    if matched && !candidates.may_match(concept, weak) {
                        return Err(format!("{language:?} {concept:?} weak={weak} in {text:?}"));
                    }
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
        #[test]
        fn the_prefilter_never_hides_a_match(
            picks in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(&[" ", ", ", ". ", "-", "", "s ", "ene "][..])), 1..14)
        ) {
            let words = lexicon_words();
            let text: String = picks.iter().map(|(i, sep)| format!("{}{sep}", i.get(&words))).collect();
            prop_assert_eq!(prefilter_names_every_match(&text), Ok(()));
        }
    }

    #[test]
    fn the_prefilter_never_hides_a_match_in_the_seed_policies() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/seeds");
        // Without the corpus beside the repository, the generated texts above still run.
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for paragraph in text.split("\n\n") {
                assert_eq!(prefilter_names_every_match(paragraph), Ok(()));
            }
        }
    }

    /// Every list of every language has a backtracking program, and on `text` it finds the
    /// ranges the list's regex finds.
    fn programs_find_what_regexes_find(text: &str) -> Result<(), String> {
        let folded = fold(text);
        for language in Language::ALL {
            let lexicon = lexicon(language);
            for concept in Concept::ALL {
                let matcher = lexicon.concept(concept);
                for (list, weak) in [(&matcher.strong, false), (&matcher.weak, true)] {
                    let Some(regex) = list.regex() else {
                        continue;
                    };
                    let name = format!("{language:?} {concept:?} weak={weak}");
                    let program = list
                        .program()
                        .ok_or_else(|| format!("{name}: no program"))?;
                    let theirs: Vec<Range<usize>> =
                        regex.find_iter(&folded).map(|m| m.range()).collect();
                    let ours = program
                        .find_all(&SearchText::new(&folded))
                        .map_err(|_| format!("{name}: gave up on {text:?}"))?;
                    if ours != theirs {
                        return Err(format!("{name} on {text:?}: {ours:?} != {theirs:?}"));
                    }
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
        #[test]
        fn programs_agree_with_regexes_on_lexicon_words(
            picks in prop::collection::vec(
                (
                    any::<prop::sample::Index>(),
                    prop::sample::select(
                        &[" ", ", ", ". ", "-", " - ", "", "s ", "ene ", "/", " (", ") ", "\n"][..]
                    ),
                ),
                1..24,
            )
        ) {
            let words = lexicon_words();
            let text: String =
                picks.iter().map(|(i, sep)| format!("{}{sep}", i.get(&words))).collect();
            prop_assert_eq!(programs_find_what_regexes_find(&text), Ok(()));
        }
    }

    #[test]
    fn programs_agree_with_regexes_on_the_seed_policies() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/seeds");
        let mut paragraphs = 0;
        // Without the corpus beside the repository, the generated texts above still run.
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for paragraph in text.split("\n\n") {
                assert_eq!(programs_find_what_regexes_find(paragraph), Ok(()));
                paragraphs += 1;
            }
        }
        assert_eq!(programs_find_what_regexes_find(""), Ok(()));
        // The searches use the programs: each gives the same ranges as the list's regex.
        let list = &lexicon(Language::Nb).concept(Concept::RightAccess).strong;
        assert!(list.program().is_some());
        let text = fold("Du har rett til innsyn, og til en kopi av personopplysningene.");
        assert_eq!(
            list.find_all(&SearchText::new(&text)).len(),
            2,
            "{paragraphs} seed paragraphs"
        );
    }

    /// Every list of every language has the program `build.rs` compiled for it, and that
    /// program is the one compiled at run time from the same patterns.
    #[test]
    fn shipped_programs_are_the_programs_of_their_lists() {
        let lists = every_shipped_list();
        for patterns in &lists {
            let shipped = shipped_program(patterns)
                .unwrap_or_else(|| panic!("no shipped program for {patterns:?}"));
            assert_eq!(
                Some(shipped),
                compile_program(patterns).as_ref(),
                "{patterns:?}"
            );
        }
        assert!(lists.len() > 100, "only {} lists", lists.len());
        // The table is sorted, so that the lookup finds each list.
        assert!(
            SHIPPED_PROGRAMS
                .windows(2)
                .all(|pair| pair[0].0 < pair[1].0)
        );
        // A list no lexicon has gets no shipped program, and the lexicon's lists use theirs.
        assert!(shipped_program(&["no such pattern".to_string()]).is_none());
        let list = &lexicon(Language::Nb).concept(Concept::RightAccess).strong;
        assert!(list.program().is_some());
        assert!(matches!(list.program.get(), Some(Some(Cow::Borrowed(_)))));
    }

    /// Whether the concept's strong list matches `text`, through the searches' own path.
    fn matches(language: Language, concept: Concept, text: &str) -> bool {
        let folded = fold(text);
        !lexicon(language)
            .concept(concept)
            .strong
            .find_all(&SearchText::new(&folded))
            .is_empty()
    }

    #[test]
    fn every_lexicon_compiles() {
        for language in Language::ALL {
            let lexicon = lexicon(language);
            lexicon.compile_all();
            assert!(
                lexicon
                    .concept(Concept::RightAccess)
                    .strong
                    .regex()
                    .is_some()
            );
        }
        assert!(markers().contains_key("ikkje"));
    }

    #[test]
    fn stems_cover_inflection_and_compounds() {
        assert!(matches(
            Language::Nb,
            Concept::RightAccess,
            "Du har innsynsrett."
        ));
        assert!(matches(
            Language::Nb,
            Concept::RightAccess,
            "Kontakt og innsyn"
        ));
        assert!(matches(
            Language::Nb,
            Concept::RetentionCue,
            "Loggen slettes etter 15 dager"
        ));
        assert!(matches(
            Language::Nb,
            Concept::RightPortability,
            "Dataportabilitet"
        ));
        assert!(!matches(
            Language::Nb,
            Concept::RightRectification,
            "klagebehandling og feilretting"
        ));
    }

    #[test]
    fn gaps_do_not_cross_sentences() {
        assert!(matches(
            Language::Nb,
            Concept::RightRestriction,
            "be oss begrense behandlingen"
        ));
        assert!(!matches(
            Language::Nb,
            Concept::RightRestriction,
            "Tilgang begrenses. Behandlingen skjer"
        ));
    }

    #[test]
    fn nynorsk_extends_bokmaal() {
        assert!(matches(
            Language::Nn,
            Concept::Dpo,
            "personvernombodet vårt"
        ));
        assert!(matches(Language::Nn, Concept::Dpo, "personvernombudet"));
    }

    #[test]
    fn months_and_days() {
        assert_eq!(Unit::Month.days(14.0), 425);
        assert_eq!(Unit::Year.days(5.0), 1825);
        assert!(
            lexicon(Language::Nb)
                .period
                .is_match(&fold("lagres i 14 måneder"))
        );
        assert!(
            lexicon(Language::En)
                .named_date
                .is_match(&fold("Last updated: March 3, 2024"))
        );
        assert!(
            lexicon(Language::Nb)
                .named_date
                .is_match(&fold("dannet den 27 Sept. 2022"))
        );
    }
}
