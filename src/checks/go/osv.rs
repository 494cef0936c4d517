//! The Go vulnerability database in OSV form, read offline and indexed by module, so a run
//! parses only the entries of the modules it judges.
//!
//! Three layouts are read:
//! - the public endpoint's (`index/modules.json`, `index/db.json`, `ID/GO-….json`), which
//!   `db fetch --go` writes;
//! - the same as one zip (`vulndb.zip`);
//! - a folder of OSV files (`GO-….json`, as golang/vulndb's `data/osv`): it has no index, so
//!   the first run builds one and keeps it in Palisade's cache folder (`$PALISADE_CACHE_DIR`,
//!   else `$XDG_CACHE_HOME/palisade`, else `~/.cache/palisade`; never in the database), and
//!   later runs reuse it while every file's name, size and modification time are unchanged.

use super::version::{Event, GoVersion};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable naming the database.
pub const ENV_VAR: &str = "PALISADE_GO_VULNDB";

/// Errors about the Go vulnerability database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Nothing at the path.
    #[error(
        "no Go vulnerability database at {0}: fetch one with `cargo palisade db fetch --go --go-vulndb {0}`, \
         or pass --go-vulndb / set {ENV_VAR}"
    )]
    Missing(PathBuf),
    /// Something at the path, but not a usable database.
    #[error("Go vulnerability database at {path} is unusable: {message}")]
    Invalid {
        /// The database.
        path: PathBuf,
        /// What is wrong, naming the file.
        message: String,
    },
    /// No default location.
    #[error(
        "cannot locate $CARGO_HOME for the default Go vulnerability database: pass --go-vulndb or set {ENV_VAR}"
    )]
    NoHome,
}

/// One OSV entry, as far as the check reads it.
#[derive(Clone, Debug, Deserialize)]
pub struct Entry {
    /// `GO-2024-2687`.
    pub id: String,
    /// CVE and GHSA ids.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// One line.
    #[serde(default)]
    pub summary: String,
    /// Markdown.
    #[serde(default)]
    pub details: String,
    /// Set when the entry was withdrawn: it affects nothing.
    #[serde(default)]
    pub withdrawn: Option<String>,
    /// The modules it affects.
    #[serde(default)]
    pub affected: Vec<Affected>,
}

/// One affected module of an entry.
#[derive(Clone, Debug, Deserialize)]
pub struct Affected {
    /// The module (`stdlib` for the standard library, `toolchain` for the go command).
    pub package: Package,
    /// Its affected version ranges.
    #[serde(default)]
    pub ranges: Vec<Range>,
    /// The vulnerable packages and symbols.
    #[serde(default)]
    pub ecosystem_specific: EcosystemSpecific,
}

/// The module an affected entry names.
#[derive(Clone, Debug, Deserialize)]
pub struct Package {
    /// The module path.
    pub name: String,
}

/// A version range.
#[derive(Clone, Debug, Deserialize)]
pub struct Range {
    /// `SEMVER` (the only kind the Go database writes).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its events.
    #[serde(default)]
    pub events: Vec<RawEvent>,
}

/// A range event as written.
#[derive(Clone, Debug, Deserialize)]
pub struct RawEvent {
    /// `introduced`.
    pub introduced: Option<String>,
    /// `fixed`.
    pub fixed: Option<String>,
    /// `last_affected`.
    pub last_affected: Option<String>,
}

/// What the Go database adds to an affected module.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct EcosystemSpecific {
    /// The vulnerable packages; none means every package of the module.
    #[serde(default)]
    pub imports: Vec<Import>,
}

/// A vulnerable package.
#[derive(Clone, Debug, Deserialize)]
pub struct Import {
    /// Its import path.
    pub path: String,
    /// Its vulnerable functions and methods (`Parse`, `Server.Serve`); none means all.
    #[serde(default)]
    pub symbols: Vec<String>,
    /// The operating systems it is vulnerable on; none means all.
    #[serde(default)]
    pub goos: Vec<String>,
    /// The architectures it is vulnerable on; none means all.
    #[serde(default)]
    pub goarch: Vec<String>,
}

