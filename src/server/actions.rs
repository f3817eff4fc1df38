//! Code actions: the analysis's quick fixes as `WorkspaceEdit`s, plus "disable this rule for
//! the project", which edits (or creates) `privacy-lsp.toml`. Every action carries its edit;
//! none needs a client-side command.

use std::collections::HashMap;
use std::path::Path;

use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CreateFile, CreateFileOptions, Diagnostic,
    DocumentChangeOperation, DocumentChanges, OneOf, OptionalVersionedTextDocumentIdentifier,
    Position, Range, ResourceOp, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use super::convert;
use crate::analysis::Analysis;
use crate::analysis::fixes::{self, FixContext};
use crate::config::FILE_NAME;
use crate::document::{Document, PositionEncoding, TextFormat};

/// Today's date (UTC) as year, month, day: the civil calendar from the system clock.
pub fn today() -> (i32, u32, u32) {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days((seconds / 86_400) as i64)
}

/// Days since 1970-01-01 to a (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}

/// What the actions need to know about the request and the client.
pub struct ActionContext<'a> {
    /// The document's URI and version.
    pub uri: &'a Uri,
    /// Its version.
    pub version: i32,
    /// The negotiated position encoding.
    pub encoding: PositionEncoding,
    /// The client accepts `documentChanges` with file creation.
    pub create_files: bool,
    /// The project file that applies, if any, and its text.
    pub project_file: Option<(std::path::PathBuf, String)>,
    /// Where a new project file would go (the workspace folder or the document's folder).
    pub new_project_file: Option<std::path::PathBuf>,
    /// Jurisdiction for the texts fixes insert.
    pub jurisdiction: String,
}

fn edit_for(uri: &Uri, version: i32, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier {
                uri: uri.clone(),
                version: Some(version),
            },
            edits: edits.into_iter().map(OneOf::Left).collect(),
        }])),
        ..Default::default()
    }
}

/// The edit that sets `rule = "off"` in a project file's `[rules]` table.
fn disable_in(text: &str, rule: &str) -> (usize, String) {
    let line = format!("{rule} = \"off\"\n");
    let mut offset = 0;
    let mut in_rules = false;
    let mut rules_end = None;
    for raw in text.split_inclusive('\n') {
        let trimmed = raw.trim();
        if trimmed.starts_with('[') {
            if in_rules {
                break;
            }
            in_rules = trimmed == "[rules]";
        }
        offset += raw.len();
        if in_rules && !trimmed.is_empty() {
            rules_end = Some(offset);
        }
    }
    match rules_end {
        Some(at) if text.get(..at).is_some_and(|t| t.ends_with('\n')) => (at, line),
        Some(at) => (at, format!("\n{line}")),
        None => {
            let lead = if text.is_empty() || text.ends_with("\n\n") {
                ""
            } else if text.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            (text.len(), format!("{lead}[rules]\n{line}"))
        }
    }
}

fn disable_action(
    rule: &str,
    diagnostic: &Diagnostic,
    ctx: &ActionContext<'_>,
) -> Option<CodeAction> {
    let title = format!("Disable {rule} for the project ({FILE_NAME})");
    let edit = match &ctx.project_file {
        Some((path, text)) => {
            let uri = Uri::from_file_path(path)?;
            let (at, new_text) = disable_in(text, rule);
            let document = Document::new(text, TextFormat::PlainText);
            let position = convert::position(&mut document.positions(ctx.encoding), at);
            let mut changes = HashMap::new();
            changes.insert(
                uri,
                vec![TextEdit {
                    range: Range {
                        start: position,
                        end: position,
                    },
                    new_text,
                }],
            );
            WorkspaceEdit {
                changes: Some(changes),
                ..Default::default()
            }
        }
        None if ctx.create_files => {
            let path = ctx.new_project_file.as_deref()?;
            let uri = Uri::from_file_path(path)?;
            let zero = Position::new(0, 0);
            WorkspaceEdit {
                document_changes: Some(DocumentChanges::Operations(vec![
                    DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                        uri: uri.clone(),
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(true),
                        }),
                        annotation_id: None,
                    })),
                    DocumentChangeOperation::Edit(TextDocumentEdit {
                        text_document: OptionalVersionedTextDocumentIdentifier {
                            uri,
                            version: None,
                        },
                        edits: vec![OneOf::Left(TextEdit {
                            range: Range {
                                start: zero,
                                end: zero,
                            },
                            new_text: format!("[rules]\n{rule} = \"off\"\n"),
                        })],
                    }),
                ])),
                ..Default::default()
            }
        }
        None => return None,
    };
    Some(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(edit),
        ..Default::default()
    })
}

/// The code actions for `range` of a document.
pub fn code_actions(
    document: &Document,
    analysis: &Analysis,
    range: std::ops::Range<usize>,
    ctx: &ActionContext<'_>,
) -> Vec<CodeActionOrCommand> {
    let fix_context = FixContext {
        today: today(),
        jurisdiction: ctx.jurisdiction.clone(),
    };
    let mut positions = document.positions(ctx.encoding);
    let diagnostics: Vec<Diagnostic> = analysis
        .findings
        .iter()
        .map(|f| convert::diagnostic(&mut positions, f))
        .collect();
    let mut actions = Vec::new();
    for fix in fixes::fixes(document, analysis, range.clone(), &fix_context) {
        let edits = fix
            .edits
            .iter()
            .map(|e| TextEdit {
                range: convert::range(&mut positions, &e.range),
                new_text: e.new_text.clone(),
            })
            .collect();
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: fix.title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(
                fix.findings
                    .iter()
                    .filter_map(|i| diagnostics.get(*i).cloned())
                    .collect(),
            ),
            edit: Some(edit_for(ctx.uri, ctx.version, edits)),
            is_preferred: fix.preferred.then_some(true),
            ..Default::default()
        }));
    }
    let mut disabled = Vec::new();
    for (index, finding) in analysis.findings.iter().enumerate() {
        let touches = finding.range.start <= range.end && range.start <= finding.range.end;
        if !touches || disabled.contains(&finding.rule) {
            continue;
        }
        disabled.push(finding.rule);
        if let Some(diagnostic) = diagnostics.get(index) {
            actions.extend(
                disable_action(finding.rule, diagnostic, ctx).map(CodeActionOrCommand::CodeAction),
            );
        }
    }
    actions
}

/// Where a new project file goes for a document at `path`: the workspace folder holding it,
/// else the document's folder.
pub fn new_project_file(path: &Path, roots: &[std::path::PathBuf]) -> Option<std::path::PathBuf> {
    let root = roots
        .iter()
        .filter(|r| path.starts_with(r))
        .max_by_key(|r| r.as_os_str().len())
        .cloned()
        .or_else(|| path.parent().map(Path::to_path_buf))?;
    Some(root.join(FILE_NAME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_414), (2025, 11, 22));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn rules_go_into_the_rules_table() {
        let (at, text) = disable_in(
            "language = \"nb\"\n\n[rules]\na = \"off\"\n\n[[processor]]\n",
            "b",
        );
        assert_eq!((at, text.as_str()), (35, "b = \"off\"\n"));
        let (at, text) = disable_in("language = \"nb\"\n", "b");
        assert_eq!((at, text.as_str()), (16, "\n[rules]\nb = \"off\"\n"));
        let (at, text) = disable_in("[rules]\na = \"off\"", "b");
        assert_eq!((at, text.as_str()), (17, "\nb = \"off\"\n"));
    }
}
