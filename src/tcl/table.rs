//! Name tables for `Tcl_GetIndexFromObjStruct`, and [`choices!`]: the one
//! way the package dispatches on a subcommand, option or keyword.
//!
//! Tcl caches the table's address inside the looked-up `Tcl_Obj`, so tables
//! must live for the whole process: `static`s built from string literals
//! (`choices!`), or tables built once and never freed ([`DynTable`]).

use std::ffi::{c_char, c_void, CStr, CString};

pub struct NameTable<const N: usize> {
    ptrs: [*const c_char; N],
}

// SAFETY: the table only holds pointers to immutable 'static C strings (and
// a final NULL); sharing them between threads is sound.
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

    pub fn as_ptr(&'static self) -> *const c_void {
        self.ptrs.as_ptr() as *const c_void
    }
}

/// `"name\0"` as a C string, at compile time (for [`choices!`]).
pub const fn c_name(with_nul: &'static str) -> &'static CStr {
    match CStr::from_bytes_with_nul(with_nul.as_bytes()) {
        Ok(name) => name,
        Err(_) => panic!("a choice name holds no NUL"),
    }
}

/// A set of words a script picks one of (subcommands, options, keywords),
/// made by [`choices!`] and read by [`crate::tcl::Interp::get_choice`] with
/// Tcl's unique-prefix matching and standard `bad WHAT "x": must be ...`.
pub trait Choice: Copy + 'static {
    /// The word for the error message: "subcommand", "option", "type".
    const WHAT: &'static CStr;
    /// Every choice, in table order.
    const ALL: &'static [Self];
    /// The names, in table order.
    const NAMES: &'static [&'static str];
    /// The process-lifetime table Tcl looks names up in.
    fn table() -> *const c_void;
}

/// A name table made at run time from names known only then (e.g. the
/// configure options the fact table in `commands::facts` derives). Leaked
/// on purpose: Tcl caches its address for the life of the process.
pub struct DynTable {
    names: Vec<&'static str>,
    ptrs: Vec<*const c_char>,
}

// SAFETY: as for NameTable: pointers to leaked, never-modified C strings.
unsafe impl Sync for DynTable {}
// SAFETY: as above; nothing in the table is ever written after creation.
unsafe impl Send for DynTable {}

impl DynTable {
    pub fn new(names: impl IntoIterator<Item = String>) -> DynTable {
        let names: Vec<&'static str> = names.into_iter().map(|n| &*Box::leak(n.into_boxed_str())).collect();
        let mut ptrs: Vec<*const c_char> = names
            .iter()
            .map(|n| {
                let c = CString::new(*n).expect("table names hold no NUL");
                Box::leak(c.into_boxed_c_str()).as_ptr()
            })
            .collect();
        ptrs.push(std::ptr::null());
        DynTable { names, ptrs }
    }

    pub fn names(&self) -> &[&'static str] {
        &self.names
    }

    pub fn as_ptr(&'static self) -> *const c_void {
        self.ptrs.as_ptr() as *const c_void
    }
}

/// Implement [`Choice`] for an enum, from one row per name:
///
/// ```ignore
/// choices! { pub enum Subcommand("subcommand") { Create = "create", Delete = "delete" } }
/// choices! { impl VoxelType("type") { Uint8 = "uint8", Int8 = "int8" } }  // an existing enum
/// ```
///
/// The first form also defines the enum. Rows are in the order the error
/// message lists them: alphabetical, except where a contract fixes the order
/// (voxel types).
macro_rules! choices {
    ($(#[$meta:meta])* $vis:vis enum $name:ident($what:literal) { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name { $($variant),+ }
        $crate::tcl::table::choices! { impl $name($what) { $($variant = $text),+ } }
    };
    (impl $name:ident($what:literal) { $($variant:ident = $text:literal),+ $(,)? }) => {
        impl $crate::tcl::table::Choice for $name {
            const WHAT: &'static ::std::ffi::CStr = $crate::tcl::table::c_name(concat!($what, "\0"));
            const ALL: &'static [Self] = &[$($name::$variant),+];
            const NAMES: &'static [&'static str] = &[$($text),+];
            fn table() -> *const ::std::ffi::c_void {
                static TABLE: $crate::tcl::table::NameTable<{ [$($text),+].len() + 1 }> =
                    $crate::tcl::table::NameTable::new([
                        $(Some($crate::tcl::table::c_name(concat!($text, "\0"))),)+ None
                    ]);
                TABLE.as_ptr()
            }
        }
    };
}
pub(crate) use choices;
