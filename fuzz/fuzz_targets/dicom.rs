//! The DICOM path on any bytes: the bounds walk, dicom-object's parser and
//! every frame's decode never panic, abort or allocate beyond the file;
//! whatever parses either decodes or is an `MX` error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mxcanvas::formats::dicom::{header, pixels};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(file) = header::parse(data, Path::new("fuzz.dcm"), true) else { return };
    let Some(format) = file.format.clone() else { return };
    let Ok(vtype) = pixels::voxel_type(&format, &file.shown) else { return };
    let plane = format.rows as usize * format.columns as usize * vtype.size();
    // Only planes the input could justify: at most 64 MiB.
    if plane == 0 || plane > 64 << 20 {
        return;
    }
    let mut out = vec![0u8; plane];
    for frame in 0..file.frames.min(4) {
        if let Err(e) = pixels::decode_frame(&file, &format, frame, &mut out) {
            assert_eq!(e.code[0], "MX");
        }
    }
});
