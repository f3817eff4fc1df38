//! Configuration: the project's `privacy-lsp.toml`, found upward from a document, and the
//! editor's settings (`initializationOptions`, `workspace/configuration`). Project settings
//! override editor settings; the CLI reads the same file.
//!
//! ```toml
//! language = "auto"            # auto, nb, nn, en: the language to read policies in
//! message-language = "auto"    # auto, nb, nn, en: the language of messages
//! jurisdiction = "NO"          # sets the supervisory authority quick fixes name
//! policies = ["docs/personvern*.md"]   # globs, relative to this file's folder
//!
//! [rules]
//! dpo-contact = "off"          # off, error, warning, information, hint
//!
//! [[processor]]                # the organisation's own, in the knowledge-base schema
//! name = "Eksempel CRM"
//! ```
//!
//! Invariant: loading never panics. Every problem is a [`ConfigError`] with the byte range it
//! concerns, shown as a diagnostic on the file; the valid parts still apply.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::analysis::{Language, Options, RuleSetting, Severity};
use crate::knowledge;
use crate::knowledge::processors::Processor;

/// The project file's name; editors also use it as a root marker.
pub const FILE_NAME: &str = "privacy-lsp.toml";

/// Settings as written, in the file or in the editor. Every field is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSettings {
    language: Option<Spanned<String>>,
    #[serde(alias = "messageLanguage")]
    message_language: Option<Spanned<String>>,
    jurisdiction: Option<Spanned<String>>,
    policies: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default, rename = "processor", alias = "processors")]
    processors: Vec<Spanned<Processor>>,
}

/// A problem in the settings, with where it is (bytes of the file) when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// What is wrong, and what would be right.
    pub message: String,
    /// Where, in the file's bytes.
    pub range: Option<Range<usize>>,
}

/// Settings after validation: what the analysis and the server need.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The language to read policies in (`None`: detect).
    pub language: Option<Language>,
    /// The language of messages (`None`: the document's).
    pub message_language: Option<Language>,
    /// ISO country code of the jurisdiction (default "NO").
    pub jurisdiction: Option<String>,
    /// Globs of files that are policies, with the folder they are relative to.
    pub policies: Option<(PathBuf, Vec<String>)>,
    /// Rule settings by id.
    pub rules: BTreeMap<String, RuleSetting>,
    /// The organisation's own processors.
    pub processors: Vec<Processor>,
}

fn language_setting(
    value: &Spanned<String>,
    key: &str,
    errors: &mut Vec<ConfigError>,
) -> Option<Language> {
    let text = value.get_ref().trim();
    if text.eq_ignore_ascii_case("auto") {
        return None;
    }
    let language = Language::from_code(text);
    if language.is_none() {
        errors.push(ConfigError {
            message: format!("{key} = \"{text}\" is not a language: use auto, nb, nn or en"),
            range: Some(value.span()),
        });
    }
    language
}

