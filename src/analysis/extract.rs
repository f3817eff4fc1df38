//! Facts of one block: what its text says, found with the lexicon of the document's language.
//!
//! Extraction sees only the block's text, so its result is memoised by the text's hash and an
//! edit re-reads only the blocks it changed. Ranges here are relative to the block's content.
//! Invariant: extraction never panics, whatever the text (all slicing goes through `get`).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use super::ascii_regex::{AsciiRegex, MatchOnlyRegex, ascii_match_only, ascii_regex};
use super::backtrack::SearchText;
use super::fold::ascii_cased;
use super::fold::fold;
use super::language::Language;
use super::lexicon::{Concept, Lexicon, lexicon, markers};
use super::name_search::{CookieSearch, NameSearch};
use super::references::ArticleRef;
use super::word_search::WordSearch;
use crate::knowledge;
use crate::knowledge::processors::Processor;

/// A concept found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// What was found.
    pub concept: Concept,
    /// Where, relative to the block.
    pub range: Range<usize>,
    /// Index of the sentence within the block.
    pub sentence: u32,
    /// Whether a negation governs it ("vi bruker ikke profilering").
    pub negated: bool,
}

/// A piece of text with a normalised value: an e-mail, a name, a date, an authority, ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Where, relative to the block.
    pub range: Range<usize>,
    /// Index of the sentence within the block.
    pub sentence: u32,
    /// The normalised value.
    pub value: String,
}

/// A stated length of time ("14 måneder").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// Where, relative to the block.
    pub range: Range<usize>,
    /// Index of the sentence within the block.
    pub sentence: u32,
    /// The text as written.
    pub text: String,
    /// Its length in whole days.
    pub days: u32,
}

/// A name that no longer exists, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutdatedMention {
    /// Where, relative to the block.
    pub range: Range<usize>,
    /// Index of the entry in [`knowledge::outdated`].
    pub entry: usize,
    /// The name as written.
    pub written: String,
}

/// A processor named in the text (by name, alias or a cookie it sets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessorMention {
    /// Where, relative to the block.
    pub range: Range<usize>,
    /// Index in [`knowledge::processors::shipped`].
    pub index: usize,
    /// As written.
    pub written: String,
    /// Named in a denial ("vi bruker ikke Google Analytics").
    pub negated: bool,
}

/// Everything the analysis needs from one block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockFacts {
    /// Concepts found, in text order.
    pub mentions: Vec<Mention>,
    /// One bit per [`Concept`] affirmed in `mentions`, so that asking for a concept the block
    /// does not affirm (most questions, for most blocks) costs no scan. Set by [`extract`].
    affirmed_concepts: u64,
    /// E-mail addresses.
    pub emails: Vec<Span>,
    /// Phone numbers (with a phone cue or an international prefix).
    pub phones: Vec<Span>,
    /// Postal addresses (post box, post code and town, street and number).
    pub addresses: Vec<Span>,
    /// Organisation names with a legal form ("Eksempel Regnskap AS").
    pub organisations: Vec<Span>,
    /// Names stated as the controller ("LAGET er ansvarlig for ...").
    pub controller_names: Vec<Span>,
    /// A controller cue that ends the block with a colon: the name follows in the next blocks.
    pub controller_label: bool,
    /// Lower-case names that say they act as a processor for someone else.
    pub processor_names: Vec<String>,
    /// Organisation numbers, digits only.
    pub org_numbers: Vec<Span>,
    /// Dates, normalised to YYYY-MM-DD where the day is known.
    pub dates: Vec<Span>,
    /// A date that says when the text was last changed (or a date standing alone).
    pub update_date: Option<Span>,
    /// Lengths of time.
    pub periods: Vec<Period>,
    /// Article 6(1) and 9(2) references as codes such as "6.1.f".
    pub basis_refs: Vec<Span>,
    /// References to GDPR articles, paragraphs and points, in any common form.
    pub article_refs: Vec<ArticleRef>,
    /// Supervisory authorities named, by their canonical name.
    pub authorities: Vec<Span>,
    /// Names that no longer exist (not where the sentence calls them history).
    pub outdated: Vec<OutdatedMention>,
    /// Processors and recipients named.
    pub processors: Vec<ProcessorMention>,
    /// The block is about cookies (names, lifetimes), so its periods are cookie lifetimes.
    pub cookie_context: bool,
    /// The first line, when it looks like a heading (short, no closing punctuation).
    pub heading_line: Option<Range<usize>>,
    /// The block is a single line.
    pub single_line: bool,
    /// The line after the first starts with a capital letter.
    pub second_line_capitalised: bool,
    /// The whole block is one line of bold text (a heading in disguise).
    pub bold_line: bool,
    /// The text of a single-line block that looks like a name or heading.
    pub line_text: Option<String>,
}

impl BlockFacts {
    /// Mentions of one concept, denials left out.
    pub fn affirmed(&self, concept: Concept) -> impl Iterator<Item = &Mention> {
        let possible = self.affirmed_concepts & concept_bit(concept) != 0;
        debug_assert_eq!(
            possible,
            self.mentions
                .iter()
                .any(|m| m.concept == concept && !m.negated),
            "affirmed_concepts must be set after the mentions change"
        );
        let mentions = if possible { &self.mentions[..] } else { &[] };
        mentions
            .iter()
            .filter(move |m| m.concept == concept && !m.negated)
    }

