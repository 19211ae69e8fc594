//! The SPM `.mat` sidecar of an Analyze 7.5 pair: a MATLAB file holding the
//! voxel-to-world affine as the 4x4 double matrix `mat` (and `M`, the same
//! without SPM's default x flip). Reads MAT v4 (what nibabel writes) and
//! v5/v6/v7 (what MATLAB and SPM write, v7 zlib-compressed); writes v4, as
//! nibabel does. Only real numeric matrices are understood: anything else
//! named `mat` or `M` is refused with a clear error, other variables are
//! skipped without decoding their values.
//!
//! A sidecar is bounded three ways, so that a crafted file costs at most a
//! few MiB whatever it claims: its size on disk ([`MAX_MAT_FILE`]), the bytes
//! all its compressed elements inflate to together ([`MAX_MAT_INFLATED`]) and
//! the data elements it may hold ([`MAX_MAT_ENTRIES`]); every buffer is
//! allocated fallibly (`MX ALLOC`), never with an aborting `Vec` growth.

use crate::core::error::MxResult;
use crate::core::limits::try_vec;
use crate::core::MxError;

pub type Affine = [[f64; 4]; 4];

/// A sidecar larger than this is not an SPM affine file.
pub const MAX_MAT_FILE: u64 = 1 << 20;

/// What all the compressed elements of one sidecar may inflate to, together.
/// SPM's own sidecars inflate to a few hundred bytes.
pub const MAX_MAT_INFLATED: u64 = 4 << 20;

/// The data elements (variables and their parts) one sidecar may hold.
/// An SPM sidecar holds two variables of four parts each.
pub const MAX_MAT_ENTRIES: usize = 4096;

/// The affines a sidecar holds.
#[derive(Debug, Default, PartialEq)]
pub struct Affines {
    pub mat: Option<Affine>,
    pub m: Option<Affine>,
}

fn bad(path: &str, what: String) -> MxError {
    MxError::mx(
        format!("cannot read the SPM sidecar \"{path}\": {what}; expected a MATLAB v4 or v5 file with a 4x4 real double matrix mat or M"),
        &["FORMAT", "MAT"],
    )
}

/// What a file has used of its bounds so far.
struct Budget<'p> {
    path: &'p str,
    entries: usize,
    inflated: u64,
}

impl Budget<'_> {
    /// Count one more data element or variable.
    fn entry(&mut self) -> MxResult<()> {
        self.entries += 1;
        if self.entries > MAX_MAT_ENTRIES {
            return Err(bad(self.path, format!("it holds more than {MAX_MAT_ENTRIES} data elements")));
        }
        Ok(())
    }
}

/// A variable named `mat` or `M`: its dims and values (column-major), or
/// `None` for values that are not a real numeric matrix.
struct Var {
    name: Vec<u8>,
    dims: [usize; 2],
    values: Option<Vec<f64>>,
}

/// Is this the name of a variable the sidecar is read for?
fn wanted(name: &[u8]) -> bool {
    name == b"mat" || name == b"M"
}

/// `count` numbers of `size` bytes each from `data`, into a fallibly allocated vector.
fn numbers(data: &[u8], size: usize, count: usize, convert: impl Fn(&[u8]) -> f64) -> MxResult<Vec<f64>> {
    let mut v = try_vec(count, "an SPM sidecar's matrix")?;
    v.extend(data.chunks_exact(size).take(count).map(convert));
    Ok(v)
}

/// The first 4x4 matrix of a numeric variable (column-major in the file).
fn to_affine(var: &Var, path: &str) -> MxResult<Affine> {
    let name = String::from_utf8_lossy(&var.name).into_owned();
    let shape_ok = var.dims == [4, 4];
    match &var.values {
        Some(v) if shape_ok && v.len() >= 16 => Ok(std::array::from_fn(|r| std::array::from_fn(|c| v[c * 4 + r]))),
        Some(_) => Err(bad(path, format!("its variable {name} has dimensions {:?}, not 4x4", var.dims))),
        None => Err(bad(path, format!("its variable {name} is not a real numeric matrix"))),
    }
}

