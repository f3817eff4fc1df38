//! Configuration over the protocol: editor settings, the project file laid over them, reload
//! when the file changes, its errors as diagnostics on it, inline directives, and a
//! workspace of ordinary Markdown that stays quiet.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::{LspClient, codes};

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("privacy-lsp-config-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

const POLICY: &str = "# Personvernerklæring\n\n\
Eksempel AS er behandlingsansvarlig. Kontakt oss på post@eksempel.example.\n\n\
## Dine rettigheter\n\n\
Du har rett til innsyn, retting og sletting.\n";

fn start(dir: &Path, editor: Value) -> LspClient {
    let mut client = LspClient::start();
    client.configuration = editor;
    client.request(
        "initialize",
        json!({
            "processId": null,
            "workspaceFolders": [{"uri": uri(dir), "name": "policy"}],
            "capabilities": {"workspace": {"configuration": true, "didChangeWatchedFiles": {"dynamicRegistration": true}}},
        }),
    );
    client.notify("initialized", json!({}));
    client
}

fn open(client: &mut LspClient, path: &Path, text: &str) -> Value {
    let uri = uri(path);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
    );
    client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["uri"] == uri.as_str()
    })
}

#[test]
fn project_settings_override_editor_settings_and_reload_on_change() {
    let dir = scratch("precedence");
    let config = dir.join("privacy-lsp.toml");
    std::fs::write(
        &config,
        "[rules]\nright-restriction = \"error\"\nright-portability = \"off\"\n",
    )
    .expect("config");
    let policy = dir.join("personvern.md");
    let mut client = start(
        &dir,
        json!({"rules": {"right-restriction": "off", "right-complaint": "off"}}),
    );
    let publish = open(&mut client, &policy, POLICY);
    let found = codes(&publish);
    assert!(
        !found.contains(&"right-complaint".to_string()),
        "editor turned it off: {found:?}"
    );
    assert!(
        !found.contains(&"right-portability".to_string()),
        "project turned it off: {found:?}"
    );
    let restriction = publish["params"]["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|x| x["code"] == "right-restriction").cloned());
    assert_eq!(
        restriction.map(|r| r["severity"].clone()),
        Some(json!(1)),
        "project wins: error"
    );
    assert!(
        client
            .server_requests
            .iter()
            .any(|r| r["method"] == "client/registerCapability"
                && r["params"]["registrations"][0]["registerOptions"]["watchers"][0]["globPattern"]
                    == "**/privacy-lsp.toml")
    );

    // A broken file: an error on the file itself, and the editor's settings alone apply.
    client.notifications.clear();
    std::fs::write(
        &config,
        "[rules]\nright-portability = \"loud\"\nno-such-rule = \"off\"\n",
    )
    .expect("config");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    let on_file = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["uri"] == uri(&config).as_str() && n["params"]["diagnostics"] != json!([])
    });
    let problems = on_file["params"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(
        problems[0]["range"]["start"],
        json!({"line": 1, "character": 20})
    );
    assert!(
        problems[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("\"loud\""))
    );
    assert_eq!(
        problems[1]["range"]["start"],
        json!({"line": 2, "character": 0})
    );
    // Earlier publications may still be in flight: wait for the one that follows the file.
    let republished = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["uri"] == uri(&policy).as_str()
            && codes(n).contains(&"right-portability".to_string())
    });
    let found = codes(&republished);
    assert!(
        found.contains(&"right-portability".to_string()),
        "the bad value no longer applies: {found:?}"
    );
    assert!(!found.contains(&"right-complaint".to_string()), "{found:?}");

    // Fixed again: the file's diagnostics clear.
    client.notifications.clear();
    std::fs::write(&config, "[rules]\nright-portability = \"off\"\n").expect("config");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    let cleared = client.wait_for("textDocument/publishDiagnostics", |n| {
        n["params"]["uri"] == uri(&config).as_str()
    });
    assert_eq!(cleared["params"]["diagnostics"], json!([]));
    assert!(client.shutdown().success());
}

