//! Transports: System V segments handed out to external programs.
//!
//! A transport is a segment plus this process's attachment to it, owned by
//! one interpreter (an [`Owner`]). All transports of the process live in one
//! table, so that interpreter deletion releases that interpreter's and
//! process exit releases everyone's, whichever thread the interpreter ran in.
//!
//! Removal policy: a segment the package created (`MxExternCanvas`) is
//! marked for removal (IPC_RMID) as soon as it is attached
//! (`NewSegment::attach_marked`: a killed process leaves nothing), so it
//! goes whenever its transport is released and no program is attached. A segment created
//! elsewhere and adopted by `MxInternCanvas ... false` is removed only when
//! the script asks for it (`MxInternCanvas ... true`, `MxFreeTransport`);
//! when its interpreter goes away it is only detached. The package never
//! removes a segment it did not create unless a script named that segment in
//! one of those two calls.
//!
//! Ownership and permissions are the kernel's: segments are created with the
//! permission bits the script gave (0600 unless `-mode` widens them), owned by
//! the process's effective uid. Reading another user's segment needs its read
//! bit (IPC_STAT and shmat fail with EACCES otherwise); removing it needs to be
//! its owner or creator (or root): EPERM otherwise. Each such refusal is a
//! clean `POSIX` error that changes nothing.
//!
//! Sizes are never trusted: every attach learns the size with IPC_STAT, and
//! interning checks it against the canvas before copying a byte.
//!
//! Segments are made by [`super::segment`] (keys from the mxcanvas range);
//! orphans of dead processes are [`super::orphans`]'s business.
//!
//! Zero-copy canvases (`-storage shm`, see [`super::shared`]): extern hands
//! out the canvas's own segment and interning it back into that canvas
//! copies nothing. Their transports hold no attachment (the canvas does),
//! and releasing them never removes the segment, which is the canvas's
//! memory: it is removed when the canvas is deleted. The table learns of
//! that deletion by asking [`super::shared::canvas_segment`] (storage does
//! not know about transports): an entry whose canvas is gone is dropped.

use super::canvas::Canvas;
use super::copy::{copy_voxels, Dest};
use super::error::{MxError, MxResult};
use super::exit_gate;
use super::segment::{create_failed, create_mx_segment};
use super::shared::canvas_segment;
use super::{Geometry, VoxelType};
use crate::sys::shm::{self, Attachment};
use crate::sys::SysError;
use nix::errno::Errno;
use once_cell::sync::Lazy;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Identifies the interpreter that holds a transport.
pub type Owner = u64;

static NEXT_OWNER: AtomicU64 = AtomicU64::new(1);

/// A fresh owner id for a new interpreter.
pub fn new_owner() -> Owner {
    NEXT_OWNER.fetch_add(1, Ordering::Relaxed)
}

#[derive(Debug)]
enum Transport {
    /// `MxExternCanvas` made the segment, in process `pid`: removed whenever
    /// the transport is released — by that process; in a process forked from
    /// it, teardown only detaches (the parent's segment is not the child's).
    Created(Attachment, u32, Shape),
    /// Made elsewhere and adopted (`MxInternCanvas ... false`): removed only
    /// when a script names it (`MxInternCanvas ... true`, `MxFreeTransport`).
    Adopted(Attachment),
    /// A `-storage shm` canvas's own segment (the canvas holds the
    /// attachment); stands while the canvas of that generation lives.
    Canvas { generation: u64, shape: Shape },
}

/// The geometry and voxel type of the canvas a transport was made from:
/// interning it into a canvas of another shape is refused unless asked for
/// (`MxInternCanvas -reshape`), since the bytes would be misread silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape(pub Geometry, pub VoxelType);

impl Shape {
    pub fn of(canvas: &Canvas) -> Shape {
        Shape(canvas.geometry(), canvas.voxel_type())
    }

    fn words(self) -> String {
        let Shape(g, t) = self;
        format!("{} {} {} {} {}", g.width, g.height, g.depth, g.frames, t.name())
    }

    fn text(self) -> String {
        let Shape(g, t) = self;
        format!("{}x{}x{}x{} {}", g.width, g.height, g.depth, g.frames, t.name())
    }
}

impl Transport {
    /// Whether the transport still stands for what it was made for.
    fn is_live(&self, id: i32) -> bool {
        match self {
            Transport::Canvas { generation, .. } => canvas_segment(id) == Some(*generation),
            _ => true,
        }
    }

    /// Mark for removal (when asked, and never a canvas's segment), then
    /// detach. Removing first means a refused IPC_RMID leaves the transport
    /// exactly as it was.
    fn release(self, id: i32, remove: bool) -> Result<(), (Transport, SysError)> {
        if let Transport::Created(ref attachment, ..) | Transport::Adopted(ref attachment) = self {
            if remove && canvas_segment(attachment.id()).is_none() {
                if let Err(e) = shm::remove(id) {
                    return Err((self, e));
                }
            }
        }
        // The attachment (if any) is dropped: detached. A canvas keeps its own.
        Ok(())
    }

