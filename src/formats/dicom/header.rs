//! One DICOM file: read it (bounded by its size), check it with
//! [`super::scan`], parse it with dicom-object, and take the facts a canvas
//! needs: series, pixel format, and one [`Plane`] per frame (position,
//! orientation, spacing, rescale), from the classic attributes or, for an
//! enhanced multi-frame object, from its functional groups.

use super::scan;
use crate::core::error::MxResult;
use crate::core::limits::try_vec;
use crate::core::MxError;
use crate::formats::files::io_error;
use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::file::ReadPreamble;
use dicom_object::{DefaultDicomObject, InMemDicomObject, OpenFileOptions};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest data set a deflated file may inflate to (the canvas limit of
/// 2^31 bytes of voxels would allow more, but no real deflated file is near).
const MAX_INFLATED: usize = 1 << 30;

/// What a deflated data set of `len` bytes may inflate to: deflate's
/// largest ratio is 1032:1, so more would be a lie of the stream.
fn inflated_limit(len: usize) -> usize {
    len.saturating_mul(1032).saturating_add(64 * 1024).min(MAX_INFLATED)
}

/// Where one frame lies and how its values scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Plane {
    /// Image Position (Patient): the centre of the first voxel, LPS mm.
    pub position: Option<[f64; 3]>,
    /// Image Orientation (Patient): row direction, then column direction.
    pub orientation: Option<[f64; 6]>,
    /// Pixel Spacing: between rows, then between columns (mm).
    pub spacing: Option<[f64; 2]>,
    pub slope: f64,
    pub intercept: f64,
    /// Which frame of its file (0-based).
    pub frame: u32,
}

/// The pixel format of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PixelFormat {
    pub rows: u32,
    pub columns: u32,
    pub samples: u16,
    pub bits_allocated: u16,
    pub bits_stored: u16,
    pub signed: bool,
    pub photometric: String,
}

/// A parsed DICOM file.
pub struct DicomFile {
    pub path: PathBuf,
    /// The path as shown in messages.
    pub shown: String,
    pub series_uid: String,
    pub description: String,
    pub modality: String,
    pub format: Option<PixelFormat>,
    pub frames: u32,
    pub planes: Vec<Plane>,
    pub slice_thickness: Option<f64>,
    pub spacing_between: Option<f64>,
    pub instance: i64,
    pub transfer_syntax: String,
    /// Bytes of native (uncompressed) pixel data; None when encapsulated or absent.
    pub native_pixel_bytes: Option<u64>,
    /// Where they start in the file (None for a deflated file).
    pub native_pixel_offset: Option<u64>,
    /// The parsed object (with its pixel data when read for loading).
    pub object: DefaultDicomObject,
}

/// Read `path` whole (a file's size is what justifies every buffer), check
/// and parse it. `with_pixels` false stops before the pixel data.
pub fn read(path: &Path, with_pixels: bool) -> MxResult<DicomFile> {
    let shown = path.display().to_string();
    if !with_pixels {
        // Most files are a header then native pixel data: the header's
        // first 64 KiB are enough, the pixels are read later straight
        // into the canvas. Anything else is read and checked whole.
        if let Some(file) = read_header_only(path, &shown)? {
            return Ok(file);
        }
    }
    let bytes = read_whole(path, &shown)?;
    parse(&bytes, path, with_pixels)
}

const PREFIX: u64 = 64 * 1024;

fn read_header_only(path: &Path, shown: &str) -> MxResult<Option<DicomFile>> {
    let mut file = open_regular(path, shown)?;
    let len = file.metadata().map_err(|e| io_error("read", shown, e))?.len();
    if len <= PREFIX {
        return Ok(None);
    }
    let mut prefix = try_vec::<u8>(PREFIX as usize, "a DICOM header")?;
    file.by_ref().take(PREFIX).read_to_end(&mut prefix).map_err(|e| io_error("read", shown, e))?;
    let Ok(scanned) = scan::scan_extent(&prefix, scan::Extent::Prefix(len), shown, MAX_INFLATED) else {
        return Ok(None);
    };
    let options = OpenFileOptions::new().read_preamble(ReadPreamble::Never).read_until(tags::PIXEL_DATA);
    let object = options.from_reader(&prefix[128..]).map_err(|e| malformed(shown, e))?;
    facts(object, path.to_path_buf(), shown.to_string(), scanned, len as usize).map(Some)
}

