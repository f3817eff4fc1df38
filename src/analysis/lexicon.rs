//! Compiled lexicons: the concepts of the analysis and the word patterns that express them in
//! each language (data in `src/knowledge/data/lexicon/`, pattern language described there).
//!
//! Invariant: compilation happens once per language; a pattern that does not compile is a bug
//! in the data, caught by the unit tests, so matching never fails at run time.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use regex_syntax::hir::{Capture, Hir, Repetition};
use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::ascii_regex::{AsciiRegex, MatchOnlyRegex, ascii_regex, match_only_config};
use super::backtrack::{ListProgram, SearchText};
use super::fold::fold;
use super::language::Language;
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
/// Searches run a backtracking program of the patterns ([`ListProgram`]), which builds in tens
/// of microseconds; the list's regex, whose matches are the same, is compiled only for a list
/// without a program (a pattern outside the program's subset, which no shipped list has) or a
/// search that the program gives up on, and serves the tests as the reference.
#[derive(Debug, Default)]
pub struct PatternList {
    patterns: Vec<String>,
    program: OnceLock<Option<ListProgram>>,
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
            .get_or_init(|| compile_program(&self.patterns))
            .as_ref()
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

    /// Compiles every pattern list now (for a background thread, ahead of the analysis).
    ///
    /// Goes from the last concept to the first, the opposite of the order the analysis asks
    /// for them: an analysis that starts before this is done compiles the lists it needs
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

/// The number of words a `~N` token of a pattern lets pass, if `token` is one.
fn gap_length(token: &str) -> Option<u32> {
    token.strip_prefix('~').and_then(|n| n.parse().ok())
}

/// The longest run of letters and digits that every match of a lexicon `pattern` contains,
/// in folded form; `None` when the pattern has none (a top-level alternative, say). Runs stop
/// at word gaps, wildcards and groups, and lose a character made optional by `?`.
pub fn required_literal(pattern: &str) -> Option<String> {
    let mut best = String::new();
    let mut run = String::new();
    let mut depth = 0usize;
    let end_run = |run: &mut String, best: &mut String| {
        if run.len() > best.len() {
            *best = std::mem::take(run);
        }
        run.clear();
    };
    for token in pattern.split_whitespace() {
        end_run(&mut run, &mut best);
        if gap_length(token).is_some() {
            continue;
        }
        let word = fold(token);
        let mut chars = word.chars();
        while let Some(c) = chars.next() {
            match c {
                '(' => {
                    end_run(&mut run, &mut best);
                    depth += 1;
                }
                ')' => {
                    end_run(&mut run, &mut best);
                    depth = depth.saturating_sub(1);
                }
                '|' if depth == 0 => return None,
                '?' | '{' => {
                    run.pop();
                    end_run(&mut run, &mut best);
                    if c == '{' {
                        chars.by_ref().find(|c| *c == '}');
                    }
                }
                '[' => {
                    end_run(&mut run, &mut best);
                    chars.by_ref().find(|c| *c == ']');
                }
                '\\' => {
                    end_run(&mut run, &mut best);
                    chars.next();
                }
                c if depth == 0 && (c.is_ascii_lowercase() || c.is_ascii_digit()) => run.push(c),
                _ => end_run(&mut run, &mut best),
            }
        }
    }
    end_run(&mut run, &mut best);
    (!best.is_empty()).then_some(best)
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

/// Separator between two words of a pattern: any ASCII but letters, digits, `_` and the
/// sentence ends `.`, `!`, `?` (folded text is ASCII).
const SEPARATOR: &str = r"[\x00-\x20\x22-\x2D\x2F\x3A-\x3E\x40\x5B-\x5E\x60\x7B-\x7F]+";
/// A word that `~N` skips over.
const GAP_WORD: &str = r"[\w-]+";
/// The letters that `*` stands for.
const ANY_LETTERS: &str = r"\w*";

/// How the three recurring pieces of a pattern are spelled in its regex text.
struct Spelling {
    separator: &'static str,
    gap_word: &'static str,
    any_letters: &'static str,
}

/// The pieces as regex syntax.
const REGEX_SPELLING: Spelling = Spelling {
    separator: SEPARATOR,
    gap_word: GAP_WORD,
    any_letters: ANY_LETTERS,
};

/// The pieces as control characters that no pattern contains, which [`MarkedParser`] turns
/// into the pieces' parsed expressions as it reads them: parsing the separator class's text at
/// every word gap took about half of a lexicon's compile time.
const MARKED_SPELLING: Spelling = Spelling {
    separator: "\u{1}",
    gap_word: "\u{2}",
    any_letters: "\u{3}",
};

/// One pattern of the lexicon language written out as a regular expression: what the
/// marked spelling that lists are built from must equal (a unit test checks it).
pub fn compile_pattern(pattern: &str) -> String {
    spell_pattern(pattern, &REGEX_SPELLING)
}

/// `pattern` as regex text, with its pieces spelled as `outside_classes` says.
fn spell_pattern(pattern: &str, outside_classes: &Spelling) -> String {
    let mut out = String::new();
    let tokens: Vec<&str> = pattern.split_whitespace().collect();
    // Inside a bracketed class (`[- ]`) a piece must be written out: a mark there would be
    // one more member of the class, not the piece.
    let mut in_class = false;
    let spelling = |in_class: bool| {
        if in_class {
            &REGEX_SPELLING
        } else {
            outside_classes
        }
    };
    for (i, token) in tokens.iter().enumerate() {
        let pieces = spelling(in_class);
        if let Some(n) = gap_length(token) {
            out.push_str(&format!(
                "(?:{}{}){{0,{n}}}",
                pieces.separator, pieces.gap_word
            ));
            continue;
        }
        if i > 0 {
            out.push_str(pieces.separator);
        }
        let mut word = String::new();
        for c in fold(token).chars() {
            match c {
                '[' => {
                    in_class = true;
                    word.push(c);
                }
                ']' => {
                    in_class = false;
                    word.push(c);
                }
                '*' => word.push_str(spelling(in_class).any_letters),
                '.' => word.push_str(r"\."),
                '+' => word.push_str(r"\+"),
                _ => word.push(c),
            }
        }
        out.push_str(&word);
    }
    let ends_in_dot = pattern.trim_end().ends_with('.');
    format!(r"\b(?:{out}){}", if ends_in_dot { "" } else { r"\b" })
}

/// The expressions the marks of [`MARKED_SPELLING`] stand for, parsed once.
struct MarkedPieces {
    /// The separator, the gap word and the letters `*` stands for, in mark order (`\u{1}` to
    /// `\u{3}`).
    pieces: [Hir; 3],
}

impl MarkedPieces {
    fn get() -> &'static MarkedPieces {
        static CELL: OnceLock<MarkedPieces> = OnceLock::new();
        CELL.get_or_init(|| MarkedPieces {
            pieces: [SEPARATOR, GAP_WORD, ANY_LETTERS].map(parse_ascii),
        })
    }

    /// Which mark `byte` is (0, 1 or 2), if it is one.
    fn mark_byte(byte: u8) -> Option<usize> {
        match byte {
            1..=3 => Some(usize::from(byte - 1)),
            _ => None,
        }
    }

    /// The expression mark `byte` stands for, if it is a mark.
    fn of(&self, byte: u8) -> Option<&Hir> {
        self.pieces.get(Self::mark_byte(byte)?)
    }
}

/// Parses ASCII regex syntax (no Unicode classes) to its expression.
fn try_parse_ascii(source: &str) -> Result<Hir, Box<regex_syntax::Error>> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .build()
        .parse(source)
        .map_err(Box::new)
}

