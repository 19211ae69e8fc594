//! An MGH file (plain or gzip, told by its content) into a canvas: the
//! voxels straight into the canvas's storage (a segment for `-storage
//! shm`), the affine as an sform of code 2 ("aligned"), which is what
//! nibabel's `Nifti1Image.from_image` makes of an `MGHImage`.

use super::header::{self, HEADER_SIZE};
use crate::core::error::MxResult;
use crate::core::metadata::MghFacts;
use crate::core::storage::StorageKind;
use crate::core::{Canvas, Geometry, Metadata, MxError};
use crate::formats::files::{open_decoded_as, read_up_to, shown, Buffering};
use crate::formats::voxels::{apply_scaling, swap_bytes};
use crate::formats::FileFormat;
use std::path::Path;

/// The sform code nibabel's `Nifti1Image.from_image` gives an MGH image.
const ALIGNED: i16 = 2;

/// How `MxCanvas load` asked for the file: `format` a check, `scaled` real values, where the voxels live.
#[derive(Debug, Clone, Copy)]
pub struct MghOptions {
    pub format: Option<FileFormat>,
    pub scaled: bool,
    pub storage: StorageKind,
}

pub fn load(file: &Path, options: MghOptions) -> MxResult<Canvas> {
    let path = shown(file).into_owned();
    if let Some(wanted) = options.format.filter(|f| *f != FileFormat::Mgh) {
        return Err(MxError::mx(
            format!("\"{path}\" is a FreeSurfer MGH file, not {}", wanted.name()),
            &["FORMAT", "MISMATCH", FileFormat::Mgh.name()],
        ));
    }
    // A segment is filled as the file inflates (no buffer of the compressed
    // file's size beside it); a heap canvas reads the compressed file whole.
    let buffering = if options.storage == StorageKind::Shm { Buffering::Streamed } else { Buffering::Whole };
    let mut stream = open_decoded_as(file, buffering)?;
    let mut raw = [0u8; HEADER_SIZE];
    let got = read_up_to(&mut *stream.reader, &mut raw, &path)?;
    let h = header::decode(&raw[..got], &path)?;
    let geometry = Geometry::new(h.dims.map(|d| d as i64), h.vtype)?;
    let want = geometry.bytes(h.vtype);
    let truncated = |have: u64| {
        let [w, hh, d, f] = h.dims;
        MxError::mx(
            format!(
                "\"{path}\" is truncated: a {w}x{hh}x{d}x{f} {} MGH image needs {HEADER_SIZE} bytes of header and {want} of voxels, the file has {have} in all",
                h.vtype.name()
            ),
            &["FORMAT", "MGH", "TRUNCATED"],
        )
    };
    // A plain file's size is known: a header promising more than the file
    // holds fails before the canvas is allocated.
    if let Some(len) = stream.plain_len {
        if len < (HEADER_SIZE + want) as u64 {
            return Err(truncated(len));
        }
    }
    if got < HEADER_SIZE {
        return Err(truncated(got as u64));
    }
    let mut canvas = Canvas::new_in(geometry, h.vtype, options.storage)?;
    let read = read_up_to(&mut *stream.reader, canvas.as_bytes_mut(), &path)?;
    if read < want {
        return Err(truncated((HEADER_SIZE + read) as u64));
    }
    let mut footer = [0u8; header::FOOTER_SIZE];
    let footer_len = read_up_to(&mut *stream.reader, &mut footer, &path)?;
    // Tags FreeSurfer may write after these (nibabel ignores them too) are
    // read only for the gzip check.
    stream.finish(&path)?;
    if cfg!(target_endian = "little") {
        swap_bytes(canvas.as_bytes_mut(), h.vtype.size());
    }
    canvas.set_metadata(metadata(&h, header::decode_footer(&footer[..footer_len])));
    if options.scaled {
        canvas = apply_scaling(&canvas)?;
    }
    Ok(canvas)
}

/// What nibabel's `Nifti1Image.from_image(mgh)` puts in a NIfTI header:
/// the affine as sform (code 2), no qform, spacing the affine's column
/// lengths (delta for a well-formed file), the time step TR for several frames.
pub fn metadata(h: &header::MghHeader, tags: [f32; 5]) -> Metadata {
    let a = header::affine(h);
    let mut m = Metadata { sform_code: ALIGNED, ..Metadata::default() };
    for (r, row) in m.srow.iter_mut().enumerate() {
        *row = a[r].map(|v| v as f32);
    }
    m.spacing = std::array::from_fn(|j| (0..3).map(|r| a[r][j] * a[r][j]).sum::<f64>().sqrt() as f32);
    if h.dims[3] > 1 {
        m.tstep = tags[0];
    }
    m.extra.mgh = Some(MghFacts { dof: h.dof, tags });
    m
}
