//! Whole-word search for many fixed names at once (supervisory authorities, outdated names).
//!
//! One Aho-Corasick automaton per case mode replaces a regular expression per name: building
//! it costs a fraction of compiling hundreds of `\bname\b` patterns, which dominated the
//! server's cold start. Acronyms (`ICO`, `NSD`) match only as written, over case-kept text;
//! other names match over folded text. Both views have the same byte offsets
//! (see [`super::fold`]), so matches from either are ranges in the original text.

use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};

use super::fold::fold;

/// A compiled set of names, each belonging to an owner (an index the caller chose).
#[derive(Debug)]
pub struct WordSearch {
    cased: Option<Automaton>,
    folded: Option<Automaton>,
}

#[derive(Debug)]
struct Automaton {
    automaton: AhoCorasick,
    owners: Vec<usize>,
}

impl Automaton {
    fn new(entries: Vec<(String, usize)>) -> Option<Automaton> {
        if entries.is_empty() {
            return None;
        }
        let (names, owners): (Vec<String>, Vec<usize>) = entries.into_iter().unzip();
        // The default for a few dozen names would be a DFA, which takes several times as
        // long to build (a cold start cost); a contiguous NFA searches single blocks about as
        // fast.
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .build(&names)
            .ok()?;
        Some(Automaton { automaton, owners })
    }

    fn matches(&self, haystack: &str, out: &mut Vec<(Range<usize>, usize)>) {
        let bytes = haystack.as_bytes();
        for m in self.automaton.find_overlapping_iter(haystack) {
            if word_boundary(bytes, m.start()) && word_boundary(bytes, m.end()) {
                if let Some(owner) = self.owners.get(m.pattern().as_usize()) {
                    out.push((m.range(), *owner));
                }
            }
        }
    }
}

/// The bytes regex `\w` sees as word bytes in ASCII: letters, digits and `_`.
static WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'_';
        byte += 1;
    }
    table
};

/// Whether a byte is a word byte as regex `\w` sees ASCII: a letter, digit or `_`.
pub fn is_word(byte: u8) -> bool {
    WORD_BYTES[usize::from(byte)]
}

/// Whether a regex `\b` holds at byte `at`: a word byte on exactly one side.
pub fn word_boundary(bytes: &[u8], at: usize) -> bool {
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
            cased: Automaton::new(cased),
            folded: Automaton::new(folded),
        }
    }

    /// Every whole-word match with its owner, by start and then longest first. `cased` and
    /// `folded` are the two views of the same text.
    pub fn find(&self, cased: &str, folded: &str) -> Vec<(Range<usize>, usize)> {
        let mut out = Vec::new();
        if let Some(automaton) = &self.cased {
            automaton.matches(cased, &mut out);
        }
        if let Some(automaton) = &self.folded {
            automaton.matches(folded, &mut out);
        }
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
                    if word_boundary(haystack.as_bytes(), start) && word_boundary(haystack.as_bytes(), end) {
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
