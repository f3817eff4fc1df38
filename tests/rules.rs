//! Rules on short policies written for these tests, in Bokmål, Nynorsk and English.

use privacy_lsp::analysis::facts::Retention;
use privacy_lsp::analysis::{Analysis, Analyzer, Language, Options, Severity, analyze};
use privacy_lsp::document::{Document, TextFormat};

fn run(text: &str) -> Analysis {
    analyze(
        &Document::new(text, TextFormat::Markdown),
        &Options::default(),
    )
}

fn rules(analysis: &Analysis) -> Vec<&'static str> {
    analysis.findings.iter().map(|f| f.rule).collect()
}

const COMPLETE_EN: &str = "# Privacy notice\n\n\
Last updated: 3 March 2025\n\n\
Example Widgets Ltd is the data controller. Contact us at privacy@widgets.example or write to \
10 Harbour Street, Bristol.\n\n\
Our data protection officer can be reached at dpo@widgets.example.\n\n\
We use your contact details to deliver your orders. The legal basis is the performance of a \
contract with you. Providing your address is required to deliver the order; if you do not \
provide it, we cannot deliver.\n\n\
We share order data with our delivery partners.\n\n\
We keep order records for 5 years.\n\n\
## Your rights\n\n\
You have the right to access, rectify and erase your data, to restrict processing, to data \
portability and to object to processing. You may lodge a complaint with the Information \
Commissioner's Office (ICO).\n";

#[test]
fn a_complete_english_notice_has_no_findings_above_hint() {
    let analysis = run(COMPLETE_EN);
    assert_eq!(analysis.facts.language, Language::En);
    let serious: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| f.severity <= Severity::Information)
        .map(|f| f.rule)
        .collect();
    assert!(serious.is_empty(), "{serious:?}");
    assert_eq!(
        analysis.facts.complaint_authority.as_deref(),
        Some("Information Commissioner's Office (ICO)")
    );
    assert_eq!(analysis.facts.retention, Retention::Specific);
    assert_eq!(analysis.facts.retention_periods[0].days, 1825);
    assert!(
        analysis
            .facts
            .dpo
            .as_ref()
            .is_some_and(|d| !d.contact.is_empty())
    );
}

#[test]
fn nynorsk_is_detected_and_answered_in_nynorsk() {
    let text = "# Personvernerklæring\n\n\
Laget Fjellvind er behandlingsansvarleg. Du kan kontakte oss på post@fjellvind.example.\n\n\
Me behandlar opplysningar om medlemmane for å kunne sende ut medlemsblad. Grunnlaget er \
samtykket ditt, og du kan når som helst trekkje samtykket tilbake.\n\n\
Du har rett til innsyn i og retting av opplysningane, og du kan klage til Datatilsynet.\n";
    let analysis = run(text);
    assert_eq!(analysis.facts.language, Language::Nn);
    assert!(analysis.facts.rights.access && analysis.facts.rights.rectification);
    assert!(
        analysis.facts.rights.withdraw_consent,
        "trekkje samtykket tilbake"
    );
    assert_eq!(
        analysis.facts.complaint_authority.as_deref(),
        Some("Datatilsynet")
    );
    let restriction = analysis
        .findings
        .iter()
        .find(|f| f.rule == "right-restriction")
        .expect("restriction is missing");
    assert!(
        restriction.message.contains("ikkje"),
        "a Nynorsk message: {}",
        restriction.message
    );
    assert!(restriction.link.starts_with("https://lovdata.no/"));
}

#[test]
fn a_complaint_without_an_authority_is_not_enough() {
    let unnamed =
        run("# Personvern\n\nDu har rett til å klage hvis du er misfornøyd med behandlingen.\n");
    let finding = unnamed
        .findings
        .iter()
        .find(|f| f.rule == "right-complaint")
        .expect("fires");
    assert!(
        finding.message.contains("Datatilsynet"),
        "{}",
        finding.message
    );
    let named = run("# Personvern\n\nDu kan klage på behandlingen til Datatilsynet.\n");
    assert!(!rules(&named).contains(&"right-complaint"));
}

