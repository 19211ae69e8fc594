//! The eight voxel types of the contract, and conversion of one voxel value
//! to and from its native-endian bytes.

use super::error::{MxError, MxResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VoxelType {
    Uint8,
    Int8,
    Uint16,
    Int16,
    Uint32,
    Int32,
    Float32,
    Float64,
}

/// A voxel value as a script sees it: integer types give integers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
}

impl Value {
    pub fn as_f64(self) -> f64 {
        match self {
            Value::Int(i) => i as f64,
            Value::Float(f) => f,
        }
    }
}

/// A value encoded for one voxel: `len` native-endian bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoded {
    bytes: [u8; 8],
    len: usize,
}

impl Encoded {
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn new(src: &[u8]) -> Self {
        let mut bytes = [0u8; 8];
        bytes[..src.len()].copy_from_slice(src);
        Encoded { bytes, len: src.len() }
    }
}

impl VoxelType {
    /// All types, in the order the contract lists them (and error messages too).
    pub const ALL: [VoxelType; 8] = [
        VoxelType::Uint8,
        VoxelType::Int8,
        VoxelType::Uint16,
        VoxelType::Int16,
        VoxelType::Uint32,
        VoxelType::Int32,
        VoxelType::Float32,
        VoxelType::Float64,
    ];

