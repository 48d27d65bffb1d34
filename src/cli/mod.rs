//! The command line: parses arguments and picks the explorer, a scripting
//! subcommand or the local server. The binary's edge: errors become anyhow
//! here and exit codes below (0 ok, 1 API or network error, 2 usage or validation).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "aepipe",
    version,
    about = "Explore aepipe logs from a terminal"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a local aepipe-compatible server on SQLite.
    Serve(crate::server::serve_cmd::ServeArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => crate::tui::run(),
        Some(Command::Serve(args)) => crate::server::serve_cmd::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
