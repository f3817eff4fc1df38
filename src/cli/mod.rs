//! `privacy-lsp check`: the analysis for terminals and CI.
//!
//! Exit status: 0 when no finding reaches `--fail-on`, 1 when one does, 2 for a usage or input
//! error (a missing path, a directory without policies, a file that is binary or not UTF-8),
//! with the reason on stderr.

pub mod github;
pub mod human;
pub mod report;
pub mod sarif;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::analysis::{Analysis, Analyzer, Language, Options, Severity};
use crate::document::{Document, TextFormat};

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Compiler-style messages with the source line and a caret.
    Human,
    /// The JSON report of check-json.md.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// GitHub Actions workflow commands (::error, ::warning, ::notice), one line per finding.
    Github,
}

/// When to colour human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Arguments of `privacy-lsp check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Policy files, or directories to search for .md, .markdown and .txt policies.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with 1 when a finding has this severity or a more serious one.
    #[arg(long, value_parser = parse_severity, default_value = "error")]
    pub fail_on: Severity,
    /// Read the policies in this language instead of detecting it (nb, nn or en).
    #[arg(long, value_parser = parse_language)]
    pub language: Option<Language>,
    /// Use this configuration file instead of the nearest privacy-lsp.toml above each policy.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text)
        .ok_or_else(|| format!("expected error, warning, information or hint, not {text:?}"))
}

fn parse_language(text: &str) -> Result<Language, String> {
    Language::from_code(text).ok_or_else(|| format!("expected nb, nn or en, not {text:?}"))
}

/// One checked file: its path as given, its document and the analysis.
pub struct FileReport {
    /// The path as the user wrote it (or as found under a directory).
    pub path: String,
    /// The document.
    pub document: Document,
    /// What the analysis found.
    pub analysis: Analysis,
}

/// An input problem that makes `check` exit with 2.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The path does not exist.
    #[error("{0}: no such file or directory")]
    Missing(String),
    /// The file could not be read.
    #[error("{0}: cannot read: {1}")]
    Unreadable(String, std::io::Error),
    /// The file holds binary data.
    #[error(
        "{0}: looks like a binary file (it contains NUL bytes); a policy must be Markdown or plain text"
    )]
    Binary(String),
    /// The file is not UTF-8.
    #[error("{0}: is not UTF-8 text (invalid byte at offset {1}); save the policy as UTF-8")]
    NotUtf8(String, usize),
    /// A directory held no policy.
    #[error("{0}: no privacy policy found here ({1} Markdown or text files looked at)")]
    NoPolicies(String, usize),
    /// The configuration file has a problem.
    #[error("{0}: {1}")]
    Config(String, String),
}

/// The settings that apply to each file: `--config`, else the nearest `privacy-lsp.toml`
/// above it. Each file is read once; its problems are input errors.
pub struct Configs {
    explicit: Option<PathBuf>,
    language: Option<Language>,
    read: std::collections::HashMap<PathBuf, crate::config::Settings>,
    /// Problems found in configuration files.
    pub errors: Vec<InputError>,
}

impl Configs {
    /// `--config` (if any) and `--language` (which wins over any file).
    pub fn new(explicit: Option<PathBuf>, language: Option<Language>) -> Configs {
        Configs {
            explicit,
            language,
            read: std::collections::HashMap::new(),
            errors: Vec::new(),
        }
    }

    fn load(&mut self, file: &Path) -> crate::config::Settings {
        if let Some(settings) = self.read.get(file) {
            return settings.clone();
        }
        let shown = file.display().to_string();
        let settings = match std::fs::read_to_string(file) {
            Ok(text) => {
                let base = file.parent().unwrap_or(Path::new("."));
                let (settings, problems) = crate::config::Settings::parse_toml(&text, base);
                let document = Document::new(&text, TextFormat::PlainText);
                for problem in problems {
                    let at = problem.range.map_or(String::new(), |r| {
                        let p =
                            document.position_at(r.start, crate::document::PositionEncoding::Utf8);
                        format!(":{}:{}", p.line + 1, p.col + 1)
                    });
                    self.errors
                        .push(InputError::Config(format!("{shown}{at}"), problem.message));
                }
                settings
            }
            Err(e) => {
                self.errors.push(InputError::Unreadable(shown, e));
                crate::config::Settings::default()
            }
        };
        self.read.insert(file.to_path_buf(), settings.clone());
        settings
    }

