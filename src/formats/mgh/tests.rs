//! MGH through real files: every type through `.mgh` and `.mgz`, the
//! affine and the scan parameters kept, the errors for what MGH cannot hold
//! and for damaged files.

use super::header::{self, HEADER_SIZE};
use crate::core::affine;
use crate::core::{Canvas, Geometry, VoxelType};
use crate::formats::load::{load, LoadOptions};
use crate::formats::save::save;
use crate::formats::FileFormat;
use std::fs;
use std::path::PathBuf;

struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("mxmgh-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn sample(vtype: VoxelType) -> Canvas {
    let mut c = Canvas::new(Geometry::new([3, 4, 5, 2], vtype).unwrap(), vtype).unwrap();
    for (i, b) in c.as_bytes_mut().iter_mut().enumerate() {
        *b = (i * 37 % 251) as u8;
    }
    let mut m = c.metadata().clone();
    m.sform_code = 1;
    m.srow = [[0.0, -2.0, 0.0, 10.0], [1.5, 0.0, 0.0, -7.0], [0.0, 0.0, 3.0, 4.5]];
    c.set_metadata(m);
    c
}

#[test]
fn every_type_round_trips_plain_and_gzip() {
    let dir = Dir::new("types");
    for (code, vtype) in header::TYPES {
        for name in ["a.mgh", "a.MGZ"] {
            let c = sample(vtype);
            let path = dir.path(name);
            save(&c, &path, None).unwrap();
            let raw = fs::read(&path).unwrap();
            let gz = raw.starts_with(&[0x1f, 0x8b]);
            assert_eq!(gz, name.ends_with("MGZ"));
            if !gz {
                assert_eq!(raw.len(), HEADER_SIZE + c.as_bytes().len() + header::FOOTER_SIZE);
                assert_eq!(raw[20..24], code.to_be_bytes());
            }
            let back = load(&path, LoadOptions::default()).unwrap();
            assert_eq!((back.voxel_type(), back.geometry().dims()), (vtype, [3, 4, 5, 2]));
            assert_eq!(back.as_bytes(), c.as_bytes(), "{vtype:?} {name}");
            let (a, b) = (affine::best(c.metadata(), &c.geometry()), affine::best(back.metadata(), &back.geometry()));
            assert_eq!(a, b);
            assert_eq!(back.metadata().sform_code, 2);
            assert_eq!(back.metadata().spacing, [1.5, 2.0, 3.0]);
        }
    }
}

#[test]
fn types_mgh_cannot_hold_are_refused_before_writing() {
    let dir = Dir::new("refused");
    let path = dir.path("x.mgz");
    for vtype in [VoxelType::Int8, VoxelType::Uint32, VoxelType::Int64, VoxelType::Uint64, VoxelType::Float64] {
        let e = save(&sample(vtype), &path, None).unwrap_err();
        assert_eq!(e.code, ["MX", "FORMAT", "MGH", "TYPE", vtype.name()]);
        assert!(e.message.contains("uint8 (0)"), "{}", e.message);
    }
    assert!(!path.exists());
    assert_eq!(fs::read_dir(&dir.0).unwrap().count(), 0, "no temporary file left");
}

#[test]
fn format_option_and_names_agree() {
    let dir = Dir::new("format");
    let c = sample(VoxelType::Int16);
    assert_eq!(
        save(&c, &dir.path("x.nii"), Some(FileFormat::Mgh)).unwrap_err().code,
        ["MX", "FORMAT", "MISMATCH", "mgh"]
    );
    assert_eq!(
        save(&c, &dir.path("x.mgh"), Some(FileFormat::Nifti)).unwrap_err().code,
        ["MX", "FORMAT", "MISMATCH", "nifti"]
    );
    save(&c, &dir.path("x.mgh"), Some(FileFormat::Mgh)).unwrap();
    let wrong = LoadOptions { format: Some(FileFormat::Nifti), ..LoadOptions::default() };
    assert_eq!(load(&dir.path("x.mgh"), wrong).unwrap_err().code, ["MX", "FORMAT", "MISMATCH", "mgh"]);
    let right = || LoadOptions { format: Some(FileFormat::Mgh), ..LoadOptions::default() };
    load(&dir.path("x.mgh"), right()).unwrap();
    save(&c, &dir.path("y.nii"), None).unwrap();
    let e = load(&dir.path("y.nii"), right()).unwrap_err();
    assert_eq!(e.code, ["MX", "FORMAT", "MISMATCH", "nifti"]);
    assert!(e.message.contains("not a FreeSurfer MGH file"), "{}", e.message);
}

#[test]
fn scan_parameters_and_dof_survive() {
    let dir = Dir::new("tags");
    let mut c = sample(VoxelType::Float32);
    let mut m = c.metadata().clone();
    m.extra.mgh = Some(crate::core::metadata::MghFacts { dof: 9, tags: [2300.0, 0.15, 2.9, 900.0, 256.0] });
    c.set_metadata(m);
    save(&c, &dir.path("t.mgz"), None).unwrap();
    let back = load(&dir.path("t.mgz"), LoadOptions::default()).unwrap();
    assert_eq!(back.metadata().extra.mgh, c.metadata().extra.mgh);
    assert_eq!(back.metadata().tstep, 2300.0);
}

#[test]
fn damaged_files_are_format_errors() {
    let dir = Dir::new("damaged");
    let path = dir.path("d.mgh");
    save(&sample(VoxelType::Int32), &path, None).unwrap();
    let whole = fs::read(&path).unwrap();
    for cut in [0, 50, 283, 284, 400, HEADER_SIZE + 3 * 4 * 5 * 2 * 4 - 1] {
        fs::write(&path, &whole[..cut]).unwrap();
        let e = load(&path, LoadOptions::default()).unwrap_err();
        assert_eq!(e.code[..2], ["MX", "FORMAT"], "cut {cut}: {}", e.message);
    }
    // No footer at all is what older writers leave: zeros, as nibabel reads it.
    fs::write(&path, &whole[..whole.len() - header::FOOTER_SIZE]).unwrap();
    let c = load(&path, LoadOptions::default()).unwrap();
    assert_eq!(c.metadata().extra.mgh.unwrap().tags, [0.0; 5]);
    // Dimensions whose product overflows are refused before allocating.
    let mut huge = whole.clone();
    for i in 0..4 {
        huge[4 + 4 * i..8 + 4 * i].copy_from_slice(&i32::MAX.to_be_bytes());
    }
    fs::write(&path, &huge).unwrap();
    assert_eq!(load(&path, LoadOptions::default()).unwrap_err().code[..2], ["MX", "GEOMETRY"]);
    // A gzip file cut short.
    let gz = dir.path("d.mgz");
    save(&sample(VoxelType::Int32), &gz, None).unwrap();
    let whole = fs::read(&gz).unwrap();
    fs::write(&gz, &whole[..whole.len() - 10]).unwrap();
    assert_eq!(load(&gz, LoadOptions::default()).unwrap_err().code[..2], ["MX", "FORMAT"]);
}
