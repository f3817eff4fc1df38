//! The lexicon pattern language (described in `src/knowledge/data/lexicon/`) read into regular
//! expressions over folded text: one pattern's expression, a list's, and the literal that
//! every match of a pattern contains.
//!
//! Invariant: a pattern's expression is the one regex-syntax gives for the pattern written out
//! in regex syntax ([`compile_pattern`]); the small parser here only gets there faster. The
//! module depends on nothing of the crate but [`super::fold`], so that `build.rs` can compile
//! the shipped lexicons with it.

use std::sync::OnceLock;

use regex_syntax::hir::{Capture, Hir, Repetition};

use super::fold::fold;

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
pub fn list_expression(patterns: &[String]) -> Hir {
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

/// The expression of one pattern. Syntax the small parser does not know is parsed by
/// regex-syntax from the pattern written out in regex syntax (slower, same expression).
pub fn pattern_expression(pattern: &str) -> Hir {
    MarkedParser::new(
        &spell_pattern(pattern, &MARKED_SPELLING),
        MarkedPieces::get(),
    )
    .parse()
    .unwrap_or_else(|| parse_ascii(&compile_pattern(pattern)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::lexicon::every_shipped_list;
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
        for patterns in every_shipped_list() {
            let written: Vec<String> = patterns.iter().map(|p| compile_pattern(p)).collect();
            assert_eq!(
                marked_parse(&patterns),
                Some(parse_ascii(&written.join("|"))),
                "{patterns:?}"
            );
            lists += 1;
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
}
