//! NIfTI-1 header extensions: after the 348-byte header, a 4-byte flag
//! (first byte non-zero: extensions follow), then blocks of `esize` (i32,
//! a multiple of 16 that counts the 8-byte block head), `ecode` (i32) and
//! `esize - 8` bytes of content. In a single file they end at `vox_offset`,
//! in a `.hdr` at the end of the file. mxcanvas keeps them as opaque bytes
//! (AFNI XML, comments, JSON sidecars-in-header...) and writes them back.

use crate::core::error::MxResult;
use crate::core::metadata::Extension;
use crate::core::MxError;
use crate::formats::files::{io_error, read_up_to};
use crate::sys::alloc::zeroed_bytes;
use std::io::Read;

/// The largest extension area a save writes: `vox_offset` is a float32
/// and must hold 352 + the area exactly.
pub const MAX_AREA: u64 = 1 << 24;

fn read_i32(head: &[u8], big: bool) -> i32 {
    let raw = [head[0], head[1], head[2], head[3]];
    if big {
        i32::from_be_bytes(raw)
    } else {
        i32::from_le_bytes(raw)
    }
}

/// Read the flag and the extension blocks from `reader`, which stands right
/// after the header, taking at most `limit` bytes (the room before the
/// voxels). Returns the extensions and how many bytes were consumed. A block
/// whose size is not at least 8 or runs past `limit` ends the list (as
/// nifti1_io skips it); a file that ends inside the area is truncated.
///
/// What is kept is checked the way [`check`] checks a save: by the area the
/// blocks take once written, each padded to 16 bytes. A file whose blocks
/// are shorter on disk (any multiple of 8 is legal to read) is refused here
/// when its padded area would not fit, so that a file that loads also saves.
pub fn read(reader: &mut dyn Read, limit: u64, big: bool, path: &str) -> MxResult<(Vec<Extension>, u64)> {
    let mut found = Vec::new();
    if limit < 4 {
        return Ok((found, 0));
    }
    let mut flag = [0u8; 4];
    let got = read_up_to(reader, &mut flag, path)?;
    let mut used = got as u64;
    // The flag and the blocks read so far, as a save would write them.
    let mut area = 4u64;
    if got < 4 || flag[0] == 0 {
        return Ok((found, used));
    }
    while limit - used >= 8 {
        let mut head = [0u8; 8];
        let got = read_up_to(reader, &mut head, path)?;
        used += got as u64;
        if got < 8 {
            break; // a .hdr that ends here: no more blocks
        }
        let (esize, code) = (read_i32(&head[..4], big), read_i32(&head[4..], big));
        if esize < 8 || esize as u64 - 8 > limit - used {
            break;
        }
        let len = esize as usize - 8;
        // Kept extensions must fit a save again (and a canvas's metadata
        // stays small enough to copy): refuse rather than drop them silently.
        area += padded(len);
        if area > MAX_AREA {
            let area = area + rest_of_area(reader, limit, used, big, path)?;
            return Err(MxError::mx(
                format!("\"{path}\" has header extensions that take more than {MAX_AREA} bytes once padded to 16-byte blocks, the most mxcanvas keeps (a NIfTI-1 vox_offset places at most that many exactly)"),
                &["FORMAT", "EXTENSIONS", &area.to_string()],
            ));
        }
        let mut content = zeroed_bytes(len).ok_or_else(|| {
            MxError::mx(
                format!("cannot allocate {len} bytes for a header extension of \"{path}\": out of memory"),
                &["ALLOC", &len.to_string()],
            )
        })?;
        let got = read_up_to(reader, &mut content, path)?;
        used += got as u64;
        if got < len {
            return Err(io_error("read", path, std::io::ErrorKind::UnexpectedEof.into()));
        }
        found.push(Extension { code, content });
    }
    Ok((found, used))
}

