//! The Tcl commands, one file per command family: parse the arguments with
//! Tcl's routines, call the core, turn the outcome into a Tcl result.

//! The command files form a tree (scripts/module-graph.sh checks it):
//! command families on top (`mxcanvas`, `canvas_object`, `transport`,
//! `sweep`), the subcommand groups they dispatch to (`configure`, `formats`,
//! `region`), and shared helpers below (`facts`, `registry`, `values`).

mod canvas_object;
mod configure;
mod describe;
mod facts;
mod formats;
mod header_facts;
mod kill;
mod mxcanvas;
mod region;
mod registry;
mod sweep;
mod transport;
mod values;
mod view;

use crate::tcl::lifecycle::{interp_state, on_process_exit, on_thread_exit};
use crate::tcl::{create_command, Arg, CmdResult, Interp};
use registry::InterpState;
use std::rc::Rc;

type GlobalCommand = fn(&Rc<InterpState>, Interp, &[Arg<'_>]) -> CmdResult;

/// The package's global commands, as MEDx ImageScript names them.
const COMMANDS: [(&str, GlobalCommand); 12] = [
    ("MxCanvas", mxcanvas::command),
    ("MxExternCanvas", |s, i, a| transport::extern_canvas(s, i, a)),
    ("MxInternCanvas", |s, i, a| transport::intern_canvas(s, i, a)),
    ("MxFreeTransport", |s, i, a| transport::free_transport(s, i, a)),
    ("MxTransports", |s, i, a| transport::transports(s, i, a)),
    // Hidden helper of `mx::sweep` (library/mxcanvas.tcl); Tcl creates ::mx.
    ("::mx::_orphans", |s, i, a| sweep::orphans(s, i, a)),
    // Hidden helpers of `mx::view` (library/view.tcl).
    ("::mx::_render", |s, i, a| view::render_command(s, i, a)),
    ("::mx::_snapshot", |s, i, a| view::snapshot_command(s, i, a)),
    ("::mx::_planes", |s, i, a| view::planes_command(s, i, a)),
    ("::mx::_window", |s, i, a| view::window_command(s, i, a)),
    // Hidden helper of `mx::exec` (library/exec.tcl): the MXCANVAS text.
    ("::mx::_describe", |s, i, a| describe::describe_command(s, i, a)),
    ("::mx::_kill", |s, i, a| kill::kill_command(s, i, a)),
];

/// Create the commands in `interp`, and make sure transports are released
/// with the interpreter and at process exit.
pub fn register(interp: Interp) {
    let state = interp_state(interp, c"mxcanvas", || InterpState::new(canvas_object::command));
    for (name, command) in COMMANDS {
        let state = state.clone();
        create_command(interp, name, move |interp, objv| command(&state, interp, objv), None);
    }
    // A fork by another thread mid-transport must not leave locks behind.
    crate::core::fork_guard::install();
    // Forked now, while the process is small (see `sys::watchdog`).
    crate::core::segment::start_watchdog();
    on_process_exit(release_at_exit);
    // `thread::exit` ends a thread without deleting its interpreters: its
    // transports are released then all the same.
    // ... and its canvases deleted, so -storage shm segments go too.
    registry::note_thread_interp(interp, &state);
    on_thread_exit(registry::thread_ended, state.owner);
}

/// At process exit: close the gate (no new segments; wait for those being
/// made on other threads to be registered), release every transport, then
/// mark every `-storage shm` canvas's segment for removal, so no segment
/// outlives the process. In a forked child, the parent's segments are left
/// alone (see `core::exit_gate`).
fn release_at_exit() {
    crate::core::exit_gate::close();
    crate::core::transport::release_all();
    crate::core::shared::remove_all();
}
