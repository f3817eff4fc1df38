//! Fuzzing the server with JSON-RPC: arbitrary sequences of requests and notifications, with
//! well-formed or arbitrary params, unknown methods, cancellations, unopened documents,
//! positions anywhere, and bodies that are not JSON. The server runs in-process over pipes
//! (`privacy_lsp::server::serve`). Every request must get exactly one answer, none of them an
//! internal error (a caught panic), and the server must still shut down cleanly.
//!
//! A short run is part of `cargo test`. A long run:
//! `PROPTEST_CASES=100000 cargo test --release --test fuzz_protocol`.

use std::collections::BTreeMap;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// One thing the client sends.
#[derive(Debug, Clone)]
enum Message {
    Request(String, Value),
    Notification(String, Value),
    /// Bytes framed with a correct length that are not a JSON-RPC message.
    RawBody(Vec<u8>),
    /// A header block without Content-Length.
    HeaderOnly,
}

const URIS: [&str; 5] = [
    "file:///fuzz/personvern.md",
    "file:///fuzz/README.md",
    "file:///fuzz/notes.txt",
    "file:///nowhere/never-opened.md",
    "untitled:Untitled-1",
];

const PIECES: [&str; 16] = [
    "# Personvernerklæring\n",
    "## Dine rettigheter\n",
    "Vi bruker Google Analytics og Mailchimp.\n",
    "Behandlingsgrunnlaget er artikkel 6 nr. 1 bokstav f.\n",
    "Du kan klage til Datatilsynet.\n",
    "- innsyn\n- sletting\n",
    "```\ncode\n```\n",
    "<!-- privacy-lsp: ignore all -->\n",
    "Privacy Shield og NSD.\n",
    "\n",
    "😀 ǅ e\u{301} \u{0}\r\n",
    "> sitat\n",
    "| a | b |\n|---|---|\n",
    "Article 9(2)(a) GDPR, art. 15–22.\n",
    "    ",
    "æøå",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES.to_vec()), 0..12).prop_map(|p| p.concat())
}

fn uri() -> impl Strategy<Value = String> {
    prop::sample::select(URIS.to_vec()).prop_map(str::to_string)
}

/// Positions near the text, far past it, and values that are not positions at all.
fn position() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (0u32..12, 0u32..60).prop_map(|(l, c)| json!({"line": l, "character": c})),
        1 => (any::<u32>(), any::<u32>()).prop_map(|(l, c)| json!({"line": l, "character": c})),
        1 => Just(json!({"line": -1, "character": 0})),
        1 => Just(json!("here")),
    ]
}

fn range() -> impl Strategy<Value = Value> {
    (position(), position()).prop_map(|(start, end)| json!({"start": start, "end": end}))
}

/// Any JSON value, a few levels deep.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m: BTreeMap<String, Value>| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn document(uri: String) -> Value {
    json!({"textDocument": {"uri": uri}})
}

fn at(uri: String, position: Value) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position})
}

/// Requests with params of the right shape (values anywhere).
fn well_formed_request() -> impl Strategy<Value = Message> {
    let request =
        |method: &'static str| move |params: Value| Message::Request(method.into(), params);
    prop_oneof![
        (uri(), position())
            .prop_map(|(u, p)| at(u, p))
            .prop_map(request("textDocument/hover")),
        (uri(), position())
            .prop_map(|(u, p)| at(u, p))
            .prop_map(request("textDocument/completion")),
        (uri(), range())
            .prop_map(|(u, r)| json!({"textDocument": {"uri": u}, "range": r,
                                       "context": {"diagnostics": []}}))
            .prop_map(request("textDocument/codeAction")),
        uri()
            .prop_map(document)
            .prop_map(request("textDocument/documentSymbol")),
        uri()
            .prop_map(document)
            .prop_map(request("textDocument/foldingRange")),
        uri()
            .prop_map(document)
            .prop_map(request("textDocument/semanticTokens/full")),
        (uri(), range())
            .prop_map(|(u, r)| json!({"textDocument": {"uri": u}, "range": r}))
            .prop_map(request("textDocument/semanticTokens/range")),
        (uri(), range())
            .prop_map(|(u, r)| json!({"textDocument": {"uri": u}, "range": r}))
            .prop_map(request("textDocument/inlayHint")),
        uri()
            .prop_map(document)
            .prop_map(request("textDocument/codeLens")),
        uri()
            .prop_map(document)
            .prop_map(request("textDocument/diagnostic")),
        (uri(), arbitrary_json())
            .prop_map(|(u, extra)| json!({"command": "privacy-lsp.showMissing",
                                          "arguments": [u, extra]}))
            .prop_map(request("workspace/executeCommand")),
        Just(Message::Request(
            "initialize".into(),
            json!({"capabilities": {}})
        )),
    ]
}

