//! The Go check: Go modules (a `go.mod` and its source) and Go binaries against the Go
//! vulnerability database, without a Go toolchain.
//!
//! What is judged is a build: its modules and versions (the go.mod build list, or the build
//! info of a binary), the Go release its standard library comes from, its target GOOS/GOARCH,
//! and what it reaches: the packages its source imports, or the functions a binary links (read
//! from the function table, which stripping keeps). Each vulnerability that affects a module
//! version is reported at the level the build reaches it: `symbol` (a vulnerable function is
//! linked), `package` (a vulnerable package is imported or has linked functions) or `module`
//! (only the module is in the build). The check returns findings; the policy decides.

pub mod binary;
pub mod cfg;
pub mod check;
pub mod codes;
pub mod fetch;
pub mod gomod;
pub mod osv;
pub mod source;
pub mod version;

use crate::finding::{Finding, Location, Severity, Subject, fingerprint};
use cfg::{GoConfig, Rating};
use osv::{Affected, Entry, Import};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use version::GoVersion;

/// How far a build reaches a vulnerability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reach {
    /// The module is in the build; no vulnerable package is.
    Module,
    /// A vulnerable package is imported (source) or has linked functions (binary).
    Package,
    /// A vulnerable function or method is linked in.
    Symbol,
}

impl Reach {
    /// `symbol`, `package`, `module`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Module => "module",
            Reach::Package => "package",
            Reach::Symbol => "symbol",
        }
    }
}

/// The module path the database files the standard library under.
pub const STDLIB: &str = "stdlib";

/// A module of the build, as judged.
#[derive(Clone, Debug)]
pub struct Module {
    /// The path the code imports it by.
    pub path: String,
    /// The module (and version) whose code is built: the replacement's when replaced by a
    /// module.
    pub effective: (String, String),
    /// The replacement, as written: `golang.org/x/net v0.23.0` or `./fork`.
    pub replaced_by: Option<String>,
    /// The go.mod line that requires it.
    pub line: Option<u32>,
}

/// What the build reaches, as far as it can be told.
#[derive(Debug)]
pub enum Reached {
    /// The packages the source imports.
    Packages(BTreeSet<String>),
    /// The functions a binary links: package → symbols as the database names them.
    Functions(HashMap<String, HashSet<String>>),
}

/// One build to judge: a go.mod or a binary.
#[derive(Debug)]
pub struct Build {
    /// The go.mod or binary.
    pub path: PathBuf,
    /// Its modules (the main module left out).
    pub modules: Vec<Module>,
    /// The Go release of its standard library, and where that was read.
    pub go: Option<(GoVersion, String)>,
    /// The go.mod line that names the Go release.
    pub go_line: Option<u32>,
    /// GOOS.
    pub goos: String,
    /// GOARCH.
    pub goarch: String,
    /// What it reaches.
    pub reached: Reached,
    /// Notes on precision (an old go.mod, a go directive read as the toolchain).
    pub notes: Vec<String>,
    /// Source: non-test Go files read.
    pub files: Option<usize>,
    /// Source: dependency modules whose imports were followed.
    pub followed: Option<usize>,
    /// Binary: functions in its table.
    pub functions: Option<usize>,
}

/// How a build reaches one vulnerable module version.
#[derive(Debug)]
struct Reaching {
    reach: Reach,
    symbols: Vec<String>,
    packages: Vec<String>,
    fixed: Option<GoVersion>,
}

impl Reaching {
    /// Both blocks of an entry that names the module twice.
    fn merge(mut self, other: Reaching) -> Reaching {
        self.reach = self.reach.max(other.reach);
        self.symbols.extend(other.symbols);
        self.packages.extend(other.packages);
        self.fixed = self.fixed.into_iter().chain(other.fixed).min();
        self
    }
}

/// A vulnerability found in a build.
#[derive(Debug)]
pub struct Hit {
    /// The entry.
    pub entry: Arc<Entry>,
    /// The module (`stdlib` for the standard library).
    pub module: String,
    /// Its version as the build has it.
    pub version: String,
    /// The go.mod line, when a requirement.
    pub line: Option<u32>,
    /// Its replacement, when replaced.
    pub replaced_by: Option<String>,
    /// How far the build reaches it.
    pub reach: Reach,
    /// Vulnerable symbols linked (`net/http.Server.Serve`).
    pub symbols: Vec<String>,
    /// Vulnerable packages reached.
    pub packages: Vec<String>,
    /// The lowest fixed version above the build's.
    pub fixed: Option<GoVersion>,
}

