//! JPEG lossless (ITU T.81 process 14, SOF3; DICOM's 1.2.840.10008.1.2.4.57
//! and .70), one component, decoded here: jpeg-decoder's lossless path
//! took 10-19 ms for a 512x512 slice on the bench machine, too slow for the
//! series target (BENCHMARKS.md); this one decodes a table-driven Huffman
//! code per sample. Anything else (several components, hierarchical or
//! arithmetic coding) returns `Unsupported` and goes to the registry's decoder.
//! Every read is bounds-checked: malformed data is an error, never a panic.

/// Why a codestream was not decoded.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// Not a single-component SOF3 stream: let another decoder try.
    Unsupported,
    /// A malformed stream, with what is wrong.
    Bad(String),
}

type Result<T> = std::result::Result<T, Failure>;

fn bad<T>(what: impl Into<String>) -> Result<T> {
    Err(Failure::Bad(what.into()))
}

/// A Huffman table: codes of up to 16 bits; a 9-bit lookup for short codes.
struct Huffman {
    /// (length, symbol) for each 9-bit prefix; length 0: longer code.
    fast: Vec<(u8, u8)>,
    /// Per length 1..=16: largest code, offset into `symbols`, smallest code.
    maxcode: [i32; 18],
    valptr: [i32; 17],
    mincode: [i32; 17],
    symbols: Vec<u8>,
    /// (bits used, difference) for each 12-bit prefix holding a whole code
    /// and its extra bits; 0 bits: decode the slow way.
    diffs: Vec<(u8, i32)>,
}

const FAST_BITS: u32 = 9;
const DIFF_BITS: u32 = 12;

/// The difference coded by category `ssss` and its extra bits `v`.
fn extend(ssss: u8, v: i32) -> i32 {
    match ssss {
        0 => 0,
        16 => 32768,
        _ if v < 1 << (ssss - 1) => v - (1 << ssss) + 1,
        _ => v,
    }
}

impl Huffman {
    fn new(counts: &[u8; 16], symbols: Vec<u8>) -> Result<Huffman> {
        let total: usize = counts.iter().map(|&c| c as usize).sum();
        if total != symbols.len() || total > 256 {
            return bad("a Huffman table's counts do not match its symbols");
        }
        let mut h = Huffman {
            fast: vec![(0, 0); 1 << FAST_BITS],
            maxcode: [-1; 18],
            valptr: [0; 17],
            mincode: [0; 17],
            symbols,
            diffs: Vec::new(),
        };
        let (mut code, mut k) = (0i32, 0usize);
        for len in 1..=16usize {
            let n = counts[len - 1] as usize;
            h.valptr[len] = k as i32;
            h.mincode[len] = code;
            for _ in 0..n {
                if len as u32 <= FAST_BITS {
                    let shift = FAST_BITS - len as u32;
                    let first = (code as usize) << shift;
                    for slot in h.fast.get_mut(first..first + (1 << shift)).into_iter().flatten() {
                        *slot = (len as u8, h.symbols[k]);
                    }
                }
                code += 1;
                k += 1;
            }
            if n > 0 {
                h.maxcode[len] = code - 1;
            }
            if code > (1 << len) {
                return bad("a Huffman table has more codes than fit");
            }
            code <<= 1;
        }
        h.maxcode[17] = i32::MAX;
        h.diffs = (0..1u32 << DIFF_BITS)
            .map(|p| {
                let (len, sym) = h.fast[(p >> (DIFF_BITS - FAST_BITS)) as usize];
                let used = u32::from(len) + if sym == 16 { 0 } else { u32::from(sym) };
                if len == 0 || sym > 16 || used > DIFF_BITS {
                    return (0, 0);
                }
                let extra = if sym == 16 { 0 } else { u32::from(sym) };
                let v = ((p >> (DIFF_BITS - used)) & ((1 << extra) - 1)) as i32;
                (used as u8, extend(sym, v))
            })
            .collect();
        Ok(h)
    }
}

