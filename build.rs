//! Converts the knowledge base's TOML files (`src/knowledge/data/**/*.toml`, the source of
//! truth that people edit) to JSON in `OUT_DIR`, which the binary embeds. JSON parses several
//! times faster than TOML. The processor list, the largest file (600 entries), becomes a Rust
//! `static` instead (`processors.rs`): parsing its JSON into owned strings was a quarter of
//! the knowledge thread's work on every cold start, and a static costs nothing to load. A file
//! that does not parse, or a processor field the schema does not know, fails the build with
//! its path and the reason.
//!
//! The lexicons' pattern lists are also compiled here, to the backtracking programs the
//! analysis runs (`lexicon_programs.rs`), with the crate's own modules for the pattern
//! language and the programs (included below): compiling them was most of a lexicon's cost on
//! the server's cold start. The crate looks a list's program up by the list's patterns, so a
//! list this script did not compile is simply compiled at run time; a unit test holds every
//! shipped program equal to a fresh compile of its list.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

// The crate's modules that read lexicon patterns and compile them, shared with this script
// (they depend on each other and on regex-syntax, aho-corasick, memchr and rustc-hash only).
// Cargo rebuilds, and so reruns, this script when one of them changes.
#[allow(dead_code, unused_imports)]
#[path = "src/analysis/backtrack.rs"]
mod backtrack;
#[allow(dead_code, unused_imports)]
#[path = "src/analysis/fold.rs"]
mod fold;
#[allow(dead_code, unused_imports)]
#[path = "src/analysis/pattern.rs"]
mod pattern;
#[allow(dead_code, unused_imports)]
#[path = "src/analysis/word_search.rs"]
mod word_search;

/// A TOML file of the knowledge base; a file that cannot be read or parsed fails the build.
fn read_toml(path: &Path) -> toml::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The texts of a TOML array; `None` when an item is not a string.
fn strings(items: &[toml::Value]) -> Option<Vec<&str>> {
    items.iter().map(toml::Value::as_str).collect()
}

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
        let value = read_toml(&path);
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
                    let Some(texts) = strings(items) else {
                        fail(format!("processor {index}: {field} holds a non-string"))
                    };
                    let texts: Vec<String> = texts
                        .iter()
                        .map(|text| format!("Cow::Borrowed({text:?})"))
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

/// A lexicon file's concepts: each concept's strong and weak pattern lists, with the lists of
/// the lexicon it `extends` appended, as the crate merges them.
fn lexicon_lists(dir: &Path, code: &str) -> BTreeMap<String, [Vec<String>; 2]> {
    let path = dir.join(format!("{code}.toml"));
    let value = read_toml(&path);
    let patterns = |value: Option<&toml::Value>, what: &str| -> Vec<String> {
        let items = value.and_then(toml::Value::as_array).map_or(&[][..], |a| a);
        match strings(items) {
            Some(texts) => texts.into_iter().map(str::to_string).collect(),
            None => panic!("{}: {what} holds a non-string", path.display()),
        }
    };
    let mut lists: BTreeMap<String, [Vec<String>; 2]> = BTreeMap::new();
    if let Some(concepts) = value.get("concepts").and_then(toml::Value::as_table) {
        for (key, entry) in concepts {
            lists.insert(
                key.clone(),
                [
                    patterns(entry.get("strong"), key),
                    patterns(entry.get("weak"), key),
                ],
            );
        }
    }
    if let Some(base) = value.get("extends").and_then(toml::Value::as_str) {
        for (key, [strong, weak]) in lexicon_lists(dir, base) {
            let entry = lists.entry(key).or_default();
            entry[0].extend(strong);
            entry[1].extend(weak);
        }
    }
    lists
}

/// Every pattern list of every lexicon with its program, as a Rust expression of type
/// `&[(&[&str], ListProgram)]` sorted by the lists' patterns, each list once.
fn lexicon_programs(dir: &Path) -> String {
    let mut programs: BTreeMap<Vec<String>, String> = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        panic!("cannot read {}", dir.display());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let Some(code) = path.file_stem().and_then(|stem| stem.to_str()) else {
            continue;
        };
        for (_, lists) in lexicon_lists(dir, code) {
            for patterns in lists {
                if patterns.is_empty() || programs.contains_key(&patterns) {
                    continue;
                }
                let expressions: Vec<_> = patterns
                    .iter()
                    .map(|p| pattern::pattern_expression(p))
                    .collect();
                // A list outside the programs' subset is left to the run time's regex.
                if let Some(program) = backtrack::ListProgram::compile(&expressions) {
                    programs.insert(patterns, program.to_rust());
                }
            }
        }
    }
    let mut code = String::from("&[\n");
    for (patterns, program) in programs {
        code.push_str(&format!("    (&{patterns:?}, {program}),\n"));
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
    let programs = out.join("lexicon_programs.rs");
    std::fs::write(&programs, lexicon_programs(&data.join("lexicon")))
        .unwrap_or_else(|e| panic!("{}: {e}", programs.display()));
}
