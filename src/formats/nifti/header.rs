//! The 348-byte header shared by NIfTI-1 and Analyze 7.5: decoding (either
//! byte order, told apart by `sizeof_hdr`) and encoding (little-endian).
//!
//! NIfTI-1 and Analyze 7.5 agree on the fields that place the voxels
//! (`dim`, `datatype`, `bitpix`, `pixdim`, `vox_offset`, `descrip`); NIfTI-1
//! reuses Analyze's unused bytes for orientation and scaling and marks
//! itself with the magic `n+1` (single file) or `ni1` (header + image pair)
//! at byte 344. Analyze scaling follows SPM's convention: `funused1` (the
//! NIfTI `scl_slope` position) is a scale factor, `funused2` an intercept.

use super::datatype;
use crate::core::error::MxResult;
use crate::core::metadata::HeaderExtras;
use crate::core::{Metadata, MxError, VoxelType};

pub const HEADER_SIZE: usize = 348;
/// Where the voxels of a `.nii` file start when it has no extensions:
/// the header plus the 4-byte extension flag.
pub const SINGLE_FILE_OFFSET: usize = 352;
/// The largest dimension a header can hold (`dim` is an array of i16).
pub const MAX_HEADER_DIM: usize = i16::MAX as usize;

/// Which of the three header flavours a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// NIfTI-1 single file (`.nii`): magic `n+1`, voxels at `vox_offset`.
    NiftiSingle,
    /// NIfTI-1 pair (`.hdr` + `.img`): magic `ni1`.
    NiftiPair,
    /// Analyze 7.5 pair: no magic.
    Analyze,
}

/// A decoded header: where and what the voxels are, and the canvas metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub flavour: Flavour,
    pub big_endian: bool,
    /// width, height, depth, frames (dimensions beyond the fourth are 1).
    pub dims: [usize; 4],
    pub vtype: VoxelType,
    /// Byte offset of the voxels in the image stream.
    pub vox_offset: u64,
    pub metadata: Metadata,
    /// Decoded from a 540-byte NIfTI-2 header ([`super::header2`]).
    pub nifti2: bool,
}

/// Reads header fields in the file's byte order.
pub(super) struct Fields<'a> {
    b: &'a [u8],
    big: bool,
}

impl Fields<'_> {
    pub(super) fn i16(&self, at: usize) -> i16 {
        let raw = [self.b[at], self.b[at + 1]];
        if self.big {
            i16::from_be_bytes(raw)
        } else {
            i16::from_le_bytes(raw)
        }
    }
    pub(super) fn i32(&self, at: usize) -> i32 {
        let raw = [self.b[at], self.b[at + 1], self.b[at + 2], self.b[at + 3]];
        if self.big {
            i32::from_be_bytes(raw)
        } else {
            i32::from_le_bytes(raw)
        }
    }
    fn f32(&self, at: usize) -> f32 {
        f32::from_bits(self.i32(at) as u32)
    }
    fn f32s<const N: usize>(&self, at: usize) -> [f32; N] {
        std::array::from_fn(|i| self.f32(at + 4 * i))
    }
    /// A fixed-size text field, up to its first NUL.
    fn text(&self, at: usize, len: usize) -> Vec<u8> {
        let field = &self.b[at..at + len];
        field[..field.iter().position(|&c| c == 0).unwrap_or(len)].to_vec()
    }
}

fn bad_header(file: &str, what: String, code: &str) -> MxError {
    MxError::mx(format!("\"{file}\" is not a usable NIfTI-1 or Analyze 7.5 header: {what}"), &["FORMAT", code])
}