/// Reads the entropy-coded segment: bytes with 0xFF00 stuffing, stopping at
/// a marker (then feeding zeros, which a valid stream never consumes).
struct Bits<'a> {
    data: &'a [u8],
    at: usize,
    buf: u64,
    count: u32,
    marker: Option<u8>,
    /// The data ended without a marker: the stream is cut off.
    ran_out: bool,
}

impl Bits<'_> {
    #[inline(never)]
    fn fill(&mut self) {
        // Plain bytes, eight at a time when none is 0xFF.
        while self.count <= 56 && self.marker.is_none() {
            match self.data.get(self.at) {
                Some(&b) if b != 0xFF => {
                    self.buf |= u64::from(b) << (56 - self.count);
                    self.count += 8;
                    self.at += 1;
                }
                _ => break,
            }
        }
        while self.count <= 56 {
            let mut byte = 0u8;
            if self.marker.is_none() {
                match self.data.get(self.at) {
                    Some(&0xFF) => match self.data.get(self.at + 1) {
                        Some(0x00) => {
                            byte = 0xFF;
                            self.at += 2;
                        }
                        Some(&m) => self.marker = Some(m),
                        None => {
                            self.marker = Some(0xD9);
                            self.ran_out = true;
                        }
                    },
                    Some(&b) => {
                        byte = b;
                        self.at += 1;
                    }
                    None => {
                        self.marker = Some(0xD9);
                        self.ran_out = true;
                    }
                }
            }
            self.buf |= u64::from(byte) << (56 - self.count);
            self.count += 8;
        }
    }

    #[inline(always)]
    fn peek(&mut self, n: u32) -> u32 {
        if self.count < n {
            self.fill();
        }
        (self.buf >> (64 - n)) as u32
    }

    #[inline(always)]
    fn skip(&mut self, n: u32) {
        self.buf <<= n;
        self.count -= n;
    }

    fn bits(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        let v = self.peek(n);
        self.skip(n);
        v
    }

    fn symbol(&mut self, h: &Huffman) -> Result<u8> {
        let (len, sym) = h.fast[self.peek(FAST_BITS) as usize];
        if len > 0 {
            self.skip(u32::from(len));
            return Ok(sym);
        }
        let mut code = self.peek(FAST_BITS) as i32;
        let mut len = FAST_BITS as usize;
        self.skip(FAST_BITS);
        while code > h.maxcode[len] {
            code = (code << 1) | self.bits(1) as i32;
            len += 1;
            if len > 16 {
                return bad("a Huffman code longer than 16 bits");
            }
        }
        let index = h.valptr[len] + code - h.mincode[len];
        h.symbols.get(index as usize).copied().ok_or_else(|| Failure::Bad("a Huffman code outside its table".into()))
    }

    /// One coded difference.
    #[inline(always)]
    fn diff(&mut self, h: &Huffman) -> Result<i32> {
        let (used, d) = h.diffs[self.peek(DIFF_BITS) as usize];
        if used > 0 {
            self.skip(u32::from(used));
            return Ok(d);
        }
        let ssss = self.symbol(h)?;
        match ssss {
            0..=16 => {
                let extra = if ssss == 16 { 0 } else { u32::from(ssss) };
                let v = self.bits(extra) as i32;
                Ok(extend(ssss, v))
            }
            _ => bad(format!("difference category {ssss}")),
        }
    }

    /// Skip to the next restart marker (byte aligned) and past it.
    fn restart(&mut self) -> Result<()> {
        self.buf = 0;
        self.count = 0;
        // The marker was met by a fill, or lies right after the bytes read.
        let marker = self.marker.take().or_else(|| match self.data.get(self.at..self.at + 2) {
            Some(&[0xFF, m]) => Some(m),
            _ => None,
        });
        match marker {
            Some(0xD0..=0xD7) => {
                self.at += 2;
                Ok(())
            }
            _ => bad("a restart marker is missing"),
        }
    }
}

/// The frame's facts: width, height, precision.
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub precision: u8,
}

