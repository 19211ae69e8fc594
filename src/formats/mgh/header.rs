//! The 284-byte MGH header, big-endian: version 1, width, height, depth,
//! frames, type, dof (int32), goodRASFlag (int16), delta[3], Mdc (3x3, row
//! `i` the direction cosines of voxel axis `i`), Pxyz_c[3] (float32), then
//! zeros to byte 284 where the voxels start. After the voxels, optionally,
//! five float32 scan parameters (TR, flip angle, TE, TI, FoV).
//!
//! The voxel-to-world affine is computed as nibabel's `MGHHeader.get_affine`
//! does: `M = Mdc^T * diag(delta)`, translation `Pxyz_c - M @ dims / 2`, the
//! products in float32 and the centre in float64, so that the canvas's affine
//! is nibabel's to float32 precision.

use crate::core::affine::Affine;
use crate::core::error::MxResult;
use crate::core::{MxError, VoxelType};

/// Where the voxels start.
pub const HEADER_SIZE: usize = 284;
/// The bytes of the header that carry fields (the rest are zeros).
pub const FIELDS_SIZE: usize = 90;
/// The scan parameters after the voxels.
pub const FOOTER_SIZE: usize = 20;

/// (code, voxel type) of the types MGH files hold, as nibabel reads them:
/// MRI_UCHAR, MRI_INT, MRI_FLOAT, MRI_SHORT, MRI_USHRT.
pub const TYPES: [(i32, VoxelType); 5] = [
    (0, VoxelType::Uint8),
    (1, VoxelType::Int32),
    (3, VoxelType::Float32),
    (4, VoxelType::Int16),
    (10, VoxelType::Uint16),
];

/// The types as messages list them.
pub const TYPE_NAMES: &str = "uint8 (0), int32 (1), float32 (3), int16 (4) or uint16 (10)";

/// The direction cosines (as stored, one row per voxel axis) nibabel and
/// FreeSurfer assume when goodRASFlag is 0: FreeSurfer's coronal "LIA"
/// conformed space (x to the left, y to inferior, z to anterior).
const DEFAULT_MDC: [[f32; 3]; 3] = [[-1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]];

/// A decoded header. `mdc` is as stored: `mdc[i]` is the unit direction of voxel axis `i`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MghHeader {
    pub dims: [usize; 4],
    pub vtype: VoxelType,
    pub dof: i32,
    pub good_ras: i16,
    pub delta: [f32; 3],
    pub mdc: [[f32; 3]; 3],
    pub pxyz_c: [f32; 3],
}

pub fn code_of(vtype: VoxelType) -> Option<i32> {
    TYPES.iter().find(|(_, t)| *t == vtype).map(|(c, _)| *c)
}

fn bad(path: &str, what: String) -> MxError {
    MxError::mx(format!("\"{path}\" is not a valid MGH file: {what}"), &["FORMAT", "MGH"])
}

fn i32_at(b: &[u8], at: usize) -> i32 {
    i32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn f32_at(b: &[u8], at: usize) -> f32 {
    f32::from_bits(i32_at(b, at) as u32)
}

fn f32s<const N: usize>(b: &[u8], at: usize) -> [f32; N] {
    std::array::from_fn(|i| f32_at(b, at + 4 * i))
}

/// Decode the first bytes of a file (at least [`FIELDS_SIZE`]); `path` is for messages.
pub fn decode(bytes: &[u8], path: &str) -> MxResult<MghHeader> {
    if bytes.len() < FIELDS_SIZE {
        return Err(MxError::mx(
            format!(
                "\"{path}\" is truncated: an MGH header has {FIELDS_SIZE} bytes of fields, the file has {}",
                bytes.len()
            ),
            &["FORMAT", "MGH", "TRUNCATED"],
        ));
    }
    let version = i32_at(bytes, 0);
    if version != 1 {
        return Err(bad(path, format!("version is {version}, expected 1")));
    }
    let mut dims = [0usize; 4];
    for (i, name) in ["width", "height", "depth", "frames"].iter().enumerate() {
        let d = i32_at(bytes, 4 + 4 * i);
        if d < 1 {
            return Err(bad(path, format!("{name} is {d}, expected at least 1")));
        }
        dims[i] = d as usize;
    }
    let code = i32_at(bytes, 20);
    let vtype = TYPES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, t)| *t)
        .ok_or_else(|| bad(path, format!("type is {code}, expected {TYPE_NAMES}")))?;
    Ok(MghHeader {
        dims,
        vtype,
        dof: i32_at(bytes, 24),
        good_ras: i16::from_be_bytes([bytes[28], bytes[29]]),
        delta: f32s(bytes, 30),
        mdc: [f32s(bytes, 42), f32s(bytes, 54), f32s(bytes, 66)],
        pxyz_c: f32s(bytes, 78),
    })
}

