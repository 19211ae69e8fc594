//! A canvas to `.mgh` (or gzip `.mgz`): the header placed from the canvas's
//! affine (`core::affine::best`, so nibabel reads back the same mapping),
//! the voxels big-endian, then the scan parameters. The file is written
//! under a temporary name and renamed into place, as every save is.

use super::header::{self, MghHeader, HEADER_SIZE, TYPE_NAMES};
use crate::core::affine;
use crate::core::error::MxResult;
use crate::core::metadata::MghFacts;
use crate::core::{Canvas, MxError};
use crate::formats::files::{shown, PendingFile};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// Voxels are byte-swapped into a buffer of this size at a time, so a save
/// needs no second copy of the volume.
const CHUNK: usize = 1 << 20;

/// Whether `path` names an MGH file: Some(false) for `.mgh`, Some(true)
/// (gzip) for `.mgz`, None otherwise. Any case, as nibabel matches them.
pub fn mgh_name(path: &Path) -> Option<bool> {
    let lower = path.as_os_str().as_bytes().to_ascii_lowercase();
    if lower.ends_with(b".mgh") {
        Some(false)
    } else if lower.ends_with(b".mgz") {
        Some(true)
    } else {
        None
    }
}

/// The header and footer for `canvas`, or why MGH cannot hold it.
fn describe(canvas: &Canvas, path: &str) -> MxResult<(MghHeader, [f32; 5])> {
    let vtype = canvas.voxel_type();
    if header::code_of(vtype).is_none() {
        return Err(MxError::mx(
            format!("cannot save a {} canvas as MGH \"{path}\": MGH holds {TYPE_NAMES}", vtype.name()),
            &["FORMAT", "MGH", "TYPE", vtype.name()],
        ));
    }
    let g = canvas.geometry();
    let dims = g.dims();
    if let Some(d) = dims.iter().find(|d| **d > i32::MAX as usize) {
        return Err(MxError::mx(
            format!("cannot save \"{path}\" as MGH: a dimension of {d} does not fit its 32-bit fields"),
            &["FORMAT", "MGH", "DIMS"],
        ));
    }
    let a = affine::best(canvas.metadata(), &g);
    let p = header::place(&a, [dims[0], dims[1], dims[2]]).ok_or_else(|| {
        MxError::mx(
            format!("cannot save \"{path}\" as MGH: the canvas's affine {a:?} has an axis of no length or a value that is not finite"),
            &["FORMAT", "MGH", "AFFINE"],
        )
    })?;
    let m = canvas.metadata();
    // A canvas from elsewhere: nibabel's conversion puts the time step in TR.
    let facts =
        m.extra.mgh.unwrap_or(MghFacts { dof: 0, tags: [if dims[3] > 1 { m.tstep } else { 0.0 }, 0.0, 0.0, 0.0, 0.0] });
    let h = MghHeader { dims, vtype, dof: facts.dof, good_ras: 1, delta: p.delta, mdc: p.mdc, pxyz_c: p.pxyz_c };
    Ok((h, facts.tags))
}

/// The voxels in big-endian order, a chunk at a time.
fn write_voxels(w: &mut dyn Write, bytes: &[u8], size: usize) -> io::Result<()> {
    if size == 1 || cfg!(target_endian = "big") {
        return w.write_all(bytes);
    }
    let mut buf = Vec::new();
    buf.try_reserve_exact(CHUNK.min(bytes.len()))
        .map_err(|_| io::Error::new(io::ErrorKind::OutOfMemory, "cannot allocate the byte-swap buffer"))?;
    for piece in bytes.chunks(CHUNK) {
        buf.clear();
        buf.extend_from_slice(piece);
        crate::formats::voxels::swap_bytes(&mut buf, size);
        w.write_all(&buf)?;
    }
    Ok(())
}

/// Save `canvas` to `file`, gzip-compressed at `compression` when `gzip`.
pub fn save(canvas: &Canvas, file: &Path, gzip: bool, compression: u32) -> MxResult<()> {
    let path = shown(file);
    let (h, tags) = describe(canvas, &path)?;
    let head: [u8; HEADER_SIZE] = header::encode(&h);
    let footer = header::encode_footer(&tags);
    let size = h.vtype.size();
    PendingFile::write_with(file, gzip.then_some(compression), |w| {
        w.write_all(&head)?;
        write_voxels(w, canvas.as_bytes(), size)?;
        w.write_all(&footer)
    })?
    .commit()
}
