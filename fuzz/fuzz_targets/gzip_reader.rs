//! The gzip reader on any bytes: never a panic; whatever it decodes, flate2
//! (an independent decoder) decodes the same. And any bytes written by our
//! parallel writer at any level read back equal, by us and by flate2.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mxcanvas::formats::gzip::{reader::GzReader, writer::GzWriter};
use std::io::{Read, Write};

fuzz_target!(|data: &[u8]| {
    let mut ours = Vec::new();
    if GzReader::from_bytes(data.to_vec()).read_to_end(&mut ours).is_ok() {
        let mut theirs = Vec::new();
        flate2::read::MultiGzDecoder::new(data).read_to_end(&mut theirs).expect("flate2 refused what we read");
        assert_eq!(ours, theirs);
    }
    let Some((&selector, body)) = data.split_first() else { return };
    let split = body.len().min(selector as usize * 3);
    let mut w = GzWriter::new(Vec::new(), u32::from(selector % 10));
    w.write_all(&body[..split]).unwrap();
    w.write_all(&body[split..]).unwrap();
    let file = w.finish().unwrap();
    let mut back = Vec::new();
    GzReader::from_bytes(file.clone()).read_to_end(&mut back).unwrap();
    assert_eq!(back, body);
    let mut theirs = Vec::new();
    flate2::read::MultiGzDecoder::new(&file[..]).read_to_end(&mut theirs).unwrap();
    assert_eq!(theirs, body);
});
