//! Where to connect: flags beat env (AEPIPE_URL, AEPIPE_TOKEN, AEPIPE_PROFILE)
//! beat the profiles file (`~/.config/aepipe/config.toml`).
//!
//! ```toml
//! default_profile = "prod"
//!
//! [profiles.prod]
//! url = "https://aepipe.example.workers.dev"
//! token_env = "AEPIPE_PROD_TOKEN"        # or token = "…", or token_command = "pass show aepipe"
//!
//! [profiles.local]
//! url = "http://127.0.0.1:8787"
//! token = "dev-token"
//! ```
//!
//! When no URL comes from anywhere, [`resolve`] says so ([`Resolved::Unconfigured`])
//! and the explorer starts its embedded server instead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Environment variable holding the server URL.
pub const ENV_URL: &str = "AEPIPE_URL";
/// Environment variable holding the bearer token.
pub const ENV_TOKEN: &str = "AEPIPE_TOKEN";
/// Environment variable naming the profile to use.
pub const ENV_PROFILE: &str = "AEPIPE_PROFILE";
/// Environment variable: the largest answer read, in MiB.
pub const ENV_MAX_RESPONSE_MB: &str = "AEPIPE_MAX_RESPONSE_MB";
/// Environment variable: the deployment's Workers Logs head sampling rate.
pub const ENV_RAWLOG_SAMPLE_RATE: &str = "AEPIPE_RAWLOG_SAMPLE_RATE";

/// Connection settings as given by flags; resolved against env and file.
#[derive(Debug, Clone, Default)]
pub struct ConnectionFlags {
    pub url: Option<String>,
    pub token: Option<String>,
    pub profile: Option<String>,
    /// Largest answer read, in MiB (`--max-response-mb`).
    pub max_response_mb: Option<u64>,
}

/// Where a setting came from, so `config show` and error messages can say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Env(&'static str),
    /// A profile of the file; the string is the profile's name.
    Profile(String),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag => f.write_str("command-line flag"),
            Origin::Env(var) => write!(f, "environment variable {var}"),
            Origin::Profile(name) => write!(f, "profile {name:?}"),
        }
    }
}

/// A deployment to talk to.
#[derive(Clone, PartialEq)]
pub struct Connection {
    pub url: String,
    pub token: String,
    /// The profile in use, if any (also when only its token was used).
    pub profile: Option<String>,
    pub url_origin: Origin,
    pub token_origin: Origin,
    /// Largest answer the client reads.
    pub max_response_bytes: u64,
    /// The deployment's Workers Logs head sampling rate when below 1: raw
    /// logs are then a sample, and the tail says so. Nothing in a record or
    /// a `rawlog` answer tells; the operator knows it from the worker's
    /// configuration (`head_sampling_rate`).
    pub rawlog_sample_rate: Option<f64>,
    /// Things the user should know before the token is used: it goes over
    /// plain http, or the file holding it is readable by others.
    pub warnings: Vec<String>,
}

impl Connection {
    /// The SDK client for this connection (one place for CLI and explorer).
    pub fn client(&self) -> Result<crate::client::Client, crate::client::Error> {
        crate::client::Client::builder(&self.url, &self.token)
            .max_response_bytes(self.max_response_bytes)
            .build()
    }
}

/// Debug output shows the token masked, as `config show` does.
impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("url", &self.url)
            .field("token", &mask_token(&self.token))
            .field("profile", &self.profile)
            .field("url_origin", &self.url_origin)
            .field("token_origin", &self.token_origin)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("rawlog_sample_rate", &self.rawlog_sample_rate)
            .field("warnings", &self.warnings)
            .finish()
    }
}

/// The outcome of [`resolve`].
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Configured(Connection),
    /// No URL from flag, env or profile: the explorer runs its embedded server.
    Unconfigured {
        /// The profile selected, if any (it had no URL).
        profile: Option<String>,
    },
}

impl Resolved {
    pub fn connection(&self) -> Option<&Connection> {
        match self {
            Resolved::Configured(c) => Some(c),
            Resolved::Unconfigured { .. } => None,
        }
    }
}