/// Parses ASCII regex syntax that is part of the shipped data (a failure is a bug there).
fn parse_ascii(source: &str) -> Hir {
    try_parse_ascii(source).unwrap_or_else(|e| panic!("lexicon pattern does not compile: {e}"))
}

/// The expression of a list of patterns, any of which may match.
fn list_expression(patterns: &[String]) -> Hir {
    Hir::alternation(patterns.iter().map(|p| pattern_expression(p)).collect())
}

/// Whether `byte` stands for itself in the marked spelling: ASCII that is neither regex
/// syntax nor a mark.
fn is_plain_literal(byte: u8) -> bool {
    byte.is_ascii()
        && !matches!(
            byte,
            b'(' | b')'
                | b'|'
                | b'['
                | b']'
                | b'\\'
                | b'?'
                | b'*'
                | b'+'
                | b'{'
                | b'}'
                | b'^'
                | b'$'
                | b'.'
        )
        && MarkedPieces::mark_byte(byte).is_none()
}

/// A parser for the regex subset that [`spell_pattern`] writes with the marked spelling:
/// literals, `\b`, escaped punctuation, groups, alternation, `?` and `{m,n}` repetitions,
/// bracketed classes (handed to regex-syntax one by one) and the marks, which become the
/// pieces they stand for. It builds the expression with the constructors regex-syntax's own
/// translator uses, so the result is the expression regex-syntax gives for the text written
/// out (a unit test checks every list). Parsing the whole text with regex-syntax was most of a
/// lexicon's compile time on the server's cold start.
struct MarkedParser<'a> {
    bytes: &'a [u8],
    at: usize,
    captures: u32,
    /// Groups open around the current position.
    depth: u32,
    pieces: &'a MarkedPieces,
}

