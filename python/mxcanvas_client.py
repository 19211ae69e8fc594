"""mxcanvas_client: numpy views of mxcanvas canvases in System V shared memory.

An mxcanvas script hands a canvas to an external program as the shmid of a
System V shared memory segment plus the canvas's geometry on the command line
(``MxExternCanvas``, or ``mx::transport``). This module gives a Python
program a zero-copy numpy array over that segment::

    import mxcanvas_client as mxc

    with mxc.attach(shmid, mxc.shape(width, height, depth), "float32") as vol:
        vol *= 2            # vol[z, y, x] is voxel (x, y, z)

* ``attach`` attaches, then checks the attached segment's real size
  (``shmctl(IPC_STAT)``) against ``shape`` and ``dtype``, and detaches again
  on a mismatch: a wrong geometry raises :class:`SegmentSizeError` (an
  ``OSError`` with errno ``EINVAL``, as C's ``mx_attach``), never reads or
  writes past the end. (Attach first: the size checked is then that of the
  segment actually mapped, not of one the id named a moment before.)
* The array's shape is C-ordered, slowest axis first: ``(depth, height,
  width)`` for a volume, ``(frames, depth, height, width)`` for a series
  (see :func:`shape`). That is the contract's layout, x fastest.
* Leaving the ``with`` block detaches (``shmdt``). Freeing the segment stays
  the script's job.

The rule: no view outlives its attachment
-----------------------------------------
Touching memory after ``shmdt`` would crash the interpreter, so:

* The attachment lasts as long as *any* numpy array over it. Every array
  derived from the one ``attach`` hands out (slices, reshapes, ``.T``,
  ``sliding_window_view``...) keeps it alive; it is detached, through a
  ``weakref.finalize`` on the root array, when the last one is gone.
* On exit the handed-out array itself is emptied (shape ``(0,)``), so the
  name bound by ``with ... as vol`` cannot reach the old memory; this is done
  only when nothing but variables refers to that array (counted with
  ``sys.getrefcount`` against the with-statement's locals and the namespace
  dicts ``gc.get_referrers`` finds), never when some other object may use
  it as a buffer (then the rule below applies).
* If views still exist when the block ends, the segment stays attached until
  they are gone and ``__exit__`` raises :class:`SegmentBusyError` (or, when
  the block is already raising, emits a ``ResourceWarning`` so as not to
  hide the original error). Delete such views (``del view``) inside the
  block, or copy what must outlive it (``vol[0].copy()``).
* Raw addresses (``vol.ctypes.data``) are not tracked: do not keep them.

Why ctypes over libc and no PyPI package: the program side needs three
system calls (``shmctl(IPC_STAT)``, ``shmat``, ``shmdt``) and numpy, which the
project's venv already has. ``sysv_ipc`` would add a C extension to build or a
wheel to trust for those three calls, and ``multiprocessing.shared_memory``
is POSIX shared memory, not System V. The cost is that the ``shmid_ds``
layout is written out here: it is the Linux one for 64-bit glibc/musl
targets (x86_64, aarch64, riscv64, ppc64le...), and importing the module
elsewhere raises ``ImportError`` rather than guessing.
"""

from __future__ import annotations

import ctypes
import errno
import gc
import inspect
import math
import os
import sys
import types
import warnings
import weakref
from typing import TYPE_CHECKING, Optional, Sequence, Tuple, Union

import numpy as np

if TYPE_CHECKING:
    import argparse

__version__ = "0.1.0"

#: What ``dtype`` arguments accept: a voxel type name or a numpy dtype.
DTypeLike = Union[str, np.dtype]

__all__ = [
    "attach", "shape", "Segment", "SegmentSizeError", "SegmentBusyError",
    "segment_size", "VOXEL_TYPES", "add_canvas_arguments", "attach_args",
]

if not sys.platform.startswith("linux") or ctypes.sizeof(ctypes.c_void_p) != 8:
    raise ImportError(
        "mxcanvas_client knows the System V shmid_ds layout of 64-bit Linux only; "
        f"this is {sys.platform} with {8 * ctypes.sizeof(ctypes.c_void_p)}-bit pointers")

