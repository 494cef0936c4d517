//! `go.mod` (and, for modules before Go 1.17, `go.sum`), read as the go command reads them:
//! directives one per line or in `( … )` blocks, `//` comments, quoted or bare tokens. What
//! the check needs: the module path, the `go` and `toolchain` lines, and the build list after
//! `replace` and `exclude`.

use super::version::GoVersion;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A parsed go.mod.
#[derive(Clone, Debug, Default)]
pub struct GoMod {
    /// The file.
    pub path: PathBuf,
    /// `module`.
    pub module: Option<String>,
    /// `go 1.22` and its line.
    pub go: Option<(String, u32)>,
    /// `toolchain go1.22.1` and its line.
    pub toolchain: Option<(String, u32)>,
    /// `require` lines.
    pub require: Vec<Require>,
    /// `exclude` lines: (module, version).
    pub exclude: Vec<(String, String)>,
    /// `replace` lines.
    pub replace: Vec<Replace>,
}

/// One requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Require {
    /// Module path.
    pub path: String,
    /// Version.
    pub version: String,
    /// Marked `// indirect`.
    pub indirect: bool,
    /// 1-based line.
    pub line: u32,
}

/// One replacement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replace {
    /// The module replaced.
    pub old: String,
    /// Only this version of it, when given.
    pub old_version: Option<String>,
    /// The replacement module path, or a local directory (`./fork`, `../x`, `/abs`).
    pub new: String,
    /// The replacement's version; `None` for a directory.
    pub new_version: Option<String>,
}

/// A module in the build list, as the vulnerability check judges it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildModule {
    /// The path the code imports it by.
    pub path: String,
    /// The version required.
    pub version: String,
    /// What replaces it: (module or directory, version when a module).
    pub replaced_by: Option<(String, Option<String>)>,
    /// The go.mod line that requires it (`None` when only go.sum names it).
    pub line: Option<u32>,
    /// Required directly (not `// indirect`).
    pub direct: bool,
}

impl BuildModule {
    /// The module and version whose code is built: the replacement's when it is a module,
    /// else the required one (a directory replacement keeps the required version: its
    /// code claims to be that version, and no other is known).
    pub fn effective(&self) -> (&str, &str) {
        match &self.replaced_by {
            Some((module, Some(version))) => (module, version),
            _ => (&self.path, &self.version),
        }
    }
}

/// A go.mod that cannot be read: the file and line, and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}: {message}", path.display())]
pub struct GoModError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line (0: the file as a whole).
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// Splits a line into tokens: bare words, `"quoted"` or `` `raw` `` strings, and `=>`;
/// a `//` comment ends it (returned apart).
fn tokens(line: &str) -> Result<(Vec<String>, &str), String> {
    let mut out = Vec::new();
    let mut rest = line.trim_start();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Ok((out, ""));
        }
        if let Some(comment) = rest.strip_prefix("//") {
            return Ok((out, comment.trim()));
        }
        if let Some(body) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = body.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, escaped)) => value.push(escaped),
                        None => break,
                    },
                    '"' => {
                        end = Some(i);
                        break;
                    }
                    c => value.push(c),
                }
            }
            let end = end.ok_or("unterminated quoted string")?;
            out.push(value);
            rest = &body[end + 1..];
        } else if let Some(body) = rest.strip_prefix('`') {
            let end = body.find('`').ok_or("unterminated raw string")?;
            out.push(body[..end].to_string());
            rest = &body[end + 1..];
        } else {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '"' || c == '`')
                .unwrap_or(rest.len());
            let end = rest[..end].find("//").unwrap_or(end);
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
}

impl GoMod {
    /// Reads and parses the file.
    pub fn load(path: &Path) -> Result<GoMod, GoModError> {
        let text = std::fs::read_to_string(path).map_err(|e| GoModError {
            path: path.to_path_buf(),
            line: 0,
            message: format!("cannot read it: {e}"),
        })?;
        GoMod::parse(&text, path)
    }

    /// Parses go.mod text.
    pub fn parse(text: &str, path: &Path) -> Result<GoMod, GoModError> {
        let mut gomod = GoMod {
            path: path.to_path_buf(),
            ..GoMod::default()
        };
        let mut block: Option<(String, u32)> = None;
        for (index, raw) in text.lines().enumerate() {
            let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let error = |message: String| GoModError {
                path: path.to_path_buf(),
                line,
                message,
            };
            let (words, comment) = tokens(raw).map_err(error)?;
            if words.is_empty() {
                continue;
            }
            let (verb, args): (String, &[String]) = match &block {
                Some(_) if words.len() == 1 && words[0] == ")" => {
                    block = None;
                    continue;
                }
                Some((verb, _)) => (verb.clone(), &words[..]),
                None if words.len() == 2 && words[1] == "(" => {
                    block = Some((words[0].clone(), line));
                    continue;
                }
                None => (words[0].clone(), &words[1..]),
            };
            gomod.directive(&verb, args, comment, line).map_err(error)?;
        }
        if let Some((verb, line)) = block {
            return Err(GoModError {
                path: path.to_path_buf(),
                line,
                message: format!("the `{verb} (` block is never closed"),
            });
        }
        Ok(gomod)
    }