/// Read the `mat` and `M` variables of a MATLAB file.
pub fn read(bytes: &[u8], path: &str) -> MxResult<Affines> {
    let mut budget = Budget { path, entries: 0, inflated: 0 };
    let vars = if bytes.len() >= 128 && (&bytes[126..128] == b"IM" || &bytes[126..128] == b"MI") {
        v5::variables(bytes, &mut budget)?
    } else {
        v4_variables(bytes, &mut budget)?
    };
    let mut out = Affines::default();
    for var in &vars {
        match &var.name[..] {
            b"mat" => out.mat = Some(to_affine(var, path)?),
            b"M" => out.m = Some(to_affine(var, path)?),
            _ => {}
        }
    }
    if out.mat.is_none() && out.m.is_none() {
        return Err(bad(path, "it has no variable mat or M".into()));
    }
    Ok(out)
}

/// Keep `var` (a variable named `mat` or `M`) in `vars`, fallibly.
fn keep(vars: &mut Vec<Var>, var: Var) -> MxResult<()> {
    vars.try_reserve(1).map_err(|_| crate::core::limits::alloc_failed(std::mem::size_of::<Var>(), "an SPM sidecar"))?;
    vars.push(var);
    Ok(())
}

/// A variable's name, copied fallibly (names are short; a long one is bounded by the file).
fn name_of(bytes: &[u8]) -> MxResult<Vec<u8>> {
    let mut v = try_vec(bytes.len(), "an SPM sidecar's variable name")?;
    v.extend_from_slice(bytes);
    Ok(v)
}

fn u32_at(b: &[u8], at: usize, big: bool) -> u32 {
    let raw = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    if big {
        u32::from_be_bytes(raw)
    } else {
        u32::from_le_bytes(raw)
    }
}

/// MAT v4: per variable a 20-byte head (type MOPT, rows, columns, imagf,
/// name length), the NUL-terminated name, then the values column-major.
fn v4_variables(b: &[u8], budget: &mut Budget) -> MxResult<Vec<Var>> {
    let path = budget.path;
    let mut vars = Vec::new();
    let mut at = 0;
    while at < b.len() {
        budget.entry()?;
        if b.len() - at < 20 {
            return Err(bad(path, "it ends inside a MAT v4 variable header".into()));
        }
        let le = u32_at(b, at, false);
        let big = le > 4052; // the largest valid MOPT: big-endian, text, uint8
        let mopt = u32_at(b, at, big);
        let [rows, cols, imagf, namlen] = [4, 8, 12, 16].map(|o| u32_at(b, at + o, big) as usize);
        let (machine, o, p, t) = (mopt / 1000, mopt / 100 % 10, mopt / 10 % 10, mopt % 10);
        if machine > 1 || o != 0 || p > 5 {
            return Err(bad(path, format!("MAT v4 type {mopt} is not an IEEE numeric matrix")));
        }
        let size = [8usize, 4, 4, 2, 2, 1][p as usize];
        let count = rows
            .checked_mul(cols)
            .filter(|&n| n <= b.len())
            .ok_or_else(|| bad(path, "a variable larger than the file".into()))?;
        let data_len = count * size * if imagf != 0 { 2 } else { 1 };
        let name_at = at + 20;
        if namlen == 0 || b.len() - name_at < namlen || b.len() - name_at - namlen < data_len {
            return Err(bad(path, "it ends inside a MAT v4 variable".into()));
        }
        let name = &b[name_at..name_at + namlen - 1];
        if wanted(name) {
            let data = &b[name_at + namlen..name_at + namlen + count * size];
            let numeric = t == 0 && imagf == 0;
            let values =
                if numeric { Some(numbers(data, size, count, |c| v5::number(c, p_to_v5(p), big))?) } else { None };
            keep(&mut vars, Var { name: name_of(name)?, dims: [rows, cols], values })?;
        }
        at = name_at + namlen + data_len;
    }
    Ok(vars)
}

/// A MAT v4 precision as the v5 type code with the same layout.
fn p_to_v5(p: u32) -> u32 {
    [9, 7, 5, 3, 4, 2][p as usize]
}

/// A MAT v4 file of 4x4 double matrices (little-endian), as nibabel's
/// `scipy.io.savemat(..., format='4')` writes it.
pub fn write_v4(vars: &[(&str, Affine)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, m) in vars {
        for v in [0u32, 4, 4, 0, name.len() as u32 + 1] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        for c in 0..4 {
            for row in m.iter() {
                out.extend_from_slice(&row[c].to_le_bytes());
            }
        }
    }
    out
}