/// The header as written: fields, then zeros to [`HEADER_SIZE`].
/// Every field must fit (dims and the type are checked by the caller).
pub fn encode(h: &MghHeader) -> [u8; HEADER_SIZE] {
    let mut out = [0u8; HEADER_SIZE];
    let mut at = 0;
    let mut put = |bytes: &[u8]| {
        out[at..at + bytes.len()].copy_from_slice(bytes);
        at += bytes.len();
    };
    put(&1i32.to_be_bytes());
    for d in h.dims {
        put(&(d as i32).to_be_bytes());
    }
    put(&code_of(h.vtype).unwrap_or(3).to_be_bytes());
    put(&h.dof.to_be_bytes());
    put(&h.good_ras.to_be_bytes());
    for v in h.delta.iter().chain(h.mdc.iter().flatten()).chain(h.pxyz_c.iter()) {
        put(&v.to_be_bytes());
    }
    out
}

/// The five scan parameters after the voxels; a short footer (nibabel
/// pads with zeros) gives zeros for what is missing.
pub fn decode_footer(bytes: &[u8]) -> [f32; 5] {
    let mut padded = [0u8; FOOTER_SIZE];
    let n = bytes.len().min(FOOTER_SIZE);
    padded[..n].copy_from_slice(&bytes[..n]);
    f32s(&padded, 0)
}

pub fn encode_footer(tags: &[f32; 5]) -> [u8; FOOTER_SIZE] {
    let mut out = [0u8; FOOTER_SIZE];
    for (chunk, v) in out.chunks_exact_mut(4).zip(tags) {
        chunk.copy_from_slice(&v.to_be_bytes());
    }
    out
}

/// The header fields that say where the voxels are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub delta: [f32; 3],
    /// As stored: `mdc[i]` is the unit direction of voxel axis `i`.
    pub mdc: [[f32; 3]; 3],
    pub pxyz_c: [f32; 3],
}

/// nibabel's `MGHHeader.get_affine()`, including its default geometry for
/// goodRASFlag 0 (unit delta, coronal cosines, centre at 0).
pub fn affine(h: &MghHeader) -> Affine {
    let (delta, mdc, c) = if h.good_ras == 0 { ([1.0; 3], DEFAULT_MDC, [0.0; 3]) } else { (h.delta, h.mdc, h.pxyz_c) };
    let mut a = [[0.0, 0.0, 0.0, 1.0]; 4];
    for (r, row) in a.iter_mut().take(3).enumerate() {
        // numpy: float32 products, then a float64 dot with the int32 dims.
        let m: [f64; 3] = std::array::from_fn(|j| (mdc[j][r] * delta[j]) as f64);
        let centre = (m[0] * h.dims[0] as f64 + m[1] * h.dims[1] as f64 + m[2] * h.dims[2] as f64) / 2.0;
        *row = [m[0], m[1], m[2], c[r] as f64 - centre];
    }
    a
}

