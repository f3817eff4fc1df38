//! Stale work over stdio: bursts of edits are coalesced, diagnostics never go out for a version
//! the server has moved past, stale changes are dropped, and `$/cancelRequest` is honoured.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{LspClient, codes, frame};

const URI: &str = "file:///tmp/stale/personvern.md";

fn change(version: i64, line: u32, text: &str) -> Value {
    json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": URI, "version": version},
        "contentChanges": [{"range": {"start": {"line": line, "character": 0},
                                      "end": {"line": line, "character": 0}}, "text": text}]}})
}

#[test]
fn a_burst_of_edits_is_coalesced_and_versions_only_move_forward() {
    let mut client = LspClient::start();
    client.request(
        "initialize",
        json!({"processId": null, "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": true}}}}),
    );
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "markdown", "version": 1,
               "text": "# Personvernerklæring\n\nVi behandler personopplysninger.\n"}}),
    );
    client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["version"] == 1
    });

    // Forty keystrokes written in one go, as an editor does when the server falls behind.
    let typed = "Vi bruker Google Analytics til statistikk.";
    let mut burst = Vec::new();
    for (i, c) in typed.chars().take(40).enumerate() {
        burst.extend(frame(&change(2 + i as i64, 3, &c.to_string())));
    }
    client.send_raw(&burst);
    let last = 41;
    let final_publish = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["version"] == last
    });
    let versions: Vec<i64> = client
        .notifications
        .iter()
        .filter(|n| n["method"] == "textDocument/publishDiagnostics")
        .filter_map(|n| n["params"]["version"].as_i64())
        .chain([last])
        .collect();
    assert!(
        versions.windows(2).all(|w| w[0] < w[1]),
        "published versions go only forward: {versions:?}"
    );
    // Measured: 10 publishes for the 40 edits, on a current-thread and a two-worker runtime.
    assert!(
        versions.len() <= 20,
        "fewer than half of 40 queued edits were coalesced: {versions:?}"
    );
    assert!(final_publish["params"]["diagnostics"].is_array());

    // A stale change (an older version) is dropped: its text never shows up.
    client.notifications.clear();
    client.send_raw(&frame(&change(
        7,
        0,
        "Vi overfører data under Privacy Shield.\n",
    )));
    client.send_raw(&frame(&change(last + 1, 3, " ")));
    let publish = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["version"] == last + 1
    });
    assert!(
        !codes(&publish).contains(&"outdated-reference".to_string()),
        "the stale change was applied: {publish}"
    );
    assert!(
        !client.notifications.iter().any(|n| {
            n["method"] == "textDocument/publishDiagnostics" && n["params"]["version"] == 7
        }),
        "diagnostics went out for a stale version"
    );
    assert!(client.shutdown().success());
}

#[test]
fn a_cancelled_request_is_answered_with_request_cancelled() {
    let mut client = LspClient::start();
    // A client that pulls diagnostics. Until `initialized`, the server waits (up to two
    // seconds) for the editor's settings before it answers a pull: a request that is pending.
    client.request(
        "initialize",
        json!({"processId": null, "capabilities": {"textDocument": {"diagnostic": {}}}}),
    );
    let started = Instant::now();
    let id = client.send_request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}}),
    );
    client.notify("$/cancelRequest", json!({"id": id}));
    let response = client.response(id);
    assert_eq!(
        response["error"]["code"], -32800,
        "RequestCancelled: {response}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "the cancelled request ran to its end"
    );

    // The server keeps serving, and cancelling a request that has been answered is harmless.
    client.notify("initialized", json!({}));
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}),
    );
    assert!(hover.get("error").is_none(), "{hover}");
    client.notify("$/cancelRequest", json!({"id": hover["id"]}));
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    assert!(symbols.get("error").is_none(), "{symbols}");
    assert!(client.shutdown().success());
}
