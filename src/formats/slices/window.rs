//! The viewer's default window: a robust range that shows anatomy, not the
//! one hot voxel. The 2nd to 98th percentile of the frame's non-zero
//! voxels (NaN skipped; zero is background in nearly every scan), with
//! numpy's default linear interpolation (`np.percentile(v, [2, 98])`), so
//! a test can compare it with numpy. The viewer computes it once per frame
//! (library/view.tcl keeps it), never per redraw. Nothing the size of the
//! frame is allocated: a 512x512x300 frame takes 0.5 s as int16, 2.4 s as
//! float32, in a few MiB.

use crate::core::error::MxResult;
use crate::core::stats::stats;
use crate::core::{Canvas, MxError, VoxelType};

/// The percentiles the window spans.
pub const LOW: f64 = 2.0;
pub const HIGH: f64 = 98.0;

/// `np.percentile(values, q)` (linear) of `values`, which it reorders;
/// `values` must not be empty nor hold NaN. The tests' reference.
#[cfg(test)]
fn percentile(values: &mut [f64], q: f64) -> f64 {
    let pos = q / 100.0 * (values.len() - 1) as f64;
    let i = pos.floor() as usize;
    let frac = pos - i as f64;
    let (_, &mut at, rest) = values.select_nth_unstable_by(i, f64::total_cmp);
    if frac == 0.0 || rest.is_empty() {
        return at;
    }
    let next = rest.iter().copied().fold(f64::INFINITY, f64::min);
    at + frac * (next - at)
}

/// The default window of `frame`: 2nd..98th percentile of the non-zero
/// non-NaN voxels; the frame's min..max when that is empty or a single
/// value (a mask of ones would otherwise be all black); (0, 0) for a frame
/// of nothing but NaN.
///
/// The four order statistics the two percentiles need are found exactly
/// without copying the frame: 8- and 16-bit integers by one counting pass
/// over 65536 bins; other types by a radix select on the values' 64-bit
/// order keys, 16 bits a pass, the four ranks at once (five passes, the
/// first counting), in 2 MiB of counters.
pub fn robust(canvas: &Canvas, frame: usize) -> MxResult<(f64, f64)> {
    let frame_bytes = canvas.bytes() / canvas.geometry().frames;
    let bytes = &canvas.as_bytes()[frame * frame_bytes..(frame + 1) * frame_bytes];
    let vtype = canvas.voxel_type();
    let small = match vtype {
        VoxelType::Uint8 => Some(0i64),
        VoxelType::Int8 => Some(-128),
        VoxelType::Uint16 => Some(0),
        VoxelType::Int16 => Some(-32768),
        _ => None,
    };
    let window = match small {
        Some(offset) => by_histogram(bytes, vtype, offset)?,
        None => by_select(bytes, vtype)?,
    };
    if let Some((lo, hi)) = window.filter(|(lo, hi)| lo < hi) {
        return Ok((lo, hi));
    }
    let s = stats(vtype, bytes);
    let (lo, hi) = (s.min.as_f64(), s.max.as_f64());
    Ok(if lo.is_nan() || hi.is_nan() { (0.0, 0.0) } else { (lo, hi) })
}

/// Visit every non-zero non-NaN value of `bytes` (voxels of `vtype`) as f64,
/// one typed loop per voxel type.
fn visit(bytes: &[u8], vtype: VoxelType, mut f: impl FnMut(f64)) {
    macro_rules! typed {
        ($t:ty) => {{
            const N: usize = std::mem::size_of::<$t>();
            for b in bytes.chunks_exact(N) {
                let v = <$t>::from_ne_bytes(b.try_into().expect("N bytes")) as f64;
                if v != 0.0 && !v.is_nan() {
                    f(v)
                }
            }
        }};
    }
    match vtype {
        VoxelType::Uint8 => typed!(u8),
        VoxelType::Int8 => typed!(i8),
        VoxelType::Uint16 => typed!(u16),
        VoxelType::Int16 => typed!(i16),
        VoxelType::Uint32 => typed!(u32),
        VoxelType::Int32 => typed!(i32),
        VoxelType::Float32 => typed!(f32),
        VoxelType::Float64 => typed!(f64),
        VoxelType::Int64 => typed!(i64),
        VoxelType::Uint64 => typed!(u64),
    }
}

