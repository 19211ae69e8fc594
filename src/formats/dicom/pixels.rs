//! A file's frames into canvas planes: native pixel data is copied (byte
//! order made native), encapsulated pixel data goes through the decoder
//! dicom-rs's transfer-syntax registry holds for its syntax (the codecs are
//! this package's cargo features). Signed values narrower than their
//! allocation are sign-extended, as pydicom's `pixel_array` gives them.

use super::header::{malformed, DicomFile, PixelFormat};
use super::scan::EXPLICIT_BE;
use crate::core::error::MxResult;
use crate::core::limits::try_vec;
use crate::core::{MxError, VoxelType};
use crate::formats::files::io_error;
use dicom_core::value::{PrimitiveValue, Value};
use dicom_dictionary_std::tags;
use dicom_encoding::transfer_syntax::TransferSyntaxIndex;
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The canvas voxel type for a pixel format, or a refusal saying what the file holds.
pub fn voxel_type(f: &PixelFormat, shown: &str) -> MxResult<VoxelType> {
    if f.samples != 1 || !matches!(f.photometric.as_str(), "MONOCHROME1" | "MONOCHROME2" | "") {
        return Err(MxError::mx(
            format!(
                "\"{shown}\" holds {} pixels ({} samples per pixel): a canvas holds one value per voxel",
                if f.photometric.is_empty() { "colour" } else { &f.photometric },
                f.samples
            ),
            &["DICOM", "UNSUPPORTED", "COLOUR"],
        ));
    }
    let t = match (f.bits_allocated, f.signed) {
        (8, false) => VoxelType::Uint8,
        (8, true) => VoxelType::Int8,
        (16, false) => VoxelType::Uint16,
        (16, true) => VoxelType::Int16,
        (32, false) => VoxelType::Uint32,
        (32, true) => VoxelType::Int32,
        (bits, _) => {
            return Err(MxError::mx(
                format!("\"{shown}\" holds {bits}-bit pixels: only 8, 16 and 32 bits allocated are read"),
                &["DICOM", "UNSUPPORTED", "BITS"],
            ))
        }
    };
    if f.bits_stored == 0 || f.bits_stored > f.bits_allocated {
        return Err(malformed(
            shown,
            format!("Bits Stored {} does not fit Bits Allocated {}", f.bits_stored, f.bits_allocated),
        ));
    }
    Ok(t)
}

/// Decode frame `frame` of `file` into `out` (one plane, native byte order).
pub fn decode_frame(file: &DicomFile, format: &PixelFormat, frame: u32, out: &mut [u8]) -> MxResult<()> {
    let shown = &file.shown;
    let element = file
        .object
        .element_opt(tags::PIXEL_DATA)
        .map_err(|e| malformed(shown, e))?
        .ok_or_else(|| MxError::mx(format!("\"{shown}\" has no pixel data"), &["DICOM", "NO", "PIXELS"]))?;
    let bytes = format.bits_allocated as usize / 8;
    match element.value() {
        Value::Primitive(value) => native(value, frame, bytes, out, shown, file.transfer_syntax == EXPLICIT_BE)?,
        Value::PixelSequence(seq) => {
            check_codestreams(seq.fragments(), format, shown)?;
            encapsulated(file, frame, bytes, out)?;
        }
        Value::Sequence(_) => return Err(malformed(shown, "its Pixel Data is a sequence")),
    }
    if format.signed && format.bits_stored < format.bits_allocated {
        sign_extend(out, bytes, format.bits_stored);
    }
    Ok(())
}

/// Native pixel data read straight from the file into each plane (the
/// offset the scan found; lengths were checked against the file).
pub fn read_native(file: &DicomFile, format: &PixelFormat, offset: u64, planes: Vec<(u32, &mut [u8])>) -> MxResult<()> {
    use std::os::unix::fs::FileExt;
    let shown = &file.shown;
    let f = super::header::open_regular(&file.path, shown)?;
    let bytes = format.bits_allocated as usize / 8;
    for (frame, out) in planes {
        let at = offset + frame as u64 * out.len() as u64;
        f.read_exact_at(out, at).map_err(|e| io_error("read", shown, e))?;
        let file_big = file.transfer_syntax == EXPLICIT_BE;
        if bytes > 1 && file_big != cfg!(target_endian = "big") {
            crate::formats::voxels::swap_bytes(out, bytes);
        }
        if format.signed && format.bits_stored < format.bits_allocated {
            sign_extend(out, bytes, format.bits_stored);
        }
    }
    Ok(())
}

