//! The sizes the package refuses, and fallible allocation as `MX ALLOC` errors.
//!
//! Rule (see `src/sys/alloc.rs`): every buffer a command derives — planes,
//! pictures, lists, byte arrays — is sized before it is allocated, and either
//! allocated fallibly or refused with an error naming the limit. A failed
//! allocation must never abort the process the user's interpreter lives in.

use super::error::MxError;

/// The most pixels `$c photo` hands Tk: its photo sizes are C `int`s, and
/// under Tcl 8.6 the picture's byte array holds at most `INT_MAX` bytes.
/// (Tcl's own byte-array and list limits, which depend on the Tcl built
/// for, are in `tcl::size`.)
pub const MAX_PHOTO_PIXELS: usize = i32::MAX as usize;

/// The most elements `$c region get` returns in one list: 2^26 (67,108,864)
/// voxels, about 3.5 GB of Tcl values. Tcl 8.6's own limit is about 2^28
/// elements, and a list that large costs 15 GB; larger boxes are read in
/// pieces, or through `$c data` / `MxExternCanvas`.
pub const MAX_LIST_VOXELS: usize = 1 << 26;

/// What one element of a list of numbers costs while it is made: its
/// `Tcl_Obj` (48 bytes on 64-bit systems), its slot in the list's array and
/// in the package's array of pointers handed to `Tcl_NewListObj`.
pub const TCL_OBJ_COST: usize = 48 + 8 + 8;

/// `MX ALLOC bytes`: the allocator refused `bytes` bytes for `what`.
pub fn alloc_failed(bytes: usize, what: &str) -> MxError {
    MxError::mx(format!("cannot allocate {bytes} bytes for {what}: out of memory"), &["ALLOC", &bytes.to_string()])
}

/// An empty vector with room for `len` items, or `MX ALLOC`.
pub fn try_vec<T>(len: usize, what: &str) -> Result<Vec<T>, MxError> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| alloc_failed(len.saturating_mul(std::mem::size_of::<T>()), what))?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_alloc_errors() {
        let e = try_vec::<u64>(usize::MAX / 16, "a test").unwrap_err();
        assert_eq!(e.code[..2], ["MX", "ALLOC"]);
        assert!(e.message.contains("a test"), "{}", e.message);
        assert_eq!(try_vec::<u8>(10, "x").unwrap().capacity(), 10);
    }
}
