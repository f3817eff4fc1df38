//! Knowledge: the data the analysis reads, embedded in the binary and parsed once.
//!
//! Lexicons (one per language), rule metadata and messages, supervisory authorities and the
//! marks of organisation names are TOML files under `src/knowledge/data/`. Invariant: the
//! embedded files parse (a unit test loads every one), so the accessors here never fail.

pub mod areas;
pub mod gdpr;
pub mod processors;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The JSON form of an embedded data file: `build.rs` converts each TOML file under
/// `src/knowledge/data/` (the source people edit) to JSON, which parses several times faster.
/// The processor list is the exception: it becomes a Rust static (see [`processors`]).
macro_rules! embedded {
    ($name:literal) => {
        include_str!(concat!(env!("OUT_DIR"), "/knowledge/", $name, ".json"))
    };
}
pub(crate) use embedded;

/// Parses an embedded data file. The build already checked its syntax and a unit test loads
/// every file, so a failure here is a bug in the data's shape, not in user input.
pub(crate) fn parse_embedded<T: serde::de::DeserializeOwned>(json: &str, file: &str) -> T {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("embedded {file} does not fit: {e}"))
}

/// The Bokmål lexicon (JSON of `data/lexicon/nb.toml`).
pub const LEXICON_NB: &str = embedded!("lexicon/nb");
/// The Nynorsk lexicon (extends Bokmål).
pub const LEXICON_NN: &str = embedded!("lexicon/nn");
/// The English lexicon.
pub const LEXICON_EN: &str = embedded!("lexicon/en");

const RULES: &str = embedded!("rules");
const AUTHORITIES: &str = embedded!("authorities");
const NAMES: &str = embedded!("names");
const OUTDATED: &str = embedded!("outdated");
const CATEGORIES: &str = embedded!("categories");
const LEGAL_BASES: &str = embedded!("legal_bases");
const ITEMS: &str = embedded!("items");
const FIXES: &str = embedded!("fixes");

/// One rule's metadata and messages from `rules.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct RuleInfo {
    /// Default severity: error, warning, information or hint.
    pub severity: String,
    /// The articles the rule rests on, for people.
    pub article: String,
    /// The article number its link opens.
    pub link: u32,
    /// Messages by key: `nb`, `nn`, `en`, and variants such as `unnamed_en`.
    #[serde(flatten)]
    pub messages: BTreeMap<String, String>,
}

/// A supervisory authority that a notice may name.
#[derive(Debug, Clone, Deserialize)]
pub struct Authority {
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// The authority's name.
    pub name: String,
    /// Names people write for it.
    pub aliases: Vec<String>,
    /// Postal address, where known.
    #[serde(default)]
    pub address: Option<String>,
    /// Web site.
    #[serde(default)]
    pub web: Option<String>,
}

#[derive(Deserialize)]
struct AuthorityFile {
    authority: Vec<Authority>,
}

/// What marks organisation names.
#[derive(Debug, Clone, Deserialize)]
pub struct NameData {
    /// Legal-form suffixes (AS, Ltd, GmbH, ...).
    pub legal_forms: Vec<String>,
    /// Capitalised words and acronyms that are never a name by themselves.
    pub not_names: Vec<String>,
    /// Lower-case words that may open a capitalised run without being part of the name.
    pub leading_words: Vec<String>,
}

/// A name that no longer exists, and what replaced it.
#[derive(Debug, Clone, Deserialize)]
pub struct OutdatedName {
    /// The old name.
    pub name: String,
    /// Names people write for it.
    pub aliases: Vec<String>,
    /// What replaced it, in Norwegian.
    pub successor: String,
    /// What replaced it, in English.
    pub successor_en: String,
    /// Words that name the successor: a sentence with one of them mentions the old name as
    /// history.
    pub current: Vec<String>,
    /// When the change took effect (YYYY-MM-DD).
    pub since: String,
    /// Where the fact comes from.
    pub source: String,
    /// A transfer tool that a court struck down (also `transfer-invalid-mechanism`).
    #[serde(default)]
    pub invalid_transfer_mechanism: bool,
}

#[derive(Deserialize)]
struct OutdatedFile {
    outdated: Vec<OutdatedName>,
}

/// Names that no longer exist, with their successors.
pub fn outdated() -> &'static [OutdatedName] {
    static CELL: OnceLock<Vec<OutdatedName>> = OnceLock::new();
    CELL.get_or_init(|| parse_embedded::<OutdatedFile>(OUTDATED, "outdated.toml").outdated)
}

/// The name of a special category (by its report name) in a language ("nb", "nn", "en").
pub fn category_label(category: &str, language: &str) -> Option<&'static str> {
    static CELL: OnceLock<BTreeMap<String, BTreeMap<String, String>>> = OnceLock::new();
    CELL.get_or_init(|| parse_embedded(CATEGORIES, "categories.toml"))
        .get(category)
        .and_then(|labels| labels.get(language))
        .map(String::as_str)
}

/// A legal basis of Art. 6(1) or a condition of Art. 9(2).
#[derive(Debug, Clone, Deserialize)]
pub struct LegalBasis {
    /// "6.1.a" ... "9.2.j".
    pub code: String,
    /// Short Norwegian name ("berettiget interesse").
    pub short_nb: String,
    /// Short English name ("legitimate interests").
    pub short_en: String,
    /// The statutory text, shortened, in Norwegian.
    pub text_nb: String,
    /// The statutory text, shortened, in English.
    pub text_en: String,
}

#[derive(Deserialize)]
struct LegalBasisFile {
    basis: Vec<LegalBasis>,
}

