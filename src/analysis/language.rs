//! The document's language: Norwegian Bokmål, Nynorsk or English, told apart by marker words.

use serde::Serialize;

/// A language the analysis reads and writes messages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Norwegian Bokmål.
    Nb,
    /// Norwegian Nynorsk.
    Nn,
    /// English.
    En,
}

impl Language {
    /// All languages, in the order used by marker counts.
    pub const ALL: [Language; 3] = [Language::Nb, Language::Nn, Language::En];

    /// The ISO 639-1 code: "nb", "nn" or "en".
    pub fn code(self) -> &'static str {
        match self {
            Language::Nb => "nb",
            Language::Nn => "nn",
            Language::En => "en",
        }
    }

    /// Parses "nb", "nn", "en" (also "no" for Bokmål).
    pub fn from_code(code: &str) -> Option<Language> {
        match code.trim().to_ascii_lowercase().as_str() {
            "nb" | "no" | "nob" => Some(Language::Nb),
            "nn" | "nno" => Some(Language::Nn),
            "en" | "eng" => Some(Language::En),
            _ => None,
        }
    }

    /// Whether the language is Norwegian (links go to Lovdata).
    pub fn is_norwegian(self) -> bool {
        matches!(self, Language::Nb | Language::Nn)
    }

    /// Index into marker-count arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Picks the language from marker-word counts (indexed by [`Language::index`]): English when
/// its markers outnumber the Norwegian ones together, else Nynorsk when its own markers
/// outnumber Bokmål's, else Bokmål (also for an empty document).
pub fn detect(counts: [u32; 3]) -> Language {
    let [nb, nn, en] = counts;
    if en > nb + nn {
        Language::En
    } else if nn > nb {
        Language::Nn
    } else {
        Language::Nb
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_prefers_the_language_with_more_markers() {
        assert_eq!(detect([0, 0, 0]), Language::Nb);
        assert_eq!(detect([10, 2, 3]), Language::Nb);
        assert_eq!(detect([3, 9, 1]), Language::Nn);
        assert_eq!(detect([2, 1, 9]), Language::En);
    }
}
