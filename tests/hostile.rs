//! Hostile documents over stdio: each gets an answer and the server keeps serving. A NUL-laden
//! "binary" text, a 100,000-character line, 10,000 nested list items, 5,000 headings, and
//! requests at positions past the end; broken framing (no or wrong Content-Length); and a
//! 10 MB document.

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

#[test]
fn broken_framing_costs_only_the_broken_message() {
    let mut client = LspClient::start();
    client.request("initialize", json!({"processId": null, "capabilities": {}}));
    client.notify("initialized", json!({}));
    // A header block without Content-Length, then a Content-Length that is not a number.
    client.send_raw(b"Content-Type: application/vscode-jsonrpc\r\n\r\n");
    client.send_raw(b"Content-Length: many\r\n\r\n");
    // A length shorter than the body: the cut body is not JSON and is dropped; the rest of it
    // is skipped as a header line, and the next message is read normally.
    let body = br#"{"jsonrpc":"2.0","id":900,"method":"textDocument/hover","params":{}}"#;
    let mut short = format!("Content-Length: {}\r\n\r\n", body.len() - 10).into_bytes();
    short.extend_from_slice(body);
    client.send_raw(&short);
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": "file:///nowhere.md"}}),
    );
    assert!(symbols.get("error").is_none(), "{symbols}");
    // A length longer than the body swallows the start of what follows; the server recovers
    // at the next header it can read, and answers again.
    client.send_raw(b"Content-Length: 40\r\n\r\n{\"jsonrpc\":\"2.0\"}");
    let swallowed = json!({"textDocument": {"uri": "file:///nowhere.md"}});
    client.send_request("textDocument/foldingRange", swallowed.clone());
    let next = client.send_request("textDocument/foldingRange", swallowed);
    let response = client.response(next);
    assert!(response.get("error").is_none(), "{response}");
    assert!(client.shutdown().success());
}

#[test]
fn a_ten_megabyte_document_is_kept_but_not_analysed_and_the_user_is_told() {
    let mut client = LspClient::start();
    client.request("initialize", json!({"processId": null, "capabilities": {}}));
    client.notify("initialized", json!({}));
    let paragraph = "Vi behandler personopplysninger om kundene våre for å levere tjenesten. ";
    let mut text = String::from("# Personvernerklæring\n\n");
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(paragraph);
        text.push_str("\n\n");
    }
    let uri = "file:///tmp/hostile/huge/personvern.md";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
    );
    let publish = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["uri"] == uri
    });
    assert_eq!(publish["params"]["diagnostics"], json!([]));
    let told = client.wait_for("window/showMessage", |n| {
        n["params"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("privacy-lsp check"))
    });
    assert_eq!(told["params"]["type"], 2, "a warning: {told}");
    // Edits still apply, requests are answered, and a normal document is analysed as before.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}]}),
    );
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 5}}),
    );
    assert!(hover.get("error").is_none(), "{hover}");
    open_and_probe(
        &mut client,
        "after-huge",
        "# Personvernerklæring\n\nVi bruker Mailchimp.\n",
    );
    assert!(client.shutdown().success());
}
