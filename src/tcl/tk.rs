//! Tk's photo image C API, reached through Tk's stubs table at run time.
//!
//! The library does not link Tk: it loads and works without it. The viewer
//! (`mx::view`) needs one thing Tcl scripts cannot do fast — put a whole
//! RGBA block into a photo — so it asks Tcl for Tk's stubs table
//! (`Tcl_PkgRequireEx` returns it as the package's client data, which is how
//! `Tk_InitStubs` finds it) and calls the few photo functions through it.
//!
//! Only the table's head (`magic`, `hooks`) and the slot numbers of the
//! functions used are declared, copied from `tkDecls.h`; every slot is one
//! function pointer. Tk 8.6 and Tk 9.0 have the same numbers and signatures
//! for these five (and the same `Tk_PhotoImageBlock` of `int`s): the build
//! for Tcl 8.6 asks for Tk 8.6, the build for Tcl 9 for Tk 9.0, the only Tk
//! each can load. `tests/tk_stubs_layout.rs` compiles a C program against
//! each installed `tk.h` (8.6's, and 9.0's from scripts/ensure-tcl9.sh) and
//! checks the offsets below against `offsetof(TkStubs, ...)`.

use super::interp::{CmdError, Interp};
use super::stubs::tcl_call;
use crate::core::MxError;
use std::ffi::{c_char, c_int, c_void, CString};
use std::ptr::NonNull;

/// `TCL_STUB_MAGIC`, which every stubs table starts with: Tcl 9's tcl.h
/// adds the pointer size to Tcl 8's number (Tk 9 uses Tcl 9's).
const STUB_MAGIC: c_int = if cfg!(tcl9) {
    (0xFCA3_BACB_u32 as c_int).wrapping_add(std::mem::size_of::<*const c_void>() as c_int)
} else {
    0xFCA3BACFu32 as c_int
};

/// `TkStubs` up to its first slot.
#[repr(C)]
struct TkStubsHead {
    magic: c_int,
    hooks: *const c_void,
}

/// Slot numbers in `TkStubs` (the `/* N */` comments of tkDecls.h, Tk 8.6 and 9.0).
pub const SLOT_FIND_PHOTO: usize = 64;
pub const SLOT_PHOTO_GET_IMAGE: usize = 146;
pub const SLOT_PHOTO_GET_SIZE: usize = 149;
pub const SLOT_PHOTO_PUT_BLOCK: usize = 266;
pub const SLOT_PHOTO_SET_SIZE: usize = 268;

/// The byte offset of slot `n` in `TkStubs`, as `offsetof` gives it in C.
pub const fn slot_offset(n: usize) -> usize {
    std::mem::size_of::<TkStubsHead>() + n * std::mem::size_of::<*const c_void>()
}

/// `Tk_PhotoImageBlock` (tk.h).
#[repr(C)]
struct PhotoBlock {
    pixel_ptr: *mut u8,
    width: c_int,
    height: c_int,
    pitch: c_int,
    pixel_size: c_int,
    offset: [c_int; 4],
}

/// An alpha offset outside the pixel: Tk then takes every pixel as opaque
/// and skips building its valid-region mask row by row and scanning for
/// partial transparency (tkImgPhoto.c), which cost more than the copy.
/// The viewer's pixels are always opaque.
const OPAQUE: c_int = 4;

/// `TK_PHOTO_COMPOSITE_SET`: the block replaces the pixels, alpha included.
const COMPOSITE_SET: c_int = 1;

type FindPhotoFn = unsafe extern "C" fn(*mut tcl_sys::Tcl_Interp, *const c_char) -> *mut c_void;
type GetImageFn = unsafe extern "C" fn(*mut c_void, *mut PhotoBlock) -> c_int;
type PutBlockFn = unsafe extern "C" fn(
    *mut tcl_sys::Tcl_Interp,
    *mut c_void,
    *mut PhotoBlock,
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
) -> c_int;
type GetSizeFn = unsafe extern "C" fn(*mut c_void, *mut c_int, *mut c_int);
type SetSizeFn = unsafe extern "C" fn(*mut tcl_sys::Tcl_Interp, *mut c_void, c_int, c_int) -> c_int;

/// Tk's stubs table of the interpreter that asked for it (valid while Tk
/// stays loaded, i.e. for the process: Tk is never unloaded).
#[derive(Clone, Copy)]
pub struct Tk {
    table: NonNull<u8>,
}

/// A photo image found by name, for use within the current command call.
#[derive(Clone, Copy)]
pub struct Photo(NonNull<c_void>);

