//! PLACEHOLDER until the Go binary reader lands (same API).
#![allow(dead_code, missing_docs, clippy::len_without_is_empty)]
pub struct GoBinary {
    pub go_version: String,
    pub main: Option<Module>,
    pub deps: Vec<Module>,
    pub settings: Vec<(String, String)>,
    pub functions: Option<Functions>,
}
pub struct Module {
    pub path: String,
    pub version: String,
    pub sum: Option<String>,
    pub replace: Option<Box<Module>>,
}
pub struct Functions {
    names: Vec<String>,
}
impl Functions {
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }
    pub fn len(&self) -> usize {
        self.names.len()
    }
}
impl GoBinary {
    pub fn goos(&self) -> Option<&str> {
        None
    }
    pub fn goarch(&self) -> Option<&str> {
        None
    }
}
#[derive(Debug, thiserror::Error)]
#[error("reading Go binaries is not available in this build")]
pub struct Error;
pub fn read(_: &[u8]) -> Result<Option<GoBinary>, Error> {
    Err(Error)
}
pub fn split_symbol(_: &str) -> Option<(&str, String)> {
    None
}
