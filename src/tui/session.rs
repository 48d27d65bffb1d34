//! What survives a restart (as harlequin keeps its buffers): the logstore
//! the editor was scoped to, and the open result tabs' SQL, logstore and
//! editor buffer (text and cursor). Results are not kept: a restored tab
//! runs again on demand (Alt-R). One file per profile under the data dir,
//! written whole, atomically and 0600 (queries can hold secrets).
//!
//! Files written before tabs had buffers of their own hold one editor
//! text: it goes to the shown tab, and each other tab's buffer starts as
//! its statement.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::safe_fs::{self, path_component, Access};
use crate::tui::app::{App, Scope};
use crate::tui::editor::EditorBuffer;
use crate::tui::tabs::{Parked, Tab, Tabs, MAX_TABS};

/// A session file larger than this is not read (the editor's text is the
/// only thing in it that grows).
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is {size} bytes, more than a session file can be ({MAX_FILE_BYTES})")]
    TooLarge { path: String, size: u64 },
    #[error("{path} is not a session file: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedScope {
    pub project: String,
    pub logstore: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedTab {
    pub scope: Option<SavedScope>,
    pub sql: Option<String>,
    /// The tab's editor text (absent in older files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editor: Option<String>,
    /// Its cursor, (row, column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<(usize, usize)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The shown tab's editor text (each tab's own is in `tabs`; this one
    /// is what older versions read).
    pub editor: String,
    pub scope: Option<SavedScope>,
    pub tabs: Vec<SavedTab>,
    pub active: usize,
}

fn saved(scope: &Scope) -> SavedScope {
    SavedScope {
        project: scope.project.clone(),
        logstore: scope.logstore.clone(),
    }
}

fn scope(saved: &SavedScope) -> Scope {
    Scope {
        project: saved.project.clone(),
        logstore: saved.logstore.clone(),
    }
}

/// `<root>/<profile>.json`; the profile name comes from a config file (or
/// is a server's host) so it is checked or hashed like any other name.
pub fn path_for(root: &Path, profile: &str) -> PathBuf {
    root.join(format!("{}.json", path_component(profile)))
}

/// The session in a file; None when there is none yet.
pub fn load(path: &Path) -> Result<Option<Session>, SessionError> {
    let shown = || path.display().to_string();
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(SessionError::Read {
                path: shown(),
                source,
            })
        }
    };
    if size > MAX_FILE_BYTES {
        return Err(SessionError::TooLarge {
            path: shown(),
            size,
        });
    }
    let text = std::fs::read_to_string(path).map_err(|source| SessionError::Read {
        path: shown(),
        source,
    })?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|source| SessionError::Parse {
            path: shown(),
            source,
        })
}

/// Write a small file of the user's whole, atomically, readable by the
/// user only (the session here; saved queries use it too).
pub fn save(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        safe_fs::create_dir_all(dir, Access::Private)?;
    }
    safe_fs::write_atomic(path, Access::Private, |out| out.write_all(text.as_bytes()))
}

/// What of the app is kept.
pub fn capture(app: &App) -> Session {
    let tabs = app
        .tabs
        .tabs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            // The shown tab's statement is the grid's (a drill-down may
            // have changed it since the tab's last result).
            let shown = (i == app.tabs.active)
                .then(|| app.grid.run.as_ref().map(|r| r.sql.clone()))
                .flatten();
            let shown_scope = (i == app.tabs.active)
                .then(|| app.result_scope.as_ref().map(saved))
                .flatten();
            let (editor, cursor) = match &t.parked {
                Some(p) => (p.editor.text(), p.editor.cursor()),
                None => (app.editor.text(), app.editor.cursor()),
            };
            SavedTab {
                scope: shown_scope.or_else(|| t.scope.as_ref().map(saved)),
                sql: shown.or_else(|| t.sql.clone()),
                editor: Some(editor),
                cursor: Some(cursor),
            }
        })
        .collect();
    Session {
        editor: app.editor.text(),
        scope: app.scope.as_ref().map(saved),
        tabs,
        active: app.tabs.active,
    }
}

