//! The Go check as the registry runs it: its settings resolved once from the flags, the
//! project and `[go]`; its summary as report data.

use super::{Build, Module, Reached, binary, gomod, osv, source};
use crate::check::{Check, CheckOutput, Context, Invocation, Line, Project, Summary, Tone};
use crate::codes::Code;
use crate::config::root::Config;
use crate::finding::{Finding, Location, relative_to_cwd};
use anyhow::{Context as _, bail};
use serde::Serialize;
use serde_json::json;
use std::path::{Path, PathBuf};

/// Go modules and binaries against the Go vulnerability database.
pub struct Go;

/// What a run reads, resolved once.
pub struct Settings {
    /// The database.
    pub db: PathBuf,
    /// The go.mod to judge.
    pub gomod: Option<PathBuf>,
    /// The binaries to judge.
    pub binaries: Vec<PathBuf>,
    /// The shipping Go release, and where it was given.
    pub go_version: Option<(String, &'static str)>,
    /// The source build's GOOS and GOARCH.
    pub goos: String,
    /// GOARCH.
    pub goarch: String,
}

/// The go.mod a project has: `--go-mod`, `[go] mod`, else `go.mod` in its folder.
fn gomod_of(project: &Project, config: &Config, flag: Option<&Path>) -> Option<PathBuf> {
    // `go.mod`, not `./go.mod`, when the project is the current folder: reports name it as
    // code scanning does.
    let found = match project.root.as_os_str().is_empty() || project.root == Path::new(".") {
        true => PathBuf::from("go.mod"),
        false => project.root.join("go.mod"),
    };
    flag.map(Path::to_path_buf)
        .or_else(|| config.go.gomod.clone())
        .or_else(|| Some(found).filter(|p| p.is_file()))
}

/// Flags, then `[go]` (and `[advisories] go-db`), then the defaults.
pub fn resolve(ctx: &Context<'_>) -> anyhow::Result<Settings> {
    let config = &ctx.config.go;
    let db = osv::resolve_path(
        ctx.flags.go_vulndb.as_deref(),
        config
            .db
            .as_deref()
            .or(ctx.config.advisories.go_db.as_deref()),
    )?;
    let mut binaries = ctx.flags.binaries.clone();
    binaries.extend(config.binaries.iter().cloned());
    // `cargo palisade go --binary X` checks X; a go.mod is read only when asked for or
    // when no binary was named.
    let gomod = match (ctx.invocation, binaries.is_empty()) {
        (Invocation::Command, false) => ctx.flags.go_mod.clone().or_else(|| config.gomod.clone()),
        _ => gomod_of(ctx.project, ctx.config, ctx.flags.go_mod.as_deref()),
    };
    if gomod.is_none() && binaries.is_empty() {
        bail!(
            "nothing to check for Go: no go.mod in {}; pass --go-mod PATH or --binary PATH",
            ctx.project.root.display()
        );
    }
    let go_version = ctx
        .flags
        .go_version
        .clone()
        .map(|v| (v, "--go-version"))
        .or_else(|| config.go_version.clone().map(|v| (v, "[go] go-version")));
    if let Some((v, from)) = &go_version
        && super::version::GoVersion::release(v).is_none()
    {
        bail!("{from} `{v}` is not a Go release (write it like go1.22.2)");
    }
    Ok(Settings {
        db,
        gomod,
        binaries,
        go_version,
        goos: config.goos.clone().unwrap_or_else(|| "linux".into()),
        goarch: config.goarch.clone().unwrap_or_else(|| "amd64".into()),
    })
}

/// What one judged build was, for the reports.
#[derive(Clone, Debug, Serialize)]
pub struct Judged {
    /// The go.mod or binary.
    pub path: PathBuf,
    /// `go.mod` or `binary`.
    pub kind: &'static str,
    /// Modules judged (the standard library not counted).
    pub modules: usize,
    /// The Go release of the standard library, and where it was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub go_version: Option<String>,
    /// Where the Go release was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub go_version_from: Option<String>,
    /// GOOS/GOARCH.
    pub platform: String,
    /// How far reachability was told: `package` (source) or `symbol` (binary).
    pub precision: &'static str,
    /// Source: non-test Go files read, dependency modules followed and not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<usize>,
    /// Dependency modules whose imports were followed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followed: Option<usize>,
    /// Binary: functions in its table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub functions: Option<usize>,
    /// Notes on precision (an old go.mod, a go directive read as the toolchain).
    pub notes: Vec<String>,
    /// Vulnerabilities found, by reachability.
    pub found: std::collections::BTreeMap<&'static str, usize>,
}

/// What the check looked at.
#[derive(Clone, Debug, Serialize)]
pub struct Scanned {
    /// The database.
    pub database: PathBuf,
    /// Entries in it.
    pub entries: usize,
    /// Its date, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_updated: Option<String>,
    /// How its index was found.
    pub index: &'static str,
    /// Each build judged.
    pub builds: Vec<Judged>,
}

impl Check for Go {
    fn name(&self) -> &'static str {
        "go"
    }

