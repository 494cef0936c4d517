//! What a pack delta keeps of its base: the copy instructions of git's delta format (a base
//! size, a result size, then instructions that copy a stretch of the base or insert literal
//! bytes), as the stretches of the result each copies from where in the base. Whatever the
//! copies do not cover, the delta inserted.
//!
//! gix applies deltas but does not list their instructions; this reads them, and refuses a
//! delta that does not add up (a truncated instruction, a copy outside the base, a result of
//! another size): the caller then treats the object as new text.

/// A stretch of the result copied from the base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Copy {
    /// Where the stretch starts in the base.
    pub from: usize,
    /// Where it starts in the result.
    pub to: usize,
    /// How many bytes.
    pub len: usize,
}

/// A delta's copies, in the order of the result (ascending, disjoint `to` ranges), and the
/// sizes it states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copies {
    /// The base's size.
    pub base_len: usize,
    /// The result's size.
    pub len: usize,
    /// The copies.
    pub copies: Vec<Copy>,
}

/// A little-endian base-128 size at the start of `data`: the size and the bytes it took.
fn size(data: &[u8]) -> Option<(usize, usize)> {
    let mut value = 0u64;
    for (i, &byte) in data.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((usize::try_from(value).ok()?, i + 1));
        }
    }
    None
}

/// One instruction of a delta.
enum Op<'a> {
    /// Copy `len` bytes of the base from `from`.
    Copy { from: usize, len: usize },
    /// Insert these bytes.
    Insert(&'a [u8]),
}

/// Walks the (inflated) delta `data`: its stated (base size, result size), each instruction
/// handed to `op`; `None` when an instruction is truncated or reserved, a copy lies outside
/// the base or the result is not the size stated.
fn walk<'a>(data: &'a [u8], mut op: impl FnMut(Op<'a>)) -> Option<(usize, usize)> {
    let (base_len, used) = size(data)?;
    let (len, more) = size(&data[used..])?;
    let mut at = used + more;
    let mut to = 0usize;
    while let Some(&code) = data.get(at) {
        at += 1;
        if code & 0x80 != 0 {
            // Which offset and size bytes follow, lowest first.
            let mut field = |bits: u8, shift: u32| -> Option<usize> {
                let mut value = 0usize;
                for i in 0..bits {
                    if code & (1 << (shift + u32::from(i))) != 0 {
                        value |= usize::from(*data.get(at)?) << (8 * i);
                        at += 1;
                    }
                }
                Some(value)
            };
            let from = field(4, 0)?;
            let size = match field(3, 4)? {
                0 => 0x10000,
                n => n,
            };
            if from.checked_add(size)? > base_len {
                return None;
            }
            op(Op::Copy { from, len: size });
            to = to.checked_add(size)?;
        } else if code == 0 {
            // Reserved: git refuses it too.
            return None;
        } else {
            let n = usize::from(code);
            op(Op::Insert(data.get(at..at + n)?));
            at += n;
            to = to.checked_add(n)?;
        }
    }
    (to == len).then_some((base_len, len))
}

/// Records a copy to `to` in `copies`, joined to the last one when it continues it.
fn record(copies: &mut Vec<Copy>, from: usize, to: usize, len: usize) {
    match copies.last_mut() {
        // A copy continuing the last one, from where it stopped, is one stretch.
        Some(last) if last.to + last.len == to && last.from + last.len == from => last.len += len,
        _ => copies.push(Copy { from, to, len }),
    }
}

/// The copies of the (inflated) delta `data`; `None` when it does not add up.
#[cfg(test)]
pub fn copies(data: &[u8]) -> Option<Copies> {
    let mut copies = Vec::new();
    let mut to = 0;
    let (base_len, len) = walk(data, |op| match op {
        Op::Copy { from, len } => {
            record(&mut copies, from, to, len);
            to += len;
        }
        Op::Insert(bytes) => to += bytes.len(),
    })?;
    Some(Copies {
        base_len,
        len,
        copies,
    })
}

