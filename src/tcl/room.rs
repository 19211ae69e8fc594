//! Asking Tcl's allocator before making a value Tcl would fail to allocate.
//!
//! Tcl's own allocations (`ckalloc`, behind every new value) panic, aborting
//! the process, when memory runs out. Before a value whose size a script
//! controls (`$c data` of a big canvas, `region get` of a big box) the
//! package asks with `Tcl_AttemptAlloc`, which fails instead, and refuses
//! with an error when the answer is no.

use super::size::MAX_LIST_LENGTH;
use super::stubs::tcl_call;

/// Whether Tcl can make a list of `len` new values: within its longest list
/// ([`MAX_LIST_LENGTH`]) and, as far as can be known beforehand, within
/// memory. Each value costs a `Tcl_Obj` and a slot in the list's element
/// array (and one in the caller's `Vec<Obj>`); Tcl panics, aborting the
/// process, when any of those allocations fails, so the whole amount is asked
/// of the allocator once first.
pub fn list_room(len: usize) -> bool {
    let per_value = std::mem::size_of::<tcl_sys::Tcl_Obj>() + 2 * std::mem::size_of::<*mut tcl_sys::Tcl_Obj>();
    len <= MAX_LIST_LENGTH && len.checked_mul(per_value).is_some_and(can_allocate)
}

/// Whether Tcl's allocator can provide `len` bytes now: asked with
/// `Tcl_AttemptAlloc` (which fails instead of panicking) and handed back at
/// once, so the allocation Tcl then makes for the value is very likely to
/// succeed. The margin covers the value's header.
pub fn can_allocate(len: usize) -> bool {
    let Some(with_header) = len.checked_add(64) else { return false };
    #[cfg(not(tcl9))]
    let Ok(with_header) = std::ffi::c_uint::try_from(with_header) else {
        return false;
    };
    // SAFETY: Tcl_AttemptAlloc returns NULL or a block of the size asked,
    // which is freed at once with Tcl_Free and never read or written.
    unsafe {
        let block = tcl_call!(tcl_AttemptAlloc(with_header));
        if block.is_null() {
            return false;
        }
        tcl_call!(tcl_Free(block.cast()));
    }
    true
}