    /// The settings for `file`.
    pub fn settings_for(&mut self, file: &Path) -> crate::config::Settings {
        let project = match &self.explicit {
            Some(explicit) => Some(explicit.clone()),
            None => {
                let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
                crate::config::find_project_file(&absolute, None)
            }
        };
        let mut settings = match project {
            Some(project) => self.load(&project),
            None => crate::config::Settings::default(),
        };
        if self.language.is_some() {
            settings.language = self.language;
        }
        settings
    }
}

const POLICY_EXTENSIONS: [&str; 3] = ["md", "markdown", "txt"];
const SKIPPED_DIRECTORIES: [&str; 4] = ["node_modules", "target", "vendor", "third_party"];

fn has_policy_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| POLICY_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads a file as policy text, refusing binary and non-UTF-8 content.
pub fn read_policy(path: &Path) -> Result<String, InputError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| InputError::Unreadable(shown.clone(), e))?;
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return Err(InputError::Binary(shown));
    }
    String::from_utf8(bytes).map_err(|e| InputError::NotUtf8(shown, e.utf8_error().valid_up_to()))
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(name.starts_with('.') || SKIPPED_DIRECTORIES.contains(&name.as_ref()))
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && has_policy_extension(e.path()))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

/// Analyses one text as a policy file.
pub fn analyse_text(
    path: &str,
    text: &str,
    options: &Options,
    analyzer: &mut Analyzer,
) -> FileReport {
    let document = Document::new(text, TextFormat::from_hint(path));
    let analysis = analyzer.analyze(&document, options);
    FileReport {
        path: path.to_string(),
        document,
        analysis,
    }
}

/// Collects and analyses the files named by `paths`. Files named directly are always checked;
/// files found in directories when they read as privacy policies or the configuration's
/// `policies` globs name them.
pub fn collect(paths: &[PathBuf], configs: &mut Configs) -> (Vec<FileReport>, Vec<InputError>) {
    let mut reports = Vec::new();
    let mut errors = Vec::new();
    let mut analyzer = Analyzer::new();
    for path in paths {
        let shown = path.display().to_string();
        if path.is_dir() {
            let candidates = files_under(path);
            let looked_at = candidates.len();
            let mut found = 0;
            for file in candidates {
                let settings = configs.settings_for(&file);
                match read_policy(&file) {
                    Ok(text) => {
                        let report = analyse_text(
                            &file.display().to_string(),
                            &text,
                            &settings.options(),
                            &mut analyzer,
                        );
                        let absolute = std::path::absolute(&file).unwrap_or_else(|_| file.clone());
                        let named = settings.names_policy(&absolute) == Some(true);
                        if named || report.analysis.facts.is_policy {
                            found += 1;
                            reports.push(report);
                        }
                    }
                    // A binary or non-UTF-8 file inside a directory is not a policy: skip it.
                    Err(InputError::Binary(_) | InputError::NotUtf8(..)) => {}
                    Err(e) => errors.push(e),
                }
            }
            if found == 0 {
                errors.push(InputError::NoPolicies(shown, looked_at));
            }
        } else if path.exists() {
            let options = configs.settings_for(path).options();
            match read_policy(path) {
                Ok(text) => reports.push(analyse_text(&shown, &text, &options, &mut analyzer)),
                Err(e) => errors.push(e),
            }
        } else {
            errors.push(InputError::Missing(shown));
        }
    }
    errors.append(&mut configs.errors);
    (reports, errors)
}

/// Runs `check` and returns the exit status.
pub fn run(args: &CheckArgs) -> u8 {
    let mut configs = Configs::new(args.config.clone(), args.language);
    let (reports, errors) = collect(&args.paths, &mut configs);
    for error in &errors {
        eprintln!("privacy-lsp: error: {error}");
    }
    let written = match args.format {
        Format::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            human::write(&reports, color)
        }
        Format::Json => report::write(&reports),
        Format::Sarif => sarif::write(&reports),
        Format::Github => github::write(&reports),
    };
    if let Err(e) = written {
        eprintln!("privacy-lsp: error: cannot write the report: {e}");
        return 2;
    }
    if !errors.is_empty() {
        return 2;
    }
    let failing = reports
        .iter()
        .flat_map(|r| &r.analysis.findings)
        .any(|f| f.severity <= args.fail_on);
    u8::from(failing)
}
