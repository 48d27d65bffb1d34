//! A note when a project or logstore has no data: aepipe answers an empty
//! list for a name it never saw (a typo looks like a quiet logstore), so the
//! CLI says so on stderr and lists the names that do have data.

use super::output::printable;
use crate::client::Client;

/// Names listed in a note at most.
const MAX_LISTED: usize = 20;

/// The note for `project` (and `logstore`, when given) if the server has no
/// data under that name; None when it does, or when the lists cannot be
/// read (the note is a help, never a new failure).
pub async fn unknown_note(
    client: &Client,
    project: &str,
    logstore: Option<&str>,
) -> Option<String> {
    let projects = client.list_projects().await.ok()?;
    if !projects.iter().any(|p| p == project) {
        let what = match logstore {
            Some(l) => format!("project {} / logstore {}", printable(project), printable(l)),
            None => format!("project {}", printable(project)),
        };
        return Some(format!(
            "{what} has no data yet; known projects: {}",
            listing(&projects)
        ));
    }
    let logstore = logstore?;
    let logstores = client.list_logstores(project).await.ok()?;
    if logstores.iter().any(|l| l == logstore) {
        return None;
    }
    Some(format!(
        "project {} / logstore {} has no data yet; known logstores of {}: {}",
        printable(project),
        printable(logstore),
        printable(project),
        listing(&logstores)
    ))
}

/// Print the note, if any, on stderr.
pub async fn warn_if_unknown(client: &Client, project: &str, logstore: Option<&str>) {
    if let Some(note) = unknown_note(client, project, logstore).await {
        eprintln!("note: {note}");
    }
}

fn listing(names: &[String]) -> String {
    if names.is_empty() {
        return "(none)".to_string();
    }
    let mut text = names
        .iter()
        .take(MAX_LISTED)
        .map(|n| printable(n))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > MAX_LISTED {
        text.push_str(&format!(" … ({} in all)", names.len()));
    }
    text
}