# The contract's voxel types (native byte order).
VOXEL_TYPES = ("uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "int64", "uint64", "float64")

_IPC_RMID = 0
_IPC_STAT = 2
_SHM_RDONLY = 0o10000


class _IpcPerm(ctypes.Structure):
    # struct ipc_perm of 64-bit Linux: 48 bytes on every 64-bit ABI (the mode
    # and seq fields are split differently, but only the size matters here).
    _fields_ = [("key", ctypes.c_int), ("uid", ctypes.c_uint), ("gid", ctypes.c_uint),
                ("cuid", ctypes.c_uint), ("cgid", ctypes.c_uint), ("mode_and_seq", ctypes.c_uint * 2),
                ("reserved", ctypes.c_ulong * 2)]


class _ShmidDs(ctypes.Structure):
    _fields_ = [("shm_perm", _IpcPerm), ("shm_segsz", ctypes.c_size_t),
                ("shm_atime", ctypes.c_long), ("shm_dtime", ctypes.c_long), ("shm_ctime", ctypes.c_long),
                ("shm_cpid", ctypes.c_int), ("shm_lpid", ctypes.c_int), ("shm_nattch", ctypes.c_ulong),
                ("reserved", ctypes.c_ulong * 2)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
_libc.shmat.restype = ctypes.c_void_p
_libc.shmdt.argtypes = [ctypes.c_void_p]
_libc.shmdt.restype = ctypes.c_int
_libc.shmctl.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
_libc.shmctl.restype = ctypes.c_int


def _os_error(call, shmid):
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.EIDRM) and call != "shmdt":
        message = f"no shared memory segment with id {shmid} (never created, or already freed)"
    else:
        message = f"{call} of shared memory segment {shmid} failed: {os.strerror(err)}"
    return OSError(err, message)


def _stat(shmid):
    ds = _ShmidDs()
    if _libc.shmctl(shmid, _IPC_STAT, ctypes.byref(ds)) == -1:
        raise _os_error("shmctl(IPC_STAT)", shmid)
    return ds


def segment_size(shmid: int) -> int:
    """The size in bytes of segment ``shmid`` (``shmctl(IPC_STAT)``)."""
    return int(_stat(shmid).shm_segsz)


def _attachments(shmid):
    """Number of processes attached to ``shmid`` (for tests)."""
    return int(_stat(shmid).shm_nattch)


def _detach(addr):
    # Runs from weakref.finalize once no array over the mapping is left.
    _libc.shmdt(ctypes.c_void_p(addr))


class SegmentSizeError(OSError):
    """The segment is not the size the geometry says (errno EINVAL)."""


class SegmentBusyError(BufferError):
    """Views of the segment outlived the ``with`` block; it stays attached
    until they are gone."""


def shape(width: int, height: int, depth: int = 1, frames: int = 1) -> Tuple[int, ...]:
    """The numpy shape of a canvas: ``(depth, height, width)``, or
    ``(frames, depth, height, width)`` when ``frames`` > 1."""
    dims = (frames, depth, height, width)
    for name, n in zip(("frames", "depth", "height", "width"), dims):
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
            raise ValueError(f"bad {name} {n!r}: expected an integer >= 1")
    return tuple(int(n) for n in (dims if frames > 1 else dims[1:]))


def _voxel_dtype(dtype):
    dt = np.dtype(dtype)
    if dt.name not in VOXEL_TYPES or not dt.isnative:
        raise ValueError(f"bad voxel type {dtype!r}: expected one of {', '.join(VOXEL_TYPES)} "
                         "(native byte order)")
    return dt


def _count_identical(values, obj):
    # A plain loop: a generator expression would capture `obj` in a closure
    # cell, one more referrer to explain.
    n = 0
    for v in list(values):
        if v is obj:
            n += 1
    return n


def _only_variables(obj, frame, own):
    """True when every reference to ``obj`` is a variable - a local of
    ``frame`` (the code running the ``with`` statement) or an entry of a
    namespace dict - so no object (a masked-array view, a memoryview, an
    as_strided helper...) uses it as its buffer. ``own`` is the number of
    references the calling function itself holds. When in doubt: False.

    No comprehension, generator or lambda here may mention ``obj``: it would
    capture it in a closure cell, one more referrer to explain."""
    # minus getrefcount's argument, our parameter, the caller's own references
    refs = sys.getrefcount(obj) - 2 - own
    explained = 0
    snapshot = None
    if frame is not None and frame.f_code.co_flags & inspect.CO_OPTIMIZED:
        # A function's local variables are invisible to gc: count them by
        # identity through f_locals.
        local_vars = frame.f_locals
        n = _count_identical(local_vars.values(), obj)
        explained += n
        if isinstance(local_vars, dict):
            # Before Python 3.13 f_locals is a snapshot dict kept on the
            # frame: it holds n references of its own, and would keep `obj`
            # and any view in a local variable alive after the script deletes
            # the variable, so take the arrays out of it again. (The next
            # f_locals or locals() refills it; LocalsToFast, for tracers, is
            # always preceded by such a refill.)
            snapshot = local_vars
            for key, value in list(snapshot.items()):
                if isinstance(value, (np.ndarray, memoryview)):
                    del snapshot[key]
            key = value = None
        del local_vars
    for referrer in gc.get_referrers(obj):
        if referrer is snapshot:
            continue
        if not isinstance(referrer, dict):
            return False  # some object holds it, not a variable
        explained += _count_identical(referrer.values(), obj)
    refs = sys.getrefcount(obj) - 2 - own
    return refs == explained


class Segment:
    """One canvas attached by shmid; a context manager whose ``__enter__``
    returns the numpy array. See the module docstring for the lifetime rule."""

    def __init__(self, shmid: int, shape: Sequence[int], dtype: DTypeLike, *, readonly: bool = False) -> None:
        if isinstance(shmid, bool) or not isinstance(shmid, (int, np.integer)) or shmid < 0:
            raise ValueError(f"bad shmid {shmid!r}: expected an integer >= 0")
        self.shmid = int(shmid)
        self.dtype = _voxel_dtype(dtype)
        self.shape = tuple(int(n) for n in shape)
        if not self.shape or any(n < 1 for n in self.shape):
            raise ValueError(f"bad shape {shape!r}: expected dimensions >= 1")
        self.nbytes = math.prod(self.shape) * self.dtype.itemsize
        self.readonly = readonly
        # Attach first, stat second (see the module docstring).
        addr = _libc.shmat(self.shmid, None, _SHM_RDONLY if readonly else 0)
        if addr is None or addr == ctypes.c_void_p(-1).value:
            raise _os_error("shmat", self.shmid)
        try:
            actual = segment_size(self.shmid)
        except OSError:
            _detach(addr)
            raise
        if actual != self.nbytes:
            _detach(addr)
            # WIDTHxHEIGHTxDEPTHxFRAMES, as the C and Rust kits say it
            dims = list(self.shape[::-1]) + [1] * (4 - len(self.shape))
            geometry = "x".join(map(str, dims))
            raise SegmentSizeError(
                errno.EINVAL,
                f"segment {self.shmid} is {actual} bytes, but a {geometry} {self.dtype.name} canvas "
                f"is {self.nbytes} bytes: check the geometry arguments")
        buffer = memoryview((ctypes.c_char * self.nbytes).from_address(addr)).cast("B")
        # The root array's base is the buffer itself (not another array), so
        # every array derived from it holds the root (numpy collapses view
        # chains to the first array whose base is not an array).
        if readonly:
            buffer = buffer.toreadonly()
        root = np.ndarray(self.shape, dtype=self.dtype, buffer=buffer)
        if readonly:
            # A write would fault the process: make numpy refuse it instead.
            # (numpy still lets a script set flags.writeable back to True on
            # such an array; don't.)
            root.flags.writeable = False
        # Detach exactly when the last array over the mapping is gone.
        self._finalizer = weakref.finalize(root, _detach, addr)
        # Not at interpreter exit: arrays may still be in use during shutdown,
        # and the kernel detaches a process's segments when it exits anyway.
        self._finalizer.atexit = False
        self._root = root
        self._array = root.view()

    @property
    def attached(self) -> bool:
        """True until the segment has been detached."""
        return self._finalizer.alive

    @property
    def array(self) -> np.ndarray:
        """The numpy array over the segment (raises after ``close``)."""
        if self._array is None:
            raise ValueError(f"segment {self.shmid} is closed")
        return self._array

    def close(self, _raising: bool = False, _frame: Optional[types.FrameType] = None) -> None:
        """Detach: empty the handed-out array when only variables refer to it,
        drop this object's references, and detach once no view is left.
        Raises SegmentBusyError if views still keep the segment attached."""
        frame = _frame if _frame is not None else sys._getframe(1)
        array, self._array = self._array, None
        if array is not None and _only_variables(array, frame, own=1):
            # Empty and read-only: the `as` variable no longer reaches the mapping.
            array.__setstate__((1, (0,), self.dtype, False, b""))
            array.flags.writeable = False
        del array, frame
        self._root = None
        if self._finalizer.alive:
            message = (f"views of segment {self.shmid} are still alive after the with block: "
                       "it stays attached until they are deleted (del them inside the block, "
                       "or .copy() what must outlive it)")
            if _raising:
                warnings.warn(message, ResourceWarning, stacklevel=3)
            else:
                raise SegmentBusyError(message)

    def __enter__(self) -> np.ndarray:
        return self.array

    def __exit__(self, exc_type: Optional[type], exc: Optional[BaseException],
                 tb: Optional[types.TracebackType]) -> bool:
        self.close(_raising=exc_type is not None, _frame=sys._getframe(1))
        return False

    def __repr__(self) -> str:
        state = "attached" if self.attached else "detached"
        return f"<mxcanvas_client.Segment {self.shmid} {self.shape} {self.dtype.name} {state}>"


def attach(shmid: int, shape: Sequence[int], dtype: DTypeLike, *, readonly: bool = False) -> Segment:
    """Attach segment ``shmid`` as a ``shape`` array of ``dtype`` (one of
    VOXEL_TYPES), size-checked; use it as a context manager."""
    return Segment(shmid, shape, dtype, readonly=readonly)


# ---- command-line helpers: the kit's argument convention ----

def add_canvas_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the kit's positional arguments ``SHMID WIDTH HEIGHT DEPTH FRAMES
    TYPE`` (what ``mx::geometry`` gives in Tcl) to an argparse parser, with
    checked conversions: a bad value is argparse's usage error (exit 2)."""
    import argparse

    def nonnegative(text):
        try:
            value = int(text, 10)
        except ValueError:
            value = -1
        if value < 0:
            raise argparse.ArgumentTypeError(f"bad shmid {text!r}: expected an integer >= 0")
        return value

    def dimension(text):
        try:
            value = int(text, 10)
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(f"bad dimension {text!r}: expected an integer >= 1")
        return value

    parser.add_argument("shmid", type=nonnegative, metavar="SHMID", help="the segment's shmid")
    for name in ("width", "height", "depth", "frames"):
        parser.add_argument(name, type=dimension, metavar=name.upper(), help=f"the canvas's {name}")
    parser.add_argument("type", choices=VOXEL_TYPES, metavar="TYPE",
                        help="voxel type: " + " ".join(VOXEL_TYPES))
    return parser


def attach_args(args: argparse.Namespace, *, readonly: bool = False) -> Segment:
    """Attach the canvas described by arguments from add_canvas_arguments."""
    return attach(args.shmid, shape(args.width, args.height, args.depth, args.frames), args.type,
                  readonly=readonly)
