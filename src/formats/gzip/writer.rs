//! A `Write` that makes a multi-member gzip stream on every core.
//!
//! Small writes (the 352-byte NIfTI header) are gathered until a block is
//! full or a large write arrives; a large write (the voxels) is compressed
//! straight from the caller's slice, [`BLOCK`] bytes per member, in batches
//! spread over all cores and written in order. So a `.nii.gz` we write has
//! the header in a member of its own and the voxels in whole members after
//! it, which lets the reader inflate voxels straight into a canvas.

use super::parallel::{self, run};
use super::{our_header, out_of_memory, BLOCK, OUR_HEADER_LEN, TRAILER_LEN};
use crate::sys::deflate::Compressor;
use std::io::{self, Write};

/// Blocks per batch and thread: enough to keep every core busy while the
/// compressed members wait in memory (a few MiB) to be written in order.
const BATCH_PER_THREAD: usize = 4;

pub struct GzWriter<W: Write> {
    inner: W,
    level: u32,
    pending: Vec<u8>,
    members: u64,
}

impl<W: Write> GzWriter<W> {
    /// A writer at gzip `level` (0..=9; the caller checked the range).
    pub fn new(inner: W, level: u32) -> GzWriter<W> {
        GzWriter { inner, level, pending: Vec::new(), members: 0 }
    }

    /// Write what is gathered and flush the inner writer. A stream that got
    /// no bytes at all still becomes one (empty) member: a valid gzip file.
    pub fn finish(mut self) -> io::Result<W> {
        self.flush_pending()?;
        if self.members == 0 {
            self.compress(&[])?;
        }
        self.inner.flush()?;
        Ok(self.inner)
    }

    fn flush_pending(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            self.compress(&pending)?;
            self.pending = pending;
            self.pending.clear();
        }
        Ok(())
    }

    /// Compress `data` as members of [`BLOCK`] bytes and write them in order.
    fn compress(&mut self, data: &[u8]) -> io::Result<()> {
        let blocks: Vec<&[u8]> = if data.is_empty() { vec![data] } else { data.chunks(BLOCK).collect() };
        let batch = parallel::threads() * BATCH_PER_THREAD;
        let level = self.level;
        for group in blocks.chunks(batch) {
            let mut outs: Vec<Vec<u8>> = group.iter().map(|_| Vec::new()).collect();
            let jobs: Vec<(&[u8], &mut Vec<u8>)> = group.iter().copied().zip(outs.iter_mut()).collect();
            run(jobs, || new_compressor(level), |c, (block, out)| member(c, level, block, out))?;
            for out in &outs {
                self.inner.write_all(out)?;
            }
            self.members += group.len() as u64;
        }
        Ok(())
    }
}

fn new_compressor(level: u32) -> io::Result<Compressor> {
    Compressor::new(level).ok_or_else(|| out_of_memory(1 << 20, "a deflate compressor"))
}

/// One gzip member holding `block`, into `out`.
pub fn member(c: &mut Compressor, level: u32, block: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
    let bound = c.bound(block.len());
    let total = OUR_HEADER_LEN + bound + TRAILER_LEN;
    out.clear();
    out.try_reserve_exact(total).map_err(|_| out_of_memory(total, "a compressed block"))?;
    out.resize(OUR_HEADER_LEN + bound, 0);
    let n = c
        .compress(block, &mut out[OUR_HEADER_LEN..])
        .ok_or_else(|| io::Error::other("deflate output exceeded its bound"))?;
    out.truncate(OUR_HEADER_LEN + n);
    let size = (OUR_HEADER_LEN + n + TRAILER_LEN) as u32;
    out[..OUR_HEADER_LEN].copy_from_slice(&our_header(level, size));
    out.extend_from_slice(&crc32fast::hash(block).to_le_bytes());
    out.extend_from_slice(&(block.len() as u32).to_le_bytes());
    Ok(())
}

impl<W: Write> Write for GzWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() >= BLOCK {
            self.flush_pending()?;
            self.compress(buf)?;
            return Ok(buf.len());
        }
        let room = BLOCK - self.pending.len();
        let take = buf.len().min(room);
        self.pending.try_reserve(take).map_err(|_| out_of_memory(take, "gzip input"))?;
        self.pending.extend_from_slice(&buf[..take]);
        if self.pending.len() == BLOCK {
            self.flush_pending()?;
        }
        Ok(take)
    }

    /// Only flushes the inner writer: members are cut by size, not by
    /// flushes, so a flush in the middle does not shrink the blocks.
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
