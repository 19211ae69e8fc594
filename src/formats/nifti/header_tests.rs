//! Tests of the header codec ([`super`] and [`super::super::encode`]).

use super::*;
use crate::formats::nifti::encode::{encode, ndim_for};

fn sample_metadata() -> Metadata {
    let mut m = Metadata {
        spacing: [2.0, 3.0, 4.5],
        tstep: 2.5,
        xyzt_units: 10,
        qform_code: 1,
        quatern: [0.0, 0.5, 0.5],
        qoffset: [-10.0, 20.0, 30.5],
        qfac: -1.0,
        sform_code: 4,
        srow: [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]],
        description: b"a test volume".to_vec(),
        scl_slope: 0.0754,
        scl_inter: 3100.76,
        ..Metadata::default()
    };
    m.extra.intent_code = 3;
    m.extra.intent_name = b"t-test".to_vec();
    m.extra.cal_max = 99.0;
    m.extra.aux_file = b"aux".to_vec();
    m.extra.toffset = 1.5;
    m.extra.ndim = 4;
    m.extra.dim_info = 1 | 2 << 2 | 3 << 4;
    m.extra.slice_code = 3;
    m.extra.slice_end = 2;
    m.extra.slice_duration = 0.25;
    m.extra.intent_p = [1.0, 2.0, 3.0];
    m.extra.unused_key[34] = b'r';
    m
}

#[test]
fn nifti_round_trip_keeps_everything() {
    let m = sample_metadata();
    for flavour in [Flavour::NiftiSingle, Flavour::NiftiPair] {
        let offset = if flavour == Flavour::NiftiSingle { 352 } else { 0 };
        let bytes = encode(flavour, [5, 4, 3, 2], VoxelType::Int16, &m, offset, "t").unwrap();
        let h = decode(&bytes, "t").unwrap();
        assert_eq!(h.flavour, flavour);
        assert_eq!(h.dims, [5, 4, 3, 2]);
        assert_eq!(h.vtype, VoxelType::Int16);
        assert_eq!(h.vox_offset, offset);
        assert_eq!(h.metadata, m);
        assert!(!h.big_endian);
    }
}

#[test]
fn analyze_keeps_geometry_spacing_and_scaling() {
    let mut m = sample_metadata();
    m.extra.ndim = 0;
    let bytes = encode(Flavour::Analyze, [7, 1, 1, 1], VoxelType::Float64, &m, 0, "t").unwrap();
    assert_eq!(i16::from_le_bytes([bytes[40], bytes[41]]), 2);
    let h = decode(&bytes, "t").unwrap();
    assert_eq!(h.flavour, Flavour::Analyze);
    assert_eq!(h.dims, [7, 1, 1, 1]);
    assert_eq!(h.metadata.spacing, m.spacing);
    assert_eq!((h.metadata.scl_slope, h.metadata.scl_inter), (m.scl_slope, m.scl_inter));
    assert_eq!(h.metadata.description, m.description);
    assert_eq!(h.metadata.qform_code, 0);
}

/// Swap every multi-byte field of a little-endian header to big-endian.
fn to_big_endian(le: &[u8; HEADER_SIZE]) -> [u8; HEADER_SIZE] {
    let mut b = *le;
    let i32s = [0, 32, 108, 112, 116, 124, 128, 132, 136, 140, 144];
    let mut f32s: Vec<usize> = i32s.to_vec();
    f32s.extend((56..68).step_by(4));
    f32s.extend((76..108).step_by(4));
    f32s.extend((256..328).step_by(4));
    let mut i16s: Vec<usize> = (40..56).step_by(2).collect();
    i16s.extend([68, 70, 72, 74, 120, 252, 254]);
    for at in f32s {
        b[at..at + 4].reverse();
    }
    for at in i16s {
        b[at..at + 2].reverse();
    }
    b
}

#[test]
fn big_endian_headers_decode_the_same() {
    let m = sample_metadata();
    let le = encode(Flavour::NiftiSingle, [9, 8, 7, 6], VoxelType::Float32, &m, 352, "t").unwrap();
    let h = decode(&to_big_endian(&le), "t").unwrap();
    assert!(h.big_endian);
    assert_eq!(h.dims, [9, 8, 7, 6]);
    assert_eq!(h.vtype, VoxelType::Float32);
    assert_eq!(h.metadata, m);
}

#[test]
fn bad_headers_are_errors() {
    let m = Metadata::default();
    let good = encode(Flavour::NiftiSingle, [2, 2, 1, 1], VoxelType::Uint8, &m, 352, "t").unwrap();
    assert_eq!(decode(&good[..100], "t").unwrap_err().code, ["MX", "FORMAT", "TRUNCATED"]);
    let mut b = good;
    b[0] = 1;
    assert_eq!(decode(&b, "t").unwrap_err().code, ["MX", "FORMAT", "MAGIC"]);
    let mut b = good;
    b[0..4].copy_from_slice(&540i32.to_le_bytes());
    assert_eq!(decode(&b, "t").unwrap_err().code, ["MX", "FORMAT", "NIFTI2"]);
    let mut b = good;
    b[40] = 9;
    assert_eq!(decode(&b, "t").unwrap_err().code, ["MX", "FORMAT", "DIMS"]);
    let mut b = good;
    b[44..46].copy_from_slice(&0i16.to_le_bytes());
    assert_eq!(decode(&b, "t").unwrap_err().code, ["MX", "FORMAT", "DIMS"]);
    let mut b = good;
    b[72..74].copy_from_slice(&16i16.to_le_bytes());
    assert_eq!(decode(&b, "t").unwrap_err().code, ["MX", "FORMAT", "BITPIX", "16"]);
    let mut b = good;
    b[108..112].copy_from_slice(&100.0f32.to_le_bytes());
    assert_eq!(decode(&b, "t").unwrap_err().code, ["MX", "FORMAT", "OFFSET"]);
    let mut b = good;
    b[108..112].copy_from_slice(&f32::NAN.to_le_bytes());
    assert_eq!(decode(&b, "t").unwrap_err().code, ["MX", "FORMAT", "OFFSET"]);
}

