//! The LSP backend: capabilities, request handlers and publishing.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    CodeActionResponse, CodeLens, CodeLensOptions, CodeLensParams, CompletionItem,
    CompletionItemKind, CompletionOptions, CompletionParams, CompletionResponse,
    CompletionTextEdit, ConfigurationItem, Diagnostic, DiagnosticOptions,
    DiagnosticServerCapabilities, DidChangeConfigurationParams, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DocumentDiagnosticParams,
    DocumentDiagnosticReport, DocumentDiagnosticReportResult, DocumentSymbolParams,
    DocumentSymbolResponse, Documentation, ExecuteCommandOptions, ExecuteCommandParams,
    FileChangeType, FileSystemWatcher, FoldingRange, FoldingRangeParams,
    FoldingRangeProviderCapability, FullDocumentDiagnosticReport, GlobPattern, Hover,
    HoverContents, HoverParams, HoverProviderCapability, InitializeParams, InitializeResult,
    InitializedParams, InlayHint, InlayHintParams, InlayHintServerCapabilities, MarkupContent,
    MarkupKind, MessageType, OneOf, PositionEncodingKind, Registration,
    RelatedFullDocumentDiagnosticReport, ResourceOperationKind, SemanticTokens,
    SemanticTokensFullOptions, SemanticTokensOptions, SemanticTokensParams,
    SemanticTokensRangeParams, SemanticTokensRangeResult, SemanticTokensResult,
    SemanticTokensServerCapabilities, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextEdit, Uri,
};
use tower_lsp_server::{Client, LanguageServer};

use super::convert;
use super::documents::{Applied, Change, OpenDocument};
use super::output::Notifier;
use super::presentation;
use super::workspace::{Workspace, path_of};
use crate::analysis::Analysis;
use crate::config::{FILE_NAME, Settings};
use crate::document::{Document, PositionEncoding, TextFormat};

#[derive(Default)]
struct State {
    encoding: PositionEncoding,
    pull: bool,
    /// The client answers `workspace/configuration`.
    configuration: bool,
    /// The client can watch files for us (dynamic registration).
    watch_files: bool,
    /// The client applies `documentChanges` that create files.
    create_files: bool,
    /// The client accepts `workspace/diagnostic/refresh`.
    diagnostic_refresh: bool,
    workspace: Workspace,
    documents: HashMap<Uri, OpenDocument>,
}

/// The server's state and its connection to the client.
pub struct Backend {
    client: Client,
    /// Publishes diagnostics (all of them: one path keeps their order).
    notifier: Notifier,
    state: Mutex<State>,
    /// Becomes true once the editor's settings are known (after `initialized`), so that the
    /// first diagnostics already follow them.
    settings_ready: tokio::sync::watch::Sender<bool>,
}

