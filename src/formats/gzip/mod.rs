//! gzip (RFC 1952) for `.nii.gz` and `.img.gz`, fast on every core.
//!
//! Writing ([`writer`]): the stream is cut into blocks of [`BLOCK`] bytes,
//! each compressed on its own (by libdeflate, `crate::sys::deflate`) on all
//! cores and stored as one *member* of a standard multi-member gzip file, as
//! `pigz --independent` and BGZF do. Every gzip reader reads such a file
//! (gzip, zlib's gzread and so ITK, Python's gzip and so nibabel); each
//! member's header carries an extra subfield `MX` holding the member's size,
//! so that [`reader`] can find every member without inflating and inflate
//! them on all cores, each straight into its place in the canvas.
//!
//! Reading a file some other program wrote (one member, no index): the
//! member is inflated by libdeflate in one call, which needs the whole
//! compressed file in memory (read at once) and an output buffer; CRC-32 and
//! length are always checked.

pub mod parallel;
pub mod reader;
pub mod writer;

#[cfg(test)]
mod tests;

use std::io;

/// `-compression` when not given: gzip level 1, as nibabel writes by default
/// (same file size as zlib's level 1, measured in BENCHMARKS.md).
pub const DEFAULT_LEVEL: u32 = 1;
/// The highest `-compression` level (gzip's range, 0 = stored .. 9).
pub const MAX_LEVEL: u32 = 9;
/// Uncompressed bytes per member: large enough that starting each block
/// without the previous block's 32 KiB window costs < 0.1% in size, small
/// enough to spread a volume over all cores.
pub const BLOCK: usize = 1 << 20;
/// The largest member size the reader trusts an `MX` index for: our own
/// members are at most [`BLOCK`] bytes; anything claiming more is read as a
/// foreign file.
const MAX_INDEXED_MEMBER: usize = 4 * BLOCK;

/// `-compression N`: a gzip level from 0 (stored) to [`MAX_LEVEL`].
pub fn check_level(level: i64) -> crate::core::error::MxResult<u32> {
    match u32::try_from(level) {
        Ok(n) if n <= MAX_LEVEL => Ok(n),
        _ => Err(crate::core::MxError::mx(
            format!("bad -compression {level}: expected a gzip level from 0 (stored) to {MAX_LEVEL} (smallest)"),
            &["FORMAT", "COMPRESSION", &level.to_string()],
        )),
    }
}

const ID: [u8; 3] = [0x1f, 0x8b, 8];
const FHCRC: u8 = 2;
const FEXTRA: u8 = 4;
const FNAME: u8 = 8;
const FCOMMENT: u8 = 16;
/// Header of one of our members: ID, FLG=FEXTRA, MTIME, XFL, OS, XLEN=8,
/// subfield `MX` of 4 bytes: the member's total size, little-endian.
pub const OUR_HEADER_LEN: usize = 20;
/// CRC-32 and ISIZE.
pub const TRAILER_LEN: usize = 8;

/// A gzip member's header, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberHeader {
    /// Bytes of header before the deflate data.
    pub len: usize,
    /// The member's total size from our `MX` subfield, when present.
    pub indexed_size: Option<u32>,
}

pub fn corrupt(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

pub fn truncated() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "the gzip stream ends early")
}

pub fn out_of_memory(bytes: usize, what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::OutOfMemory, format!("cannot allocate {bytes} bytes for {what}"))
}

