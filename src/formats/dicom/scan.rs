//! A walk over a DICOM file's bytes before dicom-object parses them.
//!
//! dicom-parser sizes a value's buffer by the length the file declares, and
//! some of its paths (text values) grow that buffer infallibly: a 40-byte
//! file declaring a 4 GB string would make it abort the process. This walk
//! checks every element, at every depth, against the bytes that really
//! follow it, refuses nesting deeper than [`MAX_DEPTH`] (the parser
//! recurses), and reads the transfer syntax from the file meta group. Only a
//! file that passes is handed to the parser, so no value it allocates is
//! larger than the file.

use crate::core::error::MxResult;
use crate::core::MxError;
use dicom_core::dictionary::DataDictionary;
use dicom_dictionary_std::StandardDataDictionary;
use std::io::Read;

/// Sequences nested deeper than this are refused (real files nest a few levels).
pub const MAX_DEPTH: usize = 24;
/// The undefined length.
const UNDEFINED: u32 = 0xFFFF_FFFF;

pub const IMPLICIT_LE: &str = "1.2.840.10008.1.2";
pub const EXPLICIT_BE: &str = "1.2.840.10008.1.2.2";
pub const DEFLATED_LE: &str = "1.2.840.10008.1.2.1.99";

/// What the walk learnt: the transfer syntax UID (trailing NUL/space removed)
/// and where the data set starts (after `DICM` and the meta group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanned {
    pub transfer_syntax: String,
    pub dataset_start: usize,
    /// The top-level Pixel Data: its length in bytes (native), or None
    /// when it is encapsulated (fragments) or absent.
    pub native_pixel_bytes: Option<u64>,
    /// Where that native value starts in the file (not for a deflated file,
    /// whose offsets are in the inflated stream).
    pub native_pixel_offset: Option<u64>,
}

/// How far to walk.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// The bytes are the whole file: check everything.
    Whole,
    /// The bytes are the start of a file of this many bytes: stop at a
    /// native top-level Pixel Data that fits in the file (its value is
    /// then read straight from the file, the rest is not parsed).
    Prefix(u64),
}

fn malformed(path: &str, what: impl std::fmt::Display) -> MxError {
    MxError::mx(format!("\"{path}\" is not a readable DICOM file: {what}"), &["DICOM", "MALFORMED"])
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    ImplicitLe,
    ExplicitLe,
    ExplicitBe,
}

struct Walker<'a> {
    bytes: &'a [u8],
    encoding: Encoding,
    /// Length and offset of the top-level (7FE0,0010) of defined length, once seen.
    pixel: std::cell::Cell<Option<(u64, u64)>>,
    /// For a prefix: the file's length (stop at native pixel data).
    file_len: Option<u64>,
}

/// One element header.
struct Element {
    group: u16,
    elem: u16,
    vr: Option<[u8; 2]>,
    len: u32,
}

impl<'a> Walker<'a> {
    fn new(bytes: &'a [u8], encoding: Encoding) -> Self {
        Walker { bytes, encoding, pixel: std::cell::Cell::new(None), file_len: None }
    }