    /// One directive.
    fn directive(
        &mut self,
        verb: &str,
        args: &[String],
        comment: &str,
        line: u32,
    ) -> Result<(), String> {
        let want = |n: usize| {
            if args.len() == n {
                Ok(())
            } else {
                Err(format!(
                    "`{verb}` takes {n} argument(s), found {}",
                    args.len()
                ))
            }
        };
        match verb {
            "module" => {
                want(1)?;
                self.module = Some(args[0].clone());
            }
            "go" => {
                want(1)?;
                if GoVersion::release(&args[0]).is_none() {
                    return Err(format!("`go {}` is not a Go version", args[0]));
                }
                self.go = Some((args[0].clone(), line));
            }
            "toolchain" => {
                want(1)?;
                self.toolchain = Some((args[0].clone(), line));
            }
            "require" => {
                want(2)?;
                check_version(&args[1])?;
                self.require.push(Require {
                    path: args[0].clone(),
                    version: args[1].clone(),
                    indirect: comment.split(';').any(|part| part.trim() == "indirect"),
                    line,
                });
            }
            "exclude" => {
                want(2)?;
                check_version(&args[1])?;
                self.exclude.push((args[0].clone(), args[1].clone()));
            }
            "replace" => {
                let arrow = args
                    .iter()
                    .position(|a| a == "=>")
                    .ok_or("`replace` needs `=>`")?;
                let (old, new) = (&args[..arrow], &args[arrow + 1..]);
                let replace = match (old, new) {
                    ([o], [n]) | ([o, _], [n]) if is_directory(n) => Replace {
                        old: o.clone(),
                        old_version: old.get(1).cloned(),
                        new: n.clone(),
                        new_version: None,
                    },
                    ([o], [n, v]) | ([o, _], [n, v]) => {
                        check_version(v)?;
                        Replace {
                            old: o.clone(),
                            old_version: old.get(1).cloned(),
                            new: n.clone(),
                            new_version: Some(v.clone()),
                        }
                    }
                    _ => {
                        return Err(
                            "`replace` is `old [version] => new [version]`, or `=> ./dir`".into(),
                        );
                    }
                };
                self.replace.push(replace);
            }
            // Nothing here changes which code is built.
            "godebug" | "retract" | "tool" | "ignore" => {}
            other => return Err(format!("unknown directive `{other}`")),
        }
        Ok(())
    }

    /// The `go` version as a release (`1.16` → 1.16.0); `None` without a `go` line (the go
    /// command then assumes 1.16).
    pub fn go_release(&self) -> Option<GoVersion> {
        self.go.as_ref().and_then(|(v, _)| GoVersion::release(v))
    }

    /// Whether the require list is the whole build list: module graph pruning, `go 1.17` and
    /// later.
    pub fn complete(&self) -> bool {
        self.go_release()
            .zip(GoVersion::release("1.17"))
            .is_some_and(|(go, pruned)| go >= pruned)
    }

    /// The build list: every requirement, its replacement applied and excluded versions left
    /// out; for a module before Go 1.17, also every module `go.sum` holds code of (the
    /// highest version of each), which is what the go command could select.
    pub fn build_list(&self, go_sum: Option<&str>) -> Vec<BuildModule> {
        let mut list: BTreeMap<String, BuildModule> = BTreeMap::new();
        let excluded =
            |path: &str, version: &str| self.exclude.iter().any(|(p, v)| p == path && v == version);
        for r in &self.require {
            if excluded(&r.path, &r.version) {
                continue;
            }
            list.insert(
                r.path.clone(),
                BuildModule {
                    path: r.path.clone(),
                    version: r.version.clone(),
                    replaced_by: None,
                    line: Some(r.line),
                    direct: !r.indirect,
                },
            );
        }
        if !self.complete() {
            for (path, version) in go_sum.map(sum_modules).unwrap_or_default() {
                if excluded(&path, &version) {
                    continue;
                }
                let newer = |m: &BuildModule| match (
                    GoVersion::module(&m.version),
                    GoVersion::module(&version),
                ) {
                    (Some(have), Some(new)) => new > have,
                    _ => false,
                };
                match list.get_mut(&path) {
                    Some(m) if newer(m) => m.version = version,
                    Some(_) => {}
                    None => {
                        list.insert(
                            path.clone(),
                            BuildModule {
                                path,
                                version,
                                replaced_by: None,
                                line: None,
                                direct: false,
                            },
                        );
                    }
                }
            }
        }
        for m in list.values_mut() {
            // A replacement of this exact version wins over one of every version.
            let replace = self
                .replace
                .iter()
                .filter(|r| r.old == m.path)
                .filter(|r| r.old_version.as_ref().is_none_or(|v| *v == m.version))
                .max_by_key(|r| r.old_version.is_some());
            m.replaced_by = replace.map(|r| (r.new.clone(), r.new_version.clone()));
        }
        list.into_values().collect()
    }
}