    /// Whether the block affirms a concept.
    pub fn has(&self, concept: Concept) -> bool {
        self.affirmed(concept).next().is_some()
    }

    /// The concepts the block affirms, as a set with one bit per [`Concept`] (see
    /// [`concept_bit`]).
    pub fn affirmed_concepts(&self) -> u64 {
        self.affirmed_concepts
    }

    /// Whether a concept is affirmed in a given sentence.
    pub fn has_in_sentence(&self, concept: Concept, sentence: u32) -> bool {
        self.affirmed(concept).any(|m| m.sentence == sentence)
    }
}

/// The bit of `concept` in [`BlockFacts`]'s set of affirmed concepts.
pub fn concept_bit(concept: Concept) -> u64 {
    1 << (concept as u32)
}

const _: () = assert!(
    Concept::ALL.len() <= 64,
    "affirmed_concepts holds one bit per concept"
);

/// Counts of marker words per language (indexed by [`Language::index`]).
pub fn marker_counts(text: &str) -> [u32; 3] {
    let markers = markers();
    let mut counts = [0u32; 3];
    let mut lower = String::new();
    for word in text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != 'ò') {
        if word.is_empty() || word.len() > 24 {
            continue;
        }
        lower.clear();
        if word.is_ascii() {
            lower.push_str(word);
            lower.make_ascii_lowercase();
        } else {
            lower.extend(word.chars().flat_map(char::to_lowercase));
        }
        if let Some(flags) = markers.get(lower.as_str()) {
            for (i, flag) in flags.iter().enumerate() {
                if *flag {
                    counts[i] += 1;
                }
            }
        }
    }
    counts
}

/// Sentence ranges of a block: cut after `.`, `!` or `?` followed by white space and a
/// capital letter, and at line breaks followed by a capital letter or a bullet.
fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let cut_here = match b {
            b'.' | b'!' | b'?' => {
                let rest = text.get(i + 1..).unwrap_or("");
                let trimmed = rest.trim_start();
                rest.len() != trimmed.len()
                    && trimmed
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_uppercase() || c == '«' || c == '"')
            }
            b'\n' => {
                let rest = text.get(i + 1..).unwrap_or("").trim_start();
                rest.chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || matches!(c, '•' | '-' | '*' | '–' | '|'))
            }
            _ => false,
        };
        if cut_here {
            out.push(start..i + 1);
            start = i + 1;
        }
        i += 1;
    }
    if start < text.len() || out.is_empty() {
        out.push(start..text.len());
    }
    out
}

fn sentence_index(sentences: &[Range<usize>], offset: usize) -> u32 {
    let idx = sentences.partition_point(|s| s.end <= offset);
    idx.min(sentences.len().saturating_sub(1)) as u32
}

fn words_between(text: &str, range: Range<usize>) -> usize {
    text.get(range)
        .unwrap_or("")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count()
}

/// Whether a negation word stands within five words before `at` in its sentence.
fn negated(folded: &str, sentence: &Range<usize>, at: usize, lexicon: &Lexicon) -> bool {
    let before = folded.get(sentence.start..at).unwrap_or("");
    let words: Vec<&str> = before
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    words
        .iter()
        .rev()
        .take(5)
        .any(|w| lexicon.negations.iter().any(|n| n == w))
}

struct Patterns {
    email: MatchOnlyRegex,
    phone: MatchOnlyRegex,
    international_phone: MatchOnlyRegex,
    /// Address patterns over folded text (post boxes).
    address_folded: MatchOnlyRegex,
    /// Address patterns over case-kept ASCII text (post codes, streets).
    address_cased: Vec<MatchOnlyRegex>,
    organisation: AsciiRegex,
    name_run: MatchOnlyRegex,
    name_run_before_copula: AsciiRegex,
    name_run_after_copula: AsciiRegex,
    org_number: AsciiRegex,
    numeric_date: AsciiRegex,
    iso_date: AsciiRegex,
    basis_refs: Vec<AsciiRegex>,
    cookie_name: MatchOnlyRegex,
    /// Authority aliases, owned by their index in [`knowledge::authorities`].
    authorities: WordSearch,
    /// Outdated names, owned by their entry's index, and each entry's successor words.
    outdated: WordSearch,
    successors: Vec<MatchOnlyRegex>,
    /// The shipped processor knowledge base.
    processors: ProcessorMatcher,
}

/// Recognises the processors of one list (the shipped knowledge base, or an organisation's
/// own from its configuration) in block text.
#[derive(Debug)]
pub struct ProcessorMatcher {
    /// All processor names and aliases (folded), and the processor each belongs to.
    names: Option<NameSearch>,
    index: HashMap<String, usize>,
    /// Cookie names (folded), longest first, and their processors.
    cookies: Option<CookieSearch>,
    cookie_index: Vec<(String, usize)>,
    /// Brand names that are also words, matched with their case over case-kept text.
    exact_names: Option<NameSearch>,
    exact_index: HashMap<String, usize>,
}

