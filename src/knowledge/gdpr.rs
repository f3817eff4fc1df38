//! The text of the GDPR in Norwegian (Prop. 56 LS (2017–2018)) and English (the Official
//! Journal text with the 2018 corrigendum), as shipped in `data/gdpr/{nb,en}.json`.
//!
//! Both files have one shape, derived by `data/gdpr/derive.py`: articles, their numbered
//! paragraphs (the definitions of Art. 4 are paragraphs 1–26, as they are cited), and in each
//! paragraph its text parts and lettered points in order. Invariant: the embedded files parse
//! and hold articles 1–99 (a unit test checks), so lookups only fail on numbers that do not
//! exist.

use std::sync::OnceLock;

use serde::Deserialize;

const NB: &str = include_str!("data/gdpr/nb.json");
const EN: &str = include_str!("data/gdpr/en.json");

/// One language's text of the regulation.
#[derive(Debug, Clone, Deserialize)]
pub struct Regulation {
    /// "nb" or "en".
    pub language: String,
    /// The regulation's title in that language.
    pub title: String,
    /// Where the text comes from.
    pub source: String,
    /// What must be shown with the text.
    pub attribution: String,
    /// Articles 1–99, in order.
    pub articles: Vec<Article>,
}

/// One article.
#[derive(Debug, Clone, Deserialize)]
pub struct Article {
    /// 1–99.
    pub number: u32,
    /// Its heading ("Behandlingens lovlighet").
    pub title: String,
    /// The chapter, as a Roman numeral.
    pub chapter: Option<String>,
    /// Its paragraphs; an article without numbered paragraphs has one with `number: None`.
    pub paragraphs: Vec<Paragraph>,
}

/// A paragraph ("nr. 1", "(1)"), with the unnumbered subparagraphs that follow it.
#[derive(Debug, Clone, Deserialize)]
pub struct Paragraph {
    /// Its number, if it has one.
    pub number: Option<u32>,
    /// Its text and points, in order.
    pub parts: Vec<Part>,
}

/// A piece of a paragraph: running text, or a lettered point.
#[derive(Debug, Clone, Deserialize)]
pub struct Part {
    /// The point's letter ("f"), or `None` for running text.
    pub point: Option<String>,
    /// The text.
    pub text: String,
}

impl Regulation {
    /// Article `number`, if it exists.
    pub fn article(&self, number: u32) -> Option<&Article> {
        self.articles.iter().find(|a| a.number == number)
    }
}

impl Article {
    /// Paragraph `number`, if it exists.
    pub fn paragraph(&self, number: u32) -> Option<&Paragraph> {
        self.paragraphs.iter().find(|p| p.number == Some(number))
    }
}

impl Paragraph {
    /// Point `letter` of this paragraph, if it exists.
    pub fn point(&self, letter: char) -> Option<&Part> {
        self.parts.iter().find(|p| {
            p.point
                .as_deref()
                .is_some_and(|l| l.len() == 1 && l.starts_with(letter))
        })
    }

    /// The running text before the first point (the "following information:" that a point
    /// completes).
    pub fn lead(&self) -> Option<&Part> {
        self.parts.first().filter(|p| p.point.is_none())
    }
}

/// The regulation in Norwegian (`true`) or English (`false`). Nynorsk readers get the
/// Bokmål text: there is no official Nynorsk translation.
pub fn regulation(norwegian: bool) -> &'static Regulation {
    static NB_CELL: OnceLock<Regulation> = OnceLock::new();
    static EN_CELL: OnceLock<Regulation> = OnceLock::new();
    if norwegian {
        NB_CELL.get_or_init(|| serde_json::from_str(NB).expect("embedded gdpr/nb.json parses"))
    } else {
        EN_CELL.get_or_init(|| serde_json::from_str(EN).expect("embedded gdpr/en.json parses"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_hold_every_article_with_the_same_structure() {
        let nb = regulation(true);
        let en = regulation(false);
        for number in 1..=99 {
            let (Some(a), Some(b)) = (nb.article(number), en.article(number)) else {
                panic!("article {number} missing");
            };
            assert!(!a.title.is_empty() && !b.title.is_empty());
            if number == 4 {
                continue; // the nested points of three definitions are folded in English
            }
            let shape = |article: &Article| -> Vec<(Option<u32>, Vec<String>)> {
                article
                    .paragraphs
                    .iter()
                    .filter(|p| p.number.is_some())
                    .map(|p| {
                        (
                            p.number,
                            p.parts.iter().filter_map(|x| x.point.clone()).collect(),
                        )
                    })
                    .collect()
            };
            assert_eq!(shape(a), shape(b), "article {number}");
        }
    }

    #[test]
    fn points_and_definitions_resolve() {
        let nb = regulation(true);
        let point = nb
            .article(6)
            .and_then(|a| a.paragraph(1))
            .and_then(|p| p.point('f'))
            .map(|p| p.text.as_str());
        assert!(point.is_some_and(|t| t.contains("berettigede interessene")));
        let consent = regulation(false)
            .article(4)
            .and_then(|a| a.paragraph(11))
            .map(|p| p.parts[0].text.as_str());
        assert!(consent.is_some_and(|t| t.contains("‘consent’")));
        assert!(nb.article(100).is_none());
        assert_eq!(
            regulation(false)
                .article(13)
                .and_then(|a| a.chapter.as_deref()),
            Some("III")
        );
    }
}
