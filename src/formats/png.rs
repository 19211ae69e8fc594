//! A minimal PNG encoder for 8-bit greyscale (slices) and RGB (viewer snapshots) pictures.
//!
//! Written here over `flate2` (already a dependency for `.nii.gz`) rather
//! than taking the `png` crate: one colour type, one bit depth, no filters —
//! signature, IHDR, one zlib IDAT, IEND, each with its CRC-32 — is a few dozen
//! lines, and decoders everywhere (Python's zlib in the tests, Tk) read it.

use super::slice::Grey;
use flate2::write::ZlibEncoder;
use flate2::{Compression, Crc};
use std::io::{self, Write};

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

fn chunk(out: &mut dyn Write, kind: &[u8; 4], data: &[u8]) -> io::Result<()> {
    let len =
        u32::try_from(data.len()).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "PNG chunk over 4 GiB"))?;
    let mut crc = Crc::new();
    crc.update(kind);
    crc.update(data);
    out.write_all(&len.to_be_bytes())?;
    out.write_all(kind)?;
    out.write_all(data)?;
    out.write_all(&crc.sum().to_be_bytes())
}

/// Write `picture` as a PNG (greyscale, 8 bits, non-interlaced).
pub fn write_png(out: &mut dyn Write, picture: &Grey) -> io::Result<()> {
    encode(out, picture.width, picture.height, 1, &picture.pixels)
}

/// Write `channels` (1: grey, 3: RGB) 8-bit samples per pixel, rows top to bottom.
fn encode(out: &mut dyn Write, width: usize, height: usize, channels: usize, pixels: &[u8]) -> io::Result<()> {
    let too_big = || io::Error::new(io::ErrorKind::InvalidInput, "picture too large for PNG");
    let w = u32::try_from(width).ok().filter(|&v| v > 0 && v <= i32::MAX as u32).ok_or_else(too_big)?;
    let h = u32::try_from(height).ok().filter(|&v| v > 0 && v <= i32::MAX as u32).ok_or_else(too_big)?;
    if width.checked_mul(height).and_then(|n| n.checked_mul(channels)) != Some(pixels.len()) {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "pixel count does not match the picture size"));
    }
    let colour_type = if channels == 3 { 2 } else { 0 };
    out.write_all(&SIGNATURE)?;
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, colour_type, 0, 0, 0]); // bit depth 8, grey or RGB, deflate, no filter method, no interlace
    chunk(out, b"IHDR", &ihdr)?;
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    for row in pixels.chunks_exact(width * channels) {
        z.write_all(&[0])?; // filter type None
        z.write_all(row)?;
    }
    chunk(out, b"IDAT", &z.finish()?)?;
    chunk(out, b"IEND", &[])
}

/// An RGB picture (3 bytes a pixel, rows top to bottom) as PNG file bytes.
pub fn rgb_png_bytes(width: usize, height: usize, rgb: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    encode(&mut out, width, height, 3, rgb)?;
    Ok(out)
}

/// The PNG file as bytes.
pub fn png_bytes(picture: &Grey) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write_png(&mut out, picture)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::ZlibDecoder;
    use std::io::Read;

    #[test]
    fn structure_and_pixels() {
        let pic = Grey { width: 3, height: 2, pixels: vec![0, 1, 2, 253, 254, 255] };
        let png = png_bytes(&pic).unwrap();
        assert_eq!(&png[..8], &SIGNATURE);
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 3);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 2);
        // IHDR CRC over type + data, as any decoder checks it
        let mut crc = Crc::new();
        crc.update(&png[12..29]);
        assert_eq!(u32::from_be_bytes(png[29..33].try_into().unwrap()), crc.sum());
        let idat_len = u32::from_be_bytes(png[33..37].try_into().unwrap()) as usize;
        assert_eq!(&png[37..41], b"IDAT");
        let mut raw = Vec::new();
        ZlibDecoder::new(&png[41..41 + idat_len]).read_to_end(&mut raw).unwrap();
        assert_eq!(raw, [0, 0, 1, 2, 0, 253, 254, 255]);
        assert_eq!(&png[png.len() - 8..png.len() - 4], b"IEND");
    }

    #[test]
    fn rgb_pictures() {
        let png = rgb_png_bytes(2, 1, &[1, 2, 3, 4, 5, 6]).unwrap();
        assert_eq!(png[25], 2); // colour type RGB
        let idat_len = u32::from_be_bytes(png[33..37].try_into().unwrap()) as usize;
        let mut raw = Vec::new();
        ZlibDecoder::new(&png[41..41 + idat_len]).read_to_end(&mut raw).unwrap();
        assert_eq!(raw, [0, 1, 2, 3, 4, 5, 6]);
        assert!(rgb_png_bytes(2, 2, &[0; 6]).is_err());
    }

    #[test]
    fn empty_pictures_are_refused() {
        assert!(png_bytes(&Grey { width: 0, height: 0, pixels: vec![] }).is_err());
    }
}
