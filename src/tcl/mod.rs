//! The Tcl binding layer: the only code that uses `tcl_sys`.
//!
//! Every call into Tcl goes through the stubs table ([`stubs`]), so the
//! library does not link against libtcl and loads into any Tcl 8.6
//! interpreter. Above this layer, commands see safe types: [`Interp`],
//! [`Obj`] and [`CmdError`].

pub mod command;
pub mod init;
pub mod interp;
pub mod lifecycle;
pub mod numbers;
pub mod obj;
pub mod path;
pub mod stubs;
pub mod table;
pub mod tk;
pub mod token;

pub use command::{create_command, CmdResult};
pub use interp::{CmdError, Interp, Number};
pub use obj::{Arg, Obj, TclName};
pub(crate) use table::choices;
pub use table::{Choice, DynTable};
pub use token::CommandToken;

/// The type Tcl uses for sizes and counts (`objc`, string and list lengths):
/// `int` in Tcl 8.6 (`Tcl_Size`, 64 bits, in Tcl 9). Every size crossing the
/// binding goes through this alias, so a port changes this one line.
pub type TclSize = std::ffi::c_int;
