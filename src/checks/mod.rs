//! The checks, one folder each: how it finds things, its slice of `palisade.toml`, its
//! finding codes. A check returns findings and a summary; it never decides what fails or
//! formats output. `crate::check` holds the trait they implement and the registry.

pub mod advisories;
pub mod fips;
pub mod go;
pub mod imports;
pub mod secrets;