    fn codes(&self) -> &'static [Code] {
        super::codes::CODES
    }

    fn applies(&self, project: &Project, config: &Config) -> anyhow::Result<bool> {
        Ok(gomod_of(project, config, None).is_some() || !config.go.binaries.is_empty())
    }

    fn starter(&self, dir: &Path) -> Option<String> {
        let gomod = gomod::GoMod::load(&dir.join("go.mod")).ok()?;
        let shipping = gomod
            .toolchain
            .as_ref()
            .map(|(v, _)| v.clone())
            .or_else(|| gomod.go.as_ref().map(|(v, _)| format!("go{v}")))
            .unwrap_or_else(|| "go1.22.2".into());
        Some(format!(
            "\n# Found a Go module: its dependencies and standard library against the Go vulnerability database.\n\
             [go]\n\
             # db = \"../go-vulndb\"          # else --go-vulndb, $PALISADE_GO_VULNDB, $CARGO_HOME/go-vulndb\n\
             #                                # (fetch it with `cargo palisade db fetch --go`)\n\
             go-version = \"{shipping}\"      # the Go release the service ships with (results hold for it only)\n\
             # binaries = [\"dist/server\"]   # built Go binaries to check too (symbol-level, stripped or not)\n\
             stale-after-days = 90\n\n\
             [go.severity]                    # per reachability: a severity (high fails) or \"warn\"\n\
             symbol = \"high\"\n\
             package = \"high\"\n\
             module = \"warn\"\n\n\
             # [[go.ignore]]\n\
             # id = \"GO-2024-2687\"\n\
             # reason = \"why it does not affect us\"\n\
             # ticket = \"SEC-1\"\n\
             # expires = 2027-01-01\n"
        ))
    }

    fn run(&self, ctx: &Context<'_>) -> anyhow::Result<CheckOutput> {
        let settings = resolve(ctx)?;
        let db = osv::Database::open(&settings.db)?;
        let mut findings = Vec::new();
        let mut builds = Vec::new();
        if let Some(path) = &settings.gomod {
            builds.push(source_build(path, &settings)?);
        }
        for path in &settings.binaries {
            builds.push(binary_build(path)?);
        }
        let mut judged = Vec::new();
        for build in &builds {
            let hits = build.hits(&db)?;
            let shown = relative_to_cwd(&build.path);
            findings.extend(build.findings(&hits, &ctx.config.go, &shown));
            let mut found = std::collections::BTreeMap::new();
            for hit in &hits {
                *found.entry(hit.reach.as_str()).or_insert(0) += 1;
            }
            judged.push(Judged {
                path: shown,
                kind: build.kind(),
                modules: build.modules.len(),
                go_version: build.go.as_ref().map(|(v, _)| v.as_release()),
                go_version_from: build.go.as_ref().map(|(_, from)| from.clone()),
                platform: format!("{}/{}", build.goos, build.goarch),
                precision: match build.reached {
                    Reached::Packages(_) => "package",
                    Reached::Functions(_) => "symbol",
                },
                files: build.files,
                followed: build.followed,
                functions: build.functions,
                notes: build.notes.clone(),
                found,
            });
        }
        if let Some(stale) = stale(&db, ctx, &judged) {
            findings.insert(0, stale);
        }
        let scanned = Scanned {
            database: settings.db.clone(),
            entries: db.entry_count,
            database_updated: db.modified.map(|d| d.to_string()),
            index: db.indexed,
            builds: judged,
        };
        Ok(CheckOutput {
            findings,
            summary: summary(&scanned),
            runs: None,
        })
    }
}