    pub fn name(self) -> &'static str {
        match self {
            VoxelType::Uint8 => "uint8",
            VoxelType::Int8 => "int8",
            VoxelType::Uint16 => "uint16",
            VoxelType::Int16 => "int16",
            VoxelType::Uint32 => "uint32",
            VoxelType::Int32 => "int32",
            VoxelType::Float32 => "float32",
            VoxelType::Float64 => "float64",
        }
    }

    pub fn from_name(name: &str) -> Option<VoxelType> {
        VoxelType::ALL.iter().copied().find(|t| t.name() == name)
    }

    /// Bytes per voxel.
    pub fn size(self) -> usize {
        match self {
            VoxelType::Uint8 | VoxelType::Int8 => 1,
            VoxelType::Uint16 | VoxelType::Int16 => 2,
            VoxelType::Uint32 | VoxelType::Int32 | VoxelType::Float32 => 4,
            VoxelType::Float64 => 8,
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, VoxelType::Float32 | VoxelType::Float64)
    }

    /// The inclusive range of an integer type; `None` for float types.
    pub fn int_range(self) -> Option<(i64, i64)> {
        match self {
            VoxelType::Uint8 => Some((0, u8::MAX as i64)),
            VoxelType::Int8 => Some((i8::MIN as i64, i8::MAX as i64)),
            VoxelType::Uint16 => Some((0, u16::MAX as i64)),
            VoxelType::Int16 => Some((i16::MIN as i64, i16::MAX as i64)),
            VoxelType::Uint32 => Some((0, u32::MAX as i64)),
            VoxelType::Int32 => Some((i32::MIN as i64, i32::MAX as i64)),
            VoxelType::Float32 | VoxelType::Float64 => None,
        }
    }

    /// Encode `value` for this type, refusing anything that does not fit:
    /// integers outside the type's range, non-integers for integer types,
    /// finite doubles beyond float32's range. Infinities and NaN are
    /// representable in both float types and are accepted.
    /// The one wording of an integer value outside this (integer) type's
    /// range, given as `text` (it may be too large to read as an i64).
    pub fn range_error(self, text: &str) -> MxError {
        let (lo, hi) = self.int_range().unwrap_or((i64::MIN, i64::MAX));
        MxError::mx(
            format!("value {text} is out of range for {}: expected an integer from {lo} to {hi}", self.name()),
            &["VALUE", "RANGE", self.name(), text],
        )
    }

    pub fn encode(self, value: Value) -> MxResult<Encoded> {
        match (self, value) {
            (VoxelType::Float64, v) => Ok(Encoded::new(&v.as_f64().to_ne_bytes())),
            (VoxelType::Float32, v) => {
                let d = v.as_f64();
                if d.is_finite() && d.abs() > f32::MAX as f64 {
                    return Err(MxError::mx(
                        format!(
                            "value {d:e} is out of range for float32: expected a magnitude of at most {:e}",
                            f32::MAX
                        ),
                        &["VALUE", "RANGE", "float32", &format!("{d:e}")],
                    ));
                }
                Ok(Encoded::new(&(d as f32).to_ne_bytes()))
            }
            (t, Value::Float(f)) => Err(MxError::tcl(
                format!("expected integer but got \"{f}\" for a {} voxel", t.name()),
                &["VALUE", "NUMBER"],
            )),
            (t, Value::Int(i)) => {
                let (lo, hi) = t.int_range().expect("integer type has a range");
                if i < lo || i > hi {
                    return Err(t.range_error(&i.to_string()));
                }
                Ok(match t {
                    VoxelType::Uint8 => Encoded::new(&(i as u8).to_ne_bytes()),
                    VoxelType::Int8 => Encoded::new(&(i as i8).to_ne_bytes()),
                    VoxelType::Uint16 => Encoded::new(&(i as u16).to_ne_bytes()),
                    VoxelType::Int16 => Encoded::new(&(i as i16).to_ne_bytes()),
                    VoxelType::Uint32 => Encoded::new(&(i as u32).to_ne_bytes()),
                    _ => Encoded::new(&(i as i32).to_ne_bytes()),
                })
            }
        }
    }

    /// Decode one voxel from exactly `self.size()` native-endian bytes.
    pub fn decode(self, b: &[u8]) -> Value {
        match self {
            VoxelType::Uint8 => Value::Int(b[0] as i64),
            VoxelType::Int8 => Value::Int(b[0] as i8 as i64),
            VoxelType::Uint16 => Value::Int(u16::from_ne_bytes([b[0], b[1]]) as i64),
            VoxelType::Int16 => Value::Int(i16::from_ne_bytes([b[0], b[1]]) as i64),
            VoxelType::Uint32 => Value::Int(u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as i64),
            VoxelType::Int32 => Value::Int(i32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as i64),
            VoxelType::Float32 => Value::Float(f32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as f64),
            VoxelType::Float64 => {
                let mut a = [0u8; 8];
                a.copy_from_slice(&b[..8]);
                Value::Float(f64::from_ne_bytes(a))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in VoxelType::ALL {
            assert_eq!(VoxelType::from_name(t.name()), Some(t));
        }
        assert_eq!(VoxelType::from_name("int64"), None);
    }

    #[test]
    fn integer_ranges_are_enforced() {
        assert!(VoxelType::Uint8.encode(Value::Int(255)).is_ok());
        let e = VoxelType::Uint8.encode(Value::Int(256)).unwrap_err();
        assert_eq!(e.code, ["MX", "VALUE", "RANGE", "uint8", "256"]);
        assert!(VoxelType::Int8.encode(Value::Int(-129)).is_err());
        assert!(VoxelType::Uint32.encode(Value::Int(4294967295)).is_ok());
        assert!(VoxelType::Uint32.encode(Value::Int(-1)).is_err());
        assert!(VoxelType::Int32.encode(Value::Int(i32::MIN as i64)).is_ok());
        assert!(VoxelType::Int16.encode(Value::Float(1.5)).is_err());
    }

    #[test]
    fn round_trip_every_type() {
        for t in VoxelType::ALL {
            let v = if t.is_float() { Value::Float(-2.5) } else { Value::Int(t.int_range().unwrap().0) };
            let e = t.encode(v).unwrap();
            assert_eq!(e.as_bytes().len(), t.size());
            assert_eq!(t.decode(e.as_bytes()), v);
        }
    }

    #[test]
    fn float32_range() {
        assert!(VoxelType::Float32.encode(Value::Float(1e39)).is_err());
        assert!(VoxelType::Float32.encode(Value::Float(f64::INFINITY)).is_ok());
        assert!(VoxelType::Float32.encode(Value::Float(3.0e38)).is_ok());
        assert!(VoxelType::Float64.encode(Value::Float(1e300)).is_ok());
        assert_eq!(VoxelType::Float32.encode(Value::Int(7)).unwrap().as_bytes(), 7f32.to_ne_bytes());
    }
}
