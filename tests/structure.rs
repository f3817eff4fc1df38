//! Protocol tests of the policy's structure over stdio: document symbols labelled with the
//! Art. 13/14 items, folding ranges, semantic tokens with a standard legend, inlay hints
//! after processors, and the coverage lens with its command.

mod support;

use serde_json::{Value, json};
use support::LspClient;

const URI: &str = "file:///tmp/personvern.md";

const POLICY: &str = "# Personvernerklæring\n\n\
Eksempel AS er behandlingsansvarlig. Kontakt oss på post@eksempel.example.\n\n\
## Nyhetsbrev\n\n\
Nyhetsbrevet sendes med Mailchimp, med grunnlag i samtykke (artikkel 6 nr. 1 bokstav a).\n\n\
## Dine rettigheter\n\n\
Du har rett til innsyn, retting og sletting.\n\n\
### Klage\n\n\
Du kan klage til Datatilsynet.\n";

fn start() -> LspClient {
    let mut client = LspClient::start();
    let init = client.request("initialize", json!({"processId": null, "capabilities": {}}));
    let capabilities = &init["result"]["capabilities"];
    assert_eq!(capabilities["documentSymbolProvider"], true);
    assert_eq!(capabilities["foldingRangeProvider"], true);
    assert_eq!(capabilities["codeLensProvider"]["resolveProvider"], false);
    assert_eq!(
        capabilities["executeCommandProvider"]["commands"],
        json!(["privacy-lsp.showMissing"])
    );
    assert_eq!(
        capabilities["semanticTokensProvider"]["legend"]["tokenTypes"],
        json!(["enumMember", "macro", "class", "function", "namespace"])
    );
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "markdown", "version": 1, "text": POLICY}}),
    );
    client
}

fn document() -> Value {
    json!({"uri": URI})
}

#[test]
fn symbols_are_sections_labelled_with_their_items_and_fold() {
    let mut client = start();
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": document()}),
    );
    let root = &symbols["result"][0];
    assert_eq!(root["name"], "Personvernerklæring · art. 13(1)(a)");
    assert_eq!(root["range"]["start"], json!({"line": 0, "character": 0}));
    assert_eq!(root["range"]["end"], json!({"line": 14, "character": 30}));
    assert_eq!(
        root["selectionRange"]["start"],
        json!({"line": 0, "character": 2})
    );
    let children: Vec<_> = root["children"]
        .as_array()
        .map(|c| c.iter().map(|s| s["name"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(
        children,
        [
            json!("Nyhetsbrev · art. 6(1), 13(1)(e)"),
            json!("Dine rettigheter · art. 15–22")
        ]
    );
    assert_eq!(
        root["children"][1]["children"][0]["name"],
        "Klage · art. 77"
    );
    assert_eq!(
        root["children"][1]["children"][0]["detail"],
        "klage til tilsynsmyndighet"
    );

    let folds = client.request(
        "textDocument/foldingRange",
        json!({"textDocument": document()}),
    );
    let lines: Vec<(u64, u64)> = folds["result"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|r| {
                    (
                        r["startLine"].as_u64().unwrap_or(99),
                        r["endLine"].as_u64().unwrap_or(99),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(lines, [(0, 14), (4, 6), (8, 14), (12, 14)]);
    assert!(client.shutdown().success());
}

#[test]
fn semantic_tokens_and_inlay_hints() {
    let mut client = start();
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": document()}),
    );
    let data: Vec<u64> = tokens["result"]["data"]
        .as_array()
        .map(|d| d.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    // Decode (line, start, length, type) from the relative encoding.
    let mut decoded = Vec::new();
    let (mut line, mut start) = (0, 0);
    for chunk in data.chunks(5) {
        if chunk[0] > 0 {
            start = 0;
        }
        line += chunk[0];
        start += chunk[1];
        decoded.push((line, start, chunk[2], chunk[3]));
    }
    let text_of = |(line, start, length, _): (u64, u64, u64, u64)| -> String {
        let line_text: Vec<u16> = POLICY
            .lines()
            .nth(line as usize)
            .unwrap_or("")
            .encode_utf16()
            .collect();
        String::from_utf16_lossy(&line_text[start as usize..(start + length) as usize])
    };
    let named: Vec<(String, u64)> = decoded.iter().map(|t| (text_of(*t), t.3)).collect();
    assert!(named.contains(&("Mailchimp".to_string(), 2)), "{named:?}");
    assert!(
        named.contains(&("artikkel 6 nr. 1 bokstav a".to_string(), 1)),
        "{named:?}"
    );
    assert!(named.contains(&("samtykke".to_string(), 0)), "{named:?}");
    assert!(
        named.contains(&("Datatilsynet".to_string(), 4)),
        "{named:?}"
    );
    assert!(named.iter().any(|(_, kind)| *kind == 3), "{named:?}");

    let hints = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": document(), "range": {"start": {"line": 0, "character": 0}, "end": {"line": 13, "character": 0}}}),
    );
    let hint = &hints["result"][0];
    let after = "Nyhetsbrevet sendes med Mailchimp".encode_utf16().count();
    assert_eq!(hint["position"], json!({"line": 6, "character": after}));
    assert!(
        hint["label"]
            .as_str()
            .is_some_and(|l| l.starts_with("US · ") && l.contains("DPF")),
        "{hint}"
    );
    assert_eq!(hints["result"].as_array().map(Vec::len), Some(1));
    assert!(client.shutdown().success());
}

#[test]
fn the_coverage_lens_runs_a_command_that_lists_what_is_missing() {
    let mut client = start();
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": document()}));
    let lens = &lenses["result"][0];
    let title = lens["command"]["title"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        title.starts_with("Art. 13: ") && title.ends_with(" av 14 punkt"),
        "{title}"
    );
    assert_eq!(lens["command"]["command"], "privacy-lsp.showMissing");
    let given: usize = title
        .trim_start_matches("Art. 13: ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(99);
    let result = client.request(
        "workspace/executeCommand",
        json!({"command": "privacy-lsp.showMissing", "arguments": lens["command"]["arguments"]}),
    );
    let message = result["result"].as_str().unwrap_or_default().to_string();
    assert!(
        message.starts_with("Mangler eller er ufullstendig: "),
        "{message}"
    );
    assert!(message.contains("formål (art. 13(1)(c))"), "{message}");
    assert_eq!(message.matches(" (art. ").count(), 14 - given, "{message}");
    let shown = client.wait_for("window/showMessage", |_| true);
    assert_eq!(shown["params"]["message"], message.as_str());
    let unknown = client.request(
        "workspace/executeCommand",
        json!({"command": "nope", "arguments": []}),
    );
    assert_eq!(unknown["error"]["code"], -32602);
    assert!(client.shutdown().success());
}

#[test]
fn a_readme_gets_no_tokens_hints_or_lens() {
    let mut client = start();
    let readme = "file:///tmp/README.md";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": readme, "languageId": "markdown", "version": 1,
            "text": "# Tooling\n\nWe build with Mailchimp's API client and deploy to AWS.\n"}}),
    );
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": readme}}),
    );
    assert_eq!(tokens["result"]["data"], json!([]));
    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": readme}}),
    );
    assert_eq!(lenses["result"], Value::Null);
    assert!(client.shutdown().success());
}
