//! Protocol tests: the real binary over stdio, driven as an editor would drive it.

mod support;

use serde_json::{Value, json};
use support::{LspClient, codes};

const URI: &str = "file:///tmp/personvern.md";

/// A short Bokmål policy that names everything but the right to restriction.
const POLICY: &str = "# Personvernerklæring for Blåbær AS 😀\n\n\
Blåbær AS er behandlingsansvarlig for personopplysningene vi behandler. \
Kontakt oss på post@blaabaer.no.\n\n\
## Dine rettigheter\n\n\
Du har rett til innsyn, retting og sletting. Du kan protestere mot behandlingen og be om dataportabilitet.\n";

fn open(client: &mut LspClient, text: &str) {
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "markdown", "version": 1, "text": text}}),
    );
}

#[test]
fn push_diagnostics_follow_incremental_edits() {
    let mut client = LspClient::start();
    let init = client.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    let caps = &init["result"]["capabilities"];
    assert_eq!(
        caps["textDocumentSync"]["change"], 2,
        "incremental sync: {caps}"
    );
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert!(
        caps.get("diagnosticProvider").is_none(),
        "no pull without client support: {caps}"
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "privacy-lsp");
    client.notify("initialized", json!({}));

    open(&mut client, POLICY);
    let first = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["uri"] == URI
    });
    assert_eq!(first["params"]["version"], 1);
    let found = codes(&first);
    assert!(
        found.contains(&"right-restriction".to_string()),
        "{found:?}"
    );
    assert!(!found.contains(&"right-access".to_string()), "{found:?}");
    let restriction = first["params"]["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|x| x["code"] == "right-restriction"))
        .cloned()
        .expect("the restriction diagnostic");
    assert_eq!(restriction["source"], "privacy-lsp");
    assert_eq!(restriction["severity"], 2);
    assert_eq!(
        restriction["codeDescription"]["href"],
        "https://lovdata.no/lov/2018-06-15-38/gdpr/a18"
    );
    // It points at the rights heading (line 4, "Dine rettigheter").
    assert_eq!(
        restriction["range"],
        json!({"start": {"line": 4, "character": 3}, "end": {"line": 4, "character": 19}})
    );

    // Add the missing right at the end of the last line, incrementally.
    let end_of_rights = "Du har rett til innsyn, retting og sletting. Du kan protestere mot behandlingen og be om dataportabilitet.".encode_utf16().count();
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": URI, "version": 2},
            "contentChanges": [{
                "range": {"start": {"line": 6, "character": end_of_rights}, "end": {"line": 6, "character": end_of_rights}},
                "text": " Du kan også be oss begrense behandlingen."
            }]
        }),
    );
    let second = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["version"] == 2
    });
    let found = codes(&second);
    assert!(
        !found.contains(&"right-restriction".to_string()),
        "the right was added: {found:?}"
    );
    assert!(
        found.contains(&"last-updated-missing".to_string()),
        "{found:?}"
    );

    let status = client.shutdown();
    assert!(status.success(), "clean exit: {status:?}");
}

#[test]
fn pull_diagnostics_in_utf8_when_the_client_offers_both() {
    let mut client = LspClient::start();
    let init = client.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {
            "general": {"positionEncodings": ["utf-8", "utf-16"]},
            "textDocument": {"diagnostic": {"dynamicRegistration": false}}
        }}),
    );
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-8");
    assert_eq!(caps["diagnosticProvider"]["identifier"], "privacy-lsp");
    client.notify("initialized", json!({}));
    open(&mut client, POLICY);

    let report = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(report["result"]["kind"], "full");
    let items = report["result"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let last_updated = items
        .iter()
        .find(|d| d["code"] == "last-updated-missing")
        .expect("points at the title");
    // The title "Personvernerklæring for Blåbær AS 😀" after "# ": UTF-8 columns count bytes.
    let title = "Personvernerklæring for Blåbær AS 😀";
    assert_eq!(
        last_updated["range"]["start"],
        json!({"line": 0, "character": 2})
    );
    assert_eq!(
        last_updated["range"]["end"],
        json!({"line": 0, "character": 2 + title.len()})
    );
    assert!(
        !client
            .notifications
            .iter()
            .any(|n| n["method"] == "textDocument/publishDiagnostics"),
        "a pull client must not also get pushed diagnostics"
    );
    assert!(client.shutdown().success());
}

