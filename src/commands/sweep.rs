//! `::mx::_orphans ?-remove? ?-allusers?`: the Rust half of `mx::sweep`
//! (library/mxcanvas.tcl).
//!
//! Lists the mxcanvas segments whose creating process is gone and that
//! nothing is attached to, owned by this process's effective user (every
//! user's with `-allusers`); with `-remove`, removes them (IPC_RMID) and lists
//! those it removed. See `core::orphans` for the rules.

use super::registry::InterpState;
use crate::core::orphans::{self, Whose};
use crate::tcl::{choices, Arg, CmdResult, Interp, Obj};

choices! { enum SweepOption("option") { AllUsers = "-allusers", Remove = "-remove" } }

/// ::mx::_orphans ?-remove? ?-allusers?
pub fn orphans(_state: &InterpState, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() > 3 {
        return Err(interp.wrong_num_args(1, objv, "?-remove? ?-allusers?"));
    }
    let (mut remove, mut whose) = (false, Whose::Mine);
    for &option in &objv[1..] {
        match interp.get_choice(option)? {
            SweepOption::AllUsers => whose = Whose::AllUsers,
            SweepOption::Remove => remove = true,
        }
    }
    let ids = if remove { orphans::sweep_orphans(whose)? } else { orphans::orphans(whose)? };
    Ok(Some(Obj::list(ids.into_iter().map(|id| Obj::int(id as i64)))))
}
