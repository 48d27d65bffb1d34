//! Names for a logstore's positional columns (blob6 = path, double1 =
//! latency_ms), kept per profile, project and logstore in
//! `~/.config/aepipe/fields.toml` (a file of its own, like keymap.toml: the
//! explorer rewrites it when names are given in the explorer, and
//! explorer.toml keeps the user's comments):
//!
//! ```toml
//! [local.shop.api]      # profile "local" (the embedded server), shop/api
//! blob6 = "path"
//! double1 = "latency_ms"
//! ```
//!
//! The names are only labels the explorer draws (grid headers, detail,
//! tail lines, chart legend) and offers in completion; the SQL sent to the
//! server always names the positional column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// profile → project → logstore → (column → name), as written in the file.
pub type FieldsTable =
    BTreeMap<String, BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>>;

/// The names of one logstore: positional column → name, and back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldNames {
    by_column: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldsError {
    #[error(
        "[{scope}] {column:?}: not a column that can be named (blob1…blob20, double1…double20)"
    )]
    NotNameable { scope: String, column: String },
    #[error("[{scope}] {column} = {name:?}: a name is letters, digits and _, not starting with a digit, at most 64 characters")]
    BadName {
        scope: String,
        column: String,
        name: String,
    },
    #[error("[{scope}] {column} = {name:?}: that is the name of a column already")]
    NameIsAColumn {
        scope: String,
        column: String,
        name: String,
    },
    #[error("[{scope}] {name:?} names both {first} and {second}")]
    Duplicate {
        scope: String,
        name: String,
        first: String,
        second: String,
    },
}

/// Whether `column` is one of the positional columns names can be given to.
pub fn is_positional(column: &str) -> bool {
    let num = |prefix: &str, max: u32| {
        column
            .strip_prefix(prefix)
            .filter(|d| !d.starts_with('0'))
            .and_then(|d| d.parse::<u32>().ok())
            .is_some_and(|n| (1..=max).contains(&n))
    };
    num("blob", 20) || num("double", 20)
}

/// Column names of the table (a name may not shadow one: an alias wins
/// over a column of the same name in the SQL dialect).
fn is_reserved(name: &str) -> bool {
    is_positional(&name.to_ascii_lowercase())
        || ["timestamp", "_sample_interval", "index1", "dataset"]
            .iter()
            .any(|c| c.eq_ignore_ascii_case(name))
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 64
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl FieldNames {
    /// Check and build one logstore's names; `scope` is for messages.
    pub fn new(scope: &str, names: &BTreeMap<String, String>) -> Result<Self, FieldsError> {
        let mut by_column = BTreeMap::new();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (column, name) in names {
            let err_scope = || scope.to_string();
            if !is_positional(column) {
                return Err(FieldsError::NotNameable {
                    scope: err_scope(),
                    column: column.clone(),
                });
            }
            if !is_identifier(name) {
                return Err(FieldsError::BadName {
                    scope: err_scope(),
                    column: column.clone(),
                    name: name.clone(),
                });
            }
            if is_reserved(name) {
                return Err(FieldsError::NameIsAColumn {
                    scope: err_scope(),
                    column: column.clone(),
                    name: name.clone(),
                });
            }
            if let Some(first) = seen.insert(name.to_ascii_lowercase(), column.clone()) {
                return Err(FieldsError::Duplicate {
                    scope: err_scope(),
                    name: name.clone(),
                    first,
                    second: column.clone(),
                });
            }
            by_column.insert(column.clone(), name.clone());
        }
        Ok(Self { by_column })
    }

    pub fn is_empty(&self) -> bool {
        self.by_column.is_empty()
    }

    /// The name given to a result column, when it is a named positional one.
    pub fn name_of(&self, column: &str) -> Option<&str> {
        self.by_column.get(column).map(String::as_str)
    }

    /// How a result column is labelled: its name when it has one.
    pub fn label<'a>(&'a self, column: &'a str) -> &'a str {
        self.name_of(column).unwrap_or(column)
    }

    /// (column, name) pairs, by column.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_column.iter().map(|(c, n)| (c.as_str(), n.as_str()))
    }
}

/// A fields file that cannot be used: which file, and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum FieldsFileError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

/// Every logstore's names, checked when the file is read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldsConfig {
    /// As written (saved back when names are edited in the explorer).
    table: FieldsTable,
    stores: BTreeMap<(String, String, String), FieldNames>,
}

impl FieldsConfig {
    pub fn from_table(table: &FieldsTable) -> Result<Self, FieldsError> {
        let mut stores = BTreeMap::new();
        for (profile, projects) in table {
            for (project, logstores) in projects {
                for (logstore, names) in logstores {
                    let scope = format!("{profile}.{project}.{logstore}");
                    let names = FieldNames::new(&scope, names)?;
                    stores.insert((profile.clone(), project.clone(), logstore.clone()), names);
                }
            }
        }
        Ok(Self {
            table: table.clone(),
            stores,
        })
    }

