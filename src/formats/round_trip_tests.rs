//! Load/save through real files: every flavour, compression, voxel type and
//! the failure paths (truncated, missing, mismatched files).

use super::load::{load, LoadOptions};
use super::save::save;
use super::FileFormat;
use crate::core::{Canvas, Geometry, Metadata, Value, VoxelType};
use std::fs;
use std::path::PathBuf;

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("mxformats-rt-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> =
            fs::read_dir(&self.0).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn sample(vtype: VoxelType, dims: [i64; 4]) -> Canvas {
    let mut c = Canvas::new(Geometry::new(dims, vtype).unwrap(), vtype).unwrap();
    let n = c.geometry().voxels();
    let (lo, _) = vtype.int_range().unwrap_or((-1000, 1000));
    for i in 0..n {
        let g = c.geometry();
        let x = i % g.width;
        let y = (i / g.width) % g.height;
        let z = (i / (g.width * g.height)) % g.depth;
        let t = i / (g.width * g.height * g.depth);
        let v =
            if vtype.is_float() { Value::Float(i as f64 * 0.5 - 3.25) } else { Value::Int(lo + (i as i128 * 7) % 200) };
        c.set([x, y, z, t].map(|a| a as i64), v).unwrap();
    }
    let mut m = Metadata {
        spacing: [1.5, 2.0, 3.0],
        tstep: 2.5,
        scl_slope: 2.0,
        scl_inter: -1.0,
        description: b"round trip".to_vec(),
        ..Metadata::default()
    };
    // What a load reports: the file's dim[0].
    m.extra.ndim = super::nifti::encode::ndim_for(c.geometry().dims(), 0);
    c.set_metadata(m);
    c
}

#[test]
fn every_type_and_flavour_round_trips() {
    let dir = TempDir::new("all");
    for vtype in VoxelType::ALL {
        let c = sample(vtype, [5, 4, 3, 2]);
        for name in ["v.nii", "v.nii.gz", "v.hdr", "v.img.gz"] {
            let path = dir.path(&format!("{}-{name}", vtype.name()));
            save(&c, &path, None).unwrap();
            let back = load(&path, LoadOptions::default()).unwrap();
            assert_eq!(back.voxel_type(), vtype, "{path}");
            assert_eq!(back.geometry(), c.geometry(), "{path}");
            assert_eq!(back.as_bytes(), c.as_bytes(), "{path}");
            assert_eq!(back.metadata(), c.metadata(), "{path}");
        }
    }
}

#[test]
fn analyze_pairs_round_trip_and_refuse_newer_types() {
    let dir = TempDir::new("analyze");
    let c = sample(VoxelType::Int16, [6, 5, 4, 1]);
    let path = dir.path("a.hdr");
    save(&c, &path, Some(FileFormat::Analyze)).unwrap();
    assert_eq!(fs::metadata(&path).unwrap().len(), 348);
    let back = load(
        &dir.path("a.img"),
        LoadOptions { format: Some(FileFormat::Analyze), scaled: false, ..LoadOptions::default() },
    )
    .unwrap();
    assert_eq!(back.as_bytes(), c.as_bytes());
    assert_eq!(back.metadata().spacing, [1.5, 2.0, 3.0]);
    let e = load(&path, LoadOptions { format: Some(FileFormat::Nifti), scaled: false, ..LoadOptions::default() })
        .unwrap_err();
    assert_eq!(e.code, ["MX", "FORMAT", "MISMATCH", "analyze"]);
    let e = save(&sample(VoxelType::Uint16, [2, 2, 1, 1]), &dir.path("b.hdr"), Some(FileFormat::Analyze)).unwrap_err();
    assert_eq!(e.code, ["MX", "FORMAT", "TYPE", "uint16"]);
    assert_eq!(dir.names(), ["a.hdr", "a.img"]);
}

#[test]
fn scaled_load_applies_slope_and_intercept() {
    let dir = TempDir::new("scaled");
    let c = sample(VoxelType::Int16, [3, 2, 1, 1]);
    let path = dir.path("s.nii");
    save(&c, &path, None).unwrap();
    let s = load(&path, LoadOptions { format: None, scaled: true, ..LoadOptions::default() }).unwrap();
    assert_eq!(s.voxel_type(), VoxelType::Float32);
    for x in 0..3 {
        let raw = c.get([x, 1, 0, 0]).unwrap().as_f64();
        assert_eq!(s.get([x, 1, 0, 0]).unwrap().as_f64(), raw * 2.0 - 1.0);
    }
}

#[test]
fn big_endian_files_load() {
    let dir = TempDir::new("be");
    let c = sample(VoxelType::Float64, [4, 3, 2, 1]);
    let path = dir.path("le.nii");
    save(&c, &path, None).unwrap();
    // Byte-swap the whole file into a big-endian one.
    let le = fs::read(&path).unwrap();
    let mut be = le.clone();
    be[0..4].reverse();
    for at in (40..56).step_by(2).chain([68, 70, 72, 74, 120, 252, 254]) {
        be[at..at + 2].reverse();
    }
    for at in (56..68).step_by(4).chain((76..120).step_by(4)).chain((124..148).step_by(4)).chain((256..328).step_by(4))
    {
        be[at..at + 4].reverse();
    }
    for voxel in be[352..].chunks_exact_mut(8) {
        voxel.reverse();
    }
    let bpath = dir.path("be.nii");
    fs::write(&bpath, &be).unwrap();
    let back = load(&bpath, LoadOptions::default()).unwrap();
    assert_eq!(back.as_bytes(), c.as_bytes());
    assert_eq!(back.metadata(), c.metadata());
}

#[test]
fn bad_files_are_errors_not_crashes() {
    let dir = TempDir::new("bad");
    let c = sample(VoxelType::Int32, [4, 4, 4, 1]);
    let path = dir.path("t.nii.gz");
    save(&c, &path, None).unwrap();
    // truncated plain file
    let plain = dir.path("t.nii");
    save(&c, &plain, None).unwrap();
    let bytes = fs::read(&plain).unwrap();
    fs::write(&plain, &bytes[..bytes.len() - 10]).unwrap();
    assert_eq!(load(&plain, LoadOptions::default()).unwrap_err().code, ["MX", "FORMAT", "TRUNCATED"]);
    fs::write(&plain, &bytes[..200]).unwrap();
    assert_eq!(load(&plain, LoadOptions::default()).unwrap_err().code, ["MX", "FORMAT", "TRUNCATED"]);
    // truncated gzip stream
    let gz = fs::read(&path).unwrap();
    fs::write(&path, &gz[..gz.len() / 2]).unwrap();
    let e = load(&path, LoadOptions::default()).unwrap_err();
    assert_eq!(e.code[..2], ["MX", "FORMAT"], "{e:?}");
    // corrupt gzip body
    let mut bad = gz.clone();
    for b in bad[20..60].iter_mut() {
        *b ^= 0x5a;
    }
    fs::write(&path, &bad).unwrap();
    assert_eq!(load(&path, LoadOptions::default()).unwrap_err().code[..2], ["MX", "FORMAT"]);
    // missing files, and a pair without its image
    assert_eq!(load(&dir.path("none.nii"), LoadOptions::default()).unwrap_err().code[..2], ["POSIX", "ENOENT"]);
    save(&c, &dir.path("p.hdr"), None).unwrap();
    fs::remove_file(dir.path("p.img")).unwrap();
    let e = load(&dir.path("p.hdr"), LoadOptions::default()).unwrap_err();
    assert_eq!(e.code[..2], ["POSIX", "ENOENT"]);
    assert!(e.message.contains("p.img"), "{}", e.message);
    // a directory is read as DICOM: one holding none is MX DICOM EMPTY
    assert_eq!(load(&dir.path(""), LoadOptions::default()).unwrap_err().code, ["MX", "DICOM", "EMPTY"]);
}

#[test]
fn failed_save_keeps_the_old_file() {
    let dir = TempDir::new("keep");
    let path = dir.path("k.nii");
    let small = sample(VoxelType::Uint8, [2, 2, 1, 1]);
    save(&small, &path, None).unwrap();
    let before = fs::read(&path).unwrap();
    let huge = Canvas::new(Geometry::new([40000, 1, 1, 1], VoxelType::Uint8).unwrap(), VoxelType::Uint8).unwrap();
    assert_eq!(save(&huge, &path, Some(FileFormat::Nifti)).unwrap_err().code[..3], ["MX", "FORMAT", "DIMS"]);
    assert_eq!(fs::read(&path).unwrap(), before);
    // into a directory that does not exist
    let e = save(&small, &dir.path("no/such/dir/x.nii"), None).unwrap_err();
    assert_eq!(e.code[..2], ["POSIX", "ENOENT"]);
    assert_eq!(dir.names(), ["k.nii"]);
}
