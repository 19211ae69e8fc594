//! The gzip code against flate2 (an independent implementation): round
//! trips at every level, other programs' single- and multi-member files,
//! and damaged files of each kind failing with the right error.

use super::reader::GzReader;
use super::writer::GzWriter;
use super::*;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use std::io::{Read, Write};

/// Bytes that compress like a noisy volume: a slow ramp plus pseudo-random noise.
fn sample(len: usize) -> Vec<u8> {
    let mut x = 0x1234_5678u32;
    (0..len)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            ((i / 4096) as u8).wrapping_add((x & 7) as u8)
        })
        .collect()
}

/// What `save` does: a small header write, then the voxels in one write.
fn ours(head: &[u8], body: &[u8], level: u32) -> Vec<u8> {
    let mut w = GzWriter::new(Vec::new(), level);
    w.write_all(head).unwrap();
    w.write_all(body).unwrap();
    w.finish().unwrap()
}

fn read_all(file: Vec<u8>) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    GzReader::from_bytes(file).read_to_end(&mut out)?;
    Ok(out)
}

fn foreign(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// The members of a file of ours, walked by their `MX` sizes.
fn member_sizes(file: &[u8]) -> Vec<(usize, u32)> {
    let mut at = 0;
    let mut sizes = Vec::new();
    while at < file.len() {
        let h = parse_header(&file[at..]).unwrap();
        let size = h.indexed_size.unwrap() as usize;
        sizes.push((size, trailer(&file[at..at + size]).1));
        at += size;
    }
    sizes
}

#[test]
fn round_trip_every_level_and_size() {
    let head = sample(352);
    for level in 0..=MAX_LEVEL {
        let sizes: &[usize] =
            if level == 1 { &[0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 5] } else { &[BLOCK + 7] };
        for &n in sizes {
            let body = sample(n);
            let file = ours(&head, &body, level);
            let mut want = head.clone();
            want.extend_from_slice(&body);
            assert_eq!(read_all(file.clone()).unwrap(), want, "level {level}, {n} bytes");
            // flate2 (as gzip, zlib and Python do) reads it as standard multi-member gzip
            let mut theirs = Vec::new();
            MultiGzDecoder::new(&file[..]).read_to_end(&mut theirs).unwrap();
            assert_eq!(theirs, want);
            assert!(GzReader::from_bytes(file).is_indexed());
        }
    }
}

#[test]
fn header_has_a_member_of_its_own_and_voxels_whole_blocks() {
    let file = ours(&[1u8; 352], &sample(2 * BLOCK + 10), 1);
    let isizes: Vec<u32> = member_sizes(&file).iter().map(|&(_, i)| i).collect();
    assert_eq!(isizes, [352, BLOCK as u32, BLOCK as u32, 10]);
    // level 0 stores: the file is a little larger than its contents
    let stored = ours(&[], &sample(BLOCK), 0);
    assert!(stored.len() > BLOCK && stored.len() < BLOCK + 1000);
}

#[test]
fn empty_stream_is_one_valid_member() {
    let file = GzWriter::new(Vec::new(), 6).finish().unwrap();
    assert_eq!(member_sizes(&file).len(), 1);
    let mut out = Vec::new();
    MultiGzDecoder::new(&file[..]).read_to_end(&mut out).unwrap();
    assert!(out.is_empty());
    assert!(read_all(file).unwrap().is_empty());
}

#[test]
fn reads_other_programs_files() {
    let data = sample(3 * BLOCK + 3);
    let single = foreign(&data);
    assert!(!GzReader::from_bytes(single.clone()).is_indexed());
    assert_eq!(read_all(single.clone()).unwrap(), data);
    // multi-member, as `cat a.gz b.gz` or bgzip make, including an empty member
    let mut multi = single.clone();
    multi.extend_from_slice(&foreign(b""));
    multi.extend_from_slice(&foreign(&data[..1000]));
    let mut want = data.clone();
    want.extend_from_slice(&data[..1000]);
    assert_eq!(read_all(multi).unwrap(), want);
    // a header with a name, a comment and a header CRC
    let mut named = Vec::new();
    let mut e = flate2::GzBuilder::new()
        .filename("x.nii")
        .comment("hi")
        .extra(vec![1, 2, 3, 4])
        .write(&mut named, flate2::Compression::fast());
    e.write_all(&data[..5000]).unwrap();
    e.finish().unwrap();
    assert_eq!(read_all(named).unwrap(), &data[..5000]);
}

#[test]
fn reads_in_small_pieces() {
    let data = sample(BLOCK + 100);
    for file in [ours(&data[..352], &data[352..], 1), foreign(&data)] {
        let mut r = GzReader::from_bytes(file);
        let mut out = Vec::new();
        let mut piece = [0u8; 1000];
        loop {
            let n = r.read(&mut piece).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&piece[..n]);
        }
        assert_eq!(out, data);
    }
}

/// Damage, as files.rs's io_error turns it into `MX FORMAT GZIP` (flate2
/// says InvalidInput where we say InvalidData).
fn is_corrupt(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput)
}

fn error_of(file: Vec<u8>) -> std::io::Error {
    read_all(file).expect_err("damaged file must fail")
}

#[test]
fn crc_mismatch_is_an_error() {
    let mut file = ours(&[9u8; 352], &sample(BLOCK), 6);
    let end = file.len();
    file[end - 8] ^= 1; // the last member's CRC-32
    let e = error_of(file);
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    assert!(e.to_string().contains("CRC-32 mismatch"), "{e}");
    let mut theirs = foreign(&sample(5000));
    let end = theirs.len();
    theirs[end - 6] ^= 0x40;
    let e = error_of(theirs);
    assert!(is_corrupt(&e), "{e}");
    assert!(e.to_string().contains("checksum"), "{e}");
}