/// Parse the member header at the start of `data`.
pub fn parse_header(data: &[u8]) -> io::Result<MemberHeader> {
    if data.len() < 10 {
        return Err(if ID[..data.len().min(3)] == data[..data.len().min(3)] { truncated() } else { bad_magic() });
    }
    if data[..3] != ID {
        return Err(bad_magic());
    }
    let flags = data[3];
    if flags & 0xe0 != 0 {
        return Err(corrupt(format!("reserved gzip header flags set (0x{flags:02x})")));
    }
    let mut at = 10;
    let mut indexed_size = None;
    if flags & FEXTRA != 0 {
        let xlen = u16::from_le_bytes(get(data, at, 2)?.try_into().unwrap()) as usize;
        let extra = get(data, at + 2, xlen)?;
        indexed_size = our_subfield(extra);
        at += 2 + xlen;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let rest = data.get(at..).unwrap_or(&[]);
            let nul = rest.iter().position(|&b| b == 0).ok_or_else(truncated)?;
            at += nul + 1;
        }
    }
    if flags & FHCRC != 0 {
        let stored = u16::from_le_bytes(get(data, at, 2)?.try_into().unwrap());
        if stored != crc32fast::hash(&data[..at]) as u16 {
            return Err(corrupt("the gzip header's CRC-16 does not match the header"));
        }
        at += 2;
    }
    Ok(MemberHeader { len: at, indexed_size })
}

fn bad_magic() -> io::Error {
    corrupt("not a gzip member (expected the bytes 1f 8b 08)")
}

fn get(data: &[u8], at: usize, len: usize) -> io::Result<&[u8]> {
    data.get(at..at + len).ok_or_else(truncated)
}

/// The `MX` subfield's value among the extra field's subfields.
fn our_subfield(mut extra: &[u8]) -> Option<u32> {
    while extra.len() >= 4 {
        let len = u16::from_le_bytes([extra[2], extra[3]]) as usize;
        let body = extra.get(4..4 + len)?;
        if extra[..2] == *b"MX" && len == 4 {
            return Some(u32::from_le_bytes(body.try_into().ok()?));
        }
        extra = &extra[4 + len..];
    }
    None
}

/// The header of one of our members of `total` bytes, compressed at `level`.
pub fn our_header(level: u32, total: u32) -> [u8; OUR_HEADER_LEN] {
    // XFL: 2 = best compression, 4 = fastest (RFC 1952 2.3.1).
    let xfl = match level {
        9.. => 2,
        0 | 1 => 4,
        _ => 0,
    };
    let mut h = [0u8; OUR_HEADER_LEN];
    h[..3].copy_from_slice(&ID);
    h[3] = FEXTRA;
    h[8] = xfl;
    h[9] = 3; // OS: Unix
    h[10..12].copy_from_slice(&8u16.to_le_bytes());
    h[12..14].copy_from_slice(b"MX");
    h[14..16].copy_from_slice(&4u16.to_le_bytes());
    h[16..20].copy_from_slice(&total.to_le_bytes());
    h
}

/// CRC-32 and ISIZE of a member's trailer.
pub fn trailer(data: &[u8]) -> (u32, u32) {
    let n = data.len();
    let word = |at: usize| u32::from_le_bytes(data[at..at + 4].try_into().unwrap());
    (word(n - 8), word(n - 4))
}

/// CRC-32 of `data`, split over all cores for large buffers.
pub fn crc32(data: &[u8]) -> u32 {
    const PIECE: usize = 8 << 20;
    if data.len() < 2 * PIECE || parallel::threads() < 2 {
        return crc32fast::hash(data);
    }
    let pieces: Vec<&[u8]> = data.chunks(data.len().div_ceil(parallel::threads())).collect();
    let mut hashers: Vec<crc32fast::Hasher> = pieces.iter().map(|_| crc32fast::Hasher::new()).collect();
    let jobs: Vec<_> = pieces.into_iter().zip(hashers.iter_mut()).collect();
    let done: Result<(), ()> = parallel::run(
        jobs,
        || Ok(()),
        |_, (piece, h)| {
            h.update(piece);
            Ok(())
        },
    );
    let mut total = crc32fast::Hasher::new();
    match done {
        Ok(()) => hashers.iter().for_each(|h| total.combine(h)),
        Err(()) => total.update(data),
    }
    total.finalize()
}