impl Build {
    /// `go.mod` or `binary`: what its reachability was read from.
    pub fn kind(&self) -> &'static str {
        match self.reached {
            Reached::Packages(_) => "go.mod",
            Reached::Functions(_) => "binary",
        }
    }

    /// Whether a vulnerable package entry applies to this build's platform.
    fn on_platform(&self, import: &Import) -> bool {
        // A platform the build does not say matches every entry (as govulncheck reads it).
        let matches = |list: &[String], value: &str| {
            value.is_empty() || list.is_empty() || list.iter().any(|v| v == value)
        };
        matches(&import.goos, &self.goos) && matches(&import.goarch, &self.goarch)
    }

    /// How far the build reaches a vulnerable package (`path`: as the build imports it), with
    /// the symbols found.
    fn reach(&self, import: &Import, path: &str) -> (Reach, Vec<String>) {
        match &self.reached {
            Reached::Packages(packages) => match packages.contains(path) {
                true => (Reach::Package, Vec::new()),
                false => (Reach::Module, Vec::new()),
            },
            Reached::Functions(functions) => {
                let Some(linked) = functions.get(path) else {
                    return (Reach::Module, Vec::new());
                };
                let mut found: Vec<String> = if import.symbols.is_empty() {
                    linked.iter().cloned().collect()
                } else {
                    import
                        .symbols
                        .iter()
                        .filter(|s| linked.contains(*s))
                        .cloned()
                        .collect()
                };
                found.sort();
                match found.is_empty() {
                    true => (Reach::Package, Vec::new()),
                    false => (Reach::Symbol, found),
                }
            }
        }
    }

    /// The packages of a module the build reaches (for entries that list none: every
    /// package of the module is vulnerable).
    fn module_packages(&self, module: &str) -> Vec<String> {
        let inside = |p: &str| {
            if module == STDLIB {
                source::is_stdlib(p)
            } else {
                p == module || p.strip_prefix(module).is_some_and(|r| r.starts_with('/'))
            }
        };
        let mut out: Vec<String> = match &self.reached {
            Reached::Packages(p) => p.iter().filter(|p| inside(p)).cloned().collect(),
            Reached::Functions(f) => f.keys().filter(|p| inside(p)).cloned().collect(),
        };
        out.sort();
        out
    }

    /// Judges one affected block against the module's version: `None` when the version is
    /// not affected or no vulnerable package is on this platform.
    fn judge(
        &self,
        affected: &Affected,
        (module, imported_as): (&str, &str),
        version: &GoVersion,
    ) -> Result<Option<Reaching>, String> {
        let events = affected.events()?;
        if !version::affected(version, &events) {
            return Ok(None);
        }
        let fixed = version::fixed_after(version, &events).cloned();
        let imports = &affected.ecosystem_specific.imports;
        if imports.is_empty() {
            let packages = self.module_packages(imported_as);
            let reach = match (&self.reached, packages.is_empty()) {
                (_, true) => Reach::Module,
                (Reached::Packages(_), false) => Reach::Package,
                (Reached::Functions(_), false) => Reach::Symbol,
            };
            return Ok(Some(Reaching {
                reach,
                symbols: Vec::new(),
                packages,
                fixed,
            }));
        }
        let mut best = None::<Reach>;
        let (mut symbols, mut packages) = (Vec::new(), Vec::new());
        for import in imports.iter().filter(|i| self.on_platform(i)) {
            // A module replaced by another is imported by its own path: the entry names the
            // replacement's packages.
            let path = match import.path.strip_prefix(module) {
                Some(rest)
                    if module != imported_as && (rest.is_empty() || rest.starts_with('/')) =>
                {
                    format!("{imported_as}{rest}")
                }
                _ => import.path.clone(),
            };
            let (reach, found) = self.reach(import, &path);
            best = best.max(Some(reach));
            if reach >= Reach::Package {
                packages.push(import.path.clone());
            }
            symbols.extend(found.into_iter().map(|s| format!("{}.{s}", import.path)));
        }
        Ok(best.map(|reach| Reaching {
            reach,
            symbols,
            packages,
            fixed,
        }))
    }

    /// Every vulnerability of the database that affects this build.
    pub fn hits(&self, db: &osv::Database) -> Result<Vec<Hit>, osv::DbError> {
        let invalid = |message: String| osv::DbError::Invalid {
            path: db.path.clone(),
            message,
        };
        let mut judged: Vec<(String, String, GoVersion, Option<&Module>)> = Vec::new();
        if let Some((go, _)) = &self.go {
            judged.push((STDLIB.into(), go.as_release(), go.clone(), None));
        }
        for m in &self.modules {
            // A version that is not one (a directory replacement's `(devel)`) cannot be judged.
            if let Some(v) = GoVersion::module(&m.effective.1) {
                judged.push((m.effective.0.clone(), m.effective.1.clone(), v, Some(m)));
            }
        }
        let entries = db.entries_for(judged.iter().map(|(p, ..)| p.as_str()))?;
        let mut hits = Vec::new();
        for (module, shown, version, from) in &judged {
            for entry in entries.get(module).into_iter().flatten() {
                let mut merged: Option<Reaching> = None;
                for affected in entry.affected.iter().filter(|a| a.package.name == *module) {
                    let imported_as = from.map_or(STDLIB, |m| m.path.as_str());
                    let judged = self
                        .judge(affected, (module, imported_as), version)
                        .map_err(|e| invalid(format!("{}: {e}", entry.id)))?;
                    if let Some(judged) = judged {
                        merged = Some(match merged.take() {
                            None => judged,
                            Some(m) => m.merge(judged),
                        });
                    }
                }
                if let Some(Reaching {
                    reach,
                    mut symbols,
                    mut packages,
                    fixed,
                }) = merged
                {
                    symbols.sort();
                    symbols.dedup();
                    packages.sort();
                    packages.dedup();
                    hits.push(Hit {
                        entry: entry.clone(),
                        module: from.map_or_else(|| STDLIB.to_string(), |m| m.path.clone()),
                        version: shown.clone(),
                        line: from.map_or(self.go_line, |m| m.line),
                        replaced_by: from.and_then(|m| m.replaced_by.clone()),
                        reach,
                        symbols,
                        packages,
                        fixed,
                    });
                }
            }
        }
        hits.sort_by(|a, b| (&a.module, &a.entry.id).cmp(&(&b.module, &b.entry.id)));
        Ok(hits)
    }

    /// The findings of its hits, rated by the config.
    pub fn findings(
        &self,
        hits: &[Hit],
        config: &GoConfig,
        shown_path: &std::path::Path,
    ) -> Vec<Finding> {
        hits.iter()
            .map(|hit| {
                let (rule, severity) = match config.rating(hit.reach) {
                    Rating::Severity(s) => (codes::VULNERABILITY, s),
                    Rating::Warn => (codes::UNREACHED, Severity::Low),
                };
                let stdlib = hit.module == STDLIB;
                let fix = match (&hit.fixed, stdlib) {
                    (Some(v), true) => format!("build with {} or later", v.as_release()),
                    (Some(v), false) => match &hit.replaced_by {
                        Some(r) => format!("update the replacement ({r}) to {v} or later"),
                        None => format!("go get {}@{v}", hit.module),
                    },
                    (None, _) => "no fixed version yet".to_string(),
                };
                let what = match hit.reach {
                    Reach::Symbol => format!("linked: {}", hit.symbols.join(", ")),
                    Reach::Package => format!("imports {}", hit.packages.join(", ")),
                    Reach::Module => "no vulnerable package in the build".to_string(),
                };
                let module = if stdlib {
                    "the Go standard library".to_string()
                } else {
                    hit.module.clone()
                };
                let message = format!(
                    "{module} {}: {} {} ({}; {what}); {fix}",
                    hit.version,
                    hit.entry.id,
                    hit.entry.summary.trim(),
                    hit.reach.as_str()
                );
                let mut evidence: BTreeMap<String, serde_json::Value> = BTreeMap::new();
                evidence.insert("module".into(), json!(hit.module));
                evidence.insert("version".into(), json!(hit.version));
                evidence.insert("reachability".into(), json!(hit.reach.as_str()));
                evidence.insert("fix".into(), json!(fix));
                evidence.insert("target".into(), json!(self.kind()));
                evidence.insert("goos".into(), json!(self.goos));
                evidence.insert("goarch".into(), json!(self.goarch));
                if let Some(v) = &hit.fixed {
                    let shown = if stdlib {
                        v.as_release()
                    } else {
                        v.to_string()
                    };
                    evidence.insert("fixed".into(), json!(shown));
                }
                if !hit.symbols.is_empty() {
                    evidence.insert("symbols".into(), json!(hit.symbols));
                }
                if !hit.packages.is_empty() {
                    evidence.insert("packages".into(), json!(hit.packages));
                }
                if let Some(r) = &hit.replaced_by {
                    evidence.insert("replaced_by".into(), json!(r));
                }
                if stdlib && let Some((_, from)) = &self.go {
                    evidence.insert("go_version_from".into(), json!(from));
                }
                let place = shown_path.to_string_lossy();
                Finding {
                    subject: Some(Subject {
                        id: hit.entry.id.clone(),
                        aliases: hit.entry.aliases.clone(),
                        title: hit.entry.summary.trim().to_string(),
                        description: hit.entry.details.clone(),
                        url: Some(format!("https://pkg.go.dev/vuln/{}", hit.entry.id)),
                        score: None,
                        tags: vec![hit.reach.as_str().to_string()],
                    }),
                    locations: vec![Location::at_line(shown_path, hit.line)],
                    fingerprint: fingerprint(&[rule, &hit.entry.id, &hit.module, &place]),
                    evidence,
                    ..Finding::of_code(rule, Some(severity), message)
                }
            })
            .collect()
    }
}

/// The functions of a binary by package, as the database names symbols; the `main`
/// package's under the main package's import path (as govulncheck names it).
pub fn functions_by_package<'n>(
    names: impl Iterator<Item = &'n str>,
    main: Option<&str>,
) -> HashMap<String, HashSet<String>> {
    let mut out: HashMap<String, HashSet<String>> = HashMap::new();
    for name in names {
        if let Some((package, symbol)) = binary::split_symbol(name) {
            let package = match (package.as_ref(), main) {
                ("main", Some(main)) => main.to_string(),
                (package, _) => package.to_string(),
            };
            out.entry(package).or_default().insert(symbol);
        }
    }
    out
}
