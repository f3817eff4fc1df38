//! Every quick fix round-trips: apply its edits, analyse again, and the findings it claims
//! to resolve are gone while no new finding appears. Policies in Bokmål, Nynorsk and English,
//! in Markdown and plain text.

use privacy_lsp::analysis::fixes::{FixContext, apply, fixes};
use privacy_lsp::analysis::{Analysis, Options, analyze};
use privacy_lsp::document::{Document, TextFormat};

fn run(text: &str, format: TextFormat) -> Analysis {
    analyze(&Document::new(text, format), &Options::default())
}

fn context() -> FixContext {
    FixContext {
        today: (2026, 11, 22),
        jurisdiction: "NO".to_string(),
    }
}

/// Applies every fix offered for every finding (except "ignore", checked separately) and
/// checks what it claims.
fn round_trip(text: &str, format: TextFormat) -> usize {
    let document = Document::new(text, format);
    let analysis = analyze(&document, &Options::default());
    let mut applied = 0;
    for finding in &analysis.findings {
        for fix in fixes(&document, &analysis, finding.range.clone(), &context()) {
            let ignoring = fix.title.starts_with("Ignore") || fix.title.starts_with("Ignorer");
            let fixed_text = apply(text, &fix.edits);
            let after = run(&fixed_text, format);
            let before_rules: Vec<_> = analysis.findings.iter().map(|f| f.rule).collect();
            for index in &fix.findings {
                let rule = analysis.findings[*index].rule;
                let count_before = before_rules.iter().filter(|r| **r == rule).count();
                let count_after = after.findings.iter().filter(|f| f.rule == rule).count();
                assert!(
                    count_after < count_before,
                    "'{}' left {rule} ({count_before} → {count_after}):\n{fixed_text}",
                    fix.title
                );
            }
            for new in &after.findings {
                assert!(
                    before_rules.contains(&new.rule),
                    "'{}' brought a new finding {} ({}):\n{fixed_text}",
                    fix.title,
                    new.rule,
                    new.message
                );
            }
            if !ignoring {
                applied += 1;
            }
        }
    }
    applied
}

const NB: &str = "# Personvernerklæring for Eksempel AS\n\n\
Eksempel AS er behandlingsansvarlig. Kontakt oss på post@eksempel.example.\n\n\
## Nyhetsbrev\n\n\
Vi sender nyhetsbrev med Mailchimp og måler besøk med Google Analytics. Grunnlaget er \
samtykket ditt. Vi samarbeider med Privacy Shield-sertifiserte leverandører.\n\n\
## Lagring\n\n\
Vi sletter opplysningene etter 12 måneder.\n\n\
## Dine rettigheter\n\n\
Du har rett til innsyn og retting.\n\n\
## Kontakt\n\n\
Skriv til post@eksempel.example.\n";

const NN: &str = "# Personvernerklæring\n\n\
Laget Fjellvind er behandlingsansvarleg. Du kan kontakte oss på post@fjellvind.example.\n\n\
## Medlemsregister\n\n\
Me behandlar opplysningar om medlemmane for å sende ut medlemsblad. Grunnlaget er \
samtykket ditt. Nyhendebrevet vert sendt med Mailchimp.\n\n\
Me slettar opplysningane to år etter at medlemskapet er avslutta.\n";

const EN: &str = "Privacy notice\n\n\
Example Widgets Ltd is the data controller. Contact us at privacy@widgets.example.\n\n\
We use your e-mail address to send our newsletter through Mailchimp. The legal basis is \
your consent.\n\n\
We keep your data for 2 years.\n";

#[test]
fn bokmal_markdown_fixes_round_trip() {
    let applied = round_trip(NB, TextFormat::Markdown);
    assert!(
        applied >= 5,
        "rights, transfers (one and all), Privacy Shield, last updated: {applied}"
    );
}

#[test]
fn nynorsk_markdown_fixes_round_trip() {
    assert!(round_trip(NN, TextFormat::Markdown) >= 3);
}

#[test]
fn english_plain_text_fixes_round_trip() {
    assert!(round_trip(EN, TextFormat::PlainText) >= 3);
}

#[test]
fn inserted_text_follows_the_format_and_the_language() {
    let document = Document::new(EN, TextFormat::PlainText);
    let analysis = analyze(&document, &Options::default());
    let all = fixes(&document, &analysis, 0..EN.len(), &context());
    let rights = all
        .iter()
        .find(|f| f.title.starts_with("Add the missing rights"))
        .expect("a rights fix");
    assert!(
        rights.edits[0].new_text.contains("\nYour rights\n"),
        "{}",
        rights.edits[0].new_text
    );
    assert!(!rights.edits[0].new_text.contains('#'));
    assert!(
        rights.edits[0]
            .new_text
            .contains("lodge a complaint with Datatilsynet")
    );
    let updated = all
        .iter()
        .find(|f| f.title.contains("Last updated"))
        .expect("last updated");
    assert!(
        updated.edits[0]
            .new_text
            .contains("Last updated: 22 November 2026")
    );

    let document = Document::new(NB, TextFormat::Markdown);
    let analysis = analyze(&document, &Options::default());
    let all = fixes(&document, &analysis, 0..NB.len(), &context());
    let transfer = all
        .iter()
        .find(|f| f.title.starts_with("Opplys om overføringene for alle"))
        .expect("a transfer fix for all");
    let text = &transfer.edits[0].new_text;
    assert!(
        text.contains("## Overføring til land utenfor EØS"),
        "{text}"
    );
    assert!(text.contains("- Mailchimp: Intuit Inc. i USA"), "{text}");
    // New sections go before the contact section.
    let at = transfer.edits[0].range.start;
    assert_eq!(&NB[at..at + 10], "## Kontakt");
    let outdated = all
        .iter()
        .find(|f| f.title.starts_with("Erstatt med"))
        .expect("outdated");
    assert!(
        outdated.title.contains("Data Privacy Framework"),
        "{}",
        outdated.title
    );
}

#[test]
fn ignore_inserts_a_directive_that_silences_exactly_that_finding() {
    let document = Document::new(NB, TextFormat::Markdown);
    let analysis = analyze(&document, &Options::default());
    let (index, finding) = analysis
        .findings
        .iter()
        .enumerate()
        .find(|(_, f)| f.rule == "transfer-undeclared")
        .expect("an undeclared transfer");
    let ignore = fixes(&document, &analysis, finding.range.clone(), &context())
        .into_iter()
        .find(|f| f.title == "Ignorer transfer-undeclared her")
        .expect("ignore offered");
    assert_eq!(ignore.findings, [index]);
    let text = apply(NB, &ignore.edits);
    assert!(text.contains("<!-- privacy-lsp: ignore transfer-undeclared -->\nVi sender"));
    let after = run(&text, TextFormat::Markdown);
    assert!(
        after
            .findings
            .iter()
            .all(|f| f.rule != "transfer-undeclared")
    );
    assert_eq!(
        after.findings.len() + 2,
        analysis.findings.len(),
        "both mentions are in that block"
    );
}
