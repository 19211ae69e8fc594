//! A `Read` of a gzip file's decoded bytes, as fast as the file allows:
//!
//! * a file we wrote (every member indexed by its `MX` subfield): members are
//!   found without inflating, and each read inflates the whole members that
//!   fit in the caller's buffer on all cores, each straight into its place;
//! * any other file: read through flate2's streaming decoder (which names
//!   any damage precisely) until the caller asks for a stretch of it whole
//!   ([`GzReader::take_whole`], a heap canvas's voxels): then the first
//!   member is inflated by libdeflate in one call into a buffer sized by the
//!   file's ISIZE trailer, and that buffer is handed over. A canvas in shared
//!   memory keeps streaming straight into its segment, so that loading needs
//!   no second buffer of the volume's size.
//!
//! CRC-32 and length are checked for every member in all three ways.
//!
//! An `MX` size is a claim, not a proof: a member of another program's file
//! may carry our subfield with a size that spans two members (or lands
//! anywhere that parses). When an indexed member does not end where its
//! claimed size says (its deflate data stops early, or its output does not
//! match its trailer's length), the file is read again from its start by the
//! streaming decoder, which ignores the claims, past what was handed out:
//! a valid file loads on the heap as it does into shared memory, and damage
//! is still reported (by the streaming decoder). A CRC-32 mismatch of a
//! member that ended exactly where claimed is damage, reported at once.

use super::parallel::run;
use super::{corrupt, crc32, out_of_memory, parse_header, trailer, MAX_INDEXED_MEMBER, TRAILER_LEN};
use crate::sys::alloc::zeroed_bytes;
use crate::sys::deflate::{Decompressor, InflateError};
use flate2::bufread::MultiGzDecoder;
use std::io::{self, Cursor, Read};
use std::ops::Range;

/// The most a deflate stream can expand (258-byte matches in 2 bits, less
/// block overhead): bounds the output buffer a damaged ISIZE can ask for.
const MAX_RATIO: usize = 1032;

pub struct GzReader {
    state: State,
    /// Why the index was given up, if it was: a streaming error after that
    /// is reported with the indexed reader's more precise words.
    doubt: Option<&'static str>,
}

type Stream = Box<MultiGzDecoder<Cursor<Vec<u8>>>>;

enum State {
    Indexed(Indexed),
    /// Another program's file, `given` decoded bytes handed out so far.
    Foreign {
        stream: Stream,
        given: usize,
    },
    Done,
}

struct Member {
    body: Range<usize>,
    out_len: usize,
    crc: u32,
}

struct Indexed {
    data: Vec<u8>,
    /// Decoded bytes handed out so far.
    given: usize,
    members: Vec<Member>,
    next: usize,
    scratch: Vec<u8>,
    scratch_at: usize,
}

impl GzReader {
    /// Read all of `file` (`len` bytes expected) and prepare to decode it.
    pub fn new(mut file: impl Read, len: u64) -> io::Result<GzReader> {
        let want = usize::try_from(len).map_err(|_| out_of_memory(usize::MAX, "the compressed file"))?;
        let mut data = Vec::new();
        data.try_reserve_exact(want).map_err(|_| out_of_memory(want, "the compressed file"))?;
        file.read_to_end(&mut data)?;
        Ok(GzReader::from_bytes(data))
    }

    /// Decode the gzip file held in `data`.
    pub fn from_bytes(data: Vec<u8>) -> GzReader {
        let state = match index(&data) {
            Some(members) => {
                State::Indexed(Indexed { data, given: 0, members, next: 0, scratch: Vec::new(), scratch_at: 0 })
            }
            None => State::Foreign { stream: stream(data, 0), given: 0 },
        };
        GzReader { state, doubt: None }
    }