/// Decode `data` (one frame's codestream) into `out`: width*height samples
/// of `bytes` (1 or 2) bytes, native order. `expect` is the image's
/// (columns, rows).
pub fn decode(data: &[u8], expect: (u32, u32), bytes: usize, out: &mut [u8]) -> Result<Frame> {
    let be16 = |at: usize| data.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]) as usize);
    if data.get(..2) != Some(&[0xFF, 0xD8]) {
        return Err(Failure::Unsupported);
    }
    let mut tables: [Option<Huffman>; 4] = [None, None, None, None];
    let mut frame: Option<Frame> = None;
    let mut restart_interval = 0usize;
    let mut at = 2;
    loop {
        // Fill bytes (0xFF) may precede a marker.
        while data.get(at) == Some(&0xFF) && data.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if data.get(at) != Some(&0xFF) {
            return bad(format!("expected a marker at byte {at}"));
        }
        let marker = *data.get(at + 1).ok_or(Failure::Bad("cut off".into()))?;
        let len = be16(at + 2).ok_or(Failure::Bad("a segment is cut off".into()))?;
        let seg = data.get(at + 4..at + 2 + len).ok_or(Failure::Bad("a segment is cut off".into()))?;
        if len < 2 {
            return bad("a segment length below 2");
        }
        match marker {
            0xC3 => {
                // SOF3: P, Y, X, Nf, then 3 bytes per component.
                if seg.len() < 6 || seg[5] != 1 {
                    return Err(Failure::Unsupported);
                }
                let f = Frame {
                    precision: seg[0],
                    height: u32::from(u16::from_be_bytes([seg[1], seg[2]])),
                    width: u32::from(u16::from_be_bytes([seg[3], seg[4]])),
                };
                if !(2..=16).contains(&f.precision) || (f.width, f.height) != expect {
                    return bad(format!(
                        "the JPEG frame is {}x{} at {} bits, the image {}x{}",
                        f.width, f.height, f.precision, expect.0, expect.1
                    ));
                }
                frame = Some(f);
            }
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => return Err(Failure::Unsupported),
            0xC4 => {
                let mut s = seg;
                while !s.is_empty() {
                    let (class_id, counts) =
                        (s[0], s.get(1..17).ok_or(Failure::Bad("a Huffman table is cut off".into()))?);
                    let counts: [u8; 16] = counts.try_into().map_err(|_| Failure::Bad("Huffman counts".into()))?;
                    let n: usize = counts.iter().map(|&c| c as usize).sum();
                    let symbols = s.get(17..17 + n).ok_or(Failure::Bad("a Huffman table is cut off".into()))?.to_vec();
                    if class_id >> 4 != 0 || class_id & 0x0F > 3 {
                        return Err(Failure::Unsupported);
                    }
                    tables[(class_id & 3) as usize] = Some(Huffman::new(&counts, symbols)?);
                    s = &s[17 + n..];
                }
            }
            0xDD => restart_interval = be16(at + 4).ok_or(Failure::Bad("DRI cut off".into()))?,
            0xDA => {
                let f = frame.as_ref().ok_or(Failure::Bad("a scan before its frame header".into()))?;
                if seg.len() < 6 || seg[0] != 1 {
                    return Err(Failure::Unsupported);
                }
                let table = tables[(seg[2] >> 4 & 3) as usize]
                    .as_ref()
                    .ok_or(Failure::Bad("the scan's Huffman table is not defined".into()))?;
                let (predictor, pt) = (seg[3], u32::from(seg[5] & 0x0F));
                if !(1..=7).contains(&predictor) || pt >= u32::from(f.precision) {
                    return bad(format!("predictor {predictor}, point transform {pt}"));
                }
                let bits = Bits { data, at: at + 2 + len, buf: 0, count: 0, marker: None, ran_out: false };
                scan(bits, f, table, predictor, pt, restart_interval, bytes, out)?;
                return Ok(Frame { width: f.width, height: f.height, precision: f.precision });
            }
            0xD9 => return bad("the image ends before its scan"),
            _ => {}
        }
        at += 2 + len;
    }
}

