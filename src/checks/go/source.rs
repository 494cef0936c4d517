//! Which packages a Go module's build imports, from its source, without a Go toolchain: every
//! package of the main module (its non-test `.go` files that the build constraints keep for the
//! target), then, where the dependencies' code is on disk (`vendor/`, a directory `replace`,
//! the module cache), their imports in turn; standard library packages are followed in
//! `$GOROOT` when it is there, else through the import graph of a recent Go release kept in
//! the binary (`stdlib-imports.txt`, made by `scripts/gen-go-stdlib.sh`).

use super::gomod::BuildModule;
use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

/// What the build is for.
#[derive(Clone, Debug)]
pub struct Target {
    /// `linux`.
    pub goos: String,
    /// `amd64`.
    pub goarch: String,
    /// The Go minor release the build uses (`go1.N` tags up to it hold).
    pub go_minor: u64,
}

/// Where dependency code may be read.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// `$GOMODCACHE`, when it exists.
    pub modcache: Option<PathBuf>,
    /// `$GOROOT`, when it exists.
    pub goroot: Option<PathBuf>,
}

impl Sources {
    /// `$GOMODCACHE` (else `$GOPATH/pkg/mod`, else `~/go/pkg/mod`) and `$GOROOT`, each when it
    /// is a folder.
    pub fn from_env() -> Sources {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let modcache = var("GOMODCACHE")
            .or_else(|| {
                var("GOPATH").map(|p| {
                    // The first entry of a GOPATH list.
                    std::env::split_paths(&p)
                        .next()
                        .unwrap_or(p)
                        .join("pkg/mod")
                })
            })
            .or_else(|| home::home_dir().map(|h| h.join("go/pkg/mod")))
            .filter(|p| p.is_dir());
        let goroot = var("GOROOT").filter(|p| p.join("src").is_dir());
        Sources { modcache, goroot }
    }
}

/// The packages a build imports.
#[derive(Clone, Debug, Default)]
pub struct Imports {
    /// Every package imported, from the main module or through followed dependencies.
    pub packages: BTreeSet<String>,
    /// Non-test Go files read.
    pub files: usize,
    /// Dependency modules whose code was found and followed.
    pub followed: BTreeSet<String>,
    /// Dependency modules whose code was not on disk (their imports are unknown).
    pub unfollowed: BTreeSet<String>,
}

/// The GOOS values the go command knows (a file name suffix is a constraint only for these).
const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];
/// The known GOOS values the `unix` build tag does not hold for.
const NOT_UNIX: &[&str] = &["js", "nacl", "plan9", "wasip1", "windows", "zos"];
/// The GOARCH values the go command knows.
const KNOWN_ARCH: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "ppc64",
    "ppc64le",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

impl Target {
    /// Whether a build tag holds for this target.
    fn tag(&self, tag: &str) -> bool {
        let os = self.goos.as_str();
        if tag == os
            || tag == self.goarch
            || (tag == "linux" && os == "android")
            || (tag == "solaris" && os == "illumos")
            || (tag == "darwin" && os == "ios")
            || (tag == "unix" && KNOWN_OS.contains(&os) && !NOT_UNIX.contains(&os))
            // cgo is on for a native build where a C compiler is found, as on CI runners.
            || tag == "cgo"
            || tag == "gc"
        {
            return true;
        }
        tag.strip_prefix("go1.")
            .and_then(|n| n.parse::<u64>().ok())
            .is_some_and(|n| n <= self.go_minor)
    }

    /// Whether a file name's `_GOOS`, `_GOARCH` or `_GOOS_GOARCH` suffix keeps it.
    fn file_name(&self, name: &str) -> bool {
        let stem = name.strip_suffix(".go").unwrap_or(name);
        let parts: Vec<&str> = stem.split('_').collect();
        let n = parts.len();
        if n >= 3 && KNOWN_OS.contains(&parts[n - 2]) && KNOWN_ARCH.contains(&parts[n - 1]) {
            return self.tag(parts[n - 2]) && self.tag(parts[n - 1]);
        }
        if n >= 2 && (KNOWN_OS.contains(&parts[n - 1]) || KNOWN_ARCH.contains(&parts[n - 1])) {
            return self.tag(parts[n - 1]);
        }
        true
    }
}

/// The import paths and build constraints of one Go file's header.
#[derive(Debug, Default, PartialEq)]
pub struct Header {
    /// `//go:build` expression, or the `// +build` lines, before the package clause.
    pub go_build: Option<String>,
    /// `// +build` lines (used only without `//go:build`).
    pub plus_build: Vec<String>,
    /// The imported paths.
    pub imports: Vec<String>,
}

/// A small lexer over a Go file's start: comments, identifiers, strings, punctuation.
struct Lexer<'t> {
    text: &'t str,
    at: usize,
}

