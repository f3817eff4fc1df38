//! End-to-end replay: starts a language server over stdio and types a whole policy into an
//! empty document one character at a time, then deletes and retypes paragraphs, timing each
//! keystroke until the server publishes diagnostics for it. Also: cold start to first
//! diagnostics (the median of several fresh processes, since one start on a busy machine
//! varies by several milliseconds), a 1 MB document, and peak RSS with 10 documents open.
//!
//! ```sh
//! cargo bench --bench replay                                  # privacy-lsp alone
//! cargo bench --bench replay -- --peer "$(command -v harper-ls) --stdio"   # and a peer
//! cargo bench --bench replay -- --document path/to/policy.md --quick
//! ```
//!
//! The same document and edits go to every server in the same run; the report prints each
//! server's figures, the ratios, and whether privacy-lsp's budgets hold.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "../support/mod.rs"]
mod support;
use support::spawn;

/// How long to wait for one publication before counting the keystroke as unanswered.
const WAIT: Duration = Duration::from_secs(10);

struct Server {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
}

impl Server {
    fn start(command: &[String]) -> Server {
        let (program, args) = command.split_first().expect("a server command");
        let mut command = Command::new(program);
        command.args(args);
        let (child, stdin, incoming) =
            spawn(command).unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        Server {
            child,
            stdin,
            incoming,
            next_id: 1,
        }
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        let _ = write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len());
        let _ = self.stdin.flush();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Answers the server's own requests (configuration, registrations) with null.
    fn answer(&mut self, message: &Value) {
        if let (Some(id), Some(method)) = (message.get("id"), message.get("method")) {
            let result = if method == "workspace/configuration" {
                // One empty settings object per item: every server reads that as defaults.
                let items = message["params"]["items"].as_array().map_or(1, Vec::len);
                Value::Array(vec![json!({}); items])
            } else {
                Value::Null
            };
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(message)
                    if message.get("id") == Some(&json!(id)) && message.get("method").is_none() =>
                {
                    return message;
                }
                Ok(message) => self.answer(&message),
                Err(_) => return Value::Null,
            }
        }
    }

    /// Waits for diagnostics on `uri` (of `version` when the server reports versions).
    fn published(&mut self, uri: &str, version: Option<i64>) -> Option<Duration> {
        let start = Instant::now();
        let deadline = start + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(message) => {
                    self.answer(&message);
                    let is_publish = message["method"] == "textDocument/publishDiagnostics"
                        && message["params"]["uri"] == uri;
                    let current = match (version, message["params"]["version"].as_i64()) {
                        (Some(wanted), Some(got)) => got >= wanted,
                        _ => true,
                    };
                    if is_publish && current {
                        return Some(start.elapsed());
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Drains whatever arrives within `quiet`.
    fn settle(&mut self, quiet: Duration) {
        while let Ok(message) = self.incoming.recv_timeout(quiet) {
            self.answer(&message);
        }
    }

    fn peak_rss_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
    }

    fn stop(mut self) {
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
    }
}

fn initialize(server: &mut Server, root: &str) {
    let response = server.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": root,
            "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": true}}},
        }),
    );
    assert!(
        response.get("result").is_some(),
        "initialize failed: {response}"
    );
    server.notify("initialized", json!({}));
}

fn open(server: &mut Server, uri: &str, text: &str) {
    // Some servers (harper-ls) look for per-directory files next to the document and publish
    // nothing when its folder does not exist.
    if let Some(dir) = uri
        .strip_prefix("file://")
        .and_then(|p| std::path::Path::new(p).parent())
    {
        let _ = std::fs::create_dir_all(dir);
    }
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
    );
}

/// LSP position (UTF-16) of byte `at` in `text`.
fn position(text: &str, at: usize) -> Value {
    let before = &text[..at];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[line_start..].encode_utf16().count();
    json!({"line": line, "character": character})
}

struct Typist<'a> {
    server: &'a mut Server,
    uri: String,
    text: String,
    version: i64,
    latencies: Vec<Duration>,
    unanswered: usize,
}

impl Typist<'_> {
    fn edit(&mut self, range: std::ops::Range<usize>, new_text: &str) {
        let start = position(&self.text, range.start);
        let end = position(&self.text, range.end);
        self.text.replace_range(range, new_text);
        self.version += 1;
        let params = json!({
            "textDocument": {"uri": self.uri, "version": self.version},
            "contentChanges": [{"range": {"start": start, "end": end}, "text": new_text}],
        });
        self.server.notify("textDocument/didChange", params);
        match self.server.published(&self.uri, Some(self.version)) {
            Some(latency) => self.latencies.push(latency),
            None => self.unanswered += 1,
        }
    }

    fn type_text(&mut self, at: usize, text: &str) {
        let mut offset = at;
        for c in text.chars() {
            let mut buffer = [0; 4];
            self.edit(offset..offset, c.encode_utf8(&mut buffer));
            offset += c.len_utf8();
        }
    }
}