fn truncated(shown: &str, need: usize, have: usize) -> MxError {
    MxError::mx(
        format!("\"{shown}\" is truncated: its pixel data has {have} bytes, the image needs {need}"),
        &["DICOM", "TRUNCATED"],
    )
}

/// Native (uncompressed) pixel data: the parser hands bytes in file order
/// (OB, or OW of a little-endian file) or 16/32-bit values already native.
fn native(value: &PrimitiveValue, frame: u32, bytes: usize, out: &mut [u8], shown: &str, big: bool) -> MxResult<()> {
    let n = out.len();
    let start = n * frame as usize;
    let need = start + n;
    match value {
        PrimitiveValue::U8(data) => {
            let src = data.get(start..need).ok_or_else(|| truncated(shown, need, data.len()))?;
            out.copy_from_slice(src);
            let file_big = big && bytes > 1;
            if file_big != cfg!(target_endian = "big") && bytes > 1 {
                crate::formats::voxels::swap_bytes(out, bytes);
            }
        }
        PrimitiveValue::U16(data) if bytes == 2 => copy_values(data, start / 2, out, shown, |v| v.to_ne_bytes())?,
        PrimitiveValue::I16(data) if bytes == 2 => copy_values(data, start / 2, out, shown, |v| v.to_ne_bytes())?,
        PrimitiveValue::U32(data) if bytes == 4 => copy_values(data, start / 4, out, shown, |v| v.to_ne_bytes())?,
        PrimitiveValue::I32(data) if bytes == 4 => copy_values(data, start / 4, out, shown, |v| v.to_ne_bytes())?,
        PrimitiveValue::U16(data) if !big => {
            // 8- or 32-bit pixels in an OW value of a little-endian file: its bytes in file order.
            let src = data.get(start / 2..need.div_ceil(2)).ok_or_else(|| truncated(shown, need, data.len() * 2))?;
            let mut flat = src.iter().flat_map(|v| v.to_le_bytes()).skip(start % 2);
            for b in out.iter_mut() {
                *b = flat.next().unwrap_or(0);
            }
            if bytes > 1 && cfg!(target_endian = "big") {
                crate::formats::voxels::swap_bytes(out, bytes);
            }
        }
        other => {
            return Err(malformed(shown, format!("its Pixel Data holds {} values", value_kind(other))));
        }
    }
    Ok(())
}

fn value_kind(v: &PrimitiveValue) -> &'static str {
    match v {
        PrimitiveValue::F32(_) | PrimitiveValue::F64(_) => "floating-point",
        PrimitiveValue::Str(_) | PrimitiveValue::Strs(_) => "text",
        PrimitiveValue::Empty => "no",
        _ => "unexpected",
    }
}

fn copy_values<T: Copy, const N: usize>(
    data: &[T],
    start: usize,
    out: &mut [u8],
    shown: &str,
    to_bytes: impl Fn(T) -> [u8; N],
) -> MxResult<()> {
    let count = out.len() / N;
    let src = data.get(start..start + count).ok_or_else(|| truncated(shown, (start + count) * N, data.len() * N))?;
    for (dst, v) in out.chunks_exact_mut(N).zip(src) {
        dst.copy_from_slice(&to_bytes(*v));
    }
    Ok(())
}