#[derive(Debug, PartialEq)]
enum Token<'t> {
    Word(&'t str),
    Str(String),
    Punct(char),
    End,
}

impl<'t> Lexer<'t> {
    /// The next token; line comments before it are handed to `comment`.
    fn next(&mut self, comment: &mut dyn FnMut(&'t str)) -> Token<'t> {
        let bytes = self.text.as_bytes();
        loop {
            while self.at < bytes.len() && bytes[self.at].is_ascii_whitespace() {
                self.at += 1;
            }
            let rest = &self.text[self.at..];
            if let Some(body) = rest.strip_prefix("//") {
                let end = body.find('\n').unwrap_or(body.len());
                comment(&rest[..end + 2]);
                self.at += end + 2;
            } else if let Some(body) = rest.strip_prefix("/*") {
                let end = body.find("*/").map_or(body.len(), |e| e + 2);
                self.at += end + 2;
            } else {
                break;
            }
        }
        let rest = &self.text[self.at..];
        let Some(c) = rest.chars().next() else {
            return Token::End;
        };
        if c == '"' {
            let mut value = String::new();
            let mut chars = rest[1..].char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, e)) = chars.next() {
                            value.push(e);
                        }
                    }
                    '"' | '\n' => {
                        self.at += i + 2;
                        return Token::Str(value);
                    }
                    c => value.push(c),
                }
            }
            self.at = self.text.len();
            return Token::Str(value);
        }
        if c == '`' {
            let end = rest[1..].find('`').map_or(rest.len(), |e| e + 2);
            self.at += end;
            return Token::Str(rest[1..end.saturating_sub(1).max(1)].to_string());
        }
        if c.is_alphanumeric() || c == '_' {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            self.at += end;
            return Token::Word(&rest[..end]);
        }
        self.at += c.len_utf8();
        Token::Punct(c)
    }
}

/// Reads a file's build constraints and imports (nothing past the import declarations).
pub fn header(text: &str) -> Header {
    let mut header = Header::default();
    let mut lexer = Lexer { text, at: 0 };
    // Constraints are the line comments before the package clause.
    let mut leading: Vec<&str> = Vec::new();
    let first = lexer.next(&mut |c| leading.push(c));
    for line in leading {
        if let Some(expr) = line.strip_prefix("//go:build") {
            if header.go_build.is_none() && (expr.is_empty() || expr.starts_with([' ', '\t'])) {
                header.go_build = Some(expr.trim().to_string());
            }
        } else if let Some(expr) = line
            .trim_start_matches('/')
            .trim_start()
            .strip_prefix("+build")
            && (expr.is_empty() || expr.starts_with([' ', '\t']))
        {
            header.plus_build.push(expr.trim().to_string());
        }
    }
    if first != Token::Word("package") {
        return header;
    }
    let mut ignore = |_: &str| {};
    let _name = lexer.next(&mut ignore);
    loop {
        match lexer.next(&mut ignore) {
            Token::Punct(';') => continue,
            Token::Word("import") => {}
            _ => return header,
        }
        match lexer.next(&mut ignore) {
            Token::Punct('(') => loop {
                match lexer.next(&mut ignore) {
                    Token::Str(path) => header.imports.push(path),
                    Token::Punct(')') | Token::End => break,
                    _ => {}
                }
            },
            Token::Str(path) => header.imports.push(path),
            // An alias, `_` or `.`, then the path.
            _ => {
                if let Token::Str(path) = lexer.next(&mut ignore) {
                    header.imports.push(path);
                }
            }
        }
    }
}

/// Evaluates a `//go:build` expression: `&&`, `||`, `!`, parentheses and tags. A malformed
/// one keeps the file (the go command would refuse to build it; reading more is safer than
/// reading less).
fn go_build(expr: &str, target: &Target) -> bool {
    struct Parser<'e> {
        tokens: Vec<&'e str>,
        at: usize,
    }
    impl<'e> Parser<'e> {
        fn peek(&self) -> Option<&'e str> {
            self.tokens.get(self.at).copied()
        }
        fn or(&mut self, t: &Target) -> Option<bool> {
            let mut value = self.and(t)?;
            while self.peek() == Some("||") {
                self.at += 1;
                value |= self.and(t)?;
            }
            Some(value)
        }
        fn and(&mut self, t: &Target) -> Option<bool> {
            let mut value = self.not(t)?;
            while self.peek() == Some("&&") {
                self.at += 1;
                value &= self.not(t)?;
            }
            Some(value)
        }
        fn not(&mut self, t: &Target) -> Option<bool> {
            match self.peek()? {
                "!" => {
                    self.at += 1;
                    Some(!self.not(t)?)
                }
                "(" => {
                    self.at += 1;
                    let value = self.or(t)?;
                    (self.peek()? == ")").then_some(())?;
                    self.at += 1;
                    Some(value)
                }
                tag if tag
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.') =>
                {
                    self.at += 1;
                    Some(t.tag(tag))
                }
                _ => None,
            }
        }
    }
    let mut tokens = Vec::new();
    let mut rest = expr.trim();
    while !rest.is_empty() {
        let len = if rest.starts_with("&&") || rest.starts_with("||") {
            2
        } else if rest.starts_with(['!', '(', ')']) {
            1
        } else {
            rest.find(|c: char| c.is_whitespace() || "!()&|".contains(c))
                .unwrap_or(rest.len())
                .max(1)
        };
        tokens.push(&rest[..len]);
        rest = rest[len..].trim_start();
    }
    let mut parser = Parser { tokens, at: 0 };
    match parser.or(target) {
        Some(value) if parser.at == parser.tokens.len() => value,
        _ => true,
    }
}