/// The padded size of the blocks after the one being read (which stands
/// `used` bytes in, its content not yet read), walked by their heads with the
/// same rules as [`read`], contents skipped: the error for too large an area
/// then says how large it is, the size a save would report.
fn rest_of_area(reader: &mut dyn Read, limit: u64, mut used: u64, big: bool, path: &str) -> MxResult<u64> {
    let mut area = 0u64;
    let mut content = 0u64; // of the current block, still to skip
    loop {
        crate::formats::files::skip(reader, content, path)?;
        used += content;
        if limit - used < 8 {
            return Ok(area);
        }
        let mut head = [0u8; 8];
        let got = read_up_to(reader, &mut head, path)?;
        used += got as u64;
        let esize = read_i32(&head[..4], big);
        if got < 8 || esize < 8 || esize as u64 - 8 > limit - used {
            return Ok(area);
        }
        content = esize as u64 - 8;
        area += padded(content as usize);
    }
}

/// A block's size on disk: head and `len` bytes of content, padded to a
/// multiple of 16.
fn padded(len: usize) -> u64 {
    (8 + len as u64).div_ceil(16) * 16
}

fn block_size(e: &Extension) -> u64 {
    padded(e.content.len())
}

/// Bytes of flag and blocks that [`encode`] writes.
pub fn area_size(list: &[Extension]) -> u64 {
    4 + list.iter().map(block_size).sum::<u64>()
}

/// Check, before anything is written, that the extensions fit a header.
pub fn check(list: &[Extension], file: &str) -> MxResult<()> {
    let size = area_size(list);
    if size > MAX_AREA {
        return Err(MxError::mx(
            format!("cannot save \"{file}\": its header extensions take {size} bytes, more than the {MAX_AREA} a NIfTI-1 vox_offset can place exactly"),
            &["FORMAT", "EXTENSIONS", &size.to_string()],
        ));
    }
    Ok(())
}

