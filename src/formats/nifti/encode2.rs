//! Encoding the 540-byte NIfTI-2 header (little-endian), the counterpart
//! of [`super::header2::decode`]. NIfTI-2 holds dimensions up to 2^63-1, so
//! a save picks it by itself when a dimension exceeds NIfTI-1's 32767.
//! The canvas keeps float32 metadata; each is written as the double of the
//! same value (the quaternion of a half-turn normalised, see
//! [`quatern_in_doubles`]), so a NIfTI-2 file saved and loaded again gives
//! the same facts, and nibabel the same matrices.

use super::datatype;
use super::encode::ndim_for;
use super::header::Flavour;
use super::header2::HEADER2_SIZE;
use crate::core::{Metadata, VoxelType};

struct Writer {
    b: [u8; HEADER2_SIZE],
}

impl Writer {
    fn put<const N: usize>(&mut self, at: usize, v: [u8; N]) {
        self.b[at..at + N].copy_from_slice(&v);
    }
    fn f64s(&mut self, at: usize, v: &[f32]) {
        for (i, &x) in v.iter().enumerate() {
            self.put(at + 8 * i, f64::from(x).to_le_bytes());
        }
    }
    fn text(&mut self, at: usize, len: usize, v: &[u8]) {
        let n = v.len().min(len);
        self.b[at..at + n].copy_from_slice(&v[..n]);
    }
}

/// The quaternion (b, c, d) as doubles that mean the rotation the canvas
/// means. The canvas (like nifti1_io) takes `a = 0` when `1 - b² - c² - d²`
/// is below 1e-7 and normalises (b, c, d); a reader of doubles would take
/// the float32 rounding residue as a real `a` (nibabel then gives a matrix
/// off by 1e-4 for a half-turn). Writing the normalised values says `a = 0`
/// in doubles too.
fn quatern_in_doubles(q: [f32; 3]) -> [f64; 3] {
    let v = q.map(f64::from);
    let n = v.iter().map(|x| x * x).sum::<f64>();
    if n > 0.0 && 1.0 - n < 1.0e-7 {
        v.map(|x| x / n.sqrt())
    } else {
        v
    }
}

/// A little-endian NIfTI-2 header (`flavour` single file or pair) for
/// voxels of `vtype` with `dims` at `vox_offset`.
pub fn encode2(
    flavour: Flavour,
    dims: [usize; 4],
    vtype: VoxelType,
    m: &Metadata,
    vox_offset: u64,
) -> [u8; HEADER2_SIZE] {
    let x = &m.extra;
    let mut w = Writer { b: [0; HEADER2_SIZE] };
    w.put(0, (HEADER2_SIZE as i32).to_le_bytes());
    let magic: &[u8; 8] = if flavour == Flavour::NiftiSingle { b"n+2\0\r\n\x1a\n" } else { b"ni2\0\r\n\x1a\n" };
    w.b[4..12].copy_from_slice(magic);
    w.put(12, datatype::code_of(vtype).to_le_bytes());
    w.put(14, (8 * vtype.size() as i16).to_le_bytes());
    w.put(16, i64::from(ndim_for(dims, x.ndim)).to_le_bytes());
    for i in 0..7 {
        let d = dims.get(i).map_or(1, |&d| d as i64);
        w.put(24 + 8 * i, d.to_le_bytes());
    }
    w.f64s(80, &x.intent_p);
    let qfac = if m.qfac < 0.0 { -1.0 } else { 1.0 };
    let [p5, p6, p7] = x.pixdim_rest;
    w.f64s(104, &[qfac, m.spacing[0], m.spacing[1], m.spacing[2], m.tstep, p5, p6, p7]);
    w.put(168, (vox_offset as i64).to_le_bytes());
    w.f64s(176, &[m.scl_slope, m.scl_inter, x.cal_max, x.cal_min, x.slice_duration, x.toffset]);
    w.put(224, i64::from(x.slice_start).to_le_bytes());
    w.put(232, i64::from(x.slice_end).to_le_bytes());
    w.text(240, 80, &m.description);
    w.text(320, 24, &x.aux_file);
    w.put(344, i32::from(m.qform_code).to_le_bytes());
    w.put(348, i32::from(m.sform_code).to_le_bytes());
    for (i, q) in quatern_in_doubles(m.quatern).into_iter().enumerate() {
        w.put(352 + 8 * i, q.to_le_bytes());
    }
    w.f64s(376, &m.qoffset);
    for (i, row) in m.srow.iter().enumerate() {
        w.f64s(400 + 32 * i, row);
    }
    w.put(496, i32::from(x.slice_code).to_le_bytes());
    w.put(500, i32::from(m.xyzt_units).to_le_bytes());
    w.put(504, i32::from(x.intent_code).to_le_bytes());
    w.text(508, 16, &x.intent_name);
    w.b[524] = x.dim_info;
    w.b
}

#[cfg(test)]
mod tests {
    use super::super::header2::decode;
    use super::*;

    #[test]
    fn round_trip_through_the_decoder() {
        let mut m = Metadata { spacing: [0.5, 2.0, 3.0], tstep: 1.5, qfac: -1.0, sform_code: 2, ..Metadata::default() };
        m.description = b"big".to_vec();
        m.srow = [[0.5, 0.0, 0.0, -1.25], [0.0, 2.0, 0.0, 3.0], [0.0, 0.0, 3.0, 7.0]];
        m.quatern = [0.25, 0.5, 0.125];
        m.extra.intent_name = b"label".to_vec();
        m.extra.slice_end = 4;
        m.extra.ndim = 3;
        for flavour in [Flavour::NiftiSingle, Flavour::NiftiPair] {
            let h = decode(&encode2(flavour, [40000, 2, 5, 1], VoxelType::Int16, &m, 544), "t").unwrap();
            assert_eq!((h.flavour, h.dims, h.vtype, h.vox_offset), (flavour, [40000, 2, 5, 1], VoxelType::Int16, 544));
            assert_eq!((h.metadata.spacing, h.metadata.srow, h.metadata.quatern), (m.spacing, m.srow, m.quatern));
            assert_eq!(
                (&h.metadata.description, &h.metadata.extra.intent_name),
                (&m.description, &m.extra.intent_name)
            );
            assert_eq!((h.metadata.extra.slice_end, h.metadata.extra.ndim, h.metadata.sform_code), (4, 3, 2));
        }
    }
}