#[test]
fn directives_silence_rules_and_set_the_language() {
    let dir = scratch("directives");
    let mut client = start(&dir, Value::Null);
    let text = format!(
        "<!-- privacy-lsp: ignore-file dpo-contact -->\n\n{}\n<!-- privacy-lsp: ignore right-restriction -->\nDu kan protestere mot behandlingen.\n",
        POLICY
    );
    let found = codes(&open(&mut client, &dir.join("personvern.md"), &text));
    assert!(!found.contains(&"dpo-contact".to_string()), "{found:?}");
    assert!(
        found.contains(&"right-restriction".to_string()),
        "only the next block is silenced: {found:?}"
    );
    let silenced = text.replace(
        "## Dine rettigheter",
        "<!-- privacy-lsp: ignore right-restriction -->\n## Dine rettigheter",
    );
    let found = codes(&open(&mut client, &dir.join("personvern2.md"), &silenced));
    assert!(
        !found.contains(&"right-restriction".to_string()),
        "{found:?}"
    );
    let nynorsk = format!("<!-- privacy-lsp: language nn -->\n\n{POLICY}");
    let publish = open(&mut client, &dir.join("personvern3.md"), &nynorsk);
    let restriction = publish["params"]["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|x| x["code"] == "right-restriction").cloned())
        .unwrap_or_default();
    assert!(
        restriction["message"]
            .as_str()
            .is_some_and(|m| m.contains("ikkje")),
        "{restriction}"
    );
    assert!(client.shutdown().success());
}

#[test]
fn a_workspace_of_ordinary_markdown_stays_quiet() {
    let dir = scratch("quiet");
    std::fs::write(
        dir.join("privacy-lsp.toml"),
        "policies = [\"legal/*.md\"]\n",
    )
    .expect("config");
    let mut client = start(&dir, Value::Null);
    let readme = "# Eksempel\n\nEt verktøy som sender e-post med Mailchimp og lagrer data i 30 dager.\n\n## Installasjon\n\nKjør `cargo install`.\n";
    let changelog = "# Changelog\n\n## 1.2.0\n\n- Personal data export (right of access) is faster.\n- We now use Google Analytics 4.\n";
    for (name, text) in [("README.md", readme), ("CHANGELOG.md", changelog)] {
        let publish = open(&mut client, &dir.join(name), text);
        assert_eq!(publish["params"]["diagnostics"], json!([]), "{name}");
    }
    // The same text under the globs counts as a policy.
    std::fs::create_dir_all(dir.join("legal")).expect("legal dir");
    let publish = open(&mut client, &dir.join("legal/tooling.md"), readme);
    assert!(!codes(&publish).is_empty());
    let logged = client.wait_for("window/logMessage", |n| {
        n["params"]["message"].as_str().is_some_and(|m| {
            m.contains("tooling.md is a privacy policy (named by the policies globs")
        })
    });
    assert!(logged["params"]["message"].is_string());
    assert!(client.shutdown().success());
}

#[test]
fn own_processors_from_the_project_file_get_hover_hints_and_completion() {
    let dir = scratch("own");
    std::fs::write(
        dir.join("privacy-lsp.toml"),
        "[[processor]]\nname = \"Fjordsky CRM\"\naliases = [\"Fjordsky\"]\ncategory = \"crm\"\n\
entity = \"Fjordsky Inc.\"\nentity_country = \"US\"\nleaves_eea = \"yes\"\nmechanisms = [\"scc\"]\n",
    )
    .expect("config");
    let mut client = start(&dir, Value::Null);
    let path = dir.join("personvern.md");
    let text = "# Personvernerklæring\n\nKundedata lagres i Fjordsky.\n\nVi bruker Fjor\n";
    let publish = open(&mut client, &path, text);
    assert!(codes(&publish).contains(&"transfer-undeclared".to_string()));
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&path)}, "position": {"line": 2, "character": 22}}),
    );
    let value = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(value.contains("**Fjordsky CRM** · crm"), "{value}");
    assert!(value.contains("Fjordsky Inc. (US)"), "{value}");
    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(&path)}, "position": {"line": 4, "character": 14}}),
    );
    let first = &completion["result"][0];
    assert_eq!(
        first["label"], "Fjordsky CRM",
        "the organisation's own first: {completion}"
    );
    assert_eq!(first["detail"], "Fjordsky Inc. · US · SCC");
    assert!(client.shutdown().success());
}

#[test]
fn editor_policy_globs_are_relative_to_the_workspace_folder() {
    let dir = scratch("editor-globs");
    std::fs::create_dir_all(dir.join("legal")).expect("legal dir");
    let mut client = start(&dir, json!({"policies": ["legal/*.md"]}));
    let text = "# Verktøy\n\nVi sender e-post med Mailchimp og lagrer data i 30 dager.\n";
    let named = open(&mut client, &dir.join("legal/tooling.md"), text);
    assert!(!codes(&named).is_empty(), "named by the editor's glob");
    let other = open(&mut client, &dir.join("notes.md"), text);
    assert_eq!(other["params"]["diagnostics"], json!([]));
    assert!(client.shutdown().success());
}