/// The legal bases of Art. 6(1) and the conditions of Art. 9(2).
pub fn legal_bases() -> &'static [LegalBasis] {
    static CELL: OnceLock<Vec<LegalBasis>> = OnceLock::new();
    CELL.get_or_init(|| parse_embedded::<LegalBasisFile>(LEGAL_BASES, "legal_bases.toml").basis)
}

/// An item of information that Art. 13/14 asks a notice to give.
#[derive(Debug, Clone, Deserialize)]
pub struct Item {
    /// Stable id ("rights").
    pub id: String,
    /// Where it comes from, as cited in labels ("15–22").
    pub cite: String,
    /// Its name in Bokmål.
    pub nb: String,
    /// Its name in Nynorsk.
    pub nn: String,
    /// Its name in English.
    pub en: String,
    /// Rule ids whose findings mean the item is missing or incomplete.
    pub rules: Vec<String>,
    /// Lexicon concepts or fact names that show a block gives the item.
    pub marks: Vec<String>,
}

impl Item {
    /// Its name in a language ("nb", "nn", "en").
    pub fn name(&self, language: &str) -> &str {
        match language {
            "nb" => &self.nb,
            "nn" => &self.nn,
            _ => &self.en,
        }
    }
}

#[derive(Deserialize)]
struct ItemFile {
    item: Vec<Item>,
}

/// The Art. 13/14 items, in the order of Art. 13.
pub fn items() -> &'static [Item] {
    static CELL: OnceLock<Vec<Item>> = OnceLock::new();
    CELL.get_or_init(|| parse_embedded::<ItemFile>(ITEMS, "items.toml").item)
}

/// The text quick fixes insert in one language: keys as in `fixes.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct FixTexts {
    /// Single sentences and templates, by key (a right's rule id gives its line).
    #[serde(flatten)]
    pub text: BTreeMap<String, toml::Value>,
}

impl FixTexts {
    /// The text under `key`, or "" (a unit test checks every key the fixes use).
    pub fn get(&self, key: &str) -> &str {
        self.text
            .get(key)
            .and_then(toml::Value::as_str)
            .unwrap_or("")
    }

    /// The name of month `month` (1–12).
    pub fn month(&self, month: u32) -> &str {
        self.text
            .get("months")
            .and_then(toml::Value::as_array)
            .and_then(|m| m.get(month.saturating_sub(1) as usize))
            .and_then(toml::Value::as_str)
            .unwrap_or("")
    }
}

/// The quick-fix texts for a language ("nb", "nn", "en").
pub fn fix_texts(language: &str) -> &'static FixTexts {
    static CELL: OnceLock<BTreeMap<String, FixTexts>> = OnceLock::new();
    let all = CELL.get_or_init(|| parse_embedded(FIXES, "fixes.toml"));
    all.get(language)
        .or_else(|| all.get("en"))
        .expect("fixes.toml has an en table")
}

/// The rule catalogue, keyed by rule id.
pub fn rules() -> &'static BTreeMap<String, RuleInfo> {
    static CELL: OnceLock<BTreeMap<String, RuleInfo>> = OnceLock::new();
    CELL.get_or_init(|| parse_embedded(RULES, "rules.toml"))
}

/// The supervisory authorities.
pub fn authorities() -> &'static [Authority] {
    static CELL: OnceLock<Vec<Authority>> = OnceLock::new();
    CELL.get_or_init(|| parse_embedded::<AuthorityFile>(AUTHORITIES, "authorities.toml").authority)
}

/// The marks of organisation names.
pub fn names() -> &'static NameData {
    static CELL: OnceLock<NameData> = OnceLock::new();
    CELL.get_or_init(|| parse_embedded(NAMES, "names.toml"))
}

/// A link to a GDPR article: Lovdata for Norwegian, EUR-Lex for English.
pub fn article_link(article: u32, norwegian: bool) -> String {
    if norwegian {
        format!("https://lovdata.no/lov/2018-06-15-38/gdpr/a{article}")
    } else {
        format!("https://eur-lex.europa.eu/eli/reg/2016/679/oj#art_{article}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_parses_and_every_rule_has_three_messages() {
        assert!(rules().len() >= 20);
        for (id, info) in rules() {
            for lang in ["nb", "nn", "en"] {
                assert!(
                    info.messages.contains_key(lang),
                    "{id} lacks a {lang} message"
                );
            }
            assert!(["error", "warning", "information", "hint"].contains(&info.severity.as_str()));
        }
        assert!(authorities().iter().any(|a| a.name == "Datatilsynet"));
        assert_eq!(items().len(), 14);
        for language in ["nb", "nn", "en"] {
            let texts = fix_texts(language);
            for key in [
                "rights_heading",
                "rights_intro",
                "rights_more",
                "right-access",
                "right-rectification",
                "right-erasure",
                "right-restriction",
                "right-portability",
                "right-objection",
                "right-withdraw-consent",
                "right-complaint",
                "transfer_heading",
                "transfer_intro",
                "transfer_line",
                "transfer_unknown",
                "and",
                "updated",
                "date",
            ] {
                assert!(
                    !texts.get(key).is_empty(),
                    "fixes.toml [{language}] lacks {key}"
                );
            }
            assert!(!texts.month(12).is_empty());
        }
        for item in items() {
            for rule in &item.rules {
                assert!(
                    rules().contains_key(rule),
                    "{}: unknown rule {rule}",
                    item.id
                );
            }
        }
        assert!(names().legal_forms.contains(&"AS".to_string()));
        assert!(
            outdated()
                .iter()
                .all(|o| !o.aliases.is_empty() && o.since.len() == 10)
        );
    }
}
