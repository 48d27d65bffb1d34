//! Where to connect: flags beat env (AEPIPE_URL, AEPIPE_TOKEN, AEPIPE_PROFILE)
//! beat the profiles file (`~/.config/aepipe/config.toml`).

/// Connection settings as given by flags; resolved against env and file.
#[derive(Debug, Clone, Default)]
pub struct ConnectionFlags {
    pub url: Option<String>,
    pub token: Option<String>,
    pub profile: Option<String>,
}