#[test]
fn utf16_columns_count_surrogate_pairs() {
    let mut client = LspClient::start();
    client.request("initialize", json!({"processId": null, "capabilities": {}}));
    client.notify("initialized", json!({}));
    open(&mut client, POLICY);
    let publish = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["uri"] == URI
    });
    let diagnostic = publish["params"]["diagnostics"]
        .as_array()
        .and_then(|d| {
            d.iter()
                .find(|x| x["code"] == "last-updated-missing")
                .cloned()
        })
        .expect("last-updated-missing");
    let title = "Personvernerklæring for Blåbær AS 😀";
    assert_eq!(
        diagnostic["range"]["end"]["character"],
        2 + title.encode_utf16().count()
    );
    assert!(client.shutdown().success());
}

#[test]
fn bad_input_does_not_stop_the_server() {
    let mut client = LspClient::start();
    client.request("initialize", json!({"processId": null, "capabilities": {}}));
    client.notify("initialized", json!({}));

    // A change to a document that was never opened.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nowhere.md", "version": 2},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}]}),
    );
    // A change far past the end of an open document, and one inside the emoji's surrogate pair.
    open(&mut client, POLICY);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 999, "character": 5}, "end": {"line": 1200, "character": 0}}, "text": "\nSist oppdatert: 1. mars 2025\n"}]}),
    );
    let emoji_middle = "# Personvernerklæring for Blåbær AS "
        .encode_utf16()
        .count()
        + 1;
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3},
               "contentChanges": [{"range": {"start": {"line": 0, "character": emoji_middle}, "end": {"line": 0, "character": emoji_middle}}, "text": "!"}]}),
    );
    let publish = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["version"] == 3
    });
    assert!(
        !codes(&publish).contains(&"last-updated-missing".to_string()),
        "the date was appended at the end"
    );

    // Malformed JSON with a correct length, then an unknown request: both answered with errors.
    client.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let unknown = client.request("privacy/unknownMethod", json!({}));
    assert_eq!(
        unknown["error"]["code"], -32601,
        "method not found: {unknown}"
    );

    // Pulling diagnostics of a document that is not open answers an empty report.
    let report = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": "file:///nowhere.md"}}),
    );
    assert_eq!(report["result"]["items"], json!([]));
    assert!(client.shutdown().success());
}

#[test]
fn markdown_that_is_not_a_policy_stays_quiet() {
    let mut client = LspClient::start();
    client.request("initialize", json!({"processId": null, "capabilities": {}}));
    client.notify("initialized", json!({}));
    let readme = "file:///tmp/project/README.md";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": readme, "languageId": "markdown", "version": 1,
               "text": "# Widget\n\nRun `make` to build it. See CHANGELOG.md for changes.\n"}}),
    );
    let publish = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["uri"] == readme
    });
    assert_eq!(
        publish["params"]["diagnostics"],
        json!([]),
        "a README gets no findings"
    );
    // A new, still empty file named like a policy gets findings from the start.
    let policy = "file:///tmp/project/personvern.md";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": policy, "languageId": "markdown", "version": 1, "text": ""}}),
    );
    let publish = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["uri"] == policy
    });
    assert!(codes(&publish).contains(&"controller-identity".to_string()));
    assert!(client.shutdown().success());
}

#[test]
fn hover_on_a_processor_and_on_a_finding() {
    let mut client = LspClient::start();
    let init = client.request("initialize", json!({"processId": null, "capabilities": {}}));
    assert_eq!(init["result"]["capabilities"]["hoverProvider"], true);
    client.notify("initialized", json!({}));
    let text = "# Personvernerklæring\n\nNyhetsbrevet sendes med MailChimp.\n";
    open(&mut client, text);
    let character = "Nyhetsbrevet sendes med Mail".encode_utf16().count();
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 2, "character": character}}),
    );
    let value = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(hover["result"]["contents"]["kind"], "markdown");
    assert!(value.contains("Intuit Inc. (US)"), "{value}");
    assert_eq!(
        hover["result"]["range"]["start"],
        json!({"line": 2, "character": 24})
    );
    let on_title = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 4}}),
    );
    let value = on_title["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(value.contains("controller-identity"), "{value}");
    assert!(value.contains("Dette oppfyller kravet:"), "{value}");
    let nowhere = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nowhere.md"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(nowhere["result"], Value::Null);
    assert!(client.shutdown().success());
}

