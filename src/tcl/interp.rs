//! A safe view of a `Tcl_Interp` for command implementations: argument
//! parsing with Tcl's own routines, results, and errors with errorcodes.

use super::obj::{Arg, Obj, TclName};
use super::size::{from_tcl, to_tcl, TclSize};
use super::stubs::tcl_call;
use super::table::{Choice, DynTable};
use super::token::CommandToken;
use crate::core::MxError;
use std::ffi::{c_int, CStr, CString};
use tcl_sys::Tcl_Interp;

/// Why a command failed.
#[derive(Debug)]
pub enum CmdError {
    /// The package's own error: the trampoline sets message and errorcode.
    Mx(MxError),
    /// Tcl already left its message and errorcode in the interpreter (its
    /// standard parsing routines did: `TCL WRONGARGS`, `TCL LOOKUP INDEX`, ...).
    Reported,
}

impl From<MxError> for CmdError {
    fn from(e: MxError) -> Self {
        CmdError::Mx(e)
    }
}

/// A number for [`Interp::set_result_number`].
#[derive(Debug, Clone, Copy)]
pub enum Number {
    Int(i64),
    Double(f64),
}

/// An interpreter, valid for the duration of one command call (or one
/// callback) on the thread that owns it.
#[derive(Clone, Copy)]
pub struct Interp(*mut Tcl_Interp);

/// Turn a Tcl return code into `Ok` or `CmdError::Reported`.
fn check(rc: c_int) -> Result<(), CmdError> {
    if rc == tcl_sys::TCL_OK as c_int {
        Ok(())
    } else {
        Err(CmdError::Reported)
    }
}

/// Tcl's own error for an integer that does not fit (as `Tcl_GetIntFromObj` words it).
fn too_large() -> CmdError {
    let message = "integer value too large to represent";
    CmdError::Mx(MxError {
        message: message.to_string(),
        code: vec!["ARITH".to_string(), "IOVERFLOW".to_string(), message.to_string()],
    })
}

/// Whether Tcl holds `arg` as a bignum. Tcl 8.6 keeps every integer that
/// fits in a C `long` (64 bits here) as an "int", so after a successful
/// `Tcl_GetWideIntFromObj` a bignum means a value outside the i64 range that
/// Tcl wrapped.
pub(super) fn is_bignum(arg: Arg<'_>) -> bool {
    // SAFETY: the argument is a live Tcl_Obj for the duration of the call;
    // `typePtr` is NULL or points at a static Tcl_ObjType whose `name` is a
    // NUL-terminated static string.
    unsafe {
        let type_ptr = (*arg.as_ptr()).typePtr;
        !type_ptr.is_null() && !(*type_ptr).name.is_null() && CStr::from_ptr((*type_ptr).name).to_bytes() == b"bignum"
    }
}

fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\u{fffd}")).expect("NULs were replaced")
}

impl Interp {
    /// # Safety
    /// `ptr` must be a live interpreter owned by the calling thread, and the
    /// returned value must not outlive the current call into the package.
    pub unsafe fn from_raw(ptr: *mut Tcl_Interp) -> Interp {
        Interp(ptr)
    }

    pub fn as_ptr(self) -> *mut Tcl_Interp {
        self.0
    }

    // ---- argument parsing, with Tcl's own routines and messages ----

    /// A 32-bit integer. Tcl 8.6's `Tcl_GetIntFromObj` wraps values between
    /// INT_MAX and UINT_MAX (4294967295 reads as -1), so this reads a wide
    /// integer and checks the range itself.
    pub fn get_int(self, arg: Arg<'_>) -> Result<i32, CmdError> {
        let v = self.get_wide(arg)?;
        i32::try_from(v).map_err(|_| too_large())
    }

    /// A 64-bit integer. Tcl 8.6's `Tcl_GetWideIntFromObj` accepts integers up
    /// to 2^64-1 and wraps them (18446744073709551615 reads as -1, so a
    /// voxel could silently become -1); those are refused here with Tcl's own
    /// overflow error.
    pub fn get_wide(self, arg: Arg<'_>) -> Result<i64, CmdError> {
        let mut v: tcl_sys::Tcl_WideInt = 0;
        // SAFETY: live interpreter and argument; `v` is a valid out-pointer.
        check(unsafe { tcl_call!(tcl_GetWideIntFromObj(self.0, arg.as_ptr(), &mut v)) })?;
        if is_bignum(arg) {
            return Err(too_large());
        }
        Ok(v)
    }

    /// Like [`Interp::get_wide`], but silent: `None` when the value is not an
    /// integer that fits in 64 bits.
    pub fn try_wide(self, arg: Arg<'_>) -> Option<i64> {
        let mut v: tcl_sys::Tcl_WideInt = 0;
        // SAFETY: a NULL interpreter asks Tcl not to leave an error message.
        let rc = unsafe { tcl_call!(tcl_GetWideIntFromObj(std::ptr::null_mut(), arg.as_ptr(), &mut v)) };
        (rc == tcl_sys::TCL_OK as c_int && !is_bignum(arg)).then_some(v)
    }

