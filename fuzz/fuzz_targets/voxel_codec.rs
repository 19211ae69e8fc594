//! Voxel encode/decode: any value into any type, any bytes out of any type.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mxcanvas::core::{Value, VoxelType};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let vtype = VoxelType::ALL[selector as usize % 8];
    let mut b = [0u8; 8];
    for (slot, &byte) in b.iter_mut().zip(rest) {
        *slot = byte;
    }
    let value = if selector & 0x80 == 0 {
        Value::Int(i64::from_le_bytes(b))
    } else {
        Value::Float(f64::from_le_bytes(b))
    };
    match vtype.encode(value) {
        Ok(encoded) => {
            assert_eq!(encoded.as_bytes().len(), vtype.size());
            let back = vtype.decode(encoded.as_bytes());
            match (value, back) {
                (Value::Int(i), Value::Int(j)) => assert_eq!(i, j),
                (v, Value::Float(f)) => {
                    let d = v.as_f64();
                    let expected = if vtype == VoxelType::Float32 { d as f32 as f64 } else { d };
                    assert!(f == expected || (f.is_nan() && expected.is_nan()), "{v:?} -> {f}");
                }
                (v, back) => panic!("{v:?} encoded as {vtype:?} decoded as {back:?}"),
            }
        }
        Err(e) => assert!(e.code[0] == "MX" || e.code[0] == "TCL", "{:?}", e.code),
    }
    // Decoding any bytes gives a value that encodes back to the same bytes
    // (NaNs aside: their payload is not a value a script can see).
    let raw = &b[..vtype.size()];
    let decoded = vtype.decode(raw);
    if !decoded.as_f64().is_nan() {
        assert_eq!(vtype.encode(decoded).expect("decoded values fit").as_bytes(), raw);
    }
});