/// Whether the file's constraints keep it for the target.
fn keeps(header: &Header, target: &Target) -> bool {
    if let Some(expr) = &header.go_build {
        return go_build(expr, target);
    }
    // `// +build a,b c`: lines are and-ed, words or-ed, commas and-ed.
    header.plus_build.iter().all(|line| {
        line.split_whitespace().any(|word| {
            word.split(',').all(|term| match term.strip_prefix('!') {
                Some(tag) => !target.tag(tag),
                None => target.tag(term),
            })
        })
    })
}

/// The imports of the package in `dir` (its non-test files kept for the target); `None` when
/// the folder holds no such file.
fn package_imports(dir: &Path, target: &Target, files: &mut usize) -> Option<BTreeSet<String>> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut imports = BTreeSet::new();
    let mut any = false;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".go")
            || name.ends_with("_test.go")
            || name.starts_with(['.', '_'])
            || !target.file_name(&name)
            || !entry.file_type().is_ok_and(|t| t.is_file())
        {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let header = header(&text);
        if !keeps(&header, target) {
            continue;
        }
        any = true;
        *files += 1;
        imports.extend(header.imports);
    }
    any.then_some(imports)
}

/// The package folders of the main module: every folder below `root` but `vendor`,
/// `testdata`, hidden and `_` ones, and nested modules (their own go.mod).
fn module_dirs(root: &Path) -> Vec<(PathBuf, String)> {
    let mut out = vec![(root.to_path_buf(), String::new())];
    let mut queue = VecDeque::from([(root.to_path_buf(), String::new())]);
    while let Some((dir, rel)) = queue.pop_front() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut subdirs: Vec<_> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with(['.', '_']) && n != "testdata" && n != "vendor")
            .collect();
        subdirs.sort();
        for name in subdirs {
            let path = dir.join(&name);
            if path.join("go.mod").is_file() {
                continue;
            }
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            out.push((path.clone(), rel.clone()));
            queue.push_back((path, rel));
        }
    }
    out
}

/// The module cache folder of a module version (`!` before each capital letter, lowered).
pub fn modcache_dir(cache: &Path, module: &str, version: &str) -> PathBuf {
    let escape = |s: &str| {
        s.chars().fold(String::new(), |mut out, c| {
            if c.is_ascii_uppercase() {
                out.push('!');
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
            out
        })
    };
    cache.join(format!("{}@{}", escape(module), escape(version)))
}

/// The imports of a standard library package in the kept graph.
fn stdlib_imports(package: &str) -> Option<BTreeSet<String>> {
    static GRAPH: std::sync::LazyLock<std::collections::HashMap<&'static str, Vec<&'static str>>> =
        std::sync::LazyLock::new(|| {
            include_str!("stdlib-imports.txt")
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| {
                    let mut words = l.split_whitespace();
                    Some((words.next()?, words.collect()))
                })
                .collect()
        });
    GRAPH
        .get(package)
        .map(|imports| imports.iter().map(|s| s.to_string()).collect())
}

/// Whether an import path is the standard library's: its first element has no dot.
pub fn is_stdlib(path: &str) -> bool {
    !path.split('/').next().unwrap_or(path).contains('.')
}

/// The build-list module an import path belongs to: the longest module path it starts with.
pub fn owner<'b>(path: &str, build: &'b [BuildModule]) -> Option<&'b BuildModule> {
    build
        .iter()
        .filter(|m| {
            path == m.path
                || path
                    .strip_prefix(m.path.as_str())
                    .is_some_and(|r| r.starts_with('/'))
        })
        .max_by_key(|m| m.path.len())
}

