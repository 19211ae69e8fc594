//! Registering commands: one `extern "C"` trampoline for every command.
//!
//! The trampoline is the C boundary. It runs the Rust handler under
//! `catch_unwind`, so no panic ever unwinds into Tcl: a panic becomes a Tcl
//! error `{MX PANIC message}`. Handler state is reference-counted, and each
//! call holds a reference, so a command that deletes itself (`$c delete`)
//! finishes its call before its state is freed.

use super::interp::{CmdError, Interp};
use super::obj::{Arg, Obj, TclName};
use super::stubs::tcl_call;
use super::token::CommandToken;
use crate::core::MxError;
use std::cell::RefCell;
use std::ffi::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use tcl_sys::{ClientData, Tcl_Interp, Tcl_Obj};

/// What a handler returns: its result value (None for the empty string).
pub type CmdResult = Result<Option<Obj>, CmdError>;

type Handler = dyn Fn(Interp, &[Arg<'_>]) -> CmdResult;

struct CommandData {
    handler: Box<Handler>,
    on_delete: RefCell<Option<Box<dyn FnOnce()>>>,
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// The error a caught panic becomes.
pub fn panic_error(payload: &(dyn std::any::Any + Send)) -> MxError {
    let msg = panic_message(payload);
    MxError::mx(format!("internal error in mxcanvas (please report it): {msg}"), &["PANIC", &msg])
}

unsafe extern "C" fn trampoline(
    client_data: ClientData,
    interp: *mut Tcl_Interp,
    // `Tcl_ObjCmdProc` counts its words in an `int` in Tcl 9 as well (its
    // `Tcl_Size` variant is `Tcl_CreateObjCommand2`'s); commands never get
    // anywhere near 2^31 words.
    objc: c_int,
    objv: *const *mut Tcl_Obj,
) -> c_int {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: client_data is the Rc<CommandData> leaked by create_command;
        // the command is alive while Tcl calls it, and this call takes its own
        // strong reference so a self-deleting command stays valid until return.
        let data = unsafe {
            Rc::increment_strong_count(client_data as *const CommandData);
            Rc::from_raw(client_data as *const CommandData)
        };
        // The arguments' lifetime is this call's: the handler cannot keep them.
        // SAFETY: Tcl passes `objc` live values in `objv` for this call, and
        // Arg is a repr(transparent) *mut Tcl_Obj, so the array is an [Arg]
        // as it stands (no per-call allocation: this is the hot path of `$c get`).
        let args: &[Arg<'_>] = unsafe { std::slice::from_raw_parts(objv as *const Arg<'_>, objc.max(0) as usize) };
        // SAFETY: Tcl calls us on the interpreter's own thread.
        let interp = unsafe { Interp::from_raw(interp) };
        match (data.handler)(interp, args) {
            Ok(value) => {
                if let Some(value) = value {
                    interp.set_result(value);
                }
                tcl_sys::TCL_OK as c_int
            }
            Err(CmdError::Mx(err)) => {
                interp.set_error(&err);
                tcl_sys::TCL_ERROR as c_int
            }
            Err(CmdError::Reported) => tcl_sys::TCL_ERROR as c_int,
        }
    }));
    outcome.unwrap_or_else(|payload| {
        // SAFETY: as above; reporting the panic needs only the interpreter.
        let interp = unsafe { Interp::from_raw(interp) };
        let _ = catch_unwind(AssertUnwindSafe(|| interp.set_error(&panic_error(&*payload))));
        tcl_sys::TCL_ERROR as c_int
    })
}

unsafe extern "C" fn delete_trampoline(client_data: ClientData) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: Tcl calls this exactly once, when the command goes away; it
        // takes back the reference leaked by create_command.
        let data = unsafe { Rc::from_raw(client_data as *const CommandData) };
        let on_delete = data.on_delete.borrow_mut().take();
        if let Some(f) = on_delete {
            f();
        }
    }));
}

/// Create command `name` in `interp`, calling `handler` for each call and
/// `on_delete` once when the command is deleted (by `rename`, by its own
/// delete subcommand, or with the interpreter).
pub fn create_command(
    interp: Interp,
    name: impl Into<TclName>,
    handler: impl Fn(Interp, &[Arg<'_>]) -> CmdResult + 'static,
    on_delete: Option<Box<dyn FnOnce()>>,
) -> CommandToken {
    let data = Rc::new(CommandData { handler: Box::new(handler), on_delete: RefCell::new(on_delete) });
    let name = name.into().to_c_string();
    // SAFETY: the leaked Rc is reclaimed by delete_trampoline; both
    // trampolines match Tcl's callback signatures.
    let token = unsafe {
        tcl_call!(tcl_CreateObjCommand(
            interp.as_ptr(),
            name.as_ptr(),
            Some(trampoline),
            Rc::into_raw(data) as *mut c_void,
            Some(delete_trampoline)
        ))
    };
    CommandToken::from_raw(token).expect("Tcl_CreateObjCommand never returns NULL")
}
