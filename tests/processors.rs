//! Recognition over the processor knowledge base: every name and alias is found in a sentence,
//! in Norwegian compounds and possessives, and never inside an unrelated word.

use privacy_lsp::analysis::{Analysis, Options, analyze};
use privacy_lsp::document::{Document, TextFormat};
use privacy_lsp::knowledge::processors::shipped;

fn run(text: &str) -> Analysis {
    analyze(
        &Document::new(text, TextFormat::Markdown),
        &Options::default(),
    )
}

fn recognised(text: &str) -> Vec<String> {
    let kb = shipped();
    run(text)
        .facts
        .processors
        .iter()
        .filter_map(|p| kb.get(p.index).map(|k| k.name.to_string()))
        .collect()
}

#[test]
fn every_name_and_alias_is_found_in_a_sentence() {
    let kb = shipped();
    let mut missed = Vec::new();
    for processor in kb {
        for alias in std::iter::once(&processor.name).chain(processor.aliases.iter()) {
            if alias.trim().chars().count() < 3 {
                continue;
            }
            let text = format!("# Personvern\n\nVi bruker {alias} til å drifte tjenesten.\n");
            let found = run(&text).facts.processors;
            // The alias must be found as a whole; a longer alias of another entry may win.
            let whole = found
                .iter()
                .any(|p| p.written.eq_ignore_ascii_case(alias.trim()));
            if !whole {
                missed.push(format!("{} ({alias})", processor.name));
            }
        }
    }
    assert!(missed.is_empty(), "aliases not recognised: {missed:?}");
}

#[test]
fn compounds_possessives_cookies_and_products() {
    assert!(
        recognised("# Personvern\n\nVi bruker Facebook-pikselen på nettsiden.\n")
            .iter()
            .any(|n| n.contains("Facebook") || n.contains("Meta"))
    );
    assert!(
        recognised("# Personvern\n\nLes Mailchimps vilkår.\n")
            .iter()
            .any(|n| n == "Mailchimp")
    );
    assert!(
        recognised("# Personvern\n\nNyhetsbrevet sendes med MailChimp.\n")
            .iter()
            .any(|n| n == "Mailchimp")
    );
    assert!(
        recognised("# Cookies\n\n| _ga | 2 år |\n")
            .iter()
            .any(|n| n == "Google Analytics")
    );
    let clarity = run("# Personvern\n\nVi bruker Microsoft Clarity.\n");
    let kb = shipped();
    let processor = &kb[clarity.facts.processors[0].index];
    assert_eq!(
        processor.third_country(),
        Some(("Microsoft Corporation", "US"))
    );
}

#[test]
fn no_alias_fires_inside_an_unrelated_word() {
    for text in [
        "# Personvern\n\nVi lagrer metadata om filene dine.\n",
        "# Personvern\n\nKlubben driver med boxing og squash.\n",
        "# Privacy\n\nWe keep a record of your boxes and their metadata.\n",
        "# Personvern\n\nDette gjelder ikke fotball eller googling generelt.\n",
    ] {
        assert!(
            recognised(text).is_empty(),
            "{text}: {:?}",
            recognised(text)
        );
    }
}

#[test]
fn brand_names_that_are_words_match_only_as_written() {
    assert!(
        recognised("# Personvern\n\nDelighted samler inn anmeldelser for oss.\n")
            .iter()
            .any(|n| n.starts_with("Delighted"))
    );
    assert!(recognised("# Privacy\n\nWe are delighted to help you.\n").is_empty());
}

#[test]
fn a_denied_processor_is_not_a_recipient() {
    assert!(recognised("# Personvern\n\nVi bruker ikke Google Analytics.\n").is_empty());
}

#[test]
fn transfers_are_declared_once_in_general_terms() {
    let undeclared = run("# Personvern\n\nNyhetsbrevet sendes med MailChimp.\n");
    let finding = undeclared
        .findings
        .iter()
        .find(|f| f.rule == "transfer-undeclared")
        .expect("fires");
    assert!(finding.message.contains("USA"), "{}", finding.message);
    assert_eq!(finding.subject.as_deref(), Some("MailChimp"));
    let declared = run(
        "# Personvern\n\nNyhetsbrevet sendes med MailChimp. Leverandører utenfor EU/EØS brukes på grunnlag av EUs standard personvernbestemmelser.\n",
    );
    assert!(
        !declared
            .findings
            .iter()
            .any(|f| f.rule.starts_with("transfer-")),
        "{:?}",
        declared.findings.iter().map(|f| f.rule).collect::<Vec<_>>()
    );
    let eea = run("# Personvern\n\nVi bruker Plausible Analytics.\n");
    assert!(
        !eea.findings.iter().any(|f| f.rule == "transfer-undeclared"),
        "an EEA processor is no transfer"
    );
    let missing = run("# Privacy\n\nSome of our providers are located outside the EEA.\n");
    assert!(
        missing
            .findings
            .iter()
            .any(|f| f.rule == "transfer-mechanism-missing")
    );
    let invalid = run("# Privacy\n\nData go to the US under the EU-US Privacy Shield.\n");
    assert!(
        invalid
            .findings
            .iter()
            .any(|f| f.rule == "transfer-invalid-mechanism")
    );
    let contradiction =
        run("# Personvern\n\nAlle data lagres i Norge. Nyhetsbrevet sendes med MailChimp.\n");
    assert!(
        contradiction
            .findings
            .iter()
            .any(|f| f.rule == "transfer-contradiction")
    );
}

#[test]
fn hover_shows_a_processors_facts_and_a_findings_rule() {
    use privacy_lsp::analysis::hover::hover;
    let text = "# Personvern\n\nNyhetsbrevet sendes med MailChimp.\n";
    let analysis = run(text);
    let at = text.find("MailChimp").expect("mention") + 3;
    let info = hover(&analysis, at).expect("a hover on the processor");
    assert_eq!(&text[info.range.clone()], "MailChimp");
    assert!(
        info.markdown.contains("Intuit Inc. (US)"),
        "{}",
        info.markdown
    );
    assert!(
        info.markdown.contains("EU-U.S. Data Privacy Framework"),
        "{}",
        info.markdown
    );
    let title = text.find("Personvern").expect("title");
    let info = hover(&analysis, title).expect("findings point at the title");
    assert!(
        info.markdown.contains("**controller-identity** (error)"),
        "{}",
        info.markdown
    );
    assert!(
        info.markdown
            .contains("https://lovdata.no/lov/2018-06-15-38/gdpr/a13")
    );
    let self_hosted = run("# Personvern\n\nNettsiden er laget i WordPress.\n");
    let at = "# Personvern\n\nNettsiden er laget i Word".len();
    let info = hover(&self_hosted, at).expect("hover on WordPress");
    assert!(
        info.markdown.contains("ikke en databehandler i seg selv"),
        "{}",
        info.markdown
    );
}