/// The header fields that place `dims` voxels by `affine` (nibabel's
/// `MGHImage._affine2header`): delta the column norms, Mdc the columns
/// divided by them, Pxyz_c the world position of voxel `dims / 2`. None
/// when a column has no length or the numbers are not finite.
pub fn place(affine: &Affine, dims: [usize; 3]) -> Option<Placement> {
    let norm = |j: usize| (0..3).map(|r| affine[r][j] * affine[r][j]).sum::<f64>().sqrt();
    let delta = [norm(0), norm(1), norm(2)];
    if delta.iter().any(|d| *d == 0.0 || !d.is_finite()) {
        return None;
    }
    let mdc: [[f32; 3]; 3] = std::array::from_fn(|j| std::array::from_fn(|r| (affine[r][j] / delta[j]) as f32));
    let centre: [f32; 3] = std::array::from_fn(|r| {
        let v = (0..3).map(|j| affine[r][j] * dims[j] as f64 / 2.0).sum::<f64>() + affine[r][3];
        v as f32
    });
    if centre.iter().any(|v| !v.is_finite()) {
        return None;
    }
    Some(Placement { delta: delta.map(|d| d as f32), mdc, pxyz_c: centre })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> MghHeader {
        MghHeader {
            dims: [3, 4, 5, 2],
            vtype: VoxelType::Int16,
            dof: 7,
            good_ras: 1,
            delta: [2.0, 3.0, 4.0],
            mdc: [[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
            pxyz_c: [10.0, -20.0, 30.5],
        }
    }

    #[test]
    fn encode_decode_round_trip() {
        let h = sample();
        let bytes = encode(&h);
        assert_eq!(&bytes[..4], &[0, 0, 0, 1]);
        assert_eq!(&bytes[20..24], &[0, 0, 0, 4]);
        assert!(bytes[FIELDS_SIZE..].iter().all(|b| *b == 0));
        assert_eq!(decode(&bytes, "x").unwrap(), h);
    }

    #[test]
    fn bad_headers_are_named() {
        let mut b = encode(&sample());
        assert_eq!(decode(&b[..89], "x").unwrap_err().code, ["MX", "FORMAT", "MGH", "TRUNCATED"]);
        b[20..24].copy_from_slice(&2i32.to_be_bytes());
        let e = decode(&b, "x").unwrap_err();
        assert!(e.message.contains("type is 2"), "{}", e.message);
        assert_eq!(e.code, ["MX", "FORMAT", "MGH"]);
        let mut b = encode(&sample());
        b[12..16].copy_from_slice(&0i32.to_be_bytes());
        assert!(decode(&b, "x").unwrap_err().message.contains("depth is 0"));
        let mut b = encode(&sample());
        b[3] = 2;
        assert!(decode(&b, "x").unwrap_err().message.contains("version is 2"));
    }

    #[test]
    fn affine_as_nibabel_and_back() {
        let h = sample();
        let a = affine(&h);
        // Column j is mdc[j] * delta[j]; the centre voxel dims/2 lands on Pxyz_c.
        assert_eq!([a[0][0], a[1][0], a[2][0]], [0.0, 2.0, 0.0]);
        assert_eq!([a[0][1], a[1][1], a[2][1]], [-3.0, 0.0, 0.0]);
        let c = crate::core::affine::apply(&a, [1.5, 2.0, 2.5]);
        assert_eq!(c, [10.0, -20.0, 30.5]);
        let p = place(&a, [3, 4, 5]).unwrap();
        assert_eq!(p, Placement { delta: h.delta, mdc: h.mdc, pxyz_c: h.pxyz_c });
        let mut flat = a;
        flat[0][0] = 0.0;
        flat[1][0] = 0.0;
        assert!(place(&flat, [3, 4, 5]).is_none());
    }

    #[test]
    fn default_geometry_when_ras_is_not_good() {
        let h = MghHeader { good_ras: 0, ..sample() };
        let a = affine(&h);
        // nibabel: [[-1,0,0,1.5],[0,0,-1,2.5],[0,1,0,-2],[0,0,0,1]] for 3x4x5.
        assert_eq!(a[0], [-1.0, 0.0, 0.0, 1.5]);
        assert_eq!(a[1], [0.0, 0.0, -1.0, 2.5]);
        assert_eq!(a[2], [0.0, 1.0, 0.0, -2.0]);
    }

    #[test]
    fn footer_pads_with_zeros() {
        let tags = [2.0, 0.5, 3.0, 4.0, 256.0];
        assert_eq!(decode_footer(&encode_footer(&tags)), tags);
        assert_eq!(decode_footer(&encode_footer(&tags)[..4]), [2.0, 0.0, 0.0, 0.0, 0.0]);
    }
}
