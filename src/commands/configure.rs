//! `$c configure ?-option ?value ...??` and `$c cget -option`: read and set
//! the header facts a canvas carries, so that a created or processed canvas
//! can be saved with the right spacing, units, orientation and scaling. The
//! options are the rows of the fact table ([`super::facts`]): `cget` and
//! `configure -option` read any of them (as a Tk photo's cget does), while
//! `configure` lists and sets only the settable ones; setting a read-only
//! one (`-width`) is an error naming it. Every value is checked before any
//! is set.

use super::facts::{self, Fact};
use super::registry::CanvasEntry;
use crate::tcl::{Arg, CmdResult, Interp, Obj};

fn current(entry: &CanvasEntry, fact: &Fact) -> Obj {
    (fact.get)(&entry.canvas.borrow()).unwrap_or_else(|| Obj::string(""))
}

/// $c configure ?-option ?value -option value ...??
pub fn configure(entry: &CanvasEntry, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    let args = &objv[2..];
    match args.len() {
        0 => {
            let pairs: Vec<(String, Obj)> =
                facts::settable().map(|f| (format!("-{}", f.key), current(entry, f))).collect();
            Ok(Some(Obj::dict(pairs.iter().map(|(k, v)| (k.as_str(), v.clone())))))
        }
        1 => Ok(Some(current(entry, facts::option(interp, args[0])?))),
        n if n.is_multiple_of(2) => {
            // Work on a copy; the canvas changes only when every value was good.
            let mut m = entry.canvas.borrow().metadata().clone();
            for pair in args.chunks_exact(2) {
                let fact = facts::option(interp, pair[0])?;
                let set = fact.set.ok_or_else(|| facts::read_only(fact))?;
                set(interp, &format!("-{}", fact.key), pair[1], &mut m)?;
            }
            super::header_facts::check(&entry.canvas.borrow(), &m)?;
            entry.canvas.borrow_mut().set_metadata(m);
            Ok(None)
        }
        _ => Err(interp.wrong_num_args(2, objv, "?-option? ?value -option value ...?")),
    }
}

/// $c cget -option
pub fn cget(entry: &CanvasEntry, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() != 3 {
        return Err(interp.wrong_num_args(2, objv, "-option"));
    }
    Ok(Some(current(entry, facts::option(interp, objv[2])?)))
}

/// $c info ?key?
pub fn info(entry: &CanvasEntry, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    match objv.len() {
        2 => Ok(Some(facts::info(&entry.canvas.borrow()))),
        3 => {
            let fact = facts::info_key(interp, objv[2])?;
            let canvas = entry.canvas.borrow();
            // A fact this canvas does not have (`shmid` of a heap canvas) is an error, not "".
            (fact.get)(&canvas).map(Some).ok_or_else(|| {
                crate::core::MxError::mx(
                    format!(
                        "canvas has no {}: it is a {} canvas (only -storage shm canvases have one)",
                        fact.key,
                        canvas.storage_kind().name()
                    ),
                    &["INFO", "ABSENT", fact.key],
                )
                .into()
            })
        }
        _ => Err(interp.wrong_num_args(2, objv, "?key?")),
    }
}