mod v5 {
    //! MAT v5: a 128-byte text header ending in the version and the byte
    //! order mark, then tagged data elements (type, size; "small" elements
    //! pack both in 4 bytes), 8-byte aligned; a miMATRIX element holds
    //! flags, dimensions, name and values; miCOMPRESSED wraps one element in zlib.
    use super::{bad, keep, name_of, numbers, u32_at, wanted, Budget, Var, MAX_MAT_INFLATED};
    use crate::core::error::MxResult;
    use crate::core::limits::try_vec;
    use flate2::read::ZlibDecoder;
    use std::io::Read;

    const MI_MATRIX: u32 = 14;
    const MI_COMPRESSED: u32 = 15;

    /// One numeric value of v5 type `t` from its bytes.
    pub(super) fn number(c: &[u8], t: u32, big: bool) -> f64 {
        macro_rules! get {
            ($ty:ty) => {{
                let mut raw = [0u8; std::mem::size_of::<$ty>()];
                raw.copy_from_slice(c);
                if big {
                    <$ty>::from_be_bytes(raw) as f64
                } else {
                    <$ty>::from_le_bytes(raw) as f64
                }
            }};
        }
        match t {
            1 => c[0] as i8 as f64,
            2 => c[0] as f64,
            3 => get!(i16),
            4 => get!(u16),
            5 => get!(i32),
            6 => get!(u32),
            7 => get!(f32),
            9 => get!(f64),
            12 => get!(i64),
            _ => get!(u64),
        }
    }

    fn type_size(t: u32) -> Option<usize> {
        Some(match t {
            1 | 2 => 1,
            3 | 4 => 2,
            5..=7 => 4,
            9 | 12 | 13 => 8,
            _ => return None,
        })
    }

    /// Walk the elements of `b` in order, handing each (type, data) to `each`.
    /// Every element counts against the file's budget.
    fn elements<'a>(
        b: &'a [u8],
        big: bool,
        budget: &mut Budget,
        mut each: impl FnMut(&mut Budget, u32, &'a [u8]) -> MxResult<()>,
    ) -> MxResult<()> {
        let mut at = 0;
        while b.len() - at >= 8 {
            budget.entry()?;
            let first = u32_at(b, at, big);
            if first >> 16 != 0 {
                let (t, n) = (first & 0xffff, (first >> 16) as usize);
                if n > 4 {
                    return Err(bad(budget.path, "a malformed small data element".into()));
                }
                each(budget, t, &b[at + 4..at + 4 + n])?;
                at += 8;
                continue;
            }
            let n = u32_at(b, at + 4, big) as usize;
            if n > b.len() - at - 8 {
                return Err(bad(budget.path, "a data element runs past the end of the file".into()));
            }
            each(budget, first, &b[at + 8..at + 8 + n])?;
            let padded = if first == MI_COMPRESSED { n } else { n.div_ceil(8) * 8 };
            at += 8 + padded.min(b.len() - at - 8);
        }
        Ok(())
    }

    /// A matrix element: kept when it is named `mat` or `M`.
    fn matrix(body: &[u8], big: bool, budget: &mut Budget, vars: &mut Vec<Var>) -> MxResult<()> {
        let path = budget.path;
        // flags, dims, name, values: the first four parts (the rest is ignored).
        let mut parts: [(u32, &[u8]); 4] = [(0, &[]); 4];
        let mut n = 0;
        elements(body, big, budget, |_, t, data| {
            if n < 4 {
                parts[n] = (t, data);
            }
            n += 1;
            Ok(())
        })?;
        if n < 3 || parts[0].1.len() < 4 || parts[1].0 != 5 {
            return Err(bad(path, "a malformed matrix element".into()));
        }
        let name = parts[2].1;
        if !wanted(name) {
            return Ok(());
        }
        let flags = u32_at(parts[0].1, 0, big);
        let (class, complex) = (flags & 0xff, flags & 0x0800 != 0);
        let dims_raw = parts[1].1;
        let dim = |i: usize| if dims_raw.len() >= 4 * (i + 1) { u32_at(dims_raw, 4 * i, big) as usize } else { 0 };
        let dims = [dim(0), dim(1)];
        // Numeric classes: mxDOUBLE (6) to mxUINT64 (15); MATLAB may store
        // doubles in a smaller integer type, converted here.
        let values = match (n >= 4).then_some(parts[3]) {
            Some((t, data)) if (6..=15).contains(&class) && !complex => match type_size(t) {
                Some(s) => Some(numbers(data, s, data.len() / s, |c| number(c, t, big))?),
                None => None,
            },
            _ => None,
        };
        keep(vars, Var { name: name_of(name)?, dims, values })
    }