fn tk_error(message: String, code: &[&str]) -> CmdError {
    MxError::mx(message, code).into()
}

impl Tk {
    /// The Tk version this build asks for: the one that runs on its Tcl.
    pub const VERSION: &'static std::ffi::CStr = if cfg!(tcl9) { c"9.0" } else { c"8.6" };

    /// Tk's stubs table, loading Tk into `interp` if it is not there
    /// yet (Tcl's own error, e.g. "no display name", when that fails).
    pub fn require(interp: Interp) -> Result<Tk, CmdError> {
        let mut client_data: *mut c_void = std::ptr::null_mut();
        // SAFETY: live interpreter; both strings are NUL-terminated; Tcl
        // writes the package's client data (a pointer) to `client_data`.
        let version = unsafe {
            tcl_call!(tcl_PkgRequireEx(
                interp.as_ptr(),
                c"Tk".as_ptr(),
                Tk::VERSION.as_ptr(),
                0,
                (&mut client_data as *mut *mut c_void).cast()
            ))
        };
        if version.is_null() {
            return Err(CmdError::Reported);
        }
        let table = NonNull::new(client_data.cast::<u8>())
            .ok_or_else(|| tk_error("Tk did not provide its stubs table".into(), &["TK", "STUBS"]))?;
        // SAFETY: Tk's package client data is its TkStubs table, which starts
        // with a TkStubsHead; reading the magic number checks that.
        let magic = unsafe { (*table.as_ptr().cast::<TkStubsHead>()).magic };
        if magic != STUB_MAGIC {
            return Err(tk_error("Tk's stubs table has the wrong magic number".into(), &["TK", "STUBS"]));
        }
        Ok(Tk { table })
    }

    /// The function pointer in slot `n`, or an error naming it when empty.
    fn slot(self, n: usize, name: &str) -> Result<*const c_void, CmdError> {
        // SAFETY: `n` is one of the SLOT_* numbers, all inside the table of
        // Tk 8.6 and 9.0 (checked against both tk.h by tests/tk_stubs_layout.rs); the table
        // is live and suitably aligned for pointers.
        let f = unsafe { *self.table.as_ptr().add(slot_offset(n)).cast::<*const c_void>() };
        if f.is_null() {
            return Err(tk_error(format!("Tk's stubs table has no {name}"), &["TK", "STUBS", name]));
        }
        Ok(f)
    }

    /// `Tk_FindPhoto`: the photo image `name`, or `MX TK NOTPHOTO name`.
    pub fn find_photo(self, interp: Interp, name: &str) -> Result<Photo, CmdError> {
        let f = self.slot(SLOT_FIND_PHOTO, "Tk_FindPhoto")?;
        // SAFETY: slot 64 holds Tk_FindPhoto with this signature.
        let find: FindPhotoFn = unsafe { std::mem::transmute::<*const c_void, FindPhotoFn>(f) };
        let c_name = CString::new(name.replace('\0', "\u{fffd}")).expect("NULs were replaced");
        // SAFETY: live interpreter; NUL-terminated name.
        let handle = unsafe { find(interp.as_ptr(), c_name.as_ptr()) };
        NonNull::new(handle).map(Photo).ok_or_else(|| {
            tk_error(format!("image \"{name}\" does not exist or is not a photo image"), &["TK", "NOTPHOTO", name])
        })
    }