/// One named profile of the file. At most one way to get the token.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub url: Option<String>,
    pub token: Option<String>,
    /// Name of an environment variable holding the token.
    pub token_env: Option<String>,
    /// A shell command whose standard output (trimmed) is the token.
    pub token_command: Option<String>,
    /// Largest answer read, in MiB (default 512).
    pub max_response_mb: Option<u64>,
    /// The deployment's Workers Logs head sampling rate, 0 < r ≤ 1 (the
    /// worker's `head_sampling_rate`); below 1 the tail says raw logs are a
    /// sample.
    pub rawlog_sample_rate: Option<f64>,
}

/// Debug output shows the token masked, so a logged config leaks no secret.
impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("url", &self.url)
            .field("token", &self.token.as_deref().map(mask_token))
            .field("token_env", &self.token_env)
            .field("token_command", &self.token_command)
            .field("max_response_mb", &self.max_response_mb)
            .field("rawlog_sample_rate", &self.rawlog_sample_rate)
            .finish()
    }
}

/// The profiles file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A bad file: where, which key, and what is wrong.
    #[error("{}:{line}: {key}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },
    #[error("no profile named {name:?} in {} (known: {})", path.display(), list_or_none(known))]
    UnknownProfile {
        name: String,
        path: PathBuf,
        known: Vec<String>,
    },
    #[error("profile {profile:?} takes its token from ${var}, which is not set")]
    TokenEnvUnset { profile: String, var: String },
    #[error("profile {profile:?}: token_command `{command}` failed: {message}")]
    TokenCommand {
        profile: String,
        command: String,
        message: String,
    },
    #[error("no token for {url} (from {url_origin}): pass --token, set {ENV_TOKEN}, or give the profile a token")]
    MissingToken { url: String, url_origin: Origin },
    #[error("invalid URL {url:?} (from {origin}): it must start with http:// or https://")]
    BadUrl { url: String, origin: Origin },
    /// The URL is not shown: it holds a password.
    #[error("the URL from {origin}: {}", crate::client::CREDENTIALS_IN_URL)]
    CredentialsInUrl { origin: Origin },
    #[error("invalid {ENV_MAX_RESPONSE_MB} {value:?}: a whole number of MiB, at least 1")]
    BadMaxResponse { value: String },
    #[error("invalid {ENV_RAWLOG_SAMPLE_RATE} {value:?}: a rate above 0 and at most 1 (e.g. 0.1)")]
    BadSampleRate { value: String },
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// Where the profiles file lives: `dirs::config_dir()/aepipe/config.toml`.
pub fn config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("aepipe").join("config.toml"))
}

/// Resolve flags against the real environment and the profiles file.
pub fn resolve(flags: &ConnectionFlags) -> Result<Resolved, ConfigError> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    resolve_with(flags, &env, config_path().as_deref())
}

/// What [`resolve`] finds, except that a token which cannot be had (an
/// unset `token_env`, a failing `token_command`, none at all) is returned
/// next to the rest instead of failing it, for `config show`. The
/// connection's token is then empty and must not be used.
pub fn resolve_for_show(
    flags: &ConnectionFlags,
) -> Result<(Resolved, Option<ConfigError>), ConfigError> {
    match resolve(flags) {
        Err(
            e @ (ConfigError::TokenEnvUnset { .. }
            | ConfigError::TokenCommand { .. }
            | ConfigError::MissingToken { .. }),
        ) => {
            // The same resolution with a stand-in token gives the URL, its
            // origin and the profile.
            let stand_in = ConnectionFlags {
                token: Some(String::new()),
                ..flags.clone()
            };
            Ok((resolve(&stand_in)?, Some(e)))
        }
        other => other.map(|r| (r, None)),
    }
}

