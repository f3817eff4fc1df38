//! References to GDPR articles in prose, in the forms Norwegian and English policies use:
//! "artikkel 6 nr. 1 bokstav f", "art. 13 nr. 2 bokstav a", "personvernforordningen
//! artikkel 9", "Article 6(1)(f)", "Art. 13 GDPR", "art. 6.1.f", "Art. 6 para. 1 lit. f",
//! lists ("artikkel 13 og 14") and ranges ("artikkel 15–22").
//!
//! A small cursor parser over the folded text: a keyword, an article number 1–99, then an
//! optional paragraph and point. A reference that names another instrument ("Article 5(3)
//! of the ePrivacy Directive") is not a GDPR reference and is left out.

use std::ops::Range;
use std::sync::OnceLock;

use super::ascii_regex::{AsciiRegex, ascii_regex};
use super::fold::fold;

/// A reference to an article, paragraph or point of the GDPR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleRef {
    /// Byte range of the reference in the text, with "GDPR" or "personvernforordningen"
    /// beside it.
    pub range: Range<usize>,
    /// The article, 1–99.
    pub article: u32,
    /// The paragraph ("nr. 1", "(1)").
    pub paragraph: Option<u32>,
    /// The point ("bokstav f", "(f)"), lower case.
    pub point: Option<char>,
    /// The last article of a range ("15–22").
    pub through: Option<u32>,
}

struct Patterns {
    keyword: AsciiRegex,
    regulation_before: AsciiRegex,
    other_before: AsciiRegex,
    regulation_after: AsciiRegex,
    other_after: AsciiRegex,
}

/// Compiles the reference patterns now, so that the first analysis does not wait for them.
pub fn prepare() {
    patterns();
}

fn patterns() -> &'static Patterns {
    static CELL: OnceLock<Patterns> = OnceLock::new();
    CELL.get_or_init(|| Patterns {
        keyword: ascii_regex(
            r"\b(?:artikkel|artiklene|artiklane|artikler|artiklar|artiklen|artikkelen|articles|article|arts|art)\b\.?",
        ),
        regulation_before: ascii_regex(
            r"\b(?:gdpr|personvernforordningens?|personvernforordninga|forordningens?|forordninga)\s+$",
        ),
        other_before: ascii_regex(
            r"\b(?:\w*direktiv\w*|directive|eprivacy|charter\w*|\w*konvensjon\w*|convention|\w*traktat\w*|treaty|tfeu|emk|echr)[\s-]*$",
        ),
        regulation_after: ascii_regex(
            r"^\s*(?:\(\s*)?(?:(?:i|of|in|av|under)\s+(?:the\s+)?)?(?:gdpr|personvernforordningen|personvernforordninga|forordningen|forordninga|general data protection regulation|regulation\s*\(\s*eu\s*\)\s*2016/679|forordning\s*\(\s*eu\s*\)\s*2016/679|dsgvo|rgpd)\b(?:\s*\))?",
        ),
        other_after: ascii_regex(
            r"^\s*,?\s*(?:i|of|in|av|under)\s+(?:the\s+|den\s+|det\s+)?(?:eu\s+|eus\s+)?(?:[a-z0-9]+[- ])?(?:directive|direktiv|eprivacy|e-privacy|ekomlov|charter|pakt|convention|konvensjon|emk|echr|treaty|traktat|tfeu|ccpa|lgpd)",
        ),
    })
}

/// Every GDPR article reference in `text`, in text order.
pub fn find(text: &str) -> Vec<ArticleRef> {
    find_folded(text, &fold(text))
}

