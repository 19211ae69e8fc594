//! Summary statistics of a voxel buffer: min, max and mean.
//!
//! Integer min and max are exact and so are their sums (i128: 2^40 voxels of
//! 2^64 still fit), also for int64 and uint64 — nothing goes through f64
//! but the mean. Float sums are accumulated in f64 per block so that a large
//! volume does not lose its small values. NaN voxels are ignored (skipped,
//! not propagated); a buffer with nothing but NaN has NaN statistics.

use super::voxel::{Value, VoxelType};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub min: Value,
    pub max: Value,
    pub mean: f64,
}

fn int_stats<const N: usize, T: Into<i128>>(bytes: &[u8], read: impl Fn([u8; N]) -> T) -> Stats {
    let mut min = i128::MAX;
    let mut max = i128::MIN;
    let mut sum: i128 = 0;
    let mut n: u64 = 0;
    for chunk in bytes.chunks_exact(N) {
        let v: i128 = read(chunk.try_into().expect("chunk of N bytes")).into();
        min = min.min(v);
        max = max.max(v);
        sum += v;
        n += 1;
    }
    // Quotient and remainder separately: the mean is then within one
    // rounding of the exact one (sum as f64 / n would round twice, so a
    // canvas filled with 2^64-1 had a mean below that value's double).
    let n = i128::from(n);
    Stats { min: Value::Int(min), max: Value::Int(max), mean: (sum / n) as f64 + (sum % n) as f64 / n as f64 }
}

fn float_stats<const N: usize>(bytes: &[u8], read: impl Fn([u8; N]) -> f64) -> Stats {
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    let mut total = 0f64;
    let mut n: u64 = 0;
    for block in bytes.chunks(N * 4096) {
        let mut partial = 0f64;
        for chunk in block.chunks_exact(N) {
            let v = read(chunk.try_into().expect("chunk of N bytes"));
            if v.is_nan() {
                continue;
            }
            min = min.min(v);
            max = max.max(v);
            partial += v;
            n += 1;
        }
        total += partial;
    }
    if n == 0 {
        return Stats { min: Value::Float(f64::NAN), max: Value::Float(f64::NAN), mean: f64::NAN };
    }
    Stats { min: Value::Float(min), max: Value::Float(max), mean: total / n as f64 }
}

/// Statistics of `bytes`, a non-empty buffer of voxels of `vtype`.
pub fn stats(vtype: VoxelType, bytes: &[u8]) -> Stats {
    match vtype {
        VoxelType::Uint8 => int_stats::<1, _>(bytes, |b| b[0]),
        VoxelType::Int8 => int_stats::<1, _>(bytes, |b| b[0] as i8),
        VoxelType::Uint16 => int_stats::<2, _>(bytes, u16::from_ne_bytes),
        VoxelType::Int16 => int_stats::<2, _>(bytes, i16::from_ne_bytes),
        VoxelType::Uint32 => int_stats::<4, _>(bytes, u32::from_ne_bytes),
        VoxelType::Int32 => int_stats::<4, _>(bytes, i32::from_ne_bytes),
        VoxelType::Int64 => int_stats::<8, _>(bytes, i64::from_ne_bytes),
        VoxelType::Uint64 => int_stats::<8, _>(bytes, u64::from_ne_bytes),
        VoxelType::Float32 => float_stats::<4>(bytes, |b| f32::from_ne_bytes(b) as f64),
        VoxelType::Float64 => float_stats::<8>(bytes, f64::from_ne_bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_stats_are_exact() {
        let data: Vec<u8> = [-5i16, 10, 7].iter().flat_map(|v| v.to_ne_bytes()).collect();
        let s = stats(VoxelType::Int16, &data);
        assert_eq!(s.min, Value::Int(-5));
        assert_eq!(s.max, Value::Int(10));
        assert_eq!(s.mean, 4.0);
    }

    #[test]
    fn sixty_four_bit_stats_do_not_round() {
        // 2^64-1 and 2^63+1 have no double of their own.
        let data: Vec<u8> = [u64::MAX, (1 << 63) + 1].iter().flat_map(|v| v.to_ne_bytes()).collect();
        let s = stats(VoxelType::Uint64, &data);
        assert_eq!(s.min, Value::Int((1 << 63) + 1));
        assert_eq!(s.max, Value::Int(u64::MAX as i128));
        assert_eq!(s.mean, ((u64::MAX as i128 + (1 << 63) + 1) / 2) as f64);
        let full: Vec<u8> = [u64::MAX; 4].iter().flat_map(|v| v.to_ne_bytes()).collect();
        assert_eq!(stats(VoxelType::Uint64, &full).mean, u64::MAX as f64);
        let data: Vec<u8> = [i64::MIN, i64::MAX - 1].iter().flat_map(|v| v.to_ne_bytes()).collect();
        let s = stats(VoxelType::Int64, &data);
        assert_eq!((s.min, s.max), (Value::Int(i64::MIN as i128), Value::Int(i64::MAX as i128 - 1)));
        assert_eq!(s.mean, -1.0);
    }

    #[test]
    fn float_stats_skip_nan() {
        let data: Vec<u8> = [1.0f32, f32::NAN, 3.0].iter().flat_map(|v| v.to_ne_bytes()).collect();
        let s = stats(VoxelType::Float32, &data);
        assert_eq!(s.min, Value::Float(1.0));
        assert_eq!(s.max, Value::Float(3.0));
        assert_eq!(s.mean, 2.0);
        let nan: Vec<u8> = f64::NAN.to_ne_bytes().to_vec();
        assert!(stats(VoxelType::Float64, &nan).mean.is_nan());
    }
}
