//! What a file is, told by its first bytes, never by its name: every load
//! looks here first, so a DICOM file named `.nii.gz` or a PNG named `.hdr`
//! is named for what it is instead of failing on a header field.
//!
//! A gzip file is looked into: the first [`HEAD`] bytes are inflated
//! (streamed, so a bomb costs nothing) and judged the same way.

use super::files::{open_decoded_as, read_up_to, Buffering};
use std::path::Path;

/// How many decoded bytes are judged: a NIfTI-2 header is 540 bytes, a
/// DICOM preamble and its `DICM` 132.
pub const HEAD: usize = 544;

/// The kinds of file a load recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `DICM` after the 128-byte preamble.
    Dicom,
    /// `sizeof_hdr` 348 with magic `n+1` or `ni1`.
    Nifti1,
    /// `sizeof_hdr` 540 with magic `n+2` or `ni2`.
    Nifti2,
    /// `sizeof_hdr` 348 without a NIfTI magic.
    Analyze,
    /// FreeSurfer MGH: big-endian version 1, sane dimensions and a known type.
    Mgh,
    Png,
    Jpeg,
    Tiff,
    Nrrd,
    /// None of the above (also: a file that cannot be opened or read, which
    /// the format's own reader then reports).
    Unknown,
}

impl Kind {
    /// The kind as a script sees it, in an `MX FORMAT KIND` error code.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Dicom => "DICOM",
            Kind::Nifti1 => "NIFTI1",
            Kind::Nifti2 => "NIFTI2",
            Kind::Analyze => "ANALYZE",
            Kind::Mgh => "MGH",
            Kind::Png => "PNG",
            Kind::Jpeg => "JPEG",
            Kind::Tiff => "TIFF",
            Kind::Nrrd => "NRRD",
            Kind::Unknown => "UNKNOWN",
        }
    }

    /// The kind in a sentence: "a DICOM file".
    pub fn described(self) -> &'static str {
        match self {
            Kind::Dicom => "a DICOM file",
            Kind::Nifti1 => "a NIfTI-1 file",
            Kind::Nifti2 => "a NIfTI-2 file",
            Kind::Analyze => "an Analyze 7.5 header",
            Kind::Mgh => "a FreeSurfer MGH file",
            Kind::Png => "a PNG image",
            Kind::Jpeg => "a JPEG image",
            Kind::Tiff => "a TIFF image",
            Kind::Nrrd => "an NRRD file",
            Kind::Unknown => "a file of unknown kind",
        }
    }
}

/// The kind of `path` and whether it is gzip-compressed.
pub fn sniff(path: &Path) -> (Kind, bool) {
    let Ok(mut stream) = open_decoded_as(path, Buffering::Streamed) else {
        return (Kind::Unknown, false);
    };
    let mut head = [0u8; HEAD];
    match read_up_to(&mut *stream.reader, &mut head, "") {
        Ok(n) => (judge(&head[..n]), stream.gzip),
        Err(_) => (Kind::Unknown, stream.gzip),
    }
}

fn i32_at(b: &[u8], at: usize, big: bool) -> Option<i32> {
    let raw: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
    Some(if big { i32::from_be_bytes(raw) } else { i32::from_le_bytes(raw) })
}

/// The kind the decoded first bytes `h` say.
pub fn judge(h: &[u8]) -> Kind {
    if h.get(128..132) == Some(b"DICM") {
        return Kind::Dicom;
    }
    if h.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Kind::Png;
    }
    if h.starts_with(&[0xff, 0xd8, 0xff]) {
        return Kind::Jpeg;
    }
    // Classic TIFF (42) and BigTIFF (43), either byte order.
    if [&b"II*\0"[..], b"MM\0*", b"II+\0", b"MM\0+"].iter().any(|m| h.starts_with(m)) {
        return Kind::Tiff;
    }
    if h.starts_with(b"NRRD000") {
        return Kind::Nrrd;
    }
    for big in [false, true] {
        match i32_at(h, 0, big) {
            Some(540) if matches!(h.get(4..8), Some(b"n+2\0") | Some(b"ni2\0")) => return Kind::Nifti2,
            Some(348) => {
                return match h.get(344..348) {
                    Some(b"n+1\0") | Some(b"ni1\0") => Kind::Nifti1,
                    _ => Kind::Analyze,
                }
            }
            _ => {}
        }
    }
    if is_mgh(h) {
        return Kind::Mgh;
    }
    Kind::Unknown
}

