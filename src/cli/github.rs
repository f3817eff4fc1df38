//! GitHub Actions output: one workflow command per finding, which the runner turns into an
//! annotation on the file and line in the job summary and the pull request's diff.
//!
//! ```text
//! ::warning file=policy.md,line=27,endLine=27,col=4,endColumn=20,title=right-restriction::Message
//! ```
//!
//! The command is `error` for errors, `warning` for warnings and `notice` for information and
//! hints. Lines and columns are 1-based and count characters, as the human output does;
//! `endColumn` is the column just past the finding's last character. The runner accepts `col`
//! and `endColumn` only on a single line, so a finding that spans lines gives only `line` and
//! `endLine`. Paths are printed as given on the command line. Values are escaped by the
//! workflow-command rules ([`escape_data`], [`escape_property`]), so a message or path with a
//! newline, `%`, `:` or `,` cannot break the command or start another one.

use std::io::Write as _;

use codespan_reporting::files::{Files, Location, SimpleFile};

use super::FileReport;
use crate::analysis::{Finding, Severity};

/// The workflow command for a severity: `error`, `warning` or `notice`.
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "notice",
    }
}

/// Escapes a command's message (after `::`): `%`, carriage return and line feed.
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes a property value (`file=`, `title=`): as [`escape_data`], and `:` and `,` too.
pub fn escape_property(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            _ => out.push(c),
        }
    }
    out
}

/// The 1-based line and character column of a byte offset, as the human output counts them.
fn location(file: &SimpleFile<&str, &str>, byte: usize) -> Location {
    let source = *file.source();
    let mut byte = byte.min(source.len());
    while !source.is_char_boundary(byte) {
        byte -= 1;
    }
    file.location((), byte).unwrap_or(Location {
        line_number: 1,
        column_number: 1,
    })
}

/// The workflow command for one finding in the file `path` whose text is `text`.
pub fn annotation(path: &str, text: &str, finding: &Finding) -> String {
    annotation_in(&SimpleFile::new(path, text), finding)
}

fn annotation_in(file: &SimpleFile<&str, &str>, finding: &Finding) -> String {
    let (path, text) = (*file.name(), *file.source());
    let start = finding.range.start.min(text.len());
    // A span that ends with its line break ends on that line, not at the start of the next.
    let mut end = finding.range.end.clamp(start, text.len());
    while end > start && matches!(text.as_bytes()[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    let from = location(file, start);
    let to = location(file, end);
    let mut line = format!(
        "::{} file={},line={},endLine={}",
        command(finding.severity),
        escape_property(path),
        from.line_number,
        to.line_number,
    );
    if from.line_number == to.line_number {
        line.push_str(&format!(
            ",col={},endColumn={}",
            from.column_number, to.column_number
        ));
    }
    line.push_str(&format!(
        ",title={}::{}",
        escape_property(finding.rule),
        escape_data(&finding.message)
    ));
    line
}

/// Writes one workflow command per finding to stdout, and nothing else.
pub fn write(reports: &[FileReport]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for report in reports {
        let text = report.document.text();
        let file = SimpleFile::new(report.path.as_str(), text.as_str());
        for finding in &report.analysis.findings {
            writeln!(out, "{}", annotation_in(&file, finding))?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Language;

    #[test]
    fn a_finding_over_a_line_break_stays_on_its_line_and_multiline_spans_drop_columns() {
        let text = "# Tittel\nførste linje\nandre linje\n";
        let mut finding =
            Finding::new("right-complaint", Language::Nb, 9..23, None).expect("a known rule");
        let line = annotation("dir/a,b:c.md", text, &finding);
        assert!(
            line.starts_with(
                "::warning file=dir/a%2Cb%3Ac.md,line=2,endLine=2,col=1,endColumn=13,title=right-complaint::"
            ),
            "{line}"
        );
        finding.range = 11..30;
        let line = annotation("a.md", text, &finding);
        assert!(
            line.starts_with("::warning file=a.md,line=2,endLine=3,title=right-complaint::"),
            "{line}"
        );
        assert!(
            !line[2..].contains("::warning"),
            "one command per line: {line}"
        );
    }
}
