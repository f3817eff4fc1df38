//! Benchmarks of the analysis: a full pass over each seed policy, and one keystroke (edit the
//! document, re-analyse, get fresh findings) on the largest seed (15 KB) and on a synthetic
//! 1 MB policy and a 10 MB one, and the document edit alone (rope and incremental reparse) on both; and
//! completion and hover on the largest seed, as the server answers them (the analysis of the
//! current version is cached); and the block parse of each seed, with and without the parser
//! view's joined words. Run with `cargo bench --bench analysis`.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use privacy_lsp::analysis::completion::{Setting, complete};
use privacy_lsp::analysis::coverage::symbols;
use privacy_lsp::analysis::fixes::{FixContext, fixes};
use privacy_lsp::analysis::hover::hover;
use privacy_lsp::analysis::tokens::tokens;
use privacy_lsp::analysis::{Analyzer, Options, analyze};
use privacy_lsp::document::{Document, TextFormat, syntax};

fn seeds() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/seeds");
    let mut seeds: Vec<(String, String)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let text = std::fs::read_to_string(e.path()).ok()?;
                    Some((e.file_name().to_string_lossy().to_string(), text))
                })
                .collect()
        })
        .unwrap_or_default();
    seeds.sort();
    if seeds.is_empty() {
        eprintln!(
            "no seeds at {}: using the example policy only",
            dir.display()
        );
        let example = include_str!("../fixtures/personvernerklaering.md");
        seeds.push(("example.md".into(), example.to_string()));
    }
    seeds
}

/// A policy of at least `bytes` bytes built from the seeds' paragraphs, each copy numbered so
/// that blocks differ (as in a real long document) and the memo cannot share them.
fn synthetic(bytes: usize) -> String {
    let seeds = seeds();
    let mut text = String::with_capacity(bytes + 20_000);
    let mut copy = 0;
    while text.len() < bytes {
        for (_, seed) in &seeds {
            for paragraph in seed.split("\n\n") {
                text.push_str(paragraph.trim());
                text.push_str(&format!(" (del {copy})\n\n"));
            }
        }
        copy += 1;
    }
    text
}

/// Where both keystroke benchmarks type: the middle of a paragraph near the middle.
fn typing_point(text: &str) -> usize {
    let middle = text.len() / 2;
    text[middle..]
        .find(". ")
        .map(|i| middle + i + 1)
        .unwrap_or(middle)
}

/// Types one character at `at`, or deletes it again, so the text keeps its size.
fn type_or_delete(document: &mut Document, at: usize, typed: &mut bool) {
    if *typed {
        document.edit(at..at + 1, "");
    } else {
        document.edit(at..at, "x");
    }
    *typed = !*typed;
}

/// One keystroke in the middle of the document and the analysis after it; typing and
/// deleting alternate so the text stays the same size.
fn keystroke(c: &mut Criterion, name: &str, text: &str, format: TextFormat) {
    let mut document = Document::new(text, format);
    let mut analyzer = Analyzer::new();
    let options = Options::default();
    analyzer.analyze(&document, &options);
    let at = typing_point(text);
    let mut typed = false;
    c.bench_function(name, |b| {
        b.iter(|| {
            type_or_delete(&mut document, at, &mut typed);
            let analysis = analyzer.analyze(&document, &options);
            std::hint::black_box(analysis.findings.len())
        })
    });
}

/// One keystroke applied to the document alone: rope edit and incremental reparse.
fn edit_only(c: &mut Criterion, name: &str, text: &str, format: TextFormat) {
    let mut document = Document::new(text, format);
    let at = typing_point(text);
    let mut typed = false;
    c.bench_function(name, |b| {
        b.iter(|| {
            type_or_delete(&mut document, at, &mut typed);
            std::hint::black_box(document.chunk_count())
        })
    });
}

