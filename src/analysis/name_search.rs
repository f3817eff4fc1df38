//! Search for many fixed names at once in block text: processor names and aliases (whole
//! words, with a possessive or a compound's second part) and the cookies processors set (a
//! name and whatever the cookie's own suffix adds).
//!
//! Large name sets (the 2,076 shipped names and aliases) are looked up word by word in an
//! index of their first words: building an Aho-Corasick automaton of them took 3.5 ms of every
//! cold start, the index takes 0.18 ms. Small sets (an organisation's own brand names) and
//! cookies, which may start inside a word, run on Aho-Corasick automata; those replace regexes
//! whose compile and lazy DFA states were cold start costs too. Each search gives the matches
//! of the search it replaces (the longest name first at the leftmost start, never
//! overlapping), which the unit tests below check. One deliberate difference from the regex
//! that brand names used: a name that ends in punctuation ("Acme Inc.") stands as a word
//! whatever follows it, as processor names already did.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use rustc_hash::FxHashMap;

use super::word_search::is_word;

/// An automaton over `names` that reports every occurrence, overlapping ones included. A
/// contiguous NFA builds in a fraction of a DFA's time and searches single blocks about as fast.
fn overlapping_automaton(names: &[String]) -> Option<AhoCorasick> {
    if names.is_empty() {
        return None;
    }
    AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(names)
        .ok()
}

/// From candidate matches (start, name length, end), the leftmost ones, the longest name first
/// at a start, none overlapping an earlier one.
fn leftmost_longest(mut candidates: Vec<(usize, usize, usize)>) -> Vec<Range<usize>> {
    candidates.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out = Vec::new();
    let mut free_from = 0;
    for (start, _, end) in candidates {
        if start >= free_from {
            out.push(start..end);
            free_from = end;
        }
    }
    out
}

/// Names indexed by their first word, to find where each occurs at the start of a word.
#[derive(Debug, Default)]
struct WordIndex {
    names: Vec<String>,
    /// Names that start with a word byte, by their first word (the leading run of word bytes),
    /// longest name first.
    by_first_word: FxHashMap<String, Vec<usize>>,
    /// Names that start with any other byte: every occurrence is found, overlapping ones
    /// included.
    others: Vec<usize>,
    /// The first two bytes of every first word (the first byte and 0 for a one-byte word), as
    /// bits: a word of the text whose two bytes are not here is passed without hashing it.
    first_pairs: Vec<u64>,
}

/// The bit of a word's first two bytes in [`WordIndex::first_pairs`].
fn pair_bit(word: &[u8]) -> usize {
    let first = usize::from(word.first().copied().unwrap_or(0));
    let second = usize::from(word.get(1).copied().unwrap_or(0));
    first << 8 | second
}

impl WordIndex {
    /// An index of `names`, which are matched byte for byte; empty names are left out.
    fn new(names: Vec<String>) -> WordIndex {
        let mut index = WordIndex {
            first_pairs: vec![0; (1 << 16) / 64],
            ..WordIndex::default()
        };
        for (id, name) in names.iter().enumerate() {
            let first_word_len = name.bytes().take_while(|b| is_word(*b)).count();
            if name.is_empty() {
                continue;
            } else if first_word_len == 0 {
                index.others.push(id);
            } else {
                let pair = pair_bit(&name.as_bytes()[..first_word_len]);
                index.first_pairs[pair / 64] |= 1 << (pair % 64);
                index
                    .by_first_word
                    .entry(name[..first_word_len].to_string())
                    .or_default()
                    .push(id);
            }
        }
        for ids in index.by_first_word.values_mut() {
            ids.sort_by_key(|id| std::cmp::Reverse(names[*id].len()));
        }
        index.names = names;
        index
    }

    /// The name with id `id`.
    fn name(&self, id: usize) -> &str {
        self.names.get(id).map(String::as_str).unwrap_or("")
    }

