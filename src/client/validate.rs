//! Checks made before sending, identical to the official SDKs'
//! (`docs/api.md`, "Client-side validation"), from `limits`.

use super::error::Error;
use super::types::{DataPoint, LogEntry};
use crate::limits::{self, *};

pub fn names(project: &str, logstore: &str) -> Result<(), Error> {
    if !limits::is_valid_name(project) {
        return Err(Error::Validation(format!(
            "invalid project name {project:?}: use 1-{NAME_MAX_LEN} of a-z A-Z 0-9 _ -"
        )));
    }
    if !limits::is_valid_name(logstore) {
        return Err(Error::Validation(format!(
            "invalid logstore name {logstore:?}: use 1-{NAME_MAX_LEN} of a-z A-Z 0-9 _ -"
        )));
    }
    if !limits::index_fits(project, logstore) {
        return Err(Error::Validation(format!(
            "index \"{project}/{logstore}\" is {} bytes; AE allows at most {INDEX_MAX_BYTES}",
            project.len() + 1 + logstore.len()
        )));
    }
    Ok(())
}

pub fn points(project: &str, logstore: &str, points: &[DataPoint]) -> Result<(), Error> {
    if points.len() > MAX_POINTS_PER_REQUEST {
        return Err(Error::Validation(format!(
            "{} points in one request; the maximum is {MAX_POINTS_PER_REQUEST} (use ingest_all to split)",
            points.len()
        )));
    }
    for (i, p) in points.iter().enumerate() {
        if p.blobs.len() > MAX_BLOBS {
            return Err(Error::Validation(format!(
                "point {i}: {} blobs; the maximum is {MAX_BLOBS}",
                p.blobs.len()
            )));
        }
        if p.doubles.len() > MAX_DOUBLES {
            return Err(Error::Validation(format!(
                "point {i}: {} doubles; the maximum is {MAX_DOUBLES}",
                p.doubles.len()
            )));
        }
        let bytes = limits::point_blob_bytes(
            project,
            logstore,
            &p.event,
            p.level.as_deref().unwrap_or(DEFAULT_LEVEL),
            p.payload.is_some(),
            p.blobs.iter().map(String::as_str),
        );
        if bytes > MAX_BLOB_BYTES {
            return Err(Error::Validation(format!(
                "point {i}: its blobs take {bytes} bytes; the maximum is {MAX_BLOB_BYTES}"
            )));
        }
    }
    Ok(())
}

pub fn logs(logs: &[LogEntry]) -> Result<(), Error> {
    if logs.len() > MAX_LOGS_PER_REQUEST {
        return Err(Error::Validation(format!(
            "{} log entries in one request; the maximum is {MAX_LOGS_PER_REQUEST} (use log_all to split)",
            logs.len()
        )));
    }
    Ok(())
}

pub fn ref_ids(ids: &[String]) -> Result<(), Error> {
    if ids.len() > MAX_REF_IDS {
        return Err(Error::Validation(format!(
            "{} ref_ids in one request; the maximum is {MAX_REF_IDS}",
            ids.len()
        )));
    }
    Ok(())
}

/// The levels aepipe's console output knows (it picks `console.error`,
/// `warn`, `debug`, else `log`); "info" is the default.
pub const KNOWN_LEVELS: [&str; 4] = ["debug", "info", "warn", "error"];

/// A warning for a level outside [`KNOWN_LEVELS`] (aepipe stores any level,
/// so this is never an error): a likely typo such as "eror" names the level
/// meant.
pub fn level_warning(level: &str) -> Option<String> {
    let level = level.trim();
    if level.is_empty() || KNOWN_LEVELS.contains(&level.to_ascii_lowercase().as_str()) {
        return None;
    }
    let lower = level.to_ascii_lowercase();
    let meant = KNOWN_LEVELS
        .iter()
        .map(|k| (strsim::levenshtein(&lower, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| format!(" (did you mean {k:?}?)"))
        .unwrap_or_default();
    Some(format!(
        "level {level:?} is not one of {}{meant}",
        KNOWN_LEVELS.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_levels_are_warned_about_with_the_one_meant() {
        assert_eq!(level_warning("error"), None);
        assert_eq!(level_warning("WARN"), None);
        assert_eq!(level_warning(""), None);
        let w = level_warning("eror").unwrap_or_default();
        assert!(w.contains("did you mean \"error\""), "{w}");
        let w = level_warning("loud").unwrap_or_default();
        assert!(w.contains("not one of debug, info, warn, error"), "{w}");
    }
}