fn well_formed_notification() -> impl Strategy<Value = Message> {
    let notify =
        |method: &'static str| move |params: Value| Message::Notification(method.into(), params);
    prop_oneof![
        3 => (uri(), text(), prop::sample::select(vec!["markdown", "plaintext", "rust"]))
            .prop_map(|(u, t, l)| json!({"textDocument": {"uri": u, "languageId": l, "version": 1, "text": t}}))
            .prop_map(notify("textDocument/didOpen")),
        6 => (uri(), -2i32..40, prop::option::of(range()), text())
            .prop_map(|(u, v, r, t)| {
                let change = match r {
                    Some(r) => json!({"range": r, "text": t}),
                    None => json!({"text": t}),
                };
                json!({"textDocument": {"uri": u, "version": v}, "contentChanges": [change]})
            })
            .prop_map(notify("textDocument/didChange")),
        1 => uri().prop_map(document).prop_map(notify("textDocument/didClose")),
        1 => arbitrary_json()
            .prop_map(|s| json!({"settings": {"privacyLsp": s}}))
            .prop_map(notify("workspace/didChangeConfiguration")),
        1 => (uri(), 1u8..4)
            .prop_map(|(u, t)| json!({"changes": [{"uri": u.replace("personvern.md", "privacy-lsp.toml"), "type": t}]}))
            .prop_map(notify("workspace/didChangeWatchedFiles")),
        1 => (0i64..60).prop_map(|id| json!({"id": id})).prop_map(notify("$/cancelRequest")),
    ]
}

fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        8 => well_formed_notification(),
        6 => well_formed_request(),
        // Known and unknown methods with params of any shape.
        2 => (
            prop::sample::select(vec![
                "textDocument/hover",
                "textDocument/didChange",
                "textDocument/didOpen",
                "textDocument/codeAction",
                "workspace/executeCommand",
                "privacy/unknown",
                "$/unknownNotification",
            ]),
            arbitrary_json(),
            any::<bool>(),
        )
            .prop_map(|(method, params, request)| if request {
                Message::Request(method.to_string(), params)
            } else {
                Message::Notification(method.to_string(), params)
            }),
        1 => prop::collection::vec(any::<u8>(), 0..40).prop_map(Message::RawBody),
        1 => Just(Message::HeaderOnly),
    ]
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

async fn read_frame(reader: &mut (impl tokio::io::AsyncBufRead + Unpin)) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).await.ok()?;
    serde_json::from_slice(&body).ok()
}

