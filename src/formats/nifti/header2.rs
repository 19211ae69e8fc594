//! The 540-byte NIfTI-2 header (decoding, either byte order): NIfTI-1's
//! fields widened to 64-bit dimensions and doubles, reordered, with the
//! magic `n+2` (single file) or `ni2` (pair) at byte 4.
//!
//! It decodes into the same [`Header`] as NIfTI-1, with `nifti2` set, so
//! everything after the header (extensions, voxels, `$c info`) is shared.
//! The canvas's metadata holds 32-bit floats: NIfTI-2's doubles (spacing,
//! affines, scaling, calibration) are rounded to the nearest float32 on
//! load, which is the precision NIfTI-1 and the canvas's other paths keep.

use super::datatype;
use super::header::{Flavour, Header};
use crate::core::error::MxResult;
use crate::core::metadata::HeaderExtras;
use crate::core::{Metadata, MxError};

pub const HEADER2_SIZE: usize = 540;
/// Where a `.nii` NIfTI-2 file's voxels start without extensions.
pub const SINGLE_FILE_OFFSET2: u64 = 544;

struct Fields<'a> {
    b: &'a [u8],
    big: bool,
}

impl Fields<'_> {
    fn raw<const N: usize>(&self, at: usize) -> [u8; N] {
        let mut raw = [0u8; N];
        raw.copy_from_slice(&self.b[at..at + N]);
        if self.big {
            raw.reverse();
        }
        raw
    }
    fn i16(&self, at: usize) -> i16 {
        i16::from_le_bytes(self.raw(at))
    }
    fn i32(&self, at: usize) -> i32 {
        i32::from_le_bytes(self.raw(at))
    }
    fn i64(&self, at: usize) -> i64 {
        i64::from_le_bytes(self.raw(at))
    }
    fn f64(&self, at: usize) -> f64 {
        f64::from_le_bytes(self.raw(at))
    }
    /// A double as the canvas keeps it.
    fn f32(&self, at: usize) -> f32 {
        self.f64(at) as f32
    }
    fn f32s<const N: usize>(&self, at: usize) -> [f32; N] {
        std::array::from_fn(|i| self.f32(at + 8 * i))
    }
    fn text(&self, at: usize, len: usize) -> Vec<u8> {
        let field = &self.b[at..at + len];
        field[..field.iter().position(|&c| c == 0).unwrap_or(len)].to_vec()
    }
}

fn bad(file: &str, what: String, code: &str) -> MxError {
    MxError::mx(format!("\"{file}\" is not a usable NIfTI-2 header: {what}"), &["FORMAT", code])
}

/// Is `bytes` the start of a NIfTI-2 header (sizeof_hdr 540 in either order)?
pub fn is_nifti2(bytes: &[u8]) -> bool {
    bytes.len() >= 4 && matches!(i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]), 540 | 0x1c02_0000)
}

/// A field that must fit a 16-bit NIfTI-1 field of the canvas's metadata.
fn narrow(file: &str, name: &str, v: i64) -> MxResult<i16> {
    i16::try_from(v).map_err(|_| bad(file, format!("{name} is {v}, expected -32768 to 32767"), "FIELD"))
}

