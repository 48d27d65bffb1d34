//! `aepipe serve`: flags and the foreground run loop.

use std::path::PathBuf;

use anyhow::Context;

use std::time::Duration;

use super::{Fault, Realism, ServerConfig};
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
    /// Bearer token clients must send; when absent, one is generated, kept in
    /// the data dir (file `token`, mode 0600) for later starts, and printed.
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
    #[command(flatten)]
    pub realism: RealismArgs,
}

/// Flags of the realistic mode: behave like a real deployment on Cloudflare.
/// Each flag overrides the preset's value; all random choices follow --seed.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Realistic mode (imitate a Cloudflare deployment)")]
pub struct RealismArgs {
    /// Turn on all of the below with typical values: latency 40ms, query
    /// latency 400ms, rawlog latency 300ms, jitter 300ms, visibility delay up
    /// to 20s, AE sampling above 1000 points/s, raw entries cut at 256 KB,
    /// 20 SQL API calls/s, 2% failures.
    #[arg(long)]
    pub like_cloudflare: bool,
    /// Seed of every random choice (delays, sampling, failures): the same
    /// seed and the same requests give the same behaviour.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Added to every request, like a network round trip (e.g. 50ms).
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub latency: Option<Duration>,
    /// Added to query and the project/logstore lists (the SQL API hop).
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub query_latency: Option<Duration>,
    /// Added to rawlog (the telemetry API hop).
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub rawlog_latency: Option<Duration>,
    /// Up to this much more latency, drawn per request.
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub jitter: Option<Duration>,
    /// Each event and raw record becomes visible to query/rawlog after a
    /// delay drawn per record up to this, so raw records arrive out of order.
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub visibility_delay: Option<Duration>,
    /// AE keeps only a sample of a logstore's points above this many per
    /// second; stored rows carry _sample_interval > 1.
    #[arg(long, value_name = "POINTS_PER_S")]
    pub sample_above: Option<u32>,
    /// Share of raw records Workers Logs keeps (head sampling), e.g. 0.5.
    #[arg(long, value_name = "RATE", value_parser = rate)]
    pub rawlog_sample_rate: Option<f64>,
    /// Truncate raw records larger than this many bytes (Workers Logs: 262144).
    #[arg(long, value_name = "BYTES")]
    pub rawlog_max_entry: Option<usize>,
    /// SQL API calls (query, lists) per second; more answer
    /// `502 CF API 429` with Retry-After: 1.
    #[arg(long, value_name = "N")]
    pub query_rate_limit: Option<u32>,
    /// Share of query and rawlog requests that fail (CF API 429, 503, 507,
    /// an HTML 520 page, a plain 503), e.g. 0.05.
    #[arg(long, value_name = "RATE", value_parser = rate)]
    pub fail_rate: Option<f64>,
    /// The first query answers, in order: ok, 429, 503, 507, 422, html or
    /// http503, comma-separated (e.g. `429,ok,507`).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub fail_first: Vec<Fault>,
    /// The same for the first rawlog answers (as CF Telemetry API errors).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub rawlog_fail_first: Vec<Fault>,
}

impl RealismArgs {
    /// The realistic mode these flags ask for: the preset (or nothing), with
    /// each given flag on top.
    pub fn realism(&self) -> Realism {
        let seed = self.seed.unwrap_or(0);
        let mut r = if self.like_cloudflare {
            Realism::like_cloudflare(seed)
        } else {
            Realism {
                seed,
                ..Realism::default()
            }
        };
        let set = |target: &mut Duration, value: Option<Duration>| {
            if let Some(v) = value {
                *target = v;
            }
        };
        set(&mut r.latency, self.latency);
        set(&mut r.query_latency, self.query_latency);
        set(&mut r.rawlog_latency, self.rawlog_latency);
        set(&mut r.jitter, self.jitter);
        set(&mut r.max_visibility_delay, self.visibility_delay);
        if self.sample_above.is_some() {
            r.ae_sample_above = self.sample_above;
        }
        if let Some(v) = self.rawlog_sample_rate {
            r.rawlog_sample_rate = v;
        }
        if self.rawlog_max_entry.is_some() {
            r.rawlog_max_entry_bytes = self.rawlog_max_entry;
        }
        if self.query_rate_limit.is_some() {
            r.query_rate_limit = self.query_rate_limit;
        }
        if let Some(v) = self.fail_rate {
            r.fault_rate = v;
        }
        r.query_script = self.fail_first.clone();
        r.rawlog_script = self.rawlog_fail_first.clone();
        r
    }
}

