//! The command line: parses arguments and picks the explorer, a scripting
//! subcommand or the local server. The binary's edge: errors become anyhow
//! here and exit codes below (0 ok, 1 API or network error, 2 usage or validation).

mod config_cmd;
mod input;
mod known;
mod logs_cmds;
pub mod output;
mod read_cmds;
pub(crate) mod when;
mod write_cmds;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::client::Client;
use crate::config::{self, ConfigError, ConnectionFlags, Resolved};
use output::{Format, Style};

#[derive(Debug, Parser)]
#[command(
    name = "aepipe",
    version,
    about = "Explore aepipe logs from a terminal",
    long_about = "Explore aepipe logs from a terminal.\n\nWith no subcommand, opens the explorer. Connection: --url/--token/--profile \
                  beat AEPIPE_URL/AEPIPE_TOKEN/AEPIPE_PROFILE, which beat the profiles file (see `aepipe config path`)."
)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Connection and output flags, accepted before or after the subcommand.
#[derive(Clone, Default, Args)]
pub struct CommonArgs {
    /// aepipe URL [env: AEPIPE_URL]
    #[arg(long, value_name = "URL", help_heading = "Connection")]
    pub url: Option<String>,
    /// Bearer token [env: AEPIPE_TOKEN]
    #[arg(long, value_name = "TOKEN", help_heading = "Connection")]
    pub token: Option<String>,
    /// Profile of the config file [env: AEPIPE_PROFILE]
    #[arg(long, value_name = "NAME", help_heading = "Connection")]
    pub profile: Option<String>,
    /// Largest answer read, in MiB [default: 512] [env: AEPIPE_MAX_RESPONSE_MB]
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..), help_heading = "Connection")]
    pub max_response_mb: Option<u64>,
    /// Output format [default: table on a terminal, json when piped]
    #[arg(long, value_enum, help_heading = "Output")]
    pub format: Option<Format>,
}

/// Debug output (of the whole parsed command line too) masks the token.
impl std::fmt::Debug for CommonArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommonArgs")
            .field("url", &self.url)
            .field("token", &self.token.as_deref().map(config::mask_token))
            .field("profile", &self.profile)
            .field("max_response_mb", &self.max_response_mb)
            .field("format", &self.format)
            .finish()
    }
}

impl CommonArgs {
    /// Flags after the subcommand win over the same flags before it.
    fn or(self, outer: &CommonArgs) -> CommonArgs {
        CommonArgs {
            url: self.url.or_else(|| outer.url.clone()),
            token: self.token.or_else(|| outer.token.clone()),
            profile: self.profile.or_else(|| outer.profile.clone()),
            max_response_mb: self.max_response_mb.or(outer.max_response_mb),
            format: self.format.or(outer.format),
        }
    }

    pub fn connection_flags(&self) -> ConnectionFlags {
        ConnectionFlags {
            url: self.url.clone(),
            token: self.token.clone(),
            profile: self.profile.clone(),
            max_response_mb: self.max_response_mb,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a local aepipe-compatible server on SQLite.
    Serve(crate::server::serve_cmd::ServeArgs),
    /// List projects.
    Projects(read_cmds::ProjectsArgs),
    /// List the logstores of a project.
    Logstores(read_cmds::LogstoresArgs),
    /// Run AE SQL on a logstore (the table is `aepipe`).
    Query(read_cmds::QueryArgs),
    /// Payloads stored for ref_ids (blob5).
    Detail(read_cmds::DetailArgs),
    /// Send data points (a JSON array or NDJSON) to Analytics Engine.
    Ingest(write_cmds::IngestArgs),
    /// Send raw log entries (JSON, NDJSON or text lines, or --message).
    Log(write_cmds::LogArgs),
    /// Raw records (points and log entries) of a time window, oldest first.
    Rawlog(logs_cmds::RawlogArgs),
    /// The newest raw records; with -f, follow new ones as they arrive.
    Tail(logs_cmds::TailArgs),
    /// Profiles and connection settings.
    Config(config_cmd::ConfigArgs),
    /// Print a shell completion script.
    Completions { shell: clap_complete::Shell },
}

/// Bad input on the command line or in a file/stdin: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outer = cli.common;
    let result = match cli.command {
        None => crate::tui::run_with(outer.connection_flags()),
        Some(Command::Serve(args)) => crate::server::serve_cmd::run(args),
        Some(Command::Completions { shell }) => print_completions(shell),
        Some(Command::Config(args)) => config_cmd::run(args, &outer),
        Some(command) => run_async(command, &outer),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e),
    }
}

/// The completion script, built in memory first: clap_complete panics when
/// its writer fails, and a closed pipe must end the command quietly.
fn print_completions(shell: clap_complete::Shell) -> anyhow::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "aepipe", &mut script);
    let mut out = stdout();
    out.write_all(&script)?;
    out.flush()?;
    Ok(())
}