#[test]
fn negated_profiling_is_information_not_a_gap() {
    let denied =
        run("# Personvern\n\nVi bruker ikke profilering eller automatiserte avgjørelser.\n");
    assert!(!rules(&denied).contains(&"automated-decisions"));
    assert!(denied.facts.rights.automated_decisions);
    let used = run("# Personvern\n\nVi bruker profilering for å vise deg tilpassede tilbud.\n");
    assert!(rules(&used).contains(&"automated-decisions"));
    let explained = run(
        "# Personvern\n\nVi bruker profilering for å vise tilbud. Logikken er at kjøpshistorikken avgjør tilbudene, og konsekvensen er at du kan se andre priser.\n",
    );
    assert!(!rules(&explained).contains(&"automated-decisions"));
}

#[test]
fn cookie_lifetimes_are_not_retention_periods() {
    let cookies = run(
        "# Informasjonskapsler\n\n| Navn | Utløper |\n|---|---|\n| _ga | 2 år |\n\nVi bruker informasjonskapsler som lagres i 13 måneder.\n",
    );
    assert_eq!(cookies.facts.retention, Retention::None);
    assert!(rules(&cookies).contains(&"retention-missing"));
    let vague =
        run("# Lagring\n\nVi lagrer opplysningene så lenge det er nødvendig for formålet.\n");
    assert_eq!(vague.facts.retention, Retention::Vague);
    assert!(rules(&vague).contains(&"retention-vague"));
    let criterion =
        run("# Nyhetsbrev\n\nE-postadressen slettes når du melder deg av nyhetsbrevet.\n");
    assert_eq!(criterion.facts.retention, Retention::Specific);
}

#[test]
fn a_processor_is_not_the_controller() {
    let processor_only = run(
        "# Personvern\n\nNordlys Data opptrer som databehandler for kundene sine. Nordlys Data behandler opplysningene etter avtale med kunden.\n",
    );
    assert!(rules(&processor_only).contains(&"controller-identity"));
    let controller =
        run("# Personvern\n\nNordlys Data AS er behandlingsansvarlig for opplysningene.\n");
    assert!(!rules(&controller).contains(&"controller-identity"));
    assert_eq!(
        controller.facts.controller.and_then(|c| c.name).as_deref(),
        Some("Nordlys Data AS")
    );
}

#[test]
fn portability_and_objection_weigh_less_without_their_bases() {
    let legal_obligation =
        run("# Personvern\n\nVi behandler opplysningene fordi bokføringsloven krever det.\n");
    let severity = |rule: &str| {
        legal_obligation
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .map(|f| f.severity)
    };
    assert_eq!(severity("right-portability"), Some(Severity::Hint));
    assert_eq!(severity("right-objection"), Some(Severity::Hint));
    let interest =
        run("# Personvern\n\nGrunnlaget er vår berettigede interesse i å forebygge svindel.\n");
    let severity = |rule: &str| {
        interest
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .map(|f| f.severity)
    };
    assert_eq!(severity("right-objection"), Some(Severity::Warning));
    assert!(
        !rules(&interest).contains(&"legitimate-interest-unstated"),
        "the interest is named"
    );
    let unstated =
        run("# Personvern\n\nVi lagrer IP-adresser. Grunnlaget er vår berettigede interesse.\n");
    assert!(rules(&unstated).contains(&"legitimate-interest-unstated"));
}

#[test]
fn missing_rights_point_at_the_rights_section() {
    let text = "# Personvern\n\nTekst.\n\n## Dine rettigheter\n\nDu har rett til innsyn.\n";
    let analysis = run(text);
    let finding = analysis
        .findings
        .iter()
        .find(|f| f.rule == "right-erasure")
        .expect("fires");
    assert_eq!(&text[finding.range.clone()], "Dine rettigheter");
}

