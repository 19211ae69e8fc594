//! `::mx::_orphans ?-remove?`: the Rust half of `mx::sweep` (library/mxcanvas.tcl).
//!
//! Lists the mxcanvas segments whose creating process is gone and that
//! nothing is attached to; with `-remove`, removes them (IPC_RMID) and lists
//! those it removed. See `core::orphans::sweep_orphans` for the rules.

use super::registry::InterpState;
use crate::core::orphans;
use crate::tcl::{choices, Arg, CmdResult, Interp, Obj};

choices! { enum SweepOption("option") { Remove = "-remove" } }

/// ::mx::_orphans ?-remove?
pub fn orphans(_state: &InterpState, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() > 2 {
        return Err(interp.wrong_num_args(1, objv, "?-remove?"));
    }
    if let Some(&option) = objv.get(1) {
        let SweepOption::Remove = interp.get_choice(option)?;
    }
    let ids = if objv.len() == 2 { orphans::sweep_orphans()? } else { orphans::orphans()? };
    Ok(Some(Obj::list(ids.into_iter().map(|id| Obj::int(id as i64)))))
}
