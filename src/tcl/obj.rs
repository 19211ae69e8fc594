//! `Tcl_Obj` values: [`Obj`] owns one reference, [`Arg`] borrows a command argument.

use super::room::can_allocate;
use super::size::{from_tcl, to_tcl, TclSize, MAX_BYTE_ARRAY};
use super::stubs::tcl_call;
use std::marker::PhantomData;
use std::ptr::NonNull;
use tcl_sys::Tcl_Obj;

/// An owned reference to a Tcl value: created with refcount +1, released on drop.
pub struct Obj(NonNull<Tcl_Obj>);

/// `Tcl_IncrRefCount` is a C macro with no symbol behind it; this is it.
fn incr_ref(ptr: NonNull<Tcl_Obj>) {
    // SAFETY: `ptr` is a live Tcl_Obj owned by the calling thread; only that
    // thread touches its refcount.
    unsafe { (*ptr.as_ptr()).refCount += 1 };
}

impl Obj {
    /// Take a new reference to a value Tcl just returned.
    fn from_raw(ptr: *mut Tcl_Obj) -> Obj {
        let ptr = NonNull::new(ptr).expect("Tcl returned a NULL Tcl_Obj");
        incr_ref(ptr);
        Obj(ptr)
    }

    /// Take a new reference to a borrowed value.
    pub fn from_arg(arg: Arg<'_>) -> Obj {
        Obj::from_raw(arg.0)
    }

    /// Take a new reference to a value Tcl lends (a list element).
    pub(crate) fn from_borrowed(ptr: *mut Tcl_Obj) -> Obj {
        Obj::from_raw(ptr)
    }

    pub fn as_ptr(&self) -> *mut Tcl_Obj {
        self.0.as_ptr()
    }

