//! The ten voxel types of the contract — one table says what each is — and
//! conversion of one voxel value to and from its native-endian bytes.

use super::error::{MxError, MxResult};

/// The voxel types, declared in the contract's order (error messages and
/// `-type` lists follow it). `self as usize` indexes [`TYPES`].
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

/// What a voxel type is: its name, bytes per voxel, and for integer types
/// the inclusive range (i128 holds every range, uint64's and int64's too).
struct TypeInfo {
    name: &'static str,
    size: usize,
    range: Option<(i128, i128)>,
}

const fn int(name: &'static str, size: usize, lo: i128, hi: i128) -> TypeInfo {
    TypeInfo { name, size, range: Some((lo, hi)) }
}

/// One row per [`VoxelType`], in declaration order.
const TYPES: [TypeInfo; 10] = [
    int("uint8", 1, 0, u8::MAX as i128),
    int("int8", 1, i8::MIN as i128, i8::MAX as i128),
    int("uint16", 2, 0, u16::MAX as i128),
    int("int16", 2, i16::MIN as i128, i16::MAX as i128),
    int("uint32", 4, 0, u32::MAX as i128),
    int("int32", 4, i32::MIN as i128, i32::MAX as i128),
    TypeInfo { name: "float32", size: 4, range: None },
    int("int64", 8, i64::MIN as i128, i64::MAX as i128),
    int("uint64", 8, 0, u64::MAX as i128),
    TypeInfo { name: "float64", size: 8, range: None },
];

/// A voxel value as a script sees it: integer types give integers, exactly
/// (an i128 holds uint64's 2^64-1 and int64's -2^63 alike).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Int(i128),
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

/// `text` for a message: as Tcl's own parsing errors do, a long value is cut
/// (a 100,000-digit integer is still named, not printed whole).
fn shown(text: &str) -> String {
    const LIMIT: usize = 100;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}

/// The first `N` bytes of `b` (callers pass exactly one voxel).
fn first<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&b[..N]);
    a
}

impl VoxelType {
    /// All types, in the order the contract lists them (and error messages too).
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