#[test]
fn completion_of_legal_bases_and_processors() {
    let mut client = LspClient::start();
    let init = client.request("initialize", json!({"processId": null, "capabilities": {}}));
    assert!(init["result"]["capabilities"]["completionProvider"]["triggerCharacters"].is_array());
    client.notify("initialized", json!({}));
    let text = "# Personvernerklæring\n\nGrunnlaget er artikkel 6 nr. 1 bokstav \n\nNyhetsbrevet sendes med Mailc\n";
    open(&mut client, text);
    let after_bokstav = "Grunnlaget er artikkel 6 nr. 1 bokstav "
        .encode_utf16()
        .count();
    let response = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": 2, "character": after_bokstav}}),
    );
    let items = response["result"].as_array().cloned().unwrap_or_default();
    let f = items
        .iter()
        .find(|i| i["textEdit"]["newText"] == "f (berettiget interesse)")
        .expect("6(1)(f) offered");
    assert!(
        f["documentation"]["value"]
            .as_str()
            .is_some_and(|d| d.contains("berettigede interessene")),
        "{f}"
    );
    assert_eq!(items.len(), 6);
    let after_prefix = "Nyhetsbrevet sendes med Mailc".encode_utf16().count();
    let response = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": 4, "character": after_prefix}}),
    );
    let items = response["result"].as_array().cloned().unwrap_or_default();
    let mailchimp = items
        .iter()
        .find(|i| i["label"] == "Mailchimp")
        .expect("Mailchimp offered");
    assert!(
        mailchimp["detail"]
            .as_str()
            .is_some_and(|d| d.contains(" · US · ")),
        "{mailchimp}"
    );
    assert_eq!(
        mailchimp["textEdit"]["range"]["start"],
        json!({"line": 4, "character": 24})
    );
    assert!(client.shutdown().success());
}

fn hover_at(client: &mut LspClient, uri: &str, line: u32, before: &str) -> Value {
    let character = before.encode_utf16().count();
    client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
    )
}

#[test]
fn hover_on_article_references_in_norwegian_and_english() {
    let mut client = LspClient::start();
    client.request("initialize", json!({"processId": null, "capabilities": {}}));
    client.notify("initialized", json!({}));
    let nb = "# Personvernerklæring\n\n\
Grunnlaget er artikkel 6 nr. 1 bokstav f. Du får informasjon etter art. 13 nr. 2 bokstav a.\n\n\
Helseopplysninger behandles bare etter personvernforordningen artikkel 9.\n";
    open(&mut client, nb);
    let hover = hover_at(&mut client, URI, 2, "Grunnlaget er artikkel 6 nr");
    assert_eq!(
        hover["result"]["range"],
        json!({"start": {"line": 2, "character": 14}, "end": {"line": 2, "character": 40}})
    );
    let value = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(
        value.starts_with("**Artikkel 6 nr. 1 bokstav f** · Behandlingens lovlighet"),
        "{value}"
    );
    assert!(
        value.contains(
            "> f) behandlingen er nødvendig for formål knyttet til de berettigede interessene"
        ),
        "{value}"
    );
    assert!(
        value.contains("https://lovdata.no/lov/2018-06-15-38/gdpr/a6"),
        "{value}"
    );
    assert!(value.contains("Prop. 56 LS"), "{value}");

    let line =
        "Grunnlaget er artikkel 6 nr. 1 bokstav f. Du får informasjon etter art. 13 nr. 2 bokst";
    let hover = hover_at(&mut client, URI, 2, line);
    let value = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(
        value.starts_with("**Artikkel 13 nr. 2 bokstav a** · Informasjon som skal gis"),
        "{value}"
    );
    assert!(
        value.contains("> a) det tidsrom personopplysningene vil bli lagret"),
        "{value}"
    );

    let hover = hover_at(
        &mut client,
        URI,
        4,
        "Helseopplysninger behandles bare etter personvern",
    );
    assert_eq!(
        hover["result"]["range"]["start"],
        json!({"line": 4, "character": 39})
    );
    let value = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(
        value.contains("Behandling av særlige kategorier av personopplysninger"),
        "{value}"
    );
    assert!(value.contains("**1.** "), "{value}");

    let en_uri = "file:///tmp/privacy.md";
    let en = "# Privacy policy\n\nWe process usage data under Article 6(1)(f), as Art. 13 GDPR requires us to tell you.\n";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": en_uri, "languageId": "markdown", "version": 1, "text": en}}),
    );
    let hover = hover_at(&mut client, en_uri, 2, "We process usage data under Arti");
    assert_eq!(
        hover["result"]["range"],
        json!({"start": {"line": 2, "character": 28}, "end": {"line": 2, "character": 43}})
    );
    let value = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(
        value.starts_with("**Article 6(1)(f)** · Lawfulness of processing"),
        "{value}"
    );
    assert!(
        value.contains("legitimate interests pursued by the controller"),
        "{value}"
    );
    assert!(
        value.contains("https://eur-lex.europa.eu/eli/reg/2016/679/oj#art_6"),
        "{value}"
    );
    assert!(value.contains("© European Union"), "{value}");
    let hover = hover_at(
        &mut client,
        en_uri,
        2,
        "We process usage data under Article 6(1)(f), as Art. 13 GD",
    );
    let value = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(value.starts_with("**Article 13** · Information to be provided where personal data are collected from the data subject"), "{value}");
    assert!(client.shutdown().success());
}

