//! The README's promises about files, processes and the network, checked with strace on a real
//! session: the server opens only its own libraries, system files the Rust and tokio runtimes
//! read (/proc, /sys cgroup limits), and `privacy-lsp.toml` files inside the workspace; never
//! a document (the client sends the text), never a file above the workspace or beside it,
//! never a socket, and never a process, whatever the configuration says.
//!
//! strace comes from Debian (`apt-get install strace`); `.ci/run` installs it. Without it the
//! test says so and checks nothing.

mod support;

use std::process::Command;

use serde_json::json;
use support::LspClient;

/// System paths a Rust binary with tokio reads at startup.
const SYSTEM: [&str; 7] = [
    "/etc/ld.so.cache",
    "/etc/ld.so.preload",
    "/lib/",
    "/lib64/",
    "/usr/lib/",
    "/proc/",
    "/sys/",
];

fn quoted_paths(line: &str) -> Vec<String> {
    line.split('"')
        .skip(1)
        .step_by(2)
        .filter(|p| p.starts_with('/'))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_server_touches_only_the_workspace_config_and_never_the_network_or_a_process() {
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("strace is not installed (apt-get install strace): nothing checked");
        return;
    }
    let base = std::env::temp_dir().join(format!("privacy-lsp-security-{}", std::process::id()));
    let workspace = base.join("workspace");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(workspace.join("policies")).expect("mkdir");
    // Configuration that looks like commands and addresses: data, never run or fetched.
    std::fs::write(
        workspace.join("privacy-lsp.toml"),
        r#"policies = ["policies/*.md", "../**/*.md"]

[[processor]]
name = "$(touch /tmp/privacy-lsp-pwned)"
aliases = ["`id`", "Acme Mail"]
country = "US"
dpa = "https://example.invalid/dpa"
"#,
    )
    .expect("write config");
    // Above the workspace: a configuration and a file the server must never open.
    std::fs::write(
        base.join("privacy-lsp.toml"),
        "[rules]\nright-access = \"off\"\n",
    )
    .expect("write outer config");
    std::fs::write(base.join("secret.md"), "not yours").expect("write secret");
    let log = base.join("strace.log");

    let mut command = Command::new("strace");
    command
        .args(["-f", "-qq", "-e", "trace=%file,%network,%process", "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_privacy-lsp"));
    let mut client = LspClient::start_command(command);
    let root = format!("file://{}", workspace.display());
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": root,
               "capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}}),
    );
    client.notify("initialized", json!({}));
    let inside = format!("{root}/policies/personvern.md");
    let outside = format!("file://{}/elsewhere/personvern.md", base.display());
    for uri in [&inside, &outside] {
        client.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1,
                   "text": "# Personvernerklæring\n\nVi sender nyhetsbrev med Acme Mail.\n"}}),
        );
        client.wait_for("textDocument/publishDiagnostics", |n| {
            n["params"]["uri"] == uri.as_str()
        });
    }
    // The own processor is recognised (the configuration was read) ...
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": inside}, "position": {"line": 2, "character": 32}}),
    );
    assert!(
        hover.to_string().contains("example.invalid"),
        "the workspace configuration was not applied: {hover}"
    );
    // ... and a change reported for the file above the workspace is not followed.
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": format!("file://{}/privacy-lsp.toml", base.display()), "type": 2}]}),
    );
    client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": inside},
               "range": {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}},
               "context": {"diagnostics": []}}),
    );
    assert!(client.shutdown().success());

    let trace = std::fs::read_to_string(&log).expect("strace log");
    let mut problems = Vec::new();
    let executions = trace.lines().filter(|l| l.contains("execve(")).count();
    if executions != 1 {
        problems.push(format!(
            "{executions} execve calls (only the server's own start is allowed)"
        ));
    }
    // The dynamic loader also searches the library path cargo sets for tests.
    let library_path: Vec<String> = std::env::var("LD_LIBRARY_PATH")
        .unwrap_or_default()
        .split(':')
        .filter(|p| p.starts_with('/'))
        .map(str::to_string)
        .collect();
    for line in trace.lines() {
        if ["socket(", "connect(", "bind(", "sendto(", "fork(", "vfork("]
            .iter()
            .any(|call| line.contains(call))
        {
            problems.push(format!("network or process call: {line}"));
        }
        if (line.contains("clone(") || line.contains("clone3("))
            && !line.contains("CLONE_THREAD")
            && !line.contains("resumed")
        {
            problems.push(format!("a child process: {line}"));
        }
        if line.contains("execve(") {
            continue;
        }
        for path in quoted_paths(line) {
            let system = SYSTEM.iter().any(|p| path.starts_with(p))
                || library_path.iter().any(|p| path.starts_with(p.as_str()));
            let in_workspace = path.starts_with(&workspace.display().to_string());
            if !system && !in_workspace {
                problems.push(format!("touched a path outside the workspace: {line}"));
            }
            if in_workspace && line.contains("open") && !path.ends_with("privacy-lsp.toml") {
                problems.push(format!("opened something other than a config file: {line}"));
            }
        }
    }
    assert!(
        trace.contains(&format!("{}/privacy-lsp.toml", workspace.display())),
        "the trace does not show the configuration being read:\n{trace}"
    );
    assert!(
        !std::path::Path::new("/tmp/privacy-lsp-pwned").exists(),
        "a command from the configuration ran"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let _ = std::fs::remove_dir_all(&base);
}