fn benches(c: &mut Criterion) {
    let seeds = seeds();
    let mut group = c.benchmark_group("full_analysis");
    for (name, text) in &seeds {
        group.bench_with_input(BenchmarkId::from_parameter(name), text, |b, text| {
            b.iter(|| {
                let document = Document::new(text, TextFormat::from_hint(name));
                analyze(&document, &Options::default()).findings.len()
            })
        });
    }
    group.finish();

    // The block parse of each seed as the parser reads it (words joined, see
    // `syntax::parser_view`) and verbatim: what joining saves.
    let mut group = c.benchmark_group("block_parse");
    for (name, text) in &seeds {
        group.bench_with_input(BenchmarkId::new("parser_view", name), text, |b, text| {
            b.iter(|| syntax::parse_whole(text).len())
        });
        group.bench_with_input(BenchmarkId::new("verbatim", name), text, |b, text| {
            b.iter(|| syntax::parse_whole_verbatim(text).len())
        });
    }
    group.finish();

    let (largest_name, largest) = seeds
        .iter()
        .max_by_key(|(_, t)| t.len())
        .cloned()
        .unwrap_or_default();
    let format = TextFormat::from_hint(&largest_name);
    let one_mb = synthetic(1_000_000);
    edit_only(
        c,
        &format!("edit_and_reparse/{}KB", largest.len() / 1000),
        &largest,
        format,
    );
    edit_only(c, "edit_and_reparse/1MB", &one_mb, TextFormat::PlainText);
    keystroke(
        c,
        &format!("keystroke_to_findings/{}KB", largest.len() / 1000),
        &largest,
        format,
    );
    requests(c, &largest, format);
    keystroke(
        c,
        "keystroke_to_findings/1MB",
        &one_mb,
        TextFormat::PlainText,
    );
    drop(one_mb);
    // 10 MB as Markdown: the whole tree is parsed once (seconds), then edited incrementally.
    let ten_mb = synthetic(10_000_000);
    edit_only(c, "edit_and_reparse/10MB", &ten_mb, TextFormat::Markdown);
    keystroke(
        c,
        "keystroke_to_findings/10MB",
        &ten_mb,
        TextFormat::Markdown,
    );
}

/// Completion and hover on the largest seed, with an article reference added at its end.
fn requests(c: &mut Criterion, text: &str, format: TextFormat) {
    let text = format!("{text}\n\nGrunnlaget er artikkel 6 nr. 1 bokstav f.\n");
    let document = Document::new(&text, format);
    let analysis = analyze(&document, &Options::default());
    let language = analysis.facts.language;
    let mut group = c.benchmark_group("completion");
    for (name, line) in [
        ("processor_prefix", "Nyhetsbrevet sendes med Mailc"),
        ("article_numbers", "jf. artikkel "),
        (
            "legal_basis_points",
            "Grunnlaget er artikkel 6 nr. 1 bokstav ",
        ),
        ("points_of_an_article", "jf. artikkel 13 nr. 2 bokstav "),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| complete(line, 0, line.len(), Setting::plain(language)).len())
        });
    }
    group.finish();

    let article = text.rfind("artikkel 6").unwrap_or(0) + 3;
    let processor = analysis.facts.processors.first().map(|p| p.range.start + 1);
    let finding = analysis.findings.first().map(|f| f.range.start);
    let mut group = c.benchmark_group("hover");
    for (name, offset) in [
        ("article_reference", Some(article)),
        ("processor", processor),
        ("finding", finding),
    ] {
        let Some(offset) = offset else {
            eprintln!("hover/{name}: nothing to hover in this seed");
            continue;
        };
        assert!(
            hover(&analysis, offset).is_some(),
            "hover/{name} finds something"
        );
        group.bench_function(name, |b| {
            b.iter(|| hover(&analysis, offset).map(|h| h.markdown.len()))
        });
    }
    group.finish();

    // Editing intelligence: code actions over the whole document (every finding's fixes),
    // the outline with its items, and all semantic tokens.
    let context = FixContext {
        today: (2026, 11, 22),
        jurisdiction: "NO".to_string(),
    };
    let mut group = c.benchmark_group("structure");
    group.bench_function("code_actions_whole_document", |b| {
        b.iter(|| fixes(&document, &analysis, 0..text.len(), &context).len())
    });
    group.bench_function("document_symbols", |b| {
        b.iter(|| symbols(&document, &analysis).len())
    });
    group.bench_function("semantic_tokens", |b| {
        b.iter(|| tokens(&analysis, None).len())
    });
    group.finish();
}

criterion_group! {
    name = analysis;
    config = Criterion::default().sample_size(40).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = benches
}
criterion_main!(analysis);
