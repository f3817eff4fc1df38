//! `privacy-lsp check` as CI runs it: exit codes, formats and bad input.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_privacy-lsp"))
        .arg("check")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("privacy-lsp-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn the_example_policy_reports_its_gaps_and_fails_on_warnings() {
    let example = fixture("personvernerklaering.md");
    let out = check(&["--format", "json", &example]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "no errors, so exit 0 by default"
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["version"], 1);
    assert_eq!(report["tool"]["name"], "privacy-lsp");
    let file = &report["files"][0];
    assert_eq!(file["language"], "nb");
    assert_eq!(file["is_policy"], true);
    assert_eq!(
        file["facts"]["controller"]["name"],
        "Fjordbris Sykkelverksted AS"
    );
    assert_eq!(file["facts"]["controller"]["org_number"], "999888777");
    assert_eq!(
        file["facts"]["controller_contact"],
        serde_json::json!(["email"])
    );
    assert_eq!(file["facts"]["retention"], "vague");
    assert_eq!(file["facts"]["rights"]["restriction"], false);
    assert_eq!(file["facts"]["rights"]["access"], true);
    let rules: Vec<&str> = file["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    for expected in [
        "right-restriction",
        "right-complaint",
        "retention-vague",
        "last-updated-missing",
    ] {
        assert!(rules.contains(&expected), "{expected} in {rules:?}");
    }
    let finding = &file["findings"][0];
    for key in [
        "rule", "severity", "article", "message", "subject", "range", "fixes",
    ] {
        assert!(finding.get(key).is_some(), "finding has {key}: {finding}");
    }
    let warn = check(&["--fail-on", "warning", &example]);
    assert_eq!(warn.status.code(), Some(1));
}

#[test]
fn human_output_shows_the_line_and_a_caret() {
    let out = check(&["--color", "never", &fixture("personvernerklaering.md")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("warning[right-restriction]"), "{text}");
    assert!(
        text.contains("personvernerklaering.md:27:4"),
        "file:line:column of the rights heading: {text}"
    );
    assert!(
        text.contains("^^^^^^^^^^^^^^^^"),
        "a caret under the span: {text}"
    );
    assert!(text.contains("1 file checked"), "{text}");
}

#[test]
fn sarif_lists_rules_and_results() {
    let out = check(&["--format", "sarif", &fixture("personvernerklaering.md")]);
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "privacy-lsp");
    assert!(
        run["tool"]["driver"]["rules"]
            .as_array()
            .is_some_and(|r| r.len() >= 20)
    );
    let result = &run["results"][0];
    assert!(result["ruleId"].is_string());
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert!(
        region["startLine"].as_i64().is_some_and(|l| l >= 1),
        "1-based lines: {region}"
    );
}

#[test]
fn bad_input_exits_with_2_and_says_why() {
    let missing = check(&["/no/such/policy.md"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no such file or directory"));

    let dir = scratch_dir("bad");
    let latin1 = dir.join("latin1.txt");
    std::fs::write(&latin1, b"Personvernerkl\xe6ring\n").expect("write");
    let out = check(&[latin1.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not UTF-8"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let binary = dir.join("image.md");
    std::fs::write(&binary, [0x89, b'P', b'N', b'G', 0, 0, 0, 13]).expect("write");
    let out = check(&[binary.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("binary"));

    let empty = scratch_dir("no-policies");
    std::fs::write(
        empty.join("README.md"),
        "# Tool\n\nRun `make` to build it.\n",
    )
    .expect("write");
    std::fs::write(
        empty.join("CHANGELOG.md"),
        "# Changelog\n\n## 1.0\n\n- First release.\n",
    )
    .expect("write");
    let out = check(&[empty.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no privacy policy found"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let usage = check(&["--format", "yaml", "x.md"]);
    assert_eq!(usage.status.code(), Some(2), "clap usage errors exit 2");
}

#[test]
fn a_directory_is_searched_for_policies_only() {
    let dir = scratch_dir("mixed");
    std::fs::copy(
        fixture("personvernerklaering.md"),
        dir.join("personvern.md"),
    )
    .expect("copy");
    std::fs::write(dir.join("README.md"), "# Tool\n\nRun `make` to build it.\n").expect("write");
    let out = check(&["--format", "json", dir.to_str().expect("path")]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let files = report["files"].as_array().expect("files");
    assert_eq!(files.len(), 1, "only the policy: {files:?}");
    assert!(
        files[0]["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("personvern.md"))
    );
}