/// [`resolve`] with the environment and the file location given, for tests.
pub fn resolve_with(
    flags: &ConnectionFlags,
    env: &dyn Fn(&str) -> Option<String>,
    path: Option<&Path>,
) -> Result<Resolved, ConfigError> {
    let file = match path {
        Some(p) => load(p)?.map(|f| (p.to_path_buf(), f)),
        None => None,
    };

    let (profile_name, explicit) = match (&flags.profile, env(ENV_PROFILE)) {
        (Some(p), _) => (Some(p.clone()), true),
        (None, Some(p)) => (Some(p), true),
        (None, None) => (
            file.as_ref().and_then(|(_, f)| f.default_profile.clone()),
            false,
        ),
    };
    let profile = match (&profile_name, &file) {
        (Some(name), Some((_, f))) if f.profiles.contains_key(name) => {
            f.profiles.get(name).map(|p| (name.clone(), p.clone()))
        }
        (Some(name), _) if explicit => {
            return Err(ConfigError::UnknownProfile {
                name: name.clone(),
                path: path.map(Path::to_path_buf).unwrap_or_default(),
                known: file
                    .as_ref()
                    .map(|(_, f)| f.profiles.keys().cloned().collect())
                    .unwrap_or_default(),
            })
        }
        // A default_profile naming no profile was rejected by `load`.
        _ => None,
    };
    let profile_origin =
        || Origin::Profile(profile.as_ref().map(|p| p.0.clone()).unwrap_or_default());

    let url = match (&flags.url, env(ENV_URL)) {
        (Some(u), _) => Some((u.clone(), Origin::Flag)),
        (None, Some(u)) => Some((u, Origin::Env(ENV_URL))),
        (None, None) => profile
            .as_ref()
            .and_then(|(_, p)| p.url.clone())
            .map(|u| (u, profile_origin())),
    };
    let Some((url, url_origin)) = url else {
        return Ok(Resolved::Unconfigured {
            profile: profile.map(|p| p.0),
        });
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ConfigError::BadUrl {
            url,
            origin: url_origin,
        });
    }
    if crate::client::url_has_credentials(&url) {
        return Err(ConfigError::CredentialsInUrl { origin: url_origin });
    }
    let max_response_mb = match (flags.max_response_mb, env(ENV_MAX_RESPONSE_MB)) {
        (Some(mb), _) => Some(mb),
        (None, Some(v)) => Some(
            v.trim()
                .parse::<u64>()
                .ok()
                .filter(|&mb| mb > 0)
                .ok_or(ConfigError::BadMaxResponse { value: v })?,
        ),
        (None, None) => profile.as_ref().and_then(|(_, p)| p.max_response_mb),
    };
    let rawlog_sample_rate = match env(ENV_RAWLOG_SAMPLE_RATE) {
        Some(v) => Some(
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|r| valid_sample_rate(*r))
                .ok_or(ConfigError::BadSampleRate { value: v })?,
        ),
        None => profile.as_ref().and_then(|(_, p)| p.rawlog_sample_rate),
    }
    // A rate of 1 keeps every record: nothing to say.
    .filter(|r| *r < 1.0);
    let max_response_bytes = max_response_mb
        .map_or(crate::client::DEFAULT_MAX_RESPONSE_BYTES, |mb| {
            mb.saturating_mul(1024 * 1024)
        });

    let token = match (&flags.token, env(ENV_TOKEN)) {
        (Some(t), _) => Some((t.clone(), Origin::Flag)),
        (None, Some(t)) => Some((t, Origin::Env(ENV_TOKEN))),
        (None, None) => match &profile {
            Some((name, p)) => profile_token(name, p, env)?.map(|t| (t, profile_origin())),
            None => None,
        },
    };
    let Some((token, token_origin)) = token else {
        return Err(ConfigError::MissingToken { url, url_origin });
    };
    let warnings = crate::client::plain_http_warning(&url, &token)
        .into_iter()
        .chain(file.as_ref().and_then(|(p, f)| exposed_token_warning(p, f)))
        .collect();
    Ok(Resolved::Configured(Connection {
        url,
        token,
        profile: profile.map(|p| p.0),
        url_origin,
        token_origin,
        max_response_bytes,
        rawlog_sample_rate,
        warnings,
    }))
}

/// A head sampling rate Workers Logs accepts: above 0, at most 1.
fn valid_sample_rate(r: f64) -> bool {
    r > 0.0 && r <= 1.0
}

