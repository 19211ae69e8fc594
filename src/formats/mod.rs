//! Image files in and out. Safe Rust, no Tcl: the commands in
//! `crate::commands::formats` parse arguments and call these.
//!
//! One folder per format, the pieces they share beside them:
//! * [`nifti`]: the 348-byte NIfTI-1 / Analyze 7.5 header, its `datatype`
//!   codes and extensions; [`analyze`]: where SPM's Analyze puts the voxels
//!   in space (originator, `.mat` sidecar); [`gzip`]: `.gz` in and out;
//!   [`png`]: the PNG encoder; [`mgh`]: FreeSurfer's MGH/MGZ; [`slices`]: 2-D planes of a canvas for
//!   pictures and the viewer; [`dicom`]: DICOM files, series and DICOMDIRs in.
//! * [`sniff`]: what a file is, by its first bytes (gzip looked into);
//! * [`load`] and [`save`]: a file into a canvas and back, choosing the format;
//!   [`files`] and [`replace`]: which files a name stands for, and replacing
//!   them all or none; [`voxels`]: byte order and value scaling.
//!
//! The 348-byte header is read and written by our own codec
//! ([`nifti::header`]) rather than the `nifti` crate, which (0.18, as measured
//! for this project in issue 4) rejects Analyze 7.5 and pairs opened by their `.img`, judges compression
//! by file name, misreads files whose `vox_offset` is past 352 without
//! extensions, panics when `bitpix` disagrees with `datatype`, and on write
//! drops the value scaling, renames files and truncates large dimensions.

pub mod analyze;
pub mod dicom;
pub mod files;
pub mod gzip;
pub mod load;
pub mod mgh;
pub mod nifti;
pub mod png;
pub mod replace;
pub mod save;
pub mod slices;
pub mod sniff;
pub mod voxels;

use crate::core::error::MxResult;
use slices::Tiles;

/// The file formats `-format` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// NIfTI-1: single file (`.nii`) or pair (`.hdr`/`.img`), by the name.
    Nifti,
    /// Analyze 7.5: always a pair.
    Analyze,
    /// NIfTI-2 (540-byte header, 64-bit dimensions): single file or pair,
    /// by the name. A NIfTI save picks it by itself for dimensions above 32767.
    Nifti2,
    /// FreeSurfer MGH: `.mgh`, or `.mgz` gzip-compressed.
    Mgh,
}

impl FileFormat {
    /// In the order of [`FileFormat::ALL`], which `-format` parsing uses.
    pub const ALL: [FileFormat; 4] = [FileFormat::Analyze, FileFormat::Mgh, FileFormat::Nifti, FileFormat::Nifti2];

    pub fn name(self) -> &'static str {
        match self {
            FileFormat::Nifti => "nifti",
            FileFormat::Analyze => "analyze",
            FileFormat::Nifti2 => "nifti2",
            FileFormat::Mgh => "mgh",
        }
    }
}

/// Write `picture` to `path` as a PNG, atomically. The picture's pixels go
/// straight from the canvas into the file, a piece at a time.
pub fn save_png(picture: &Tiles, path: &std::path::Path) -> MxResult<()> {
    files::PendingFile::write(path, false, |w| png::write_png(w, picture))?.commit()
}

#[cfg(test)]
mod round_trip_tests;