#[test]
fn incremental_analysis_equals_a_fresh_one() {
    let mut document = Document::new(COMPLETE_EN, TextFormat::Markdown);
    let mut analyzer = Analyzer::new();
    let options = Options::default();
    analyzer.analyze(&document, &options);
    let at = COMPLETE_EN
        .find("We keep order records for 5 years.")
        .expect("sentence");
    document.edit(
        at..at + "We keep order records for 5 years.".len(),
        "We keep order records.",
    );
    let incremental = analyzer.analyze(&document, &options);
    let fresh = analyze(
        &Document::new(&document.text(), TextFormat::Markdown),
        &options,
    );
    assert_eq!(incremental.findings, fresh.findings);
    assert_eq!(incremental.facts.retention, Retention::None);
}

#[test]
fn a_policy_is_recognised_by_its_title_or_its_content_and_a_readme_is_not() {
    let short = run("# Privacy Policy\n\nThis app does not collect any personal information.\n");
    assert!(
        short.facts.is_policy,
        "a title that names the document is enough"
    );
    let norwegian = run("Personvernerklæring\n\nVi samler ikke inn opplysninger.\n");
    assert!(norwegian.facts.is_policy);
    let readme =
        run("# Widget\n\nRun `make` to build it. Privacy is important to us, see the wiki.\n");
    assert!(!readme.facts.is_policy);
    let untitled = run(COMPLETE_EN.trim_start_matches("# Privacy notice\n"));
    assert!(
        untitled.facts.is_policy,
        "a policy without a title, by its content"
    );
}

#[test]
fn consent_read_into_use_is_found_and_a_separate_choice_is_not() {
    for text in [
        "# Personvern\n\nVed å bruke nettsiden samtykker du til at vi behandler opplysningene dine.\n",
        "# Personvern\n\nFortsatt bruk av appen betyr at du godtar vilkårene.\n",
        "# Privacy\n\nBy using this website you agree to the processing of your data.\n",
        "# Privacy\n\nYour continued use of the service constitutes acceptance of this policy.\n",
    ] {
        assert!(rules(&run(text)).contains(&"consent-by-use"), "{text}");
    }
    for text in [
        "# Personvern\n\nVi ber om samtykke i et eget skjema før vi sender nyhetsbrev.\n",
        "# Personvern\n\nVi anser ikke bruk av nettsiden som samtykke.\n",
        "# Privacy\n\nWe ask for your consent with a separate checkbox.\n",
    ] {
        assert!(!rules(&run(text)).contains(&"consent-by-use"), "{text}");
    }
}

#[test]
fn outdated_names_get_their_successor_unless_told_as_history() {
    let old = run(
        "# Personvern\n\nData overføres til USA under Privacy Shield. Prosjektet er meldt til NSD.\n",
    );
    let findings: Vec<_> = old
        .findings
        .iter()
        .filter(|f| f.rule == "outdated-reference")
        .collect();
    let subjects: Vec<&str> = findings
        .iter()
        .filter_map(|f| f.subject.as_deref())
        .collect();
    assert_eq!(subjects, vec!["Privacy Shield", "NSD"]);
    assert!(
        findings[0].message.contains("Data Privacy Framework"),
        "{}",
        findings[0].message
    );
    assert!(findings[1].message.contains("Sikt") && findings[1].message.contains("2022-01-01"));
    let history = run(
        "# Personvern\n\nProsjektet er meldt til Sikt (tidligere NSD). Privacy Shield ble underkjent i 2020.\n",
    );
    assert!(!rules(&history).contains(&"outdated-reference"));
    let english = run("# Privacy\n\nWe share data with Facebook Inc. for advertising.\n");
    let finding = english
        .findings
        .iter()
        .find(|f| f.rule == "outdated-reference")
        .expect("fires");
    assert!(
        finding.message.contains("Meta Platforms, Inc."),
        "{}",
        finding.message
    );
    // "nsd" in lower case is not the acronym.
    assert!(
        !rules(&run("# Personvern\n\nVi bruker nsd-protokollen.\n"))
            .contains(&"outdated-reference")
    );
}

