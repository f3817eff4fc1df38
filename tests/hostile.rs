//! Hostile documents over stdio: each gets an answer and the server keeps serving. A NUL-laden
//! "binary" text, a 100,000-character line, 10,000 nested list items, 5,000 headings, and
//! requests at positions past the end.

mod support;

use serde_json::{Value, json};
use support::LspClient;

fn open_and_probe(client: &mut LspClient, name: &str, text: &str) {
    let uri = format!("file:///tmp/hostile/{name}/personvern.md");
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
    );
    let publish = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["uri"] == uri.as_str()
    });
    assert!(publish["params"]["diagnostics"].is_array(), "{name}");
    for method in [
        "textDocument/documentSymbol",
        "textDocument/foldingRange",
        "textDocument/semanticTokens/full",
        "textDocument/codeLens",
    ] {
        let response = client.request(method, json!({"textDocument": {"uri": uri}}));
        assert!(
            response.get("error").is_none(),
            "{name}: {method}: {response}"
        );
    }
    for (line, character) in [(0, 0), (3, 7), (1_000_000, 5)] {
        let hover = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        );
        assert!(hover.get("error").is_none(), "{name}: hover: {hover}");
        let completion = client.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        );
        assert!(
            completion.get("error").is_none(),
            "{name}: completion: {completion}"
        );
    }
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 999_999, "character": 0}}, "context": {"diagnostics": []}}),
    );
    assert!(
        actions.get("error").is_none(),
        "{name}: code actions: {actions}"
    );
}

#[test]
fn hostile_documents_get_answers_and_the_server_keeps_serving() {
    let mut client = LspClient::start();
    client.request("initialize", json!({"processId": null, "capabilities": {}}));
    client.notify("initialized", json!({}));

    let binary: String = (0..20_000u32)
        .map(|i| char::from_u32((i * 7919) % 0x2FF).unwrap_or('\0'))
        .collect();
    open_and_probe(&mut client, "binary", &binary);

    let long_line = format!(
        "# Personvern\n\n{}\n",
        "Vi lagrer e-post i 3 år. ".repeat(4_000)
    );
    assert!(long_line.len() > 100_000);
    open_and_probe(&mut client, "long-line", &long_line);

    let nested: String = (0..10_000)
        .map(|depth| format!("{}- punkt {depth}\n", "  ".repeat(depth % 400)))
        .collect();
    open_and_probe(&mut client, "nested-list", &nested);

    let headings: String = (0..5_000)
        .map(|i| format!("## Overskrift {i}\n\nTekst {i}.\n\n"))
        .collect();
    open_and_probe(&mut client, "headings", &headings);

    // Still serving: a fresh small policy gets its diagnostics.
    let uri = "file:///tmp/hostile/after/personvern.md";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1,
            "text": "# Personvernerklæring\n\nEksempel AS er behandlingsansvarlig.\n"}}),
    );
    let publish = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["uri"] == uri
    });
    let codes: Vec<Value> = publish["params"]["diagnostics"]
        .as_array()
        .map(|d| d.iter().map(|x| x["code"].clone()).collect())
        .unwrap_or_default();
    assert!(codes.contains(&json!("controller-contact")), "{codes:?}");
    assert!(client.shutdown().success());
}