    /// Inflate one compressed element within what is left of the file's budget.
    fn inflate(data: &[u8], budget: &mut Budget) -> MxResult<Vec<u8>> {
        let path = budget.path;
        let left = MAX_MAT_INFLATED - budget.inflated;
        // Room for all that is left (plus the byte that shows it is too
        // much), reserved up front: read_to_end never grows it.
        let mut inflated = try_vec(left as usize + 1, "an SPM sidecar's compressed element")?;
        ZlibDecoder::new(data)
            .take(left + 1)
            .read_to_end(&mut inflated)
            .map_err(|e| bad(path, format!("corrupt compressed data ({e})")))?;
        budget.inflated += inflated.len() as u64;
        if budget.inflated > MAX_MAT_INFLATED {
            return Err(bad(path, format!("its compressed elements inflate to more than {MAX_MAT_INFLATED} bytes")));
        }
        Ok(inflated)
    }

    pub(super) fn variables(b: &[u8], budget: &mut Budget) -> MxResult<Vec<Var>> {
        let big = &b[126..128] == b"MI";
        let mut vars = Vec::new();
        elements(&b[128..], big, budget, |budget, t, data| {
            match t {
                MI_MATRIX => matrix(data, big, budget, &mut vars)?,
                MI_COMPRESSED => {
                    let inflated = inflate(data, budget)?;
                    elements(&inflated, big, budget, |budget, t, inner| {
                        if t == MI_MATRIX {
                            matrix(inner, big, budget, &mut vars)?;
                        }
                        Ok(())
                    })?;
                }
                _ => {}
            }
            Ok(())
        })?;
        Ok(vars)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Affine {
        [[2.0, 0.0, 0.0, 9.0], [0.0, 3.0, 0.5, -21.0], [0.0, 0.0, 4.0, -4.0], [0.0, 0.0, 0.0, 1.0]]
    }

    #[test]
    fn v4_round_trip() {
        let bytes = write_v4(&[("M", sample()), ("mat", sample())]);
        let a = read(&bytes, "t.mat").unwrap();
        assert_eq!((a.m, a.mat), (Some(sample()), Some(sample())));
    }

    /// A MAT v5 file with one matrix element, as MATLAB writes it: the
    /// name as a small element, values in `value_type` (MATLAB stores
    /// integral doubles in the smallest integer type that holds them).
    fn v5_file(big: bool, name: &[u8], class: u32, value_type: u32, values: &[u8]) -> Vec<u8> {
        let w = |v: u32| if big { v.to_be_bytes() } else { v.to_le_bytes() };
        let pad = |v: &mut Vec<u8>| v.resize(v.len().div_ceil(8) * 8, 0);
        let mut body = Vec::new();
        for v in [6, 8, class, 0, 5, 8, 4, 4] {
            body.extend_from_slice(&w(v)); // flags element, then dims element {4 4}
        }
        body.extend_from_slice(&w((name.len() as u32) << 16 | 1)); // small miINT8
        body.extend_from_slice(name);
        pad(&mut body);
        body.extend_from_slice(&w(value_type));
        body.extend_from_slice(&w(values.len() as u32));
        body.extend_from_slice(values);
        pad(&mut body);
        let mut file = vec![b' '; 124];
        file.extend_from_slice(if big { &[0x01, 0x00] } else { &[0x00, 0x01] });
        file.extend_from_slice(if big { b"MI" } else { b"IM" });
        file.extend_from_slice(&w(14));
        file.extend_from_slice(&w(body.len() as u32));
        file.extend_from_slice(&body);
        file
    }

    #[test]
    fn v5_both_byte_orders_and_integer_storage() {
        // Column-major 4x4 of small integers, stored as miUINT8 in a double (class 6) array.
        let a: Affine = [[1.0, 0.0, 0.0, 9.0], [0.0, 2.0, 0.0, 8.0], [0.0, 0.0, 3.0, 7.0], [0.0, 0.0, 0.0, 1.0]];
        let bytes: Vec<u8> = (0..16).map(|i| a[i % 4][i / 4] as u8).collect();
        for big in [false, true] {
            let got = read(&v5_file(big, b"mat", 6, 2, &bytes), "t").unwrap();
            assert_eq!(got.mat, Some(a), "big {big}");
        }
        let doubles: Vec<u8> = (0..16).flat_map(|i| a[i % 4][i / 4].to_be_bytes()).collect();
        assert_eq!(read(&v5_file(true, b"M", 6, 9, &doubles), "t").unwrap().m, Some(a));
        // A char array (class 4) named mat is not an affine.
        let e = read(&v5_file(false, b"mat", 4, 2, &bytes), "t").unwrap_err();
        assert!(e.message.contains("not a real numeric matrix"), "{}", e.message);
        // Cut short: an element running past the end.
        let f = v5_file(false, b"mat", 6, 2, &bytes);
        assert_eq!(read(&f[..f.len() - 9], "t").unwrap_err().code, ["MX", "FORMAT", "MAT"]);
    }

    /// Every truncation and many byte flips of valid v4 and v5 files are
    /// errors or results, never panics (a cheap stand-in for a fuzz run).
    #[test]
    fn damaged_files_never_panic() {
        let a = sample();
        let doubles: Vec<u8> = (0..16).flat_map(|i| a[i % 4][i / 4].to_le_bytes()).collect();
        let files = [write_v4(&[("M", a), ("mat", a)]), v5_file(false, b"mat", 6, 9, &doubles)];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for file in &files {
            for cut in 0..file.len() {
                let _ = read(&file[..cut], "t");
            }
            for _ in 0..20_000 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let mut f = file.clone();
                let at = (seed as usize) % f.len();
                f[at] = (seed >> 32) as u8;
                let _ = read(&f, "t");
            }
        }
    }