/// The session as the text of its file.
pub fn to_text(session: &Session) -> String {
    // Plain data (strings and numbers) always serialises.
    serde_json::to_string_pretty(session).unwrap_or_default()
}

/// Open the kept tabs (without results), each with its editor buffer as it
/// was; the scope is chosen again as if picked in the tree.
pub fn restore(app: &mut App, session: Session) -> Vec<crate::tui::effects::Effect> {
    let mut effects = Vec::new();
    if let Some(s) = &session.scope {
        effects.extend(crate::tui::update::choose_logstore(app, scope(s)));
    }
    let kept = session.tabs.len().min(MAX_TABS);
    let active = session.active.min(kept.saturating_sub(1));
    // The shown tab's text: its own, else (an older file) the one editor
    // text there was.
    let shown = session
        .tabs
        .get(active)
        .and_then(|t| t.editor.clone())
        .unwrap_or_else(|| session.editor.clone());
    let shown_cursor = session.tabs.get(active).and_then(|t| t.cursor);
    if !shown.trim().is_empty() {
        app.editor.set_text(&shown);
        if let Some((row, col)) = shown_cursor {
            app.editor.jump_to(row, col);
        }
    }
    let tabs: Vec<Tab> = session
        .tabs
        .iter()
        .take(MAX_TABS)
        .map(|t| {
            let text = t
                .editor
                .clone()
                .or_else(|| t.sql.clone())
                .unwrap_or_default();
            Tab {
                sql: t.sql.clone(),
                scope: t.scope.as_ref().map(scope),
                ran_at: None,
                parked: Some(Parked {
                    editor: EditorBuffer::with_text(&text, t.cursor),
                    ..Parked::default()
                }),
                updated: false,
            }
        })
        .collect();
    if !tabs.is_empty() {
        app.tabs = Tabs { tabs, active };
        // The shown tab's state is the app's own (empty until run).
        app.tabs.current_mut().parked = None;
    }
    let n = app.tabs.len();
    let restored = app.tabs.tabs.iter().filter(|t| t.sql.is_some()).count();
    if restored > 0 {
        let what = if n == 1 {
            "its tab".to_string()
        } else {
            format!("{n} tabs")
        };
        app.notify(
            crate::tui::app::NoticeLevel::Info,
            format!("last session's editor and {what} are back; Alt-R runs a tab's query again"),
        );
    }
    effects
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_round_trips_privately_under_its_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("session");
        let path = path_for(&root, "../../etc/passwd");
        assert!(path.starts_with(&root), "{}", path.display());
        assert_eq!(load(&path).unwrap(), None);
        let s = Session {
            editor: "SELECT 1;\n\nSELECT 2".into(),
            scope: Some(SavedScope {
                project: "shop".into(),
                logstore: "api".into(),
            }),
            tabs: vec![SavedTab {
                scope: None,
                sql: Some("SELECT 2".into()),
                editor: Some("SELECT 2 -- mine".into()),
                cursor: Some((0, 3)),
            }],
            active: 0,
        };
        save(&path, &to_text(&s)).unwrap();
        assert_eq!(load(&path).unwrap(), Some(s));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_file_from_before_per_tab_buffers_still_loads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.json");
        std::fs::write(
            &path,
            r#"{"editor":"SELECT 1","scope":null,"tabs":[{"scope":null,"sql":"SELECT 2"}],"active":0}"#,
        )
        .unwrap();
        let s = load(&path).unwrap().unwrap();
        assert_eq!(s.editor, "SELECT 1");
        assert_eq!(
            (s.tabs[0].editor.as_deref(), s.tabs[0].cursor),
            (None, None)
        );
    }

    #[test]
    fn a_damaged_file_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        std::fs::write(&path, "{not json").unwrap();
        let e = load(&path).unwrap_err().to_string();
        assert!(e.contains("not a session file"), "{e}");
    }
}