/// The client commands, on a runtime of their own.
fn run_async(command: Command, outer: &CommonArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match command {
            Command::Projects(a) => read_cmds::projects(a, outer).await,
            Command::Logstores(a) => read_cmds::logstores(a, outer).await,
            Command::Query(a) => read_cmds::query(a, outer).await,
            Command::Detail(a) => read_cmds::detail(a, outer).await,
            Command::Ingest(a) => write_cmds::ingest(a, outer).await,
            Command::Log(a) => write_cmds::log(a, outer).await,
            Command::Rawlog(a) => logs_cmds::rawlog(a, outer).await,
            Command::Tail(a) => logs_cmds::tail(a, outer).await,
            Command::Serve(_) | Command::Config(_) | Command::Completions { .. } => Ok(()),
        }
    })
}

/// A client for the resolved connection; none configured is a usage error.
pub(crate) fn connect(common: &CommonArgs) -> anyhow::Result<Client> {
    connect_with_sampling(common).map(|(client, _)| client)
}

/// [`connect`], with the deployment's raw-log sampling rate when it
/// samples (for `tail` and `rawlog` to say so).
pub(crate) fn connect_with_sampling(common: &CommonArgs) -> anyhow::Result<(Client, Option<f64>)> {
    match config::resolve(&common.connection_flags())? {
        Resolved::Configured(c) => {
            for w in &c.warnings {
                eprintln!("warning: {}", crate::sanitize::line(w));
            }
            Ok((c.client()?, c.rawlog_sample_rate))
        }
        Resolved::Unconfigured { profile } => {
            let where_ = config::config_path()
                .map(|p| format!(" or add a profile to {}", p.display()))
                .unwrap_or_default();
            let which = profile
                .map(|p| format!(" (profile {p:?} has no url)"))
                .unwrap_or_default();
            Err(UsageError(format!(
                "no aepipe URL configured{which}: pass --url, set AEPIPE_URL{where_}"
            ))
            .into())
        }
    }
}

/// A buffered stdout; errors on it (a closed pipe) end the command quietly.
pub(crate) fn stdout() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::new(io::stdout().lock())
}

/// The output style for the merged flags.
pub(crate) fn style(common: &CommonArgs) -> Style {
    Style::detect(common.format)
}

/// Print the error on stderr and pick the exit code.
fn report(e: &anyhow::Error) -> ExitCode {
    use crate::client::Error as ClientError;
    // A closed pipe (`| head`) is how a reader says it has enough.
    let broken_pipe = e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .map(io::Error::kind)
            .or_else(|| c.downcast_ref::<serde_json::Error>()?.io_error_kind())
            == Some(io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    let mut stderr = io::stderr().lock();
    // Error texts quote the server and the input: shown, never obeyed.
    let _ = writeln!(stderr, "error: {}", crate::sanitize::text(&chain_text(e)));
    let usage = e.chain().any(|c| {
        c.is::<UsageError>()
            || c.is::<ConfigError>()
            || matches!(
                c.downcast_ref::<ClientError>(),
                Some(ClientError::Validation(_))
            )
    });
    // The error's own hint (401, 404, a body that is not aepipe's), else
    // the failure policy's word on it (narrow the range on a 507, a
    // Cloudflare error page, a rate limit).
    let hint = e
        .chain()
        .find_map(|c| c.downcast_ref::<ClientError>())
        .and_then(|err| {
            err.hint().or_else(|| {
                let said = crate::client::retry::describe(err);
                (matches!(err, ClientError::Api { .. }) && said != err.to_string()).then_some(said)
            })
        });
    if let Some(hint) = hint {
        let _ = writeln!(stderr, "hint: {}", crate::sanitize::line(&hint));
    }
    ExitCode::from(if usage { 2 } else { 1 })
}

/// The error and its causes joined by `: `, leaving out a cause whose text
/// the message before it already ends with (many errors print their source).
fn chain_text(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if text.is_empty() {
            text = part;
        } else if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let io = io::Error::new(io::ErrorKind::InvalidData, "not UTF-8");
        let e = anyhow::Error::new(ConfigError::Read {
            path: "/c.toml".into(),
            source: io,
        });
        assert_eq!(chain_text(&e), "cannot read /c.toml: not UTF-8");
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(chain_text(&e), "outer: inner");
    }

    #[test]
    fn debug_of_the_command_line_masks_the_token() {
        let cli = Cli::try_parse_from([
            "aepipe",
            "--token",
            "outer-secret-token",
            "projects",
            "--token",
            "inner-secret-token",
        ])
        .unwrap();
        let shown = format!("{cli:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn flags_after_the_subcommand_win() {
        let cli = Cli::try_parse_from([
            "aepipe",
            "--url",
            "http://outer",
            "--format",
            "csv",
            "projects",
            "--url",
            "http://inner",
        ])
        .unwrap();
        let Some(Command::Projects(p)) = cli.command else {
            panic!("projects expected")
        };
        let merged = p.common.or(&cli.common);
        assert_eq!(merged.url.as_deref(), Some("http://inner"));
        assert_eq!(merged.format, Some(Format::Csv));
    }
}