/// How long diagnostics wait for the editor's settings before going out without them.
const SETTINGS_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Whether a file name says it is a privacy policy, whatever its content so far (a new,
/// empty `personvern.md` should get diagnostics from the first keystroke).
fn named_like_a_policy(uri: &Uri) -> bool {
    let path = uri.path().as_str().to_lowercase();
    let name = path.rsplit('/').next().unwrap_or("");
    [
        "personvern",
        "privacy",
        "cookie",
        "gdpr",
        "informasjonskapsl",
    ]
    .iter()
    .any(|w| name.contains(w))
}

/// Whether a document is a policy, and why: the configuration's globs, its file name, or
/// its content (title and vocabulary).
fn policy_decision(uri: &Uri, by_glob: Option<bool>, analysis: &Analysis) -> (bool, &'static str) {
    if by_glob == Some(true) {
        (true, "named by the policies globs in privacy-lsp.toml")
    } else if named_like_a_policy(uri) {
        (true, "by its file name")
    } else if analysis.facts.is_policy {
        (true, "by its title and vocabulary")
    } else if by_glob == Some(false) {
        (
            false,
            "not named by the policies globs, and its content does not read as a policy",
        )
    } else {
        (false, "its title and vocabulary do not read as a policy")
    }
}

fn format_of(uri: &Uri, language_id: &str) -> TextFormat {
    if language_id.eq_ignore_ascii_case("plaintext") || language_id.eq_ignore_ascii_case("text") {
        TextFormat::PlainText
    } else if language_id.eq_ignore_ascii_case("markdown") {
        TextFormat::Markdown
    } else {
        TextFormat::from_hint(uri.as_str())
    }
}

impl Backend {
    /// A backend talking to `client`, publishing diagnostics through `notifier`.
    pub fn new(client: Client, notifier: Notifier) -> Backend {
        Backend {
            client,
            notifier,
            state: Mutex::new(State::default()),
            settings_ready: tokio::sync::watch::Sender::new(false),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere must not stop the server: take the state as it is.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on an open document and its current analysis, with the negotiated position
    /// encoding. `None` when the document is not open, or when `f` panicked (logged: a panic
    /// in the analysis must not stop the server).
    fn with_analysis<T>(
        &self,
        uri: &Uri,
        f: impl FnOnce(&Document, &Analysis, PositionEncoding, i32) -> T,
    ) -> Option<T> {
        let mut state = self.lock();
        let encoding = state.encoding;
        let open = state.documents.get_mut(uri)?;
        if open.too_large() {
            return None;
        }
        let version = open.version;
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let (document, analysis) = open.analysed();
            f(document, analysis, encoding, version)
        }));
        match result {
            Ok(value) => Some(value),
            Err(_) => {
                tracing::error!("the analysis panicked on {}", uri.as_str());
                None
            }
        }
    }

    /// Like [`Backend::with_analysis`], for the features that light a document up (tokens,
    /// hints, lenses): `None` for Markdown that does not read as a policy.
    fn with_policy<T>(
        &self,
        uri: &Uri,
        f: impl FnOnce(&Document, &Analysis, PositionEncoding) -> T,
    ) -> Option<T> {
        let by_glob = self.lock().documents.get(uri)?.policy_by_glob;
        self.with_analysis(uri, |document, analysis, encoding, _| {
            policy_decision(uri, by_glob, analysis)
                .0
                .then(|| f(document, analysis, encoding))
        })
        .flatten()
    }

    /// Applies the settings that hold for `uri` to its open document; returns the project
    /// file they came from.
    fn configure(&self, uri: &Uri) -> Option<std::path::PathBuf> {
        let path = path_of(uri);
        let mut state = self.lock();
        let (settings, file) = state.workspace.settings_for(path.as_deref());
        let by_glob = path.as_deref().and_then(|p| settings.names_policy(p));
        if let Some(open) = state.documents.get_mut(uri) {
            open.set_options(settings.options());
            open.policy_by_glob = by_glob;
            open.project_file = file.clone();
            open.jurisdiction = settings
                .jurisdiction
                .clone()
                .unwrap_or_else(|| "NO".to_string());
        }
        file
    }

    /// Publishes the problems of a project file as diagnostics on it.
    async fn publish_config(&self, file: &std::path::Path) {
        let Some(uri) = Uri::from_file_path(file) else {
            return;
        };
        let diagnostics = {
            let mut state = self.lock();
            let encoding = state.encoding;
            state.workspace.diagnostics(file, encoding)
        };
        self.notifier
            .publish_diagnostics(uri, diagnostics, None)
            .await;
    }

    /// Re-reads settings for every open document and refreshes their diagnostics.
    async fn reconfigure_all(&self) {
        let uris: Vec<Uri> = self.lock().documents.keys().cloned().collect();
        let mut files = Vec::new();
        for uri in &uris {
            if let Some(file) = self.configure(uri) {
                if !files.contains(&file) {
                    files.push(file);
                }
            }
        }
        for file in files {
            self.publish_config(&file).await;
        }
        let (pull, refresh) = {
            let state = self.lock();
            (state.pull, state.diagnostic_refresh)
        };
        if pull {
            // Clients that cannot be asked to refresh pull again on their own next change.
            if refresh {
                let _ = self.client.workspace_diagnostic_refresh().await;
            }
        } else {
            for uri in uris {
                self.publish(uri).await;
            }
        }
    }

    /// Asks the client for the `privacyLsp` settings, when it answers such requests.
    async fn fetch_editor_settings(&self) {
        if !self.lock().configuration {
            return;
        }
        let item = ConfigurationItem {
            scope_uri: None,
            section: Some("privacyLsp".to_string()),
        };
        match self.client.configuration(vec![item]).await {
            Ok(values) => {
                if let Some(value) = values.first() {
                    self.set_editor_settings(value).await;
                }
            }
            Err(e) => tracing::warn!("workspace/configuration failed: {e}"),
        }
    }

    /// Takes the editor's settings; their `policies` globs are relative to the first
    /// workspace folder.
    async fn set_editor_settings(&self, value: &serde_json::Value) {
        let base = self
            .lock()
            .workspace
            .roots
            .first()
            .cloned()
            .unwrap_or_else(|| std::path::PathBuf::from("/"));
        let (settings, errors) = Settings::parse_json(value, &base);
        for error in &errors {
            self.client
                .show_message(
                    MessageType::WARNING,
                    format!("privacy-lsp settings: {}", error.message),
                )
                .await;
        }
        let mut state = self.lock();
        state.workspace.editor = settings;
        state.workspace.editor_errors = errors;
    }

    /// Diagnostics of an open document and its version, or `None` when it is not open.
    /// Markdown that does not read as a privacy policy (a README) gets none.
    fn diagnostics(&self, uri: &Uri) -> Option<(Vec<Diagnostic>, i32)> {
        let (version, by_glob) = {
            let mut state = self.lock();
            let open = state.documents.get_mut(uri)?;
            if open.too_large() {
                if !open.told_too_large {
                    open.told_too_large = true;
                    let message = format!(
                        "{} is {:.1} MB: privacy-lsp analyses documents up to {} MB as you type. Run `privacy-lsp check` on it instead.",
                        uri.as_str(),
                        open.document.len_bytes() as f64 / 1_048_576.0,
                        super::documents::MAX_ANALYSED_BYTES / 1_048_576
                    );
                    tracing::warn!("{message}");
                    let client = self.client.clone();
                    tokio::spawn(async move {
                        client.show_message(MessageType::WARNING, message).await
                    });
                }
                return Some((Vec::new(), open.version));
            }
            (open.version, open.policy_by_glob)
        };
        let diagnostics = self.with_analysis(uri, |document, analysis, encoding, version| {
            let decision = policy_decision(uri, by_glob, analysis);
            let items = if decision.0 {
                let mut positions = document.positions(encoding);
                analysis
                    .findings
                    .iter()
                    .map(|f| convert::diagnostic(&mut positions, f))
                    .collect()
            } else {
                Vec::new()
            };
            (items, version, decision)
        });
        let (items, version, (is_policy, reason)) =
            diagnostics.unwrap_or((Vec::new(), version, (false, "")));
        let changed = {
            let mut state = self.lock();
            let open = state.documents.get_mut(uri)?;
            let changed = open.policy_said != Some(is_policy);
            open.policy_said = Some(is_policy);
            changed
        };
        if changed && !reason.is_empty() {
            let verdict = if is_policy {
                "is a privacy policy"
            } else {
                "is not a privacy policy: no diagnostics"
            };
            tracing::info!("{} {verdict} ({reason})", uri.as_str());
            let client = self.client.clone();
            let message = format!("{} {verdict} ({reason})", uri.as_str());
            tokio::spawn(async move { client.log_message(MessageType::INFO, message).await });
        }
        Some((items, version))
    }

    /// Waits (briefly) until the editor's settings are known.
    async fn settings_known(&self) {
        let mut ready = self.settings_ready.subscribe();
        let _ = tokio::time::timeout(SETTINGS_WAIT, ready.wait_for(|known| *known)).await;
    }

    /// The version of an open document.
    fn version_of(&self, uri: &Uri) -> Option<i32> {
        self.lock().documents.get(uri).map(|open| open.version)
    }

    /// Pushes diagnostics for the document's current version.
    ///
    /// Bursts are coalesced: the change yields once before analysing, so that changes already
    /// queued behind it are applied first, and only the newest one analyses and publishes.
    /// Diagnostics are computed and sent for the version current at that moment, so a version
    /// the server has already moved past is never published.
    async fn publish(&self, uri: Uri) {
        if self.lock().pull {
            return;
        }
        self.settings_known().await;
        let applied = self.version_of(&uri);
        tokio::task::yield_now().await;
        if self.version_of(&uri) != applied {
            return; // a newer change is applied, and publishes for both
        }
        if let Some((diagnostics, version)) = self.diagnostics(&uri) {
            if self.version_of(&uri) != Some(version) {
                return;
            }
            self.notifier
                .publish_diagnostics(uri, diagnostics, Some(version))
                .await;
        }
    }
}