/// Parse a file's bytes (the fuzz target's entry point).
pub fn parse(bytes: &[u8], path: &Path, with_pixels: bool) -> MxResult<DicomFile> {
    let shown = path.display().to_string();
    let scanned = scan::scan(bytes, &shown, inflated_limit(bytes.len()))?;
    let options = OpenFileOptions::new().read_preamble(ReadPreamble::Never);
    let options = if with_pixels { options } else { options.read_until(tags::PIXEL_DATA) };
    let object = options.from_reader(&bytes[128..]).map_err(|e| malformed(&shown, e))?;
    facts(object, path.to_path_buf(), shown, scanned, bytes.len())
}

/// Open a regular file for reading, without blocking: a FIFO with no
/// writer would hang `open` (as for NIfTI, src/formats/files.rs), so it is
/// opened non-blocking and anything but a regular file is refused.
pub fn open_regular(path: &Path, shown: &str) -> MxResult<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| io_error("open", shown, e))?;
    let meta = file.metadata().map_err(|e| io_error("read", shown, e))?;
    if !meta.is_file() {
        return Err(MxError::mx(
            format!("cannot read \"{shown}\": it is not a regular file, expected a DICOM file"),
            &["FORMAT", "NOTFILE"],
        ));
    }
    Ok(file)
}

fn read_whole(path: &Path, shown: &str) -> MxResult<Vec<u8>> {
    let mut file = open_regular(path, shown)?;
    let len = file.metadata().map_err(|e| io_error("read", shown, e))?.len();
    let len = usize::try_from(len).map_err(|_| too_large(shown))?;
    let mut bytes = try_vec::<u8>(len, "a DICOM file")?;
    file.by_ref().take(len as u64).read_to_end(&mut bytes).map_err(|e| io_error("read", shown, e))?;
    Ok(bytes)
}

fn too_large(shown: &str) -> MxError {
    MxError::mx(format!("\"{shown}\" is too large to read"), &["DICOM", "MALFORMED"])
}

pub fn malformed(shown: &str, e: impl std::fmt::Display) -> MxError {
    MxError::mx(format!("\"{shown}\" is not a readable DICOM file: {e}"), &["DICOM", "MALFORMED"])
}

fn text(obj: &InMemDicomObject, tag: Tag) -> Option<String> {
    let el = obj.element_opt(tag).ok()??;
    let s = el.to_str().ok()?;
    let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!s.is_empty()).then(|| s.to_string())
}

fn int(obj: &InMemDicomObject, tag: Tag) -> Option<i64> {
    obj.element_opt(tag).ok()??.to_int::<i64>().ok()
}

fn floats<const N: usize>(obj: &InMemDicomObject, tag: Tag) -> Option<[f64; N]> {
    let v = obj.element_opt(tag).ok()??.to_multi_float64().ok()?;
    let a: [f64; N] = v.get(..N)?.try_into().ok()?;
    a.iter().all(|x| x.is_finite()).then_some(a)
}

fn float(obj: &InMemDicomObject, tag: Tag) -> Option<f64> {
    floats::<1>(obj, tag).map(|[x]| x)
}

/// The first item of sequence `tag` in `obj`.
fn item(obj: &InMemDicomObject, tag: Tag) -> Option<&InMemDicomObject> {
    obj.element_opt(tag).ok()??.value().items()?.first()
}

/// A value looked up in the per-frame group, then the shared group, then the root.
struct Groups<'a> {
    root: &'a InMemDicomObject,
    shared: Option<&'a InMemDicomObject>,
    frame: Option<&'a InMemDicomObject>,
}

impl Groups<'_> {
    fn find<T>(&self, seq: Tag, get: impl Fn(&InMemDicomObject) -> Option<T>) -> Option<T> {
        self.frame
            .and_then(|f| item(f, seq))
            .and_then(&get)
            .or_else(|| self.shared.and_then(|s| item(s, seq)).and_then(&get))
            .or_else(|| get(self.root))
    }
}

