//! Files the explorer and the CLI write on the user's behalf (query history,
//! exports), and the names from a server that end up in their paths.
//!
//! A name a server returns is untrusted: a logstore called `../../../../tmp/x`
//! must not steer a write outside the data dir. Files are written whole to a
//! temporary file next to the target and then renamed over it, so a reader
//! never sees half a file, a crash never leaves a truncated one, and a symlink
//! planted at the target is replaced, never followed. Files holding queries or
//! a token are created 0600 (their directories 0700).

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::limits::is_valid_name;

/// Who may read a file we write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only the user (0600): queries, tokens.
    Private,
    /// As the umask says: exported data the user asked for.
    Default,
}

/// A path component for a name from a server or a config file. A valid
/// aepipe name (`[A-Za-z0-9_-]{1,64}`) is used as it is; anything else
/// (separators, dots, controls, too long) becomes `%` and a hash of it, which
/// no valid name can equal and which can never leave its directory.
pub fn path_component(name: &str) -> String {
    if is_valid_name(name) {
        return name.to_string();
    }
    // FNV-1a: stable across runs and versions (std's hasher is not).
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("%{hash:016x}")
}

/// Create `dir` and its parents; new directories are 0700 for private files.
pub fn create_dir_all(dir: &Path, access: Access) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    if access == Access::Private {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    #[cfg(not(unix))]
    let _ = access;
    builder.create(dir)
}

/// Write `path` atomically: `write` fills a new temporary file in the same
/// directory, which then replaces `path` (a symlink at `path` is replaced,
/// not followed). On error the temporary file is removed and `path` is left
/// as it was.
pub fn write_atomic(
    path: &Path,
    access: Access,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = write_temp(path, access, write)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// Like [`write_atomic`], but `path` must not exist yet (an export never
/// overwrites a file): the finished file is linked in place, which fails if
/// anything (a symlink included) is already there.
pub fn write_new_atomic(
    path: &Path,
    access: Access,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = write_temp(path, access, write)?;
    let placed = match fs::hard_link(&tmp, path) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
            // A file system without hard links: rename, after checking
            // (without following a symlink) that nothing is there.
            match fs::symlink_metadata(path) {
                Ok(_) => Err(io::Error::from(io::ErrorKind::AlreadyExists)),
                Err(_) => fs::rename(&tmp, path),
            }
        }
        linked => linked,
    };
    let _ = fs::remove_file(&tmp);
    placed
}

fn write_temp(
    path: &Path,
    access: Access,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<PathBuf> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
    let tmp = dir.join(tmp_name);
    let file = open_new(&tmp, access)?;
    let written = (|| {
        let mut out = BufWriter::new(file);
        write(&mut out)?;
        out.flush()?;
        out.into_inner()
            .map_err(io::IntoInnerError::into_error)?
            .sync_all()
    })();
    match written {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// A new file (never an existing one, never through a symlink).
fn open_new(path: &Path, access: Access) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if access == Access::Private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = access;
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names_cannot_leave_their_directory() {
        assert_eq!(path_component("api-2_x"), "api-2_x");
        for evil in [
            "../../../../tmp/x",
            "..",
            ".",
            "a/b",
            "a\\b",
            "",
            "\u{1b}]0;x",
        ] {
            let c = path_component(evil);
            assert!(c.starts_with('%') && c.len() == 17, "{evil:?} -> {c}");
            assert!(!c.contains(['/', '\\', '.']), "{c}");
        }
        assert_ne!(path_component("a/b"), path_component("a\\b"));
        assert_eq!(path_component("a/b"), path_component("a/b"));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_at_the_target_is_replaced_not_followed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "keep me").unwrap();
        let target = dir.path().join("history.jsonl");
        std::os::unix::fs::symlink(&victim, &target).unwrap();
        write_atomic(&target, Access::Private, |w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep me");
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert!(!fs::symlink_metadata(&target).unwrap().is_symlink());
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // Nothing else is left in the directory.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_never_replaces_anything() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "keep me").unwrap();
        let target = dir.path().join("export.csv");
        std::os::unix::fs::symlink(&victim, &target).unwrap();
        let err = write_new_atomic(&target, Access::Default, |w| w.write_all(b"rows")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep me");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("h");
        fs::write(&target, "old").unwrap();
        let err = write_atomic(&target, Access::Private, |_| Err(io::Error::other("boom")));
        assert!(err.is_err());
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