#[allow(clippy::too_many_arguments)]
fn scan(
    mut bits: Bits<'_>,
    f: &Frame,
    table: &Huffman,
    predictor: u8,
    pt: u32,
    restart_interval: usize,
    bytes: usize,
    out: &mut [u8],
) -> Result<()> {
    let (w, h) = (f.width as usize, f.height as usize);
    if out.len() != w * h * bytes || !(bytes == 1 || bytes == 2) || (bytes == 1 && f.precision > 8) {
        return bad("the JPEG frame does not fit the image's pixel format");
    }
    let mut prev = vec![0i32; w];
    let mut cur = vec![0i32; w];
    let initial = 1i32 << (u32::from(f.precision) - pt - 1);
    if restart_interval == 0 {
        for y in 0..h {
            if y == 0 {
                let mut px = initial;
                for v in cur.iter_mut() {
                    px = (px + bits.diff(table)?) & 0xFFFF;
                    *v = px;
                }
            } else {
                match predictor {
                    1 => line::<1>(&mut bits, table, &prev, &mut cur)?,
                    2 => line::<2>(&mut bits, table, &prev, &mut cur)?,
                    3 => line::<3>(&mut bits, table, &prev, &mut cur)?,
                    4 => line::<4>(&mut bits, table, &prev, &mut cur)?,
                    5 => line::<5>(&mut bits, table, &prev, &mut cur)?,
                    6 => line::<6>(&mut bits, table, &prev, &mut cur)?,
                    _ => line::<7>(&mut bits, table, &prev, &mut cur)?,
                }
            }
            store(&cur, pt, bytes, &mut out[y * w * bytes..(y + 1) * w * bytes]);
            std::mem::swap(&mut prev, &mut cur);
        }
        return if bits.ran_out { bad("the scan is cut off") } else { Ok(()) };
    }
    let mut until_restart = restart_interval;
    // The first sample of the scan and of each restart interval is
    // predicted by `initial`, the rest of its line by the left neighbour.
    let mut reset = true;
    let mut first_line = true;
    for y in 0..h {
        for x in 0..w {
            if restart_interval > 0 {
                if until_restart == 0 {
                    bits.restart()?;
                    until_restart = restart_interval;
                    reset = true;
                    first_line = true;
                }
                until_restart -= 1;
            }
            let diff = bits.diff(table)?;
            let px = if reset {
                reset = false;
                initial
            } else if first_line {
                cur[x.saturating_sub(1)]
            } else if x == 0 {
                prev[0]
            } else {
                let (ra, rb, rc) = (cur[x - 1], prev[x], prev[x - 1]);
                match predictor {
                    1 => ra,
                    2 => rb,
                    3 => rc,
                    4 => ra + rb - rc,
                    5 => ra + ((rb - rc) >> 1),
                    6 => rb + ((ra - rc) >> 1),
                    _ => (ra + rb) >> 1,
                }
            };
            cur[x] = (px + diff) & 0xFFFF;
        }
        first_line = false;
        store(&cur, pt, bytes, &mut out[y * w * bytes..(y + 1) * w * bytes]);
        std::mem::swap(&mut prev, &mut cur);
    }
    if bits.ran_out {
        return bad("the scan is cut off");
    }
    Ok(())
}

/// One line after the first, predictor `P` (x = 0 from the sample above).
#[inline]
fn line<const P: u8>(bits: &mut Bits<'_>, table: &Huffman, prev: &[i32], cur: &mut [i32]) -> Result<()> {
    let mut ra = (prev[0] + bits.diff(table)?) & 0xFFFF;
    cur[0] = ra;
    for x in 1..cur.len().min(prev.len()) {
        let (rb, rc) = (prev[x], prev[x - 1]);
        let px = match P {
            1 => ra,
            2 => rb,
            3 => rc,
            4 => ra + rb - rc,
            5 => ra + ((rb - rc) >> 1),
            6 => rb + ((ra - rc) >> 1),
            _ => (ra + rb) >> 1,
        };
        ra = (px + bits.diff(table)?) & 0xFFFF;
        cur[x] = ra;
    }
    Ok(())
}

