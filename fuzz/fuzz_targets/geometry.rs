//! Geometry: dimensions of any size (negative, huge) and voxel coordinates.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mxcanvas::core::{Geometry, VoxelType};

fn word(data: &[u8], i: usize) -> i64 {
    let mut b = [0u8; 8];
    for (k, slot) in b.iter_mut().enumerate() {
        *slot = data.get(i * 8 + k).copied().unwrap_or(0);
    }
    // Mostly small numbers, sometimes anything at all.
    let v = i64::from_le_bytes(b);
    if data.first().copied().unwrap_or(0) & 1 == 0 { v % 70_000 } else { v }
}

fuzz_target!(|data: &[u8]| {
    let vtype = VoxelType::ALL[data.last().copied().unwrap_or(0) as usize % 8];
    let dims = [word(data, 0), word(data, 1), word(data, 2), word(data, 3)];
    let coords = [word(data, 4), word(data, 5), word(data, 6), word(data, 7)];
    match Geometry::new(dims, vtype) {
        Ok(g) => {
            let exact = dims.iter().fold(vtype.size() as u128, |acc, &d| acc * d as u128);
            assert_eq!(g.bytes(vtype) as u128, exact);
            assert!(dims.iter().all(|&d| d >= 1));
            let inside = coords.iter().zip(g.dims()).all(|(&c, n)| c >= 0 && (c as u128) < n as u128);
            match g.offset(coords) {
                Ok(off) => {
                    assert!(inside);
                    assert!(off < g.voxels());
                }
                Err(e) => {
                    assert!(!inside);
                    assert_eq!(e.code[..2], ["MX", "INDEX"]);
                }
            }
        }
        Err(e) => assert_eq!(e.code[..2], ["MX", "GEOMETRY"]),
    }
});
