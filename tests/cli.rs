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

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `check` run from `dir`, so relative paths stay relative.
fn check_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_privacy-lsp"))
        .current_dir(dir)
        .arg("check")
        .args(args)
        .output()
        .expect("the binary runs")
}

/// The first seed of the corpus beside the repository (`../shared/corpus/seeds`).
fn a_seed() -> PathBuf {
    let dir = manifest_dir().join("../shared/corpus/seeds");
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "the seed corpus must sit beside the repo at {}: {e}",
                dir.display()
            )
        })
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    seeds.sort();
    seeds.into_iter().next().expect("at least one seed")
}

const WORKFLOW_COMMANDS: [&str; 3] = ["::error ", "::warning ", "::notice "];

fn assert_only_workflow_commands(stdout: &str) {
    assert!(!stdout.is_empty(), "findings expected");
    for line in stdout.lines() {
        assert!(
            WORKFLOW_COMMANDS.iter().any(|c| line.starts_with(c)),
            "not a workflow command: {line:?}"
        );
        assert_eq!(
            line.matches("::").count(),
            2,
            "one command with one message per line: {line:?}"
        );
    }
}

#[test]
fn github_format_prints_one_workflow_command_per_finding() {
    let example = "tests/fixtures/personvernerklaering.md";
    let out = check_in(&manifest_dir(), &["--format", "github", example]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "no errors, so exit 0 by default"
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert_only_workflow_commands(&stdout);
    // The relative path as given; line and column as the human output reports them (27:4).
    assert!(
        stdout.lines().any(|l| l
            == "::warning file=tests/fixtures/personvernerklaering.md,line=27,endLine=27,col=4,endColumn=20,title=right-restriction::Retten til begrensning av behandlingen (art. 18) er ikke nevnt."),
        "{stdout}"
    );
    assert!(
        stdout.lines().any(|l| l.starts_with(
            "::notice file=tests/fixtures/personvernerklaering.md,line=25,endLine=25,col=31,endColumn=69,title=retention-vague::"
        )),
        "information is a notice: {stdout}"
    );
    assert!(!stdout.contains("::error "), "{stdout}");

    let json = check_in(&manifest_dir(), &["--format", "json", example]);
    let report: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let findings = report["files"][0]["findings"].as_array().expect("findings");
    assert_eq!(
        stdout.lines().count(),
        findings.len(),
        "one line per finding"
    );

    let warn = check_in(
        &manifest_dir(),
        &["--format", "github", "--fail-on", "warning", example],
    );
    assert_eq!(
        warn.status.code(),
        Some(1),
        "exit codes do not depend on the format"
    );
}

#[test]
fn github_format_marks_errors_and_escapes_paths() {
    let seed = a_seed();
    let out = check(&["--format", "github", seed.to_str().expect("path")]);
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert_only_workflow_commands(&stdout);
    let has_error = stdout.lines().any(|l| l.starts_with("::error "));
    assert_eq!(
        out.status.code(),
        Some(u8::from(has_error).into()),
        "exit 1 exactly when an error is reported: {stdout}"
    );

    let dir = scratch_dir("github-paths");
    std::fs::copy(fixture("personvernerklaering.md"), dir.join("a,b:c%.md")).expect("copy");
    let out = check_in(&dir, &["--format", "github", "a,b:c%.md"]);
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert_only_workflow_commands(&stdout);
    assert!(
        stdout
            .lines()
            .all(|l| l.contains(" file=a%2Cb%3Ac%25.md,line=")),
        "the path is escaped as a property: {stdout}"
    );
}

#[test]
fn github_escaping_follows_the_workflow_command_rules() {
    use privacy_lsp::cli::github::{escape_data, escape_property};
    let message = "Lagringstid: 3 år, deretter\r\nslettes 100%";
    assert_eq!(
        escape_data(message),
        "Lagringstid: 3 år, deretter%0D%0Aslettes 100%25",
        "data keeps ':' and ','"
    );
    assert_eq!(
        escape_property(message),
        "Lagringstid%3A 3 år%2C deretter%0D%0Aslettes 100%25"
    );
    assert_eq!(
        escape_data("%0A"),
        "%250A",
        "'%' first, so escapes are not doubled"
    );
    assert_eq!(escape_property("C:\\policy,v2.md"), "C%3A\\policy%2Cv2.md");
}

fn sarif_schema() -> jsonschema::Validator {
    let path = manifest_dir().join("tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).expect("the vendored SARIF schema is readable"),
    )
    .expect("the SARIF schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles, offline")
}

fn schema_errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_output_validates_against_the_oasis_schema() {
    let validator = sarif_schema();
    let seed = a_seed();
    for path in [
        "tests/fixtures/personvernerklaering.md".to_string(),
        seed.display().to_string(),
    ] {
        let out = check_in(&manifest_dir(), &["--format", "sarif", &path]);
        let log: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
        assert!(
            log["runs"][0]["results"]
                .as_array()
                .is_some_and(|r| !r.is_empty()),
            "{path}: results to validate"
        );
        let errors = schema_errors(&validator, &log);
        assert!(errors.is_empty(), "{path}: {errors:#?}");

        // The schema is not vacuous: a log without its version, or with a 0-based line, fails.
        let mut broken = log.clone();
        broken.as_object_mut().expect("an object").remove("version");
        assert!(!validator.is_valid(&broken), "{path}: version is required");
        let mut broken = log;
        broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
            Value::from(0);
        assert!(!validator.is_valid(&broken), "{path}: lines are 1-based");
    }
}

fn rules_in(out: &Output) -> Vec<String> {
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    report["files"][0]["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|x| x["rule"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_nearest_config_file_and_config_flag_apply() {
    let dir = scratch_dir("config");
    let policy = dir.join("docs/personvern.md");
    std::fs::create_dir_all(dir.join("docs")).expect("docs dir");
    std::fs::copy(fixture("personvernerklaering.md"), &policy).expect("copy");
    let shown = policy.display().to_string();
    let before = rules_in(&check(&["--format", "json", &shown]));
    assert!(
        before.contains(&"right-restriction".to_string()),
        "{before:?}"
    );

    std::fs::write(
        dir.join("privacy-lsp.toml"),
        "message-language = \"en\"\n[rules]\nright-restriction = \"off\"\nlast-updated-missing = \"error\"\n",
    )
    .expect("config");
    let out = check(&["--format", "json", &shown]);
    let after = rules_in(&out);
    assert!(
        !after.contains(&"right-restriction".to_string()),
        "{after:?}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let findings = report["files"][0]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if let Some(updated) = findings
        .iter()
        .find(|f| f["rule"] == "last-updated-missing")
    {
        assert_eq!(updated["severity"], "error");
        assert_eq!(out.status.code(), Some(1));
    }
    assert!(
        findings
            .iter()
            .all(|f| f["message"].as_str().is_some_and(|m| !m.contains(" ikke "))),
        "messages in English: {findings:?}"
    );

    // --config names another file, which wins over the nearest one.
    let other = dir.join("strict.toml");
    std::fs::write(&other, "[rules]\nright-erasure = \"off\"\n").expect("config");
    let flagged = rules_in(&check(&[
        "--format",
        "json",
        "--config",
        &other.display().to_string(),
        &shown,
    ]));
    assert!(
        flagged.contains(&"right-restriction".to_string()),
        "{flagged:?}"
    );
}

#[test]
fn a_broken_config_exits_with_2_and_points_at_the_line() {
    let dir = scratch_dir("bad-config");
    let policy = dir.join("personvern.md");
    std::fs::copy(fixture("personvernerklaering.md"), &policy).expect("copy");
    std::fs::write(
        dir.join("privacy-lsp.toml"),
        "language = \"nb\"\n[rules]\nno-such-rule = \"off\"\n",
    )
    .expect("config");
    let out = check(&[&policy.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("privacy-lsp.toml:3:1: unknown rule \"no-such-rule\""),
        "{stderr}"
    );
    std::fs::write(dir.join("privacy-lsp.toml"), "[rules\n").expect("config");
    let out = check(&[&policy.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("privacy-lsp.toml:1:"));
}