    /// The shape of the canvas this interpreter made the transport from
    /// (none for a segment made elsewhere).
    fn shape(&self) -> Option<Shape> {
        match self {
            Transport::Created(_, _, shape) | Transport::Canvas { shape, .. } => Some(*shape),
            Transport::Adopted(_) => None,
        }
    }
}

type Table = BTreeMap<(Owner, i32), Transport>;
static TABLE: Lazy<Mutex<Table>> = Lazy::new(Default::default);

/// The table, even if a panic elsewhere poisoned the lock (the map itself is
/// always consistent: no operation leaves it half-updated), without the
/// transports of canvases deleted since (the id may be reused later).
fn table() -> MutexGuard<'static, Table> {
    let mut table = TABLE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    table.retain(|&(_, id), t| t.is_live(id));
    table
}

fn no_segment(id: i32, err: SysError) -> MxError {
    match err.errno {
        Errno::EINVAL | Errno::EIDRM => MxError::posix(
            format!("no shared memory segment with id {id} (it was never created or has been removed)"),
            err,
        ),
        _ => MxError::posix(format!("cannot use shared memory segment {id}"), err),
    }
}

fn size_mismatch(id: i32, expected: usize, actual: usize) -> MxError {
    MxError::mx(
        format!("shared memory segment {id} is {actual} bytes, but the canvas needs exactly {expected}"),
        &["TRANSPORT", "SIZE", &expected.to_string(), &actual.to_string()],
    )
}

/// The transport of a `-storage shm` canvas's own segment `id`.
fn canvas_transport(id: i32, canvas: &Canvas) -> Transport {
    // The canvas is borrowed by the caller, so its segment is registered.
    Transport::Canvas { generation: canvas_segment(id).unwrap_or(0), shape: Shape::of(canvas) }
}

fn shape_mismatch(id: i32, made: Shape, into: Shape) -> MxError {
    MxError::mx(
        format!(
            "transport {id} was made from a {} canvas, but the canvas to intern it into is {}: \
             expected the same geometry and voxel type (MxInternCanvas -reshape takes it on purpose)",
            made.text(),
            into.text()
        ),
        &["TRANSPORT", "GEOMETRY", &made.words(), &into.words()],
    )
}

/// `MxExternCanvas`: a new segment of exactly the canvas's bytes, with
/// permission bits `mode`, holding a copy of the canvas. Returns its shmid.
/// A `-storage shm` canvas hands out its own segment instead, uncopied.
pub fn extern_canvas(owner: Owner, canvas: &Canvas, mode: u32) -> MxResult<i32> {
    if let Some(buffer) = canvas.shared() {
        let id = buffer.id();
        buffer.set_mode(mode).map_err(|e| MxError::posix(format!("cannot set the mode of canvas segment {id}"), e))?;
        table().entry((owner, id)).or_insert_with(|| canvas_transport(id, canvas));
        return Ok(id);
    }
    let bytes = canvas.bytes();
    // Held until the segment is in the table: an exit on another thread
    // waits for it instead of missing the segment (see `exit_gate`).
    let pass = exit_gate::begin()?;
    let segment = create_mx_segment(bytes, mode).map_err(|e| create_failed(bytes, e))?;
    let new_id = segment.id();
    // Marked for removal as soon as it is attached: see `NewSegment::attach_marked`.
    let mut attachment =
        segment.attach_marked().map_err(|e| MxError::posix(format!("cannot attach new segment {new_id}"), e))?;
    let view = attachment.as_mut_slice().expect("attached read-write");
    if view.len() != bytes {
        return Err(size_mismatch(new_id, bytes, view.len()));
    }
    copy_voxels(view, canvas.as_bytes(), Dest::Fresh);
    let id = new_id;
    table().insert((owner, id), Transport::Created(attachment, pass.pid(), Shape::of(canvas)));
    drop(pass);
    Ok(id)
}

/// Interning a `-storage shm` canvas's own segment into it: the voxels are
/// already there. `free` ends the transport; otherwise it is (still) held.
fn intern_in_place(owner: Owner, id: i32, free: bool, canvas: &Canvas) {
    let mut table = table();
    if free {
        // An own attachment (this interpreter adopted the segment) is just
        // detached: the segment is the canvas's memory.
        table.remove(&(owner, id));
    } else {
        table.entry((owner, id)).or_insert_with(|| canvas_transport(id, canvas));
    }
}

