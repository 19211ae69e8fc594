//! Image files in and out: NIfTI-1 and Analyze 7.5 volumes, PNG pictures of
//! slices. Safe Rust, no Tcl: the commands in `crate::commands::formats`
//! parse arguments and call these.
//!
//! The 348-byte header is read and written by our own codec
//! ([`nifti_header`]) rather than the `nifti` crate, which (0.18, as measured
//! for this project in issue 4) rejects Analyze 7.5 and pairs opened by their `.img`, judges compression
//! by file name, misreads files whose `vox_offset` is past 352 without
//! extensions, panics when `bitpix` disagrees with `datatype`, and on write
//! drops the value scaling, renames files and truncates large dimensions.

pub mod analyze;
pub mod datatype;
pub mod extensions;
pub mod files;
pub mod gzip;
pub mod header_encode;
pub mod load;
pub mod matfile;
pub mod nifti_header;
pub mod png;
pub mod render;
pub mod save;
pub mod slice;
pub mod voxels;

use crate::core::error::MxResult;
use crate::core::MxError;
use slice::Grey;

/// The file formats `-format` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// NIfTI-1: single file (`.nii`) or pair (`.hdr`/`.img`), by the name.
    Nifti,
    /// Analyze 7.5: always a pair.
    Analyze,
}

impl FileFormat {
    /// In the order of [`FileFormat::ALL`], which `-format` parsing uses.
    pub const ALL: [FileFormat; 2] = [FileFormat::Analyze, FileFormat::Nifti];

    pub fn name(self) -> &'static str {
        match self {
            FileFormat::Nifti => "nifti",
            FileFormat::Analyze => "analyze",
        }
    }
}

/// Write `picture` to `path` as a PNG, atomically.
pub fn save_png(picture: &Grey, path: &str) -> MxResult<()> {
    let bytes = png::png_bytes(picture)
        .map_err(|e| MxError::mx(format!("cannot write \"{path}\": {e}"), &["FORMAT", "PNG"]))?;
    files::PendingFile::write(path, false, |w| w.write_all(&bytes))?.commit()
}

#[cfg(test)]
mod round_trip_tests;