/// A go.mod and its source.
fn source_build(path: &Path, settings: &Settings) -> anyhow::Result<Build> {
    let gomod = gomod::GoMod::load(path)?;
    let root = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut notes = Vec::new();
    let go_sum = if gomod.complete() {
        None
    } else {
        let sum = root.join("go.sum");
        let text = std::fs::read_to_string(&sum).ok();
        notes.push(match text {
            Some(_) => format!(
                "{} is for Go before 1.17: its require list is not the whole build list; \
                 go.sum's modules were added (lower precision: versions go.sum holds may not be built)",
                path.display()
            ),
            None => format!(
                "{} is for Go before 1.17 and has no go.sum beside it: only its require list was judged",
                path.display()
            ),
        });
        text
    };
    let list = gomod.build_list(go_sum.as_deref());
    // `toolchain default` names no release: the go line says which.
    let toolchain = gomod.toolchain.as_ref().filter(|(v, _)| v != "default");
    let (go, go_line) = match (&settings.go_version, toolchain, &gomod.go) {
        (Some((v, from)), ..) => (Some((v.clone(), from.to_string())), None),
        (None, Some((v, line)), _) => (
            Some((v.clone(), "the toolchain directive".to_string())),
            Some(*line),
        ),
        (None, None, Some((v, line))) => {
            notes.push(format!(
                "the standard library was judged at go{v}, the go directive's minimum: pass --go-version with the Go release you ship"
            ));
            (
                Some((format!("go{v}"), "the go directive".to_string())),
                Some(*line),
            )
        }
        (None, None, None) => {
            notes.push(
                "no go directive and no --go-version: the standard library was not judged".into(),
            );
            (None, None)
        }
    };
    let go_line = go_line.or_else(|| {
        gomod
            .toolchain
            .as_ref()
            .or(gomod.go.as_ref())
            .map(|(_, l)| *l)
    });
    let go = match go {
        Some((v, from)) => Some((
            super::version::GoVersion::release(&v).with_context(|| {
                format!("{} names `{v}`, which is not a Go release", path.display())
            })?,
            from,
        )),
        None => None,
    };
    let target = source::Target {
        goos: settings.goos.clone(),
        goarch: settings.goarch.clone(),
        go_minor: go.as_ref().map_or(u64::MAX, |(v, _)| v.minor()),
    };
    let sources = source::Sources::from_env();
    let module = gomod.module.clone().unwrap_or_default();
    let imports = source::imports(root, &module, &list, &target, &sources);
    if !imports.unfollowed.is_empty() {
        notes.push(format!(
            "{} dependency module(s) have no code here (module cache, vendor/): their own imports \
             were not followed, so a vulnerable package only they import shows as module level \
             (`go mod download`, or GOMODCACHE, to follow them)",
            imports.unfollowed.len()
        ));
    }
    let modules = list
        .iter()
        .map(|m| {
            let (p, v) = m.effective();
            Module {
                path: m.path.clone(),
                effective: (p.to_string(), v.to_string()),
                replaced_by: m.replaced_by.as_ref().map(|(p, v)| match v {
                    Some(v) => format!("{p} {v}"),
                    None => p.clone(),
                }),
                line: m.line,
            }
        })
        .collect();
    Ok(Build {
        path: path.to_path_buf(),
        modules,
        go,
        go_line,
        goos: settings.goos.clone(),
        goarch: settings.goarch.clone(),
        files: Some(imports.files),
        followed: Some(imports.followed.len()),
        functions: None,
        reached: Reached::Packages(imports.packages),
        notes,
    })
}