/// Compressed pixel data: the registry's decoder for the file's syntax.
fn encapsulated(file: &DicomFile, frame: u32, bytes: usize, out: &mut [u8]) -> MxResult<()> {
    let shown = &file.shown;
    if file.transfer_syntax == RLE_LOSSLESS {
        return rle_frame(file, frame, bytes, out);
    }
    if JPEG_LOSSLESS.contains(&file.transfer_syntax.as_str()) && lossless_frame(file, frame, bytes, out)? {
        return Ok(());
    }
    let ts = TransferSyntaxRegistry.get(&file.transfer_syntax).ok_or_else(|| unsupported(file))?;
    let reader = ts.pixel_data_reader().ok_or_else(|| unsupported(file))?;
    let mut decoded = try_vec::<u8>(out.len(), "a decoded DICOM frame")?;
    // Decoders are third-party code: a panic in one is this file's error,
    // not the interpreter's (the command layer would catch it too, but
    // without naming the file).
    let result = catch_unwind(AssertUnwindSafe(|| reader.decode_frame(&file.object, frame, &mut decoded)));
    match result {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            return Err(MxError::mx(
                format!("cannot decode frame {frame} of \"{shown}\" ({}): {e}", ts.name()),
                &["DICOM", "DECODE"],
            ))
        }
        Err(_) => {
            return Err(MxError::mx(
                format!("cannot decode frame {frame} of \"{shown}\" ({}): the decoder failed", ts.name()),
                &["DICOM", "DECODE"],
            ))
        }
    }
    if decoded.len() < out.len() {
        return Err(MxError::mx(
            format!(
                "cannot decode frame {frame} of \"{shown}\": it decodes to {} bytes, the image needs {}",
                decoded.len(),
                out.len()
            ),
            &["DICOM", "DECODE"],
        ));
    }
    out.copy_from_slice(&decoded[..out.len()]);
    if cfg!(target_endian = "big") && bytes > 1 {
        // Decoders give little-endian samples.
        crate::formats::voxels::swap_bytes(out, bytes);
    }
    Ok(())
}

const RLE_LOSSLESS: &str = "1.2.840.10008.1.2.5";
/// JPEG Lossless, Non-Hierarchical (Process 14), and its selection value 1 form.
const JPEG_LOSSLESS: [&str; 2] = ["1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70"];

/// JPEG lossless through [`super::lossless`]: true when decoded, false when
/// the stream is of a kind it leaves to the registry's decoder.
fn lossless_frame(file: &DicomFile, frame: u32, bytes: usize, out: &mut [u8]) -> MxResult<bool> {
    let fragments =
        file.object.element_opt(tags::PIXEL_DATA).ok().flatten().and_then(|e| e.value().fragments()).unwrap_or(&[]);
    let joined;
    let data: &[u8] = if fragments.len() == file.frames as usize {
        &fragments[frame as usize]
    } else if file.frames == 1 {
        // One frame in several fragments: they join into one codestream.
        let total: usize = fragments.iter().map(Vec::len).sum();
        let mut all = try_vec::<u8>(total, "a JPEG codestream")?;
        fragments.iter().for_each(|f| all.extend_from_slice(f));
        joined = all;
        &joined
    } else {
        return Ok(false);
    };
    let format = file.format.as_ref().ok_or_else(|| malformed(&file.shown, "no Rows/Columns"))?;
    match super::lossless::decode(data, (format.columns, format.rows), bytes, out) {
        Ok(_) => Ok(true),
        Err(super::lossless::Failure::Unsupported) => Ok(false),
        Err(super::lossless::Failure::Bad(e)) => Err(MxError::mx(
            format!("cannot decode frame {frame} of \"{}\" (JPEG Lossless): {e}", file.shown),
            &["DICOM", "DECODE"],
        )),
    }
}

/// RLE: one fragment per frame (PS3.5 annex G), our own decoder.
fn rle_frame(file: &DicomFile, frame: u32, bytes: usize, out: &mut [u8]) -> MxResult<()> {
    let fragments =
        file.object.element_opt(tags::PIXEL_DATA).ok().flatten().and_then(|e| e.value().fragments()).unwrap_or(&[]);
    let fragment = fragments.get(frame as usize).ok_or_else(|| {
        MxError::mx(
            format!("cannot decode frame {frame} of \"{}\": it has {} RLE fragments", file.shown, fragments.len()),
            &["DICOM", "DECODE"],
        )
    })?;
    super::rle::decode(fragment, bytes, out).map_err(|e| {
        MxError::mx(
            format!("cannot decode frame {frame} of \"{}\" (RLE Lossless): {e}", file.shown),
            &["DICOM", "DECODE"],
        )
    })?;
    if cfg!(target_endian = "big") && bytes > 1 {
        crate::formats::voxels::swap_bytes(out, bytes);
    }
    Ok(())
}

fn unsupported(file: &DicomFile) -> MxError {
    let name = TransferSyntaxRegistry.get(&file.transfer_syntax).map_or("unknown", |ts| ts.name());
    MxError::mx(
        format!(
            "\"{}\" is compressed with transfer syntax {} ({name}), which this build cannot decode",
            file.shown, file.transfer_syntax
        ),
        &["DICOM", "UNSUPPORTED", "SYNTAX", &file.transfer_syntax],
    )
}