impl Affected {
    /// The semantic-version events of its ranges, parsed; an unparsable version is an error
    /// naming it (a range read wrong is a verdict read wrong).
    pub fn events(&self) -> Result<Vec<Event>, String> {
        let mut events = Vec::new();
        for range in self.ranges.iter().filter(|r| r.kind == "SEMVER") {
            for event in &range.events {
                let parse = |v: &str| {
                    GoVersion::module(v)
                        .ok_or_else(|| format!("range version `{v}` is not a semantic version"))
                };
                if let Some(v) = &event.introduced {
                    events.push(Event::Introduced(if v == "0" {
                        None
                    } else {
                        Some(parse(v)?)
                    }));
                }
                if let Some(v) = &event.fixed {
                    events.push(Event::Fixed(parse(v)?));
                }
                if let Some(v) = &event.last_affected {
                    events.push(Event::LastAffected(parse(v)?));
                }
            }
        }
        Ok(events)
    }
}

/// Where the entries are read from.
enum Store {
    /// Files in a folder: `ID/<id>.json` or `<file>.json`.
    Dir(PathBuf),
    /// Members of a zip held in memory (its directory read once), under a folder prefix
    /// (`""`, or `vulndb/`).
    Zip(Zip, String),
}

/// A zip held in memory; clones share its bytes and its directory.
type Zip = zip::ZipArchive<std::io::Cursor<Arc<[u8]>>>;

/// The bytes of one member of a zip.
fn member(archive: &mut Zip, name: &str) -> Result<Vec<u8>, String> {
    let mut file = archive
        .by_name(name)
        .map_err(|e| format!("cannot read {name} in the zip: {e}"))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {name} in the zip: {e}"))?;
    Ok(bytes)
}

/// An opened database: the index, and where to read each entry.
pub struct Database {
    /// What was opened.
    pub path: PathBuf,
    store: Store,
    /// module → the files (relative names) of its entries.
    by_module: HashMap<String, Vec<String>>,
    /// Entries in the database.
    pub entry_count: usize,
    /// When it was last modified, when it says.
    pub modified: Option<jiff::civil::Date>,
    /// How the index was found: `index/modules.json`, or built from the files.
    pub indexed: &'static str,
}

/// The public index's module list.
#[derive(Deserialize)]
struct ModuleIndex {
    path: String,
    #[serde(default)]
    vulns: Vec<VulnRef>,
}

#[derive(Deserialize)]
struct VulnRef {
    id: String,
}

#[derive(Deserialize)]
struct DbIndex {
    modified: String,
}

/// The index built for a folder of OSV files, kept beside them.
#[derive(Serialize, Deserialize)]
struct BuiltIndex {
    /// The Palisade version that built it.
    version: String,
    /// Name, size and modification time of every file, as it was indexed.
    files: BTreeMap<String, (u64, u128)>,
    /// module → files.
    modules: BTreeMap<String, Vec<String>>,
    /// The newest `modified` of an entry (or of a file, when entries do not say).
    modified: Option<String>,
}

/// The file the index of a plain folder at `dir` is kept in: one per folder, named by a hash
/// of its path.
fn kept_index_file(dir: &Path) -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let cache = var("PALISADE_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|c| c.join("palisade")))
        .or_else(|| home::home_dir().map(|h| h.join(".cache/palisade")))?;
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let key = crate::finding::fingerprint(&[&canonical.to_string_lossy()]);
    Some(cache.join(format!("go-vulndb-index-{key}.json")))
}

/// Where the database is: the flag (or the environment variable, merged by clap), else the
/// config, else `$CARGO_HOME/go-vulndb`.
pub fn resolve_path(flag: Option<&Path>, config: Option<&Path>) -> Result<PathBuf, DbError> {
    if let Some(p) = flag.or(config) {
        return Ok(p.to_path_buf());
    }
    home::cargo_home()
        .map(|h| h.join("go-vulndb"))
        .map_err(|_| DbError::NoHome)
}

