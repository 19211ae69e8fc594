//! `$c save file ?-format F? ?-compression N?`: a canvas to a NIfTI-1 (or NIfTI-2)
//! single file or pair, or an Analyze 7.5 pair, chosen by the file name's ending (`.nii`,
//! `.hdr`/`.img`, each optionally `.gz`) and `-format` for pairs.
//!
//! Everything that can fail before writing (the header cannot describe the
//! canvas, the name makes no sense) fails first; the files are then written
//! under temporary names and renamed into place, so a failed save leaves any
//! existing file untouched and no partial file behind.

use super::analyze;
use super::files::{commit_all, shown, split_name, with_ending, Ending, PendingFile};
use super::nifti::encode::encode as encode_header;
use super::nifti::encode2::encode2;
use super::nifti::extensions;
use super::nifti::header::{Flavour, HEADER_SIZE, MAX_HEADER_DIM};
use super::nifti::header2::HEADER2_SIZE;
use super::FileFormat;
use crate::core::error::MxResult;
use crate::core::{Canvas, MxError};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// Where and how a save writes.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    flavour: Flavour,
    header: PathBuf,
    /// The image file of a pair (None for a single file).
    image: Option<PathBuf>,
    gzip: bool,
}

fn target(file: &Path, format: Option<FileFormat>) -> MxResult<Target> {
    let (stem, ending, gzip) = split_name(file);
    let path = &*shown(file);
    match (ending, format) {
        (Ending::Nii, Some(FileFormat::Analyze)) => Err(MxError::mx(
            format!("cannot save \"{path}\" as Analyze 7.5: Analyze is a .hdr/.img pair, use a .hdr or .img name"),
            &["FORMAT", "MISMATCH", "analyze"],
        )),
        (Ending::Nii, _) => Ok(Target { flavour: Flavour::NiftiSingle, header: file.to_path_buf(), image: None, gzip }),
        (Ending::Hdr | Ending::Img, _) => {
            use std::os::unix::ffi::OsStrExt;
            let bytes = file.as_os_str().as_bytes();
            // The endings are ASCII: their spelling is kept byte for byte.
            let gz = if gzip { std::str::from_utf8(&bytes[bytes.len() - 3..]).unwrap_or(".gz") } else { "" };
            let upper = bytes[..bytes.len() - gz.len()].last().is_some_and(|c| c.is_ascii_uppercase());
            let (h, i) = if upper { ("HDR", "IMG") } else { ("hdr", "img") };
            Ok(Target {
                flavour: if format == Some(FileFormat::Analyze) { Flavour::Analyze } else { Flavour::NiftiPair },
                header: with_ending(stem, &format!(".{h}{gz}")),
                image: Some(with_ending(stem, &format!(".{i}{gz}"))),
                gzip,
            })
        }
        (Ending::Other, _) => Err(MxError::mx(
            format!("cannot tell which format to save \"{path}\" in: expected a name ending in .nii, .nii.gz, .hdr, .img, .hdr.gz or .img.gz"),
            &["FORMAT", "FILENAME", path],
        )),
    }
}

/// The voxels in little-endian order (borrowed as they are on a little-endian host).
fn little_endian_voxels(canvas: &Canvas) -> Cow<'_, [u8]> {
    if cfg!(target_endian = "big") {
        let mut bytes = canvas.as_bytes().to_vec();
        super::voxels::swap_bytes(&mut bytes, canvas.voxel_type().size());
        Cow::Owned(bytes)
    } else {
        Cow::Borrowed(canvas.as_bytes())
    }
}

/// Save `canvas` to `path` (a name in the system's encoding; `.gz` names
/// at the default gzip level).
pub fn save(canvas: &Canvas, path: &(impl AsRef<Path> + ?Sized), format: Option<FileFormat>) -> MxResult<()> {
    save_with(canvas, path, format, super::gzip::DEFAULT_LEVEL)
}

