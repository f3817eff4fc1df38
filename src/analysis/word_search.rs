//! Whole-word search for many fixed names at once (supervisory authorities, outdated names,
//! processor names).
//!
//! A [`WordIndex`] keys every name by its first word, so a search looks up each word of the
//! text once instead of running an automaton over every byte, and building it is a hash map
//! insert per name: a fraction of an Aho-Corasick automaton's build time, which was a cost of
//! the server's cold start. Acronyms (`ICO`, `NSD`) match only as written, over case-kept
//! text; other names match over folded text. Both views have the same byte offsets (see
//! [`super::fold`]), so matches from either are ranges in the original text.

use std::ops::Range;

use rustc_hash::FxHashMap;

use super::fold::fold;

/// Names indexed by their first word, to find where each occurs at the start of a word.
#[derive(Debug, Default)]
pub struct WordIndex {
    names: Vec<String>,
    /// Names that start with a word byte, by their first word (the leading run of word bytes),
    /// longest name first.
    by_first_word: FxHashMap<String, Vec<usize>>,
    /// Names that start with any other byte: searched as substrings.
    others: Vec<usize>,
}

impl WordIndex {
    /// An index of `names`, which are matched byte for byte; empty names are left out.
    pub fn new(names: Vec<String>) -> WordIndex {
        let mut index = WordIndex::default();
        for (id, name) in names.iter().enumerate() {
            let first_word_len = name.bytes().take_while(|b| is_word(*b)).count();
            if name.is_empty() {
                continue;
            } else if first_word_len == 0 {
                index.others.push(id);
            } else {
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

    /// The number of names indexed.
    pub fn len(&self) -> usize {
        self.by_first_word.values().map(Vec::len).sum::<usize>() + self.others.len()
    }

    /// Whether no name is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name with id `id`.
    pub fn name(&self, id: usize) -> &str {
        self.names.get(id).map(String::as_str).unwrap_or("")
    }

    /// Every occurrence, as (start, name id), of a name that starts with a word byte at the
    /// start of a word of `haystack`, or whose word is followed by a possessive `s`; and every
    /// occurrence of the other names anywhere. What follows a name is for the caller to check.
    pub fn occurrences(&self, haystack: &str) -> Vec<(usize, usize)> {
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
                for id in self.by_first_word.get(key).into_iter().flatten() {
                    if haystack[at..].starts_with(self.name(*id)) {
                        found.push((at, *id));
                    }
                }
            }
            at = end;
        }
        for id in &self.others {
            let name = self.name(*id);
            found.extend(haystack.match_indices(name).map(|(start, _)| (start, *id)));
        }
        found
    }
}

/// A compiled set of names, each belonging to an owner (an index the caller chose).
#[derive(Debug)]
pub struct WordSearch {
    cased: NamesOfOwners,
    folded: NamesOfOwners,
}

#[derive(Debug)]
struct NamesOfOwners {
    index: WordIndex,
    owners: Vec<usize>,
}

impl NamesOfOwners {
    fn new(entries: Vec<(String, usize)>) -> NamesOfOwners {
        let (names, owners): (Vec<String>, Vec<usize>) = entries.into_iter().unzip();
        NamesOfOwners {
            index: WordIndex::new(names),
            owners,
        }
    }

    fn matches(&self, haystack: &str, out: &mut Vec<(Range<usize>, usize)>) {
        let bytes = haystack.as_bytes();
        for (start, id) in self.index.occurrences(haystack) {
            let end = start + self.index.name(id).len();
            if boundary(bytes, start) && boundary(bytes, end) {
                if let Some(owner) = self.owners.get(id) {
                    out.push((start..end, *owner));
                }
            }
        }
    }
}

/// Whether a byte is a word byte as regex `\w` sees ASCII: a letter, digit or `_`.
pub fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Whether a regex `\b` holds at byte `at`: a word byte on exactly one side.
fn boundary(bytes: &[u8], at: usize) -> bool {
    let before = at
        .checked_sub(1)
        .and_then(|i| bytes.get(i))
        .is_some_and(|b| is_word(*b));
    let after = bytes.get(at).is_some_and(|b| is_word(*b));
    before != after
}

/// Whether a name is an acronym: no lower-case letters.
fn is_acronym(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_uppercase() || !c.is_alphabetic())
}