impl Database {
    /// Opens the database at `path` (a folder in either layout, or a zip), reading only its
    /// index.
    pub fn open(path: &Path) -> Result<Database, DbError> {
        let invalid = |message: String| DbError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        if path.is_file() {
            let data = std::fs::read(path).map_err(|e| invalid(format!("cannot read it: {e}")))?;
            return Database::open_zip(path, data).map_err(invalid);
        }
        if !path.is_dir() {
            return Err(DbError::Missing(path.to_path_buf()));
        }
        let db = if path.join("index/modules.json").is_file() {
            Database::open_served(path)
        } else {
            Database::open_plain(path)
        }
        .map_err(invalid)?;
        if db.entry_count == 0 {
            return Err(invalid(format!(
                "it holds no entries: fetch it with `cargo palisade db fetch --go --go-vulndb {}`",
                path.display()
            )));
        }
        Ok(db)
    }

    /// The served layout: `index/modules.json` says which entries each module has.
    fn open_served(path: &Path) -> Result<Database, String> {
        let read = |name: &str| {
            std::fs::read(path.join(name)).map_err(|e| format!("cannot read {name}: {e}"))
        };
        let (by_module, entry_count) = served_index(&read("index/modules.json")?)?;
        let modified = match path.join("index/db.json").is_file() {
            true => db_modified(&read("index/db.json")?)?,
            false => None,
        };
        Ok(Database {
            path: path.to_path_buf(),
            store: Store::Dir(path.to_path_buf()),
            by_module,
            entry_count,
            modified,
            indexed: "index/modules.json",
        })
    }

    /// A zip of the served layout (under one top folder or none), or of plain OSV files
    /// (indexed from every member, as a plain folder).
    fn open_zip(path: &Path, data: Vec<u8>) -> Result<Database, String> {
        let mut archive = Zip::new(std::io::Cursor::new(Arc::from(data)))
            .map_err(|e| format!("not a folder and not a zip archive ({e})"))?;
        let names: Vec<String> = archive
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
            .collect();
        let served = names.iter().find_map(|n| {
            let prefix = n.strip_suffix("index/modules.json")?;
            (prefix.is_empty() || prefix.matches('/').count() == 1).then(|| prefix.to_string())
        });
        if let Some(prefix) = served {
            let (by_module, entry_count) = served_index(&member(
                &mut archive,
                &format!("{prefix}index/modules.json"),
            )?)?;
            let db_json = format!("{prefix}index/db.json");
            let modified = match names.contains(&db_json) {
                true => db_modified(&member(&mut archive, &db_json)?)?,
                false => None,
            };
            return Ok(Database {
                path: path.to_path_buf(),
                store: Store::Zip(archive, prefix),
                by_module,
                entry_count,
                modified,
                indexed: "index/modules.json",
            });
        }
        let entries: Vec<(String, Vec<u8>)> = names
            .iter()
            .filter(|n| n.ends_with(".json") && !n.ends_with('/'))
            .map(|n| Ok((n.clone(), member(&mut archive, n)?)))
            .collect::<Result<_, String>>()?;
        if entries.is_empty() {
            return Err(
                "the zip holds neither index/modules.json nor OSV files: is it the Go vulnerability database's vulndb.zip?"
                    .into(),
            );
        }
        let (modules, modified) = index_entries(entries)?;
        let entry_count = modules.values().flatten().collect::<BTreeSet<_>>().len();
        Ok(Database {
            path: path.to_path_buf(),
            store: Store::Zip(archive, String::new()),
            by_module: modules.into_iter().collect(),
            entry_count,
            modified,
            indexed: "built from the files",
        })
    }