#[test]
fn header_crc_is_checked() {
    let mut named = Vec::new();
    let mut e = flate2::GzBuilder::new().filename("x").write(&mut named, flate2::Compression::fast());
    e.write_all(b"data").unwrap();
    e.finish().unwrap();
    // set FHCRC and insert the header's CRC-16 after the name
    named[3] |= FHCRC;
    let end = 10 + named[10..].iter().position(|&b| b == 0).unwrap() + 1;
    let crc = (crc32fast::hash(&named[..end]) as u16).to_le_bytes();
    let mut good = named[..end].to_vec();
    good.extend_from_slice(&crc);
    good.extend_from_slice(&named[end..]);
    assert_eq!(parse_header(&good).unwrap().len, end + 2);
    assert_eq!(read_all(good.clone()).unwrap(), b"data");
    good[end] ^= 1;
    assert!(parse_header(&good).unwrap_err().to_string().contains("CRC-16"));
    assert!(is_corrupt(&error_of(good)));
}

#[test]
fn length_mismatch_is_an_error() {
    let mut file = ours(&[], &sample(5000), 1);
    let end = file.len();
    file[end - 4] = file[end - 4].wrapping_sub(1); // ISIZE one less than the data
    let e = error_of(file);
    assert!(e.to_string().contains("more bytes than its length trailer"), "{e}");
}

#[test]
fn corrupt_deflate_data_is_an_error() {
    for mut file in [ours(&[], &sample(BLOCK), 1), foreign(&sample(BLOCK))] {
        let mid = file.len() / 2;
        for b in &mut file[mid..mid + 64] {
            *b = !*b;
        }
        assert!(is_corrupt(&error_of(file)));
    }
    assert!(is_corrupt(&error_of(b"\x1f\x8b\x09\0\0\0\0\0\0\x03xxxxxxxx".to_vec())));
    // garbage after the last member
    let mut trailing = foreign(b"hello");
    trailing.extend_from_slice(b"garbage after the gzip data");
    assert!(is_corrupt(&error_of(trailing)));
}

#[test]
fn truncated_file_is_an_error() {
    for file in [ours(&[7u8; 352], &sample(2 * BLOCK), 1), foreign(&sample(2 * BLOCK))] {
        for cut in [file.len() - 1, file.len() - 8, file.len() / 2, 30] {
            let e = error_of(file[..cut].to_vec());
            assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof, "cut at {cut}: {e}");
        }
    }
}

#[test]
fn levels_outside_0_to_9_are_refused() {
    assert_eq!(check_level(0).unwrap(), 0);
    assert_eq!(check_level(9).unwrap(), 9);
    for bad in [-1, 10, i64::MAX] {
        let e = check_level(bad).unwrap_err();
        assert!(e.message.contains("-compression") && e.message.contains("0 (stored) to 9"), "{}", e.message);
        assert_eq!(e.code, ["MX", "FORMAT", "COMPRESSION", &bad.to_string()]);
    }
}

#[test]
fn parallel_crc_matches_serial() {
    let data = sample(40 << 20);
    assert_eq!(crc32(&data), crc32fast::hash(&data));
}

#[test]
fn a_foreign_member_is_handed_over_whole() {
    let data = sample(BLOCK + 500);
    let mut r = GzReader::from_bytes(foreign(&data));
    let mut head = [0u8; 348];
    r.read_exact(&mut head).unwrap();
    assert_eq!(head[..], data[..348]);
    assert!(r.take_whole(4, data.len()).is_none(), "more than the member holds");
    let voxels = r.take_whole(4, BLOCK).unwrap();
    assert_eq!(voxels.len(), BLOCK);
    assert_eq!(voxels[..], data[352..352 + BLOCK]);
    // the rest of the member was dropped with it: the stream is at its end
    assert_eq!(r.read(&mut head).unwrap(), 0);
    // our own files are read in parallel instead
    assert!(GzReader::from_bytes(ours(&data[..352], &data[352..], 1)).take_whole(0, 10).is_none());
}

#[test]
fn a_size_claim_spanning_two_members_reads_like_the_stream() {
    // Header member, then voxel members of BLOCK, BLOCK, BLOCK and half a
    // BLOCK. Let one voxel member's `MX` size claim itself and the next:
    // the file is still valid gzip (every other reader ignores the claim).
    let head = [5u8; 352];
    let body = sample(3 * BLOCK + BLOCK / 2);
    let mut whole = head.to_vec();
    whole.extend_from_slice(&body);
    let file = ours(&head, &body, 1);
    let sizes = member_sizes(&file);
    assert_eq!(sizes.len(), 5);
    for first in 1..=3 {
        let at: usize = sizes[..first].iter().map(|s| s.0).sum();
        let claim = (sizes[first].0 + sizes[first + 1].0) as u32;
        let mut bad = file.clone();
        bad[at + 16..at + 20].copy_from_slice(&claim.to_le_bytes());
        let mut independent = Vec::new();
        MultiGzDecoder::new(&bad[..]).read_to_end(&mut independent).unwrap();
        assert!(independent == whole, "flate2 reads it");
        assert!(read_all(bad.clone()).unwrap() == whole, "claim at member {first}");
        // Read in pieces smaller than a member, as a shm load would.
        let mut r = GzReader::from_bytes(bad);
        let mut out = Vec::new();
        let mut buf = vec![0u8; 300_000];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        assert!(out == whole, "in pieces, claim at member {first}");
    }
}
