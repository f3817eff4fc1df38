//! Human output: each finding with its file, line and a caret under the span, the way
//! compilers show errors (rendered by codespan-reporting), then a summary.

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as Level};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config, termcolor};

use super::FileReport;
use crate::analysis::Severity;

fn level(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Information => Level::Note,
        Severity::Hint => Level::Help,
    }
}

/// Writes every finding and a summary line to stdout.
pub fn write(reports: &[FileReport], color: bool) -> std::io::Result<()> {
    let choice = if color {
        termcolor::ColorChoice::Always
    } else {
        termcolor::ColorChoice::Never
    };
    let writer = termcolor::StandardStream::stdout(choice);
    let mut out = writer.lock();
    let config = Config::default();
    let mut files = SimpleFiles::new();
    let mut counts = [0usize; 4];
    for report in reports {
        let text = report.document.text();
        let id = files.add(report.path.clone(), text);
        for finding in &report.analysis.findings {
            counts[finding.severity as usize] += 1;
            let diagnostic = Diagnostic::new(level(finding.severity))
                .with_message(&finding.message)
                .with_code(finding.rule)
                .with_labels(vec![Label::primary(id, finding.range.clone())])
                .with_notes(vec![format!("{}: {}", finding.article, finding.link)]);
            term::emit_to_write_style(&mut out, &config, &files, &diagnostic)
                .map_err(std::io::Error::other)?;
        }
    }
    use std::io::Write;
    let [errors, warnings, information, hints] = counts;
    writeln!(
        out,
        "{} file{} checked: {errors} error{}, {warnings} warning{}, {information} information, {hints} hint{}",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
        if hints == 1 { "" } else { "s" },
    )
}