/// The size of the result the (inflated) delta `data` states.
pub fn result_size(data: &[u8]) -> Option<usize> {
    let (_, used) = size(data)?;
    Some(size(data.get(used..)?)?.0)
}

/// Applies the delta `data` to `base`, writing the result to `out` (replacing what it held),
/// and returns its copies; `None` when the delta does not add up or is not against a base of
/// `base`'s size.
pub fn apply(base: &[u8], data: &[u8], out: &mut Vec<u8>) -> Option<Copies> {
    let (stated, _) = size(data)?;
    if stated != base.len() {
        return None;
    }
    out.clear();
    // The size stated is checked against what the instructions write ([`walk`]).
    out.reserve(result_size(data)?);
    let mut copies = Vec::new();
    let (base_len, len) = walk(data, |op| match op {
        Op::Copy { from, len } => {
            record(&mut copies, from, out.len(), len);
            out.extend_from_slice(&base[from..from + len]);
        }
        Op::Insert(bytes) => out.extend_from_slice(bytes),
    })?;
    Some(Copies {
        base_len,
        len,
        copies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A delta as git writes one: sizes, then instructions.
    fn delta(base_len: usize, len: usize, ops: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for mut n in [base_len, len] {
            loop {
                let byte = (n & 0x7f) as u8;
                n >>= 7;
                if n == 0 {
                    out.push(byte);
                    break;
                }
                out.push(byte | 0x80);
            }
        }
        out.extend_from_slice(ops);
        out
    }

    #[test]
    fn copies_and_inserts_are_read_in_result_order() {
        // insert "ab", copy 5 bytes from base offset 300, insert "c", copy 0x10000 from 0.
        let ops = [
            2,
            b'a',
            b'b',
            0x80 | 0x01 | 0x02 | 0x10,
            44,
            1,
            5,
            1,
            b'c',
            0x80,
        ];
        let found = copies(&delta(0x10000 + 400, 2 + 5 + 1 + 0x10000, &ops)).unwrap();
        assert_eq!(
            found.copies,
            vec![
                Copy {
                    from: 300,
                    to: 2,
                    len: 5
                },
                Copy {
                    from: 0,
                    to: 8,
                    len: 0x10000
                },
            ]
        );
        assert_eq!(found.len, 0x10000 + 8);
    }

    #[test]
    fn adjacent_copies_from_adjacent_stretches_merge() {
        let ops = [0x80 | 0x10, 4, 0x80 | 0x01 | 0x10, 4, 4];
        let found = copies(&delta(8, 8, &ops)).unwrap();
        assert_eq!(
            found.copies,
            vec![Copy {
                from: 0,
                to: 0,
                len: 8
            }]
        );
    }

    #[test]
    fn applying_a_delta_rebuilds_the_result() {
        let base = b"0123456789abcdef";
        // copy 4 from 10 ("abcd"), insert "XY", copy 3 from 0 ("012").
        let ops = [0x80 | 0x01 | 0x10, 10, 4, 2, b'X', b'Y', 0x80 | 0x10, 3];
        let mut out = b"old".to_vec();
        let found = apply(base, &delta(16, 9, &ops), &mut out).unwrap();
        assert_eq!(out, b"abcdXY012");
        assert_eq!(found, copies(&delta(16, 9, &ops)).unwrap());
        // Against a base of another size.
        assert_eq!(apply(&base[..15], &delta(16, 9, &ops), &mut out), None);
    }

    #[test]
    fn a_delta_that_does_not_add_up_is_refused() {
        // Copy beyond the base.
        assert_eq!(copies(&delta(4, 5, &[0x80 | 0x10, 5])), None);
        // Result shorter than stated.
        assert_eq!(copies(&delta(8, 9, &[0x80 | 0x10, 4])), None);
        // Truncated insert and truncated copy.
        assert_eq!(copies(&delta(8, 3, &[3, b'a'])), None);
        assert_eq!(copies(&delta(8, 3, &[0x80 | 0x01])), None);
        // The reserved instruction.
        assert_eq!(copies(&delta(8, 0, &[0])), None);
        // No sizes.
        assert_eq!(copies(&[0x80]), None);
    }
}
