//! Arbitrary input never panics: the analysis on any UTF-8 (findings, hover, completion,
//! fixes, tokens, symbols), the configuration parser on any text, and the reference parser.
//! Raise the case count with PROPTEST_CASES.

use std::path::Path;

use privacy_lsp::analysis::completion::{Setting, complete};
use privacy_lsp::analysis::fixes::{FixContext, fixes};
use privacy_lsp::analysis::{Language, Options, analyze, coverage, hover, references, tokens};
use privacy_lsp::config::Settings;
use privacy_lsp::document::{Document, TextFormat};
use proptest::prelude::*;

/// Text built from the pieces policies are made of, plus arbitrary characters.
fn policy_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("# Personvernerklæring\n".to_string()),
        Just("\n\n".to_string()),
        Just("## Dine rettigheter\n".to_string()),
        Just("Du har rett til innsyn. ".to_string()),
        Just("artikkel 6 nr. 1 bokstav f".to_string()),
        Just("Article 6(1)(".to_string()),
        Just("Mailchimp".to_string()),
        Just("Privacy Shield".to_string()),
        Just("<!-- privacy-lsp: ignore all -->\n".to_string()),
        Just("- punkt\n".to_string()),
        Just("```\nkode\n".to_string()),
        Just("😀æøå".to_string()),
        "\\PC{0,12}",
        any::<String>().prop_map(|s| s.chars().take(20).collect()),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn the_analysis_and_every_feature_accept_any_text(text in policy_text(), at in 0.0f64..=1.0, plain in any::<bool>()) {
        let format = if plain { TextFormat::PlainText } else { TextFormat::Markdown };
        let document = Document::new(&text, format);
        let analysis = analyze(&document, &Options::default());
        for finding in &analysis.findings {
            prop_assert!(finding.range.start <= finding.range.end && finding.range.end <= text.len());
            prop_assert!(text.is_char_boundary(finding.range.start) && text.is_char_boundary(finding.range.end));
        }
        let mut offset = ((text.len() as f64) * at) as usize;
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let _ = hover::hover(&analysis, offset);
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let _ = complete(&text[line_start..offset], line_start, offset, Setting::plain(Language::Nb));
        let context = FixContext { today: (2026, 11, 22), jurisdiction: "NO".to_string() };
        for fix in fixes(&document, &analysis, 0..text.len(), &context) {
            for edit in &fix.edits {
                prop_assert!(edit.range.end <= text.len() && text.is_char_boundary(edit.range.start));
            }
        }
        let _ = tokens::tokens(&analysis, None);
        let _ = coverage::symbols(&document, &analysis);
        let _ = coverage::coverage(&analysis);
    }

    #[test]
    fn references_are_whole_characters(text in "\\PC{0,80}") {
        for reference in references::find(&text) {
            prop_assert!(text.is_char_boundary(reference.range.start) && text.is_char_boundary(reference.range.end));
            prop_assert!((1..=99).contains(&reference.article));
        }
    }

    #[test]
    fn the_config_parser_reports_instead_of_panicking(text in prop_oneof![
        "\\PC{0,200}",
        Just("[rules]\nright-access = \"off\"\n".to_string()),
        "(language|policies|jurisdiction|\\[rules\\]|\\[\\[processor\\]\\]|name|=|\"|\\n| |[a-z\\-]{1,12}|\\*\\*/|\\.\\.){0,40}",
    ]) {
        let (_, errors) = Settings::parse_toml(&text, Path::new("/project"));
        for error in errors {
            if let Some(range) = error.range {
                prop_assert!(range.start <= range.end && range.end <= text.len() + 1, "{range:?} in {}", text.len());
            }
        }
    }
}