/// A warning when the profiles file holds a token and others may read it.
pub fn exposed_token_warning(path: &Path, file: &ConfigFile) -> Option<String> {
    if !file.profiles.values().any(|p| p.token.is_some()) {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o044 != 0).then(|| {
            format!(
                "{} holds a token and is readable by others (mode {mode:03o}): chmod 600 it",
                path.display()
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The token a profile yields, running its command only when needed.
fn profile_token(
    name: &str,
    p: &Profile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<String>, ConfigError> {
    if let Some(t) = &p.token {
        return Ok(Some(t.clone()));
    }
    if let Some(var) = &p.token_env {
        return env(var)
            .map(Some)
            .ok_or_else(|| ConfigError::TokenEnvUnset {
                profile: name.to_string(),
                var: var.clone(),
            });
    }
    if let Some(command) = &p.token_command {
        return run_token_command(name, command).map(Some);
    }
    Ok(None)
}

/// How long a `token_command` may run: long enough for a password manager
/// to ask for a passphrase, short enough that a stuck command is reported.
const TOKEN_COMMAND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

fn run_token_command(profile: &str, command: &str) -> Result<String, ConfigError> {
    run_token_command_within(profile, command, TOKEN_COMMAND_TIMEOUT)
}

/// Run the command, killing it after `timeout` so a hung command is an
/// error and not a CLI that waits forever.
fn run_token_command_within(
    profile: &str,
    command: &str,
    timeout: std::time::Duration,
) -> Result<String, ConfigError> {
    use std::io::Read;
    use std::process::{Command, Stdio};

    let fail = |message: String| ConfigError::TokenCommand {
        profile: profile.to_string(),
        command: command.to_string(),
        message,
    };
    let mut cmd = if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.args(["/C", command]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", command]);
        c
    };
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(e.to_string()))?;
    // Read both pipes on threads so a chatty command cannot block on a full pipe.
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = std::time::Instant::now() + timeout;
    let status = loop {
        match child.try_wait().map_err(|e| fail(e.to_string()))? {
            Some(status) => break status,
            None if std::time::Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!(
                    "it did not finish within {} s",
                    timeout.as_secs_f32()
                )));
            }
            None => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    if !status.success() {
        let stderr = String::from_utf8_lossy(&stderr);
        let stderr = stderr.trim();
        return Err(fail(if stderr.is_empty() {
            status.to_string()
        } else {
            format!("{status}: {stderr}")
        }));
    }
    let token = String::from_utf8(stdout)
        .map_err(|_| fail("its output is not UTF-8".to_string()))?
        .trim()
        .to_string();
    if token.is_empty() {
        return Err(fail("it printed nothing".to_string()));
    }
    Ok(token)
}

/// Read and check the profiles file; `None` when it does not exist.
pub fn load(path: &Path) -> Result<Option<ConfigFile>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    parse(path, &text).map(Some)
}

/// Parse and check the text of a profiles file (`path` is only for messages).
pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let (line, key) = locate(text, offset);
        ConfigError::Invalid {
            path: path.to_path_buf(),
            line,
            key,
            message: e.message().trim().to_string(),
        }
    })?;
    check(path, text, &file)?;
    Ok(file)
}

/// What serde cannot say: profile names, URLs, one token source, a default that exists.
fn check(path: &Path, text: &str, file: &ConfigFile) -> Result<(), ConfigError> {
    let invalid = |key: String, message: String| {
        let line = find_key_line(text, &key);
        ConfigError::Invalid {
            path: path.to_path_buf(),
            line,
            key,
            message,
        }
    };
    if let Some(name) = &file.default_profile {
        if !file.profiles.contains_key(name) {
            return Err(invalid(
                "default_profile".to_string(),
                format!("no profile named {name:?} in this file"),
            ));
        }
    }
    for (name, p) in &file.profiles {
        let sources = [&p.token, &p.token_env, &p.token_command]
            .iter()
            .filter(|s| s.is_some())
            .count();
        if sources > 1 {
            return Err(invalid(
                format!("profiles.{name}"),
                "give only one of token, token_env, token_command".to_string(),
            ));
        }
        if let Some(url) = &p.url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(invalid(
                    format!("profiles.{name}.url"),
                    format!("{url:?} must start with http:// or https://"),
                ));
            }
            if crate::client::url_has_credentials(url) {
                return Err(invalid(
                    format!("profiles.{name}.url"),
                    crate::client::CREDENTIALS_IN_URL.to_string(),
                ));
            }
        }
        if p.rawlog_sample_rate.is_some_and(|r| !valid_sample_rate(r)) {
            return Err(invalid(
                format!("profiles.{name}.rawlog_sample_rate"),
                "must be above 0 and at most 1 (e.g. 0.1)".to_string(),
            ));
        }
        if p.max_response_mb == Some(0) {
            return Err(invalid(
                format!("profiles.{name}.max_response_mb"),
                "must be at least 1".to_string(),
            ));
        }
        for (field, value) in [
            ("token", &p.token),
            ("token_env", &p.token_env),
            ("token_command", &p.token_command),
        ] {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Err(invalid(
                    format!("profiles.{name}.{field}"),
                    "must not be empty".to_string(),
                ));
            }
        }
    }
    Ok(())
}