/// Latency figures of one run.
#[derive(Default, Clone)]
struct Figures {
    keystrokes: usize,
    unanswered: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

fn figures(mut latencies: Vec<Duration>, unanswered: usize) -> Figures {
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or_default()
    };
    Figures {
        keystrokes: latencies.len() + unanswered,
        unanswered,
        p50: at(0.5),
        p99: at(0.99),
        max: latencies.last().copied().unwrap_or_default(),
    }
}

/// Cold starts of fresh processes, sorted; a start that published nothing is left out.
#[derive(Default)]
struct ColdStarts {
    samples: Vec<Duration>,
    runs: usize,
}

impl ColdStarts {
    fn median(&self) -> Option<Duration> {
        self.samples.get(self.samples.len() / 2).copied()
    }
}

/// What one server did.
struct Report {
    name: String,
    cold_start: ColdStarts,
    typing: Figures,
    large: Option<Figures>,
    rss_10_docs_kb: Option<u64>,
    /// Peak RSS of the typing session, which includes the large document when there is one.
    rss_large_kb: Option<u64>,
}

fn paragraphs(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices("\n\n") {
        if i > start {
            out.push(start..i);
        }
        start = i + 2;
    }
    out
}

/// Process start to the first diagnostics of a whole document, in `runs` fresh processes.
fn cold_starts(command: &[String], root: &str, document: &str, runs: usize) -> ColdStarts {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let mut server = Server::start(command);
        initialize(&mut server, root);
        let uri = format!("{root}/cold/personvern.md");
        open(&mut server, &uri, document);
        if server.published(&uri, None).is_some() {
            samples.push(started.elapsed());
        }
        server.stop();
    }
    samples.sort();
    ColdStarts { samples, runs }
}

fn run(name: &str, command: &[String], document: &str, large: Option<&str>, quick: bool) -> Report {
    let dir = std::env::temp_dir().join(format!("privacy-lsp-replay-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let root = format!("file://{}", dir.display());

    let cold_start = cold_starts(command, &root, document, if quick { 5 } else { 9 });
    let mut server = Server::start(command);
    initialize(&mut server, &root);

    // Typing the whole policy, then deleting and retyping paragraphs.
    let uri = format!("{root}/personvern.md");
    open(&mut server, &uri, "");
    server.published(&uri, None);
    let mut typist = Typist {
        server: &mut server,
        uri,
        text: String::new(),
        version: 1,
        latencies: Vec::new(),
        unanswered: 0,
    };
    let typed: String = if quick {
        document.chars().take(1500).collect()
    } else {
        document.to_string()
    };
    typist.type_text(0, &typed);
    for range in paragraphs(&typist.text.clone())
        .into_iter()
        .rev()
        .step_by(4)
        .take(if quick { 1 } else { 5 })
    {
        let removed = typist.text[range.clone()].to_string();
        typist.edit(range.clone(), "");
        typist.type_text(range.start, &removed);
    }
    let typing = figures(std::mem::take(&mut typist.latencies), typist.unanswered);

    // A large document: keystrokes in its middle.
    let large_figures = large.map(|large| {
        let uri = format!("{root}/large/personvern.md");
        open(&mut server, &uri, large);
        server.published(&uri, None);
        server.settle(Duration::from_millis(200));
        let mut typist = Typist {
            server: &mut server,
            uri,
            text: large.to_string(),
            version: 1,
            latencies: Vec::new(),
            unanswered: 0,
        };
        let middle = typist.text.len() / 2;
        let at = typist.text[middle..]
            .find(". ")
            .map_or(middle, |i| middle + i + 1);
        typist.type_text(at, &" og så videre".repeat(if quick { 2 } else { 8 }));
        figures(typist.latencies, typist.unanswered)
    });

    let rss_large_kb = server.peak_rss_kb();
    server.stop();

    // Ten documents open at once, in a fresh process.
    let mut server = Server::start(command);
    initialize(&mut server, &root);
    for i in 0..10 {
        let uri = format!("{root}/many/{i}/personvern.md");
        open(&mut server, &uri, document);
        server.published(&uri, None);
    }
    server.settle(Duration::from_millis(300));
    let rss_10_docs_kb = server.peak_rss_kb();
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
    Report {
        name: name.to_string(),
        cold_start,
        typing,
        large: large_figures,
        rss_10_docs_kb,
        rss_large_kb,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn print_report(report: &Report) {
    println!("== {} ==", report.name);
    let cold = &report.cold_start;
    match (cold.samples.first(), cold.median(), cold.samples.last()) {
        (Some(min), Some(median), Some(max)) => println!(
            "cold start → first diagnostics ({} of {} starts): median {}  min {}  max {}",
            cold.samples.len(),
            cold.runs,
            ms(median),
            ms(*min),
            ms(*max)
        ),
        _ => println!(
            "cold start → first diagnostics: none within {WAIT:?} in {} starts",
            cold.runs
        ),
    }
    let t = &report.typing;
    println!(
        "typing ({} keystrokes, {} unanswered): p50 {}  p99 {}  max {}",
        t.keystrokes,
        t.unanswered,
        ms(t.p50),
        ms(t.p99),
        ms(t.max)
    );
    if let Some(l) = &report.large {
        println!(
            "large document ({} keystrokes, {} unanswered): p50 {}  p99 {}  max {}",
            l.keystrokes,
            l.unanswered,
            ms(l.p50),
            ms(l.p99),
            ms(l.max)
        );
    }
    if let Some(kb) = report.rss_large_kb {
        println!(
            "peak RSS of the typing session{}: {:.1} MB",
            if report.large.is_some() {
                " (with the large document)"
            } else {
                ""
            },
            kb as f64 / 1024.0
        );
    }
    if let Some(kb) = report.rss_10_docs_kb {
        println!(
            "peak RSS with 10 documents open: {:.1} MB",
            kb as f64 / 1024.0
        );
    }
}

fn budget(label: &str, holds: bool, figure: String) {
    println!(
        "budget {label}: {figure} → {}",
        if holds { "holds" } else { "FAILS" }
    );
}

fn largest_seed() -> (String, String) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/seeds");
    let mut best = (String::new(), String::new());
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                if text.len() > best.1.len() {
                    best = (entry.path().display().to_string(), text);
                }
            }
        }
    }
    if best.1.is_empty() {
        best = (
            "tests/fixtures/personvernerklaering.md".to_string(),
            include_str!("../fixtures/personvernerklaering.md").to_string(),
        );
    }
    best
}