impl Settings {
    fn from_raw(raw: RawSettings, base: &Path, errors: &mut Vec<ConfigError>) -> Settings {
        let mut settings = Settings {
            language: raw
                .language
                .as_ref()
                .and_then(|v| language_setting(v, "language", errors)),
            message_language: raw
                .message_language
                .as_ref()
                .and_then(|v| language_setting(v, "message-language", errors)),
            ..Settings::default()
        };
        if let Some(jurisdiction) = raw.jurisdiction {
            let code = jurisdiction.get_ref().trim().to_ascii_uppercase();
            if knowledge::authorities().iter().any(|a| a.country == code) {
                settings.jurisdiction = Some(code);
            } else {
                errors.push(ConfigError {
                    message: format!(
                        "jurisdiction = \"{code}\" has no supervisory authority in the knowledge base: use an EU/EEA country code such as NO"
                    ),
                    range: Some(jurisdiction.span()),
                });
            }
        }
        if let Some(globs) = raw.policies {
            let mut valid = Vec::new();
            for glob in globs {
                match Glob::new(glob.get_ref()) {
                    Ok(_) if glob.get_ref().split('/').any(|part| part == "..") => {
                        errors.push(ConfigError {
                            message: format!(
                                "policies: \"{}\" leaves the project folder; globs are relative to it",
                                glob.get_ref()
                            ),
                            range: Some(glob.span()),
                        })
                    }
                    Ok(_) => valid.push(glob.get_ref().clone()),
                    Err(e) => errors.push(ConfigError {
                        message: format!("policies: {e}"),
                        range: Some(glob.span()),
                    }),
                }
            }
            settings.policies = Some((base.to_path_buf(), valid));
        }
        for (rule, value) in raw.rules {
            if !knowledge::rules().contains_key(rule.get_ref()) {
                errors.push(ConfigError {
                    message: format!(
                        "unknown rule \"{}\" (see checks.md for the ids)",
                        rule.get_ref()
                    ),
                    range: Some(rule.span()),
                });
                continue;
            }
            let setting = if value.get_ref().eq_ignore_ascii_case("off") {
                Some(RuleSetting::Off)
            } else {
                Severity::parse(value.get_ref()).map(RuleSetting::Severity)
            };
            match setting {
                Some(setting) => {
                    settings.rules.insert(rule.into_inner(), setting);
                }
                None => errors.push(ConfigError {
                    message: format!(
                        "{} = \"{}\": use off, error, warning, information or hint",
                        rule.get_ref(),
                        value.get_ref()
                    ),
                    range: Some(value.span()),
                }),
            }
        }
        for processor in raw.processors {
            if processor.get_ref().name.trim().is_empty() {
                errors.push(ConfigError {
                    message: "a [[processor]] needs a name".to_string(),
                    range: Some(processor.span()),
                });
            } else {
                settings.processors.push(processor.into_inner());
            }
        }
        settings
    }

    /// Parses a `privacy-lsp.toml`, whose folder is `base`. On a syntax error nothing applies;
    /// on a bad value the rest still does.
    pub fn parse_toml(text: &str, base: &Path) -> (Settings, Vec<ConfigError>) {
        let mut errors = Vec::new();
        match toml::from_str::<RawSettings>(text) {
            Ok(raw) => {
                let settings = Settings::from_raw(raw, base, &mut errors);
                errors.sort_by_key(|e| e.range.as_ref().map_or(0, |r| r.start));
                (settings, errors)
            }
            Err(e) => {
                errors.push(ConfigError {
                    message: e.message().to_string(),
                    range: e.span(),
                });
                (Settings::default(), errors)
            }
        }
    }

    /// Reads editor settings (the `privacyLsp` object, camelCase or kebab-case keys).
    pub fn parse_json(value: &serde_json::Value, base: &Path) -> (Settings, Vec<ConfigError>) {
        let value = strip_nulls(value);
        if value.as_object().is_none_or(|o| o.is_empty()) {
            return (Settings::default(), Vec::new());
        }
        // Through TOML, so that both sources share one validation.
        match toml::to_string(&value) {
            Ok(text) => Settings::parse_toml(&text, base),
            Err(e) => (
                Settings::default(),
                vec![ConfigError {
                    message: format!("editor settings: {e}"),
                    range: None,
                }],
            ),
        }
    }

    /// `self` with `project` laid over it: the project's settings win, rule by rule; both
    /// lists of processors apply.
    pub fn overridden_by(mut self, project: Settings) -> Settings {
        self.language = project.language.or(self.language);
        self.message_language = project.message_language.or(self.message_language);
        self.jurisdiction = project.jurisdiction.or(self.jurisdiction);
        self.policies = project.policies.or(self.policies);
        self.rules.extend(project.rules);
        self.processors.extend(project.processors);
        self
    }

    /// The analysis options these settings give.
    pub fn options(&self) -> Options {
        Options {
            language: self.language,
            message_language: self.message_language,
            rules: self.rules.clone(),
            processors: std::sync::Arc::new(self.processors.clone()),
        }
    }

    /// Whether the `policies` globs name `path`: `None` when there are no globs.
    pub fn names_policy(&self, path: &Path) -> Option<bool> {
        let (base, globs) = self.policies.as_ref()?;
        let relative = path.strip_prefix(base).ok()?;
        let mut builder = GlobSetBuilder::new();
        for glob in globs {
            if let Ok(glob) = Glob::new(glob) {
                builder.add(glob);
            }
        }
        let set: GlobSet = builder.build().ok()?;
        Some(set.is_match(relative))
    }
}