    fn info(self) -> &'static TypeInfo {
        &TYPES[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn from_name(name: &str) -> Option<VoxelType> {
        VoxelType::ALL.iter().copied().find(|t| t.name() == name)
    }

    /// Every type's name, for messages: "uint8, int8, ..., float64".
    pub fn all_names(conjunction: &str) -> String {
        let names: Vec<&str> = VoxelType::ALL.iter().map(|t| t.name()).collect();
        format!("{} {conjunction} {}", names[..names.len() - 1].join(", "), names[names.len() - 1])
    }

    /// Bytes per voxel.
    pub fn size(self) -> usize {
        self.info().size
    }

    pub fn is_float(self) -> bool {
        self.info().range.is_none()
    }

    /// The inclusive range of an integer type; `None` for float types.
    pub fn int_range(self) -> Option<(i128, i128)> {
        self.info().range
    }

    /// What a value of this type must be, for messages:
    /// "an integer for int16 (-32768..32767)", "a number for float32".
    pub fn expected(self) -> String {
        match self.int_range() {
            Some((lo, hi)) => format!("an integer for {} ({lo}..{hi})", self.name()),
            None => format!("a number for {}", self.name()),
        }
    }

    /// The error for `text`, which is not a value of this type at all; its
    /// code is Tcl's own for "not a number".
    pub fn not_a_value(self, text: &str) -> MxError {
        MxError::tcl(format!("bad value \"{}\": expected {}", shown(text), self.expected()), &["VALUE", "NUMBER"])
    }

    /// The error for the integer `text`, outside this integer type's range.
    pub fn range_error(self, text: &str) -> MxError {
        let (lo, hi) = self.int_range().unwrap_or((0, 0));
        MxError::mx(
            format!("value {} is out of range for {}: expected an integer from {lo} to {hi}", shown(text), self.name()),
            &["VALUE", "RANGE", self.name(), text],
        )
    }

    /// Encode `value` for this type, refusing anything that does not fit:
    /// integers outside the type's range, non-integers (NaN included) for
    /// integer types, finite doubles beyond float32's range. Infinities and
    /// NaN are representable in both float types and are accepted.
    pub fn encode(self, value: Value) -> MxResult<Encoded> {
        let i = match (self.int_range(), value) {
            (None, v) => return self.encode_float(v.as_f64()),
            (Some(_), Value::Float(f)) => return Err(self.not_a_value(&f.to_string())),
            (Some((lo, hi)), Value::Int(i)) if i < lo || i > hi => return Err(self.range_error(&i.to_string())),
            (Some(_), Value::Int(i)) => i,
        };
        // In range, so each cast is exact.
        Ok(match self {
            VoxelType::Uint8 => Encoded::new(&(i as u8).to_ne_bytes()),
            VoxelType::Int8 => Encoded::new(&(i as i8).to_ne_bytes()),
            VoxelType::Uint16 => Encoded::new(&(i as u16).to_ne_bytes()),
            VoxelType::Int16 => Encoded::new(&(i as i16).to_ne_bytes()),
            VoxelType::Uint32 => Encoded::new(&(i as u32).to_ne_bytes()),
            VoxelType::Int32 => Encoded::new(&(i as i32).to_ne_bytes()),
            VoxelType::Int64 => Encoded::new(&(i as i64).to_ne_bytes()),
            _ => Encoded::new(&(i as u64).to_ne_bytes()),
        })
    }

    fn encode_float(self, d: f64) -> MxResult<Encoded> {
        if self == VoxelType::Float64 {
            return Ok(Encoded::new(&d.to_ne_bytes()));
        }
        if d.is_finite() && d.abs() > f32::MAX as f64 {
            return Err(MxError::mx(
                format!("value {d:e} is out of range for float32: expected a magnitude of at most {:e}", f32::MAX),
                &["VALUE", "RANGE", "float32", &format!("{d:e}")],
            ));
        }
        Ok(Encoded::new(&(d as f32).to_ne_bytes()))
    }

    /// Decode one voxel from exactly `self.size()` native-endian bytes.
    pub fn decode(self, b: &[u8]) -> Value {
        match self {
            VoxelType::Uint8 => Value::Int(b[0].into()),
            VoxelType::Int8 => Value::Int((b[0] as i8).into()),
            VoxelType::Uint16 => Value::Int(u16::from_ne_bytes(first(b)).into()),
            VoxelType::Int16 => Value::Int(i16::from_ne_bytes(first(b)).into()),
            VoxelType::Uint32 => Value::Int(u32::from_ne_bytes(first(b)).into()),
            VoxelType::Int32 => Value::Int(i32::from_ne_bytes(first(b)).into()),
            VoxelType::Float32 => Value::Float(f32::from_ne_bytes(first(b)).into()),
            VoxelType::Int64 => Value::Int(i64::from_ne_bytes(first(b)).into()),
            VoxelType::Uint64 => Value::Int(u64::from_ne_bytes(first(b)).into()),
            VoxelType::Float64 => Value::Float(f64::from_ne_bytes(first(b))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_contract_order() {
        for (n, t) in VoxelType::ALL.into_iter().enumerate() {
            assert_eq!(VoxelType::from_name(t.name()), Some(t));
            assert_eq!(t as usize, n, "ALL follows the declaration order that indexes TYPES");
        }
        assert_eq!(VoxelType::from_name("int128"), None);
        assert_eq!(
            VoxelType::all_names("or"),
            "uint8, int8, uint16, int16, uint32, int32, float32, int64, uint64 or float64"
        );
    }

    #[test]
    fn sizes_follow_the_contract_table() {
        let sizes: Vec<usize> = VoxelType::ALL.iter().map(|t| t.size()).collect();
        assert_eq!(sizes, [1, 1, 2, 2, 4, 4, 4, 8, 8, 8]);
    }

    #[test]
    fn integer_ranges_are_enforced() {
        assert!(VoxelType::Uint8.encode(Value::Int(255)).is_ok());
        let e = VoxelType::Uint8.encode(Value::Int(256)).unwrap_err();
        assert_eq!(e.code, ["MX", "VALUE", "RANGE", "uint8", "256"]);
        assert!(VoxelType::Int8.encode(Value::Int(-129)).is_err());
        assert!(VoxelType::Uint32.encode(Value::Int(4294967295)).is_ok());
        assert!(VoxelType::Uint32.encode(Value::Int(-1)).is_err());
        assert!(VoxelType::Int32.encode(Value::Int(i32::MIN as i128)).is_ok());
        let e = VoxelType::Int16.encode(Value::Float(1.5)).unwrap_err();
        assert_eq!(e.message, "bad value \"1.5\": expected an integer for int16 (-32768..32767)");
        assert_eq!(e.code, ["TCL", "VALUE", "NUMBER"]);
    }

    #[test]
    fn sixty_four_bit_integers_are_exact_at_their_ends() {
        let u = VoxelType::Uint64;
        let max = u.encode(Value::Int(u64::MAX as i128)).unwrap();
        assert_eq!(max.as_bytes(), u64::MAX.to_ne_bytes());
        assert_eq!(u.decode(max.as_bytes()), Value::Int(18446744073709551615));
        assert_eq!(
            u.encode(Value::Int(1 << 64)).unwrap_err().code,
            ["MX", "VALUE", "RANGE", "uint64", "18446744073709551616"]
        );
        assert!(u.encode(Value::Int(-1)).is_err());
        let s = VoxelType::Int64;
        let min = s.encode(Value::Int(i64::MIN as i128)).unwrap();
        assert_eq!(s.decode(min.as_bytes()), Value::Int(-9223372036854775808));
        assert!(s.encode(Value::Int(i64::MAX as i128 + 1)).is_err());
        assert!(s.encode(Value::Int(i64::MIN as i128 - 1)).is_err());
        // 2^53 + 1 has no double: nothing on the way rounds through f64.
        let odd = (1i128 << 53) + 1;
        assert_eq!(s.decode(s.encode(Value::Int(odd)).unwrap().as_bytes()), Value::Int(odd));
    }

    #[test]
    fn round_trip_every_type() {
        for t in VoxelType::ALL {
            for v in match t.int_range() {
                Some((lo, hi)) => [Value::Int(lo), Value::Int(hi)],
                None => [Value::Float(-2.5), Value::Float(f64::INFINITY)],
            } {
                let e = t.encode(v).unwrap();
                assert_eq!(e.as_bytes().len(), t.size());
                assert_eq!(t.decode(e.as_bytes()), v);
            }
        }
    }

    #[test]
    fn nan_fits_float_types_only() {
        for t in [VoxelType::Float32, VoxelType::Float64] {
            let e = t.encode(Value::Float(f64::NAN)).unwrap();
            assert!(t.decode(e.as_bytes()).as_f64().is_nan());
        }
        let e = VoxelType::Int64.encode(Value::Float(f64::NAN)).unwrap_err();
        assert_eq!(
            e.message,
            "bad value \"NaN\": expected an integer for int64 (-9223372036854775808..9223372036854775807)"
        );
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let digits = "9".repeat(100_000);
        let e = VoxelType::Uint8.range_error(&digits);
        assert_eq!(
            e.message,
            format!("value {}... is out of range for uint8: expected an integer from 0 to 255", "9".repeat(100))
        );
        assert_eq!(e.code[4], digits, "the errorcode keeps the value");
        let e = VoxelType::Float32.not_a_value(&"é".repeat(101));
        assert_eq!(e.message, format!("bad value \"{}...\": expected a number for float32", "é".repeat(100)));
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