/// A replacement target that is a directory, as the go command tells them apart.
fn is_directory(target: &str) -> bool {
    target.starts_with("./")
        || target.starts_with("../")
        || target.starts_with('/')
        || target == "."
        || target == ".."
        || (target.len() > 2 && target.as_bytes()[1] == b':')
        || target.starts_with(".\\")
        || target.starts_with("..\\")
}

/// A module version: `v` and a semantic version.
fn check_version(version: &str) -> Result<(), String> {
    if version.starts_with('v') && GoVersion::module(version).is_some() {
        Ok(())
    } else {
        Err(format!("`{version}` is not a module version (vX.Y.Z)"))
    }
}

/// The modules go.sum holds the code of (lines without `/go.mod`), with their versions.
fn sum_modules(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (path, version) = (fields.next()?, fields.next()?);
            (!version.ends_with("/go.mod")).then(|| (path.to_string(), version.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> GoMod {
        GoMod::parse(text, Path::new("go.mod")).unwrap()
    }

    #[test]
    fn directives_blocks_comments_and_quotes() {
        let m = parse(
            "// a service\nmodule \"example.com/svc\" // its path\n\ngo 1.22\ntoolchain go1.22.1\n\
             require (\n\tgolang.org/x/net v0.17.0\n\tgolang.org/x/text v0.3.7 // indirect\n\t\
             github.com/x/y v2.1.0+incompatible\n)\nrequire golang.org/x/crypto v0.0.0-20220722155237-a158d28d115b\n\
             exclude golang.org/x/net v0.16.0\nreplace (\n\tgolang.org/x/text => golang.org/x/text v0.3.8\n\t\
             github.com/x/y v2.1.0+incompatible => ./fork\n)\nretract v1.0.0\ngodebug default=go1.21\n",
        );
        assert_eq!(m.module.as_deref(), Some("example.com/svc"));
        assert_eq!(m.go, Some(("1.22".into(), 4)));
        assert_eq!(m.toolchain, Some(("go1.22.1".into(), 5)));
        assert_eq!(m.require.len(), 4);
        assert!(m.require[1].indirect && !m.require[0].indirect);
        assert_eq!(m.require[3].line, 11);
        let list = m.build_list(None);
        let text = list.iter().find(|b| b.path == "golang.org/x/text").unwrap();
        assert_eq!(text.effective(), ("golang.org/x/text", "v0.3.8"));
        let y = list.iter().find(|b| b.path == "github.com/x/y").unwrap();
        assert_eq!(y.replaced_by, Some(("./fork".into(), None)));
        assert_eq!(y.effective(), ("github.com/x/y", "v2.1.0+incompatible"));
    }

    #[test]
    fn excluded_versions_leave_the_build_list() {
        let m = parse("module m\ngo 1.21\nrequire a.com/b v1.0.0\nexclude a.com/b v1.0.0\n");
        assert!(m.build_list(None).is_empty());
    }

    #[test]
    fn before_go_1_17_go_sum_adds_the_modules_built() {
        let m = parse("module m\ngo 1.16\nrequire a.com/b v1.0.0\n");
        assert!(!m.complete());
        let sum = "a.com/b v1.0.0 h1:x=\na.com/b v1.2.0 h1:y=\na.com/b v1.3.0/go.mod h1:z=\nc.com/d v0.1.0 h1:w=\n";
        let list = m.build_list(Some(sum));
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].version, "v1.2.0");
        assert_eq!(list[1].path, "c.com/d");
        assert_eq!(list[1].line, None);
        let modern = parse("module m\ngo 1.17\nrequire a.com/b v1.0.0\n");
        assert_eq!(modern.build_list(Some(sum)).len(), 1);
    }

    #[test]
    fn errors_name_the_line() {
        let err = GoMod::parse("module m\nrequire a.com/b 1.0\n", Path::new("go.mod")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "go.mod:2: `1.0` is not a module version (vX.Y.Z)"
        );
        let err = GoMod::parse(
            "module m\nrequire (\n a.com/b v1.0.0\n",
            Path::new("go.mod"),
        )
        .unwrap_err();
        assert_eq!(err.line, 2);
        let err = GoMod::parse("module m\nfrobnicate x\n", Path::new("go.mod")).unwrap_err();
        assert!(err.to_string().contains("unknown directive"));
    }
}
