//! Fallible, zeroed heap buffers.
//!
//! `vec![0u8; n]` aborts the whole process when the allocation fails, which
//! would take the user's interpreter down with it. Canvas storage is allocated
//! here instead, so an absurd or unlucky size becomes an ordinary error.

use std::alloc::{alloc_zeroed, Layout};

/// A zero-filled `Vec<u8>` of exactly `len` bytes, or `None` when the
/// allocator refuses. Large zeroed allocations come from `calloc`/`mmap`, so
/// the pages are not touched until they are written.
pub fn zeroed_bytes(len: usize) -> Option<Vec<u8>> {
    if len == 0 {
        return Some(Vec::new());
    }
    let layout = Layout::array::<u8>(len).ok()?;
    // SAFETY: `layout` has a non-zero size (len > 0 checked above).
    let ptr = unsafe { alloc_zeroed(layout) };
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` was just allocated by the global allocator with the layout
    // of `[u8; len]`, all `len` bytes are initialised (zeroed), and ownership
    // passes to the Vec, which frees it with the same layout.
    Some(unsafe { Vec::from_raw_parts(ptr, len, len) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeroed_and_sized() {
        let v = zeroed_bytes(4096).unwrap();
        assert_eq!(v.len(), 4096);
        assert!(v.iter().all(|&b| b == 0));
        assert_eq!(zeroed_bytes(0).unwrap().len(), 0);
    }

    #[test]
    fn absurd_size_is_refused_not_aborted() {
        assert!(zeroed_bytes(usize::MAX / 2).is_none());
    }
}