    /// Lend this value as an argument, for as long as this reference lives.
    pub fn as_arg(&self) -> Arg<'_> {
        // SAFETY: the value is alive while `self` holds its reference.
        unsafe { Arg::from_raw(self.0.as_ptr()) }
    }

    pub fn int(value: i64) -> Obj {
        // SAFETY: Tcl_NewWideIntObj only reads its argument.
        Obj::from_raw(unsafe { tcl_call!(tcl_NewWideIntObj(value)) })
    }

    pub fn double(value: f64) -> Obj {
        // SAFETY: Tcl_NewDoubleObj only reads its argument.
        Obj::from_raw(unsafe { tcl_call!(tcl_NewDoubleObj(value)) })
    }

    pub fn boolean(value: bool) -> Obj {
        Obj::int(value as i64)
    }

    pub fn string(text: &str) -> Obj {
        if text.contains('\0') {
            // Tcl spells NUL as C0 80 inside its strings; a raw 0 byte would
            // make a string that compares unequal to the same text made by Tcl.
            return TclName::from_text(text).to_obj();
        }
        let len = to_tcl(text.len()).expect("strings made here are shorter than Tcl's limit");
        // SAFETY: `text` is valid for `len` bytes; Tcl copies them.
        Obj::from_raw(unsafe { tcl_call!(tcl_NewStringObj(text.as_ptr().cast(), len)) })
    }

    /// A byte array holding a copy of `bytes`; the caller checks
    /// [`MAX_BYTE_ARRAY`](super::size::MAX_BYTE_ARRAY).
    pub fn bytes(bytes: &[u8]) -> Obj {
        let len = to_tcl(bytes.len()).expect("byte array within Tcl's limit");
        // SAFETY: `bytes` is valid for `len` bytes; Tcl copies them.
        Obj::from_raw(unsafe { tcl_call!(tcl_NewByteArrayObj(bytes.as_ptr(), len)) })
    }

    pub fn list(items: impl IntoIterator<Item = Obj>) -> Obj {
        // SAFETY: an empty list needs no element array.
        let list = Obj::from_raw(unsafe { tcl_call!(tcl_NewListObj(0, std::ptr::null())) });
        for item in items {
            // SAFETY: `list` is unshared (refcount 1, ours) so it may be
            // modified; appending takes its own reference to `item`.
            unsafe { tcl_call!(tcl_ListObjAppendElement(std::ptr::null_mut(), list.as_ptr(), item.as_ptr())) };
        }
        list
    }

    /// A list of `items`, made in one allocation (`Tcl_NewListObj`).
    pub fn list_of(items: Vec<Obj>) -> Obj {
        let ptrs: Vec<*mut Tcl_Obj> = items.iter().map(Obj::as_ptr).collect();
        let len = to_tcl(ptrs.len()).expect("lists made here are shorter than Tcl's limit");
        // SAFETY: `ptrs` holds `len` live values; the list takes its own
        // reference to each, ours are dropped with `items` afterwards.
        let list = Obj::from_raw(unsafe { tcl_call!(tcl_NewListObj(len, ptrs.as_ptr())) });
        drop(items);
        list
    }

    /// A byte array of `len` bytes whose contents `fill` writes: the bytes go
    /// straight into Tcl's buffer, with no temporary copy. `None` when `len`
    /// is beyond [`MAX_BYTE_ARRAY`] or Tcl's allocator cannot provide it:
    /// Tcl's own allocation would panic (abort the process) instead.
    pub fn bytes_filled(len: usize, fill: impl FnOnce(&mut [u8])) -> Option<Obj> {
        if len > MAX_BYTE_ARRAY || !can_allocate(len) {
            return None;
        }
        let tcl_len = to_tcl(len)?;
        // SAFETY: with a NULL source Tcl (8.6 and 9) allocates `len` bytes and
        // leaves them uninitialised (it copies only when given bytes).
        let mut obj = Obj::from_raw(unsafe { tcl_call!(tcl_NewByteArrayObj(std::ptr::null(), tcl_len)) });
        let buffer = byte_array_buffer(&mut obj)?;
        // The fill writes every byte; a shorter buffer than asked would be Tcl's bug.
        if buffer.len() != len {
            return None;
        }
        fill(buffer);
        Some(obj)
    }

    /// A dict from key/value pairs, in order.
    pub fn dict<'a>(pairs: impl IntoIterator<Item = (&'a str, Obj)>) -> Obj {
        // SAFETY: Tcl_NewDictObj takes no arguments.
        let dict = Obj::from_raw(unsafe { tcl_call!(tcl_NewDictObj()) });
        for (key, value) in pairs {
            let key = Obj::string(key);
            // SAFETY: `dict` is unshared so it may be modified; Tcl takes its
            // own references to key and value.
            unsafe { tcl_call!(tcl_DictObjPut(std::ptr::null_mut(), dict.as_ptr(), key.as_ptr(), value.as_ptr())) };
        }
        dict
    }
}

/// The writable buffer of a byte array this code just made (unshared; the
/// `&mut` says no one else holds this reference).
/// Tcl 9's stubs slot for `Tcl_GetByteArrayFromObj` is empty (the name is a
/// macro over `Tcl_GetBytesFromObj`), so 9 calls that directly.
fn byte_array_buffer(obj: &mut Obj) -> Option<&mut [u8]> {
    let mut got: TclSize = 0;
    // SAFETY: `obj` is an unshared byte array (refcount 1, ours), so its
    // buffer of `got` bytes may be written until the value is shared, which
    // the borrow of `obj` outlives.
    unsafe {
        #[cfg(not(tcl9))]
        let ptr = tcl_call!(tcl_GetByteArrayFromObj(obj.as_ptr(), &mut got));
        #[cfg(tcl9)]
        let ptr = tcl_call!(tcl_GetBytesFromObj(std::ptr::null_mut(), obj.as_ptr(), &mut got));
        if ptr.is_null() {
            return None;
        }
        Some(std::slice::from_raw_parts_mut(ptr, from_tcl(got)))
    }
}

impl Clone for Obj {
    fn clone(&self) -> Obj {
        incr_ref(self.0);
        Obj(self.0)
    }
}

impl Drop for Obj {
    fn drop(&mut self) {
        // `Tcl_DecrRefCount` is a macro; Tcl_DbDecrRefCount is its exported
        // equivalent (it frees the value when the count reaches zero).
        // SAFETY: we own one reference to this live value.
        unsafe { tcl_call!(tcl_DbDecrRefCount(self.0.as_ptr(), c"mxcanvas".as_ptr(), 0)) };
    }
}

