//! Where data may go: the EU/EEA and the countries with an adequacy decision (Art. 45),
//! from `data/areas.toml`.

use std::sync::OnceLock;

use serde::Deserialize;

const AREAS: &str = super::embedded!("areas");

/// A Commission adequacy decision.
#[derive(Debug, Clone, Deserialize)]
pub struct Adequacy {
    /// ISO 3166-1 alpha-2 code.
    pub country: String,
    /// Country name.
    pub name: String,
    /// The decision.
    pub act: String,
    /// Its date (YYYY-MM-DD).
    pub date: String,
    /// A partial decision's scope, when partial.
    #[serde(default)]
    pub scope: Option<String>,
    /// Later history needs a primary-source check.
    #[serde(default)]
    pub verify: bool,
    /// What to check.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CountryName {
    nb: String,
    en: String,
}

#[derive(Debug, Deserialize)]
struct Areas {
    eu: Vec<String>,
    eea_efta: Vec<String>,
    adequacy: Vec<Adequacy>,
    #[serde(default)]
    country_names: std::collections::BTreeMap<String, CountryName>,
    #[serde(default)]
    mechanism_names: std::collections::BTreeMap<String, CountryName>,
}

/// A transfer tool's name for messages ("dpf", "scc", ...); the id when unknown.
pub fn mechanism_name(id: &str, norwegian: bool) -> String {
    match areas().mechanism_names.get(id) {
        Some(name) if norwegian => name.nb.clone(),
        Some(name) => name.en.clone(),
        None => id.to_string(),
    }
}

/// A country's name for messages, in Norwegian or English; the code when unknown.
pub fn country_name(code: &str, norwegian: bool) -> String {
    match areas().country_names.get(&code.to_ascii_uppercase()) {
        Some(name) if norwegian => name.nb.clone(),
        Some(name) => name.en.clone(),
        None => code.to_string(),
    }
}

fn areas() -> &'static Areas {
    static CELL: OnceLock<Areas> = OnceLock::new();
    CELL.get_or_init(|| super::parse_embedded(AREAS, "areas.toml"))
}

/// Whether a country (ISO alpha-2) is in the EU/EEA.
pub fn in_eea(country: &str) -> bool {
    let areas = areas();
    areas
        .eu
        .iter()
        .chain(&areas.eea_efta)
        .any(|c| c.eq_ignore_ascii_case(country))
}

/// The adequacy decision covering a country, if any (for the US, only DPF-certified
/// organisations are covered).
pub fn adequacy(country: &str) -> Option<&'static Adequacy> {
    areas()
        .adequacy
        .iter()
        .find(|a| a.country.eq_ignore_ascii_case(country))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norway_is_in_the_eea_and_the_us_has_a_partial_decision() {
        assert!(in_eea("NO") && in_eea("ie") && !in_eea("US") && !in_eea("GB"));
        assert_eq!(adequacy("US").map(|a| a.date.as_str()), Some("2023-07-10"));
        assert!(adequacy("CN").is_none());
        assert_eq!(country_name("US", true), "USA");
        assert_eq!(country_name("XX", false), "XX");
    }
}
