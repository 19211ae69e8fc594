//! Tcl's sizes and counts, for the Tcl the package is built against.
//!
//! Tcl 8.6 counts bytes, characters and list elements in a C `int`; Tcl 9
//! in `Tcl_Size` (`ptrdiff_t`, 64 bits here). `build.rs` reads which one the
//! headers are and sets `cfg(tcl9)`; everything above this layer sees only
//! `usize` and the limits below, so nothing is ever truncated on the way in
//! or out of Tcl.

#[cfg(tcl9)]
pub type TclSize = tcl_sys::Tcl_Size;
#[cfg(not(tcl9))]
pub type TclSize = std::ffi::c_int;

/// The Tcl major version the library is built for (8 or 9).
pub const TCL_MAJOR: u32 = if cfg!(tcl9) { 9 } else { 8 };

/// The longest byte array Tcl can hold. Tcl 8.6: `INT_MAX`. Tcl 9: its
/// `TCL_SIZE_MAX` less the byte array's header (a few machine words, 64
/// bytes is a safe bound); beyond it Tcl would panic, not fail.
pub const MAX_BYTE_ARRAY: usize = if cfg!(tcl9) { TclSize::MAX as usize - 64 } else { TclSize::MAX as usize };

/// The longest list Tcl can make: its element array (pointers, plus a
/// header) must fit in a `TclSize` of bytes, or Tcl panics ("max length of
/// a Tcl list exceeded").
pub const MAX_LIST_LENGTH: usize = (TclSize::MAX as usize - 64) / std::mem::size_of::<*mut tcl_sys::Tcl_Obj>();

/// `len` as a Tcl size, or `None` when Tcl cannot represent it.
pub fn to_tcl(len: usize) -> Option<TclSize> {
    TclSize::try_from(len).ok()
}

/// A size Tcl handed out (never negative for a valid value; 0 if it were).
pub fn from_tcl(len: TclSize) -> usize {
    usize::try_from(len).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_match_the_tcl_built_for() {
        if cfg!(tcl9) {
            assert_eq!(std::mem::size_of::<TclSize>(), std::mem::size_of::<usize>());
            let limit = MAX_BYTE_ARRAY;
            assert!(limit > 5 << 30, "Tcl 9 holds byte arrays beyond 2 GiB");
        } else {
            assert_eq!(MAX_BYTE_ARRAY, i32::MAX as usize);
            assert_eq!(MAX_LIST_LENGTH, (i32::MAX as usize - 64) / 8);
        }
        assert_eq!(to_tcl(MAX_BYTE_ARRAY).map(from_tcl), Some(MAX_BYTE_ARRAY));
        assert_eq!(to_tcl(TclSize::MAX as usize + 1), None);
        assert_eq!(from_tcl(-1), 0);
    }
}
