//! SARIF 2.1.0 output, for GitHub code scanning and other tools that read it.

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use super::FileReport;
use crate::analysis::Severity;
use crate::document::PositionEncoding;
use crate::knowledge;

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Information | Severity::Hint => ResultLevel::Note,
    }
}

/// The SARIF log for the reports.
pub fn to_sarif(reports: &[FileReport]) -> Sarif {
    let rules: Vec<ReportingDescriptor> = knowledge::rules()
        .iter()
        .map(|(id, info)| {
            let text = info.messages.get("en").cloned().unwrap_or_default();
            ReportingDescriptor::builder()
                .id(id.clone())
                .short_description(MultiformatMessageString::builder().text(text).build())
                .help_uri(knowledge::article_link(info.link, false))
                .build()
        })
        .collect();
    let mut results = Vec::new();
    for report in reports {
        for finding in &report.analysis.findings {
            let start = report
                .document
                .position_at(finding.range.start, PositionEncoding::Utf16);
            let end = report
                .document
                .position_at(finding.range.end, PositionEncoding::Utf16);
            let region = Region::builder()
                .start_line(i64::from(start.line) + 1)
                .start_column(i64::from(start.col) + 1)
                .end_line(i64::from(end.line) + 1)
                .end_column(i64::from(end.col) + 1)
                .build();
            let location = Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(
                            ArtifactLocation::builder()
                                .uri(report.path.replace('\\', "/"))
                                .build(),
                        )
                        .region(region)
                        .build(),
                )
                .build();
            results.push(
                SarifResult::builder()
                    .rule_id(finding.rule.to_string())
                    .level(level(finding.severity))
                    .message(
                        Message::builder()
                            .text(format!("{} ({})", finding.message, finding.article))
                            .build(),
                    )
                    .locations(vec![location])
                    .build(),
            );
        }
    }
    let driver = ToolComponent::builder()
        .name(env!("CARGO_PKG_NAME").to_string())
        .version(env!("CARGO_PKG_VERSION").to_string())
        .information_uri("https://github.com/privacy-lsp/privacy-lsp".to_string())
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .build();
    Sarif::builder()
        .version(serde_json::Value::String("2.1.0".into()))
        .schema(serde_sarif::sarif::SCHEMA_URL.to_string())
        .runs(vec![run])
        .build()
}

/// Writes the SARIF log to stdout.
pub fn write(reports: &[FileReport]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &to_sarif(reports))?;
    writeln!(out)
}