fn facts(
    object: DefaultDicomObject,
    path: PathBuf,
    shown: String,
    scanned: scan::Scanned,
    file_len: usize,
) -> MxResult<DicomFile> {
    let root: &InMemDicomObject = &object;
    let format = match (int(root, tags::ROWS), int(root, tags::COLUMNS)) {
        (Some(rows), Some(columns)) => Some(PixelFormat {
            rows: u32::try_from(rows).map_err(|_| malformed(&shown, "Rows is negative"))?,
            columns: u32::try_from(columns).map_err(|_| malformed(&shown, "Columns is negative"))?,
            samples: int(root, tags::SAMPLES_PER_PIXEL).unwrap_or(1).clamp(0, 0xFFFF) as u16,
            bits_allocated: int(root, tags::BITS_ALLOCATED).unwrap_or(0).clamp(0, 0xFFFF) as u16,
            bits_stored: int(root, tags::BITS_STORED)
                .or_else(|| int(root, tags::BITS_ALLOCATED))
                .unwrap_or(0)
                .clamp(0, 0xFFFF) as u16,
            signed: int(root, tags::PIXEL_REPRESENTATION) == Some(1),
            photometric: text(root, tags::PHOTOMETRIC_INTERPRETATION).unwrap_or_default(),
        }),
        _ => None,
    };
    let frames = int(root, tags::NUMBER_OF_FRAMES).unwrap_or(1);
    let frames = u32::try_from(frames)
        .ok()
        .filter(|&f| f >= 1)
        .ok_or_else(|| malformed(&shown, format!("Number of Frames is {frames}")))?;
    let shared = item(root, tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE);
    let per_frame =
        root.element_opt(tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE).ok().flatten().and_then(|e| e.value().items());
    // Every frame takes at least a byte of the file (an 8-byte item when
    // compressed): a count the file cannot hold is refused before a
    // plane is kept for each.
    if frames as usize > file_len {
        return Err(malformed(&shown, format!("it claims {frames} frames in {file_len} bytes")));
    }
    let count = frames;
    let mut planes = try_vec(count as usize, "DICOM frame positions")?;
    for frame in 0..count {
        let g = Groups { root, shared, frame: per_frame.and_then(|items| items.get(frame as usize)) };
        planes.push(Plane {
            position: g.find(tags::PLANE_POSITION_SEQUENCE, |o| floats(o, tags::IMAGE_POSITION_PATIENT)),
            orientation: g.find(tags::PLANE_ORIENTATION_SEQUENCE, |o| floats(o, tags::IMAGE_ORIENTATION_PATIENT)),
            spacing: g.find(tags::PIXEL_MEASURES_SEQUENCE, |o| floats(o, tags::PIXEL_SPACING)),
            slope: g.find(tags::PIXEL_VALUE_TRANSFORMATION_SEQUENCE, |o| float(o, tags::RESCALE_SLOPE)).unwrap_or(1.0),
            intercept: g
                .find(tags::PIXEL_VALUE_TRANSFORMATION_SEQUENCE, |o| float(o, tags::RESCALE_INTERCEPT))
                .unwrap_or(0.0),
            frame,
        });
    }
    let g = Groups { root, shared, frame: per_frame.and_then(|items| items.first()) };
    Ok(DicomFile {
        series_uid: text(root, tags::SERIES_INSTANCE_UID).unwrap_or_default(),
        description: text(root, tags::SERIES_DESCRIPTION).unwrap_or_default(),
        modality: text(root, tags::MODALITY).unwrap_or_default(),
        format,
        frames,
        planes,
        slice_thickness: g.find(tags::PIXEL_MEASURES_SEQUENCE, |o| float(o, tags::SLICE_THICKNESS)),
        spacing_between: g.find(tags::PIXEL_MEASURES_SEQUENCE, |o| float(o, tags::SPACING_BETWEEN_SLICES)),
        instance: int(root, tags::INSTANCE_NUMBER).unwrap_or(0),
        transfer_syntax: scanned.transfer_syntax,
        native_pixel_bytes: scanned.native_pixel_bytes,
        native_pixel_offset: scanned.native_pixel_offset,
        path,
        shown,
        object,
    })
}
