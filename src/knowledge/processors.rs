//! The processor knowledge base: services that policies name, who runs them, and where data
//! goes. The shipped list is `data/processors.toml`; users add their own entries with the same
//! schema.

use std::sync::OnceLock;

use serde::Deserialize;

use super::areas;

const SHIPPED: &str = super::embedded!("processors");

/// One processor or recipient, as data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Processor {
    /// The service as people write it.
    pub name: String,
    /// Other ways people write it.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Brand names that are also ordinary words, matched only with this exact case.
    #[serde(default)]
    pub exact_case: Vec<String>,
    /// Cookie names that reveal the service.
    #[serde(default)]
    pub cookies: Vec<String>,
    /// Kind of service.
    #[serde(default)]
    pub category: String,
    /// The legal entity an EEA customer contracts with.
    #[serde(default)]
    pub entity: String,
    /// Its country (ISO alpha-2).
    #[serde(default)]
    pub entity_country: String,
    /// The group parent.
    #[serde(default)]
    pub parent: String,
    /// The parent's country.
    #[serde(default)]
    pub parent_country: String,
    /// Whether personal data normally leave the EEA: "yes", "no" or "depends".
    #[serde(default)]
    pub leaves_eea: String,
    /// The usual transfer tools: "adequacy", "dpf", "scc", "bcr" or "none".
    #[serde(default)]
    pub mechanisms: Vec<String>,
    /// Link to the data processing terms.
    #[serde(default)]
    pub dpa: String,
    /// Software run on the customer's own server: not a processor by itself.
    #[serde(default)]
    pub self_hosted: bool,
    /// H, M or L.
    #[serde(default)]
    pub confidence: String,
    /// When the row was checked against a primary source ("" when not).
    #[serde(default)]
    pub checked: String,
    /// Where the facts come from.
    #[serde(default)]
    pub source: String,
    /// Notes.
    #[serde(default)]
    pub notes: String,
}

impl Processor {
    /// Where the data end up outside the EEA, when they do: (entity, country). The parent
    /// when it sits outside the EEA, else the contracting entity when that does.
    pub fn third_country(&self) -> Option<(&str, &str)> {
        if self.self_hosted || self.leaves_eea != "yes" {
            return None;
        }
        if !self.parent_country.is_empty() && !areas::in_eea(&self.parent_country) {
            return Some((&self.parent, &self.parent_country));
        }
        if !self.entity_country.is_empty() && !areas::in_eea(&self.entity_country) {
            return Some((&self.entity, &self.entity_country));
        }
        None
    }

    /// How an adequacy decision covers the destination: "country" (Art. 45 decision),
    /// "dpf" (a DPF-certified US organisation), or `None`.
    pub fn adequacy(&self) -> Option<&'static str> {
        let (_, country) = self.third_country()?;
        if country.eq_ignore_ascii_case("US") {
            self.mechanisms.iter().any(|m| m == "dpf").then_some("dpf")
        } else {
            areas::adequacy(country).map(|_| "country")
        }
    }
}

#[derive(Debug, Deserialize)]
struct ProcessorFile {
    processor: Vec<Processor>,
}

/// Parses a processor list in the knowledge-base schema (`[[processor]]` tables).
pub fn parse(source: &str) -> Result<Vec<Processor>, toml::de::Error> {
    toml::from_str::<ProcessorFile>(source).map(|f| f.processor)
}

/// The processor at `index`: the shipped knowledge base first, then `own` (an
/// organisation's own processors, numbered after the shipped ones).
pub fn lookup(index: usize, own: &[Processor]) -> Option<&Processor> {
    let shipped = shipped();
    match shipped.get(index) {
        Some(processor) => Some(processor),
        None => own.get(index - shipped.len()),
    }
}

/// The shipped knowledge base.
pub fn shipped() -> &'static [Processor] {
    static CELL: OnceLock<Vec<Processor>> = OnceLock::new();
    CELL.get_or_init(|| {
        super::parse_embedded::<ProcessorFile>(SHIPPED, "processors.toml").processor
    })
}
