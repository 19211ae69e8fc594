//! The contract's ten voxel types, as a runtime tag ([`VoxelType`]) and as
//! the Rust types a segment can be viewed as ([`Voxel`]).

use crate::Error;
use std::fmt;
use std::str::FromStr;

/// A voxel type of the contract, by the name scripts use (`-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VoxelType {
    Uint8,
    Int8,
    Uint16,
    Int16,
    Uint32,
    Int32,
    Float32,
    Int64,
    Uint64,
    Float64,
}

impl VoxelType {
    /// All types, in the contract's order.
    pub const ALL: [VoxelType; 10] = [
        VoxelType::Uint8,
        VoxelType::Int8,
        VoxelType::Uint16,
        VoxelType::Int16,
        VoxelType::Uint32,
        VoxelType::Int32,
        VoxelType::Float32,
        VoxelType::Int64,
        VoxelType::Uint64,
        VoxelType::Float64,
    ];

    /// The name scripts use: `uint8` ... `float64`.
    pub fn name(self) -> &'static str {
        match self {
            VoxelType::Uint8 => "uint8",
            VoxelType::Int8 => "int8",
            VoxelType::Uint16 => "uint16",
            VoxelType::Int16 => "int16",
            VoxelType::Uint32 => "uint32",
            VoxelType::Int32 => "int32",
            VoxelType::Float32 => "float32",
            VoxelType::Int64 => "int64",
            VoxelType::Uint64 => "uint64",
            VoxelType::Float64 => "float64",
        }
    }

    /// Bytes per voxel.
    pub fn size(self) -> usize {
        match self {
            VoxelType::Uint8 | VoxelType::Int8 => 1,
            VoxelType::Uint16 | VoxelType::Int16 => 2,
            VoxelType::Uint32 | VoxelType::Int32 | VoxelType::Float32 => 4,
            VoxelType::Int64 | VoxelType::Uint64 | VoxelType::Float64 => 8,
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, VoxelType::Float32 | VoxelType::Float64)
    }
}

impl fmt::Display for VoxelType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for VoxelType {
    type Err = Error;

    fn from_str(s: &str) -> Result<VoxelType, Error> {
        VoxelType::ALL.into_iter().find(|t| t.name() == s).ok_or_else(|| Error::Argument {
            what: "voxel type",
            text: s.to_string(),
            expected: "one of uint8, int8, uint16, int16, uint32, int32, float32, int64, uint64, float64".to_string(),
        })
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A Rust type a segment's voxels can be viewed as: exactly the contract's
/// ten (sealed, so that every bit pattern of the segment is a valid value,
/// which is what makes handing out `&[T]` over shared memory sound).
pub trait Voxel: Copy + Default + PartialOrd + fmt::Debug + Send + Sync + sealed::Sealed + 'static {
    /// The contract's name for this type.
    const TYPE: VoxelType;

    /// The value as a double (exact for every type but int64 and uint64
    /// values beyond 2^53, which round to the nearest double).
    fn to_f64(self) -> f64;

    /// The nearest value of this type: integers round half away from zero and
    /// saturate at the type's range (NaN becomes 0); float32 rounds to nearest.
    fn from_f64(value: f64) -> Self;
}

macro_rules! voxel_int {
    ($($t:ty => $v:ident),*) => {$(
        impl sealed::Sealed for $t {}
        impl Voxel for $t {
            const TYPE: VoxelType = VoxelType::$v;
            fn to_f64(self) -> f64 { self as f64 }
            // `as` from a float saturates and maps NaN to 0 (also at the
            // 64-bit ends, whose limits are no doubles).
            fn from_f64(value: f64) -> Self { value.round() as $t }
        }
    )*};
}
voxel_int!(
    u8 => Uint8, i8 => Int8, u16 => Uint16, i16 => Int16, u32 => Uint32, i32 => Int32, i64 => Int64, u64 => Uint64
);

impl sealed::Sealed for f32 {}
impl Voxel for f32 {
    const TYPE: VoxelType = VoxelType::Float32;
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn from_f64(value: f64) -> Self {
        value as f32
    }
}

impl sealed::Sealed for f64 {}
impl Voxel for f64 {
    const TYPE: VoxelType = VoxelType::Float64;
    fn to_f64(self) -> f64 {
        self
    }
    fn from_f64(value: f64) -> Self {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sizes() {
        for t in VoxelType::ALL {
            assert_eq!(t.name().parse::<VoxelType>().unwrap(), t);
        }
        assert_eq!(u8::TYPE.size(), 1);
        assert_eq!(i16::TYPE.size(), 2);
        assert_eq!(f32::TYPE.size(), 4);
        assert_eq!(f64::TYPE.size(), 8);
        assert_eq!((i64::TYPE, u64::TYPE), (VoxelType::Int64, VoxelType::Uint64));
        assert_eq!(u64::TYPE.size(), 8);
        assert_eq!("uint64".parse::<VoxelType>().unwrap(), VoxelType::Uint64);
        let e = "int128".parse::<VoxelType>().unwrap_err();
        assert!(e.to_string().contains("bad voxel type \"int128\""), "{e}");
    }

    #[test]
    fn from_f64_rounds_and_saturates() {
        assert_eq!(u8::from_f64(300.0), 255);
        assert_eq!(u8::from_f64(-3.0), 0);
        assert_eq!(i8::from_f64(-2.5), -3);
        assert_eq!(i16::from_f64(2.5), 3);
        assert_eq!(i32::from_f64(f64::NAN), 0);
        assert_eq!(u32::from_f64(4294967295.0), u32::MAX);
        assert_eq!(f32::from_f64(0.5), 0.5);
        assert_eq!(f64::from_f64(-0.125), -0.125);
        assert_eq!(u64::from_f64(1e30), u64::MAX);
        assert_eq!(u64::from_f64(-1.0), 0);
        assert_eq!(i64::from_f64(-1e30), i64::MIN);
        assert_eq!(i64::from_f64(-2.5), -3);
    }
}
