//! Analyze 7.5 as SPM (and nibabel's `Spm99AnalyzeImage`) use it: where
//! the voxels are in space. An Analyze header has no affine; SPM put a
//! 1-based origin voxel in the `originator` field and, when the affine is
//! more than a flipped scaling about that origin, a `.mat` sidecar with it.
//!
//! Loading: the sidecar's `mat` (or `M` with SPM's default x flip) wins, else
//! a usable origin; either becomes the canvas's sform (code 2, "aligned",
//! what nibabel gives such an image as NIfTI), so a NIfTI save carries it.
//! Saving: the origin is written when the sform or qform says it, and the
//! sidecar when the origin cannot express the affine (or when a sidecar of
//! that name exists already, so that it never contradicts the header).

pub mod matfile;

use super::files::{io_error, open_decoded_as, shown, split_name, with_ending, Buffering};
use crate::core::error::MxResult;
use crate::core::limits::try_vec;
use crate::core::{Metadata, MxError};
use matfile::Affine;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// SPM's default: the x axis is flipped (radiological storage).
const FLIP_X: Affine = [[-1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]];

fn mul(a: &Affine, b: &Affine) -> Affine {
    std::array::from_fn(|r| std::array::from_fn(|c| (0..4).map(|k| a[r][k] * b[k][c]).sum()))
}

/// Shift by `by` voxels on each axis (MATLAB's 1-based voxel indices).
fn shift(by: f64) -> Affine {
    let mut m = FLIP_X;
    m[0][0] = 1.0;
    for row in m.iter_mut().take(3) {
        row[3] = by;
    }
    m
}

/// The sidecar a save writes beside an Analyze header: `x.hdr` -> `x.mat`,
/// and for a gzipped pair `x.hdr.gz` -> `x.mat.gz`, compressed, as nibabel
/// writes it (and the only name nibabel reads beside a `.hdr.gz`).
pub fn sidecar_path(header: &Path) -> PathBuf {
    sidecar_candidates(header).swap_remove(0)
}

/// The sidecars a load looks for, in order: `x.mat.gz` then `x.mat` beside
/// a gzipped header (the plain one as older versions of this package wrote
/// it), `x.mat` beside a plain one.
pub fn sidecar_candidates(header: &Path) -> Vec<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let (stem, _, gz) = split_name(header);
    let bytes = header.as_os_str().as_bytes();
    let bare = bytes.strip_suffix(b".gz").or_else(|| bytes.strip_suffix(b".GZ")).unwrap_or(bytes);
    let upper = bare.last().is_some_and(|c| c.is_ascii_uppercase());
    let plain = with_ending(stem, if upper { ".MAT" } else { ".mat" });
    if !gz {
        return vec![plain];
    }
    let gz_ending = &bytes[bare.len()..];
    let mut zipped = plain.clone().into_os_string();
    zipped.push(std::ffi::OsStr::from_bytes(gz_ending));
    vec![PathBuf::from(zipped), plain]
}

/// Is this sidecar name one that is written gzip-compressed?
pub fn sidecar_is_gzipped(path: &Path) -> bool {
    path.as_os_str().as_encoded_bytes().to_ascii_lowercase().ends_with(b".gz")
}

/// Zooms with SPM's x flip, as nibabel's `get_origin_affine` takes them.
fn zooms(m: &Metadata) -> [f64; 3] {
    [-(m.spacing[0] as f64), m.spacing[1] as f64, m.spacing[2] as f64]
}

/// Is the 1-based origin usable (set, and not absurd for the dims)? nibabel's rule.
fn origin_usable(origin: [f64; 3], dims: [usize; 3]) -> bool {
    origin.iter().any(|&o| o != 0.0) && origin.iter().zip(dims).all(|(&o, d)| o > -(d as f64) && o < 2.0 * d as f64)
}

/// The affine an origin gives (nibabel's `get_origin_affine`), if usable.
pub fn origin_affine(m: &Metadata, dims: [usize; 3]) -> Option<Affine> {
    let origin = [0, 1, 2].map(|i| m.extra.origin[i] as f64);
    if !origin_usable(origin, dims) {
        return None;
    }
    let z = zooms(m);
    let mut a = shift(0.0);
    for i in 0..3 {
        a[i][i] = z[i];
        a[i][3] = -(origin[i] - 1.0) * z[i];
    }
    Some(a)
}

