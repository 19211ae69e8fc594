//! RLE Lossless (PS3.5 annex G), decoded here rather than by dicom-rs's
//! adapter: that one indexes past its buffer and unwraps a read when a
//! segment decodes short (a cut file panics in the decoder; measured with
//! tests/dicom.test's cuts of MR_small_RLE.dcm). One sample per pixel (colour
//! is refused before), 1 to 4 bytes per sample, output little-endian.

/// Decode one frame's fragment into `out` (rows*cols samples of `bytes`
/// bytes). Err says what is wrong with the fragment.
pub fn decode(fragment: &[u8], bytes: usize, out: &mut [u8]) -> Result<(), String> {
    let header = fragment.get(..64).ok_or("the RLE header is cut off")?;
    let word = |i: usize| u32::from_le_bytes([header[4 * i], header[4 * i + 1], header[4 * i + 2], header[4 * i + 3]]);
    let segments = word(0) as usize;
    if segments != bytes {
        return Err(format!("{segments} RLE segments for {bytes}-byte samples"));
    }
    let pixels = out.len() / bytes;
    for s in 0..segments {
        let start = word(1 + s) as usize;
        let end = if s + 1 < segments { word(2 + s) as usize } else { fragment.len() };
        let data = fragment.get(start..end).ok_or_else(|| format!("RLE segment {s} lies outside the fragment"))?;
        // Segment 0 holds the most significant bytes.
        let byte = bytes - 1 - s;
        packbits(data, pixels, |i, v| out[i * bytes + byte] = v).map_err(|e| format!("RLE segment {s}: {e}"))?;
    }
    Ok(())
}

/// PackBits: write `count` bytes through `put(index, value)`.
fn packbits(data: &[u8], count: usize, mut put: impl FnMut(usize, u8)) -> Result<(), String> {
    let (mut at, mut n) = (0, 0);
    while n < count {
        let header = *data.get(at).ok_or("it decodes to fewer bytes than the image has")? as i8;
        at += 1;
        if header >= 0 {
            let len = header as usize + 1;
            let run = data.get(at..at + len).ok_or("a literal run is cut off")?;
            for &v in run.iter().take(count - n) {
                put(n, v);
                n += 1;
            }
            at += len;
        } else if header != -128 {
            let v = *data.get(at).ok_or("a repeat run is cut off")?;
            at += 1;
            for _ in 0..(1 - header as isize).min((count - n) as isize) {
                put(n, v);
                n += 1;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(offsets: &[u32]) -> Vec<u8> {
        let mut h = (offsets.len() as u32).to_le_bytes().to_vec();
        for i in 0..15 {
            h.extend_from_slice(&offsets.get(i).copied().unwrap_or(0).to_le_bytes());
        }
        h
    }

    #[test]
    fn sixteen_bit_frame_and_cut_segments() {
        // 4 pixels: high bytes 0x01 x4 (repeat run), low bytes 10 20 30 40 (literal).
        let mut f = header(&[64, 66]);
        f.extend_from_slice(&[(-3i8) as u8, 0x01, 3, 10, 20, 30, 40]);
        let mut out = [0u8; 8];
        decode(&f, 2, &mut out).unwrap();
        assert_eq!(out, [10, 1, 20, 1, 30, 1, 40, 1]);
        for cut in 0..f.len() {
            assert!(decode(&f[..cut], 2, &mut out).is_err(), "cut at {cut}");
        }
        assert!(decode(&f, 1, &mut out).is_err());
    }
}