impl ProcessorMatcher {
    /// A matcher for `processors`, whose mentions get indices from `base` on.
    pub fn new(processors: &[Processor], base: usize) -> ProcessorMatcher {
        let (names, index, cookies, cookie_index) = processor_patterns(processors, base);
        let (exact_names, exact_index) = exact_case_patterns(processors, base);
        ProcessorMatcher {
            names,
            index,
            cookies,
            cookie_index,
            exact_names,
            exact_index,
        }
    }
}

/// The recogniser for brand names matched only as written.
fn exact_case_patterns(
    processors: &[Processor],
    base: usize,
) -> (Option<NameSearch>, HashMap<String, usize>) {
    let mut index = HashMap::new();
    for (i, processor) in processors.iter().enumerate() {
        let i = base + i;
        for name in processor.exact_case.iter() {
            let cased = super::fold::ascii_cased(name.trim());
            if cased.len() >= 3 {
                index.entry(cased).or_insert(i);
            }
        }
    }
    (NameSearch::new(index.keys().cloned().collect()), index)
}

/// The recognisers for a list of processors.
#[allow(clippy::type_complexity)]
fn processor_patterns(
    processors: &[Processor],
    base: usize,
) -> (
    Option<NameSearch>,
    HashMap<String, usize>,
    Option<CookieSearch>,
    Vec<(String, usize)>,
) {
    let mut index = HashMap::new();
    let mut cookie_index = Vec::new();
    for (i, processor) in processors.iter().enumerate() {
        let i = base + i;
        for name in std::iter::once(&processor.name).chain(processor.aliases.iter()) {
            let folded = fold(name.trim());
            if folded.len() >= 3 {
                index.entry(folded).or_insert(i);
            }
        }
        for cookie in processor.cookies.iter() {
            let folded = fold(cookie.trim());
            if folded.len() >= 3 {
                cookie_index.push((folded, i));
            }
        }
    }
    let names_search = NameSearch::new(index.keys().cloned().collect());
    cookie_index.sort_by_key(|(c, _)| std::cmp::Reverse(c.len()));
    let cookies = CookieSearch::new(cookie_index.iter().map(|(c, _)| c.clone()).collect());
    (names_search, index, cookies, cookie_index)
}

/// The processor a matched name belongs to: the name itself, or with a possessive s or a
/// compound's second part taken off.
fn processor_of(matched: &str, index: &HashMap<String, usize>) -> Option<(usize, usize)> {
    if let Some(i) = index.get(matched) {
        return Some((*i, matched.len()));
    }
    if let Some(stem) = matched.strip_suffix('s') {
        if let Some(i) = index.get(stem) {
            return Some((*i, stem.len()));
        }
    }
    let mut end = matched.len();
    while let Some(hyphen) = matched[..end].rfind('-') {
        if let Some(i) = index.get(&matched[..hyphen]) {
            return Some((*i, hyphen));
        }
        end = hyphen;
    }
    None
}

/// A capitalised word of a name, over case-kept ASCII text.
const NAME_TOKEN: &str = r"[A-Z0-9][A-Za-z0-9&'\-]*\.?";
/// Any ASCII but letters and digits (a non-word character after a name).
const NOT_ALNUM: &str = r"[\x00-\x2F\x3A-\x40\x5B-\x60\x7B-\x7F]";

/// Compiles the language-independent patterns, the article references' patterns and the
/// shipped processor recogniser now, so that the first analysis does not wait for them (the
/// server calls it on a thread of its own at startup).
pub fn prepare() {
    patterns();
    markers();
    super::references::prepare();
}

