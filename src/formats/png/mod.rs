//! A minimal PNG encoder for 8-bit greyscale pictures.
//!
//! Written here over `flate2` (already a dependency for `.nii.gz`) rather
//! than taking the `png` crate: one colour type, one bit depth, no filters —
//! signature, IHDR, zlib data in IDAT chunks, IEND, each with its CRC-32 — is
//! a few dozen lines, and decoders everywhere (Python's zlib in the tests, Tk)
//! read it.
//!
//! Memory stays flat whatever the picture's size: pixels are asked from the
//! [`Tiles`] a piece at a time, and the compressed stream goes out in IDAT
//! chunks of at most [`IDAT_CHUNK`] bytes (PNG allows any number of them).

use crate::formats::slices::Tiles;
use flate2::write::ZlibEncoder;
use flate2::{Compression, Crc};
use std::io::{self, Write};

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// The compressed bytes one IDAT chunk carries (the last one may hold fewer).
const IDAT_CHUNK: usize = 1 << 18;
/// Pixels taken from the picture at a time.
const PIXEL_PIECE: usize = 1 << 16;

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

/// Collects the zlib stream and writes it out as IDAT chunks.
struct IdatWriter<'a> {
    out: &'a mut dyn Write,
    pending: Vec<u8>,
}

impl Write for IdatWriter<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = IDAT_CHUNK - self.pending.len();
        let n = data.len().min(room);
        self.pending.extend_from_slice(&data[..n]);
        if self.pending.len() == IDAT_CHUNK {
            chunk(self.out, b"IDAT", &self.pending)?;
            self.pending.clear();
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            chunk(self.out, b"IDAT", &self.pending)?;
            self.pending.clear();
        }
        self.out.flush()
    }
}

/// Write a `width` x `height` PNG of 8-bit samples, `channels` per pixel (1:
/// grey, 3: RGB); `fill(y, x0, out)` gives the samples of row `y` from pixel
/// `x0` on, a piece at a time.
fn encode(
    out: &mut dyn Write,
    width: usize,
    height: usize,
    channels: usize,
    mut fill: impl FnMut(usize, usize, &mut [u8]),
) -> io::Result<()> {
    let too_big = || io::Error::new(io::ErrorKind::InvalidInput, "picture too large for PNG");
    let side = |v: usize| u32::try_from(v).ok().filter(|&v| v > 0 && v <= i32::MAX as u32).ok_or_else(too_big);
    let (w, h) = (side(width)?, side(height)?);
    let colour_type = if channels == 3 { 2 } else { 0 };
    out.write_all(&SIGNATURE)?;
    let mut ihdr = [0u8; 13];
    ihdr[..4].copy_from_slice(&w.to_be_bytes());
    ihdr[4..8].copy_from_slice(&h.to_be_bytes());
    // bit depth 8, grey or RGB, deflate, no filter method, no interlace
    ihdr[8..].copy_from_slice(&[8, colour_type, 0, 0, 0]);
    chunk(out, b"IHDR", &ihdr)?;
    let idat = IdatWriter { out: &mut *out, pending: Vec::with_capacity(IDAT_CHUNK) };
    let mut z = ZlibEncoder::new(idat, Compression::default());
    let pixels_per_piece = (PIXEL_PIECE / channels).min(width);
    let mut piece = vec![0u8; pixels_per_piece * channels];
    for y in 0..height {
        z.write_all(&[0])?; // filter type None
        let mut x = 0;
        while x < width {
            let n = pixels_per_piece.min(width - x);
            fill(y, x, &mut piece[..n * channels]);
            z.write_all(&piece[..n * channels])?;
            x += n;
        }
    }
    let mut idat = z.finish()?;
    idat.flush()?;
    chunk(out, b"IEND", &[])
}

/// Write `picture` as a PNG (greyscale, 8 bits, non-interlaced).
pub fn write_png(out: &mut dyn Write, picture: &Tiles) -> io::Result<()> {
    encode(out, picture.width(), picture.height(), 1, |y, x0, piece| picture.fill_row(y, x0, piece))
}