/// The flag and the blocks, little-endian, content padded with zeros.
pub fn encode(list: &[Extension]) -> Vec<u8> {
    let mut out = Vec::with_capacity(area_size(list) as usize);
    out.extend_from_slice(&[u8::from(!list.is_empty()), 0, 0, 0]);
    for e in list {
        let size = block_size(e);
        out.extend_from_slice(&(size as i32).to_le_bytes());
        out.extend_from_slice(&e.code.to_le_bytes());
        out.extend_from_slice(&e.content);
        out.resize(out.len() + (size as usize - 8 - e.content.len()), 0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(code: i32, text: &[u8]) -> Extension {
        Extension { code, content: text.to_vec() }
    }

    #[test]
    fn blocks_round_trip_padded_to_16() {
        let list = vec![ext(6, b"a comment"), ext(32, &[7u8; 24])];
        let bytes = encode(&list);
        assert_eq!(bytes.len() as u64, area_size(&list));
        assert_eq!(bytes.len(), 4 + 32 + 32);
        let (back, used) = read(&mut &bytes[..], bytes.len() as u64, false, "t").unwrap();
        assert_eq!(used, bytes.len() as u64);
        // Content comes back with its padding, as nibabel reads it.
        assert_eq!(back[0].code, 6);
        assert_eq!(&back[0].content[..9], b"a comment");
        assert_eq!(back[0].content.len(), 24);
        assert_eq!(back[1], list[1]);
        // Padding is already there: a second round is byte-identical.
        assert_eq!(encode(&back), bytes);
    }

    #[test]
    fn no_flag_means_no_extensions() {
        assert_eq!(encode(&[]), [0, 0, 0, 0]);
        let (none, used) = read(&mut &[0u8, 0, 0, 0, 9, 9][..], 6, false, "t").unwrap();
        assert!(none.is_empty());
        assert_eq!(used, 4);
        assert!(read(&mut &[][..], 0, false, "t").unwrap().0.is_empty());
    }

    #[test]
    fn big_endian_sizes_and_bad_blocks() {
        let mut bytes = vec![1, 0, 0, 0];
        bytes.extend_from_slice(&16i32.to_be_bytes());
        bytes.extend_from_slice(&4i32.to_be_bytes());
        bytes.extend_from_slice(&[1u8; 8]);
        let (list, _) = read(&mut &bytes[..], bytes.len() as u64, true, "t").unwrap();
        assert_eq!(list, vec![ext(4, &[1u8; 8])]);
        // A block claiming more room than there is ends the list.
        bytes.extend_from_slice(&1000i32.to_be_bytes());
        bytes.extend_from_slice(&4i32.to_be_bytes());
        let (list, _) = read(&mut &bytes[..], bytes.len() as u64, true, "t").unwrap();
        assert_eq!(list.len(), 1);
        // A file that ends inside a block that the limit allows is truncated.
        let e = read(&mut &bytes[..16], 100, true, "t").unwrap_err();
        assert_eq!(e.code, ["MX", "FORMAT", "TRUNCATED"]);
    }

    #[test]
    fn damaged_areas_never_panic() {
        let good = encode(&[ext(6, b"a comment"), ext(32, &[7u8; 24])]);
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut b = good.clone();
            let at = (seed as usize) % b.len();
            b[at] = (seed >> 32) as u8;
            let limit = (seed >> 40) % 100;
            let big = seed & 1 == 1;
            if let Ok((list, used)) = read(&mut &b[..], limit, big, "t") {
                assert!(used <= limit.max(4));
                assert!(list.iter().all(|e| e.content.len() as u64 <= limit));
            }
        }
    }

    #[test]
    fn oversized_extensions_are_refused_on_read() {
        let mut bytes = vec![1, 0, 0, 0];
        bytes.extend_from_slice(&(MAX_AREA as i32 + 16).to_le_bytes());
        bytes.extend_from_slice(&6i32.to_le_bytes());
        let e = read(&mut &bytes[..], u64::MAX, false, "t").unwrap_err();
        assert_eq!(e.code[..3], ["MX", "FORMAT", "EXTENSIONS"]);
    }

    #[test]
    fn what_loads_also_saves_even_with_unpadded_blocks() {
        // 2,097,151 blocks of 8 bytes (no content): 16 MiB - 4 on disk, but
        // twice that once each is padded to 16. Load used to keep them and
        // save then refused them (MX FORMAT EXTENSIONS 33554420).
        let count = 2_097_151usize;
        let mut bytes = vec![1u8, 0, 0, 0];
        for _ in 0..count {
            bytes.extend_from_slice(&8i32.to_le_bytes());
            bytes.extend_from_slice(&4i32.to_le_bytes());
        }
        let e = read(&mut &bytes[..], bytes.len() as u64, false, "t").unwrap_err();
        // The error gives the whole padded area, as a save would.
        assert_eq!(e.code, ["MX", "FORMAT", "EXTENSIONS", &(4 + 16 * count as u64).to_string()]);
        assert_eq!(e.code[3], "33554420");
        // The most that fits once padded: (MAX_AREA - 4) / 16 such blocks,
        // and that saves.
        let fits = (MAX_AREA as usize - 4) / 16;
        let (list, _) = read(&mut &bytes[..4 + 8 * fits], u64::MAX, false, "t").unwrap();
        assert_eq!(list.len(), fits);
        assert!(check(&list, "f").is_ok());
        assert_eq!(area_size(&list), 4 + 16 * fits as u64);
        // And for odd sizes: whatever read keeps, check accepts.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = 8 * (1 + (seed % (1 << 19)) as usize);
            let half = MAX_AREA as usize / 2;
            let total = half + (seed >> 24) as usize % (half + (1 << 20));
            let mut b = vec![1u8, 0, 0, 0];
            while b.len() + len + 8 < total {
                b.extend_from_slice(&((len + 8) as i32).to_le_bytes());
                b.extend_from_slice(&6i32.to_le_bytes());
                b.resize(b.len() + len, 0);
            }
            match read(&mut &b[..], u64::MAX, false, "t") {
                Ok((list, _)) => assert!(check(&list, "f").is_ok(), "len {len}"),
                Err(e) => {
                    assert!(area_size(&vec![ext(6, &vec![0; len]); (b.len() - 4) / (len + 8)]) > MAX_AREA, "{e:?}")
                }
            }
        }
    }

    #[test]
    fn oversized_areas_are_refused() {
        let list = vec![ext(6, &vec![0u8; MAX_AREA as usize])];
        assert_eq!(check(&list, "f").unwrap_err().code[..3], ["MX", "FORMAT", "EXTENSIONS"]);
        assert!(check(&[ext(6, b"x")], "f").is_ok());
    }
}
