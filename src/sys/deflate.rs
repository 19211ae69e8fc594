//! libdeflate (the vendored C library of the `libdeflate-sys` crate) behind
//! a safe interface, for `.nii.gz` files (`crate::formats::gzip`).
//!
//! Used directly rather than through the `libdeflater` crate because that
//! one panics when libdeflate cannot allocate its state and hides how much
//! input an inflate consumed; here a refused allocation is `None` and
//! [`Decompressor::inflate`] reports both lengths, which is what finding the
//! end of a gzip member needs.
//!
//! Measured for this project (BENCHMARKS.md): on a noisy int16 volume
//! libdeflate inflates about twice as fast as zlib-rs and miniz_oxide, and
//! its level 1 compresses to zlib's level-1 size about 3.5x faster.

use libdeflate_sys as ld;
use std::ptr::NonNull;

/// A raw-deflate compressor at one level (0 = stored, 1 fastest .. 12 best).
pub struct Compressor(NonNull<ld::libdeflate_compressor>);

// SAFETY: the compressor is private heap state with no thread affinity;
// every use takes `&mut self`, so one thread at a time touches it.
unsafe impl Send for Compressor {}

impl Compressor {
    /// A compressor, or `None` when the level is out of range or its state
    /// (up to about 1 MiB at high levels) cannot be allocated.
    pub fn new(level: u32) -> Option<Compressor> {
        if level > 12 {
            return None;
        }
        // SAFETY: plain allocation call; a null result is handled below.
        let ptr = unsafe { ld::libdeflate_alloc_compressor(level as libc::c_int) };
        NonNull::new(ptr).map(Compressor)
    }

    /// The most bytes compressing `len` bytes can produce.
    pub fn bound(&mut self, len: usize) -> usize {
        // SAFETY: self.0 is a live compressor; the call only reads its level.
        unsafe { ld::libdeflate_deflate_compress_bound(self.0.as_ptr(), len) }
    }

    /// Compress `input` into `out` as one complete raw deflate stream;
    /// `None` when `out` is too small (it never is at [`Self::bound`] bytes).
    pub fn compress(&mut self, input: &[u8], out: &mut [u8]) -> Option<usize> {
        // SAFETY: the pointers and lengths come from live slices that do not
        // overlap (one is shared, one exclusive); libdeflate writes at most
        // out.len() bytes and keeps no pointer after returning.
        let n = unsafe {
            ld::libdeflate_deflate_compress(
                self.0.as_ptr(),
                input.as_ptr().cast(),
                input.len(),
                out.as_mut_ptr().cast(),
                out.len(),
            )
        };
        // libdeflate returns 0 only for "out too small": even empty input
        // makes a final block of at least one byte.
        (n != 0).then_some(n)
    }
}

impl Drop for Compressor {
    fn drop(&mut self) {
        // SAFETY: self.0 came from libdeflate_alloc_compressor and is freed once.
        unsafe { ld::libdeflate_free_compressor(self.0.as_ptr()) }
    }
}

/// Why an inflate failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InflateError {
    /// The input is not valid deflate data (or ends before its final block).
    BadData,
    /// The stream holds more bytes than the output buffer.
    InsufficientSpace,
}

/// A raw-deflate decompressor (about 10 KiB of tables).
pub struct Decompressor(NonNull<ld::libdeflate_decompressor>);

// SAFETY: as for Compressor: private state, used through `&mut self` only.
unsafe impl Send for Decompressor {}

impl Decompressor {
    pub fn new() -> Option<Decompressor> {
        // SAFETY: plain allocation call; a null result is handled below.
        let ptr = unsafe { ld::libdeflate_alloc_decompressor() };
        NonNull::new(ptr).map(Decompressor)
    }

    /// Inflate the raw deflate stream at the start of `input` into `out`:
    /// (bytes of input the stream took, bytes written). Output shorter than
    /// `out` is fine; bytes after the stream's final block are not read.
    pub fn inflate(&mut self, input: &[u8], out: &mut [u8]) -> Result<(usize, usize), InflateError> {
        let (mut used_in, mut used_out) = (0usize, 0usize);
        // SAFETY: pointers and lengths come from live, non-overlapping
        // slices; libdeflate reads at most input.len() bytes, writes at most
        // out.len() bytes, stores the two counts through valid pointers and
        // keeps no pointer after returning.
        let result = unsafe {
            ld::libdeflate_deflate_decompress_ex(
                self.0.as_ptr(),
                input.as_ptr().cast(),
                input.len(),
                out.as_mut_ptr().cast(),
                out.len(),
                &mut used_in,
                &mut used_out,
            )
        };
        match result {
            ld::libdeflate_result_LIBDEFLATE_SUCCESS => Ok((used_in, used_out)),
            ld::libdeflate_result_LIBDEFLATE_INSUFFICIENT_SPACE => Err(InflateError::InsufficientSpace),
            _ => Err(InflateError::BadData),
        }
    }
}

impl Drop for Decompressor {
    fn drop(&mut self) {
        // SAFETY: self.0 came from libdeflate_alloc_decompressor and is freed once.
        unsafe { ld::libdeflate_free_decompressor(self.0.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_lengths() {
        let input: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        for level in [0, 1, 6, 9, 12] {
            let mut c = Compressor::new(level).unwrap();
            let mut packed = vec![0u8; c.bound(input.len()) + 5];
            let n = c.compress(&input, &mut packed).unwrap();
            // trailing bytes after the stream are reported as not consumed
            packed[n..n + 5].copy_from_slice(b"extra");
            let mut out = vec![0u8; input.len() + 10];
            let (used_in, used_out) = Decompressor::new().unwrap().inflate(&packed[..n + 5], &mut out).unwrap();
            assert_eq!((used_in, used_out), (n, input.len()), "level {level}");
            assert_eq!(&out[..used_out], &input[..]);
            let mut small = vec![0u8; input.len() - 1];
            assert_eq!(
                Decompressor::new().unwrap().inflate(&packed[..n], &mut small),
                Err(InflateError::InsufficientSpace)
            );
            assert_eq!(Decompressor::new().unwrap().inflate(&packed[..n / 2], &mut out), Err(InflateError::BadData));
        }
        assert!(Compressor::new(13).is_none());
    }

    #[test]
    fn too_small_output_is_none() {
        let input = vec![7u8; 1000];
        let mut c = Compressor::new(0).unwrap();
        assert!(c.compress(&input, &mut [0u8; 10]).is_none());
    }
}
