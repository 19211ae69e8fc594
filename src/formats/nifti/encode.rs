//! Encoding the 348-byte NIfTI-1 / Analyze 7.5 header (little-endian), the
//! counterpart of [`super::header::decode`].

use super::datatype;
use super::header::{Flavour, HEADER_SIZE, MAX_HEADER_DIM};
use crate::core::error::MxResult;
use crate::core::{Metadata, MxError, VoxelType};

/// Writes header fields little-endian.
struct Writer {
    b: [u8; HEADER_SIZE],
}

impl Writer {
    fn i16(&mut self, at: usize, v: i16) {
        self.b[at..at + 2].copy_from_slice(&v.to_le_bytes());
    }
    fn i32(&mut self, at: usize, v: i32) {
        self.b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    fn f32(&mut self, at: usize, v: f32) {
        self.b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    fn f32s(&mut self, at: usize, v: &[f32]) {
        for (i, &x) in v.iter().enumerate() {
            self.f32(at + 4 * i, x);
        }
    }
    /// A text field: the text, then zeros to the field's end (as nibabel
    /// writes it, so no stale bytes follow the NUL).
    fn text(&mut self, at: usize, len: usize, v: &[u8]) {
        let n = v.len().min(len);
        self.b[at..at + n].copy_from_slice(&v[..n]);
    }
}

/// The smallest `dim[0]` that describes `dims`: the last axis longer than 1.
pub fn minimal_ndim(dims: [usize; 4]) -> i16 {
    dims.iter().rposition(|&d| d > 1).map_or(1, |i| i as i16 + 1)
}

/// The `dim[0]` a save writes: the one the canvas came with when it still
/// describes the geometry (a single-frame 4-D file stays 4-D), otherwise
/// the geometry's own (2 for an image, 3 for a volume, 4 with frames).
pub fn ndim_for(dims: [usize; 4], stored: i16) -> i16 {
    if (1..=7).contains(&stored) && stored >= minimal_ndim(dims) {
        return stored;
    }
    minimal_ndim(dims).max(2)
}

/// Encode a little-endian header for voxels of `vtype` with `dims`
/// (width, height, depth, frames) at `vox_offset`. Fails, before anything is
/// written, when the header cannot describe the canvas.
pub fn encode(
    flavour: Flavour,
    dims: [usize; 4],
    vtype: VoxelType,
    m: &Metadata,
    vox_offset: u64,
    file: &str,
) -> MxResult<[u8; HEADER_SIZE]> {
    for (axis, &d) in ["width", "height", "depth", "frames"].iter().zip(dims.iter()) {
        if d > MAX_HEADER_DIM {
            return Err(MxError::mx(
                format!("cannot save \"{file}\": its {axis} is {d}, but NIfTI-1 and Analyze 7.5 headers hold dimensions up to {MAX_HEADER_DIM}; save as NIfTI-2 (-format nifti2, or without -format)"),
                &["FORMAT", "DIMS", axis, &d.to_string()],
            ));
        }
    }
    if flavour == Flavour::Analyze && !datatype::analyze_can_store(vtype) {
        return Err(MxError::mx(
            format!("cannot save \"{file}\" as Analyze 7.5: it has no {} type (it has uint8, int16, int32, float32, float64); save as NIfTI instead", vtype.name()),
            &["FORMAT", "TYPE", vtype.name()],
        ));
    }
    let x = &m.extra;
    let mut w = Writer { b: [0; HEADER_SIZE] };
    w.i32(0, HEADER_SIZE as i32);
    w.b[4..39].copy_from_slice(&x.unused_key);
    w.i16(40, ndim_for(dims, x.ndim));
    for (i, &d) in dims.iter().enumerate() {
        w.i16(42 + 2 * i, d as i16);
    }
    for i in 4..7 {
        w.i16(42 + 2 * i, 1);
    }
    w.i16(70, datatype::code_of(vtype));
    w.i16(72, 8 * vtype.size() as i16);
    let qfac = if flavour == Flavour::Analyze {
        0.0
    } else if m.qfac < 0.0 {
        -1.0
    } else {
        1.0
    };
    let [p5, p6, p7] = x.pixdim_rest;
    w.f32s(76, &[qfac, m.spacing[0], m.spacing[1], m.spacing[2], m.tstep, p5, p6, p7]);
    w.f32(108, vox_offset as f32);
    w.f32(112, m.scl_slope);
    w.f32(116, m.scl_inter);
    w.f32(124, x.cal_max);
    w.f32(128, x.cal_min);
    w.text(148, 80, &m.description);
    w.text(228, 24, &x.aux_file);
    match flavour {
        Flavour::Analyze => {
            w.b[252] = x.orient;
            for (i, &o) in x.origin.iter().enumerate() {
                w.i16(253 + 2 * i, o);
            }
        }
        Flavour::NiftiSingle | Flavour::NiftiPair => {
            w.b[39] = x.dim_info;
            w.f32s(56, &x.intent_p);
            w.i16(68, x.intent_code);
            w.i16(74, x.slice_start);
            w.i16(120, x.slice_end);
            w.b[122] = x.slice_code;
            w.b[123] = m.xyzt_units;
            w.f32(132, x.slice_duration);
            w.f32(136, x.toffset);
            w.i16(252, m.qform_code);
            w.i16(254, m.sform_code);
            w.f32s(256, &m.quatern);
            w.f32s(268, &m.qoffset);
            for (i, row) in m.srow.iter().enumerate() {
                w.f32s(280 + 16 * i, row);
            }
            w.text(328, 16, &x.intent_name);
            w.b[344..348].copy_from_slice(if flavour == Flavour::NiftiSingle { b"n+1\0" } else { b"ni1\0" });
        }
    }
    Ok(w.b)
}