    fn u16_at(&self, at: usize) -> Option<u16> {
        let b = self.bytes.get(at..at + 2)?;
        Some(if self.encoding == Encoding::ExplicitBe {
            u16::from_be_bytes([b[0], b[1]])
        } else {
            u16::from_le_bytes([b[0], b[1]])
        })
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        let b = self.bytes.get(at..at + 4)?;
        let b = [b[0], b[1], b[2], b[3]];
        Some(if self.encoding == Encoding::ExplicitBe { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
    }

    /// The element header at `at` and where its value starts.
    fn header(&self, at: usize) -> Option<(Element, usize)> {
        let group = self.u16_at(at)?;
        let elem = self.u16_at(at + 2)?;
        // Items and delimiters have no VR in any encoding.
        if group == 0xFFFE || self.encoding == Encoding::ImplicitLe {
            return Some((Element { group, elem, vr: None, len: self.u32_at(at + 4)? }, at + 8));
        }
        let vr = self.bytes.get(at + 4..at + 6)?;
        let vr = [vr[0], vr[1]];
        if LONG_VRS.contains(&&vr) {
            Some((Element { group, elem, vr: Some(vr), len: self.u32_at(at + 8)? }, at + 12))
        } else {
            Some((Element { group, elem, vr: Some(vr), len: u32::from(self.u16_at(at + 6)?) }, at + 8))
        }
    }

    /// Walk elements from `at` to `end`, or, when `until_delimiter`, to the
    /// sequence or item delimiter that closes them. Returns where it stopped.
    fn elements(&self, mut at: usize, end: usize, depth: usize, until_delimiter: bool) -> Result<usize, String> {
        if depth > MAX_DEPTH {
            return Err(format!("sequences nested deeper than {MAX_DEPTH} levels"));
        }
        while at < end {
            let (el, value) = self.header(at).ok_or_else(|| format!("element header cut off at byte {at}"))?;
            if value > end {
                return Err(format!("element header cut off at byte {at}"));
            }
            if el.group == 0xFFFE {
                match el.elem {
                    0xE00D | 0xE0DD if until_delimiter => return Ok(value),
                    _ => return Err(format!("unexpected item tag (FFFE,{:04X}) at byte {at}", el.elem)),
                }
            }
            if depth == 0 && (el.group, el.elem) == (0x7FE0, 0x0010) && el.len != UNDEFINED {
                self.pixel.set(Some((u64::from(el.len), value as u64)));
                if let Some(file_len) = self.file_len {
                    if value as u64 + u64::from(el.len) <= file_len {
                        return Ok(end);
                    }
                }
            }
            at = self.value(&el, value, end, depth, at)?;
        }
        if until_delimiter {
            return Err("a sequence or item of undefined length has no delimiter".into());
        }
        Ok(at)
    }

    /// Check one element's value starting at `value`; returns where the next element starts.
    fn value(&self, el: &Element, value: usize, end: usize, depth: usize, at: usize) -> Result<usize, String> {
        let tag = (el.group, el.elem);
        let is_sq = match el.vr {
            Some(vr) => &vr == b"SQ" || (&vr == b"UN" && el.len == UNDEFINED),
            None => el.len == UNDEFINED || dictionary_says_sequence(tag),
        };
        if el.len == UNDEFINED {
            if tag == (0x7FE0, 0x0010) || !is_sq {
                // Encapsulated pixel data (or any other undefined-length
                // value): items of fragments up to the sequence delimiter.
                return self.fragments(value, end, at);
            }
            return self.items(value, end, depth + 1, true);
        }
        let stop = value.checked_add(el.len as usize).filter(|&s| s <= end).ok_or_else(|| {
            format!(
                "element ({:04X},{:04X}) at byte {at} declares {} bytes, only {} follow",
                el.group,
                el.elem,
                el.len,
                end - value
            )
        })?;
        if is_sq {
            // An UN sequence of defined length is implicit VR LE inside.
            let inner = if el.vr.is_some_and(|v| &v == b"UN") {
                Walker::new(self.bytes, Encoding::ImplicitLe)
            } else {
                Walker::new(self.bytes, self.encoding)
            };
            inner.items(value, stop, depth + 1, false)?;
        }
        Ok(stop)
    }

    /// The items of a sequence, each a data set of defined or undefined length.
    fn items(&self, mut at: usize, end: usize, depth: usize, until_delimiter: bool) -> Result<usize, String> {
        if depth > MAX_DEPTH {
            return Err(format!("sequences nested deeper than {MAX_DEPTH} levels"));
        }
        while at < end {
            let (el, value) = self.header(at).ok_or_else(|| format!("item header cut off at byte {at}"))?;
            match (el.group, el.elem) {
                (0xFFFE, 0xE0DD) if until_delimiter => return Ok(value),
                (0xFFFE, 0xE000) if el.len == UNDEFINED => at = self.elements(value, end, depth + 1, true)?,
                (0xFFFE, 0xE000) => {
                    let stop = value
                        .checked_add(el.len as usize)
                        .filter(|&s| s <= end)
                        .ok_or_else(|| format!("item at byte {at} declares {} bytes, fewer follow", el.len))?;
                    self.elements(value, stop, depth + 1, false)?;
                    at = stop;
                }
                _ => return Err(format!("expected an item at byte {at}")),
            }
        }
        if until_delimiter {
            return Err("a sequence of undefined length has no delimiter".into());
        }
        Ok(at)
    }

    /// Encapsulated pixel data: defined-length items up to the delimiter.
    fn fragments(&self, mut at: usize, end: usize, start: usize) -> Result<usize, String> {
        while at < end {
            let (el, value) = self.header(at).ok_or_else(|| format!("fragment header cut off at byte {at}"))?;
            match (el.group, el.elem) {
                (0xFFFE, 0xE0DD) => return Ok(value),
                (0xFFFE, 0xE000) if el.len != UNDEFINED && (el.len as usize) <= end.saturating_sub(value) => {
                    at = value + el.len as usize;
                }
                _ => return Err(format!("bad fragment at byte {at} of the value starting at byte {start}")),
            }
        }
        Err(format!("the encapsulated value starting at byte {start} is cut off"))
    }
}

/// Explicit VRs with a 4-byte length.
const LONG_VRS: [&[u8; 2]; 13] =
    [b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT", b"UV"];

fn dictionary_says_sequence(tag: (u16, u16)) -> bool {
    StandardDataDictionary.by_tag(dicom_core::Tag(tag.0, tag.1)).is_some_and(|e| e.vr.relaxed() == dicom_core::VR::SQ)
}

/// True when `bytes` looks like a DICOM file: `DICM` at byte 128.
pub fn has_magic(bytes: &[u8]) -> bool {
    bytes.get(128..132) == Some(b"DICM")
}

/// Walk the whole file (`bytes`, preamble included). `max_inflated` bounds
/// the data set of a deflated file once inflated.
pub fn scan(bytes: &[u8], path: &str, max_inflated: usize) -> MxResult<Scanned> {
    scan_extent(bytes, Extent::Whole, path, max_inflated)
}

/// [`scan`] of a whole file or of its start ([`Extent`]). A prefix that
/// ends before native pixel data (or holds a deflated data set) is an
/// error: the caller then reads and scans the whole file.
pub fn scan_extent(bytes: &[u8], extent: Extent, path: &str, max_inflated: usize) -> MxResult<Scanned> {
    if !has_magic(bytes) {
        return Err(MxError::mx(
            format!("\"{path}\" is not a DICOM file: no \"DICM\" at byte 128"),
            &["DICOM", "NOT", "DICOM"],
        ));
    }
    let meta = Walker::new(bytes, Encoding::ExplicitLe);
    let mut at = 132;
    let mut ts = None;
    while let Some((el, value)) = meta.header(at) {
        if el.group != 0x0002 {
            break;
        }
        if el.len == UNDEFINED || value + el.len as usize > bytes.len() {
            return Err(malformed(path, format!("the file meta element (0002,{:04X}) is cut off", el.elem)));
        }
        let stop = value + el.len as usize;
        if el.elem == 0x0010 {
            let raw = &bytes[value..stop];
            ts = Some(String::from_utf8_lossy(raw).trim_end_matches(['\0', ' ']).to_string());
        }
        at = stop;
    }
    let ts = ts.ok_or_else(|| malformed(path, "the file meta group has no transfer syntax (0002,0010)"))?;
    let prefix = match extent {
        Extent::Whole => None,
        Extent::Prefix(_) if ts == DEFLATED_LE => return Err(malformed(path, "deflated: read whole")),
        Extent::Prefix(len) => Some(len),
    };
    let walk = |encoding, bytes, from| {
        let w = Walker { file_len: prefix, ..Walker::new(bytes, encoding) };
        w.elements(from, bytes.len(), 0, false).map(|_| w.pixel.get())
    };
    let result = match ts.as_str() {
        IMPLICIT_LE => walk(Encoding::ImplicitLe, bytes, at),
        EXPLICIT_BE => walk(Encoding::ExplicitBe, bytes, at),
        DEFLATED_LE => {
            let inflated = inflate(&bytes[at..], max_inflated, path)?;
            let pixel = walk(Encoding::ExplicitLe, &inflated, 0).map_err(|e| malformed(path, e))?;
            // Offsets in the inflated stream are no use for reading the file.
            return Ok(Scanned {
                transfer_syntax: ts,
                dataset_start: at,
                native_pixel_bytes: pixel.map(|p| p.0),
                native_pixel_offset: None,
            });
        }
        _ => walk(Encoding::ExplicitLe, bytes, at),
    };
    let pixel = result.map_err(|e| malformed(path, e))?;
    if prefix.is_some() && pixel.is_none() {
        return Err(malformed(path, "no native pixel data in the prefix"));
    }
    Ok(Scanned {
        transfer_syntax: ts,
        dataset_start: at,
        native_pixel_bytes: pixel.map(|p| p.0),
        native_pixel_offset: pixel.map(|p| p.1),
    })
}

/// Inflate a deflated data set (raw deflate), refusing more than `max` bytes.
fn inflate(data: &[u8], max: usize, path: &str) -> MxResult<Vec<u8>> {
    let mut out = Vec::new();
    let mut decoder = flate2::read::DeflateDecoder::new(data).take(max as u64 + 1);
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let n = decoder.read(&mut chunk).map_err(|e| malformed(path, format!("its deflated data set: {e}")))?;
        if n == 0 {
            break;
        }
        if out.len() + n > max {
            return Err(malformed(path, format!("its deflated data set inflates to more than {max} bytes")));
        }
        out.try_reserve(n)
            .map_err(|_| crate::core::limits::alloc_failed(out.len() + n, "an inflated DICOM data set"))?;
        out.extend_from_slice(&chunk[..n]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(ts: &str, body: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 128];
        f.extend_from_slice(b"DICM");
        let mut uid = ts.as_bytes().to_vec();
        if uid.len() % 2 == 1 {
            uid.push(0);
        }
        f.extend_from_slice(&[0x02, 0x00, 0x10, 0x00, b'U', b'I']);
        f.extend_from_slice(&(uid.len() as u16).to_le_bytes());
        f.extend_from_slice(&uid);
        f.extend_from_slice(body);
        f
    }

    #[test]
    fn lengths_beyond_the_file_are_refused() {
        // (0010,0010) PN declaring 0xFFF0 bytes, 2 present.
        let body = [0x10, 0x00, 0x10, 0x00, b'P', b'N', 0xF0, 0xFF, b'A', b'B'];
        let e = scan(&file("1.2.840.10008.1.2.1", &body), "x", 1 << 20).unwrap_err();
        assert_eq!(e.code, ["MX", "DICOM", "MALFORMED"]);
        assert!(e.message.contains("declares 65520 bytes"), "{}", e.message);
        // Implicit: a 4 GB length.
        let body = [0x10, 0x00, 0x10, 0x00, 0xF0, 0xFF, 0xFF, 0x7F];
        assert!(scan(&file(IMPLICIT_LE, &body), "x", 1 << 20).is_err());
    }

    #[test]
    fn well_formed_sequences_pass_and_deep_nesting_is_refused() {
        // (0008,1140) SQ undefined, one undefined item holding (0008,1150) UI "1", then delimiters.
        let mut body = vec![0x08, 0x00, 0x40, 0x11, b'S', b'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF];
        body.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        body.extend_from_slice(&[0x08, 0x00, 0x50, 0x11, b'U', b'I', 2, 0, b'1', 0]);
        body.extend_from_slice(&[0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0]);
        body.extend_from_slice(&[0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
        let s = scan(&file("1.2.840.10008.1.2.1", &body), "x", 1 << 20).unwrap();
        assert_eq!(s.transfer_syntax, "1.2.840.10008.1.2.1");
        // Cut before the sequence delimiter: refused.
        let cut = &body[..body.len() - 8];
        assert!(scan(&file("1.2.840.10008.1.2.1", cut), "x", 1 << 20).is_err());
        // 30 nested undefined-length sequences.
        let mut deep = Vec::new();
        for _ in 0..30 {
            deep.extend_from_slice(&[0x08, 0x00, 0x40, 0x11, b'S', b'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
            deep.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        }
        let e = scan(&file("1.2.840.10008.1.2.1", &deep), "x", 1 << 20).unwrap_err();
        assert!(e.message.contains("nested deeper"), "{}", e.message);
    }

    #[test]
    fn no_magic_no_syntax() {
        assert_eq!(scan(b"short", "x", 1).unwrap_err().code, ["MX", "DICOM", "NOT", "DICOM"]);
        let mut f = vec![0u8; 128];
        f.extend_from_slice(b"DICM");
        assert!(scan(&f, "x", 1).unwrap_err().message.contains("no transfer syntax"));
    }
}