fn completion_at(client: &mut LspClient, line: u32, before: &str) -> Vec<Value> {
    let character = before.encode_utf16().count();
    let response = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}}),
    );
    response["result"].as_array().cloned().unwrap_or_default()
}

#[test]
fn completion_of_articles_paragraphs_and_points() {
    let mut client = LspClient::start();
    client.request("initialize", json!({"processId": null, "capabilities": {}}));
    client.notify("initialized", json!({}));
    let text = "# Personvernerklæring\n\njf. artikkel \n\njf. artikkel 1\n\njf. artikkel 13 nr. \n\njf. artikkel 13 nr. 2 bokstav \n";
    open(&mut client, text);
    let articles = completion_at(&mut client, 2, "jf. artikkel ");
    assert_eq!(articles.len(), 99);
    assert_eq!(articles[0]["textEdit"]["newText"], "6");
    assert_eq!(articles[0]["detail"], "Behandlingens lovlighet");
    assert_eq!(articles[2]["textEdit"]["newText"], "13");

    let starting_with_1 = completion_at(&mut client, 4, "jf. artikkel 1");
    assert!(starting_with_1.iter().all(|i| {
        i["textEdit"]["newText"]
            .as_str()
            .is_some_and(|t| t.starts_with('1'))
    }));
    assert_eq!(starting_with_1[0]["textEdit"]["newText"], "13");
    assert_eq!(
        starting_with_1[0]["textEdit"]["range"],
        json!({"start": {"line": 4, "character": 13}, "end": {"line": 4, "character": 14}})
    );

    let paragraphs = completion_at(&mut client, 6, "jf. artikkel 13 nr. ");
    let numbers: Vec<_> = paragraphs
        .iter()
        .map(|i| i["textEdit"]["newText"].clone())
        .collect();
    assert_eq!(numbers, ["1", "2", "3", "4"]);

    let points = completion_at(&mut client, 8, "jf. artikkel 13 nr. 2 bokstav ");
    let letters: Vec<_> = points
        .iter()
        .map(|i| i["textEdit"]["newText"].clone())
        .collect();
    assert_eq!(letters, ["a", "b", "c", "d", "e", "f"]);
    assert!(
        points[0]["documentation"]["value"]
            .as_str()
            .is_some_and(|d| d.contains("det tidsrom personopplysningene vil bli lagret"))
    );
    assert!(client.shutdown().success());
}

#[test]
fn versions_that_skip_numbers_are_applied() {
    // Neovim numbers versions by its change tick: 0 on open, then 5, 9, ...
    let mut client = LspClient::start();
    client.request("initialize", json!({"processId": null, "capabilities": {}}));
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "markdown", "version": 0, "text": POLICY}}),
    );
    let first = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["version"] == 0
    });
    assert!(codes(&first).contains(&"right-restriction".to_string()));
    let end = POLICY.lines().count() as u32;
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 5}, "contentChanges": [{
            "range": {"start": {"line": end, "character": 0}, "end": {"line": end, "character": 0}},
            "text": "Du kan også be om begrensning av behandlingen.\n"}]}),
    );
    let second = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["version"] == 5
    });
    assert!(
        !codes(&second).contains(&"right-restriction".to_string()),
        "{second}"
    );
    assert!(client.shutdown().success());
}