    /// A plain folder of OSV files: the kept index when it still describes the files, else
    /// one built now (and kept, when the folder is writable).
    fn open_plain(path: &Path) -> Result<Database, String> {
        let mut files = BTreeMap::new();
        let entries = std::fs::read_dir(path).map_err(|e| format!("cannot list it: {e}"))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot list it: {e}"))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".json") || name.starts_with('.') {
                continue;
            }
            let meta =
                std::fs::metadata(entry.path()).map_err(|e| format!("cannot read {name}: {e}"))?;
            if !meta.is_file() {
                continue;
            }
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            files.insert(name, (meta.len(), mtime));
        }
        if files.is_empty() {
            return Err(
                "it has neither index/modules.json nor OSV files (GO-….json): is it the Go vulnerability database?"
                    .into(),
            );
        }
        let kept_file = kept_index_file(path);
        let kept = kept_file
            .as_ref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|b| serde_json::from_slice::<BuiltIndex>(&b).ok())
            .filter(|i| i.version == env!("CARGO_PKG_VERSION") && i.files == files);
        let (index, indexed) = match kept {
            Some(index) => (index, "kept index"),
            None => {
                let index = build_index(path, files)?;
                // Best effort: without a writable cache, the folder is indexed every run.
                if let (Some(file), Ok(text)) = (&kept_file, serde_json::to_vec(&index)) {
                    let tmp = file.with_extension(format!("{}.tmp", std::process::id()));
                    let written = file
                        .parent()
                        .is_some_and(|d| std::fs::create_dir_all(d).is_ok())
                        && std::fs::write(&tmp, text).is_ok();
                    if written && std::fs::rename(&tmp, file).is_err() {
                        let _ = std::fs::remove_file(&tmp);
                    }
                }
                (index, "built from the files")
            }
        };
        Ok(Database {
            path: path.to_path_buf(),
            store: Store::Dir(path.to_path_buf()),
            entry_count: index.files.len(),
            modified: index.modified.as_deref().and_then(date_of),
            by_module: index.modules.into_iter().collect(),
            indexed,
        })
    }

    /// The entries that name `module`, parsed (in parallel), withdrawn ones left out. A file
    /// the index names that is missing or does not parse is an error naming it.
    pub fn entries_for<'m>(
        &self,
        modules: impl IntoIterator<Item = &'m str>,
    ) -> Result<HashMap<String, Vec<Arc<Entry>>>, DbError> {
        let invalid = |message: String| DbError::Invalid {
            path: self.path.clone(),
            message,
        };
        let wanted: BTreeSet<&str> = modules.into_iter().collect();
        let files: BTreeSet<&str> = wanted
            .iter()
            .filter_map(|m| self.by_module.get(*m))
            .flatten()
            .map(String::as_str)
            .collect();
        let parsed: Vec<(String, Arc<Entry>)> = files
            .into_par_iter()
            .map(|file| {
                let bytes = self.read(file)?;
                let entry: Entry = serde_json::from_slice(&bytes)
                    .map_err(|e| format!("{file} is not an OSV entry: {e}"))?;
                Ok((file.to_string(), Arc::new(entry)))
            })
            .collect::<Result<_, String>>()
            .map_err(invalid)?;
        let by_file: HashMap<String, Arc<Entry>> = parsed.into_iter().collect();
        let mut out: HashMap<String, Vec<Arc<Entry>>> = HashMap::new();
        for module in wanted {
            let entries = self
                .by_module
                .get(module)
                .into_iter()
                .flatten()
                .filter_map(|f| by_file.get(f))
                .filter(|e| e.withdrawn.is_none())
                .cloned()
                .collect();
            out.insert(module.to_string(), entries);
        }
        Ok(out)
    }

    /// The bytes of one entry file.
    fn read(&self, file: &str) -> Result<Vec<u8>, String> {
        match &self.store {
            Store::Dir(dir) => {
                std::fs::read(dir.join(file)).map_err(|e| format!("cannot read {file}: {e}"))
            }
            Store::Zip(archive, prefix) => {
                let name = format!("{prefix}{file}");
                if archive.index_for_name(&name).is_none() {
                    return Err(format!(
                        "{file}, named by index/modules.json, is not in the zip"
                    ));
                }
                member(&mut archive.clone(), &name)
            }
        }
    }
}