/// An RGB picture (3 bytes a pixel, rows top to bottom) as PNG file bytes.
pub fn rgb_png_bytes(width: usize, height: usize, rgb: &[u8]) -> io::Result<Vec<u8>> {
    if width.checked_mul(height).and_then(|n| n.checked_mul(3)) != Some(rgb.len()) {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "pixel count does not match the picture size"));
    }
    let mut out = Vec::new();
    encode(&mut out, width, height, 3, |y, x0, piece| {
        let at = (y * width + x0) * 3;
        piece.copy_from_slice(&rgb[at..at + piece.len()]);
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Canvas, Geometry, Value, VoxelType};
    use crate::formats::slices::View;
    use flate2::read::ZlibDecoder;
    use std::io::Read;

    fn canvas(w: i64, h: i64, values: &[i64]) -> Canvas {
        let mut c = Canvas::new(Geometry::new([w, h, 1, 1], VoxelType::Uint8).unwrap(), VoxelType::Uint8).unwrap();
        for (i, &v) in values.iter().enumerate() {
            c.set([i as i64 % w, i as i64 / w, 0, 0], Value::Int(v.into())).unwrap();
        }
        c
    }

    /// The chunks of a PNG file: (kind, data), each CRC checked.
    fn chunks(png: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
        assert_eq!(&png[..8], &SIGNATURE);
        let mut at = 8;
        let mut out = vec![];
        while at < png.len() {
            let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
            let kind: [u8; 4] = png[at + 4..at + 8].try_into().unwrap();
            let data = png[at + 8..at + 8 + len].to_vec();
            let mut crc = Crc::new();
            crc.update(&png[at + 4..at + 8 + len]);
            assert_eq!(u32::from_be_bytes(png[at + 8 + len..at + 12 + len].try_into().unwrap()), crc.sum());
            out.push((kind, data));
            at += 12 + len;
        }
        out
    }

    #[test]
    fn structure_and_pixels() {
        let c = canvas(3, 2, &[0, 1, 2, 253, 254, 255]);
        let pic = Tiles::slice(&c, 0, &View { window: Some((0.0, 255.0)), ..View::default() }).unwrap();
        let mut png = vec![];
        write_png(&mut png, &pic).unwrap();
        let parts = chunks(&png);
        assert_eq!(&parts[0].0, b"IHDR");
        assert_eq!(parts[0].1, [0, 0, 0, 3, 0, 0, 0, 2, 8, 0, 0, 0, 0]);
        assert_eq!(&parts[1].0, b"IDAT");
        let mut raw = Vec::new();
        ZlibDecoder::new(&parts[1].1[..]).read_to_end(&mut raw).unwrap();
        assert_eq!(raw, [0, 0, 1, 2, 0, 253, 254, 255]);
        assert_eq!(&parts.last().unwrap().0, b"IEND");
    }

    #[test]
    fn rgb_pictures() {
        let png = rgb_png_bytes(2, 1, &[1, 2, 3, 4, 5, 6]).unwrap();
        let parts = chunks(&png);
        assert_eq!(parts[0].1[9], 2); // colour type RGB
        let mut raw = Vec::new();
        ZlibDecoder::new(&parts[1].1[..]).read_to_end(&mut raw).unwrap();
        assert_eq!(raw, [0, 1, 2, 3, 4, 5, 6]);
        assert!(rgb_png_bytes(2, 2, &[0; 6]).is_err());
        assert!(rgb_png_bytes(0, 0, &[]).is_err(), "empty pictures are refused");
    }

    #[test]
    fn large_pictures_stream_in_many_idat_chunks() {
        // 4096 x 512 pixels of noise-like values: the zlib stream is well
        // over one IDAT chunk, and the pieces decode back to every pixel.
        let (w, h) = (4096usize, 512usize);
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let values: Vec<i64> = (0..w * h)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 56) as i64
            })
            .collect();
        let c = canvas(w as i64, h as i64, &values);
        let pic = Tiles::slice(&c, 0, &View { window: Some((0.0, 255.0)), ..View::default() }).unwrap();
        let mut png = vec![];
        write_png(&mut png, &pic).unwrap();
        let parts = chunks(&png);
        let idat: Vec<u8> = parts.iter().filter(|(k, _)| k == b"IDAT").flat_map(|(_, d)| d.clone()).collect();
        assert!(parts.iter().filter(|(k, _)| k == b"IDAT").count() > 1);
        assert!(parts.iter().all(|(_, d)| d.len() <= IDAT_CHUNK));
        let mut raw = Vec::new();
        ZlibDecoder::new(&idat[..]).read_to_end(&mut raw).unwrap();
        assert_eq!(raw.len(), (w + 1) * h);
        for (y, row) in raw.chunks(w + 1).enumerate() {
            assert_eq!(row[0], 0);
            assert!(row[1..].iter().zip(&values[y * w..]).all(|(&p, &v)| p as i64 == v), "row {y}");
        }
    }
}