/// Runs one session and returns the problems found (empty when the server behaved).
async fn session(pull: bool, messages: Vec<Message>) -> Result<(), String> {
    let (mut to_server, server_in) = tokio::io::duplex(1 << 20);
    let (server_out, from_server) = tokio::io::duplex(1 << 20);
    let server = tokio::spawn(privacy_lsp::server::serve(server_in, server_out));
    let (sender, mut incoming) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut reader = BufReader::new(from_server);
        while let Some(message) = read_frame(&mut reader).await {
            if sender.send(message).is_err() {
                break;
            }
        }
    });

    let capabilities = if pull {
        json!({"textDocument": {"diagnostic": {}}})
    } else {
        json!({})
    };
    let mut bytes = Vec::new();
    let send =
        |bytes: &mut Vec<u8>, message: Value| bytes.extend(frame(message.to_string().as_bytes()));
    send(
        &mut bytes,
        json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                "params": {"processId": null, "capabilities": capabilities}}),
    );
    to_server
        .write_all(&std::mem::take(&mut bytes))
        .await
        .map_err(|e| format!("write: {e}"))?;
    // A client waits for the answer to `initialize` before it sends anything else.
    let initialized = tokio::time::timeout(Duration::from_secs(10), incoming.recv())
        .await
        .map_err(|_| "no answer to initialize".to_string())?
        .ok_or("the server closed its output")?;
    if initialized["id"] != 0 || initialized.get("result").is_none() {
        return Err(format!("initialize failed: {initialized}"));
    }
    send(
        &mut bytes,
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    let mut expected = Vec::new();
    let mut next_id = 1i64;
    for message in messages {
        match message {
            Message::Request(method, params) => {
                send(
                    &mut bytes,
                    json!({"jsonrpc": "2.0", "id": next_id, "method": method, "params": params}),
                );
                expected.push(next_id);
                next_id += 1;
            }
            Message::Notification(method, params) => send(
                &mut bytes,
                json!({"jsonrpc": "2.0", "method": method, "params": params}),
            ),
            Message::RawBody(body) => bytes.extend(frame(&body)),
            Message::HeaderOnly => bytes.extend(b"Content-Type: text/plain\r\n\r\n"),
        }
    }
    // Out of reach of the random cancellations, which name ids below 60.
    let shutdown = 1_000_000;
    bytes.extend(frame(
        json!({"jsonrpc": "2.0", "id": shutdown, "method": "shutdown"})
            .to_string()
            .as_bytes(),
    ));
    expected.push(shutdown);
    to_server
        .write_all(&bytes)
        .await
        .map_err(|e| format!("write: {e}"))?;

    let mut answered: BTreeMap<i64, Value> = BTreeMap::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while answered.len() < expected.len() {
        let message = tokio::time::timeout_at(deadline, incoming.recv())
            .await
            .map_err(|_| {
                let missing: Vec<_> = expected
                    .iter()
                    .filter(|i| !answered.contains_key(i))
                    .collect();
                format!("no answer in time to requests {missing:?}")
            })?
            .ok_or("the server closed its output")?;
        if message.get("method").is_some() {
            // A request or notification from the server: answer requests with null.
            if let Some(id) = message.get("id") {
                let reply = json!({"jsonrpc": "2.0", "id": id, "result": null});
                let _ = to_server
                    .write_all(&frame(reply.to_string().as_bytes()))
                    .await;
            }
            continue;
        }
        let Some(id) = message["id"].as_i64() else {
            return Err(format!("a response without a request id: {message}"));
        };
        if message["error"]["code"] == -32603 {
            return Err(format!("internal error (a caught panic): {message}"));
        }
        if answered.insert(id, message).is_some() {
            return Err(format!("request {id} was answered twice"));
        }
    }
    if answered[&shutdown].get("result") != Some(&Value::Null) {
        return Err(format!("shutdown failed: {}", answered[&shutdown]));
    }
    let _ = to_server
        .write_all(&frame(br#"{"jsonrpc":"2.0","method":"exit"}"#))
        .await;
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .map_err(|_| "the server did not stop after exit".to_string())?
        .map_err(|e| format!("the server task failed: {e}"))?;
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(48)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn every_request_is_answered_and_the_server_survives(
        pull in any::<bool>(),
        messages in prop::collection::vec(message(), 1..40),
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let outcome = runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(40), session(pull, messages))
                .await
                .unwrap_or_else(|_| Err("the session hung".to_string()))
        });
        runtime.shutdown_background();
        prop_assert!(outcome.is_ok(), "{}", outcome.err().unwrap_or_default());
    }
}
