//! Converts the knowledge base's TOML files (`src/knowledge/data/**/*.toml`, the source of
//! truth that people edit) to JSON in `OUT_DIR`, which the binary embeds. JSON parses several
//! times faster than TOML. The processor list, the largest file (600 entries), becomes a Rust
//! `static` instead (`processors.rs`): parsing its JSON into owned strings was a quarter of
//! the knowledge thread's work on every cold start, and a static costs nothing to load. A file
//! that does not parse, or a processor field the schema does not know, fails the build with
//! its path and the reason.

use std::path::{Path, PathBuf};

fn convert(dir: &Path, out: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        panic!("cannot read {}", dir.display());
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            let sub = out.join(path.file_name().unwrap_or_default());
            std::fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("{}: {e}", sub.display()));
            convert(&path, &sub);
            continue;
        }
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        println!("cargo::rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let value: toml::Value =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (target, contents) = if path.file_name().is_some_and(|n| n == "processors.toml") {
            (out.join("processors.rs"), processors_static(&value, &path))
        } else {
            let json =
                serde_json::to_string(&value).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path.with_extension("json");
            (out.join(name.file_name().unwrap_or_default()), json)
        };
        std::fs::write(&target, contents).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
    }
}

/// Fields of `knowledge::processors::Processor` by kind, in the order the struct declares them.
const PROCESSOR_FIELDS: &[(&str, FieldKind)] = &[
    ("name", FieldKind::Text),
    ("aliases", FieldKind::List),
    ("exact_case", FieldKind::List),
    ("cookies", FieldKind::List),
    ("category", FieldKind::Text),
    ("entity", FieldKind::Text),
    ("entity_country", FieldKind::Text),
    ("parent", FieldKind::Text),
    ("parent_country", FieldKind::Text),
    ("leaves_eea", FieldKind::Text),
    ("mechanisms", FieldKind::List),
    ("dpa", FieldKind::Text),
    ("self_hosted", FieldKind::Flag),
    ("confidence", FieldKind::Text),
    ("checked", FieldKind::Text),
    ("source", FieldKind::Text),
    ("notes", FieldKind::Text),
];

#[derive(Clone, Copy)]
enum FieldKind {
    Text,
    List,
    Flag,
}

/// The `[[processor]]` tables as a Rust expression of type `&[Processor]` (string literals via
/// `{:?}`, which escapes like Rust source). A missing field takes the serde default of the
/// struct: "", an empty list or false.
fn processors_static(value: &toml::Value, path: &Path) -> String {
    let fail = |what: String| -> ! { panic!("{}: {what}", path.display()) };
    let Some(tables) = value.get("processor").and_then(toml::Value::as_array) else {
        fail("no [[processor]] tables".to_string())
    };
    let mut code = String::from("&[\n");
    for (index, table) in tables.iter().enumerate() {
        let Some(table) = table.as_table() else {
            fail(format!("processor {index} is not a table"))
        };
        if let Some(key) = table
            .keys()
            .find(|key| PROCESSOR_FIELDS.iter().all(|(field, _)| field != key))
        {
            fail(format!("processor {index}: unknown field {key:?}"));
        }
        code.push_str("    Processor {\n");
        for (field, kind) in PROCESSOR_FIELDS {
            let entry = table.get(*field);
            let expression = match (kind, entry) {
                (FieldKind::Text, None) if *field == "name" => {
                    fail(format!("processor {index} has no name"))
                }
                (FieldKind::Text, None) => "Cow::Borrowed(\"\")".to_string(),
                (FieldKind::Text, Some(toml::Value::String(text))) => {
                    format!("Cow::Borrowed({text:?})")
                }
                (FieldKind::List, None) => "Cow::Borrowed(&[])".to_string(),
                (FieldKind::List, Some(toml::Value::Array(items))) => {
                    let texts: Vec<String> = items
                        .iter()
                        .map(|item| match item.as_str() {
                            Some(text) => format!("Cow::Borrowed({text:?})"),
                            None => fail(format!("processor {index}: {field} holds a non-string")),
                        })
                        .collect();
                    format!("Cow::Borrowed(&[{}])", texts.join(", "))
                }
                (FieldKind::Flag, None) => "false".to_string(),
                (FieldKind::Flag, Some(toml::Value::Boolean(flag))) => flag.to_string(),
                (_, Some(other)) => fail(format!(
                    "processor {index}: {field} has the wrong type ({})",
                    other.type_str()
                )),
            };
            code.push_str(&format!("        {field}: {expression},\n"));
        }
        code.push_str("    },\n");
    }
    code.push_str("]\n");
    code
}

fn main() {
    let data = Path::new("src/knowledge/data");
    println!("cargo::rerun-if-changed={}", data.display());
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("knowledge");
    std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    convert(data, &out);
}
