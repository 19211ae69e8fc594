//! Voxel buffer conversions needed between files and canvases: byte order
//! and value scaling.

use crate::core::error::MxResult;
use crate::core::{Canvas, Geometry, VoxelType};

/// Reverse the bytes of every `size`-byte voxel (big- <-> little-endian).
pub fn swap_bytes(data: &mut [u8], size: usize) {
    if size > 1 {
        for voxel in data.chunks_exact_mut(size) {
            voxel.reverse();
        }
    }
}

/// The float type that holds a scaled value of `stored` without losing what
/// matters: float32 for types of up to 16 bits and float32 itself, float64
/// for 32- and 64-bit integers (float32 would round them; float64 rounds
/// 64-bit ones beyond 2^53 only, as nibabel's scaled data does) and float64.
pub fn scaled_type(stored: VoxelType) -> VoxelType {
    if stored.size() <= 2 || stored == VoxelType::Float32 {
        VoxelType::Float32
    } else {
        VoxelType::Float64
    }
}

/// A float canvas holding `stored * slope + inter` for every voxel of
/// `canvas` (its own scaling, or none), with metadata saying "no scaling"
/// since the values are now real ones.
pub fn apply_scaling(canvas: &Canvas) -> MxResult<Canvas> {
    let from = canvas.voxel_type();
    let to = scaled_type(from);
    let mut metadata = canvas.metadata().clone();
    let (slope, inter) = metadata.effective_scaling().unwrap_or((1.0, 0.0));
    let g = canvas.geometry();
    // In the same kind of storage: a `-storage shm` load stays in a segment.
    let mut out = Canvas::new_in(Geometry::new(g.dims().map(|d| d as i64), to)?, to, canvas.storage_kind())?;
    let (size_in, size_out) = (from.size(), to.size());
    for (src, dst) in canvas.as_bytes().chunks_exact(size_in).zip(out.as_bytes_mut().chunks_exact_mut(size_out)) {
        let real = from.decode(src).as_f64() * slope + inter;
        if to == VoxelType::Float32 {
            dst.copy_from_slice(&(real as f32).to_ne_bytes());
        } else {
            dst.copy_from_slice(&real.to_ne_bytes());
        }
    }
    metadata.scl_slope = 1.0;
    metadata.scl_inter = 0.0;
    out.set_metadata(metadata);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Metadata, Value};

    #[test]
    fn swapping_twice_is_identity() {
        let mut d = vec![1u8, 2, 3, 4, 5, 6, 7, 8];
        swap_bytes(&mut d, 4);
        assert_eq!(d, [4, 3, 2, 1, 8, 7, 6, 5]);
        swap_bytes(&mut d, 4);
        assert_eq!(d, [1, 2, 3, 4, 5, 6, 7, 8]);
        swap_bytes(&mut d, 1);
        assert_eq!(d, [1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn scaling_makes_floats() {
        let g = Geometry::new([3, 1, 1, 1], VoxelType::Int16).unwrap();
        let mut c = Canvas::new(g, VoxelType::Int16).unwrap();
        c.set([1, 0, 0, 0], Value::Int(-4)).unwrap();
        c.set([2, 0, 0, 0], Value::Int(100)).unwrap();
        c.set_metadata(Metadata { scl_slope: 0.5, scl_inter: 10.0, ..Metadata::default() });
        let s = apply_scaling(&c).unwrap();
        assert_eq!(s.voxel_type(), VoxelType::Float32);
        assert_eq!(s.get([0, 0, 0, 0]).unwrap(), Value::Float(10.0));
        assert_eq!(s.get([1, 0, 0, 0]).unwrap(), Value::Float(8.0));
        assert_eq!(s.get([2, 0, 0, 0]).unwrap(), Value::Float(60.0));
        assert_eq!((s.metadata().scl_slope, s.metadata().scl_inter), (1.0, 0.0));
    }

    #[test]
    fn unscaled_32_bit_integers_become_exact_doubles() {
        let g = Geometry::new([1, 1, 1, 1], VoxelType::Int32).unwrap();
        let mut c = Canvas::new(g, VoxelType::Int32).unwrap();
        c.set([0, 0, 0, 0], Value::Int(16_777_217)).unwrap();
        c.set_metadata(Metadata { scl_slope: 0.0, ..Metadata::default() });
        let s = apply_scaling(&c).unwrap();
        assert_eq!(s.voxel_type(), VoxelType::Float64);
        assert_eq!(s.get([0, 0, 0, 0]).unwrap(), Value::Float(16_777_217.0));
    }
}
