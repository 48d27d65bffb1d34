//! Every limit of the aepipe contract in one place, so the client (which must
//! reject before sending, like the official SDKs) and the local server (which
//! enforces the same limits itself, stricter than upstream) can never drift.
//! Numbers come from `docs/api.md`.

/// Longest project or logstore name, in characters (`^[a-zA-Z0-9_-]{1,64}$`).
pub const NAME_MAX_LEN: usize = 64;
/// Longest AE index (`{project}/{logstore}`), in bytes.
pub const INDEX_MAX_BYTES: usize = 96;
/// Most data points in one `ingest` request.
pub const MAX_POINTS_PER_REQUEST: usize = 250;
/// Most log entries in one `log` request.
pub const MAX_LOGS_PER_REQUEST: usize = 250;
/// Most user blobs in one point (they become blob6…blob20).
pub const MAX_BLOBS: usize = 15;
/// Most doubles in one point (double1…double20).
pub const MAX_DOUBLES: usize = 20;
/// Most bytes of all blobs of one point together, system blobs included.
pub const MAX_BLOB_BYTES: usize = 16_384;
/// Bytes a payload's ref_id (a hyphenated UUID) takes in blob5.
pub const REF_ID_BYTES: usize = 36;
/// Most ref_ids in one `detail` request.
pub const MAX_REF_IDS: usize = 100;
/// Payload lifetime when a point gives no `ttl`: 90 days.
pub const DEFAULT_TTL_SECONDS: u64 = 7_776_000;
/// Level used when a point or log entry gives none.
pub const DEFAULT_LEVEL: &str = "info";
/// `rawlog` defaults and cap.
pub const RAWLOG_DEFAULT_LIMIT: u32 = 50;
pub const RAWLOG_MAX_LIMIT: u32 = 200;
pub const RAWLOG_DEFAULT_WINDOW_SECONDS: i64 = 6 * 3600;
/// Expired payload rows removed before each payload read or write (as D1 does).
pub const PAYLOAD_PURGE_BATCH: usize = 1000;
/// Our server's request body limit (`serve --max-body`), far above the largest
/// valid batch: 250 points × 16 KiB of blobs plus payloads.
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// Cloudflare is reported to reject SQL longer than about this; the explorer warns.
pub const AE_SQL_SOFT_MAX_CHARS: usize = 10_000;
/// Name of the AE dataset (table) aepipe writes to.
pub const AE_TABLE: &str = "aepipe";

/// True when `name` is a valid project or logstore name.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= NAME_MAX_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The AE index of a tenant: `project/logstore`.
pub fn index_of(project: &str, logstore: &str) -> String {
    format!("{project}/{logstore}")
}

/// True when the index `project/logstore` fits AE's 96-byte limit.
pub fn index_fits(project: &str, logstore: &str) -> bool {
    project.len() + 1 + logstore.len() <= INDEX_MAX_BYTES
}

/// UTF-8 bytes of all blobs one point writes: blob1 project, blob2 logstore,
/// blob3 event, blob4 level, blob5 the ref_id (36 bytes when it has a payload,
/// else empty) and the user blobs.
pub fn point_blob_bytes<'a>(
    project: &str,
    logstore: &str,
    event: &str,
    level: &str,
    has_payload: bool,
    blobs: impl IntoIterator<Item = &'a str>,
) -> usize {
    let system = project.len()
        + logstore.len()
        + event.len()
        + level.len()
        + if has_payload { REF_ID_BYTES } else { 0 };
    system + blobs.into_iter().map(str::len).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_pattern() {
        assert!(is_valid_name("my-app_01"));
        assert!(is_valid_name(&"a".repeat(64)));
        assert!(!is_valid_name(&"a".repeat(65)));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a/b"));
        assert!(!is_valid_name("é"));
        assert!(!is_valid_name("a b"));
    }

    #[test]
    fn index_limit_is_in_bytes() {
        assert!(index_fits(&"p".repeat(47), &"l".repeat(48)));
        assert!(!index_fits(&"p".repeat(48), &"l".repeat(48)));
    }

    #[test]
    fn blob_bytes_count_utf8_and_ref_id() {
        assert_eq!(
            point_blob_bytes("p", "l", "e", "info", false, ["é"]),
            1 + 1 + 1 + 4 + 2
        );
        assert_eq!(point_blob_bytes("p", "l", "e", "info", true, []), 7 + 36);
    }
}
