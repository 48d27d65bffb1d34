//! `aepipe serve`: flags and the foreground run loop.

use std::path::PathBuf;

use anyhow::Context;

use super::ServerConfig;
use crate::limits::DEFAULT_MAX_BODY_BYTES;

/// Flags of `aepipe serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: std::net::SocketAddr,
    /// Folder for the database [default: the user's data dir, aepipe/server].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Bearer token clients must send; generated and printed when absent.
    #[arg(long, env = "AEPIPE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Seed a demo dataset into an empty data dir and keep writing a trickle.
    #[arg(long)]
    pub demo: bool,
    /// With --demo: seed only, no ongoing trickle of events and logs.
    #[arg(long)]
    pub no_trickle: bool,
    /// Turn payload storage off (`detail` answers 501, like upstream without D1).
    #[arg(long)]
    pub no_payloads: bool,
    /// Days events are kept.
    #[arg(long, default_value_t = 92, value_name = "DAYS")]
    pub retention_days: u32,
    /// Days raw log records are kept.
    #[arg(long, default_value_t = 7, value_name = "DAYS")]
    pub rawlog_retention_days: u32,
    /// Largest request body in bytes (larger: 413).
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES, value_name = "BYTES")]
    pub max_body: usize,
}

/// Where `aepipe serve` keeps its data without `--data-dir`.
pub fn default_data_dir() -> anyhow::Result<PathBuf> {
    dirs::data_dir()
        .map(|d| d.join("aepipe").join("server"))
        .context("no user data directory (set --data-dir or XDG_DATA_HOME)")
}

fn generate_token() -> String {
    use rand::Rng;
    let bytes: [u8; 24] = rand::thread_rng().gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let data_dir = match args.data_dir {
        Some(dir) => dir,
        None => default_data_dir()?,
    };
    let (token, generated) = match args.token.filter(|t| !t.is_empty()) {
        Some(t) => (t, false),
        None => (generate_token(), true),
    };
    let config = ServerConfig {
        addr: args.addr,
        data_dir,
        token,
        payloads: !args.no_payloads,
        retention_days: args.retention_days,
        rawlog_retention_days: args.rawlog_retention_days,
        max_body_bytes: args.max_body,
        query_timeout: super::DEFAULT_QUERY_TIMEOUT,
        demo: args.demo,
        demo_trickle: args.demo && !args.no_trickle,
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(serve(config, generated))
}

async fn serve(config: ServerConfig, token_generated: bool) -> anyhow::Result<()> {
    let data_dir = config.data_dir.clone();
    let handle = super::start(config).await?;
    println!("aepipe serving on {}", handle.url());
    println!("data dir: {}", data_dir.display());
    if token_generated {
        println!("token: {}", handle.token);
    }
    println!("AEPIPE_URL={}", handle.url());
    use std::io::Write;
    let _ = std::io::stdout().flush();
    wait_for_stop_signal().await;
    eprintln!("shutting down: finishing requests in flight");
    handle.shutdown().await;
    Ok(())
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