    /// Where the file lives: `dirs::config_dir()/aepipe/fields.toml`.
    pub fn default_path() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join("aepipe").join("fields.toml"))
    }

    /// The file's names; no file gives none.
    pub fn load(path: &Path) -> Result<Self, FieldsFileError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(FieldsFileError::Read {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let invalid = |message: String| FieldsFileError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let table: FieldsTable =
            toml::from_str(&text).map_err(|e| invalid(e.message().trim().to_string()))?;
        Self::from_table(&table).map_err(|e| invalid(e.to_string()))
    }

    /// Name `column` of a logstore (`None` or an empty name removes its
    /// name); refused, with nothing changed, when the names would not be
    /// valid.
    pub fn set(
        &mut self,
        (profile, project, logstore): (&str, &str, &str),
        column: &str,
        name: Option<&str>,
    ) -> Result<(), FieldsError> {
        let mut names = self
            .table
            .get(profile)
            .and_then(|p| p.get(project))
            .and_then(|p| p.get(logstore))
            .cloned()
            .unwrap_or_default();
        match name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => names.insert(column.to_string(), n.to_string()),
            None => names.remove(column),
        };
        let checked = FieldNames::new(&format!("{profile}.{project}.{logstore}"), &names)?;
        let key = (
            profile.to_string(),
            project.to_string(),
            logstore.to_string(),
        );
        let slot = self
            .table
            .entry(key.0.clone())
            .or_default()
            .entry(key.1.clone())
            .or_default();
        if names.is_empty() {
            slot.remove(logstore);
            self.stores.remove(&key);
        } else {
            slot.insert(key.2.clone(), names);
            self.stores.insert(key, checked);
        }
        Ok(())
    }

    /// The file's text for what is here now.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(&self.table).unwrap_or_default();
        format!(
            "# Column names per profile, project and logstore: [profile.project.logstore].\n\
             # Written by the aepipe explorer when names are given there (n in the grid).\n\n{body}"
        )
    }

    /// Write the names to `path` (whole, atomically).
    pub fn save(path: &Path, text: &str) -> std::io::Result<()> {
        use crate::safe_fs::{self, Access};
        if let Some(dir) = path.parent() {
            safe_fs::create_dir_all(dir, Access::Default)?;
        }
        safe_fs::write_atomic(path, Access::Default, |out| out.write_all(text.as_bytes()))
    }

    /// The names of one logstore under one profile (none when unnamed).
    pub fn names(&self, profile: &str, project: &str, logstore: &str) -> &FieldNames {
        static NONE: FieldNames = FieldNames {
            by_column: BTreeMap::new(),
        };
        self.stores
            .get(&(
                profile.to_string(),
                project.to_string(),
                logstore.to_string(),
            ))
            .unwrap_or(&NONE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn named_columns_are_labelled_by_their_names() {
        let n = FieldNames::new(
            "p.s.l",
            &map(&[("blob6", "path"), ("double1", "latency_ms")]),
        )
        .unwrap();
        assert_eq!(n.name_of("blob6"), Some("path"));
        assert_eq!(n.label("blob7"), "blob7");
        assert_eq!(n.label("double1"), "latency_ms");
    }

    #[test]
    fn bad_names_say_what_is_wrong() {
        let e = |pairs: &[(&str, &str)]| {
            FieldNames::new("local.shop.api", &map(pairs))
                .unwrap_err()
                .to_string()
        };
        assert!(e(&[("blob21", "x")]).contains("not a column that can be named"));
        assert!(e(&[("timestamp", "t")]).contains("not a column"));
        assert!(e(&[("blob6", "a path")]).contains("letters, digits and _"));
        assert!(e(&[("blob6", "9lives")]).contains("letters, digits"));
        assert!(e(&[("blob6", "blob7")]).contains("name of a column"));
        assert!(e(&[("blob6", "path"), ("blob7", "PATH")]).contains("names both blob6 and blob7"));
    }

    #[test]
    fn positional_columns() {
        for c in ["blob1", "blob20", "double1", "double20"] {
            assert!(is_positional(c), "{c}");
        }
        for c in ["blob0", "blob21", "blob06", "double", "index1", "Blob6"] {
            assert!(!is_positional(c), "{c}");
        }
    }

    #[test]
    fn names_set_in_the_explorer_are_checked_saved_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aepipe/fields.toml");
        let mut c = FieldsConfig::load(&path).unwrap();
        let api = ("local", "shop", "api");
        c.set(api, "blob6", Some("path")).unwrap();
        c.set(api, "double1", Some("latency_ms")).unwrap();
        assert!(c.set(api, "blob7", Some("PATH")).is_err());
        assert!(c.set(api, "blob7", Some("a b")).is_err());
        assert_eq!(c.names("local", "shop", "api").name_of("blob7"), None);
        FieldsConfig::save(&path, &c.to_toml()).unwrap();
        let back = FieldsConfig::load(&path).unwrap();
        assert_eq!(back, c);
        let mut c = back;
        c.set(api, "blob6", None).unwrap();
        c.set(api, "double1", Some("")).unwrap();
        assert!(c.names("local", "shop", "api").is_empty());
        std::fs::write(&path, "[local.shop.api]\nblob6 = \"a b\"\n").unwrap();
        let e = FieldsConfig::load(&path).unwrap_err().to_string();
        assert!(
            e.contains("fields.toml") && e.contains("[local.shop.api] blob6"),
            "{e}"
        );
    }

    #[test]
    fn config_is_per_profile_project_and_logstore() {
        let table: FieldsTable = toml::from_str(
            "[local.shop.api]\nblob6 = \"path\"\n[prod.shop.api]\nblob6 = \"route\"\n",
        )
        .unwrap();
        let c = FieldsConfig::from_table(&table).unwrap();
        assert_eq!(
            c.names("local", "shop", "api").name_of("blob6"),
            Some("path")
        );
        assert_eq!(
            c.names("prod", "shop", "api").name_of("blob6"),
            Some("route")
        );
        assert!(c.names("local", "shop", "checkout").is_empty());
    }
}