#[test]
fn special_categories_need_an_article_9_condition_unless_denied() {
    let health = run("# Personvern\n\nVi registrerer helseopplysninger om deltakerne.\n");
    let finding = health
        .findings
        .iter()
        .find(|f| f.rule == "special-category-basis")
        .expect("fires");
    assert!(
        finding.message.contains("helseopplysninger"),
        "{}",
        finding.message
    );
    assert_eq!(health.facts.special_categories, vec!["health"]);
    let explicit = run(
        "# Personvern\n\nVi registrerer helseopplysninger om deltakerne etter uttrykkelig samtykke.\n",
    );
    assert!(!rules(&explicit).contains(&"special-category-basis"));
    let by_reference = run(
        "# Personvern\n\nPartiet behandler opplysninger om medlemmene etter personvernforordningen artikkel 9 nr. 2 bokstav d.\n",
    );
    assert!(!rules(&by_reference).contains(&"special-category-basis"));
    let denied = run(
        "# Personvern\n\nVi behandler ikke helseopplysninger eller andre særlige kategorier av personopplysninger.\n",
    );
    assert!(!rules(&denied).contains(&"special-category-basis"));
    let english = run(
        "# Privacy\n\nWe process data concerning health to run the clinic's booking service.\n",
    );
    assert!(rules(&english).contains(&"special-category-basis"));
}

#[test]
fn nynorsk_interests_and_standard_clauses_are_read() {
    let text = "# Personvernerklæring\n\n\
Laget Fjellvind er behandlingsansvarleg. Du kan kontakte oss på post@fjellvind.example.\n\n\
Me loggar innlogging. Grunnlaget er den berettiga interessa vår i å førebyggje misbruk av kontoane.\n\n\
Opplysningane vert overførte til land utanfor EØS på grunnlag av standard personvernføresegner.\n";
    let analysis = run(text);
    assert_eq!(analysis.facts.language, Language::Nn);
    assert!(!rules(&analysis).contains(&"legitimate-interest-unstated"));
    assert!(analysis.facts.legal_bases.contains(&"6.1.f".to_string()));
    assert!(analysis.facts.transfer_mechanisms.contains(&"scc"));
    let unstated = run(&text.replace("vår i å førebyggje misbruk av kontoane", "vår"));
    assert!(rules(&unstated).contains(&"legitimate-interest-unstated"));
}

#[test]
fn the_organisations_own_processors_are_recognised_and_checked() {
    use privacy_lsp::config::Settings;
    let (settings, errors) = Settings::parse_toml(
        "[[processor]]\nname = \"Fjordsky CRM\"\naliases = [\"Fjordsky\"]\ncategory = \"crm\"\n\
entity = \"Fjordsky Inc.\"\nentity_country = \"US\"\nleaves_eea = \"yes\"\nmechanisms = [\"scc\"]\n",
        std::path::Path::new("/"),
    );
    assert!(errors.is_empty(), "{errors:?}");
    let text = "# Personvernerklæring\n\nKundedata lagres i Fjordskys kundesystem.\n";
    let document = Document::new(text, TextFormat::Markdown);
    let plain = analyze(&document, &Options::default());
    assert!(plain.facts.processors.is_empty());
    let mut analyzer = Analyzer::new();
    let analysis = analyzer.analyze(&document, &settings.options());
    let mention = &analysis.facts.processors[0];
    assert_eq!(mention.written, "Fjordsky");
    assert_eq!(
        analysis.processor(mention.index).map(|p| &*p.name),
        Some("Fjordsky CRM")
    );
    let undeclared = analysis
        .findings
        .iter()
        .find(|f| f.rule == "transfer-undeclared")
        .expect("a transfer to the US without a declaration");
    assert_eq!(&text[undeclared.range.clone()], "Fjordsky");
    assert!(undeclared.message.contains("USA"), "{}", undeclared.message);
    // The memo keeps the merged facts, and forgets them when the list changes.
    let again = analyzer.analyze(&document, &settings.options());
    assert_eq!(again.facts.processors.len(), 1);
    let without = analyzer.analyze(&document, &Options::default());
    assert!(without.facts.processors.is_empty());
}