/// Lets a `$/cancelRequest` that is already queued behind a request take effect before the
/// request does any work: editors cancel hovers and completions as the user types on.
async fn cancellation_point() {
    tokio::task::yield_now().await;
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let utf8 = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|encodings| encodings.contains(&PositionEncodingKind::UTF8));
        let pull = params
            .capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.diagnostic.as_ref())
            .is_some();
        let workspace = params.capabilities.workspace.as_ref();
        let configuration = workspace.and_then(|w| w.configuration).unwrap_or(false);
        let watch_files = workspace
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        let workspace_edit = workspace.and_then(|w| w.workspace_edit.as_ref());
        let create_files = workspace_edit.is_some_and(|w| {
            w.document_changes == Some(true)
                && w.resource_operations
                    .as_ref()
                    .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create))
        });
        let diagnostic_refresh = workspace
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false);
        let mut roots: Vec<std::path::PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| path_of(&f.uri))
            .collect();
        #[allow(deprecated)] // older clients send only root_uri
        if roots.is_empty() {
            roots.extend(params.root_uri.as_ref().and_then(path_of));
        }
        self.lock().workspace.roots = roots.clone();
        if let Some(options) = &params.initialization_options {
            let value = options.get("privacyLsp").unwrap_or(options);
            self.set_editor_settings(value).await;
        }
        {
            let mut state = self.lock();
            state.configuration = configuration;
            state.watch_files = watch_files;
            state.create_files = create_files;
            state.diagnostic_refresh = diagnostic_refresh;
            state.workspace.roots = roots;
            state.encoding = if utf8 {
                PositionEncoding::Utf8
            } else {
                PositionEncoding::Utf16
            };
            state.pull = pull;
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(if utf8 {
                    PositionEncodingKind::UTF8
                } else {
                    PositionEncodingKind::UTF16
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..Default::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![" ".to_string(), "(".to_string()]),
                    ..Default::default()
                }),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        resolve_provider: Some(false),
                        ..Default::default()
                    },
                )),
                document_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                semantic_tokens_provider: Some(
                    SemanticTokensServerCapabilities::SemanticTokensOptions(
                        SemanticTokensOptions {
                            legend: presentation::legend(),
                            full: Some(SemanticTokensFullOptions::Bool(true)),
                            range: Some(true),
                            ..Default::default()
                        },
                    ),
                ),
                inlay_hint_provider: Some(OneOf::Right(InlayHintServerCapabilities::Options(
                    Default::default(),
                ))),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![presentation::SHOW_MISSING.to_string()],
                    ..Default::default()
                }),
                diagnostic_provider: pull.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some("privacy-lsp".to_string()),
                        inter_file_dependencies: false,
                        workspace_diagnostics: false,
                        work_done_progress_options: Default::default(),
                    })
                }),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "privacy-lsp".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.client
            .log_message(MessageType::INFO, "privacy-lsp is ready")
            .await;
        if self.lock().watch_files {
            let watchers = DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![FileSystemWatcher {
                    glob_pattern: GlobPattern::String(format!("**/{FILE_NAME}")),
                    kind: None,
                }],
            };
            let registration = Registration {
                id: "privacy-lsp-config".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(watchers).ok(),
            };
            if let Err(e) = self.client.register_capability(vec![registration]).await {
                tracing::warn!("could not watch {FILE_NAME}: {e}");
            }
        }
        self.fetch_editor_settings().await;
        self.settings_ready.send_replace(true);
        self.reconfigure_all().await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if self.lock().configuration {
            self.fetch_editor_settings().await;
        } else {
            let value = params
                .settings
                .get("privacyLsp")
                .unwrap_or(&params.settings);
            self.set_editor_settings(value).await;
        }
        self.reconfigure_all().await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let mut touched = false;
        for change in params.changes {
            let Some(path) = path_of(&change.uri) else {
                continue;
            };
            if path.file_name().is_some_and(|n| n == FILE_NAME) {
                self.lock().workspace.forget(&path);
                touched = true;
                if change.typ == FileChangeType::DELETED {
                    self.notifier
                        .publish_diagnostics(change.uri, Vec::new(), None)
                        .await;
                }
            }
        }
        if touched {
            self.reconfigure_all().await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.notifier.stop();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let format = format_of(&doc.uri, &doc.language_id);
        if doc.text.len() <= super::documents::MAX_ANALYSED_BYTES {
            super::prepare_language_of(&doc.text);
        }
        self.lock().documents.insert(
            doc.uri.clone(),
            OpenDocument::new(&doc.text, doc.version, format),
        );
        self.settings_known().await;
        if let Some(file) = self.configure(&doc.uri) {
            self.publish_config(&file).await;
        }
        self.publish(doc.uri).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let changes: Vec<Change> = params
            .content_changes
            .into_iter()
            .map(|c| Change {
                range: c
                    .range
                    .map(|r| (convert::line_col(r.start), convert::line_col(r.end))),
                text: c.text,
            })
            .collect();
        // Applied synchronously, before any await, so edits keep their order.
        let applied = {
            let mut state = self.lock();
            let encoding = state.encoding;
            match state.documents.get_mut(&uri) {
                Some(open) => open.apply(version, changes, encoding),
                None => {
                    tracing::warn!("change to a document that is not open: {}", uri.as_str());
                    return;
                }
            }
        };
        match applied {
            Applied::Yes => self.publish(uri).await,
            Applied::Stale => tracing::warn!(
                "dropped a stale change (version {version}) to {}",
                uri.as_str()
            ),
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let (removed, pull) = {
            let mut state = self.lock();
            (state.documents.remove(&uri).is_some(), state.pull)
        };
        if removed && !pull {
            self.notifier
                .publish_diagnostics(uri, Vec::new(), None)
                .await;
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        cancellation_point().await;
        let position = params.text_document_position_params;
        let hover = self.with_analysis(
            &position.text_document.uri,
            |document, analysis, encoding, _| {
                let offset = document.offset_at(convert::line_col(position.position), encoding);
                crate::analysis::hover::hover(analysis, offset).map(|info| Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: info.markdown,
                    }),
                    range: Some(convert::range(
                        &mut document.positions(encoding),
                        &info.range,
                    )),
                })
            },
        );
        Ok(hover.flatten())
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        cancellation_point().await;
        use crate::analysis::completion::{CompletionKind, Setting, complete};
        let position = params.text_document_position;
        let jurisdiction = self
            .lock()
            .documents
            .get(&position.text_document.uri)
            .map_or_else(|| "NO".to_string(), |d| d.jurisdiction.clone());
        let items = self.with_analysis(
            &position.text_document.uri,
            |document, analysis, encoding, _| {
                let offset = document.offset_at(convert::line_col(position.position), encoding);
                let line_start = document.offset_at(
                    crate::document::LineCol {
                        line: position.position.line,
                        col: 0,
                    },
                    encoding,
                );
                let line_before = document.slice(line_start..offset);
                let setting = Setting {
                    language: analysis.facts.language,
                    own: &analysis.own_processors,
                    jurisdiction: &jurisdiction,
                };
                let mut positions = document.positions(encoding);
                complete(&line_before, line_start, offset, setting)
                    .into_iter()
                    .map(|item| CompletionItem {
                        label: item.label,
                        kind: Some(match item.kind {
                            CompletionKind::LegalBasis => CompletionItemKind::REFERENCE,
                            CompletionKind::Processor => CompletionItemKind::CLASS,
                            CompletionKind::Authority => CompletionItemKind::VALUE,
                            CompletionKind::Article => CompletionItemKind::REFERENCE,
                        }),
                        detail: Some(item.detail),
                        documentation: Some(Documentation::MarkupContent(MarkupContent {
                            kind: MarkupKind::Markdown,
                            value: item.documentation,
                        })),
                        sort_text: Some(item.sort),
                        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                            range: convert::range(&mut positions, &item.replace),
                            new_text: item.insert,
                        })),
                        ..Default::default()
                    })
                    .collect::<Vec<_>>()
            },
        );
        Ok(items.map(CompletionResponse::Array))
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        cancellation_point().await;
        self.settings_known().await;
        let items = self
            .diagnostics(&params.text_document.uri)
            .map(|(d, _)| d)
            .unwrap_or_default();
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        cancellation_point().await;
        let symbols = self.with_analysis(
            &params.text_document.uri,
            |document, analysis, encoding, _| presentation::symbols(document, analysis, encoding),
        );
        Ok(symbols.map(DocumentSymbolResponse::Nested))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        cancellation_point().await;
        Ok(self.with_analysis(
            &params.text_document.uri,
            |document, analysis, encoding, _| {
                presentation::folding_ranges(document, analysis, encoding)
            },
        ))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        cancellation_point().await;
        let data = self.with_policy(&params.text_document.uri, |document, analysis, encoding| {
            presentation::semantic_tokens(document, analysis, None, encoding)
        });
        Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
            result_id: None,
            data: data.unwrap_or_default(),
        })))
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        cancellation_point().await;
        let data = self.with_policy(&params.text_document.uri, |document, analysis, encoding| {
            let within = document.offset_at(convert::line_col(params.range.start), encoding)
                ..document.offset_at(convert::line_col(params.range.end), encoding);
            presentation::semantic_tokens(document, analysis, Some(within), encoding)
        });
        Ok(Some(SemanticTokensRangeResult::Tokens(SemanticTokens {
            result_id: None,
            data: data.unwrap_or_default(),
        })))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        cancellation_point().await;
        Ok(
            self.with_policy(&params.text_document.uri, |document, analysis, encoding| {
                let within = document.offset_at(convert::line_col(params.range.start), encoding)
                    ..document.offset_at(convert::line_col(params.range.end), encoding);
                presentation::inlay_hints(document, analysis, within, encoding)
            }),
        )
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        cancellation_point().await;
        let uri = params.text_document.uri;
        Ok(self.with_policy(&uri, |_, analysis, _| {
            vec![presentation::coverage_lens(analysis, &uri)]
        }))
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        if params.command != presentation::SHOW_MISSING {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "unknown command {}",
                params.command
            )));
        }
        let uri = params
            .arguments
            .first()
            .and_then(|a| a.as_str())
            .and_then(|s| s.parse::<Uri>().ok());
        let Some(uri) = uri else {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(
                "expected the document's URI as the first argument",
            ));
        };
        let message = self.with_analysis(&uri, |_, analysis, _, _| {
            presentation::missing_message(analysis)
        });
        let Some(message) = message else {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "{} is not open",
                uri.as_str()
            )));
        };
        self.client
            .show_message(MessageType::INFO, message.clone())
            .await;
        Ok(Some(serde_json::Value::String(message)))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        cancellation_point().await;
        let uri = params.text_document.uri;
        let (project_file, new_project_file, create_files, jurisdiction) = {
            let mut state = self.lock();
            let Some(open) = state.documents.get(&uri) else {
                return Ok(None);
            };
            let file = open.project_file.clone();
            let jurisdiction = open.jurisdiction.clone();
            let roots = state.workspace.roots.clone();
            let project = file.map(|f| {
                let text = state.workspace.project_text(&f);
                (f, text)
            });
            let new_file = path_of(&uri).and_then(|p| super::actions::new_project_file(&p, &roots));
            (project, new_file, state.create_files, jurisdiction)
        };
        let actions = self.with_analysis(&uri, |document, analysis, encoding, version| {
            let range = document.offset_at(convert::line_col(params.range.start), encoding)
                ..document.offset_at(convert::line_col(params.range.end), encoding);
            let context = super::actions::ActionContext {
                uri: &uri,
                version,
                encoding,
                create_files,
                project_file,
                new_project_file,
                jurisdiction,
            };
            super::actions::code_actions(document, analysis, range, &context)
        });
        Ok(actions)
    }
}