/// Decode a header; `file` names it in error messages.
pub fn decode(bytes: &[u8], file: &str) -> MxResult<Header> {
    if bytes.len() < HEADER_SIZE {
        return Err(MxError::mx(
            format!("\"{file}\" is too short for a NIfTI-1 or Analyze 7.5 header: {} bytes, expected at least {HEADER_SIZE}", bytes.len()),
            &["FORMAT", "TRUNCATED"],
        ));
    }
    let sizeof_hdr = i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let big = match sizeof_hdr {
        348 => false,
        0x5c01_0000 => true, // 348 written big-endian
        540 | 0x1c02_0000 => {
            return Err(bad_header(file, "it is NIfTI-2 (sizeof_hdr 540), which is not supported".into(), "NIFTI2"))
        }
        other => return Err(bad_header(file, format!("sizeof_hdr is {other}, expected 348"), "MAGIC")),
    };
    let f = Fields { b: bytes, big };
    let flavour = match &bytes[344..348] {
        b"n+1\0" => Flavour::NiftiSingle,
        b"ni1\0" => Flavour::NiftiPair,
        _ => Flavour::Analyze,
    };
    let ndim = f.i16(40);
    if !(1..=7).contains(&ndim) {
        return Err(bad_header(file, format!("dim[0] is {ndim}, expected 1 to 7"), "DIMS"));
    }
    let ndim = ndim as usize;
    let mut dims = [1usize; 4];
    for i in 1..=ndim {
        let d = f.i16(40 + 2 * i);
        if d < 1 {
            return Err(bad_header(file, format!("dim[{i}] is {d}, expected at least 1"), "DIMS"));
        }
        if i <= 4 {
            dims[i - 1] = d as usize;
        } else if d != 1 {
            return Err(MxError::mx(
                format!(
                    "\"{file}\" holds a {ndim}-D image (dim[{i}] = {d}, such as an FSL/ANTs vector or warp field): mxcanvas canvases have at most 4 dimensions (x, y, z, time); split it into 4-D files first"
                ),
                &["FORMAT", "DIMS", &ndim.to_string()],
            ));
        }
    }
    let vtype = datatype::voxel_type(f.i16(70), f.i16(72), file)?;
    let vox_offset = f.f32(108);
    if !vox_offset.is_finite() || vox_offset < 0.0 || vox_offset.fract() != 0.0 || vox_offset > 1.0e12 {
        return Err(bad_header(
            file,
            format!("vox_offset is {vox_offset}, expected a whole number of bytes"),
            "OFFSET",
        ));
    }
    let mut vox_offset = vox_offset as u64;
    if flavour == Flavour::NiftiSingle && vox_offset < HEADER_SIZE as u64 {
        // nibabel and nifti1_io read an unset (0) offset in a single file as
        // "right after the header and extension flag".
        if vox_offset != 0 {
            return Err(bad_header(file, format!("vox_offset {vox_offset} points into the header"), "OFFSET"));
        }
        vox_offset = SINGLE_FILE_OFFSET as u64;
    }
    let pixdim: [f32; 8] = f.f32s(76);
    let mut metadata = Metadata {
        spacing: [pixdim[1], pixdim[2], pixdim[3]],
        tstep: pixdim[4],
        description: f.text(148, 80),
        scl_slope: f.f32(112),
        scl_inter: f.f32(116),
        ..Metadata::default()
    };
    let mut unused_key = [0u8; 35];
    unused_key.copy_from_slice(&bytes[4..39]);
    let x = &mut metadata.extra;
    *x = HeaderExtras {
        pixdim_rest: [pixdim[5], pixdim[6], pixdim[7]],
        ndim: ndim as i16,
        unused_key,
        // Analyze 7.5 has these three where NIfTI-1 has them.
        cal_max: f.f32(124),
        cal_min: f.f32(128),
        aux_file: f.text(228, 24),
        ..HeaderExtras::default()
    };
    if flavour == Flavour::Analyze {
        x.orient = bytes[252];
        x.origin = std::array::from_fn(|i| f.i16(253 + 2 * i));
    } else {
        x.dim_info = bytes[39];
        x.intent_p = f.f32s(56);
        x.intent_code = f.i16(68);
        x.intent_name = f.text(328, 16);
        x.slice_start = f.i16(74);
        x.slice_end = f.i16(120);
        x.slice_code = bytes[122];
        x.slice_duration = f.f32(132);
        x.toffset = f.f32(136);
        metadata.xyzt_units = bytes[123];
        metadata.qfac = pixdim[0];
        metadata.qform_code = f.i16(252);
        metadata.sform_code = f.i16(254);
        metadata.quatern = f.f32s(256);
        metadata.qoffset = f.f32s(268);
        metadata.srow = [f.f32s(280), f.f32s(296), f.f32s(312)];
    }
    Ok(Header { flavour, big_endian: big, dims, vtype, vox_offset, metadata, nifti2: false })
}

#[cfg(test)]
#[path = "header_tests.rs"]
mod tests;