/// A command argument: a value Tcl lends for the duration of the call `'a`.
/// `repr(transparent)`, so Tcl's `objv` array can be read as `&[Arg]` as is;
/// the lifetime keeps an `Arg` from outliving the call that lent it (as
/// PyO3's `Bound<'py, T>` is tied to `Python<'py>`).
///
/// Reading a value may change its internal representation ("shimmering":
/// `get_wide` turns a byte array into an integer and frees its bytes), so no
/// method hands out a borrow into the value that could outlive a later read:
/// strings are copied, and bytes are lent only inside [`Arg::with_bytes`].
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct Arg<'a>(*mut Tcl_Obj, PhantomData<&'a Tcl_Obj>);

impl<'a> Arg<'a> {
    /// # Safety
    /// `ptr` must be a live value that stays alive (and unmodified by us)
    /// for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut Tcl_Obj) -> Arg<'a> {
        Arg(ptr, PhantomData)
    }

    pub fn as_ptr(self) -> *mut Tcl_Obj {
        self.0
    }

    /// The value's string. Tcl keeps strings in modified UTF-8 (NUL is the
    /// two bytes C0 80); anything else that is not valid UTF-8 shows as U+FFFD.
    pub fn to_str(self) -> String {
        let mut len: TclSize = 0;
        // SAFETY: the argument is live for the call; Tcl returns its string
        // representation, valid for `len` bytes while the value is unchanged,
        // and the bytes are decoded into a copy at once.
        let bytes = unsafe {
            let ptr = tcl_call!(tcl_GetStringFromObj(self.0, &mut len));
            std::slice::from_raw_parts(ptr as *const u8, from_tcl(len))
        };
        from_modified_utf8(bytes)
    }

    /// Call `f` with the value as bytes, or return `None` (without calling
    /// it) when the value is a string holding characters above U+00FF, which
    /// Tcl 8.6 would silently truncate to their low byte (and Tcl 9 refuses).
    /// The slice cannot escape `f`; `f` must not read this same value as
    /// another type (which could free the bytes), and the core code it calls
    /// cannot reach Tcl.
    #[cfg(tcl9)]
    pub fn with_bytes_checked<R>(self, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        let mut len: TclSize = 0;
        // SAFETY: Tcl converts the value to a byte array (NULL, with no error
        // message as the interpreter is NULL, when it holds characters above
        // U+00FF) and returns its buffer, valid for `len` bytes while the
        // argument lives (the whole command call) and is not converted again.
        let bytes = unsafe {
            let ptr = tcl_call!(tcl_GetBytesFromObj(std::ptr::null_mut(), self.0, &mut len));
            if ptr.is_null() {
                return None;
            }
            if len <= 0 {
                &[]
            } else {
                std::slice::from_raw_parts(ptr, from_tcl(len))
            }
        };
        Some(f(bytes))
    }

    /// Call `f` with the value as bytes, or return `None` (without calling
    /// it) when the value is a string holding characters above U+00FF, which
    /// Tcl 8.6 would silently truncate to their low byte (and Tcl 9 refuses).
    #[cfg(not(tcl9))]
    pub fn with_bytes_checked<R>(self, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        // SAFETY: Tcl_GetObjType only reads its NUL-terminated argument.
        let byte_array = unsafe { tcl_call!(tcl_GetObjType(c"bytearray".as_ptr())) };
        // SAFETY: the argument is a live value; reading its type pointer is a plain field read.
        let already_bytes = unsafe { (*self.0).typePtr } == byte_array;
        if !already_bytes && self.to_str().chars().any(|c| c as u32 > 0xFF) {
            return None;
        }
        Some(self.with_bytes(f))
    }

    /// The value's string exactly as Tcl holds it (see [`TclName`]).
    pub fn to_name(self) -> TclName {
        let mut len: TclSize = 0;
        // SAFETY: as for `to_str`; the bytes are copied at once.
        let bytes = unsafe {
            let ptr = tcl_call!(tcl_GetStringFromObj(self.0, &mut len));
            std::slice::from_raw_parts(ptr as *const u8, from_tcl(len))
        };
        TclName::from_tcl_bytes(bytes.to_vec())
    }

    /// Call `f` with the value as a byte array (Tcl 8.6's rules: a string
    /// becomes its code points' low bytes), without copying. The slice cannot
    /// escape `f`; `f` must not read this same value as another type (which
    /// could free the bytes), and the core code it calls cannot reach Tcl.
    /// (Tcl 9's `Tcl_GetBytesFromObj` is [`Arg::with_bytes_checked`] there.)
    #[cfg(not(tcl9))]
    fn with_bytes<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        let mut len: TclSize = 0;
        // SAFETY: Tcl converts the value to a byte array and returns its
        // buffer, valid for `len` bytes while the argument lives (the whole
        // command call) and is not converted again (see above).
        let bytes = unsafe {
            let ptr = tcl_call!(tcl_GetByteArrayFromObj(self.0, &mut len));
            if ptr.is_null() || len <= 0 {
                &[]
            } else {
                std::slice::from_raw_parts(ptr, from_tcl(len))
            }
        };
        f(bytes)
    }
}