/// Decode a NIfTI-2 header; `file` names it in error messages.
pub fn decode(bytes: &[u8], file: &str) -> MxResult<Header> {
    if bytes.len() < HEADER2_SIZE {
        return Err(MxError::mx(
            format!(
                "\"{file}\" is too short for a NIfTI-2 header: {} bytes, expected at least {HEADER2_SIZE}",
                bytes.len()
            ),
            &["FORMAT", "TRUNCATED"],
        ));
    }
    let big = match i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) {
        540 => false,
        0x1c02_0000 => true,
        other => return Err(bad(file, format!("sizeof_hdr is {other}, expected 540"), "MAGIC")),
    };
    let f = Fields { b: bytes, big };
    let flavour = match &bytes[4..8] {
        b"n+2\0" => Flavour::NiftiSingle,
        b"ni2\0" => Flavour::NiftiPair,
        m => {
            return Err(bad(
                file,
                format!("its magic is {:?}, expected \"n+2\" or \"ni2\"", m.escape_ascii().to_string()),
                "MAGIC",
            ))
        }
    };
    let ndim = f.i64(16);
    if !(1..=7).contains(&ndim) {
        return Err(bad(file, format!("dim[0] is {ndim}, expected 1 to 7"), "DIMS"));
    }
    let ndim = ndim as usize;
    let mut dims = [1usize; 4];
    for i in 1..=ndim {
        let d = f.i64(16 + 8 * i);
        if d < 1 {
            return Err(bad(file, format!("dim[{i}] is {d}, expected at least 1"), "DIMS"));
        }
        if i <= 4 {
            dims[i - 1] = usize::try_from(d).map_err(|_| bad(file, format!("dim[{i}] is {d}"), "DIMS"))?;
        } else if d != 1 {
            return Err(MxError::mx(
                format!("\"{file}\" holds a {ndim}-D image (dim[{i}] = {d}): mxcanvas canvases have at most 4 dimensions (x, y, z, time); split it into 4-D files first"),
                &["FORMAT", "DIMS", &ndim.to_string()],
            ));
        }
    }
    let vtype = datatype::voxel_type(f.i16(12), f.i16(14), file)?;
    let vox_offset = f.i64(168);
    if vox_offset < 0 {
        return Err(bad(file, format!("vox_offset is {vox_offset}, expected a whole number of bytes"), "OFFSET"));
    }
    let mut vox_offset = vox_offset as u64;
    if flavour == Flavour::NiftiSingle && vox_offset < HEADER2_SIZE as u64 {
        if vox_offset != 0 {
            return Err(bad(file, format!("vox_offset {vox_offset} points into the header"), "OFFSET"));
        }
        vox_offset = SINGLE_FILE_OFFSET2;
    }
    let pixdim: [f32; 8] = f.f32s(104);
    let mut metadata = Metadata {
        spacing: [pixdim[1], pixdim[2], pixdim[3]],
        tstep: pixdim[4],
        description: f.text(240, 80),
        scl_slope: f.f32(176),
        scl_inter: f.f32(184),
        ..Metadata::default()
    };
    let x = &mut metadata.extra;
    *x = HeaderExtras {
        pixdim_rest: [pixdim[5], pixdim[6], pixdim[7]],
        ndim: ndim as i16,
        cal_max: f.f32(192),
        cal_min: f.f32(200),
        aux_file: f.text(320, 24),
        dim_info: bytes[524],
        intent_p: f.f32s(80),
        intent_code: narrow(file, "intent_code", f.i32(504).into())?,
        intent_name: f.text(508, 16),
        slice_start: narrow(file, "slice_start", f.i64(224))?,
        slice_end: narrow(file, "slice_end", f.i64(232))?,
        slice_code: u8::try_from(f.i32(496))
            .map_err(|_| bad(file, format!("slice_code is {}", f.i32(496)), "FIELD"))?,
        slice_duration: f.f32(208),
        toffset: f.f32(216),
        ..HeaderExtras::default()
    };
    metadata.xyzt_units =
        u8::try_from(f.i32(500)).map_err(|_| bad(file, format!("xyzt_units is {}", f.i32(500)), "FIELD"))?;
    metadata.qfac = pixdim[0];
    metadata.qform_code = narrow(file, "qform_code", f.i32(344).into())?;
    metadata.sform_code = narrow(file, "sform_code", f.i32(348).into())?;
    metadata.quatern = f.f32s(352);
    metadata.qoffset = f.f32s(376);
    metadata.srow = [f.f32s(400), f.f32s(432), f.f32s(464)];
    Ok(Header { flavour, big_endian: big, dims, vtype, vox_offset, metadata, nifti2: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal NIfTI-2 header as nibabel lays it out.
    fn sample(big: bool) -> Vec<u8> {
        let mut b = vec![0u8; HEADER2_SIZE];
        let put = |b: &mut Vec<u8>, at: usize, v: &[u8]| {
            let mut v = v.to_vec();
            if big {
                v.reverse();
            }
            b[at..at + v.len()].copy_from_slice(&v);
        };
        put(&mut b, 0, &540i32.to_le_bytes());
        b[4..12].copy_from_slice(b"n+2\0\r\n\x1a\n");
        put(&mut b, 12, &4i16.to_le_bytes()); // int16
        put(&mut b, 14, &16i16.to_le_bytes());
        for (i, d) in [3i64, 40000, 5, 6].iter().enumerate() {
            put(&mut b, 16 + 8 * i, &d.to_le_bytes());
        }
        for (i, p) in [-1.0f64, 2.0, 3.0, 4.0, 1.5].iter().enumerate() {
            put(&mut b, 104 + 8 * i, &p.to_le_bytes());
        }
        put(&mut b, 176, &2.5f64.to_le_bytes());
        put(&mut b, 348, &4i32.to_le_bytes());
        put(&mut b, 400, &2.0f64.to_le_bytes());
        put(&mut b, 424, &(-7.25f64).to_le_bytes());
        put(&mut b, 500, &10i32.to_le_bytes());
        b[240..245].copy_from_slice(b"hello");
        b
    }

    #[test]
    fn both_byte_orders() {
        for big in [false, true] {
            let h = decode(&sample(big), "t").unwrap();
            assert_eq!((h.flavour, h.big_endian, h.dims), (Flavour::NiftiSingle, big, [40000, 5, 6, 1]));
            assert_eq!((h.vox_offset, h.metadata.spacing, h.metadata.qfac), (544, [2.0, 3.0, 4.0], -1.0));
            assert_eq!((h.metadata.scl_slope, h.metadata.sform_code, h.metadata.xyzt_units), (2.5, 4, 10));
            assert_eq!((h.metadata.srow[0], &h.metadata.description[..]), ([2.0, 0.0, 0.0, -7.25], &b"hello"[..]));
        }
    }

    #[test]
    fn refusals_and_damage() {
        let mut b = sample(false);
        b[4] = b'x';
        assert_eq!(decode(&b, "t").unwrap_err().code, ["MX", "FORMAT", "MAGIC"]);
        let b = sample(false);
        assert_eq!(decode(&b[..539], "t").unwrap_err().code, ["MX", "FORMAT", "TRUNCATED"]);
        let mut b = sample(false);
        b[168..176].copy_from_slice(&100i64.to_le_bytes());
        assert_eq!(decode(&b, "t").unwrap_err().code, ["MX", "FORMAT", "OFFSET"]);
        // Every single-byte change decodes or is refused, never panics.
        let base = sample(true);
        for at in 0..base.len() {
            for v in [0u8, 1, 0x7f, 0x80, 0xff] {
                let mut b = base.clone();
                b[at] = v;
                let _ = decode(&b, "t");
            }
        }
    }
}