/// Like [`find`], when the caller already has `folded = fold(text)`.
pub fn find_folded(text: &str, folded: &str) -> Vec<ArticleRef> {
    let p = patterns();
    let mut refs = Vec::new();
    let mut resume = 0;
    for keyword in p.keyword.find_iter(folded) {
        if keyword.start() < resume {
            continue;
        }
        let before = folded.get(..keyword.start()).unwrap_or("");
        let before = before
            .get(before.len().saturating_sub(48)..)
            .unwrap_or(before);
        if p.other_before.is_match(before) {
            continue;
        }
        let mut cursor = Cursor {
            text: text.as_bytes(),
            folded: folded.as_bytes(),
            pos: keyword.end(),
            parenthesised: before.trim_end().ends_with('('),
        };
        let mut group = Vec::new();
        let Some(first) = cursor.reference(keyword.start()) else {
            continue;
        };
        group.push(first);
        // "artikkel 13 og 14", "art. 15, 16 og 21": further articles, each standing alone.
        loop {
            let save = cursor.pos;
            cursor.space();
            let comma = cursor.byte(b',');
            cursor.space();
            let joined = cursor.word(&["og", "and", "eller", "or", "samt"]) || cursor.byte(b'&');
            if !comma && !joined {
                cursor.pos = save;
                break;
            }
            cursor.space();
            let start = cursor.pos;
            match cursor.reference(start) {
                Some(next) if cursor.ends_list(p) => group.push(next),
                _ => {
                    cursor.pos = save;
                    break;
                }
            }
        }
        let tail = folded.get(cursor.pos..).unwrap_or("");
        if p.other_after.is_match(tail) {
            resume = cursor.pos;
            continue;
        }
        if let Some(suffix) = p.regulation_after.find(tail) {
            if let Some(last) = group.last_mut() {
                last.range.end = cursor.pos + suffix.end();
            }
        }
        if let Some(prefix) = p.regulation_before.find(before) {
            let shift = before.len() - prefix.start();
            group[0].range.start = keyword.start() - shift;
        }
        resume = group.last().map_or(cursor.pos, |r| r.range.end);
        refs.extend(group);
    }
    refs
}

