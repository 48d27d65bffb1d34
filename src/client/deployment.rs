//! What a client should tell its user about where it writes: a real
//! deployment has no read-your-writes (AE stores a point some time after
//! `writeDataPoint` returned, and Workers Logs shows a record late), while
//! the local server shows every write at once.

/// Said after a write to a deployment that is not on this machine.
pub const WRITE_DELAY_NOTE: &str =
    "on a real deployment points show up in queries after a delay (no read-your-writes)";

/// Whether `base_url` points at this machine (a local `aepipe serve`).
pub fn is_local(base_url: &str) -> bool {
    let rest = base_url
        .strip_prefix("http://")
        .or_else(|| base_url.strip_prefix("https://"))
        .unwrap_or(base_url);
    let authority = rest.split('/').next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_local() {
        for url in [
            "http://127.0.0.1:8787",
            "http://localhost:8787/",
            "http://[::1]:80",
            "https://127.1.2.3",
        ] {
            assert!(is_local(url), "{url}");
        }
        for url in [
            "https://aepipe.example.workers.dev",
            "http://10.0.0.1:8787",
            "http://localhost.evil.com",
        ] {
            assert!(!is_local(url), "{url}");
        }
    }
}
