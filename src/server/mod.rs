//! The language server: the only layer that knows LSP. It keeps open documents, applies their
//! changes in order, and turns analyses into diagnostics (pulled when the client supports
//! `textDocument/diagnostic`, otherwise pushed; never both).

pub mod actions;
pub mod answer_guard;
pub mod backend;
pub mod convert;
pub mod documents;
pub mod output;
pub mod presentation;
pub mod stdin;
pub mod transport;
pub mod workspace;

use tower_lsp_server::{LspService, Server};

/// The log level named by `PRIVACY_LSP_LOG` (error, warn, info, debug, trace or off);
/// warnings by default. A level filter, not a directive language: tracing-subscriber's
/// `env-filter` would pull in full-DFA regex builds that slow every regex compiled at startup.
fn log_level() -> tracing_subscriber::filter::LevelFilter {
    std::env::var("PRIVACY_LSP_LOG")
        .ok()
        .and_then(|level| level.trim().parse().ok())
        .unwrap_or(tracing_subscriber::filter::LevelFilter::WARN)
}

/// Runs `job` on a named thread of its own; a thread that cannot start is logged and skipped
/// (its work is then done on first use).
fn spawn_preparation(name: &str, job: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new()
        .name(name.to_string())
        .spawn(job)
    {
        tracing::warn!("cannot start {name}: {e}");
    }
}

/// Compiles the knowledge base on a thread of its own while the client starts the session,
/// so that the first document's analysis does not pay for it. A compile the analysis needs
/// first is simply shared: whoever comes first builds it, the other waits.
fn prepare_in_background() {
    spawn_preparation("prepare-knowledge", crate::analysis::extract::prepare);
}

/// How much of an opened document the language warm-up reads: enough to tell the languages
/// apart, and a bounded copy however large the document.
const LANGUAGE_SAMPLE_BYTES: usize = 16 * 1024;

/// Compiles the lexicon of the language `text` is written in on a background thread, while
/// the server parses it. Lexicons of languages no open document is written in are never
/// compiled.
pub(crate) fn prepare_language_of(text: &str) {
    let mut end = text.len().min(LANGUAGE_SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = text[..end].to_string();
    spawn_preparation("prepare-language", move || {
        crate::analysis::prepare_for_text(&sample)
    });
}

/// Serves LSP from `input` to `output` until the client exits or `input` ends: the guard
/// against malformed messages, the service behind its answer guard, and one writer of the
/// output for the framework's messages and the diagnostics. Must run inside a tokio runtime.
/// Tests use it over in-memory pipes.
pub async fn serve(
    input: impl tokio::io::AsyncRead + Unpin + Send + 'static,
    output: impl tokio::io::AsyncWrite + Unpin,
) {
    let (framework_output, notifier, closer, frames) = output::channel();
    let (service, socket) = LspService::new(|client| backend::Backend::new(client, notifier));
    let (guarded_writer, guarded_reader) = tokio::io::duplex(1 << 16);
    tokio::spawn(transport::guard(input, guarded_writer));
    let serving = async {
        Server::new(guarded_reader, framework_output, socket)
            .serve(answer_guard::AnswerGuard::new(service))
            .await;
        closer.close().await;
    };
    tokio::join!(serving, output::write_frames(output, frames));
}

/// Serves LSP on stdin/stdout until the client exits; returns the process exit status.
pub fn run_stdio() -> u8 {
    // First, so that the reader is waiting when the client's first message arrives.
    let input = stdin::StdinReader::spawn(std::io::stdin());
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_max_level(log_level())
        .init();
    prepare_in_background();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("privacy-lsp: cannot start the async runtime: {e}");
            return 2;
        }
    };
    match input {
        Some(input) => runtime.block_on(serve(input, tokio::io::stdout())),
        None => runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout())),
    }
    // The stdin reader blocks in a thread of its own; do not wait for it after `exit`.
    runtime.shutdown_background();
    0
}