/// The affine of a loaded Analyze pair whose header is `header_path`:
/// from its sidecar when there is a non-empty one, else from its origin.
pub fn load_affine(header_path: &Path, m: &Metadata, dims: [usize; 3]) -> MxResult<Option<Affine>> {
    let Some(file) = sidecar_candidates(header_path).into_iter().find(|p| p.exists()) else {
        return Ok(origin_affine(m, dims));
    };
    let path = shown(&file).into_owned();
    let meta = fs::metadata(&file).map_err(|e| io_error("read", &path, e))?;
    if !meta.is_file() {
        // A FIFO would block the read below: only regular files are read.
        return Err(MxError::mx(
            format!("cannot read \"{path}\": it is not a regular file, expected an SPM .mat file"),
            &["FORMAT", "NOTFILE"],
        ));
    }
    let len = meta.len();
    if len > matfile::MAX_MAT_FILE {
        return Err(too_big(&path, len));
    }
    // Through the package's gzip path (told by content), streamed: at most
    // one byte past the limit is ever inflated or read, so a file that grew
    // since the check, or a gzip bomb, is refused, never read whole.
    let mut stream = open_decoded_as(&file, Buffering::Streamed)?;
    let mut bytes = try_vec(matfile::MAX_MAT_FILE as usize + 1, "an SPM sidecar")?;
    (&mut stream.reader)
        .take(matfile::MAX_MAT_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error("read", &path, e))?;
    if bytes.len() as u64 > matfile::MAX_MAT_FILE {
        return Err(too_big(&path, bytes.len() as u64));
    }
    stream.finish(&path)?;
    if bytes.is_empty() {
        return Ok(origin_affine(m, dims));
    }
    let found = matfile::read(&bytes, &path)?;
    // `mat` includes any flip; `M` is without SPM's default x flip.
    let a = match (found.mat, found.m) {
        (Some(mat), _) => mat,
        (None, Some(big_m)) => mul(&FLIP_X, &big_m),
        (None, None) => unreachable!("matfile::read refuses a file without either"),
    };
    Ok(Some(mul(&a, &shift(1.0))))
}

fn too_big(path: &str, len: u64) -> MxError {
    MxError::mx(
        format!("the SPM sidecar \"{path}\" has {len} bytes: an affine file has at most {}", matfile::MAX_MAT_FILE),
        &["FORMAT", "MAT"],
    )
}

/// Make `affine` the canvas's sform (code 2, aligned).
pub fn set_sform(m: &mut Metadata, a: &Affine) {
    m.srow = std::array::from_fn(|r| a[r].map(|v| v as f32));
    m.sform_code = 2;
}

/// What an Analyze save writes for the affine: the originator field and,
/// when needed, the sidecar's bytes.
pub struct Placement {
    pub origin: [i16; 5],
    pub sidecar: Option<Vec<u8>>,
}

/// The canvas's affine claim: its sform, else its qform, else none.
fn claimed(m: &Metadata) -> Option<Affine> {
    if m.sform_code > 0 {
        Some(m.sform_affine())
    } else if m.qform_code > 0 {
        Some(m.qform_affine())
    } else {
        None
    }
}

fn close(a: &Affine, b: &Affine) -> bool {
    a.iter().flatten().zip(b.iter().flatten()).all(|(x, y)| (x - y).abs() <= 1e-5 * x.abs().max(1.0))
}

/// Where an Analyze save puts the affine. `sidecar_exists`: a `.mat` of the
/// target's name is there already (it is then rewritten to agree).
pub fn place(m: &Metadata, dims: [usize; 3], sidecar_exists: bool) -> Placement {
    let mut origin = m.extra.origin;
    let Some(a) = claimed(m) else {
        let sidecar = sidecar_exists.then(|| {
            // No claim: the affine readers assume without a sidecar.
            let fallback = origin_affine(m, dims).unwrap_or_else(|| centre_affine(m, dims));
            sidecar_bytes(&fallback)
        });
        return Placement { origin, sidecar };
    };
    // The inverse of `origin_affine`: origin = -T / zoom + 1, with SPM's
    // x flip in the zoom (nibabel's set_origin_from_affine takes the
    // unsigned zoom, which does not give its own x translation back).
    let z = zooms(m);
    let candidate: [f64; 3] = std::array::from_fn(|i| -a[i][3] / z[i] + 1.0);
    let whole = candidate.iter().all(|o| o.is_finite() && o.round() == *o && o.abs() <= i16::MAX as f64);
    let mut fits = false;
    if whole && origin_usable(candidate, dims) {
        origin[..3].copy_from_slice(&candidate.map(|o| o as i16));
        let trial = Metadata { extra: crate::core::metadata::HeaderExtras { origin, ..m.extra.clone() }, ..m.clone() };
        fits = origin_affine(&trial, dims).is_some_and(|o| close(&o, &a));
    } else {
        origin[..3].copy_from_slice(&[0; 3]);
    }
    let sidecar = (!fits || sidecar_exists).then(|| sidecar_bytes(&a));
    Placement { origin, sidecar }
}

