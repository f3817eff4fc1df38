//! Findings: what a rule reports, in terms the protocol and the CLI both turn into output.

use std::ops::Range;

use serde::Serialize;

use super::language::Language;
use crate::knowledge;

/// How serious a finding is (LSP's four levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be fixed.
    Error,
    /// Should be fixed.
    Warning,
    /// Worth knowing.
    Information,
    /// A suggestion.
    Hint,
}

impl Severity {
    /// Parses "error", "warning", "information" (or "info"), "hint".
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "information" | "info" => Some(Severity::Information),
            "hint" => Some(Severity::Hint),
            _ => None,
        }
    }

    /// The report name.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

/// One finding of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule id from checks.md.
    pub rule: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Byte range in the document.
    pub range: Range<usize>,
    /// The message, in the document's language.
    pub message: String,
    /// What the finding is about (a processor, an authority), if anything.
    pub subject: Option<String>,
    /// The articles it rests on ("GDPR Art. 15, 13(2)(b)").
    pub article: String,
    /// A link to the article (Lovdata for Norwegian, EUR-Lex for English).
    pub link: String,
}

/// `template` with each `{key}` replaced by its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (key, value) in values {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

impl Finding {
    /// A finding of `rule` with its default severity and message, or with the message variant
    /// `variant` (such as "unnamed") when given. `None` only for an id not in the catalogue.
    pub fn new(
        rule: &str,
        language: Language,
        range: Range<usize>,
        variant: Option<&str>,
    ) -> Option<Finding> {
        let (id, info) = knowledge::rules().get_key_value(rule)?;
        let key = match variant {
            Some(v) => format!("{v}_{}", language.code()),
            None => language.code().to_string(),
        };
        let message = info
            .messages
            .get(&key)
            .or_else(|| info.messages.get(language.code()))
            .cloned()
            .unwrap_or_default();
        Some(Finding {
            rule: id.as_str(),
            severity: Severity::parse(&info.severity).unwrap_or(Severity::Warning),
            range,
            message,
            subject: None,
            article: info.article.clone(),
            link: knowledge::article_link(info.link, language.is_norwegian()),
        })
    }

    /// The same finding about `subject`, with `{subject}` and any other `{key}` in its message
    /// filled in.
    pub fn about(mut self, subject: &str, details: &[(&str, &str)]) -> Finding {
        self.message = fill(&self.message.replace("{subject}", subject), details);
        self.subject = Some(subject.to_string());
        self
    }

    /// The same finding with another severity.
    pub fn with_severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }
}