/// Before a decoder sizes its output by the codestream's own header, check
/// that header against Rows and Columns: a JPEG or JPEG 2000 header in a
/// small file may claim a huge image.
fn check_codestreams(fragments: &[Vec<u8>], f: &PixelFormat, shown: &str) -> MxResult<()> {
    for fragment in fragments {
        if let Some((w, h)) = codestream_size(fragment) {
            if w > f.columns || h > f.rows {
                return Err(MxError::mx(
                    format!(
                        "\"{shown}\" holds a {w}x{h} compressed image but says its image is {}x{} (Columns x Rows)",
                        f.columns, f.rows
                    ),
                    &["DICOM", "MALFORMED"],
                ));
            }
        }
    }
    Ok(())
}

/// Width and height of a JPEG / JPEG-LS (SOF marker) or JPEG 2000 (SIZ
/// marker) codestream at the start of `data`.
pub fn codestream_size(data: &[u8]) -> Option<(u32, u32)> {
    let be16 = |at: usize| data.get(at..at + 2).map(|b| u32::from(u16::from_be_bytes([b[0], b[1]])));
    let be32 = |at: usize| data.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    match data.get(..2)? {
        [0xFF, 0xD8] => {
            let mut at = 2;
            loop {
                while data.get(at) == Some(&0xFF) && data.get(at + 1) == Some(&0xFF) {
                    at += 1;
                }
                if data.get(at) != Some(&0xFF) {
                    return None;
                }
                let marker = *data.get(at + 1)?;
                let len = be16(at + 2)? as usize;
                let is_sof = matches!(marker, 0xC0..=0xCF | 0xF7) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
                if is_sof {
                    return Some((be16(at + 7)?, be16(at + 5)?));
                }
                if marker == 0xDA {
                    return None;
                }
                at += 2 + len;
            }
        }
        [0xFF, 0x4F] if be16(2)? == 0xFF51 => {
            // SIZ: Lsiz(2) Rsiz(2) Xsiz(4) Ysiz(4) XOsiz(4) YOsiz(4)
            let (x, y, xo, yo) = (be32(8)?, be32(12)?, be32(16)?, be32(20)?);
            Some((x.saturating_sub(xo), y.saturating_sub(yo)))
        }
        _ => None,
    }
}

fn sign_extend(out: &mut [u8], bytes: usize, bits: u16) {
    let shift = (bytes * 8) as u32 - u32::from(bits);
    match bytes {
        1 => out.iter_mut().for_each(|b| *b = (((*b as i8) << shift) >> shift) as u8),
        2 => out.chunks_exact_mut(2).for_each(|c| {
            let v = i16::from_ne_bytes([c[0], c[1]]);
            c.copy_from_slice(&((v << shift) >> shift).to_ne_bytes());
        }),
        4 => out.chunks_exact_mut(4).for_each(|c| {
            let v = i32::from_ne_bytes([c[0], c[1], c[2], c[3]]);
            c.copy_from_slice(&((v << shift) >> shift).to_ne_bytes());
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_extension_from_bits_stored() {
        let mut v: Vec<u8> = [0x0FFFu16, 0x0800, 0x07FF].iter().flat_map(|x| x.to_ne_bytes()).collect();
        sign_extend(&mut v, 2, 12);
        let back: Vec<i16> = v.chunks(2).map(|c| i16::from_ne_bytes([c[0], c[1]])).collect();
        assert_eq!(back, [-1, -2048, 2047]);
    }

    #[test]
    fn codestream_headers() {
        // SOI, APP0 (len 4), SOF3 len 11: P=16, Y=0x0200, X=0x0100.
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC3, 0, 11, 16, 2, 0, 1, 0, 1, 1, 0x11, 0];
        assert_eq!(codestream_size(&jpeg), Some((256, 512)));
        let mut j2k = vec![0xFF, 0x4F, 0xFF, 0x51, 0, 41, 0, 0];
        for v in [300u32, 200, 0, 0] {
            j2k.extend_from_slice(&v.to_be_bytes());
        }
        assert_eq!(codestream_size(&j2k), Some((300, 200)));
        assert_eq!(codestream_size(&[0xFF, 0xD8, 0xFF]), None);
        assert_eq!(codestream_size(b"RLE"), None);
    }
}