/// 1-based line of a byte offset, and the dotted key written on that line
/// (prefixed by the `[table]` above it), so an error names both.
fn locate(text: &str, offset: usize) -> (usize, String) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line_no = before.matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("");
    let table = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty());
    let dotted = match (table, key) {
        // The error is on the table header line itself.
        (Some(t), None) => t,
        (Some(t), Some(k)) if !line.trim_start().starts_with('[') => format!("{t}.{k}"),
        (_, Some(k)) => k,
        (None, None) => "(top level)".to_string(),
    };
    (line_no, dotted)
}

/// Line where a dotted key (`profiles.prod.url`, `profiles.prod`,
/// `default_profile`) is written; 1 when it cannot be found.
fn find_key_line(text: &str, dotted: &str) -> usize {
    let mut table = String::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('[') && line.ends_with(']') {
            table = line
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_string();
            if table == dotted {
                return i + 1;
            }
            continue;
        }
        if let Some((k, _)) = line.split_once('=') {
            let k = k.trim().trim_matches('"');
            let full = if table.is_empty() {
                k.to_string()
            } else {
                format!("{table}.{k}")
            };
            if full == dotted {
                return i + 1;
            }
        }
    }
    1
}

/// A token as `config show` prints it: enough to recognise, not to use.
pub fn mask_token(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    if chars.len() < 12 {
        return "*".repeat(chars.len().max(4));
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{}…{tail} ({} chars)", "*".repeat(4), chars.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn with_file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    const FILE: &str = r#"
default_profile = "prod"

[profiles.prod]
url = "https://prod.example"
token = "prod-token"

[profiles.staging]
url = "https://staging.example"
token_env = "STAGING_TOKEN"

[profiles.cmd]
url = "https://cmd.example"
token_command = "echo '  from-command  '"
"#;

    fn flags(url: Option<&str>, token: Option<&str>, profile: Option<&str>) -> ConnectionFlags {
        ConnectionFlags {
            url: url.map(String::from),
            token: token.map(String::from),
            profile: profile.map(String::from),
            max_response_mb: None,
        }
    }

    fn configured(r: Resolved) -> Connection {
        match r {
            Resolved::Configured(c) => c,
            other => panic!("expected a connection, got {other:?}"),
        }
    }

    #[test]
    fn the_raw_log_sample_rate_comes_from_env_or_profile_and_is_checked() {
        let text = format!("{FILE}rawlog_sample_rate = 0.1\n");
        let (_d, path) = with_file(&text);
        let profile = flags(None, None, Some("cmd"));
        let rate = |env: &[(&str, &str)]| {
            resolve_with(&profile, &env_of(env), Some(&path))
                .map(|r| configured(r).rawlog_sample_rate)
        };
        assert_eq!(rate(&[]).unwrap(), Some(0.1));
        assert_eq!(
            rate(&[(ENV_RAWLOG_SAMPLE_RATE, "0.25")]).unwrap(),
            Some(0.25)
        );
        // 1 keeps every record: nothing to say.
        assert_eq!(rate(&[(ENV_RAWLOG_SAMPLE_RATE, "1")]).unwrap(), None);
        for bad in ["0", "1.5", "-0.2", "ten", "NaN"] {
            match rate(&[(ENV_RAWLOG_SAMPLE_RATE, bad)]) {
                Err(ConfigError::BadSampleRate { value }) => assert_eq!(value, bad),
                other => panic!("{bad}: {other:?}"),
            }
        }
        let (_d2, bad_file) = with_file(&format!("{FILE}rawlog_sample_rate = 0.0\n"));
        let err = resolve_with(&profile, &env_of(&[]), Some(&bad_file)).unwrap_err();
        assert!(err.to_string().contains("rawlog_sample_rate"), "{err}");
    }

    #[test]
    fn nothing_anywhere_is_unconfigured() {
        let r = resolve_with(&ConnectionFlags::default(), &env_of(&[]), None).unwrap();
        assert_eq!(r, Resolved::Unconfigured { profile: None });
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.toml");
        let r = resolve_with(&ConnectionFlags::default(), &env_of(&[]), Some(&missing)).unwrap();
        assert_eq!(r, Resolved::Unconfigured { profile: None });
    }

    #[test]
    fn default_profile_from_file() {
        let (_d, path) = with_file(FILE);
        let c = configured(
            resolve_with(&ConnectionFlags::default(), &env_of(&[]), Some(&path)).unwrap(),
        );
        assert_eq!(c.url, "https://prod.example");
        assert_eq!(c.token, "prod-token");
        assert_eq!(c.profile.as_deref(), Some("prod"));
        assert_eq!(c.url_origin, Origin::Profile("prod".into()));
    }

    #[test]
    fn flags_beat_env_beat_file() {
        let (_d, path) = with_file(FILE);
        let env = env_of(&[(ENV_URL, "http://env.example"), (ENV_TOKEN, "env-token")]);
        let c = configured(resolve_with(&ConnectionFlags::default(), &env, Some(&path)).unwrap());
        assert_eq!(
            (c.url.as_str(), c.token.as_str()),
            ("http://env.example", "env-token")
        );
        assert_eq!(c.token_origin, Origin::Env(ENV_TOKEN));

        let f = flags(Some("http://flag.example"), None, None);
        let c = configured(resolve_with(&f, &env, Some(&path)).unwrap());
        assert_eq!(
            (c.url.as_str(), c.token.as_str()),
            ("http://flag.example", "env-token")
        );
        assert_eq!(c.url_origin, Origin::Flag);

        let f = flags(None, Some("flag-token"), None);
        let c = configured(resolve_with(&f, &env_of(&[]), Some(&path)).unwrap());
        assert_eq!(
            (c.url.as_str(), c.token.as_str()),
            ("https://prod.example", "flag-token")
        );
    }

    #[test]
    fn profile_by_flag_and_env() {
        let (_d, path) = with_file(FILE);
        let env = env_of(&[(ENV_PROFILE, "staging"), ("STAGING_TOKEN", "st")]);
        let c = configured(resolve_with(&ConnectionFlags::default(), &env, Some(&path)).unwrap());
        assert_eq!(
            (c.url.as_str(), c.token.as_str()),
            ("https://staging.example", "st")
        );

        let c =
            configured(resolve_with(&flags(None, None, Some("prod")), &env, Some(&path)).unwrap());
        assert_eq!(c.profile.as_deref(), Some("prod"));
    }

    #[test]
    fn token_env_unset_and_command() {
        let (_d, path) = with_file(FILE);
        let err = resolve_with(
            &flags(None, None, Some("staging")),
            &env_of(&[]),
            Some(&path),
        )
        .unwrap_err();
        assert!(err.to_string().contains("STAGING_TOKEN"), "{err}");
        if cfg!(unix) {
            let c = configured(
                resolve_with(&flags(None, None, Some("cmd")), &env_of(&[]), Some(&path)).unwrap(),
            );
            assert_eq!(c.token, "from-command");
        }
    }

    #[test]
    fn unknown_profile_names_the_known_ones() {
        let (_d, path) = with_file(FILE);
        let err =
            resolve_with(&flags(None, None, Some("nope")), &env_of(&[]), Some(&path)).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("\"nope\"") && msg.contains("known: cmd, prod, staging"),
            "{msg}"
        );
    }

    #[test]
    fn url_without_token_is_an_error() {
        let err =
            resolve_with(&flags(Some("http://x"), None, None), &env_of(&[]), None).unwrap_err();
        assert!(matches!(err, ConfigError::MissingToken { .. }), "{err}");
        let err =
            resolve_with(&flags(Some("ftp://x"), Some("t"), None), &env_of(&[]), None).unwrap_err();
        assert!(matches!(err, ConfigError::BadUrl { .. }), "{err}");
    }

    fn invalid(text: &str) -> (usize, String, String) {
        match parse(Path::new("/cfg/config.toml"), text).unwrap_err() {
            ConfigError::Invalid {
                line, key, message, ..
            } => (line, key, message),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn bad_files_name_line_and_key() {
        let (line, key, msg) = invalid("[profiles.a]\nurl = \"http://x\"\ntokn = \"t\"\n");
        assert_eq!((line, key.as_str()), (3, "profiles.a.tokn"), "{msg}");
        assert!(msg.contains("unknown field"), "{msg}");

        let (line, key, msg) = invalid("[profiles.a]\nurl = 5\n");
        assert_eq!((line, key.as_str()), (2, "profiles.a.url"), "{msg}");

        let (line, key, _) = invalid("default_profile = \"x\"\n[profiles.a]\nurl = \"http://x\"\n");
        assert_eq!((line, key.as_str()), (1, "default_profile"));

        let (line, key, _) = invalid(
            "[profiles.a]\nurl = \"http://x\"\n\n[profiles.b]\ntoken = \"t\"\ntoken_env = \"E\"\n",
        );
        assert_eq!((line, key.as_str()), (4, "profiles.b"));

        let (line, key, _) = invalid("[profiles.a]\nurl = \"localhost:8787\"\n");
        assert_eq!((line, key.as_str()), (2, "profiles.a.url"));

        let (line, _, msg) = invalid("[profiles.a]\nurl = \"http://x\n");
        assert_eq!(line, 2, "{msg}");

        let err = parse(Path::new("/cfg/config.toml"), "colour = 1\n").unwrap_err();
        assert!(
            err.to_string().starts_with("/cfg/config.toml:1: colour: "),
            "{err}"
        );
    }

    #[test]
    fn debug_output_masks_the_token() {
        let c = configured(
            resolve_with(
                &flags(Some("http://x"), Some("secret-token-123456"), None),
                &env_of(&[]),
                None,
            )
            .unwrap(),
        );
        assert!(!format!("{c:?}").contains("secret-token"));
    }

    #[test]
    fn debug_of_the_file_masks_profile_tokens() {
        let file = parse(
            Path::new("/cfg/config.toml"),
            "[profiles.prod]\nurl = \"http://x\"\ntoken = \"secret-token-123456\"\n",
        )
        .unwrap();
        let shown = format!("{file:?} {:?}", file.profiles["prod"]);
        assert!(!shown.contains("secret-token"), "{shown}");
        assert!(shown.contains("3456 (19 chars)"), "{shown}");
    }

    #[cfg(unix)]
    #[test]
    fn a_hung_token_command_is_stopped_and_reported() {
        let started = std::time::Instant::now();
        let e = run_token_command_within("p", "sleep 30", std::time::Duration::from_millis(300))
            .unwrap_err();
        assert!(e.to_string().contains("did not finish"), "{e}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        let e = run_token_command_within("p", "exit 3", TOKEN_COMMAND_TIMEOUT).unwrap_err();
        assert!(e.to_string().ends_with("exit status: 3"), "{e}");
        let t = run_token_command_within("p", "echo tok; echo noise >&2", TOKEN_COMMAND_TIMEOUT);
        assert_eq!(t.unwrap(), "tok");
    }

    #[test]
    fn masks_tokens() {
        assert_eq!(mask_token("short"), "*****");
        let m = mask_token("abcdefghijklmnopWXYZ");
        assert!(m.ends_with("WXYZ (20 chars)") && !m.contains("abcd"), "{m}");
    }
}