/// A position in the text, moved forward by the parsing steps. `folded` is the lower-case
/// ASCII fold of `text`, byte for byte; `text` is consulted only for dashes.
struct Cursor<'a> {
    text: &'a [u8],
    folded: &'a [u8],
    pos: usize,
    /// The reference stands in parentheses: a ')' after a point closes those, not the point.
    parenthesised: bool,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.folded.get(self.pos).copied()
    }

    fn space(&mut self) {
        while let Some(b) = self.peek() {
            // A non-breaking space folds to two spaces; other non-ASCII punctuation too, but
            // only real whitespace may separate the parts of a reference.
            let original = self.text.get(self.pos).copied().unwrap_or(b' ');
            let non_breaking = original == 0xC2 && self.text.get(self.pos + 1) == Some(&0xA0);
            if non_breaking {
                self.pos += 2;
            } else if b.is_ascii_whitespace() && original.is_ascii_whitespace() {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn byte(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn word_end(&self, at: usize) -> bool {
        self.folded
            .get(at)
            .is_none_or(|b| !b.is_ascii_alphanumeric())
    }

    /// One of `words`, whole. A word that ends in '.' needs no boundary after it.
    fn word(&mut self, words: &[&str]) -> bool {
        for word in words {
            let end = self.pos + word.len();
            if self.folded.get(self.pos..end) == Some(word.as_bytes())
                && (word.ends_with('.') || self.word_end(end))
            {
                self.pos = end;
                return true;
            }
        }
        false
    }

    /// A number of one or two digits, not part of a longer number or word.
    fn number(&mut self) -> Option<u32> {
        let start = self.pos;
        let mut end = start;
        while self.folded.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        if end == start || end - start > 2 {
            return None;
        }
        if self
            .folded
            .get(end)
            .is_some_and(|b| b.is_ascii_alphabetic())
        {
            return None;
        }
        // "6,5" and "6.500" are numbers, not references; "6.1" is a paragraph (parsed later).
        if self.folded.get(end) == Some(&b',')
            && self.folded.get(end + 1).is_some_and(u8::is_ascii_digit)
        {
            return None;
        }
        let value = std::str::from_utf8(self.folded.get(start..end)?)
            .ok()?
            .parse()
            .ok()?;
        self.pos = end;
        Some(value)
    }

    /// A single letter standing alone: a point.
    fn letter(&mut self) -> Option<char> {
        let b = self.peek().filter(u8::is_ascii_lowercase)?;
        if !self.word_end(self.pos + 1) {
            return None;
        }
        self.pos += 1;
        Some(char::from(b))
    }

    /// Runs `step`; on `None` the cursor goes back to where it was.
    fn attempt<T>(&mut self, step: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let save = self.pos;
        let result = step(self);
        if result.is_none() {
            self.pos = save;
        }
        result
    }

    /// `( inner )`, with optional spaces, after optional spaces.
    fn in_parentheses<T>(&mut self, inner: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.attempt(|c| {
            c.space();
            c.byte(b'(').then_some(())?;
            c.space();
            let value = inner(c)?;
            c.space();
            c.byte(b')').then_some(value)
        })
    }

    /// `keyword N` after an optional comma: "nr. 1", "para. 1", "bokstav f".
    fn after_keyword<T>(
        &mut self,
        keywords: &[&str],
        value: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<T> {
        self.attempt(|c| {
            c.space();
            c.byte(b',');
            c.space();
            c.word(keywords).then_some(())?;
            c.space();
            value(c)
        })
    }

    fn paragraph(&mut self) -> Option<u32> {
        self.in_parentheses(Self::number)
            .or_else(|| {
                self.after_keyword(
                    &[
                        "nr.",
                        "nr",
                        "no.",
                        "nummer",
                        "paragraph",
                        "para.",
                        "para",
                        "par.",
                        "abs.",
                    ],
                    Self::number,
                )
            })
            .or_else(|| {
                self.attempt(|c| {
                    c.byte(b'.').then_some(())?;
                    c.number()
                })
            })
    }

    fn point(&mut self) -> Option<char> {
        self.in_parentheses(Self::letter)
            .or_else(|| {
                const KEYWORDS: [&str; 9] = [
                    "bokstav", "litra", "lit.", "lit", "letter", "point", "punkt", "pkt.", "pkt",
                ];
                self.after_keyword(&KEYWORDS, |c| {
                    let open = c.byte(b'(');
                    let letter = c.letter()?;
                    if open && !c.byte(b')') {
                        return None;
                    }
                    if !open && !c.parenthesised {
                        c.byte(b')');
                    }
                    Some(letter)
                })
            })
            .or_else(|| {
                self.attempt(|c| {
                    c.byte(b'.').then_some(())?;
                    c.letter()
                })
            })
            .or_else(|| {
                // "nr. 1 f)" or "nr. 1 f," — a bare letter only where punctuation closes it, so
                // "nr. 1 i samsvar med" is no point.
                self.attempt(|c| {
                    c.space();
                    let letter = c.letter()?;
                    match c.peek() {
                        Some(b')') => {
                            if !c.parenthesised {
                                c.pos += 1;
                            }
                            Some(letter)
                        }
                        None | Some(b',' | b';' | b':') => Some(letter),
                        Some(b'.')
                            if c.word_end(c.pos + 1) || c.folded.get(c.pos + 1) == Some(&b' ') =>
                        {
                            Some(letter)
                        }
                        _ => None,
                    }
                })
            })
    }

    /// "–22", " til 22", " to 22" after an article number.
    fn through(&mut self, first: u32) -> Option<u32> {
        self.attempt(|c| {
            c.space();
            let dash = match c.text.get(c.pos..c.pos + 3) {
                Some([0xE2, 0x80, 0x93 | 0x94]) => {
                    c.pos += 3;
                    true
                }
                _ => c.byte(b'-'),
            };
            if !dash && !c.word(&["til", "to", "through"]) {
                return None;
            }
            c.space();
            c.number().filter(|last| *last > first && *last <= 99)
        })
    }

    /// An article number and what follows it, starting at the cursor; `start` is where the
    /// reference's text begins.
    fn reference(&mut self, start: usize) -> Option<ArticleRef> {
        self.attempt(|c| {
            c.space();
            let article = c.number().filter(|n| (1..=99).contains(n))?;
            let paragraph = c.paragraph();
            let point = paragraph.and_then(|_| c.point());
            let through = if paragraph.is_none() {
                c.through(article)
            } else {
                None
            };
            Some(ArticleRef {
                range: start..c.pos,
                article,
                paragraph,
                point,
                through,
            })
        })
    }

    /// Whether what follows a listed article ends the list: punctuation, the end, a
    /// connective or the regulation's name, so "art. 17 og 30 dager" lists no article 30.
    fn ends_list(&self, p: &Patterns) -> bool {
        let tail = self.folded.get(self.pos..).unwrap_or(&[]);
        let tail = std::str::from_utf8(tail).unwrap_or("");
        let rest = tail.trim_start();
        rest.is_empty()
            || rest.starts_with([',', '.', ';', ':', ')', '&'])
            || ["og ", "and ", "eller ", "or ", "samt "]
                .iter()
                .any(|w| rest.starts_with(w))
            || p.regulation_after.is_match(tail)
            || p.other_after.is_match(tail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Article, paragraph, point, last article of a range, and the text of the reference.
    type Parsed<'a> = (u32, Option<u32>, Option<char>, Option<u32>, &'a str);

    fn parsed(text: &str) -> Vec<Parsed<'_>> {
        find(text)
            .into_iter()
            .map(|r| {
                (
                    r.article,
                    r.paragraph,
                    r.point,
                    r.through,
                    &text[r.range.clone()],
                )
            })
            .collect()
    }

    #[test]
    fn norwegian_forms() {
        assert_eq!(
            parsed("Grunnlaget er artikkel 6 nr. 1 bokstav f."),
            [(6, Some(1), Some('f'), None, "artikkel 6 nr. 1 bokstav f")]
        );
        assert_eq!(
            parsed("jf. art. 13 nr. 2 bokstav a"),
            [(13, Some(2), Some('a'), None, "art. 13 nr. 2 bokstav a")]
        );
        assert_eq!(
            parsed("etter personvernforordningen artikkel 9 kan"),
            [(9, None, None, None, "personvernforordningen artikkel 9")]
        );
        assert_eq!(
            parsed("GDPR art. 6 (1) f) gir"),
            [(6, Some(1), Some('f'), None, "GDPR art. 6 (1) f)")]
        );
        assert_eq!(
            parsed("etter art. 6 nr. 1 i samsvar med"),
            [(6, Some(1), None, None, "art. 6 nr. 1")]
        );
        assert_eq!(
            parsed("rettighetene i artikkel 15–22 i personvernforordningen."),
            [(
                15,
                None,
                None,
                Some(22),
                "artikkel 15–22 i personvernforordningen"
            )]
        );
        assert_eq!(
            parsed("artikkel 13 og 14"),
            [
                (13, None, None, None, "artikkel 13"),
                (14, None, None, None, "14")
            ]
        );
    }

    #[test]
    fn english_forms() {
        assert_eq!(
            parsed("under Article 6(1)(f) we"),
            [(6, Some(1), Some('f'), None, "Article 6(1)(f)")]
        );
        assert_eq!(
            parsed("see Art. 13 GDPR."),
            [(13, None, None, None, "Art. 13 GDPR")]
        );
        assert_eq!(
            parsed("Art. 6 para. 1 lit. f GDPR"),
            [(6, Some(1), Some('f'), None, "Art. 6 para. 1 lit. f GDPR")]
        );
        assert_eq!(
            parsed("art. 6.1.b"),
            [(6, Some(1), Some('b'), None, "art. 6.1.b")]
        );
        assert_eq!(
            parsed("Article 9(2)(a) of the GDPR"),
            [(9, Some(2), Some('a'), None, "Article 9(2)(a) of the GDPR")]
        );
        assert_eq!(
            parsed("Articles 15 to 22"),
            [(15, None, None, Some(22), "Articles 15 to 22")]
        );
    }

    #[test]
    fn what_is_not_a_gdpr_reference() {
        assert!(parsed("Article 5(3) of the ePrivacy Directive").is_empty());
        assert!(parsed("ePrivacy-direktivet artikkel 5 nr. 3").is_empty());
        assert!(parsed("Art Director Kari").is_empty());
        assert!(parsed("start 6 prosjekter, artikkel 120").is_empty());
        assert_eq!(parsed("art. 17 og 30 dager").len(), 1);
        assert!(parsed("artikkel").is_empty());
        assert_eq!(
            parsed("(artikkel 6 nr. 1 bokstav a).")[0].4,
            "artikkel 6 nr. 1 bokstav a"
        );
        assert_eq!(parsed("(art. 6 nr. 1 f).")[0].4, "art. 6 nr. 1 f");
    }

    #[test]
    fn arbitrary_text_never_panics_and_ranges_are_boundaries() {
        for text in [
            "art. 6 nr.\u{a0}1 bokstav æ",
            "Artikkel 6 (1) (",
            "art.\u{2013}",
            "artikkel 99–",
            "art 6.1.",
            "Article 6(1)(ff)",
        ] {
            for r in find(text) {
                assert!(text.is_char_boundary(r.range.start) && text.is_char_boundary(r.range.end));
            }
        }
    }
}