/// A decoded line into the output, shifted back by the point transform.
fn store(line: &[i32], pt: u32, bytes: usize, row: &mut [u8]) {
    if bytes == 2 {
        for (dst, &v) in row.chunks_exact_mut(2).zip(line) {
            dst.copy_from_slice(&((v << pt) as u16).to_ne_bytes());
        }
    } else {
        for (dst, &v) in row.iter_mut().zip(line) {
            *dst = (v << pt) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-made 3x2 8-bit stream, predictor 1, one Huffman table where
    /// category 0 is '0' and category 2 is '10', category 1 is '110'.
    fn stream() -> Vec<u8> {
        let mut s = vec![0xFF, 0xD8];
        s.extend_from_slice(&[0xFF, 0xC3, 0, 11, 8, 0, 2, 0, 3, 1, 1, 0x11, 0]);
        let mut counts = [0u8; 16];
        counts[0] = 1;
        counts[1] = 1;
        counts[2] = 1;
        s.extend_from_slice(&[0xFF, 0xC4, 0, 2 + 17 + 3, 0x00]);
        s.extend_from_slice(&counts);
        s.extend_from_slice(&[0, 2, 1]);
        s.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0x00, 1, 0, 0]);
        // Samples: 128 (diff 0 from 128), 130 (+2: '10' '10'), 130 ('0'),
        // row 2: 129 (from above 128: +1 '110' '1'), 131 (left 129 +2), 131 ('0').
        // Bits: 0 1010 0 1101 1010 0 -> 0101 0011 0110 1000 = 0x53 0x68 (padded with 0s).
        s.extend_from_slice(&[0x53, 0x68, 0xFF, 0xD9]);
        s
    }

    #[test]
    fn decodes_a_known_stream() {
        let mut out = [0u8; 6];
        let f = decode(&stream(), (3, 2), 1, &mut out).unwrap();
        assert_eq!((f.width, f.height, f.precision), (3, 2, 8));
        assert_eq!(out, [128, 130, 130, 129, 131, 131]);
    }

    #[test]
    fn restart_intervals_reset_the_prediction() {
        // The same image with a restart interval of one line (3 samples):
        // line 2 starts again from the initial value 128.
        let s = stream();
        let scan = s.iter().position(|&b| b == 0xDA).unwrap() - 1;
        let mut r = s[..scan].to_vec();
        r.extend_from_slice(&[0xFF, 0xDD, 0, 4, 0, 3]);
        r.extend_from_slice(&s[scan..scan + 10]);
        // Line 1: 0 1010 0 + padding 11 = 0x53; RST0; line 2: 1101 1010 0 + 1111111.
        r.extend_from_slice(&[0x53, 0xFF, 0xD0, 0xDA, 0x7F, 0xFF, 0xD9]);
        let mut out = [0u8; 6];
        decode(&r, (3, 2), 1, &mut out).unwrap();
        assert_eq!(out, [128, 130, 130, 129, 131, 131]);
        // Without its restart marker: an error.
        let mut no_rst = r.clone();
        no_rst.drain(r.len() - 7 + 1..r.len() - 7 + 3);
        assert!(decode(&no_rst, (3, 2), 1, &mut out).is_err());
    }

    #[test]
    fn cuts_and_mismatches_are_errors_not_panics() {
        let s = stream();
        let mut out = [0u8; 6];
        for cut in 0..s.len() - 2 {
            assert!(decode(&s[..cut], (3, 2), 1, &mut out).is_err(), "cut at {cut}");
        }
        assert!(matches!(decode(&s, (4, 2), 1, &mut out), Err(Failure::Bad(_))));
        let mut sof0 = s.clone();
        sof0[3] = 0xC0;
        assert_eq!(decode(&sof0, (3, 2), 1, &mut out).err(), Some(Failure::Unsupported));
    }
}