/// A Go binary: its build info and function table.
fn binary_build(path: &Path) -> anyhow::Result<Build> {
    let data = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let bin = binary::read(&data)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        .with_context(|| {
            format!(
                "{} is not a Go binary: it has no Go build info",
                path.display()
            )
        })?;
    let functions = bin.functions.as_ref().with_context(|| {
        format!("{}: no Go function table found (pclntab): the binary is damaged or not built by the Go linker", path.display())
    })?;
    let go = super::version::GoVersion::release(&bin.go_version)
        .map(|v| (v, "the binary's build info".to_string()));
    let mut notes = Vec::new();
    if go.is_none() {
        notes.push(format!(
            "Go version `{}` is not a release: the standard library was not judged",
            bin.go_version
        ));
    }
    let modules = bin
        .deps
        .iter()
        .map(|d| {
            let effective = match &d.replace {
                Some(r) if !r.version.is_empty() && r.version != "(devel)" => {
                    (r.path.clone(), r.version.clone())
                }
                _ => (d.path.clone(), d.version.clone()),
            };
            Module {
                path: d.path.clone(),
                effective,
                replaced_by: d
                    .replace
                    .as_ref()
                    .map(|r| format!("{} {}", r.path, r.version).trim().to_string()),
                line: None,
            }
        })
        .collect();
    Ok(Build {
        path: path.to_path_buf(),
        modules,
        go,
        go_line: None,
        goos: bin.goos().unwrap_or_default().to_string(),
        goarch: bin.goarch().unwrap_or_default().to_string(),
        files: None,
        followed: None,
        functions: Some(functions.len()),
        reached: Reached::Functions(super::functions_by_package(
            functions.names(),
            bin.path.as_deref(),
        )),
        notes,
    })
}

/// The stale-database warning, placed on the first build judged.
fn stale(db: &osv::Database, ctx: &Context<'_>, builds: &[Judged]) -> Option<Finding> {
    let updated = db.modified?;
    let age = ctx.today.since(updated).ok()?.get_days();
    let limit = ctx.config.go.stale_after_days;
    if i64::from(age) <= i64::from(limit) {
        return None;
    }
    let place = builds.first().map(|b| b.path.clone()).unwrap_or_default();
    Some(Finding {
        locations: vec![Location::at_line(place, None)],
        evidence: [("last_updated".to_string(), json!(updated.to_string()))].into(),
        ..Finding::of_code(
            super::codes::DB_STALE,
            None,
            format!(
                "Go vulnerability database at {} was last updated {updated} ({age} days ago; limit {limit})",
                db.path.display()
            ),
        )
    })
}

/// One line per build, for people; the whole as JSON.
fn summary(s: &Scanned) -> Summary {
    let mut text = Vec::new();
    for b in &s.builds {
        let reached = match (b.files, b.functions) {
            (Some(files), _) => format!(
                "{files} Go files read, {} dependency modules followed",
                b.followed.unwrap_or(0)
            ),
            (_, Some(functions)) => format!("{functions} functions"),
            _ => String::new(),
        };
        let go = match (&b.go_version, &b.go_version_from) {
            (Some(v), Some(from)) => format!(", {v} from {from}"),
            _ => String::new(),
        };
        // A binary is named as one; a go.mod's name says what it is.
        let kind = match b.kind {
            "binary" => "Go binary, ",
            _ => "",
        };
        text.push(Line::default().with(Tone::Strong, "Scanned").with(
            Tone::Plain,
            format!(
                " {} ({kind}{} modules{go}, {}, {reached}; reachability by {}) against {} entries in {}{}",
                b.path.display(),
                b.modules,
                b.platform,
                b.precision,
                s.entries,
                s.database.display(),
                s.database_updated
                    .as_ref()
                    .map(|d| format!(" (updated {d})"))
                    .unwrap_or_default()
            ),
        ));
        for note in &b.notes {
            text.push(Line::default().with(Tone::Dim, format!("  note: {note}")));
        }
    }
    Summary {
        text,
        data: Some(std::sync::Arc::new(s.clone())),
    }
}