/// `index/modules.json`: module → `ID/<id>.json`, and how many distinct entries.
fn served_index(bytes: &[u8]) -> Result<(HashMap<String, Vec<String>>, usize), String> {
    let modules: Vec<ModuleIndex> = serde_json::from_slice(bytes)
        .map_err(|e| format!("index/modules.json does not parse: {e}"))?;
    let mut ids = BTreeSet::new();
    let mut by_module = HashMap::new();
    for module in modules {
        let files = module
            .vulns
            .iter()
            .map(|v| {
                if !is_entry_id(&v.id) {
                    return Err(format!(
                        "index/modules.json names an entry `{}` that is not an id",
                        v.id
                    ));
                }
                ids.insert(v.id.clone());
                Ok(format!("ID/{}.json", v.id))
            })
            .collect::<Result<Vec<_>, _>>()?;
        by_module.insert(module.path, files);
    }
    Ok((by_module, ids.len()))
}

/// An entry id safe to make a file name of: letters, digits and dashes.
fn is_entry_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// `index/db.json`'s date.
fn db_modified(bytes: &[u8]) -> Result<Option<jiff::civil::Date>, String> {
    let index: DbIndex =
        serde_json::from_slice(bytes).map_err(|e| format!("index/db.json does not parse: {e}"))?;
    Ok(date_of(&index.modified))
}

/// The date of an RFC 3339 timestamp; `None` for the zero time some exports write.
fn date_of(timestamp: &str) -> Option<jiff::civil::Date> {
    let date: jiff::civil::Date = timestamp.get(..10)?.parse().ok()?;
    (date.year() > 1).then_some(date)
}

/// What indexing reads of an entry.
#[derive(Deserialize)]
struct Light {
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    affected: Vec<LightAffected>,
}

#[derive(Deserialize)]
struct LightAffected {
    package: Package,
}

/// The modules each entry names (entries by name, their bytes given), and the newest
/// `modified` date among them.
type Index = (BTreeMap<String, Vec<String>>, Option<jiff::civil::Date>);

/// Indexes entries by the modules they name (parsing only that, in parallel).
fn index_entries(entries: Vec<(String, Vec<u8>)>) -> Result<Index, String> {
    let read: Vec<(String, Light)> = entries
        .into_par_iter()
        .map(|(name, bytes)| {
            let light: Light = serde_json::from_slice(&bytes)
                .map_err(|e| format!("{name} is not an OSV entry: {e}"))?;
            Ok((name, light))
        })
        .collect::<Result<_, String>>()?;
    let mut modules: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut modified: Option<jiff::civil::Date> = None;
    for (name, light) in read {
        if let Some(date) = light.modified.as_deref().and_then(date_of) {
            modified = modified.max(Some(date));
        }
        let names: BTreeSet<String> = light.affected.into_iter().map(|a| a.package.name).collect();
        for module in names {
            modules.entry(module).or_default().push(name.clone());
        }
    }
    Ok((modules, modified))
}

/// Reads every file of a plain folder once (in parallel) for the modules it names.
fn build_index(dir: &Path, files: BTreeMap<String, (u64, u128)>) -> Result<BuiltIndex, String> {
    let entries: Vec<(String, Vec<u8>)> = files
        .par_iter()
        .map(|(name, _)| {
            let bytes =
                std::fs::read(dir.join(name)).map_err(|e| format!("cannot read {name}: {e}"))?;
            Ok((name.clone(), bytes))
        })
        .collect::<Result<_, String>>()?;
    let (modules, mut modified) = index_entries(entries)?;
    // Exports that zero every entry's date still carry the files' own times.
    if modified.is_none() {
        modified = files
            .values()
            .map(|(_, nanos)| *nanos)
            .max()
            .and_then(|n| jiff::Timestamp::from_nanosecond(i128::try_from(n).ok()?).ok())
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date());
    }
    Ok(BuiltIndex {
        version: env!("CARGO_PKG_VERSION").to_string(),
        files,
        modules,
        modified: modified.map(|d| format!("{d}T00:00:00Z")),
    })
}
