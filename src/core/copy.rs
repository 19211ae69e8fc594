//! The one place where large buffers move between canvas storage and a
//! segment. Both directions go straight from one buffer to the other: no
//! intermediate Tcl objects or temporary copies.

/// Copy `src` into `dst`; the caller has checked that the lengths match.
pub fn copy_voxels(dst: &mut [u8], src: &[u8]) {
    dst.copy_from_slice(src);
}
