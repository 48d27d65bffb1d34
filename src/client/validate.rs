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
