//! The canvas registry of one interpreter: which commands are canvases,
//! how a new canvas is named and installed, how a name is looked up.
//!
//! Every command family that makes or finds canvases (`MxCanvas create`,
//! `MxCanvas load`, `$c copy`, the transport commands) comes here; this
//! module knows no command family. The object command a canvas gets is the
//! one `commands::register` gave [`InterpState::new`], so installing a
//! canvas does not import the code that runs it.

use crate::core::transport::{self, Owner};
use crate::core::{Canvas, MxError};
use crate::tcl::lifecycle::InterpData;
use crate::tcl::{create_command, Arg, CmdError, CmdResult, CommandToken, Interp, Obj, TclName};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

/// One canvas and the Tcl command that stands for it.
pub struct CanvasEntry {
    pub canvas: RefCell<Canvas>,
    /// The canvas's command; None once it is deleted.
    pub token: Cell<Option<CommandToken>>,
}

/// What runs `$c ...` for a canvas.
pub type ObjectCommand = fn(&Rc<InterpState>, &CanvasEntry, Interp, &[Arg<'_>]) -> CmdResult;

/// What the package keeps per interpreter: its canvases and its transport owner id.
pub struct InterpState {
    /// Identifies this interpreter's transports in the process-wide table.
    pub owner: Owner,
    canvases: RefCell<Vec<Rc<CanvasEntry>>>,
    next_name: Cell<u64>,
    object_command: ObjectCommand,
    /// Set when the interpreter is deleted (see [`thread_ended`]).
    deleted: Cell<bool>,
}

impl InterpData for InterpState {
    fn interp_deleted(&self) {
        self.deleted.set(true);
        transport::release_owner(self.owner);
    }
}

thread_local! {
    /// The interpreters of this thread that have the package, for [`thread_ended`].
    static THREAD_INTERPS: RefCell<Vec<(Owner, Weak<InterpState>, Interp)>> = const { RefCell::new(Vec::new()) };
}

/// Remember that `interp` (on this thread) has the package, with `state`.
pub fn note_thread_interp(interp: Interp, state: &Rc<InterpState>) {
    let _ = THREAD_INTERPS.try_with(|list| {
        let mut list = list.borrow_mut();
        if !list.iter().any(|(owner, _, _)| *owner == state.owner) {
            list.push((state.owner, Rc::downgrade(state), interp));
        }
    });
}

/// The thread of interpreter `owner` ends (`thread::exit`, the end of a
/// Thread package thread) without deleting its interpreters: delete its
/// canvases — a `-storage shm` canvas's segment goes with it, as when the
/// interpreter is deleted (before issue 17 it stayed until process exit) —
/// and release its transports.
pub fn thread_ended(owner: Owner) {
    let found = THREAD_INTERPS
        .try_with(|list| {
            let mut list = list.borrow_mut();
            let at = list.iter().position(|(o, _, _)| *o == owner)?;
            Some(list.swap_remove(at))
        })
        .ok()
        .flatten();
    // Tcl_Finalize runs the main thread's exit handlers too, late, after
    // parts of Tcl are finalised: by then the process exit handler has
    // released everything, and no command is deleted any more.
    let exiting = crate::core::exit_gate::is_closed();
    if let Some((_, state, interp)) = found.filter(|_| !exiting) {
        if let Some(state) = state.upgrade().filter(|s| !s.deleted.get()) {
            for entry in state.all() {
                delete(interp, &entry);
            }
        }
    }
    transport::release_owner(owner);
}

impl InterpState {
    pub fn new(object_command: ObjectCommand) -> InterpState {
        InterpState {
            owner: transport::new_owner(),
            canvases: RefCell::default(),
            next_name: Cell::new(1),
            object_command,
            deleted: Cell::new(false),
        }
    }

    fn remove(&self, entry: &Rc<CanvasEntry>) {
        self.canvases.borrow_mut().retain(|e| !Rc::ptr_eq(e, entry));
    }

    /// All canvases, in creation order.
    pub fn all(&self) -> Vec<Rc<CanvasEntry>> {
        self.canvases.borrow().clone()
    }

    /// The canvas whose command `name` names, if it is one.
    pub fn find(&self, interp: Interp, name: Arg<'_>) -> Option<Rc<CanvasEntry>> {
        let token = interp.find_command(name)?;
        self.canvases.borrow().iter().find(|e| e.token.get() == Some(token)).cloned()
    }

    /// Like [`InterpState::find`], with the error a script should see.
    pub fn lookup(&self, interp: Interp, name: Arg<'_>) -> Result<Rc<CanvasEntry>, CmdError> {
        self.find(interp, name).ok_or_else(|| {
            let name = name.to_str();
            MxError::mx(format!("canvas \"{name}\" does not exist"), &["LOOKUP", "CANVAS", &name]).into()
        })
    }

    /// A fresh automatic name, `mxcanvasN`, skipping names already in use.
    fn auto_name(&self, interp: Interp) -> TclName {
        loop {
            let n = self.next_name.get();
            self.next_name.set(n + 1);
            let name = TclName::from_text(&format!("mxcanvas{n}"));
            if !interp.command_exists(&name) {
                return name;
            }
        }
    }

    /// The name for a new canvas: the one given (which must not already be a
    /// command, and must have a tail: `::` or `ns::` names no command) or a
    /// fresh automatic one.
    pub fn check_new_name(&self, interp: Interp, name: Option<TclName>) -> Result<TclName, MxError> {
        match name {
            None => Ok(self.auto_name(interp)),
            Some(n) if n.is_empty() => Err(MxError::mx("a canvas name must not be empty", &["CANVAS", "NAME"])),
            Some(n) if n.as_bytes().ends_with(b"::") => Err(MxError::mx(
                format!(
                    "bad canvas name \"{}\": expected a command name, not a namespace (it ends in \"::\")",
                    n.display()
                ),
                &["CANVAS", "NAME", &n.display()],
            )),
            Some(n) if interp.command_exists(&n) => Err(MxError::mx(
                format!("a command named \"{}\" already exists: choose another canvas name", n.display()),
                &["CANVAS", "EXISTS", &n.display()],
            )),
            Some(n) => Ok(n),
        }
    }

    /// Make `canvas` a command named `name`; returns the name as a Tcl value.
    pub fn install(self: &Rc<Self>, interp: Interp, name: &TclName, canvas: Canvas) -> Obj {
        let entry = Rc::new(CanvasEntry { canvas: RefCell::new(canvas), token: Cell::new(None) });
        let (for_calls, for_delete) = (self.clone(), self.clone());
        let (call_entry, delete_entry) = (entry.clone(), entry.clone());
        let command = self.object_command;
        let token = create_command(
            interp,
            name,
            move |interp, objv| command(&for_calls, &call_entry, interp, objv),
            Some(Box::new(move || {
                // The token goes with the command: a stale one is never used.
                delete_entry.token.set(None);
                for_delete.remove(&delete_entry);
            })),
        );
        entry.token.set(Some(token));
        self.canvases.borrow_mut().push(entry);
        name.to_obj()
    }
}

/// Delete a canvas's command (its delete callback unregisters it).
pub fn delete(interp: Interp, entry: &CanvasEntry) {
    if let Some(token) = entry.token.get() {
        interp.delete_command(token);
    }
}

/// Split `?name? -option value ...`: a first word not starting with "-" is the name.
pub fn split_name<'o, 'a>(args: &'o [Arg<'a>]) -> (Option<TclName>, &'o [Arg<'a>]) {
    match args.first().map(|a| a.to_name()) {
        Some(name) if name.as_bytes().first() != Some(&b'-') => (Some(name), &args[1..]),
        _ => (None, args),
    }
}