/// The ranks around the two percentiles' positions among `n` values and
/// the interpolation: (ranks, fractions) for LOW and HIGH.
fn ranks(n: usize) -> ([usize; 4], [f64; 2]) {
    let at = |q: f64| {
        let pos = q / 100.0 * (n - 1) as f64;
        let i = pos.floor() as usize;
        (i, (i + 1).min(n - 1), pos - i as f64)
    };
    let ((a, b, fa), (c, d, fc)) = (at(LOW), at(HIGH));
    ([a, b, c, d], [fa, fc])
}

fn interpolate(v: [f64; 4], f: [f64; 2]) -> (f64, f64) {
    (v[0] + f[0] * (v[1] - v[0]), v[2] + f[1] * (v[3] - v[2]))
}

fn counters(n: usize) -> MxResult<Vec<usize>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        let b = n.saturating_mul(std::mem::size_of::<usize>());
        MxError::mx(format!("cannot allocate {b} bytes for the default window"), &["ALLOC", &b.to_string()])
    })?;
    v.resize(n, 0);
    Ok(v)
}

/// 8- and 16-bit integers: one histogram of every value (less `offset`).
fn by_histogram(bytes: &[u8], vtype: VoxelType, offset: i64) -> MxResult<Option<(f64, f64)>> {
    let mut counts = counters(1 << 16)?;
    let mut n = 0usize;
    visit(bytes, vtype, |v| {
        counts[(v as i64 - offset) as usize] += 1;
        n += 1;
    });
    if n == 0 {
        return Ok(None);
    }
    let (want, frac) = ranks(n);
    let mut found = [0.0; 4];
    for (j, &r) in want.iter().enumerate() {
        let mut left = r;
        for (bin, &c) in counts.iter().enumerate() {
            if left < c {
                found[j] = (bin as i64 + offset) as f64;
                break;
            }
            left -= c;
        }
    }
    Ok(Some(interpolate(found, frac)))
}

/// A key whose unsigned order is the numeric order of non-NaN doubles.
fn key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | 1 << 63
    }
}