impl WordSearch {
    /// A search for `names`, each with its owner.
    pub fn new<'a>(names: impl IntoIterator<Item = (&'a str, usize)>) -> WordSearch {
        let mut cased = Vec::new();
        let mut folded = Vec::new();
        for (name, owner) in names {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            if is_acronym(name) {
                cased.push((name.to_string(), owner));
            } else {
                folded.push((fold(name), owner));
            }
        }
        WordSearch {
            cased: NamesOfOwners::new(cased),
            folded: NamesOfOwners::new(folded),
        }
    }

    /// Every whole-word match with its owner, by start and then longest first. `cased` and
    /// `folded` are the two views of the same text.
    pub fn find(&self, cased: &str, folded: &str) -> Vec<(Range<usize>, usize)> {
        let mut out = Vec::new();
        self.cased.matches(cased, &mut out);
        self.folded.matches(folded, &mut out);
        out.sort_by(|a, b| {
            a.0.start
                .cmp(&b.0.start)
                .then(b.0.end.cmp(&a.0.end))
                .then(a.1.cmp(&b.1))
        });
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search() -> WordSearch {
        WordSearch::new([
            ("NSD", 0),
            ("Privacy Shield", 1),
            ("EU-US Privacy Shield", 1),
        ])
    }

    fn found(text: &str) -> Vec<(Range<usize>, usize)> {
        search().find(text, &fold(text))
    }

    #[test]
    fn acronyms_keep_their_case_and_names_do_not() {
        assert_eq!(found("Ask NSD."), vec![(4..7, 0)]);
        assert!(found("Ask nsd.").is_empty());
        assert_eq!(found("the PRIVACY shield"), vec![(4..18, 1)]);
    }

    #[test]
    fn only_whole_words_match() {
        assert!(found("NSDX and xNSD").is_empty());
        assert_eq!(found("(NSD)"), vec![(1..4, 0)]);
    }

    proptest::proptest! {
        /// Every occurrence of a name with a word boundary at both ends, as a substring search
        /// finds them.
        #[test]
        fn finds_what_a_substring_search_finds(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("NSD".to_string()),
                    proptest::strategy::Just("privacy shield".to_string()),
                    proptest::strategy::Just("EU-US Privacy Shield".to_string()),
                    "[a-zA-Z .-]{0,3}",
                ],
                0..10,
            )
        ) {
            let text = pieces.concat();
            let folded = fold(&text);
            let names = [("NSD", 0), ("Privacy Shield", 1), ("EU-US Privacy Shield", 1)];
            let mut expected = Vec::new();
            for (name, owner) in names {
                let (haystack, name) = if is_acronym(name) {
                    (text.as_str(), name.to_string())
                } else {
                    (folded.as_str(), fold(name))
                };
                for (start, _) in haystack.match_indices(&name) {
                    let end = start + name.len();
                    if boundary(haystack.as_bytes(), start) && boundary(haystack.as_bytes(), end) {
                        expected.push((start..end, owner));
                    }
                }
            }
            expected.sort_by(|a, b| {
                a.0.start.cmp(&b.0.start).then(b.0.end.cmp(&a.0.end)).then(a.1.cmp(&b.1))
            });
            expected.dedup();
            proptest::prop_assert_eq!(search().find(&text, &folded), expected);
        }
    }

    #[test]
    fn overlapping_names_come_longest_first() {
        let matches = found("under EU-US Privacy Shield today");
        assert_eq!(matches.first(), Some(&(6..26, 1)));
        assert_eq!(matches.get(1), Some(&(12..26, 1)));
    }
}
