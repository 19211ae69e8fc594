//! Inflate a gzip file's single member and deflate a 16 MiB piece of it at
//! levels 1 and 6 with miniz_oxide (flate2's default backend), zlib-rs
//! (flate2 with `zlib-rs`) and libdeflate; best of three, one core. Prints
//! "key value" lines for bench/gzip_bench.py.
//!
//!     deflate-compare FILE.gz
use std::io::Read;
use std::time::Instant;

fn best<F: FnMut() -> usize>(mut f: F) -> (f64, usize) {
    let mut t = f64::MAX;
    let mut n = 0;
    for _ in 0..3 {
        let s = Instant::now();
        n = f();
        t = t.min(s.elapsed().as_secs_f64());
    }
    (t, n)
}

/// The raw deflate data of a single-member gzip file.
fn body(gz: &[u8]) -> &[u8] {
    let flags = gz[3];
    let mut p = 10;
    if flags & 4 != 0 {
        p += 2 + u16::from_le_bytes([gz[p], gz[p + 1]]) as usize;
    }
    for flag in [8, 16] {
        if flags & flag != 0 {
            p += gz[p..].iter().position(|&b| b == 0).unwrap() + 1;
        }
    }
    if flags & 2 != 0 {
        p += 2;
    }
    &gz[p..gz.len() - 8]
}

fn main() {
    let gz = std::fs::read(std::env::args().nth(1).expect("usage: deflate-compare FILE.gz")).unwrap();
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut raw).unwrap();
    let body = body(&gz);
    let n = raw.len();
    let (t, _) = best(|| {
        let mut out = vec![0u8; n];
        let mut d = flate2::Decompress::new(false);
        d.decompress(body, &mut out, flate2::FlushDecompress::Finish).unwrap();
        d.total_out() as usize
    });
    println!("inflate_zlib-rs {t}");
    let (t, _) = best(|| miniz_oxide::inflate::decompress_to_vec(body).unwrap().len());
    println!("inflate_miniz_oxide {t}");
    let (t, _) = best(|| {
        let mut out = vec![0u8; n];
        libdeflater::Decompressor::new().deflate_decompress(body, &mut out).unwrap()
    });
    println!("inflate_libdeflate {t}");
    let piece = &raw[raw.len() / 2 - (8 << 20)..raw.len() / 2 + (8 << 20)];
    for level in [1u32, 6] {
        let (t, b) = best(|| {
            let mut out = vec![0u8; piece.len() + 4096];
            let mut c = flate2::Compress::new(flate2::Compression::new(level), false);
            c.compress(piece, &mut out, flate2::FlushCompress::Finish).unwrap();
            c.total_out() as usize
        });
        println!("deflate{level}_zlib-rs {t}\ndeflate{level}_zlib-rs_bytes {b}");
        let (t, b) = best(|| miniz_oxide::deflate::compress_to_vec(piece, level as u8).len());
        println!("deflate{level}_miniz_oxide {t}\ndeflate{level}_miniz_oxide_bytes {b}");
        let (t, b) = best(|| {
            let mut c = libdeflater::Compressor::new(libdeflater::CompressionLvl::new(level as i32).unwrap());
            let mut out = vec![0u8; c.deflate_compress_bound(piece.len())];
            c.deflate_compress(piece, &mut out).unwrap()
        });
        println!("deflate{level}_libdeflate {t}\ndeflate{level}_libdeflate_bytes {b}");
    }
}