fn strip_nulls(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        serde_json::Value::Array(items) => serde_json::Value::Array(
            items
                .iter()
                .filter(|v| !v.is_null())
                .map(strip_nulls)
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The nearest `privacy-lsp.toml` in `start`'s folder or above it, not above `boundary`
/// (the workspace folder) when one is given.
pub fn find_project_file(start: &Path, boundary: Option<&Path>) -> Option<PathBuf> {
    let folder = if start.is_dir() {
        start
    } else {
        start.parent()?
    };
    for dir in folder.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if boundary.is_some_and(|b| dir == b) {
            break;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_parses_and_errors_point_at_their_values() {
        let text = "language = \"nn\"\nmessage-language = \"en\"\njurisdiction = \"no\"\n\
policies = [\"docs/*.md\", \"../other/*.md\"]\n\n[rules]\ndpo-contact = \"off\"\n\
retention-vague = \"warning\"\nno-such-rule = \"off\"\nright-access = \"loud\"\n\n\
[[processor]]\nname = \"Eksempel CRM\"\naliases = [\"EksCRM\"]\nentity = \"Eksempel CRM Inc.\"\nentity_country = \"US\"\n";
        let (settings, errors) = Settings::parse_toml(text, Path::new("/p"));
        assert_eq!(settings.language, Some(Language::Nn));
        assert_eq!(settings.message_language, Some(Language::En));
        assert_eq!(settings.jurisdiction.as_deref(), Some("NO"));
        assert_eq!(settings.rules.get("dpo-contact"), Some(&RuleSetting::Off));
        assert_eq!(
            settings.rules.get("retention-vague"),
            Some(&RuleSetting::Severity(Severity::Warning))
        );
        assert_eq!(settings.processors[0].name, "Eksempel CRM");
        let messages: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(errors.len(), 3, "{messages:?}");
        let unknown = &errors
            .iter()
            .find(|e| e.message.contains("no-such-rule"))
            .map(|e| e.range.clone());
        assert_eq!(
            unknown.clone().flatten().map(|r| &text[r]),
            Some("no-such-rule")
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("leaves the project folder"))
        );
        assert!(messages.iter().any(|m| m.contains("\"loud\"")));
        assert_eq!(settings.names_policy(Path::new("/p/docs/a.md")), Some(true));
        assert_eq!(
            settings.names_policy(Path::new("/p/README.md")),
            Some(false)
        );
    }

    #[test]
    fn a_syntax_error_is_one_error_with_a_range_and_changes_nothing() {
        let (settings, errors) = Settings::parse_toml("language = \"nb\n[rules", Path::new("/"));
        assert_eq!(errors.len(), 1);
        assert!(errors[0].range.is_some());
        assert_eq!(settings.language, None);
        let (_, errors) = Settings::parse_toml("colour = \"blue\"\n", Path::new("/"));
        assert!(
            errors[0].message.contains("unknown field"),
            "{:?}",
            errors[0]
        );
    }

    #[test]
    fn project_settings_override_editor_settings() {
        let (editor, errors) = Settings::parse_json(
            &serde_json::json!({"language": "en", "messageLanguage": "nb", "rules": {"dpo-contact": "hint", "retention-vague": "off"}, "policies": null}),
            Path::new("/"),
        );
        assert!(errors.is_empty(), "{errors:?}");
        let (project, _) = Settings::parse_toml(
            "language = \"nn\"\n[rules]\ndpo-contact = \"error\"\n",
            Path::new("/"),
        );
        let merged = editor.overridden_by(project);
        assert_eq!(merged.language, Some(Language::Nn));
        assert_eq!(merged.message_language, Some(Language::Nb));
        assert_eq!(
            merged.rules.get("dpo-contact"),
            Some(&RuleSetting::Severity(Severity::Error))
        );
        assert_eq!(merged.rules.get("retention-vague"), Some(&RuleSetting::Off));
    }
}