    /// Of the next `skip + len` decoded bytes, hand over the `len` after
    /// `skip` as a Vec of exactly `len` bytes, without copying them into
    /// another buffer. Only for another program's file, whose first member
    /// is then inflated by libdeflate in one piece and must hold them (else
    /// None, and reading goes on where it was). Bytes of that member after
    /// them are dropped: their CRC-32 was checked.
    pub fn take_whole(&mut self, skip: usize, len: usize) -> Option<Vec<u8>> {
        let State::Foreign { given, .. } = self.state else { return None };
        let start = given.checked_add(skip)?;
        let State::Foreign { stream: s, .. } = std::mem::replace(&mut self.state, State::Done) else { unreachable!() };
        let data = s.into_inner().into_inner();
        match first_member(&data) {
            Some((mut bytes, end)) if start.checked_add(len).is_some_and(|stop| stop <= bytes.len()) => {
                self.state = if end == data.len() {
                    State::Done
                } else {
                    State::Foreign { stream: stream(data, end), given: 0 }
                };
                // The 352-byte header is in front: one move within memory
                // already touched, instead of a copy into fresh canvas pages.
                bytes.copy_within(start..start + len, 0);
                bytes.truncate(len);
                Some(bytes)
            }
            _ => {
                // Back to streaming, at the same place.
                let mut again = stream(data, 0);
                let skipped = io::copy(&mut (&mut again).take(given as u64), &mut io::sink()).ok()?;
                self.state = State::Foreign { stream: again, given: skipped as usize };
                None
            }
        }
    }

    /// Whether the file was one of ours, read in parallel (for tests and the benchmark).
    pub fn is_indexed(&self) -> bool {
        matches!(self.state, State::Indexed(_))
    }
}

/// The members of a file whose every member carries our `MX` size, or None.
fn index(data: &[u8]) -> Option<Vec<Member>> {
    let mut members = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let header = parse_header(&data[at..]).ok()?;
        let size = header.indexed_size? as usize;
        let end = at.checked_add(size)?;
        if size < header.len + TRAILER_LEN || end > data.len() {
            return None;
        }
        let (crc, isize) = trailer(&data[at..end]);
        if isize as usize > MAX_INDEXED_MEMBER {
            return None;
        }
        members.try_reserve(1).ok()?;
        members.push(Member { body: at + header.len..end - TRAILER_LEN, out_len: isize as usize, crc });
        at = end;
    }
    (!members.is_empty()).then_some(members)
}

fn stream(data: Vec<u8>, from: usize) -> Stream {
    let mut cursor = Cursor::new(data);
    cursor.set_position(from as u64);
    Box::new(MultiGzDecoder::new(cursor))
}

/// The first member's bytes and where it ends, when libdeflate decodes it
/// cleanly into a buffer of the size the file's last ISIZE suggests; None
/// sends the file to the streaming decoder (which also reports damage).
fn first_member(data: &[u8]) -> Option<(Vec<u8>, usize)> {
    let header = parse_header(data).ok()?;
    let body = data.get(header.len..)?;
    if body.len() < TRAILER_LEN {
        return None;
    }
    let (_, last_isize) = trailer(data);
    let guess = (last_isize as usize).min(body.len().saturating_mul(MAX_RATIO));
    let mut out = zeroed_bytes(guess)?;
    let mut d = Decompressor::new()?;
    let (used_in, used_out) = d.inflate(body, &mut out).ok()?;
    let end = header.len + used_in + TRAILER_LEN;
    let (crc, isize) = trailer(data.get(..end)?);
    if isize != used_out as u32 || crc != crc32(&out[..used_out]) {
        return None;
    }
    out.truncate(used_out);
    Some((out, end))
}

/// An indexed member that does not end where its `MX` size says: the claim
/// was wrong, or the member is damaged; the streaming decoder decides which.
#[derive(Debug)]
struct Misplaced(&'static str);

impl std::fmt::Display for Misplaced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Misplaced {}

fn misplaced(what: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, Misplaced(what))
}

fn is_misplaced(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Misplaced>())
}

fn new_decompressor() -> io::Result<Decompressor> {
    Decompressor::new().ok_or_else(|| out_of_memory(1 << 14, "a deflate decompressor"))
}

