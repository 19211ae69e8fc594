//! `Tcl_Obj` values: [`Obj`] owns one reference, [`Arg`] borrows a command argument.

use super::stubs::tcl_call;
use std::ffi::c_int;
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
    pub fn from_arg(arg: Arg) -> Obj {
        Obj::from_raw(arg.0)
    }

    pub fn as_ptr(&self) -> *mut Tcl_Obj {
        self.0.as_ptr()
    }

    pub fn as_arg(&self) -> Arg {
        Arg(self.0.as_ptr())
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
        let len = c_int::try_from(text.len()).expect("string shorter than 2 GiB");
        // SAFETY: `text` is valid for `len` bytes; Tcl copies them.
        Obj::from_raw(unsafe { tcl_call!(tcl_NewStringObj(text.as_ptr().cast(), len)) })
    }

    /// A byte array holding a copy of `bytes`; the caller checks the 2 GiB limit.
    pub fn bytes(bytes: &[u8]) -> Obj {
        let len = c_int::try_from(bytes.len()).expect("byte array shorter than 2 GiB");
        // SAFETY: `bytes` is valid for `len` bytes; Tcl copies them.
        Obj::from_raw(unsafe { tcl_call!(tcl_NewByteArrayObj(bytes.as_ptr(), len)) })
    }

    pub fn list(items: impl IntoIterator<Item = Obj>) -> Obj {
        // SAFETY: an empty list needs no element array.
        let list = Obj::from_raw(unsafe { tcl_call!(tcl_NewListObj(0, std::ptr::null())) });
        for item in items {
            // SAFETY: `list` is unshared (refcount 1, ours) so it may be
            // modified; appending takes its own reference to `item`.
            unsafe {
                tcl_call!(tcl_ListObjAppendElement(std::ptr::null_mut(), list.as_ptr(), item.as_ptr()))
            };
        }
        list
    }

    /// A dict from key/value pairs, in order.
    pub fn dict<'a>(pairs: impl IntoIterator<Item = (&'a str, Obj)>) -> Obj {
        // SAFETY: Tcl_NewDictObj takes no arguments.
        let dict = Obj::from_raw(unsafe { tcl_call!(tcl_NewDictObj()) });
        for (key, value) in pairs {
            let key = Obj::string(key);
            // SAFETY: `dict` is unshared so it may be modified; Tcl takes its
            // own references to key and value.
            unsafe {
                tcl_call!(tcl_DictObjPut(std::ptr::null_mut(), dict.as_ptr(), key.as_ptr(), value.as_ptr()))
            };
        }
        dict
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

/// A command argument: a value Tcl lends for the duration of the call.
#[derive(Clone, Copy)]
pub struct Arg(pub(crate) *mut Tcl_Obj);

impl Arg {
    pub fn as_ptr(self) -> *mut Tcl_Obj {
        self.0
    }

    /// The value's string. Tcl keeps strings in modified UTF-8 (NUL is the
    /// two bytes C0 80); anything else that is not valid UTF-8 shows as U+FFFD.
    pub fn to_str(self) -> String {
        let mut len: c_int = 0;
        // SAFETY: the argument is live for the call; Tcl returns its string
        // representation, valid for `len` bytes while the value is unchanged.
        let bytes = unsafe {
            let ptr = tcl_call!(tcl_GetStringFromObj(self.0, &mut len));
            std::slice::from_raw_parts(ptr as *const u8, len.max(0) as usize)
        };
        from_modified_utf8(bytes)
    }

    /// The value as bytes, or `None` when it is a string holding characters
    /// above U+00FF, which Tcl would silently truncate to their low byte.
    /// The slice is valid while the argument is.
    pub fn to_bytes_checked<'a>(self) -> Option<&'a [u8]> {
        // SAFETY: Tcl_GetObjType only reads its NUL-terminated argument.
        let byte_array = unsafe { tcl_call!(tcl_GetObjType(c"bytearray".as_ptr())) };
        // SAFETY: the argument is a live value; reading its type pointer is a plain field read.
        let already_bytes = unsafe { (*self.0).typePtr } == byte_array;
        if !already_bytes && self.to_str().chars().any(|c| c as u32 > 0xFF) {
            return None;
        }
        Some(self.to_bytes())
    }

    /// The value as a byte array (Tcl's rules: a string becomes its code points'
    /// low bytes). The slice is valid while the argument is.
    pub fn to_bytes<'a>(self) -> &'a [u8] {
        let mut len: c_int = 0;
        // SAFETY: Tcl converts the value to a byte array and returns its
        // buffer, valid for `len` bytes while the argument lives (the whole
        // command call) and is not modified (we never modify arguments).
        unsafe {
            let ptr = tcl_call!(tcl_GetByteArrayFromObj(self.0, &mut len));
            if ptr.is_null() || len <= 0 {
                return &[];
            }
            std::slice::from_raw_parts(ptr, len as usize)
        }
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