/// Every pattern runs over an ASCII view of the text with the same byte offsets (see
/// [`super::fold`]), so none needs Unicode matching; values are read from the original text.
fn patterns() -> &'static Patterns {
    static CELL: OnceLock<Patterns> = OnceLock::new();
    CELL.get_or_init(|| {
        let names = knowledge::names();
        let mut forms: Vec<String> =
            names.legal_forms.iter().map(|f| regex::escape(&super::fold::ascii_cased(f))).collect();
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        let forms = forms.join("|");
        // Acronyms (ICO, IMY, NSD) must be written in capitals; other names in any case.
        let authorities = WordSearch::new(
            knowledge::authorities()
                .iter()
                .enumerate()
                .flat_map(|(i, a)| a.aliases.iter().map(move |alias| (alias.as_str(), i))),
        );
        let outdated = WordSearch::new(
            knowledge::outdated()
                .iter()
                .enumerate()
                .flat_map(|(i, o)| o.aliases.iter().map(move |alias| (alias.as_str(), i))),
        );
        let processors = ProcessorMatcher::new(knowledge::processors::shipped(), 0);
        let successors = knowledge::outdated()
            .iter()
            .map(|o| {
                let words: Vec<String> = o.current.iter().map(|c| regex::escape(&fold(c))).collect();
                ascii_match_only(&format!(r"\b(?:{})\b", words.join("|")))
            })
            .collect();
        Patterns {
            email: ascii_match_only(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"),
            phone: ascii_match_only(r"\+?\d[\d \-().]{6,18}\d"),
            international_phone: ascii_match_only(r"\+\d{1,3}[\s\-]?\(?\d[\d\s\-()]{5,16}\d"),
            address_folded: ascii_match_only(r"\b(?:postboks|pb\.|p\.\s?o\.\s?box|po box|postbox)\s*\d+"),
            address_cased: vec![
                ascii_match_only(r"\b\d{4}\s+[A-Z][a-z]{2,}"),
                ascii_match_only(r"\b[A-Z][a-z]+(?:gata|gaten|gate|veien|vegen|vei|veg|allee|alle|plass|bakken|stien|svingen|brygga|brygge|kaia|torget|strasse|gade|vaegen|gatan)\s+\d+[A-Za-z]?\b"),
                ascii_match_only(r"\b\d+[A-Za-z]?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+(?:Street|St\.|Road|Rd\.|Avenue|Ave\.?|Lane|Drive|Square|Place|Boulevard|Blvd\.?|Way|Court|Quay)\b"),
                ascii_match_only(r"\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b"),
            ],
            organisation: ascii_regex(&format!(r"((?:{NAME_TOKEN}[ \t]+){{1,6}})({forms})(?:$|{NOT_ALNUM})")),
            name_run: ascii_match_only(&format!(r"{NAME_TOKEN}(?:[ \t]+{NAME_TOKEN}){{0,5}}")),
            name_run_before_copula: ascii_regex(&format!(
                r"((?:{NAME_TOKEN}[ \t]+){{0,5}}{NAME_TOKEN})\s*(?:\([\x00-\x28\x2A-\x7F]{{0,40}}\)\s*)?(?:er|is|are|blir|vert)\s+(?:\w+\s+){{0,3}}$"
            )),
            name_run_after_copula: ascii_regex(&format!(
                r"^[\x00-\x20\x22-\x2D\x2F-\x3E\x40-\x7F]{{0,60}}?\b(?:er|is)\s*:?\s+((?:{NAME_TOKEN}[ \t]+){{0,5}}{NAME_TOKEN})"
            )),
            org_number: ascii_regex(r"\b(?:NO\s?)?(\d{3}[ .]?\d{3}[ .]?\d{3})(?:\s?MVA)?\b|\b(\d{6,10})\b"),
            numeric_date: ascii_regex(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})\b"),
            iso_date: ascii_regex(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
            basis_refs: vec![
                ascii_regex(r"\bart(?:ikkel|icle|\.)?\s*(6|9)\s*(?:nr\.?\s*|\(\s*)(1|2)\s*\)?\s*,?\s*(?:bokstav|lit\.?|letter|litra)?\s*\(?\s*([a-j])\b"),
                ascii_regex(r"\b(6|9)\s*\(\s*(1|2)\s*\)\s*\(\s*([a-j])\s*\)"),
                ascii_regex(r"\bart(?:ikkel|icle|\.)?\s*(6|9)\.(1|2)\.?\s*([a-j])\b"),
            ],
            cookie_name: ascii_match_only(&format!(r"(?:^|{NOT_ALNUM})_{{1,2}}[a-z]{{2,}}[a-z0-9_]*")),
            authorities,
            outdated,
            successors,
            processors,
        }
    })
}

fn is_not_name(word: &str) -> bool {
    let names = knowledge::names();
    names.not_names.iter().any(|n| n == word)
        || names
            .leading_words
            .iter()
            .any(|n| n.eq_ignore_ascii_case(word))
}

/// Trims words that are not part of a name from the front of a capitalised run.
fn clean_name(run: &str) -> Option<String> {
    let words: Vec<&str> = run.split_whitespace().collect();
    let first_name_word = words
        .iter()
        .position(|w| !is_not_name(w.trim_end_matches('.')))?;
    let name = words[first_name_word..].join(" ");
    let name = name.trim_end_matches([',', ';']).to_string();
    if name.chars().any(char::is_alphabetic) {
        Some(name)
    } else {
        None
    }
}

/// Matches of `regex` over `view` (an ASCII view of `text`), valued from `text`.
fn spans(regex: &MatchOnlyRegex, view: &str, text: &str, sentences: &[Range<usize>]) -> Vec<Span> {
    regex
        .find_iter(view)
        .map(|m| Span {
            range: m.range(),
            sentence: sentence_index(sentences, m.start()),
            value: text
                .get(m.range())
                .or_else(|| view.get(m.range()))
                .unwrap_or("")
                .to_string(),
        })
        .collect()
}

fn heading_like(line: &str) -> bool {
    let line = line.trim();
    let Some(first) = line.chars().next() else {
        return false;
    };
    let last = line.chars().last().unwrap_or(' ');
    line.chars().count() <= 80
        && line.split_whitespace().count() <= 10
        && (first.is_uppercase() || first.is_ascii_digit())
        && !matches!(last, '.' | ',' | ';' | ':' | '!' | '?')
        && !line.contains('@')
        && !line.contains("://")
        && line.chars().filter(|c| c.is_alphabetic()).count() >= 2
}

