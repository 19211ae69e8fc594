//! `::mx::_orphans ?-remove?`: the Rust half of `mx::sweep` (library/mxcanvas.tcl).
//!
//! Lists the mxcanvas segments whose creating process is gone and that
//! nothing is attached to; with `-remove`, removes them (IPC_RMID) and lists
//! those it removed. See `core::transport::sweep_orphans` for the rules.

use super::state::InterpState;
use crate::core::transport;
use crate::tcl::table::{name_table, NameTable};
use crate::tcl::{Arg, CmdResult, Interp, Obj};

static OPTIONS: NameTable<2> = name_table![c"-remove"];

/// ::mx::_orphans ?-remove?
pub fn orphans(_state: &InterpState, interp: Interp, objv: &[Arg]) -> CmdResult {
    if objv.len() > 2 {
        return Err(interp.wrong_num_args(1, objv, "?-remove?"));
    }
    if let Some(&option) = objv.get(1) {
        interp.get_index(option, &OPTIONS, c"option")?;
    }
    let ids = if objv.len() == 2 { transport::sweep_orphans()? } else { transport::orphans()? };
    Ok(Some(Obj::list(ids.into_iter().map(|id| Obj::int(id as i64)))))
}