fn unkey(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// Other types: radix select of the four ranks at once on the order keys.
fn by_select(bytes: &[u8], vtype: VoxelType) -> MxResult<Option<(f64, f64)>> {
    let mut n = 0usize;
    visit(bytes, vtype, |_| n += 1);
    if n == 0 {
        return Ok(None);
    }
    let (want, frac) = ranks(n);
    let found = select(&want, |f| visit(bytes, vtype, f))?;
    Ok(Some(interpolate(found, frac)))
}

/// The values of ranks `want` (0-based, ascending) among those `each` visits.
fn select(want: &[usize; 4], each: impl Fn(&mut dyn FnMut(f64))) -> MxResult<[f64; 4]> {
    let mut counts = counters(4 << 16)?;
    let (mut prefix, mut left) = ([0u64; 4], *want);
    for pass in 0..4 {
        let shift = 48 - 16 * pass;
        counts.iter_mut().for_each(|c| *c = 0);
        // Only the keys that share the digits found so far count for a rank.
        let high = |k: u64| if pass == 0 { 0 } else { k >> (shift + 16) };
        let wanted = prefix.map(high);
        each(&mut |v| {
            let k = key(v);
            let (h, digit) = (high(k), ((k >> shift) & 0xffff) as usize);
            for j in 0..4 {
                if h == wanted[j] {
                    counts[(j << 16) | digit] += 1;
                }
            }
        });
        for j in 0..4 {
            let mut digit = 0;
            for (d, &c) in counts[j << 16..(j + 1) << 16].iter().enumerate() {
                if left[j] < c {
                    digit = d;
                    break;
                }
                left[j] -= c;
            }
            prefix[j] |= (digit as u64) << shift;
        }
    }
    Ok(prefix.map(unkey))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Geometry, Value};

    fn canvas(values: &[f64]) -> Canvas {
        let g = Geometry::new([values.len() as i64, 1, 1, 1], VoxelType::Float32).unwrap();
        let mut c = Canvas::new(g, VoxelType::Float32).unwrap();
        for (i, &v) in values.iter().enumerate() {
            c.set([i as i64, 0, 0, 0], Value::Float(v)).unwrap();
        }
        c
    }

    #[test]
    fn radix_select_agrees_with_sorting() {
        // A scrambled mix of negative, fractional, repeated and huge values.
        let vals: Vec<f64> = (0..5000u64)
            .map(|i| {
                let x = (i * 2_654_435_761 % 10_007) as f64;
                match i % 5 {
                    0 => -x / 7.0,
                    1 => x * 1e9,
                    2 => (x % 13.0).floor(),
                    _ => x + 0.25,
                }
            })
            .filter(|v| *v != 0.0)
            .collect();
        let each = |f: &mut dyn FnMut(f64)| vals.iter().for_each(|&v| f(v));
        let mut sorted = vals.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        for want in [[0, 1, 99, 2500], [n - 2, n - 1, n - 1, 0], [7, 7, 3000, 3001]] {
            assert_eq!(select(&want, each).unwrap(), want.map(|r| sorted[r]), "ranks {want:?}");
        }
        let (mut a, mut b) = (vals.clone(), vals.clone());
        let c = canvas(&vals.iter().map(|v| v / 1e6).collect::<Vec<_>>());
        // float32 canvas: compare with the reference on the same (rounded) values
        let mut stored: Vec<f64> = (0..vals.len()).map(|i| c.get([i as i64, 0, 0, 0]).unwrap().as_f64()).collect();
        stored.retain(|v| *v != 0.0);
        let mut stored2 = stored.clone();
        assert_eq!(robust(&c, 0).unwrap(), (percentile(&mut stored, LOW), percentile(&mut stored2, HIGH)));
        let _ = (percentile(&mut a, LOW), percentile(&mut b, HIGH));
    }

    #[test]
    fn sixteen_bit_histogram_agrees_with_sorting() {
        let g = Geometry::new([3000, 1, 1, 1], VoxelType::Int16).unwrap();
        let mut c = Canvas::new(g, VoxelType::Int16).unwrap();
        let mut vals = Vec::new();
        for i in 0..3000i64 {
            let v = (i * 7919 % 4001) - 2000;
            c.set([i, 0, 0, 0], Value::Int(v.into())).unwrap();
            if v != 0 {
                vals.push(v as f64);
            }
        }
        let mut other = vals.clone();
        assert_eq!(robust(&c, 0).unwrap(), (percentile(&mut vals, LOW), percentile(&mut other, HIGH)));
    }

    #[test]
    fn numpy_linear_percentiles() {
        // np.percentile(np.arange(1, 101), [2, 98]) == [2.98, 98.02]
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert!((percentile(&mut v, 2.0) - 2.98).abs() < 1e-12);
        assert!((percentile(&mut v, 98.0) - 98.02).abs() < 1e-12);
        assert_eq!(percentile(&mut [5.0], 98.0), 5.0);
    }

    #[test]
    fn zeros_and_nan_are_skipped() {
        let mut vals = vec![0.0; 500];
        vals.extend((1..=100).map(f64::from));
        vals.push(f64::NAN);
        vals.push(30000.0);
        let (lo, hi) = robust(&canvas(&vals), 0).unwrap();
        // 101 values 1..100 and 30000: positions 2 and 98 of 100.
        assert!((lo - 3.0).abs() < 1e-9 && (hi - 99.0).abs() < 1e-9, "{lo} {hi}");
    }

    #[test]
    fn masks_and_empty_frames_use_min_max() {
        assert_eq!(robust(&canvas(&[0.0, 1.0, 1.0, 0.0]), 0).unwrap(), (0.0, 1.0));
        assert_eq!(robust(&canvas(&[0.0, 0.0]), 0).unwrap(), (0.0, 0.0));
        assert_eq!(robust(&canvas(&[f64::NAN]), 0).unwrap(), (0.0, 0.0));
    }
}
