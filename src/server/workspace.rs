//! Which settings apply to a document: the editor's settings with the nearest
//! `privacy-lsp.toml` laid over them. Project files are read once and cached until the
//! client reports a change; their errors become diagnostics on the file.
//!
//! Invariant: only project files inside a workspace folder are read (or, without workspace
//! folders, beside or above the document), and nothing in them is executed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, Uri};

use super::convert;
use crate::config::{ConfigError, Settings};
use crate::document::{Document, PositionEncoding, TextFormat};

/// A project file as last read.
struct ProjectFile {
    settings: Settings,
    errors: Vec<ConfigError>,
    text: String,
}

/// The editor's settings, the workspace folders and the project files read so far.
#[derive(Default)]
pub struct Workspace {
    /// Workspace folders, as paths.
    pub roots: Vec<PathBuf>,
    /// Settings from the editor.
    pub editor: Settings,
    /// Problems in the editor's settings.
    pub editor_errors: Vec<ConfigError>,
    projects: HashMap<PathBuf, ProjectFile>,
}

/// The local path of a `file:` URI.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

impl Workspace {
    /// The workspace folder holding `path`, if any.
    fn root_of(&self, path: &Path) -> Option<&Path> {
        self.roots
            .iter()
            .filter(|r| path.starts_with(r))
            .max_by_key(|r| r.as_os_str().len())
            .map(PathBuf::as_path)
    }

    fn load(&mut self, file: &Path) -> &ProjectFile {
        self.projects.entry(file.to_path_buf()).or_insert_with(|| {
            let base = file.parent().unwrap_or(Path::new("/"));
            match std::fs::read_to_string(file) {
                Ok(text) => {
                    let (settings, errors) = Settings::parse_toml(&text, base);
                    ProjectFile {
                        settings,
                        errors,
                        text,
                    }
                }
                Err(e) => ProjectFile {
                    settings: Settings::default(),
                    errors: vec![ConfigError {
                        message: format!("cannot read {}: {e}", file.display()),
                        range: None,
                    }],
                    text: String::new(),
                },
            }
        })
    }

    /// The settings for a document at `path` and the project file they came from.
    pub fn settings_for(&mut self, path: Option<&Path>) -> (Settings, Option<PathBuf>) {
        let editor = self.editor.clone();
        let Some(path) = path else {
            return (editor, None);
        };
        if !self.roots.is_empty() && self.root_of(path).is_none() {
            // Outside every workspace folder: no project file is read.
            return (editor, None);
        }
        let boundary = self.root_of(path).map(Path::to_path_buf);
        let Some(file) = crate::config::find_project_file(path, boundary.as_deref()) else {
            return (editor, None);
        };
        let project = self.load(&file).settings.clone();
        (editor.overridden_by(project), Some(file))
    }

    /// The text of a project file, as last read.
    pub fn project_text(&mut self, file: &Path) -> String {
        self.load(file).text.clone()
    }

    /// Forgets a project file, so that it is read again.
    pub fn forget(&mut self, file: &Path) {
        self.projects.remove(file);
    }

    /// Diagnostics for a project file's problems.
    pub fn diagnostics(&mut self, file: &Path, encoding: PositionEncoding) -> Vec<Diagnostic> {
        let project = self.load(file);
        let document = Document::new(&project.text, TextFormat::PlainText);
        let mut positions = document.positions(encoding);
        project
            .errors
            .iter()
            .map(|error| Diagnostic {
                range: convert::range(&mut positions, &error.range.clone().unwrap_or(0..0)),
                severity: Some(DiagnosticSeverity::ERROR),
                source: Some("privacy-lsp".to_string()),
                message: error.message.clone(),
                ..Default::default()
            })
            .collect()
    }
}