    /// Every occurrence, as (start, length), of a name that starts with a word byte at the
    /// start of a word of `haystack`, or whose word is followed by a possessive `s`; and every
    /// occurrence of the other names anywhere. What follows a name is for the caller to check.
    fn occurrences(&self, haystack: &str) -> Vec<(usize, usize)> {
        let bytes = haystack.as_bytes();
        let mut found = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            if !is_word(bytes[at]) {
                at += 1;
                continue;
            }
            let end = at + bytes[at..].iter().take_while(|b| is_word(**b)).count();
            let word = &haystack[at..end];
            let without_s = word.strip_suffix('s').filter(|w| !w.is_empty());
            for key in std::iter::once(word).chain(without_s) {
                let pair = pair_bit(key.as_bytes());
                let bits = self.first_pairs.get(pair / 64).copied().unwrap_or(0);
                if bits & (1 << (pair % 64)) == 0 {
                    continue;
                }
                for id in self.by_first_word.get(key).into_iter().flatten() {
                    let name = self.name(*id);
                    if haystack[at..].starts_with(name) {
                        found.push((at, name.len()));
                    }
                }
            }
            at = end;
        }
        for id in &self.others {
            let name = self.name(*id);
            let mut from = 0;
            while let Some(at) = haystack.get(from..).and_then(|rest| rest.find(name)) {
                found.push((from + at, name.len()));
                // On past the name's first character, so that overlapping occurrences count.
                from += at + name.chars().next().map_or(1, char::len_utf8);
            }
        }
        found
    }
}

/// Whole-word search for many names at once. A name that ends in a word byte (a letter, a digit
/// or `_`) may carry a possessive s ("Googles") or a hyphenated compound ("Facebook-pikselen")
/// and must end a word; one that ends in punctuation stands as a word whatever follows.
#[derive(Debug)]
pub struct NameSearch {
    finder: NameFinder,
}

/// How a [`NameSearch`] finds where its names occur.
#[derive(Debug)]
enum NameFinder {
    /// A few names: an automaton, which searches a block in a few instructions per byte and
    /// builds quickly at this size.
    Automaton(AhoCorasick),
    /// Many names: the word index, which builds in a fraction of the automaton's time.
    Index(WordIndex),
}

/// The most names a [`NameSearch`] finds with an automaton.
const AUTOMATON_MAX_NAMES: usize = 64;

impl NameSearch {
    /// A search for `names`, as they will appear in the haystack; empty names are left out.
    /// `None` when no name is left (or, which the names' sizes rule out, the automaton cannot
    /// be built).
    pub fn new(names: Vec<String>) -> Option<NameSearch> {
        let names: Vec<String> = names.into_iter().filter(|n| !n.is_empty()).collect();
        let indexed = names.len() > AUTOMATON_MAX_NAMES;
        NameSearch::with_finder(names, indexed)
    }

    /// A search for `names` through the word index or through an automaton.
    fn with_finder(names: Vec<String>, indexed: bool) -> Option<NameSearch> {
        if names.is_empty() {
            return None;
        }
        let finder = if indexed {
            NameFinder::Index(WordIndex::new(names))
        } else {
            NameFinder::Automaton(overlapping_automaton(&names)?)
        };
        Some(NameSearch { finder })
    }

    /// Every occurrence of a name as (start, length); whether it stands as a word is for the
    /// caller to check.
    fn occurrences(&self, haystack: &str) -> Vec<(usize, usize)> {
        match &self.finder {
            NameFinder::Automaton(automaton) => automaton
                .find_overlapping_iter(haystack)
                .map(|m| (m.start(), m.end() - m.start()))
                .collect(),
            NameFinder::Index(index) => index.occurrences(haystack),
        }
    }

    /// Where a name matched at `start..end` ends with its suffix, if it stands as a word.
    fn word_end(bytes: &[u8], start: usize, end: usize) -> Option<usize> {
        let first = *bytes.get(start)?;
        let last = *bytes.get(end.checked_sub(1)?)?;
        let before = start.checked_sub(1).and_then(|i| bytes.get(i)).copied();
        if is_word(first) == before.is_some_and(is_word) {
            return None; // no word boundary before the name
        }
        if !is_word(last) {
            return Some(end);
        }
        let boundary = |i: usize| !bytes.get(i).copied().is_some_and(is_word);
        if bytes.get(end) == Some(&b's') && boundary(end + 1) {
            return Some(end + 1);
        }
        if bytes.get(end) == Some(&b'-') {
            let mut i = end + 1;
            while bytes
                .get(i)
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                i += 1;
            }
            if i > end + 1 && boundary(i) {
                return Some(i);
            }
        }
        boundary(end).then_some(end)
    }

    /// Matches in `haystack`: leftmost first, the longest name at a start, never overlapping.
    pub fn find_iter(&self, haystack: &str) -> Vec<Range<usize>> {
        let bytes = haystack.as_bytes();
        let candidates = self
            .occurrences(haystack)
            .into_iter()
            .filter_map(|(start, len)| {
                let end = Self::word_end(bytes, start, start + len)?;
                Some((start, len, end))
            })
            .collect();
        leftmost_longest(candidates)
    }
}