    pub fn get_double(self, arg: Arg<'_>) -> Result<f64, CmdError> {
        let mut v: f64 = 0.0;
        // SAFETY: live interpreter and argument; `v` is a valid out-pointer.
        check(unsafe { tcl_call!(tcl_GetDoubleFromObj(self.0, arg.as_ptr(), &mut v)) })?;
        Ok(v)
    }

    pub fn get_boolean(self, arg: Arg<'_>) -> Result<bool, CmdError> {
        let mut v: c_int = 0;
        // SAFETY: live interpreter and argument; `v` is a valid out-pointer.
        check(unsafe { tcl_call!(tcl_GetBooleanFromObj(self.0, arg.as_ptr(), &mut v)) })?;
        Ok(v != 0)
    }

    /// `Tcl_GetIndexFromObjStruct` over a [`Choice`] table: unique prefixes,
    /// and the standard `bad WHAT "x": must be a, b, or c` with
    /// `TCL LOOKUP INDEX WHAT x`.
    pub fn get_choice<C: Choice>(self, arg: Arg<'_>) -> Result<C, CmdError> {
        let index = self.index_in(arg, C::table(), C::WHAT)?;
        Ok(C::ALL[index])
    }

    /// Like [`Interp::get_choice`], over a table made at run time; the index.
    pub fn get_index_dyn(self, arg: Arg<'_>, table: &'static DynTable, what: &CStr) -> Result<usize, CmdError> {
        self.index_in(arg, table.as_ptr(), what)
    }

    fn index_in(self, arg: Arg<'_>, table: *const std::ffi::c_void, what: &CStr) -> Result<usize, CmdError> {
        let mut index: c_int = 0;
        // Tcl 9 takes the index as `void *` and its size in `flags` (tcl.h's
        // macro adds `sizeof(*indexPtr) << 1`); 8.6 takes an `int *`.
        let flags: c_int = if cfg!(tcl9) { (std::mem::size_of::<c_int>() as c_int) << 1 } else { 0 };
        let stride = std::mem::size_of::<*const std::ffi::c_char>() as TclSize;
        // SAFETY: `table` is a process-lifetime NULL-terminated array of C
        // string pointers with the given stride, as Tcl requires (it caches it).
        check(unsafe {
            tcl_call!(tcl_GetIndexFromObjStruct(
                self.0,
                arg.as_ptr(),
                table,
                stride,
                what.as_ptr(),
                flags,
                (&mut index as *mut c_int).cast()
            ))
        })?;
        Ok(index as usize)
    }

