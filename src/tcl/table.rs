//! Static, NULL-terminated name tables for `Tcl_GetIndexFromObjStruct`.
//!
//! Tcl caches the table's address inside the looked-up `Tcl_Obj`, so tables
//! must live for the whole process: they are `static`s built from C string
//! literals.

use std::ffi::{c_char, CStr};

pub struct NameTable<const N: usize> {
    ptrs: [*const c_char; N],
}

// SAFETY: the table only holds pointers to immutable 'static C string
// literals (and a final NULL); sharing them between threads is sound.
unsafe impl<const N: usize> Sync for NameTable<N> {}

impl<const N: usize> NameTable<N> {
    /// `names` must end with `None` (the terminating NULL Tcl expects).
    pub const fn new(names: [Option<&'static CStr>; N]) -> Self {
        let mut ptrs = [std::ptr::null(); N];
        let mut i = 0;
        while i < N {
            if let Some(name) = names[i] {
                ptrs[i] = name.as_ptr();
            }
            i += 1;
        }
        assert!(ptrs[N - 1].is_null(), "a name table ends with None");
        NameTable { ptrs }
    }

    pub fn as_ptr(&self) -> *const std::ffi::c_void {
        self.ptrs.as_ptr() as *const std::ffi::c_void
    }

    /// Number of names (without the terminator).
    pub fn len(&self) -> usize {
        N - 1
    }

    pub fn is_empty(&self) -> bool {
        N == 1
    }
}

/// `name_table![c"a", c"b"]` — a NameTable with the NULL terminator added.
macro_rules! name_table {
    ($($name:expr),+ $(,)?) => {
        $crate::tcl::table::NameTable::new([$(Some($name),)+ None])
    };
}
pub(crate) use name_table;