/// A name (of a command, a canvas) exactly as Tcl spells it: the bytes of its
/// string representation, in Tcl's internal UTF-8. That is not always valid
/// Rust UTF-8 — a NUL is the two bytes C0 80, and Tcl 8.6 keeps characters
/// beyond U+FFFF as surrogate pairs — so names never go through `String`,
/// which would turn those bytes into U+FFFD and create a different command.
/// The bytes never contain a NUL byte, so they pass to C unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TclName(Vec<u8>);

impl From<&str> for TclName {
    fn from(text: &str) -> TclName {
        TclName::from_text(text)
    }
}

impl From<&TclName> for TclName {
    fn from(name: &TclName) -> TclName {
        name.clone()
    }
}

impl TclName {
    /// A name from Rust text: a NUL becomes Tcl's C0 80.
    pub fn from_text(text: &str) -> TclName {
        let mut bytes = Vec::with_capacity(text.len());
        for b in text.bytes() {
            if b == 0 {
                bytes.extend_from_slice(&[0xC0, 0x80]);
            } else {
                bytes.push(b);
            }
        }
        TclName(bytes)
    }

    /// A name from bytes Tcl handed out (already in its own encoding).
    pub(crate) fn from_tcl_bytes(bytes: Vec<u8>) -> TclName {
        TclName(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The name as a C string (Tcl's internal UTF-8 never holds a NUL byte).
    pub fn to_c_string(&self) -> std::ffi::CString {
        std::ffi::CString::new(self.0.clone()).unwrap_or_else(|e| {
            let bytes: Vec<u8> = e.into_vec().into_iter().filter(|&b| b != 0).collect();
            std::ffi::CString::new(bytes).expect("NUL bytes were removed")
        })
    }

    /// The name as a Tcl value, byte for byte.
    pub fn to_obj(&self) -> Obj {
        let len = to_tcl(self.0.len()).expect("a name shorter than Tcl's limit");
        // SAFETY: the bytes are valid for `len` bytes, in Tcl's own encoding; Tcl copies them.
        Obj::from_raw(unsafe { tcl_call!(tcl_NewStringObj(self.0.as_ptr().cast(), len)) })
    }

    /// For messages: readable, with anything that is not UTF-8 shown as U+FFFD.
    pub fn display(&self) -> String {
        from_modified_utf8(&self.0)
    }
}

/// Decode Tcl's modified UTF-8: standard UTF-8 except that NUL is C0 80.
fn from_modified_utf8(bytes: &[u8]) -> String {
    let mut plain = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0xC0 && bytes.get(i + 1) == Some(&0x80) {
            plain.push(0);
            i += 2;
        } else {
            plain.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&plain).into_owned()
}

#[cfg(test)]
mod tests {
    use super::from_modified_utf8;

    #[test]
    fn nul_and_invalid_bytes() {
        assert_eq!(from_modified_utf8(b"a\xC0\x80b"), "a\0b");
        assert_eq!(from_modified_utf8("\u{ff}".as_bytes()), "\u{ff}");
        assert_eq!(from_modified_utf8(b"\xff"), "\u{fffd}");
    }
}