/// MGH's header: int32 big-endian version 1, width, height, depth, frames,
/// type (0 uchar, 1 int, 3 float, 4 short), dof. Dimensions must be
/// positive: the test is strict because the header has no magic.
fn is_mgh(h: &[u8]) -> bool {
    let field = |i: usize| i32_at(h, 4 * i, true);
    field(0) == Some(1)
        && (1..=4).all(|i| field(i).is_some_and(|d| d >= 1))
        && field(5).is_some_and(|t| matches!(t, 0 | 1 | 3 | 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nifti1(magic: &[u8; 4], big: bool) -> Vec<u8> {
        let mut h = vec![0u8; 352];
        h[..4].copy_from_slice(&if big { 348i32.to_be_bytes() } else { 348i32.to_le_bytes() });
        h[344..348].copy_from_slice(magic);
        h
    }

    #[test]
    fn every_kind_by_its_bytes() {
        let mut dicom = vec![0u8; 132];
        dicom[128..].copy_from_slice(b"DICM");
        assert_eq!(judge(&dicom), Kind::Dicom);
        assert_eq!(judge(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Kind::Png);
        assert_eq!(judge(&[0xff, 0xd8, 0xff, 0xe0]), Kind::Jpeg);
        assert_eq!(judge(b"II*\0\x08\0\0\0"), Kind::Tiff);
        assert_eq!(judge(b"MM\0*\0\0\0\x08"), Kind::Tiff);
        assert_eq!(judge(b"NRRD0004\n"), Kind::Nrrd);
        assert_eq!(judge(&nifti1(b"n+1\0", false)), Kind::Nifti1);
        assert_eq!(judge(&nifti1(b"ni1\0", true)), Kind::Nifti1);
        assert_eq!(judge(&nifti1(b"\0\0\0\0", true)), Kind::Analyze);
        let mut n2 = vec![0u8; 540];
        n2[..4].copy_from_slice(&540i32.to_le_bytes());
        n2[4..8].copy_from_slice(b"n+2\0");
        assert_eq!(judge(&n2), Kind::Nifti2);
        n2[..4].copy_from_slice(&540i32.to_be_bytes());
        n2[4..8].copy_from_slice(b"ni2\0");
        assert_eq!(judge(&n2), Kind::Nifti2);
        let mgh: Vec<u8> = [1i32, 4, 5, 6, 1, 3, 0].iter().flat_map(|v| v.to_be_bytes()).collect();
        assert_eq!(judge(&mgh), Kind::Mgh);
    }

    #[test]
    fn near_misses_are_unknown() {
        assert_eq!(judge(b""), Kind::Unknown);
        assert_eq!(judge(b"NRRD"), Kind::Unknown);
        // MGH with type 2 (not one MGH defines) or a zero width.
        for bad in [[1i32, 4, 5, 6, 1, 2, 0], [1, 0, 5, 6, 1, 3, 0], [2, 4, 5, 6, 1, 3, 0]] {
            let b: Vec<u8> = bad.iter().flat_map(|v| v.to_be_bytes()).collect();
            assert_eq!(judge(&b), Kind::Unknown, "{bad:?}");
        }
        // sizeof_hdr 540 without the NIfTI-2 magic.
        let mut n2 = vec![0u8; 540];
        n2[..4].copy_from_slice(&540i32.to_le_bytes());
        assert_eq!(judge(&n2), Kind::Unknown);
        // A 132-byte file with DICM elsewhere.
        let mut d = vec![0u8; 132];
        d[..4].copy_from_slice(b"DICM");
        assert_eq!(judge(&d), Kind::Unknown);
    }
}
