//! What the package keeps per interpreter: its canvases and its transport owner id.

use crate::core::transport::{self, Owner};
use crate::core::{Canvas, MxError};
use crate::tcl::lifecycle::InterpData;
use crate::tcl::{Arg, CmdError, CommandToken, Interp, TclName};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// One canvas and the Tcl command that stands for it.
pub struct CanvasEntry {
    pub canvas: RefCell<Canvas>,
    /// The canvas's command; None once it is deleted.
    pub token: Cell<Option<CommandToken>>,
}

pub struct InterpState {
    /// Identifies this interpreter's transports in the process-wide table.
    pub owner: Owner,
    canvases: RefCell<Vec<Rc<CanvasEntry>>>,
    next_name: Cell<u64>,
}

impl InterpData for InterpState {
    fn interp_deleted(&self) {
        transport::release_owner(self.owner);
    }
}

impl InterpState {
    pub fn new() -> InterpState {
        InterpState { owner: transport::new_owner(), canvases: RefCell::default(), next_name: Cell::new(1) }
    }

    pub fn add(&self, entry: Rc<CanvasEntry>) {
        self.canvases.borrow_mut().push(entry);
    }

    pub fn remove(&self, token: CommandToken) {
        self.canvases.borrow_mut().retain(|e| e.token.get() != Some(token));
    }

    /// All canvases, in creation order.
    pub fn all(&self) -> Vec<Rc<CanvasEntry>> {
        self.canvases.borrow().clone()
    }

    /// The canvas whose command `name` names, if it is one.
    pub fn find(&self, interp: Interp, name: Arg) -> Option<Rc<CanvasEntry>> {
        let token = interp.find_command(name)?;
        self.canvases.borrow().iter().find(|e| e.token.get() == Some(token)).cloned()
    }

    /// Like [`InterpState::find`], with the error a script should see.
    pub fn lookup(&self, interp: Interp, name: Arg) -> Result<Rc<CanvasEntry>, CmdError> {
        self.find(interp, name).ok_or_else(|| {
            let name = name.to_str();
            MxError::mx(format!("canvas \"{name}\" does not exist"), &["LOOKUP", "CANVAS", &name]).into()
        })
    }

    /// A fresh automatic name, `mxcanvasN`, skipping names already in use.
    pub fn auto_name(&self, interp: Interp) -> TclName {
        loop {
            let n = self.next_name.get();
            self.next_name.set(n + 1);
            let name = TclName::from_text(&format!("mxcanvas{n}"));
            if !interp.command_exists(&name) {
                return name;
            }
        }
    }
}
