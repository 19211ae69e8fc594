//! `::mx::_kill pid ?pid ...?`: the Rust half of `mx::exec cancel`
//! (library/exec.tcl): SIGKILL to each process of a pipeline that
//! `mx::exec -async` started (Tcl has no kill of its own). Only positive
//! pids are taken, so a mistaken 0 or -1 can never signal a process group
//! or every process of the user.

use super::registry::InterpState;
use crate::core::MxError;
use crate::tcl::{Arg, CmdResult, Interp};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// ::mx::_kill pid ?pid ...?
pub fn kill_command(_state: &InterpState, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() < 2 {
        return Err(interp.wrong_num_args(1, objv, "pid ?pid ...?"));
    }
    let mut pids = Vec::with_capacity(objv.len() - 1);
    for &arg in &objv[1..] {
        let pid = interp.get_wide(arg)?;
        if !(1..=i32::MAX as i64).contains(&pid) {
            return Err(MxError::mx(
                format!("bad pid {pid}: expected a process id from 1 to {}", i32::MAX),
                &["VALUE", "RANGE", "pid", &pid.to_string()],
            )
            .into());
        }
        pids.push(Pid::from_raw(pid as i32));
    }
    for pid in pids {
        // A process that has already exited (ESRCH) is what was wanted.
        if let Err(e) = kill(pid, Signal::SIGKILL) {
            if e != nix::errno::Errno::ESRCH {
                return Err(MxError::posix(
                    format!("cannot kill process {pid}"),
                    crate::sys::SysError { call: "kill", errno: e },
                )
                .into());
            }
        }
    }
    Ok(None)
}
