//! Code actions over stdio: each carries its WorkspaceEdit; applying it (as the editor
//! would) removes the finding. "Disable for the project" edits or creates privacy-lsp.toml.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::LspClient;

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("privacy-lsp-actions-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

const POLICY: &str = "# Personvernerklæring\n\n\
Eksempel AS er behandlingsansvarlig. Kontakt oss på post@eksempel.example.\n\n\
Vi bruker leverandører som er sertifisert under Privacy Shield.\n";

fn start(dir: &Path) -> LspClient {
    let mut client = LspClient::start();
    let init = client.request(
        "initialize",
        json!({
            "processId": null,
            "workspaceFolders": [{"uri": uri(dir), "name": "w"}],
            "capabilities": {"workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]}}},
        }),
    );
    assert_eq!(
        init["result"]["capabilities"]["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"])
    );
    client.notify("initialized", json!({}));
    client
}

fn diagnostics_for(client: &mut LspClient, uri: &str, version: i64) -> Vec<Value> {
    let publish = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["uri"] == uri && n["params"]["version"] == version
    });
    publish["params"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Applies LSP text edits (UTF-16 positions; the test texts are within the BMP).
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| -> usize {
        let line = position["line"].as_u64().unwrap_or(0) as usize;
        let character = position["character"].as_u64().unwrap_or(0) as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let line_text = text[start..].split('\n').next().unwrap_or("");
        start
            + line_text
                .chars()
                .take(character)
                .map(char::len_utf8)
                .sum::<usize>()
    };
    let mut sorted: Vec<&Value> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(offset(&e["range"]["start"])));
    let mut out = text.to_string();
    for edit in sorted {
        let (start, end) = (
            offset(&edit["range"]["start"]),
            offset(&edit["range"]["end"]),
        );
        out.replace_range(start..end, edit["newText"].as_str().unwrap_or(""));
    }
    out
}

#[test]
fn a_quick_fix_carries_its_edit_and_applying_it_clears_the_finding() {
    let dir = scratch("fix");
    let path = dir.join("personvern.md");
    let doc = uri(&path);
    let mut client = start(&dir);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "markdown", "version": 1, "text": POLICY}}),
    );
    let diagnostics = diagnostics_for(&mut client, &doc, 1);
    let outdated = diagnostics
        .iter()
        .find(|d| d["code"] == "outdated-reference")
        .cloned()
        .expect("Privacy Shield is outdated");
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": outdated["range"], "context": {"diagnostics": [outdated]}}),
    );
    let actions = response["result"].as_array().cloned().unwrap_or_default();
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(
        titles.contains(&"Ignorer outdated-reference her"),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Disable outdated-reference for the project (privacy-lsp.toml)"),
        "{titles:?}"
    );
    let replace = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Erstatt med"))
        })
        .expect("replace offered");
    assert_eq!(replace["kind"], "quickfix");
    assert_eq!(replace["diagnostics"][0]["code"], "outdated-reference");
    assert!(replace.get("command").is_none(), "no client-side command");
    let change = &replace["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"], json!({"uri": doc, "version": 1}));
    let edits = change["edits"].as_array().cloned().unwrap_or_default();
    let fixed = apply(POLICY, &edits);
    assert!(fixed.contains("EU-U.S. Data Privacy Framework"), "{fixed}");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let after = diagnostics_for(&mut client, &doc, 2);
    assert!(
        after.iter().all(|d| d["code"] != "outdated-reference"),
        "{after:?}"
    );
    assert!(after.len() < diagnostics.len());

    // The rights fix inserts a section listing exactly the missing rights.
    let missing_rights_before = after.clone();
    let missing_rights: Vec<Value> = after
        .iter()
        .filter(|d| d["code"].as_str().is_some_and(|c| c.starts_with("right-")))
        .cloned()
        .collect();
    let first = &missing_rights[0];
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": first["range"], "context": {"diagnostics": [first]}}),
    );
    let rights = response["result"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|x| {
                    x["title"]
                        .as_str()
                        .is_some_and(|t| t.starts_with("Legg til rettighetene"))
                })
                .cloned()
        })
        .expect("rights fix");
    assert_eq!(
        rights["diagnostics"].as_array().map(Vec::len),
        Some(missing_rights.len())
    );
    let edits = rights["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let with_rights = apply(&fixed, &edits);
    assert!(
        with_rights.contains("\n## Dine rettigheter\n"),
        "{with_rights}"
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 3}, "contentChanges": [{"text": with_rights}]}),
    );
    let after = diagnostics_for(&mut client, &doc, 3);
    assert!(
        after
            .iter()
            .all(|d| !d["code"].as_str().is_some_and(|c| c.starts_with("right-"))),
        "{after:?}"
    );
    let errors = |list: &[Value]| -> Vec<String> {
        list.iter()
            .filter(|d| d["severity"] == 1)
            .filter_map(|d| d["code"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(
        errors(&after),
        errors(&missing_rights_before),
        "no new error"
    );
    assert!(client.shutdown().success());
}

#[test]
fn disabling_a_rule_creates_or_edits_the_project_file() {
    let dir = scratch("disable");
    let path = dir.join("personvern.md");
    let doc = uri(&path);
    let mut client = start(&dir);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "markdown", "version": 1, "text": POLICY}}),
    );
    let diagnostics = diagnostics_for(&mut client, &doc, 1);
    let target = diagnostics
        .iter()
        .find(|d| d["code"] == "dpo-contact")
        .cloned()
        .expect("dpo-contact");
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": target["range"], "context": {"diagnostics": [target]}}),
    );
    let disable = response["result"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|x| x["title"] == "Disable dpo-contact for the project (privacy-lsp.toml)")
                .cloned()
        })
        .expect("disable offered");
    let operations = disable["edit"]["documentChanges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(operations[0]["kind"], "create");
    assert_eq!(operations[0]["uri"], uri(&dir.join("privacy-lsp.toml")));
    assert_eq!(
        operations[1]["edits"][0]["newText"],
        "[rules]\ndpo-contact = \"off\"\n"
    );

    // Once the file exists, the action edits its [rules] table instead.
    std::fs::write(
        dir.join("privacy-lsp.toml"),
        "language = \"nb\"\n\n[rules]\nright-access = \"warning\"\n",
    )
    .expect("config");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&dir.join("privacy-lsp.toml")), "type": 1}]}),
    );
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": target["range"], "context": {"diagnostics": [target]}}),
    );
    let disable = response["result"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|x| x["title"] == "Disable dpo-contact for the project (privacy-lsp.toml)")
                .cloned()
        })
        .expect("disable offered");
    let edits = &disable["edit"]["changes"][uri(&dir.join("privacy-lsp.toml"))];
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 4, "character": 0})
    );
    assert_eq!(edits[0]["newText"], "dpo-contact = \"off\"\n");
    assert!(client.shutdown().success());
}
