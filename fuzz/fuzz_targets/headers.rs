//! The header decoders on any bytes: NIfTI-1/Analyze, NIfTI-2, MGH, the SPM
//! `.mat` sidecar reader and the content sniffer never panic. An MGH header
//! that decodes encodes back to the same header, and its affine placed back
//! into header fields never panics. A NIfTI-2
//! header that decodes encodes back (encode2) to one that decodes to the
//! same geometry, type, flavour and facts.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mxcanvas::formats::analyze::matfile;
use mxcanvas::formats::mgh::header as mgh;
use mxcanvas::formats::nifti::{encode2::encode2, header, header2};
use mxcanvas::formats::sniff;

fuzz_target!(|data: &[u8]| {
    let _ = sniff::judge(data);
    let _ = header::decode(data, "fuzz");
    let _ = matfile::read(data, "fuzz");
    if let Ok(h) = mgh::decode(data, "fuzz") {
        let back = mgh::decode(&mgh::encode(&h), "fuzz").expect("an encoded MGH header decodes");
        let bits = |h: &mgh::MghHeader| -> Vec<u32> {
            h.delta.iter().chain(h.mdc.iter().flatten()).chain(&h.pxyz_c).map(|v| v.to_bits()).collect()
        };
        assert_eq!((back.dims, back.vtype, back.dof, back.good_ras), (h.dims, h.vtype, h.dof, h.good_ras));
        assert_eq!(bits(&back), bits(&h));
        let _ = mgh::place(&mgh::affine(&h), [h.dims[0], h.dims[1], h.dims[2]]);
        let _ = mgh::decode_footer(data);
    }
    if let Ok(h) = header2::decode(data, "fuzz") {
        let again = encode2(h.flavour, h.dims, h.vtype, &h.metadata, h.vox_offset);
        let back = header2::decode(&again, "fuzz").expect("an encoded header decodes");
        assert_eq!((back.flavour, back.dims, back.vtype, back.vox_offset), (h.flavour, h.dims, h.vtype, h.vox_offset));
        let bits = |m: &mxcanvas::core::Metadata| m.srow.map(|r| r.map(|v| if v.is_nan() { u32::MAX } else { v.to_bits() }));
        assert_eq!(bits(&back.metadata), bits(&h.metadata));
        assert_eq!(back.metadata.description, h.metadata.description);
    }
});