/// Every package the main module at `root` (module path `module`) imports for `target`,
/// following dependencies whose code is on disk.
pub fn imports(
    root: &Path,
    module: &str,
    build: &[BuildModule],
    target: &Target,
    sources: &Sources,
) -> Imports {
    let mut found = Imports::default();
    let mut queue: VecDeque<String> = VecDeque::new();
    for (dir, _) in module_dirs(root) {
        if let Some(imports) = package_imports(&dir, target, &mut found.files) {
            queue.extend(imports);
        }
    }
    let vendor = root.join("vendor");
    let vendored = vendor.join("modules.txt").is_file();
    let mut visited: BTreeSet<String> = BTreeSet::new();
    while let Some(path) = queue.pop_front() {
        if path == "C" || !visited.insert(path.clone()) {
            continue;
        }
        let own = path == module || path.starts_with(&format!("{module}/"));
        if own {
            // The main module's packages were all read.
            continue;
        }
        found.packages.insert(path.clone());
        let dir = if is_stdlib(&path) {
            sources.goroot.as_ref().map(|g| g.join("src").join(&path))
        } else if let Some(m) = owner(&path, build) {
            let rel = path[m.path.len()..].trim_start_matches('/');
            let base = if vendored {
                Some(vendor.join(&m.path))
            } else {
                match &m.replaced_by {
                    Some((dir, None)) => Some(root.join(dir)),
                    _ => {
                        let (p, v) = m.effective();
                        sources.modcache.as_ref().map(|c| modcache_dir(c, p, v))
                    }
                }
            };
            match base.filter(|b| b.is_dir()) {
                Some(base) => {
                    found.followed.insert(m.path.clone());
                    Some(base.join(rel))
                }
                None => {
                    found.unfollowed.insert(m.path.clone());
                    None
                }
            }
        } else {
            None
        };
        if is_stdlib(&path) && sources.goroot.is_none() {
            queue.extend(stdlib_imports(&path).unwrap_or_default());
        } else if let Some(imports) =
            dir.and_then(|d| package_imports(&d, target, &mut found.files))
        {
            if is_stdlib(&path) {
                // The standard library's own copies of golang.org/x packages are its vendored
                // ones (`vendor/golang.org/x/net/…`), never the service's requirement.
                queue.extend(imports.into_iter().map(|i| match is_stdlib(&i) {
                    true => i,
                    false => format!("vendor/{i}"),
                }));
            } else {
                queue.extend(imports);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linux() -> Target {
        Target {
            goos: "linux".into(),
            goarch: "amd64".into(),
            go_minor: 22,
        }
    }

    #[test]
    fn headers_read_grouped_aliased_and_blank_imports() {
        let h = header(
            "// Copyright\n\n//go:build linux && !cgo\n\n/* doc */\npackage main // x\n\n\
             import \"fmt\"\nimport (\n\th \"golang.org/x/net/html\"\n\t_ \"embed\"\n\t. `strings`\n\
             // \"commented/out\"\n)\nimport \"C\"\n\nfunc main() { import_ := \"not/an/import\" }\n",
        );
        assert_eq!(h.go_build.as_deref(), Some("linux && !cgo"));
        assert_eq!(
            h.imports,
            ["fmt", "golang.org/x/net/html", "embed", "strings", "C"]
        );
    }

    #[test]
    fn constraints_after_the_package_clause_do_not_count() {
        let h = header("package p\n//go:build ignore\nimport \"os\"\n");
        assert_eq!(h.go_build, None);
        assert_eq!(h.imports, ["os"]);
    }

    #[test]
    fn build_expressions() {
        let t = linux();
        assert!(go_build("linux && amd64", &t));
        assert!(!go_build("windows", &t));
        assert!(go_build("!windows && (amd64 || arm64)", &t));
        assert!(go_build("unix", &t));
        assert!(!go_build("ignore", &t));
        assert!(go_build("go1.21", &t) && !go_build("go1.23", &t));
        assert!(go_build("linux &&", &t), "malformed keeps the file");
        let plus = Header {
            plus_build: vec!["linux,amd64 darwin".into(), "!windows".into()],
            ..Header::default()
        };
        assert!(keeps(&plus, &t));
        let plus = Header {
            plus_build: vec!["ignore".into()],
            ..Header::default()
        };
        assert!(!keeps(&plus, &t));
    }

    #[test]
    fn file_name_suffixes() {
        let t = linux();
        assert!(
            t.file_name("x.go") && t.file_name("x_linux.go") && t.file_name("x_linux_amd64.go")
        );
        assert!(!t.file_name("x_windows.go") && !t.file_name("x_arm64.go"));
        assert!(!t.file_name("x_linux_arm64.go"));
        assert!(t.file_name("linux.go"), "a bare GOOS name is not a suffix");
        assert!(t.file_name("unix_helper.go"));
    }

    #[test]
    fn module_cache_paths_escape_capitals() {
        let p = modcache_dir(Path::new("/c"), "github.com/BurntSushi/toml", "v1.0.0");
        assert_eq!(p, Path::new("/c/github.com/!burnt!sushi/toml@v1.0.0"));
    }
}