/// The deepest nesting of groups the parser reads itself (regex-syntax allows 250; lexicon
/// patterns nest two deep).
const MARKED_MAX_DEPTH: u32 = 32;

impl<'a> MarkedParser<'a> {
    fn new(source: &'a str, pieces: &'a MarkedPieces) -> MarkedParser<'a> {
        MarkedParser {
            bytes: source.as_bytes(),
            at: 0,
            captures: 0,
            depth: 0,
            pieces,
        }
    }

    /// The whole text's expression; `None` on syntax outside the subset.
    fn parse(mut self) -> Option<Hir> {
        let hir = self.alternation()?;
        (self.at == self.bytes.len()).then_some(hir)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn alternation(&mut self) -> Option<Hir> {
        let mut branches = vec![self.concat()?];
        while self.eat(b'|') {
            branches.push(self.concat()?);
        }
        Some(if branches.len() == 1 {
            branches.pop()?
        } else {
            Hir::alternation(branches)
        })
    }

    fn concat(&mut self) -> Option<Hir> {
        let mut items = Vec::new();
        // Plain letters are gathered into one literal: `Hir::concat` would merge them anyway,
        // and one expression per letter was most of the parse's allocations.
        let mut run: Vec<u8> = Vec::new();
        while let Some(byte) = self.peek() {
            if byte == b'|' || byte == b')' {
                break;
            }
            let quantified = matches!(self.bytes.get(self.at + 1), Some(b'?' | b'{'));
            if quantified && MarkedPieces::mark_byte(byte).is_some() {
                // A mark stands for a repetition, so `?` after it would make that repetition
                // lazy in regex syntax: outside the subset.
                return None;
            }
            if is_plain_literal(byte) && !quantified {
                run.push(byte);
                self.at += 1;
                continue;
            }
            if !run.is_empty() {
                items.push(Hir::literal(std::mem::take(&mut run)));
            }
            let atom = self.atom()?;
            items.push(self.repetition(atom)?);
        }
        if !run.is_empty() {
            items.push(Hir::literal(run));
        }
        Some(Hir::concat(items))
    }

    fn atom(&mut self) -> Option<Hir> {
        let byte = self.peek()?;
        self.at += 1;
        match byte {
            b'(' => {
                if self.depth >= MARKED_MAX_DEPTH {
                    return None;
                }
                let capturing = !self.bytes[self.at..].starts_with(b"?:");
                if !capturing {
                    self.at += 2;
                } else {
                    self.captures += 1;
                }
                let index = self.captures;
                self.depth += 1;
                let sub = self.alternation()?;
                self.depth -= 1;
                if !self.eat(b')') {
                    return None;
                }
                Some(if capturing {
                    Hir::capture(Capture {
                        index,
                        name: None,
                        sub: Box::new(sub),
                    })
                } else {
                    sub
                })
            }
            b'[' => self.class(),
            b'\\' => {
                let escaped = self.peek()?;
                self.at += 1;
                match escaped {
                    b'b' => Some(Hir::look(regex_syntax::hir::Look::WordAscii)),
                    b'.' | b'+' | b'*' | b'?' | b'(' | b')' | b'|' | b'[' | b']' | b'\\' => {
                        Some(Hir::literal([escaped]))
                    }
                    _ => None,
                }
            }
            _ if is_plain_literal(byte) => Some(Hir::literal([byte])),
            _ => self.pieces.of(byte).cloned(),
        }
    }

    /// A bracketed class, its `[` already read: its text up to the matching `]` (classes
    /// nest), parsed by regex-syntax.
    fn class(&mut self) -> Option<Hir> {
        let start = self.at - 1;
        let mut depth = 1;
        while depth > 0 {
            match self.peek()? {
                b'\\' => self.at += 1,
                b'[' => depth += 1,
                b']' => depth -= 1,
                _ => {}
            }
            self.at += 1;
        }
        let text = std::str::from_utf8(&self.bytes[start..self.at]).ok()?;
        try_parse_ascii(text).ok()
    }

    /// `atom` with the repetition that follows it, if any: `?` or `{m,n}`, greedy.
    fn repetition(&mut self, atom: Hir) -> Option<Hir> {
        let (min, max) = if self.eat(b'?') {
            (0, Some(1))
        } else if self.eat(b'{') {
            let min = self.number()?;
            let max = if self.eat(b',') {
                if self.peek() == Some(b'}') {
                    None
                } else {
                    Some(self.number()?)
                }
            } else {
                Some(min)
            };
            if !self.eat(b'}') {
                return None;
            }
            if max.is_some_and(|max| max < min) {
                return None; // regex-syntax rejects `{m,n}` with n < m
            }
            (min, max)
        } else {
            return Some(atom);
        };
        if matches!(self.peek(), Some(b'?' | b'*' | b'+' | b'{')) {
            return None; // lazy or stacked repetitions are outside the subset
        }
        Some(Hir::repetition(Repetition {
            min,
            max,
            greedy: true,
            sub: Box::new(atom),
        }))
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        std::str::from_utf8(&self.bytes[start..self.at])
            .ok()?
            .parse()
            .ok()
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

/// A list's patterns as one backtracking program, each pattern's expression parsed on its own.
fn compile_program(patterns: &[String]) -> Option<ListProgram> {
    let expressions: Vec<Hir> = patterns.iter().map(|p| pattern_expression(p)).collect();
    ListProgram::compile(&expressions)
}

/// The expression of one pattern. Syntax the small parser does not know is parsed by
/// regex-syntax from the pattern written out in regex syntax (slower, same expression).
fn pattern_expression(pattern: &str) -> Hir {
    MarkedParser::new(
        &spell_pattern(pattern, &MARKED_SPELLING),
        MarkedPieces::get(),
    )
    .parse()
    .unwrap_or_else(|| parse_ascii(&compile_pattern(pattern)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn required_literals_are_runs_every_match_contains() {
        assert_eq!(
            required_literal("slett* opplysning*").as_deref(),
            Some("opplysning")
        );
        assert_eq!(required_literal("e-?post").as_deref(), Some("post"));
        assert_eq!(required_literal("samtykket?").as_deref(), Some("samtykke"));
        assert_eq!(
            required_literal("(annen|en annen) behandlingsansvarlig").as_deref(),
            Some("behandlingsansvarlig")
        );
        assert_eq!(
            required_literal("Rett til ~2 innsyn").as_deref(),
            Some("innsyn")
        );
        assert_eq!(required_literal("EØS").as_deref(), Some("eoes"));
        assert_eq!(required_literal("EU|EØS"), None);
        assert_eq!(required_literal("*"), None);
    }

    /// The marked spelling's own parse, without falling back to regex-syntax.
    fn marked_parse(patterns: &[String]) -> Option<Hir> {
        let source: Vec<String> = patterns
            .iter()
            .map(|p| spell_pattern(p, &MARKED_SPELLING))
            .collect();
        MarkedParser::new(&source.join("|"), MarkedPieces::get()).parse()
    }

    /// The small parser of the marked spelling gives the same expression as regex-syntax
    /// gives for the patterns written out in regex syntax: for every list of every language.
    #[test]
    fn marked_lists_parse_to_the_written_expression() {
        let mut lists = 0;
        for language in Language::ALL {
            for entry in parse_source(language).concepts.into_values() {
                for patterns in [entry.strong, entry.weak] {
                    if patterns.is_empty() {
                        continue;
                    }
                    let written: Vec<String> =
                        patterns.iter().map(|p| compile_pattern(p)).collect();
                    assert_eq!(
                        marked_parse(&patterns),
                        Some(parse_ascii(&written.join("|"))),
                        "{patterns:?}"
                    );
                    lists += 1;
                }
            }
        }
        assert!(lists > 100, "only {lists} lists");
        // A pattern with all three pieces, checked on its own.
        let pattern = ["slett* ~2 e-?post [- ]mail (a|b c)?".to_string()];
        assert_eq!(
            marked_parse(&pattern),
            Some(parse_ascii(&compile_pattern(&pattern[0])))
        );
        // Syntax outside the small parser's subset goes through regex-syntax instead.
        let anchored = ["slett* ^x".to_string()];
        assert_eq!(marked_parse(&anchored), None);
        assert_ne!(list_expression(&anchored), list_expression(&pattern));
        assert_eq!(
            list_expression(&anchored),
            parse_ascii(&compile_pattern(&anchored[0]))
        );
        assert_ne!(
            list_expression(&pattern),
            parse_ascii(&compile_pattern("slett* ~3 e-?post [- ]mail (a|b c)?"))
        );
    }

    proptest! {
        /// On any text over the subset's alphabet (and some syntax outside it), the small
        /// parser either declines or gives the expression regex-syntax gives for the text with
        /// its marks written out.
        #[test]
        fn the_marked_parser_declines_or_agrees_with_regex_syntax(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just("a"), Just("b"), Just("("), Just("(?:"), Just(")"), Just("|"), Just("?"),
                    Just("{0,2}"), Just("{3,1}"), Just("{2}"), Just("\\b"), Just("\\."),
                    Just("\u{1}"), Just("\u{2}"), Just("\u{3}"), Just("[a-c]"), Just("*"),
                    Just("."), Just("^"), Just("(((("),
                ],
                0..16,
            )
        ) {
            let marked = pieces.concat();
            let written = marked
                .replace('\u{1}', SEPARATOR)
                .replace('\u{2}', GAP_WORD)
                .replace('\u{3}', ANY_LETTERS);
            let theirs = try_parse_ascii(&written);
            if let Some(ours) = MarkedParser::new(&marked, MarkedPieces::get()).parse() {
                prop_assert_eq!(Some(ours), theirs.ok(), "{:?}", marked);
            }
        }
    }

    /// Words of every pattern of every language, folded, to build texts that match many
    /// patterns.
    fn lexicon_words() -> Vec<String> {
        let mut words: Vec<String> = Language::ALL
            .iter()
            .flat_map(|language| parse_source(*language).concepts.into_values())
            .flat_map(|entry| entry.strong.into_iter().chain(entry.weak))
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