    /// `Tcl_WrongNumArgs`: the standard `wrong # args: should be "..."` with
    /// `TCL WRONGARGS`, naming the first `keep` words of `objv`.
    pub fn wrong_num_args(self, keep: usize, objv: &[Arg<'_>], usage: &str) -> CmdError {
        // An empty usage must be NULL, or Tcl adds a trailing space.
        let usage = (!usage.is_empty()).then(|| c_string(usage));
        let usage_ptr = usage.as_ref().map_or(std::ptr::null(), |u| u.as_ptr());
        let words: Vec<*mut tcl_sys::Tcl_Obj> = objv.iter().map(|a| a.as_ptr()).collect();
        let keep = to_tcl(keep.min(words.len())).unwrap_or(0);
        // SAFETY: `words` holds `keep` (<= objv.len()) live values; `usage_ptr`
        // is NULL or a NUL-terminated string that outlives the call.
        unsafe { tcl_call!(tcl_WrongNumArgs(self.0, keep, words.as_ptr(), usage_ptr)) };
        CmdError::Reported
    }

    /// The elements of a Tcl list (`Tcl_ListObjGetElements`; a value that is
    /// not a list is Tcl's own error), each with its own reference: they stay
    /// valid even if reading `arg` again as another type frees its list.
    pub fn list_elements(self, arg: Arg<'_>) -> Result<Vec<Obj>, CmdError> {
        let mut count: TclSize = 0;
        let mut elements: *mut *mut tcl_sys::Tcl_Obj = std::ptr::null_mut();
        // SAFETY: live interpreter and argument; both out-pointers are valid.
        check(unsafe { tcl_call!(tcl_ListObjGetElements(self.0, arg.as_ptr(), &mut count, &mut elements)) })?;
        if count <= 0 || elements.is_null() {
            return Ok(Vec::new());
        }
        // SAFETY: Tcl returned `count` live element pointers at `elements`.
        let items = unsafe { std::slice::from_raw_parts(elements, from_tcl(count)) };
        // A list of millions of elements is a copy of millions of pointers:
        // allocated fallibly, like every buffer a command derives.
        let mut objs = crate::core::limits::try_vec(items.len(), "the list's elements")?;
        objs.extend(items.iter().map(|&p| Obj::from_borrowed(p)));
        Ok(objs)
    }

    // ---- calling Tcl code ----

    /// `Tcl_EvalObjv`: run the command `words` (e.g. a helper proc in `::mx`);
    /// its result, or its error and errorcode, stays in the interpreter.
    pub fn eval_objv(self, words: &[Obj]) -> Result<(), CmdError> {
        let ptrs: Vec<*mut tcl_sys::Tcl_Obj> = words.iter().map(|w| w.as_ptr()).collect();
        let count = to_tcl(ptrs.len()).expect("a command of fewer words than Tcl's limit");
        // SAFETY: live interpreter; `ptrs` holds `count` live values, each kept
        // alive by `words` for the whole call.
        check(unsafe { tcl_call!(tcl_EvalObjv(self.0, count, ptrs.as_ptr(), 0)) })
    }

    // ---- results ----

    pub fn set_result(self, value: Obj) {
        // SAFETY: Tcl takes its own reference to the value.
        unsafe { tcl_call!(tcl_SetObjResult(self.0, value.as_ptr())) };
    }

    /// Make the result a number, reusing the interpreter's result value when
    /// nothing else holds it (saves an allocation on hot paths like `$c get`).
    pub fn set_result_number(self, value: Number) {
        // SAFETY: live interpreter; Tcl_GetObjResult returns its current result.
        let current = unsafe { tcl_call!(tcl_GetObjResult(self.0)) };
        // SAFETY: `current` is live; a refcount of 1 means only the
        // interpreter holds it, so it may be changed in place (Tcl_IsShared
        // is refCount > 1).
        if !current.is_null() && unsafe { (*current).refCount } <= 1 {
            // SAFETY: unshared (checked above), so the Set* calls are allowed.
            unsafe {
                match value {
                    Number::Int(i) => tcl_call!(tcl_SetWideIntObj(current, i)),
                    Number::Double(d) => tcl_call!(tcl_SetDoubleObj(current, d)),
                }
            }
            return;
        }
        self.set_result(match value {
            Number::Int(i) => Obj::int(i),
            Number::Double(d) => Obj::double(d),
        });
    }

    /// Leave `err`'s message as the result and its code as `-errorcode`.
    pub fn set_error(self, err: &MxError) {
        self.set_result(Obj::string(&err.message));
        let code = Obj::list(err.code.iter().map(|w| Obj::string(w)));
        // SAFETY: Tcl takes its own reference to the list.
        unsafe { tcl_call!(tcl_SetObjErrorCode(self.0, code.as_ptr())) };
    }

    // ---- commands ----

    /// The command `arg` names, if any (resolved like Tcl resolves command names).
    pub fn find_command(self, arg: Arg<'_>) -> Option<CommandToken> {
        // SAFETY: live interpreter and argument.
        CommandToken::from_raw(unsafe { tcl_call!(tcl_GetCommandFromObj(self.0, arg.as_ptr())) })
    }

    pub fn command_exists(self, name: &TclName) -> bool {
        self.find_command(name.to_obj().as_arg()).is_some()
    }

    /// The current name of a command (it changes with `rename`), qualified
    /// as `info commands` shows it: `vol` in the global namespace, `::ns::vol`
    /// elsewhere; byte for byte (see [`TclName`]).
    pub fn command_name(self, token: CommandToken) -> TclName {
        let full = Obj::string("");
        // SAFETY: a CommandToken names a live command of this interpreter (its
        // holders drop it when the command is deleted); `full` is an unshared
        // value Tcl may append to.
        unsafe { tcl_call!(tcl_GetCommandFullName(self.0, token.as_raw(), full.as_ptr())) };
        let name = full.as_arg().to_name();
        match name.as_bytes().strip_prefix(b"::") {
            Some(tail) if !tail.windows(2).any(|w| w == b"::") => TclName::from_tcl_bytes(tail.to_vec()),
            _ => name,
        }
    }

    /// Delete a command by token (its delete callback runs).
    pub fn delete_command(self, token: CommandToken) {
        // SAFETY: a CommandToken names a live command of this interpreter.
        unsafe { tcl_call!(tcl_DeleteCommandFromToken(self.0, token.as_raw())) };
    }

    /// Glob-style matching, as `string match` does it: `Tcl_StringCaseMatch`
    /// with case mattering (Tcl 9 has no `Tcl_StringMatch`, which was this).
    pub fn string_match(self, text: &TclName, pattern: &TclName) -> bool {
        let (text, pattern) = (text.to_c_string(), pattern.to_c_string());
        // SAFETY: both are NUL-terminated strings in Tcl's encoding.
        unsafe { tcl_call!(tcl_StringCaseMatch(text.as_ptr(), pattern.as_ptr(), 0)) != 0 }
    }
}
