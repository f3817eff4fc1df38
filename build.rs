//! Converts the knowledge base's TOML files (`src/knowledge/data/**/*.toml`, the source of
//! truth that people edit) to JSON in `OUT_DIR`, which the binary embeds. JSON parses several
//! times faster than TOML, and the processor list alone took a tenth of the server's cold
//! start. A file that does not parse fails the build with its path and the TOML error.

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
        let json =
            serde_json::to_string(&value).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let target = out.join(path.with_extension("json").file_name().unwrap_or_default());
        std::fs::write(&target, json).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
    }
}

fn main() {
    let data = Path::new("src/knowledge/data");
    println!("cargo::rerun-if-changed={}", data.display());
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("knowledge");
    std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    convert(data, &out);
}
