//! `MxExternCanvas`, `MxInternCanvas`, `MxFreeTransport`, `MxTransports`.

use super::registry::InterpState;
use super::values::parse_shmid;
use crate::core::mode::{parse_mode, DEFAULT_MODE};
use crate::core::transport;
use crate::tcl::{choices, Arg, CmdResult, Interp, Obj};

choices! { enum ExternOption("option") { Mode = "-mode" } }

/// MxExternCanvas canvas ?-mode MODE?
pub fn extern_canvas(state: &InterpState, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() != 2 && objv.len() != 4 {
        return Err(interp.wrong_num_args(1, objv, "canvas ?-mode MODE?"));
    }
    let entry = state.lookup(interp, objv[1])?;
    let mut mode = DEFAULT_MODE;
    if objv.len() == 4 {
        let ExternOption::Mode = interp.get_choice(objv[2])?;
        mode = parse_mode(&objv[3].to_str())?;
    }
    let id = transport::extern_canvas(state.owner, &entry.canvas.borrow(), mode)?;
    Ok(Some(Obj::int(id as i64)))
}

choices! { enum InternOption("option") { Reshape = "-reshape" } }

/// MxInternCanvas ?-reshape? canvas shmid ?freeTransport?
pub fn intern_canvas(state: &InterpState, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    // With 3 or more words, a first word starting with "-" is the option (the
    // package never makes up a canvas name starting with one).
    let reshape = objv.len() > 2 && objv[1].to_str().starts_with('-');
    if reshape {
        let InternOption::Reshape = interp.get_choice(objv[1])?;
    }
    let args = &objv[if reshape { 2 } else { 1 }..];
    if args.len() != 2 && args.len() != 3 {
        return Err(interp.wrong_num_args(1, objv, "?-reshape? canvas shmid ?freeTransport?"));
    }
    let entry = state.lookup(interp, args[0])?;
    let id = parse_shmid(interp, args[1])?;
    let free = match args.get(2) {
        Some(&arg) => interp.get_boolean(arg)?,
        None => true,
    };
    transport::intern_canvas(state.owner, &mut entry.canvas.borrow_mut(), id, free, reshape)?;
    Ok(Some(Obj::from_arg(args[0])))
}

/// MxFreeTransport shmid
pub fn free_transport(state: &InterpState, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() != 2 {
        return Err(interp.wrong_num_args(1, objv, "shmid"));
    }
    let id = parse_shmid(interp, objv[1])?;
    transport::free_transport(state.owner, id)?;
    Ok(None)
}

/// MxTransports
pub fn transports(state: &InterpState, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() != 1 {
        return Err(interp.wrong_num_args(1, objv, ""));
    }
    Ok(Some(Obj::list(transport::transports(state.owner).into_iter().map(|id| Obj::int(id as i64)))))
}