#[test]
fn five_dimensions_only_when_trailing_ones() {
    let m = Metadata::default();
    let mut b = encode(Flavour::NiftiSingle, [2, 2, 2, 2], VoxelType::Uint8, &m, 352, "t").unwrap();
    b[40] = 5;
    assert_eq!(decode(&b, "t").unwrap().dims, [2, 2, 2, 2]);
    b[50..52].copy_from_slice(&3i16.to_le_bytes());
    assert_eq!(decode(&b, "t").unwrap_err().code, ["MX", "FORMAT", "DIMS", "5"]);
}

#[test]
fn unset_single_file_offset_means_352() {
    let m = Metadata::default();
    let b = encode(Flavour::NiftiSingle, [2, 2, 1, 1], VoxelType::Uint8, &m, 0, "t").unwrap();
    assert_eq!(decode(&b, "t").unwrap().vox_offset, 352);
}

#[test]
fn encode_refuses_what_a_header_cannot_hold() {
    let m = Metadata::default();
    let e = encode(Flavour::NiftiSingle, [40000, 1, 1, 1], VoxelType::Uint8, &m, 352, "t").unwrap_err();
    assert_eq!(e.code, ["MX", "FORMAT", "DIMS", "width", "40000"]);
    let e = encode(Flavour::Analyze, [2, 2, 1, 1], VoxelType::Uint16, &m, 0, "t").unwrap_err();
    assert_eq!(e.code, ["MX", "FORMAT", "TYPE", "uint16"]);
    assert!(encode(Flavour::NiftiPair, [32767, 1, 1, 1], VoxelType::Uint16, &m, 0, "t").is_ok());
}

#[test]
fn single_frame_4d_stays_4d() {
    let mut m = Metadata::default();
    m.extra.ndim = 4;
    let b = encode(Flavour::NiftiSingle, [3, 2, 2, 1], VoxelType::Uint8, &m, 352, "t").unwrap();
    assert_eq!(i16::from_le_bytes([b[40], b[41]]), 4);
    assert_eq!(decode(&b, "t").unwrap().metadata.extra.ndim, 4);
    // A created canvas (ndim 0) gets its geometry's, as before.
    m.extra.ndim = 0;
    let b = encode(Flavour::NiftiSingle, [3, 2, 2, 1], VoxelType::Uint8, &m, 352, "t").unwrap();
    assert_eq!(i16::from_le_bytes([b[40], b[41]]), 3);
    // A stored dim[0] too small for the geometry gives way to it.
    m.extra.ndim = 2;
    let b = encode(Flavour::NiftiSingle, [3, 2, 2, 5], VoxelType::Uint8, &m, 352, "t").unwrap();
    assert_eq!(i16::from_le_bytes([b[40], b[41]]), 4);
    assert_eq!((ndim_for([5, 1, 1, 1], 1), ndim_for([5, 1, 1, 1], 0), ndim_for([5, 4, 1, 1], 7)), (1, 2, 7));
}

#[test]
fn analyze_orient_and_origin_round_trip() {
    let mut m = Metadata::default();
    m.extra.orient = 3;
    m.extra.origin = [46, 64, 37, 0, -2];
    m.extra.cal_max = 255.0;
    m.extra.aux_file = b"spm".to_vec();
    let b = encode(Flavour::Analyze, [91, 109, 91, 1], VoxelType::Int16, &m, 0, "t").unwrap();
    assert_eq!(&b[253..255], &46i16.to_le_bytes());
    let h = decode(&b, "t").unwrap();
    assert_eq!((h.metadata.extra.orient, h.metadata.extra.origin), (3, [46, 64, 37, 0, -2]));
    assert_eq!((h.metadata.extra.cal_max, &h.metadata.extra.aux_file[..]), (255.0, &b"spm"[..]));
    // In a NIfTI header those bytes are the xform codes: never an origin.
    let n = encode(Flavour::NiftiPair, [2, 2, 2, 1], VoxelType::Int16, &m, 0, "t").unwrap();
    assert_eq!(decode(&n, "t").unwrap().metadata.extra.origin, [0; 5]);
}

#[test]
fn fresh_headers_have_what_nibabel_writes() {
    // data_type, db_name, extents, session_error, regular: all zero, and
    // nothing after a text field's NUL.
    let m = Metadata { description: b"short".to_vec(), ..Metadata::default() };
    for flavour in [Flavour::NiftiSingle, Flavour::Analyze] {
        let b = encode(flavour, [2, 2, 2, 1], VoxelType::Int16, &m, 0, "t").unwrap();
        assert!(b[4..40].iter().all(|&c| c == 0));
        assert!(b[153..228].iter().all(|&c| c == 0));
    }
}