/// Search for cookie names: a name that starts with a letter or digit must start a word, one
/// that starts with `_` may start anywhere, and one that starts with other punctuation needs a
/// word byte before it (where a regex `\b` holds). A match runs on over the letters, digits and `_`
/// that follow the name (`_ga` matches all of `_ga_1x2y`).
#[derive(Debug)]
pub struct CookieSearch {
    automaton: AhoCorasick,
}

impl CookieSearch {
    /// A search for `names` (folded); `None` when there are none.
    pub fn new(names: Vec<String>) -> Option<CookieSearch> {
        overlapping_automaton(&names).map(|automaton| CookieSearch { automaton })
    }

    /// Matches in `haystack` (folded text): leftmost first, the longest name at a start, never
    /// overlapping.
    pub fn find_iter(&self, haystack: &str) -> Vec<Range<usize>> {
        let bytes = haystack.as_bytes();
        let candidates = self
            .automaton
            .find_overlapping_iter(haystack)
            .filter(|m| {
                let first = bytes.get(m.start()).copied().unwrap_or(b'_');
                let before = m.start().checked_sub(1).and_then(|i| bytes.get(i)).copied();
                first == b'_' || is_word(first) != before.is_some_and(is_word)
            })
            .map(|m| {
                let run = bytes[m.end()..]
                    .iter()
                    .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || **b == b'_')
                    .count();
                (m.start(), m.end() - m.start(), m.end() + run)
            })
            .collect();
        leftmost_longest(candidates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The regex each search replaces, as it was written before: alternatives longest first.
    fn cookie_regex(names: &[String]) -> regex::Regex {
        let mut sorted: Vec<&String> = names.iter().collect();
        sorted.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let alternatives: Vec<String> = sorted
            .iter()
            .map(|c| {
                let escaped = regex::escape(c);
                if c.starts_with('_') {
                    escaped
                } else {
                    format!(r"\b{escaped}")
                }
            })
            .collect();
        regex::RegexBuilder::new(&format!(r"(?:{})[a-z0-9_]*", alternatives.join("|")))
            .unicode(false)
            .build()
            .unwrap()
    }

    fn name_regex(names: &[String]) -> regex::Regex {
        let mut sorted: Vec<&String> = names.iter().collect();
        sorted.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let alternatives: Vec<String> = sorted
            .iter()
            .map(|n| format!(r"{}(?:s|-[a-z0-9]+)?\b", regex::escape(n)))
            .collect();
        regex::RegexBuilder::new(&format!(r"\b(?:{})", alternatives.join("|")))
            .unicode(false)
            .build()
            .unwrap()
    }

    fn cookie_names() -> Vec<String> {
        [
            "_ga",
            "_gat",
            "_gid",
            "_ga_",
            "ajs_user_id",
            "_ce.s",
            "intercom-id",
            "fr",
            "_fbp",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn cookies_match_from_a_word_start_or_an_underscore_and_run_on() {
        let search = CookieSearch::new(cookie_names()).unwrap();
        let text = "cookies _ga_1abc, x_gid and _gat; intercom-id-7 afr fr";
        let found: Vec<&str> = search
            .find_iter(text)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(found, ["_ga_1abc", "_gid", "_gat", "intercom-id", "fr"]);
    }

    #[test]
    fn brand_names_take_a_possessive_or_a_compound() {
        let search = NameSearch::new(vec!["Delighted".into(), "Vipps".into()]).unwrap();
        let text = "Delighteds survey, Delighted-skjema, Undelighted, Vipps.";
        let found: Vec<&str> = search
            .find_iter(text)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(found, ["Delighteds", "Delighted-skjema", "Vipps"]);
    }

    /// The shipped processors' names chosen by `names_of`, folded, at least 3 bytes long, once
    /// each.
    fn shipped_folded<'a>(
        names_of: impl Fn(&'a crate::knowledge::processors::Processor) -> Vec<&'a str>,
    ) -> Vec<String> {
        let mut names: Vec<String> = crate::knowledge::processors::shipped()
            .iter()
            .flat_map(names_of)
            .map(|n| super::super::fold::fold(n.trim()))
            .filter(|n| n.len() >= 3)
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Every shipped cookie name, inside a word, at a word start, with a suffix and on its
    /// own: the search finds what the regex found.
    #[test]
    fn shipped_cookie_names_match_as_the_regex_did() {
        let names = shipped_folded(|p| p.cookies.iter().map(|c| &**c).collect());
        assert!(names.len() > 50, "only {} cookie names", names.len());
        let text: String = names
            .iter()
            .map(|c| format!("x{c} {c}_1a, ({c}) {c}{c}.\n"))
            .collect();
        let expected: Vec<Range<usize>> = cookie_regex(&names)
            .find_iter(&text)
            .map(|m| m.range())
            .collect();
        assert_eq!(CookieSearch::new(names).unwrap().find_iter(&text), expected);
    }

    /// Every shipped processor name and alias, on its own, with a possessive, in a compound,
    /// inside a longer word and next to others: the word index finds what an automaton over
    /// every byte found (the search this one replaced, whose semantics the regex test pins).
    #[test]
    fn shipped_names_match_as_the_automaton_did() {
        let names = shipped_folded(|p| {
            std::iter::once(&p.name)
                .chain(p.aliases.iter())
                .map(|n| &**n)
                .collect()
        });
        assert!(names.len() > 1000, "only {} names", names.len());
        let text: String = names
            .iter()
            .map(|n| format!("{n}, {n}s x{n} {n}-pikselen {n}{n} ({n}).\n"))
            .collect();
        let automaton = overlapping_automaton(&names).unwrap();
        let bytes = text.as_bytes();
        let expected = leftmost_longest(
            automaton
                .find_overlapping_iter(&text)
                .filter_map(|m| {
                    let end = NameSearch::word_end(bytes, m.start(), m.end())?;
                    Some((m.start(), m.end() - m.start(), end))
                })
                .collect(),
        );
        assert!(expected.len() > names.len() * 3);
        assert_eq!(NameSearch::new(names).unwrap().find_iter(&text), expected);
    }

    /// Names that start with punctuation are found by the index wherever they occur,
    /// overlapping occurrences included, as the automaton finds them.
    #[test]
    fn names_starting_with_punctuation_match_in_both_finders() {
        let names: Vec<String> = [".a.", ".net", "x"].map(String::from).to_vec();
        let text = " .a.a.b x.net .a.";
        let by_index = NameSearch::with_finder(names.clone(), true).unwrap();
        let by_automaton = NameSearch::with_finder(names, false).unwrap();
        let found = by_index.find_iter(text);
        assert_eq!(found, by_automaton.find_iter(text));
        let words: Vec<&str> = found.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(words, [".a.", "x", ".net"]);
    }

    proptest! {
        /// On text built from the names and their pieces, the cookie search finds exactly what
        /// the regex it replaces found.
        #[test]
        fn cookie_search_equals_the_regex(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just("_ga".to_string()), Just("_gat".to_string()), Just("_g".to_string()),
                    Just("ajs_user_id".to_string()), Just("_ce.s".to_string()),
                    Just("intercom-id".to_string()), Just("fr".to_string()),
                    Just("_fbp".to_string()), "[a-z0-9_ .,-]{0,3}",
                ],
                0..12,
            )
        ) {
            let names = cookie_names();
            let text = pieces.concat();
            let expected: Vec<Range<usize>> =
                cookie_regex(&names).find_iter(&text).map(|m| m.range()).collect();
            prop_assert_eq!(CookieSearch::new(names).unwrap().find_iter(&text), expected);
        }

        /// The same for names: one word or several, with punctuation, possessives and
        /// compounds, and names that are prefixes of others.
        #[test]
        fn name_search_equals_the_regex(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just("Delighted".to_string()), Just("Deli".to_string()),
                    Just("google analytics".to_string()), Just("google".to_string()),
                    Just("monday.com".to_string()), Just("e-conomic".to_string()),
                    Just("ss".to_string()), Just("s".to_string()), Just("-".to_string()),
                    "[a-zA-Z0-9 .,-]{0,3}",
                ],
                0..12,
            )
        ) {
            let names: Vec<String> = [
                "Delighted", "Deli", "google analytics", "google", "monday.com", "e-conomic", "ss",
            ]
            .map(String::from)
            .to_vec();
            let text = pieces.concat();
            let expected: Vec<Range<usize>> =
                name_regex(&names).find_iter(&text).map(|m| m.range()).collect();
            for indexed in [false, true] {
                let search = NameSearch::with_finder(names.clone(), indexed).unwrap();
                prop_assert_eq!(search.find_iter(&text), expected.clone());
            }
        }
    }
}