/// Processor mentions in a block: by name or alias (folded), by brand names that are words
/// (as written), and by the cookies they set.
fn find_processors(
    matcher: &ProcessorMatcher,
    text: &str,
    folded: &str,
    cased: &str,
    sentences: &[Range<usize>],
    lexicon: &Lexicon,
) -> Vec<ProcessorMention> {
    let mut found_mentions: Vec<ProcessorMention> = Vec::new();
    let by_name: Vec<Range<usize>> = matcher
        .names
        .as_ref()
        .map(|search| search.find_iter(folded))
        .unwrap_or_default();
    let by_exact_name: Vec<Range<usize>> = matcher
        .exact_names
        .as_ref()
        .map(|search| search.find_iter(cased))
        .unwrap_or_default();
    let name_searches = [
        (by_name, folded, &matcher.index),
        (by_exact_name, cased, &matcher.exact_index),
    ];
    for (matches, haystack, index_of) in name_searches {
        for found in matches {
            let Some(matched) = haystack.get(found.clone()) else {
                continue;
            };
            let overlaps = found_mentions
                .iter()
                .any(|p| p.range.start < found.end && found.start < p.range.end);
            let Some((index, len)) = processor_of(matched, index_of).filter(|_| !overlaps) else {
                continue;
            };
            let range = found.start..found.start + len;
            let sentence = sentence_index(sentences, found.start);
            let negated = sentences
                .get(sentence as usize)
                .is_some_and(|s| negated(folded, s, found.start, lexicon));
            let written = text.get(range.clone()).unwrap_or(matched).to_string();
            found_mentions.push(ProcessorMention {
                range,
                index,
                written,
                negated,
            });
        }
    }
    if let Some(search) = &matcher.cookies {
        for range in search.find_iter(folded) {
            let matched = folded.get(range.clone()).unwrap_or("");
            let found = matcher
                .cookie_index
                .iter()
                .find(|(c, _)| matched.starts_with(c.as_str()));
            if let Some((_, index)) = found {
                let written = text.get(range.clone()).unwrap_or(matched).to_string();
                found_mentions.push(ProcessorMention {
                    range,
                    index: *index,
                    written,
                    negated: false,
                });
            }
        }
    }
    found_mentions.sort_by_key(|p| p.range.start);
    found_mentions
}

/// Mentions of an organisation's own processors in one block's text (indices from the
/// matcher's base). Kept apart from [`extract`] so the shipped facts stay shared.
pub fn extract_processors(
    text: &str,
    language: Language,
    matcher: &ProcessorMatcher,
) -> Vec<ProcessorMention> {
    find_processors(
        matcher,
        text,
        &fold(text),
        &ascii_cased(text),
        &sentences(text),
        lexicon(language),
    )
}