/// Inflate one indexed member into `out` (exactly its length) and check it.
fn inflate_member(d: &mut Decompressor, data: &[u8], m: &Member, out: &mut [u8]) -> io::Result<()> {
    let body = &data[m.body.clone()];
    match d.inflate(body, out) {
        Ok((used_in, used_out)) if used_out == out.len() => {
            if used_in != body.len() {
                return Err(misplaced("a gzip member has bytes between its deflate data and its trailer"));
            }
            if crc32fast::hash(out) != m.crc {
                return Err(corrupt("CRC-32 mismatch: the decompressed data is damaged"));
            }
            Ok(())
        }
        Ok(_) => Err(misplaced("a gzip member holds fewer bytes than its length trailer (ISIZE) says")),
        Err(InflateError::InsufficientSpace) => {
            Err(misplaced("a gzip member holds more bytes than its length trailer (ISIZE) says"))
        }
        Err(InflateError::BadData) => Err(misplaced("invalid deflate data")),
    }
}

impl Indexed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if buf.is_empty() {
                return Ok(0);
            }
            if self.scratch_at < self.scratch.len() {
                let n = buf.len().min(self.scratch.len() - self.scratch_at);
                buf[..n].copy_from_slice(&self.scratch[self.scratch_at..self.scratch_at + n]);
                self.scratch_at += n;
                return Ok(n);
            }
            if self.next == self.members.len() {
                return Ok(0);
            }
            // Every whole member that fits goes straight into the caller's buffer.
            let mut jobs = Vec::new();
            let mut rest: &mut [u8] = buf;
            let mut filled = 0;
            for m in &self.members[self.next..] {
                if m.out_len > rest.len() {
                    break;
                }
                let (head, tail) = std::mem::take(&mut rest).split_at_mut(m.out_len);
                jobs.try_reserve(1).map_err(|_| out_of_memory(64, "the inflate jobs"))?;
                jobs.push((m, head));
                rest = tail;
                filled += m.out_len;
            }
            if !jobs.is_empty() {
                let count = jobs.len();
                let data = &self.data;
                run(jobs, new_decompressor, |d, (m, out)| inflate_member(d, data, m, out))?;
                self.next += count;
                if filled > 0 {
                    return Ok(filled);
                }
                continue;
            }
            // The next member is larger than the buffer: inflate it aside.
            let m = &self.members[self.next];
            self.scratch.clear();
            self.scratch.try_reserve_exact(m.out_len).map_err(|_| out_of_memory(m.out_len, "a gzip member"))?;
            self.scratch.resize(m.out_len, 0);
            inflate_member(&mut new_decompressor()?, &self.data, m, &mut self.scratch)?;
            self.scratch_at = 0;
            self.next += 1;
        }
    }
}

impl Read for GzReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.state {
            State::Indexed(ix) => match ix.read(buf) {
                Ok(n) => {
                    ix.given += n;
                    Ok(n)
                }
                Err(e) if is_misplaced(&e) => {
                    self.doubt = e.get_ref().and_then(|inner| inner.downcast_ref::<Misplaced>()).map(|m| m.0);
                    let (data, given) = (std::mem::take(&mut ix.data), ix.given);
                    self.state = State::Done;
                    let mut again = stream(data, 0);
                    let skipped = io::copy(&mut (&mut again).take(given as u64), &mut io::sink())
                        .map_err(|_| corrupt(self.doubt.unwrap_or("invalid deflate data")))?;
                    if skipped < given as u64 {
                        return Err(super::truncated());
                    }
                    self.state = State::Foreign { stream: again, given };
                    self.read(buf)
                }
                Err(e) => Err(e),
            },
            State::Foreign { stream, given } => {
                let n = stream.read(buf).map_err(|e| match (self.doubt, e.kind()) {
                    (Some(why), io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput) => corrupt(why),
                    _ => e,
                })?;
                *given += n;
                Ok(n)
            }
            State::Done => Ok(0),
        }
    }
}