/// nibabel's affine for an Analyze image without origin: about the centre.
fn centre_affine(m: &Metadata, dims: [usize; 3]) -> Affine {
    let z = zooms(m);
    let mut a = shift(0.0);
    for i in 0..3 {
        a[i][i] = z[i];
        a[i][3] = -((dims[i] as f64 - 1.0) / 2.0) * z[i];
    }
    a
}

/// The sidecar for affine `a` (0-based voxels), as nibabel writes it.
fn sidecar_bytes(a: &Affine) -> Vec<u8> {
    let mat = mul(a, &shift(-1.0));
    let big_m = mul(&FLIP_X, &mat);
    matfile::write_v4(&[("M", big_m), ("mat", mat)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_names() {
        let names =
            |h: &str| sidecar_candidates(Path::new(h)).iter().map(|p| shown(p).into_owned()).collect::<Vec<_>>();
        assert_eq!(names("d/x.hdr"), ["d/x.mat"]);
        assert_eq!(names("d/x.img.gz"), ["d/x.mat.gz", "d/x.mat"]);
        assert_eq!(names("X.HDR.GZ"), ["X.MAT.GZ", "X.MAT"]);
        assert!(sidecar_is_gzipped(&sidecar_path(Path::new("x.hdr.gz"))));
        assert!(!sidecar_is_gzipped(&sidecar_path(Path::new("x.hdr"))));
    }

    fn meta(spacing: [f32; 3], origin: [i16; 3]) -> Metadata {
        let mut m = Metadata { spacing, ..Metadata::default() };
        m.extra.origin[..3].copy_from_slice(&origin);
        m
    }

    #[test]
    fn origin_affine_as_nibabel() {
        // nibabel's doctest: shape (3,5,7), zooms (3,2,1), origin [3,4,5].
        let m = meta([3.0, 2.0, 1.0], [3, 4, 5]);
        let a = origin_affine(&m, [3, 5, 7]).unwrap();
        assert_eq!(a[0], [-3.0, 0.0, 0.0, 6.0]);
        assert_eq!(a[1], [0.0, 2.0, 0.0, -6.0]);
        assert_eq!(a[2], [0.0, 0.0, 1.0, -4.0]);
        assert!(origin_affine(&meta([1.0; 3], [0, 0, 0]), [3, 5, 7]).is_none());
        assert!(origin_affine(&meta([1.0; 3], [900, 1, 1]), [3, 5, 7]).is_none());
    }

    #[test]
    fn expressible_affines_need_no_sidecar() {
        let mut m = meta([3.0, 2.0, 1.0], [0, 0, 0]);
        set_sform(&mut m, &origin_affine(&meta([3.0, 2.0, 1.0], [3, 4, 5]), [3, 5, 7]).unwrap());
        let p = place(&m, [3, 5, 7], false);
        assert_eq!((p.origin[..3].to_vec(), p.sidecar.is_none()), (vec![3, 4, 5], true));
        // A translation without the x flip: needs the sidecar, which gives it back.
        let mut t = shift(0.0);
        t[0][3] = 10.0;
        t[1][3] = -20.0;
        t[2][3] = -3.0;
        set_sform(&mut m, &t);
        let p = place(&m, [3, 5, 7], false);
        let mat = matfile::read(&p.sidecar.unwrap(), "t").unwrap().mat.unwrap();
        assert_eq!(mul(&mat, &shift(1.0)), t);
    }

    #[test]
    fn no_claim_keeps_the_origin_and_rewrites_a_stale_sidecar() {
        let m = meta([1.0; 3], [2, 2, 2]);
        let p = place(&m, [4, 4, 4], false);
        assert_eq!((p.origin[..3].to_vec(), p.sidecar.is_none()), (vec![2, 2, 2], true));
        let p = place(&m, [4, 4, 4], true);
        let mat = matfile::read(&p.sidecar.unwrap(), "t").unwrap().mat.unwrap();
        assert_eq!(mul(&mat, &shift(1.0)), origin_affine(&m, [4, 4, 4]).unwrap());
    }
}