fn duration(s: &str) -> Result<Duration, String> {
    crate::cli::when::parse_duration(s).map_err(|e| e.0)
}

fn rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("{s:?} is not a rate between 0 and 1")),
    }
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

/// The file in the data dir that keeps a generated token, so that a restart
/// on the same data keeps the token every shell and profile was given.
pub const TOKEN_FILE: &str = "token";

/// The token kept in `data_dir`, or a new one written there (readable by
/// the owner only). Returns the token and whether it was made just now.
fn kept_or_new_token(data_dir: &std::path::Path) -> anyhow::Result<(String, bool)> {
    let path = data_dir.join(TOKEN_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => return Ok((text.trim().to_string(), false)),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let token = generate_token();
    write_owner_only(&path, &token).with_context(|| format!("cannot write {}", path.display()))?;
    Ok((token, true))
}

fn write_owner_only(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    writeln!(file, "{text}")?;
    file.sync_all()
}

/// How the token was chosen, for what `serve` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenSource {
    /// --token or AEPIPE_TOKEN: the user knows it; not printed.
    Given,
    /// Generated now and kept in the data dir.
    New,
    /// Generated by an earlier start on this data dir.
    Kept,
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let data_dir = match args.data_dir {
        Some(dir) => dir,
        None => default_data_dir()?,
    };
    let (token, source) = match args.token.filter(|t| !t.is_empty()) {
        Some(t) => (t, TokenSource::Given),
        None => match kept_or_new_token(&data_dir)? {
            (t, true) => (t, TokenSource::New),
            (t, false) => (t, TokenSource::Kept),
        },
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
        realism: args.realism.realism(),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colour codes are noise in a log file or a journal.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(serve(config, source))
}

async fn serve(config: ServerConfig, source: TokenSource) -> anyhow::Result<()> {
    let data_dir = config.data_dir.clone();
    let realism_on = config.realism.is_on();
    let realism_summary = format!("{:?}", config.realism);
    // Clients cannot see head sampling in the records; the export line
    // tells them, as an operator would for a real deployment.
    let sampling = (config.realism.rawlog_sample_rate < 1.0).then(|| {
        format!(
            " {}={}",
            crate::config::ENV_RAWLOG_SAMPLE_RATE,
            config.realism.rawlog_sample_rate
        )
    });
    let sampling = sampling.unwrap_or_default();
    let handle = super::start(config).await?;
    let token_file = data_dir.join(TOKEN_FILE);
    let mut banner = format!(
        "aepipe serving on {}\ndata dir: {}\n",
        handle.url(),
        data_dir.display()
    );
    if realism_on {
        banner.push_str(&format!("realistic mode: {realism_summary}\n"));
    }
    match source {
        TokenSource::Given => {}
        TokenSource::New => banner.push_str(&format!(
            "token: {} (generated; kept in {} for the next start)\n",
            handle.token,
            token_file.display()
        )),
        TokenSource::Kept => banner.push_str(&format!(
            "token: {} (kept from an earlier start, in {})\n",
            handle.token,
            token_file.display()
        )),
    }
    banner.push_str("To use it from the CLI or the explorer, paste:\n");
    match source {
        TokenSource::Given => {
            banner.push_str(&format!("export AEPIPE_URL={}{sampling}\n", handle.url()))
        }
        TokenSource::New | TokenSource::Kept => banner.push_str(&format!(
            "export AEPIPE_URL={} AEPIPE_TOKEN={}{sampling}\n",
            handle.url(),
            handle.token
        )),
    }
    print_banner(&banner, &handle.url());
    wait_for_stop_signal().await;
    eprintln!("shutting down: finishing requests in flight");
    handle.shutdown().await;
    Ok(())
}

/// The banner goes out in one write, and a stdout that is gone (a reader
/// that took the URL and closed the pipe, `serve | head -1`) only costs the
/// banner: `println!` would panic on the broken pipe and take the server
/// down with it. Where stdout is gone, stderr still says where to connect.
fn print_banner(banner: &str, url: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(banner.as_bytes()).and_then(|()| out.flush()) {
        tracing::warn!("stdout is closed ({e}); serving on {url} all the same");
    }
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
