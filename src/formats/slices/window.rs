//! The viewer's default window: a robust range that shows anatomy, not the
//! one hot voxel. The 2nd to 98th percentile of the frame's non-zero
//! voxels (NaN skipped; zero is background in nearly every scan), with
//! numpy's default linear interpolation (`np.percentile(v, [2, 98])`), so
//! a test can compare it with numpy. The viewer computes it once per frame
//! and canvas change (library/view.tcl keeps it), never per redraw.

use crate::core::error::MxResult;
use crate::core::stats::stats;
use crate::core::{Canvas, MxError};

/// The percentiles the window spans.
pub const LOW: f64 = 2.0;
pub const HIGH: f64 = 98.0;

/// `np.percentile(values, q)` (linear) of `values`, which it reorders;
/// `values` must not be empty nor hold NaN.
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
pub fn robust(canvas: &Canvas, frame: usize) -> MxResult<(f64, f64)> {
    let frame_bytes = canvas.bytes() / canvas.geometry().frames;
    let bytes = &canvas.as_bytes()[frame * frame_bytes..(frame + 1) * frame_bytes];
    let vtype = canvas.voxel_type();
    let size = vtype.size();
    let n = bytes.len() / size;
    let mut values: Vec<f64> = Vec::new();
    values.try_reserve_exact(n).map_err(|_| {
        let b = n.saturating_mul(8);
        MxError::mx(format!("cannot allocate {b} bytes for the default window"), &["ALLOC", &b.to_string()])
    })?;
    values.extend(bytes.chunks_exact(size).map(|b| vtype.decode(b).as_f64()).filter(|v| !v.is_nan() && *v != 0.0));
    if !values.is_empty() {
        let lo = percentile(&mut values, LOW);
        let hi = percentile(&mut values, HIGH);
        if lo < hi {
            return Ok((lo, hi));
        }
    }
    let s = stats(vtype, bytes);
    let (lo, hi) = (s.min.as_f64(), s.max.as_f64());
    Ok(if lo.is_nan() || hi.is_nan() { (0.0, 0.0) } else { (lo, hi) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Geometry, Value, VoxelType};

    fn canvas(values: &[f64]) -> Canvas {
        let g = Geometry::new([values.len() as i64, 1, 1, 1], VoxelType::Float32).unwrap();
        let mut c = Canvas::new(g, VoxelType::Float32).unwrap();
        for (i, &v) in values.iter().enumerate() {
            c.set([i as i64, 0, 0, 0], Value::Float(v)).unwrap();
        }
        c
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
