//! `aepipe config show` and `aepipe config path`.

use std::io::Write;

use clap::{Args, Subcommand};
use serde_json::json;

use super::output::Format;
use super::{stdout, style, CommonArgs};
use crate::config::{self, mask_token, Resolved};

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// The settings in effect, where each comes from (token masked), and the profiles.
    Show {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Where the profiles file is (it may not exist yet).
    Path,
}

pub fn run(args: ConfigArgs, outer: &CommonArgs) -> anyhow::Result<()> {
    let path = config::config_path();
    let mut out = stdout();
    match args.action {
        ConfigAction::Path => {
            let path = path.ok_or_else(|| {
                anyhow::anyhow!("this system has no user configuration directory")
            })?;
            writeln!(out, "{}", path.display())?;
        }
        ConfigAction::Show { common } => {
            let common = common.or(outer);
            let file = match &path {
                Some(p) => config::load(p)?,
                None => None,
            };
            // A token that cannot be had is shown as such, with the rest.
            let (resolved, token_error) = config::resolve_for_show(&common.connection_flags())?;
            let token_error = token_error.map(|e| e.to_string());
            let profiles: Vec<String> = file
                .as_ref()
                .map(|f| f.profiles.keys().cloned().collect())
                .unwrap_or_default();
            let path_text = path
                .as_ref()
                .map(|p| {
                    let state = if p.exists() { "" } else { " (not created)" };
                    format!("{}{state}", p.display())
                })
                .unwrap_or_else(|| "(no config directory)".to_string());
            if style(&common).format == Format::Table {
                writeln!(out, "config file: {path_text}")?;
                writeln!(
                    out,
                    "profiles:    {}",
                    if profiles.is_empty() {
                        "(none)".to_string()
                    } else {
                        profiles.join(", ")
                    }
                )?;
                match &resolved {
                    Resolved::Configured(c) => {
                        writeln!(
                            out,
                            "profile:     {}",
                            c.profile.as_deref().unwrap_or("(none)")
                        )?;
                        writeln!(
                            out,
                            "url:         {}  (from {})",
                            crate::sanitize::line(&c.url),
                            c.url_origin
                        )?;
                        match &token_error {
                            Some(e) => {
                                writeln!(out, "token:       (none: {})", crate::sanitize::line(e))?
                            }
                            None => writeln!(
                                out,
                                "token:       {}  (from {})",
                                mask_token(&c.token),
                                c.token_origin
                            )?,
                        }
                        if c.max_response_bytes != crate::client::DEFAULT_MAX_RESPONSE_BYTES {
                            writeln!(
                                out,
                                "max answer:  {} MiB",
                                c.max_response_bytes / (1024 * 1024)
                            )?;
                        }
                        for w in &c.warnings {
                            writeln!(out, "warning:     {w}")?;
                        }
                    }
                    Resolved::Unconfigured { profile } => {
                        writeln!(
                            out,
                            "profile:     {}",
                            profile.as_deref().unwrap_or("(none)")
                        )?;
                        writeln!(
                            out,
                            "url:         (none: the explorer starts its local server)"
                        )?;
                    }
                }
            } else {
                let v = match &resolved {
                    Resolved::Configured(c) => {
                        let mut v = json!({
                            "config_file": path,
                            "profiles": profiles,
                            "profile": c.profile,
                            "url": c.url,
                            "url_from": c.url_origin.to_string(),
                            "token": null,
                            "max_response_bytes": c.max_response_bytes,
                            "warnings": c.warnings,
                        });
                        match &token_error {
                            Some(e) => v["token_error"] = json!(e),
                            None => {
                                v["token"] = json!(mask_token(&c.token));
                                v["token_from"] = json!(c.token_origin.to_string());
                            }
                        }
                        v
                    }
                    Resolved::Unconfigured { profile } => json!({
                        "config_file": path,
                        "profiles": profiles,
                        "profile": profile,
                        "url": null,
                    }),
                };
                serde_json::to_writer_pretty(&mut out, &v)?;
                writeln!(out)?;
            }
        }
    }
    Ok(())
}
