//! The LSP backend: capabilities, request handlers and publishing.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeLens, CodeLensOptions, CodeLensParams, CompletionItem, CompletionItemKind,
    CompletionOptions, CompletionParams, CompletionResponse, CompletionTextEdit, Diagnostic,
    DiagnosticOptions, DiagnosticServerCapabilities, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DocumentDiagnosticParams,
    DocumentDiagnosticReport, DocumentDiagnosticReportResult, DocumentSymbolParams,
    DocumentSymbolResponse, Documentation, ExecuteCommandOptions, ExecuteCommandParams,
    FoldingRange, FoldingRangeParams, FoldingRangeProviderCapability, FullDocumentDiagnosticReport,
    Hover, HoverContents, HoverParams, HoverProviderCapability, InitializeParams, InitializeResult,
    InitializedParams, InlayHint, InlayHintParams, InlayHintServerCapabilities, MarkupContent,
    MarkupKind, MessageType, OneOf, PositionEncodingKind, RelatedFullDocumentDiagnosticReport,
    SemanticTokens, SemanticTokensFullOptions, SemanticTokensOptions, SemanticTokensParams,
    SemanticTokensRangeParams, SemanticTokensRangeResult, SemanticTokensResult,
    SemanticTokensServerCapabilities, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextEdit, Uri,
};
use tower_lsp_server::{Client, LanguageServer};

use super::convert;
use super::documents::{Applied, Change, OpenDocument};
use super::presentation;
use crate::analysis::{Analysis, Options};
use crate::document::{Document, PositionEncoding, TextFormat};

#[derive(Default)]
struct State {
    encoding: PositionEncoding,
    pull: bool,
    options: Options,
    documents: HashMap<Uri, OpenDocument>,
}

/// The server's state and its connection to the client.
pub struct Backend {
    client: Client,
    state: Mutex<State>,
}

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
    /// A backend talking to `client`.
    pub fn new(client: Client) -> Backend {
        Backend {
            client,
            state: Mutex::new(State::default()),
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
        let options = state.options.clone();
        let open = state.documents.get_mut(uri)?;
        let version = open.version;
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let (document, analysis) = open.analysed(&options);
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
        let named_policy = named_like_a_policy(uri);
        self.with_analysis(uri, |document, analysis, encoding, _| {
            (analysis.facts.is_policy || named_policy).then(|| f(document, analysis, encoding))
        })
        .flatten()
    }

    /// Diagnostics of an open document and its version, or `None` when it is not open.
    /// Markdown that does not read as a privacy policy (a README) gets none.
    fn diagnostics(&self, uri: &Uri) -> Option<(Vec<Diagnostic>, i32)> {
        let named_policy = named_like_a_policy(uri);
        let version = self.lock().documents.get(uri)?.version;
        let diagnostics = self.with_analysis(uri, |document, analysis, encoding, version| {
            if !analysis.facts.is_policy && !named_policy {
                tracing::info!(
                    "{} does not read as a privacy policy: no diagnostics",
                    uri.as_str()
                );
                return (Vec::new(), version);
            }
            let items = analysis
                .findings
                .iter()
                .map(|f| convert::diagnostic(document, f, encoding))
                .collect();
            (items, version)
        });
        Some(diagnostics.unwrap_or((Vec::new(), version)))
    }

    async fn publish(&self, uri: Uri) {
        if self.lock().pull {
            return;
        }
        if let Some((diagnostics, version)) = self.diagnostics(&uri) {
            self.client
                .publish_diagnostics(uri, diagnostics, Some(version))
                .await;
        }
    }
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
        {
            let mut state = self.lock();
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
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let format = format_of(&doc.uri, &doc.language_id);
        self.lock().documents.insert(
            doc.uri.clone(),
            OpenDocument::new(&doc.text, doc.version, format),
        );
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
            Applied::Waiting => {
                tracing::info!("holding change version {version} until earlier ones arrive")
            }
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let (removed, pull) = {
            let mut state = self.lock();
            (state.documents.remove(&uri).is_some(), state.pull)
        };
        if removed && !pull {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
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
                    range: Some(convert::range(document, &info.range, encoding)),
                })
            },
        );
        Ok(hover.flatten())
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        use crate::analysis::completion::{CompletionKind, complete};
        let position = params.text_document_position;
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
                complete(&line_before, line_start, offset, analysis.facts.language)
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
                            range: convert::range(document, &item.replace, encoding),
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
        let symbols = self.with_analysis(
            &params.text_document.uri,
            |document, analysis, encoding, _| presentation::symbols(document, analysis, encoding),
        );
        Ok(symbols.map(DocumentSymbolResponse::Nested))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
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
        Ok(
            self.with_policy(&params.text_document.uri, |document, analysis, encoding| {
                let within = document.offset_at(convert::line_col(params.range.start), encoding)
                    ..document.offset_at(convert::line_col(params.range.end), encoding);
                presentation::inlay_hints(document, analysis, within, encoding)
            }),
        )
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
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
}