    /// Make `photo` exactly `width x height` and put the RGBA `pixels` (rows
    /// top to bottom) into it with one `Tk_PhotoPutBlock`.
    pub fn put_rgba(
        self,
        interp: Interp,
        photo: Photo,
        width: usize,
        height: usize,
        pixels: &mut [u8],
    ) -> Result<(), CmdError> {
        let too_big =
            || tk_error(format!("a {width}x{height} picture is too large for a photo"), &["VIEW", "TOOLARGE"]);
        let w = c_int::try_from(width).map_err(|_| too_big())?;
        let h = c_int::try_from(height).map_err(|_| too_big())?;
        let pitch = w.checked_mul(4).ok_or_else(too_big)?;
        if pixels.len() != width * height * 4 {
            return Err(tk_error("internal error: picture size mismatch".into(), &["VIEW", "SIZE"]));
        }
        let get_size = self.slot(SLOT_PHOTO_GET_SIZE, "Tk_PhotoGetSize")?;
        let set_size = self.slot(SLOT_PHOTO_SET_SIZE, "Tk_PhotoSetSize")?;
        let put_block = self.slot(SLOT_PHOTO_PUT_BLOCK, "Tk_PhotoPutBlock")?;
        // SAFETY: slots 149, 268 and 266 hold Tk_PhotoGetSize,
        // Tk_PhotoSetSize and Tk_PhotoPutBlock with these (Tk 8.6 and 9.0,
        // interp-first) signatures.
        let (get_size, set_size, put_block) = unsafe {
            (
                std::mem::transmute::<*const c_void, GetSizeFn>(get_size),
                std::mem::transmute::<*const c_void, SetSizeFn>(set_size),
                std::mem::transmute::<*const c_void, PutBlockFn>(put_block),
            )
        };
        let mut block = PhotoBlock {
            pixel_ptr: pixels.as_mut_ptr(),
            width: w,
            height: h,
            pitch,
            pixel_size: 4,
            offset: [0, 1, 2, OPAQUE],
        };
        let (mut now_w, mut now_h) = (0, 0);
        // SAFETY: live photo; Tk writes its two sizes to the two ints.
        unsafe { get_size(photo.0.as_ptr(), &mut now_w, &mut now_h) };
        // A redraw at the same size (the usual case) skips Tk_PhotoSetSize:
        // each call rescans the whole photo for partial alpha and resizes
        // every instance, which at zoom 2 cost a tenth of the redraw. The
        // block then covers the photo exactly, as after the two calls.
        let resize = (now_w, now_h) != (w, h);
        // SAFETY: live interpreter and photo; `block` describes `pixels`
        // (checked length), which outlive the calls; Tk copies the block.
        // Setting the size to w x h and then 0 x 0 ("as large as needed")
        // shrinks a larger photo without pinning its size, as `configure
        // -width w` then `-width 0` does.
        let rc = unsafe {
            if resize
                && (set_size(interp.as_ptr(), photo.0.as_ptr(), w, h) != 0
                    || set_size(interp.as_ptr(), photo.0.as_ptr(), 0, 0) != 0)
            {
                tcl_sys::TCL_ERROR as c_int
            } else {
                put_block(interp.as_ptr(), photo.0.as_ptr(), &mut block, 0, 0, w, h, COMPOSITE_SET)
            }
        };
        if rc != tcl_sys::TCL_OK as c_int {
            return Err(CmdError::Reported);
        }
        Ok(())
    }

    /// The photo's pixels as (width, height, RGB rows top to bottom), from
    /// `Tk_PhotoGetImage`. `reserve` gets the byte count first, so the
    /// caller can refuse it before anything is allocated.
    pub fn get_rgb(
        self,
        photo: Photo,
        reserve: impl FnOnce(usize) -> Result<Vec<u8>, CmdError>,
    ) -> Result<(usize, usize, Vec<u8>), CmdError> {
        let f = self.slot(SLOT_PHOTO_GET_IMAGE, "Tk_PhotoGetImage")?;
        // SAFETY: slot 146 holds Tk_PhotoGetImage with this signature.
        let get: GetImageFn = unsafe { std::mem::transmute::<*const c_void, GetImageFn>(f) };
        let mut block = PhotoBlock {
            pixel_ptr: std::ptr::null_mut(),
            width: 0,
            height: 0,
            pitch: 0,
            pixel_size: 0,
            offset: [0; 4],
        };
        // SAFETY: live photo; Tk fills `block` with a view of its own pixels.
        unsafe { get(photo.0.as_ptr(), &mut block) };
        let (w, h) = (block.width.max(0) as usize, block.height.max(0) as usize);
        let mut out = reserve(w.saturating_mul(h).saturating_mul(3))?;
        if w == 0 || h == 0 || block.pixel_ptr.is_null() {
            return Ok((w, h, out));
        }
        let (pitch, size) = (block.pitch as usize, block.pixel_size as usize);
        let [r, g, b, _] = block.offset.map(|o| o.max(0) as usize);
        // SAFETY: Tk's block covers `h` rows of `pitch` bytes, each with `w`
        // pixels of `pixel_size` bytes whose channels sit at `offset`; the
        // view stays valid until the photo changes, which nothing here does.
        let data = unsafe { std::slice::from_raw_parts(block.pixel_ptr, (h - 1) * pitch + w * size) };
        for y in 0..h {
            for x in 0..w {
                let p = y * pitch + x * size;
                out.extend_from_slice(&[data[p + r], data[p + g], data[p + b]]);
            }
        }
        Ok((w, h, out))
    }
}

/// The size of `Tk_PhotoImageBlock` as declared here (checked against tk.h).
pub const PHOTO_BLOCK_SIZE: usize = std::mem::size_of::<PhotoBlock>();