/// `MxInternCanvas`: copy segment `id` back into `canvas`; with `free`,
/// detach and mark it for removal. On error nothing has changed. A
/// transport made here from a canvas of another shape is refused unless
/// `reshape`; other segments are checked by size only.
pub fn intern_canvas(owner: Owner, canvas: &mut Canvas, id: i32, free: bool, reshape: bool) -> MxResult<()> {
    if canvas.shmid() == Some(id) {
        intern_in_place(owner, id, free, canvas);
        return Ok(());
    }
    if !reshape {
        let made = table().get(&(owner, id)).and_then(Transport::shape);
        if let Some(made) = made.filter(|&made| made != Shape::of(canvas)) {
            return Err(shape_mismatch(id, made, Shape::of(canvas)));
        }
    }
    let expected = canvas.bytes();
    let info = shm::stat(id).map_err(|e| no_segment(id, e))?;
    if info.size != expected {
        return Err(size_mismatch(id, expected, info.size));
    }
    // Take a held transport out of the table while copying (other threads'
    // interpreters keep using the table); a foreign segment is attached
    // read-only, which is all reading it back needs. So is a canvas
    // segment, whose transport holds no attachment of its own.
    let attach = || {
        Attachment::attach(id, false)
            .map_err(|e| MxError::posix(format!("cannot attach shared memory segment {id}"), e))
    };
    // While a transport is out of the table, an exit would not see it: the
    // pass makes the exit wait until it is back (or freed).
    let _pass = exit_gate::begin()?;
    let held = table().remove(&(owner, id));
    let was_held = held.is_some();
    let restore = |t: Transport| {
        if was_held {
            table().insert((owner, id), t);
        }
    };
    let transport = match held {
        Some(t) => t,
        None => Transport::Adopted(attach()?),
    };
    let reader = match &transport {
        Transport::Created(..) | Transport::Adopted(_) => None,
        Transport::Canvas { .. } => match attach() {
            Ok(a) => Some(a),
            Err(e) => {
                restore(transport);
                return Err(e);
            }
        },
    };
    let source = match (&reader, &transport) {
        (Some(a), _) | (None, Transport::Created(a, ..) | Transport::Adopted(a)) => a,
        (None, Transport::Canvas { .. }) => unreachable!("a canvas transport got a reader above"),
    };
    if source.len() != expected {
        let actual = source.len();
        drop(reader);
        restore(transport);
        return Err(size_mismatch(id, expected, actual));
    }
    if free && canvas_segment(id).is_none() {
        if let Err(e) = shm::remove(id) {
            drop(reader);
            restore(transport);
            return Err(MxError::posix(format!("cannot free shared memory segment {id}"), e));
        }
    }
    copy_voxels(canvas.as_bytes_mut(), source.as_slice(), Dest::Resident);
    drop(reader);
    if !free {
        table().insert((owner, id), transport);
    }
    Ok(())
}

/// `MxFreeTransport`: detach and remove a transport of `owner` without copying.
pub fn free_transport(owner: Owner, id: i32) -> MxResult<()> {
    // Under the table's lock, as in `release_matching`: marked before it
    // leaves the table, so an exit meanwhile cannot miss it.
    let mut table = table();
    let transport = table.remove(&(owner, id)).ok_or_else(|| {
        MxError::mx(
            format!("{id} is not a transport of this interpreter: expected one of the ids MxTransports lists"),
            &["LOOKUP", "TRANSPORT", &id.to_string()],
        )
    })?;
    transport.release(id, true).map_err(|(t, e)| {
        table.insert((owner, id), t);
        MxError::posix(format!("cannot free shared memory segment {id}"), e)
    })
}

/// The shmids `owner` holds, in increasing order.
pub fn transports(owner: Owner) -> Vec<i32> {
    table().range((owner, i32::MIN)..=(owner, i32::MAX)).map(|(&(_, id), _)| id).collect()
}

fn release_matching(keep: impl Fn(Owner) -> bool) {
    // Released under the table's lock: a transport is marked for removal
    // before it leaves the table, so an exit on another thread (which takes
    // the same lock) either finds it or finds it marked — never neither.
    let mut table = table();
    let (gone, kept): (Table, Table) =
        std::mem::take(&mut *table).into_iter().partition(|((owner, _), _)| !keep(*owner));
    *table = kept;
    for ((_, id), transport) in gone {
        // Only the process that made a segment removes it at teardown.
        let remove = matches!(transport, Transport::Created(_, pid, _) if exit_gate::created_here(pid));
        // Teardown cannot report errors; a segment that refuses removal was
        // not ours to remove. The attachment is dropped either way.
        let _ = transport.release(id, remove).map_err(|(t, _)| drop(t));
    }
}

/// The table's lock, held across `fork` (see `core::fork_guard`): a child
/// never gets a copy of the table that another thread was changing, nor a
/// lock that no thread of the child will ever release.
pub(crate) fn lock_for_fork() -> Box<dyn std::any::Any> {
    Box::new(TABLE.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
}

/// Release everything `owner` holds: its interpreter is being deleted.
pub fn release_owner(owner: Owner) {
    release_matching(|o| o != owner);
}

/// Release every transport of the process: it is exiting.
pub fn release_all() {
    release_matching(|_| false);
}

#[cfg(test)]
#[path = "transport_tests.rs"]
mod tests;