/// Save `canvas` to `path`; `.gz` names are compressed at gzip level
/// `compression` (0..=9, see [`super::gzip::check_level`]).
pub fn save_with(
    canvas: &Canvas,
    path: &(impl AsRef<Path> + ?Sized),
    format: Option<FileFormat>,
    compression: u32,
) -> MxResult<()> {
    let compression = super::gzip::check_level(compression.into())?;
    let t = target(path.as_ref(), format)?;
    let gzip = t.gzip.then_some(compression);
    let dims = canvas.geometry().dims();
    let mut metadata = Cow::Borrowed(canvas.metadata());
    // Analyze: the affine goes into the SPM origin and, if needed, a `.mat` sidecar.
    let mut sidecar = None;
    if t.flavour == Flavour::Analyze {
        let mat_path = analyze::sidecar_path(&t.header);
        let placed = analyze::place(&metadata, [dims[0], dims[1], dims[2]], mat_path.exists());
        metadata.to_mut().extra.origin = placed.origin;
        sidecar = placed.sidecar.map(|bytes| (mat_path, bytes));
    }
    // NIfTI files carry the extension flag and extensions after the header
    // (Analyze has neither).
    let ext: Vec<u8> = if t.flavour == Flavour::Analyze {
        Vec::new()
    } else {
        extensions::check(&metadata.extra.extensions, &shown(&t.header))?;
        extensions::encode(&metadata.extra.extensions)
    };
    // NIfTI-2 when asked for, or (without -format) when a dimension does not
    // fit NIfTI-1's 16 bits; `-format nifti` keeps NIfTI-1 and refuses.
    let nifti2 = format == Some(FileFormat::Nifti2)
        || (format.is_none() && t.flavour != Flavour::Analyze && dims.iter().any(|&d| d > MAX_HEADER_DIM));
    let header_len = if nifti2 { HEADER2_SIZE } else { HEADER_SIZE } as u64;
    let offset = if t.flavour == Flavour::NiftiSingle { header_len + ext.len() as u64 } else { 0 };
    let header: Vec<u8> = if nifti2 {
        encode2(t.flavour, dims, canvas.voxel_type(), &metadata, offset).to_vec()
    } else {
        encode_header(t.flavour, dims, canvas.voxel_type(), &metadata, offset, &shown(&t.header))?.to_vec()
    };
    let voxels = little_endian_voxels(canvas);
    match &t.image {
        None => {
            let file = PendingFile::write_with(&t.header, gzip, |w| {
                w.write_all(&header)?;
                w.write_all(&ext)?;
                w.write_all(&voxels)
            })?;
            file.commit()
        }
        Some(image) => {
            let image_file = PendingFile::write_with(image, gzip, |w| w.write_all(&voxels))?;
            let header_file = PendingFile::write_with(&t.header, gzip, |w| {
                w.write_all(&header)?;
                w.write_all(&ext)
            })?;
            let mat_file = match &sidecar {
                Some((mat_path, bytes)) => {
                    let gz = analyze::sidecar_is_gzipped(mat_path).then_some(compression);
                    Some(PendingFile::write_with(mat_path, gz, |w| w.write_all(bytes))?)
                }
                None => None,
            };
            // All renamed into place, or none: a failure puts back the old
            // image (and header), so a header never describes voxels it was
            // not saved with.
            commit_all([image_file, header_file].into_iter().chain(mat_file).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_by_name_and_format() {
        let t = target(Path::new("a/b.nii.gz"), None).unwrap();
        assert_eq!(
            (t.flavour, t.header.to_str().unwrap(), t.image, t.gzip),
            (Flavour::NiftiSingle, "a/b.nii.gz", None, true)
        );
        let t = target(Path::new("b.img"), None).unwrap();
        assert_eq!(
            (t.flavour, t.header.to_str().unwrap(), t.image.as_deref().and_then(Path::to_str)),
            (Flavour::NiftiPair, "b.hdr", Some("b.img"))
        );
        let t = target(Path::new("b.HDR.gz"), Some(FileFormat::Analyze)).unwrap();
        assert_eq!(
            (t.flavour, t.header.to_str().unwrap(), t.image.as_deref().and_then(Path::to_str)),
            (Flavour::Analyze, "b.HDR.gz", Some("b.IMG.gz"))
        );
        assert_eq!(
            target(Path::new("b.nii"), Some(FileFormat::Analyze)).unwrap_err().code,
            ["MX", "FORMAT", "MISMATCH", "analyze"]
        );
        assert_eq!(target(Path::new("b.png"), None).unwrap_err().code, ["MX", "FORMAT", "FILENAME", "b.png"]);
    }
}
