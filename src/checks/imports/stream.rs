//! The second pass over a SARIF log: every run's results, one at a time, each handed to a
//! callback as soon as it is parsed and dropped after. Everything but `runs[].results` is
//! skipped unread (the first pass read it). Memory is what the callback keeps.

use super::model::{SarifResult, Text};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Calls `each(run index, result)` for every result of every run, in file order.
pub fn results<'de, F>(bytes: &'de [u8], each: &mut F) -> Result<(), serde_json::Error>
where
    F: FnMut(usize, SarifResult<'de>),
{
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    LogSeed(each).deserialize(&mut deserializer)?;
    deserializer.end()
}

struct LogSeed<'f, F>(&'f mut F);

impl<'de, F: FnMut(usize, SarifResult<'de>)> DeserializeSeed<'de> for LogSeed<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, F: FnMut(usize, SarifResult<'de>)> Visitor<'de> for LogSeed<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a SARIF log object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Text<'de>>()? {
            if &*key == "runs" {
                map.next_value_seed(RunsSeed(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct RunsSeed<'f, F>(&'f mut F);

impl<'de, F: FnMut(usize, SarifResult<'de>)> DeserializeSeed<'de> for RunsSeed<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(usize, SarifResult<'de>)> Visitor<'de> for RunsSeed<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of runs")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while seq
            .next_element_seed(RunSeed {
                index,
                each: &mut *self.0,
            })?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }
}

struct RunSeed<'f, F> {
    index: usize,
    each: &'f mut F,
}

impl<'de, F: FnMut(usize, SarifResult<'de>)> DeserializeSeed<'de> for RunSeed<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, F: FnMut(usize, SarifResult<'de>)> Visitor<'de> for RunSeed<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a run object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Text<'de>>()? {
            if &*key == "results" {
                map.next_value_seed(ResultsSeed {
                    index: self.index,
                    each: &mut *self.each,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct ResultsSeed<'f, F> {
    index: usize,
    each: &'f mut F,
}

impl<'de, F: FnMut(usize, SarifResult<'de>)> DeserializeSeed<'de> for ResultsSeed<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        // The first pass turned away runs whose results are null.
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(usize, SarifResult<'de>)> Visitor<'de> for ResultsSeed<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of results")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(result) = seq.next_element::<SarifResult<'de>>()? {
            (self.each)(self.index, result);
        }
        Ok(())
    }
}