/// A policy of at least `bytes` bytes: the document repeated with numbered paragraphs.
fn enlarge(text: &str, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + text.len());
    let mut copy = 0;
    while out.len() < bytes {
        for paragraph in text.split("\n\n") {
            out.push_str(paragraph.trim());
            out.push_str(&format!(" (del {copy})\n\n"));
        }
        copy += 1;
    }
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut peer: Option<Vec<String>> = None;
    let mut document_path: Option<String> = None;
    let mut quick = false;
    let mut large_mb = 1usize;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--peer" => {
                peer = args
                    .next()
                    .map(|c| c.split_whitespace().map(str::to_string).collect())
            }
            "--document" => document_path = args.next(),
            "--quick" => quick = true,
            "--large-mb" => large_mb = args.next().and_then(|n| n.parse().ok()).unwrap_or(1),
            _ => {} // cargo bench passes --bench
        }
    }
    let (name, document) = match document_path {
        Some(path) => {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            (path, text)
        }
        None => largest_seed(),
    };
    let large = enlarge(&document, large_mb * 1_000_000);
    println!(
        "document: {name} ({} bytes); large document: {} bytes; machine: {} cores",
        document.len(),
        large.len(),
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    let ours = run(
        "privacy-lsp",
        &[env!("CARGO_BIN_EXE_privacy-lsp").to_string()],
        &document,
        Some(&large),
        quick,
    );
    print_report(&ours);
    let t = &ours.typing;
    budget(
        "p50 < 0.5 ms (15 KB)",
        t.p50 < Duration::from_micros(500),
        ms(t.p50),
    );
    budget(
        "p99 < 2 ms (15 KB)",
        t.p99 < Duration::from_millis(2),
        ms(t.p99),
    );
    if let Some(l) = &ours.large {
        budget(
            "p99 < 20 ms (1 MB)",
            l.p99 < Duration::from_millis(20),
            ms(l.p99),
        );
    }
    if let Some(cold) = ours.cold_start.median() {
        budget(
            "cold start < 20 ms (median)",
            cold < Duration::from_millis(20),
            ms(cold),
        );
    }
    if let Some(kb) = ours.rss_10_docs_kb {
        budget(
            "RSS < 20 MB",
            kb < 20 * 1024,
            format!("{:.1} MB", kb as f64 / 1024.0),
        );
    }
    if let Some(peer) = peer {
        let theirs = run(&peer[0], &peer, &document, None, quick);
        print_report(&theirs);
        let ratio = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64().max(1e-9);
        println!(
            "ratio (peer / privacy-lsp): p50 {:.1}×  p99 {:.1}×",
            ratio(ours.typing.p50, theirs.typing.p50),
            ratio(ours.typing.p99, theirs.typing.p99)
        );
        if let (Some(a), Some(b)) = (ours.cold_start.median(), theirs.cold_start.median()) {
            println!("ratio cold start (medians): {:.1}×", ratio(a, b));
        }
    }
}