    /// Issue 17's attack: compressed elements, each inflating to 4 MiB of
    /// 32-byte matrices (tag plus three small elements). Refused by the
    /// element bound after a few thousand, not read to millions of entries.
    #[test]
    fn sidecar_bombs_are_bounded() {
        use flate2::{write::ZlibEncoder, Compression};
        use std::io::Write;
        let mut one = Vec::new();
        for v in [14u32, 24, 4 << 16 | 6, 6, 4 << 16 | 5, 4, 1 << 16 | 1, b'x' as u32] {
            one.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(one.len(), 32);
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        for _ in 0..(4 << 20) / 32 {
            z.write_all(&one).unwrap();
        }
        let packed = z.finish().unwrap();
        let mut file = vec![b' '; 124];
        file.extend_from_slice(&[0x00, 0x01]);
        file.extend_from_slice(b"IM");
        for _ in 0..3 {
            file.extend_from_slice(&15u32.to_le_bytes());
            file.extend_from_slice(&(packed.len() as u32).to_le_bytes());
            file.extend_from_slice(&packed);
        }
        let e = read(&file, "t").unwrap_err();
        assert!(e.message.contains("more than 4096 data elements"), "{}", e.message);
        // Elements inflating past the total bound, each with few entries.
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        z.write_all(&[0u8; 3 << 20]).unwrap(); // one element of type 0, 3 MiB long
        let mut body = 0u32.to_le_bytes().to_vec();
        body.extend_from_slice(&((3u32 << 20) - 8).to_le_bytes());
        let mut inner = body.clone();
        inner.resize(3 << 20, 0);
        let mut z2 = ZlibEncoder::new(Vec::new(), Compression::best());
        z2.write_all(&inner).unwrap();
        drop(z);
        let packed = z2.finish().unwrap();
        let mut file = vec![b' '; 124];
        file.extend_from_slice(&[0x00, 0x01]);
        file.extend_from_slice(b"IM");
        for _ in 0..2 {
            file.extend_from_slice(&15u32.to_le_bytes());
            file.extend_from_slice(&(packed.len() as u32).to_le_bytes());
            file.extend_from_slice(&packed);
        }
        let e = read(&file, "t").unwrap_err();
        assert!(e.message.contains("inflate to more than 4194304 bytes"), "{}", e.message);
    }

    #[test]
    fn v4_refusals() {
        assert_eq!(read(b"short", "t").unwrap_err().code, ["MX", "FORMAT", "MAT"]);
        let mut b = write_v4(&[("x", sample())]);
        assert!(read(&b, "t").unwrap_err().message.contains("no variable mat or M"));
        b = write_v4(&[("mat", sample())]);
        b[4] = 3; // 3 rows
        assert!(read(&b[..b.len() - 8 * 4], "t").unwrap_err().message.contains("not 4x4"));
    }
}
