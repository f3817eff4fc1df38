//! Regexes over the ASCII views of a block (folded or case-kept, see [`super::fold`]), built
//! for a server that compiles them on every cold start.
//!
//! They run over one block at a time, where a literal prefilter saves little, so they are
//! built without one: the literal analysis, prefilter and reverse-search strategies were most
//! of their compile time. Matches are the same as with the `regex` crate's defaults.
//!
//! Invariant: the patterns are part of the shipped data and compile; one that does not is a
//! bug there, caught by the unit tests, so building never fails at run time.

use std::ops::Range;

use regex_automata::meta;
use regex_automata::util::captures::Captures;

/// A pattern that only reports where its matches are: no capture groups, and no engines that
/// exist only to report groups.
pub type MatchOnlyRegex = meta::Regex;

/// The configuration of every regex here: no literal prefilter (see the module docs).
fn base_config() -> meta::Config {
    meta::Config::new().auto_prefilter(false)
}

/// The configuration of a [`MatchOnlyRegex`].
pub fn match_only_config() -> meta::Config {
    base_config()
        .which_captures(regex_automata::nfa::thompson::WhichCaptures::Implicit)
        .onepass(false)
        .backtrack(false)
}

fn ascii_syntax() -> regex_automata::util::syntax::Config {
    regex_automata::util::syntax::Config::new().unicode(false)
}

/// Compiles an ASCII pattern that only needs match positions.
pub fn ascii_match_only(source: &str) -> MatchOnlyRegex {
    meta::Regex::builder()
        .syntax(ascii_syntax())
        .configure(match_only_config())
        .build(source)
        .unwrap_or_else(|e| panic!("pattern does not compile: {e}"))
}

/// Compiles an ASCII pattern whose groups are read.
pub fn ascii_regex(source: &str) -> AsciiRegex {
    let regex = meta::Regex::builder()
        .syntax(ascii_syntax())
        .configure(base_config())
        .build(source)
        .unwrap_or_else(|e| panic!("pattern does not compile: {e}"));
    AsciiRegex(regex)
}

/// An ASCII pattern with capture groups, searched over `&str`.
#[derive(Debug, Clone)]
pub struct AsciiRegex(meta::Regex);

/// A match, or a group of one, in a haystack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found<'h> {
    haystack: &'h str,
    start: usize,
    end: usize,
}

impl<'h> Found<'h> {
    /// Where it starts, in bytes.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Where it ends, in bytes.
    pub fn end(&self) -> usize {
        self.end
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Its byte range.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    /// Its text. Matches of an ASCII pattern over an ASCII view fall on character
    /// boundaries; anything else reads as empty.
    pub fn as_str(&self) -> &'h str {
        self.haystack.get(self.start..self.end).unwrap_or("")
    }
}

/// The groups of one match.
#[derive(Debug, Clone)]
pub struct Groups<'h> {
    haystack: &'h str,
    captures: Captures,
}

impl<'h> Groups<'h> {
    /// Group `index` (0 is the whole match), when it took part in the match.
    pub fn get(&self, index: usize) -> Option<Found<'h>> {
        self.captures.get_group(index).map(|span| Found {
            haystack: self.haystack,
            start: span.start,
            end: span.end,
        })
    }
}

impl AsciiRegex {
    /// Whether it matches anywhere in `haystack`.
    pub fn is_match(&self, haystack: &str) -> bool {
        self.0.is_match(haystack)
    }

    /// The leftmost-first match in `haystack`.
    pub fn find<'h>(&self, haystack: &'h str) -> Option<Found<'h>> {
        self.0.find(haystack).map(|m| Found {
            haystack,
            start: m.start(),
            end: m.end(),
        })
    }

    /// Every non-overlapping match in `haystack`.
    pub fn find_iter<'r, 'h>(&'r self, haystack: &'h str) -> impl Iterator<Item = Found<'h>> + 'r
    where
        'h: 'r,
    {
        self.0.find_iter(haystack).map(move |m| Found {
            haystack,
            start: m.start(),
            end: m.end(),
        })
    }

    /// The groups of the leftmost-first match in `haystack`.
    pub fn captures<'h>(&self, haystack: &'h str) -> Option<Groups<'h>> {
        let mut captures = self.0.create_captures();
        self.0.captures(haystack, &mut captures);
        captures.is_match().then_some(Groups { haystack, captures })
    }

    /// The groups of every non-overlapping match in `haystack`.
    pub fn captures_iter<'r, 'h>(
        &'r self,
        haystack: &'h str,
    ) -> impl Iterator<Item = Groups<'h>> + 'r
    where
        'h: 'r,
    {
        self.0
            .captures_iter(haystack)
            .map(move |captures| Groups { haystack, captures })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Groups, matches and their positions are those the `regex` crate reports.
    #[test]
    fn groups_and_matches_are_the_regex_crates() {
        let source = r"\b(\d{1,2})[./](\d{1,2})(?:[./](\d{4}))?\b";
        let ours = ascii_regex(source);
        let theirs = regex::RegexBuilder::new(source)
            .unicode(false)
            .build()
            .expect("compiles");
        let text = "Oppdatert 1.2.2024 og 03/04, ikke 123.4.";
        let our_groups: Vec<Vec<Option<Range<usize>>>> = ours
            .captures_iter(text)
            .map(|c| (0..4).map(|i| c.get(i).map(|m| m.range())).collect())
            .collect();
        let their_groups: Vec<Vec<Option<Range<usize>>>> = theirs
            .captures_iter(text)
            .map(|c| (0..4).map(|i| c.get(i).map(|m| m.range())).collect())
            .collect();
        assert_eq!(our_groups, their_groups);
        assert_eq!(our_groups.len(), 2);
        assert_eq!(
            ours.captures(text)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str()),
            Some("1")
        );
        assert!(ours.captures("ingen dato").is_none());
        assert_eq!(ours.find(text).map(|m| m.as_str()), Some("1.2.2024"));
        let their_matches: Vec<Range<usize>> = theirs.find_iter(text).map(|m| m.range()).collect();
        assert_eq!(
            ours.find_iter(text).map(|m| m.range()).collect::<Vec<_>>(),
            their_matches
        );
        assert!(ours.is_match(text) && !ours.is_match("x"));
        let only = ascii_match_only(source);
        assert_eq!(
            only.find_iter(text).map(|m| m.range()).collect::<Vec<_>>(),
            their_matches
        );
    }
}