/// Extracts the facts of one block's text, read in `language`.
pub fn extract(text: &str, language: Language) -> BlockFacts {
    let lexicon = lexicon(language);
    let patterns = patterns();
    let sentences = sentences(text);
    let folded = fold(text);
    let cased = ascii_cased(text);
    let mut facts = BlockFacts::default();

    // Concepts, strong and weak, searched only where their required words occur.
    let candidates = lexicon.candidates(&folded);
    let search_text = SearchText::new(&folded);
    let cues: Vec<Range<usize>> = lexicon
        .list_to_search(candidates, Concept::RightCue, false)
        .map(|list| list.find_all(&search_text))
        .unwrap_or_default();
    for concept in Concept::ALL {
        let mut found: Vec<Range<usize>> = Vec::new();
        if concept == Concept::RightCue {
            found.extend(cues.iter().cloned());
        } else if let Some(strong) = lexicon.list_to_search(candidates, concept, false) {
            found.extend(strong.find_all(&search_text));
        }
        if let Some(weak) = lexicon.list_to_search(candidates, concept, true) {
            for m in weak.find_all(&search_text) {
                let sentence = &sentences[sentence_index(&sentences, m.start) as usize];
                let cued = cues.iter().any(|cue| {
                    cue.end <= m.start
                        && cue.start >= sentence.start
                        && words_between(text, cue.end..m.start) <= 6
                });
                if cued && !found.iter().any(|f| f.start < m.end && m.start < f.end) {
                    found.push(m);
                }
            }
        }
        for range in found {
            let sentence = sentence_index(&sentences, range.start);
            let negated = concept.negatable()
                && negated(&folded, &sentences[sentence as usize], range.start, lexicon);
            facts.mentions.push(Mention {
                concept,
                range,
                sentence,
                negated,
            });
        }
    }
    facts.mentions.sort_by_key(|m| (m.range.start, m.concept));
    facts.affirmed_concepts = facts
        .mentions
        .iter()
        .filter(|m| !m.negated)
        .fold(0, |set, m| set | concept_bit(m.concept));

    // Contacts. Details given for a supervisory authority are not the controller's.
    let authority_sentences: Vec<u32> = {
        let mut found = Vec::new();
        let names = knowledge::authorities();
        for (range, owner) in patterns.authorities.find(&cased, &folded) {
            let Some(name) = names.get(owner).map(|a| a.name.as_str()) else {
                continue;
            };
            let sentence = sentence_index(&sentences, range.start);
            found.push(sentence);
            if !facts
                .authorities
                .iter()
                .any(|a| a.value == name && a.range == range)
            {
                facts.authorities.push(Span {
                    range,
                    sentence,
                    value: name.to_string(),
                });
            }
        }
        found
    };
    let not_authority = |s: &Span| !authority_sentences.contains(&s.sentence);
    facts.emails = spans(&patterns.email, &cased, text, &sentences);
    let org_cue_sentences: Vec<u32> = facts
        .affirmed(Concept::OrgNumberCue)
        .map(|m| m.sentence)
        .collect();
    let phone_cue_sentences: Vec<(u32, usize)> = facts
        .affirmed(Concept::PhoneCue)
        .map(|m| (m.sentence, m.range.end))
        .collect();
    let mut phones: Vec<Span> = spans(&patterns.phone, &cased, text, &sentences)
        .into_iter()
        .filter(|p| {
            let digits = p.value.chars().filter(char::is_ascii_digit).count();
            (8..=15).contains(&digits)
                && phone_cue_sentences
                    .iter()
                    .any(|(s, end)| *s == p.sentence && *end <= p.range.start)
                && !(digits == 9 && org_cue_sentences.contains(&p.sentence))
        })
        .collect();
    for p in spans(&patterns.international_phone, &cased, text, &sentences) {
        if !phones
            .iter()
            .any(|q| q.range.start < p.range.end && p.range.start < q.range.end)
        {
            phones.push(p);
        }
    }
    facts.phones = phones.into_iter().filter(not_authority).collect();
    facts.addresses.extend(
        spans(&patterns.address_folded, &folded, text, &sentences)
            .into_iter()
            .filter(not_authority),
    );
    for regex in &patterns.address_cased {
        facts.addresses.extend(
            spans(regex, &cased, text, &sentences)
                .into_iter()
                .filter(not_authority),
        );
    }
    facts.emails.retain(not_authority);

    // Organisations, controllers and processors.
    for caps in patterns.organisation.captures_iter(&cased) {
        let (Some(name), Some(form)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        let original_name = text.get(name.range()).unwrap_or("");
        let original_form = text.get(form.range()).unwrap_or("");
        if let Some(clean) = clean_name(original_name) {
            let value = format!("{clean} {original_form}");
            let start = name.start() + original_name.find(clean.as_str()).unwrap_or(0);
            facts.organisations.push(Span {
                range: start..form.end(),
                sentence: sentence_index(&sentences, start),
                value,
            });
        }
    }
    let controller_cues: Vec<Mention> = facts.affirmed(Concept::ControllerCue).cloned().collect();
    for cue in &controller_cues {
        let sentence = &sentences[cue.sentence as usize];
        let before = cased.get(sentence.start..cue.range.start).unwrap_or("");
        if let Some(caps) = patterns.name_run_before_copula.captures(before) {
            if let Some(run) = caps.get(1) {
                let original = text
                    .get(sentence.start + run.start()..sentence.start + run.end())
                    .unwrap_or("");
                if let Some(name) = clean_name(original) {
                    let start = sentence.start + run.start();
                    facts.controller_names.push(Span {
                        range: start..start + run.len(),
                        sentence: cue.sentence,
                        value: name,
                    });
                }
            }
        }
        let after = cased.get(cue.range.end..sentence.end).unwrap_or("");
        if let Some(caps) = patterns.name_run_after_copula.captures(after) {
            if let Some(run) = caps.get(1) {
                let original = text
                    .get(cue.range.end + run.start()..cue.range.end + run.end())
                    .unwrap_or("");
                if let Some(name) = clean_name(original) {
                    let start = cue.range.end + run.start();
                    facts.controller_names.push(Span {
                        range: start..start + run.len(),
                        sentence: cue.sentence,
                        value: name,
                    });
                }
            }
        }
        if after.trim_end().ends_with(':')
            && text.get(sentence.end..).unwrap_or("").trim().is_empty()
        {
            facts.controller_label = true;
        }
    }
    let roles: Vec<Mention> = facts.affirmed(Concept::ProcessorRole).cloned().collect();
    for role in roles {
        let sentence = &sentences[role.sentence as usize];
        let before = cased
            .get(sentence.start..role.range.start)
            .unwrap_or("")
            .trim_end();
        if let Some(run) = patterns.name_run.find_iter(before).last() {
            if run.end() == before.len() {
                let original = text
                    .get(sentence.start + run.start()..sentence.start + run.end())
                    .unwrap_or("");
                if let Some(name) = clean_name(original) {
                    facts.processor_names.push(name.to_lowercase());
                }
            }
        }
    }
    for caps in patterns.org_number.captures_iter(&cased) {
        let Some(number) = caps.get(1).or_else(|| caps.get(2)) else {
            continue;
        };
        let sentence = sentence_index(&sentences, number.start());
        let digits: String = number
            .as_str()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let cued = org_cue_sentences.contains(&sentence);
        if cued && (digits.len() == 9 || language == Language::En) {
            facts.org_numbers.push(Span {
                range: number.range(),
                sentence,
                value: digits,
            });
        }
    }

    // Dates and periods.
    for caps in patterns.numeric_date.captures_iter(&cased) {
        let parse = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        let (Some(day), Some(month), Some(year)) = (parse(1), parse(2), parse(3)) else {
            continue;
        };
        if (1..=31).contains(&day) && (1..=12).contains(&month) {
            let year = if year < 100 { 2000 + year } else { year };
            if let Some(m) = caps.get(0) {
                facts.dates.push(Span {
                    range: m.range(),
                    sentence: sentence_index(&sentences, m.start()),
                    value: format!("{year:04}-{month:02}-{day:02}"),
                });
            }
        }
    }
    for m in patterns.iso_date.find_iter(&cased) {
        facts.dates.push(Span {
            range: m.range(),
            sentence: sentence_index(&sentences, m.start()),
            value: m.as_str().to_string(),
        });
    }
    for m in lexicon.named_date.find_iter(&folded) {
        let value = text.get(m.range()).unwrap_or(m.as_str()).to_string();
        facts.dates.push(Span {
            range: m.range(),
            sentence: sentence_index(&sentences, m.start()),
            value,
        });
    }
    facts.dates.sort_by_key(|d| d.range.start);
    let update_sentences: Vec<u32> = facts
        .affirmed(Concept::LastUpdatedCue)
        .map(|m| m.sentence)
        .collect();
    let short_block = text.trim().chars().count() <= 60;
    facts.update_date = facts
        .dates
        .iter()
        .find(|d| {
            update_sentences.contains(&d.sentence)
                || (short_block && {
                    let rest = format!(
                        "{}{}",
                        text.get(..d.range.start).unwrap_or(""),
                        text.get(d.range.end..).unwrap_or("")
                    );
                    words_between(&rest, 0..rest.len()) <= 3
                })
        })
        .cloned();
    for caps in lexicon.period.captures_iter(&folded) {
        let (Some(whole), Some(first), Some(unit)) = (caps.get(0), caps.get(1), caps.get(3)) else {
            continue;
        };
        // Of a range ("3-5 år") the upper bound is the period.
        let number = caps.get(2).unwrap_or(first);
        let lower = number.as_str().to_lowercase();
        let count = lower
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .or_else(|| lexicon.number_words.get(&lower).map(|n| f64::from(*n)));
        let Some(unit_kind) = lexicon.units.get(unit.as_str()) else {
            continue;
        };
        if let Some(count) = count {
            facts.periods.push(Period {
                range: whole.range(),
                sentence: sentence_index(&sentences, whole.start()),
                text: text
                    .get(whole.range())
                    .unwrap_or(whole.as_str())
                    .to_string(),
                days: unit_kind.days(count),
            });
        }
    }

    facts.article_refs = super::references::find_folded(text, &folded);

    // Legal-basis article references.
    for regex in &patterns.basis_refs {
        for caps in regex.captures_iter(&folded) {
            let (Some(whole), Some(article), Some(paragraph), Some(point)) =
                (caps.get(0), caps.get(1), caps.get(2), caps.get(3))
            else {
                continue;
            };
            let valid =
                (article.as_str() == "6" && paragraph.as_str() == "1" && point.as_str() <= "f")
                    || (article.as_str() == "9" && paragraph.as_str() == "2");
            if valid {
                let value = format!(
                    "{}.{}.{}",
                    article.as_str(),
                    paragraph.as_str(),
                    point.as_str().to_lowercase()
                );
                if !facts
                    .basis_refs
                    .iter()
                    .any(|b| b.range.start < whole.end() && whole.start() < b.range.end)
                {
                    facts.basis_refs.push(Span {
                        range: whole.range(),
                        sentence: sentence_index(&sentences, whole.start()),
                        value,
                    });
                }
            }
        }
    }
    facts.basis_refs.sort_by_key(|b| b.range.start);

    // Outdated names, unless the sentence names the successor or calls them history.
    let history: Vec<u32> = facts
        .affirmed(Concept::HistoryCue)
        .map(|m| m.sentence)
        .collect();
    for (range, entry) in patterns.outdated.find(&cased, &folded) {
        let sentence = sentence_index(&sentences, range.start);
        let sentence_text = sentences
            .get(sentence as usize)
            .and_then(|r| folded.get(r.clone()))
            .unwrap_or("");
        let current = patterns
            .successors
            .get(entry)
            .is_some_and(|r| r.is_match(sentence_text));
        // One reference per name and sentence: "NSD (Norsk senter for forskningsdata)".
        let seen = facts.outdated.iter().any(|o| {
            (o.range.start < range.end && range.start < o.range.end)
                || (o.entry == entry && sentence_index(&sentences, o.range.start) == sentence)
        });
        if !current && !history.contains(&sentence) && !seen {
            let written = text.get(range.clone()).unwrap_or("").to_string();
            facts.outdated.push(OutdatedMention {
                range,
                entry,
                written,
            });
        }
    }
    facts.outdated.sort_by_key(|o| o.range.start);

    facts.processors = find_processors(
        &patterns.processors,
        text,
        &folded,
        &cased,
        &sentences,
        lexicon,
    );

    facts.cookie_context =
        facts.has(Concept::CookieContext) || patterns.cookie_name.is_match(&folded);

    // Shape, for plain-text headings.
    let first_line_end = text.find('\n').unwrap_or(text.len());
    let first_line = text.get(..first_line_end).unwrap_or("");
    facts.single_line = first_line_end == text.len();
    if heading_like(first_line) {
        facts.heading_line = Some(0..first_line.trim_end().len());
        if facts.single_line {
            facts.line_text = Some(first_line.trim().to_string());
        }
    }
    facts.second_line_capitalised = text
        .get(first_line_end..)
        .unwrap_or("")
        .trim_start()
        .chars()
        .next()
        .is_some_and(char::is_uppercase);
    let trimmed = text.trim();
    facts.bold_line = facts.single_line
        && trimmed.len() > 4
        && ((trimmed.starts_with("**") && trimmed.ends_with("**"))
            || (trimmed.starts_with("__") && trimmed.ends_with("__")));
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concepts(text: &str, language: Language) -> Vec<Concept> {
        extract(text, language)
            .mentions
            .iter()
            .filter(|m| !m.negated)
            .map(|m| m.concept)
            .collect()
    }

    #[test]
    fn rights_in_norwegian_wording() {
        let found = concepts(
            "Du kan også be om retting eller sletting av mangelfulle opplysninger.",
            Language::Nb,
        );
        assert!(found.contains(&Concept::RightRectification));
        assert!(found.contains(&Concept::RightErasure));
        let found = concepts(
            "Leverandøren vil slette opplysningene når formålet er oppfylt.",
            Language::Nb,
        );
        assert!(
            !found.contains(&Concept::RightErasure),
            "deletion by the controller is not the right"
        );
    }

    #[test]
    fn negation_turns_a_mention_into_a_denial() {
        let facts = extract(
            "Vi bruker ikke profilering eller automatiserte avgjørelser.",
            Language::Nb,
        );
        assert!(
            facts
                .mentions
                .iter()
                .any(|m| m.concept == Concept::Automated && m.negated)
        );
        let facts = extract("We do not use profiling.", Language::En);
        assert!(
            facts
                .mentions
                .iter()
                .any(|m| m.concept == Concept::Automated && m.negated)
        );
        assert!(
            extract(
                "Vi bruker profilering for å tilpasse annonser.",
                Language::Nb
            )
            .has(Concept::Automated)
        );
    }

    #[test]
    fn contacts_names_and_numbers() {
        let facts = extract(
            "Firmanavn: Eksempel Regnskap AS\nOrganisasjonsnummer: 912 345 678\nE-post: post@eksempel.no\nTelefon: +47 22 33 44 55",
            Language::Nb,
        );
        assert_eq!(facts.organisations[0].value, "Eksempel Regnskap AS");
        assert_eq!(facts.org_numbers[0].value, "912345678");
        assert_eq!(facts.emails[0].value, "post@eksempel.no");
        assert_eq!(facts.phones.len(), 1);
        let facts = extract(
            "Skriv til Datatilsynet, Postboks 458 Sentrum, 0105 Oslo.",
            Language::Nb,
        );
        assert!(
            facts.addresses.is_empty(),
            "the authority's address is not the controller's"
        );
        assert_eq!(facts.authorities[0].value, "Datatilsynet");
    }

    #[test]
    fn controller_statements_and_processor_roles() {
        let facts = extract(
            "Styret i FORENINGEN er ansvarlig for behandlingen av personopplysninger.",
            Language::Nb,
        );
        assert!(
            facts
                .controller_names
                .iter()
                .any(|n| n.value.contains("FORENINGEN")),
            "{:?}",
            facts.controller_names
        );
        let facts = extract(
            "Acme Systems opptrer som databehandler for kundene.",
            Language::Nb,
        );
        assert_eq!(facts.processor_names, vec!["acme systems".to_string()]);
        let facts = extract("The data controller is Example Widgets Ltd.", Language::En);
        assert!(
            facts
                .controller_names
                .iter()
                .any(|n| n.value.starts_with("Example Widgets")),
            "{:?}",
            facts.controller_names
        );
        assert!(extract("Behandlingsansvarlig:", Language::Nb).controller_label);
    }

    #[test]
    fn periods_dates_and_references() {
        let facts = extract(
            "Loggen lagres i 15 dager og analysedata i fjorten dager eller 14 måneder.",
            Language::Nb,
        );
        let days: Vec<u32> = facts.periods.iter().map(|p| p.days).collect();
        assert_eq!(days, vec![15, 425]);
        assert!(
            extract("Sist oppdatert: 08.12.23", Language::Nb)
                .update_date
                .is_some()
        );
        assert!(
            extract("Last updated 3 March 2024", Language::En)
                .update_date
                .is_some()
        );
        assert!(
            extract(
                "Per 30.08.2021 bruker vi disse leverandørene i tjenesten vår.",
                Language::Nb
            )
            .update_date
            .is_none()
        );
        let refs: Vec<String> = extract(
            "Grunnlaget er personvernforordningen artikkel 6 nr. 1 bokstav f og Article 9(2)(a).",
            Language::Nb,
        )
        .basis_refs
        .into_iter()
        .map(|b| b.value)
        .collect();
        assert_eq!(refs, vec!["6.1.f".to_string(), "9.2.a".to_string()]);
    }

    #[test]
    fn plain_headings_and_cookie_tables() {
        let facts = extract("Lagringstid", Language::Nb);
        assert!(facts.heading_line.is_some() && facts.single_line);
        assert!(
            extract("Vi lagrer data.", Language::Nb)
                .heading_line
                .is_none()
        );
        assert!(extract("_ga 2 år Google Analytics", Language::Nb).cookie_context);
    }

    #[test]
    fn any_text_is_safe() {
        for text in [
            "",
            "\u{0}\u{1}",
            "😀😀",
            "art. 6 nr",
            "@@@",
            "\n\n\n",
            "12.13.2020",
            "a\u{2028}b",
        ] {
            for language in Language::ALL {
                let _ = extract(text, language);
            }
        }
    }
}
