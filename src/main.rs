//! The `privacy-lsp` binary: the language server on stdio (no arguments, or `--stdio`), or
//! `check` for terminals and CI.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use privacy_lsp::cli::{self, CheckArgs};

/// A language server and CI checker for privacy policies (GDPR Art. 13/14).
#[derive(Debug, Parser)]
#[command(name = "privacy-lsp", version, about, long_about = None)]
struct Cli {
    /// Serve the language server protocol on stdin/stdout (the default).
    #[arg(long)]
    stdio: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check policy files and report what GDPR Art. 13/14 requires and they lack.
    Check(CheckArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Check(args)) => ExitCode::from(cli::run(&args)),
        None => ExitCode::from(privacy_lsp::server::run_stdio()),
    }
}
