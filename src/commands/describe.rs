//! `::mx::_describe canvas shmid ?canvas shmid ...?`: the Rust half of
//! `mx::exec` (library/exec.tcl): the text of the `MXCANVAS` variable for
//! the canvases handed over as those segments (docs/mxcanvas-env.md), built
//! from each canvas's own header, so the numbers are the ones `$c info`
//! shows.

use super::registry::InterpState;
use super::values::parse_shmid;
use crate::core::describe;
use crate::tcl::{Arg, CmdResult, Interp, Obj};

/// ::mx::_describe canvas shmid ?canvas shmid ...?
pub fn describe_command(state: &InterpState, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() < 3 || objv.len() % 2 != 1 {
        return Err(interp.wrong_num_args(1, objv, "canvas shmid ?canvas shmid ...?"));
    }
    let mut text = String::from(describe::HEADER);
    for (index, pair) in objv[1..].chunks_exact(2).enumerate() {
        let entry = state.lookup(interp, pair[0])?;
        let shmid = parse_shmid(interp, pair[1])?;
        text.push_str(&describe::canvas_line(index, shmid, &entry.canvas.borrow()));
    }
    Ok(Some(Obj::string(&text)))
}
