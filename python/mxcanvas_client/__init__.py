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

Under ``mx::exec`` the canvas comes from the environment variable
``MXCANVAS`` (docs/mxcanvas-env.md), with what its voxels mean::

    seg = mxc.from_env()            # canvas 0; from_env(1) for %id1 ...
    with seg as vol:                # vol[z, y, x], as with attach
        seg.xyz[1, 2, 3] = 777      # voxel (1, 2, 3): nibabel's dataobj order
        print(seg.affine, seg.zooms, seg.scaling, seg.units)

``seg.xyz`` is the same memory indexed ``[x, y, z]`` (``[x, y, z, t]`` for
a series): numpy's transpose, a Fortran-order view, the order of nibabel's
``img.dataobj`` and ``img.affine``. ``canvas_from_args`` gives a tool the
kit's convention: ``tool SHMID WIDTH HEIGHT DEPTH FRAMES TYPE [options]``,
or ``tool [options]`` under ``mx::exec``.

The rule: no view outlives its attachment
-----------------------------------------
Touching memory after ``shmdt`` would crash the interpreter, so (for
``vol`` and ``seg.xyz`` alike):

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
import dataclasses
import errno
import gc
import inspect
import math
import os
import sys
import types
import warnings
import weakref
from typing import TYPE_CHECKING, Any, List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import argparse

__version__ = "0.1.0"

#: What ``dtype`` arguments accept: a voxel type name or a numpy dtype.
DTypeLike = Union[str, np.dtype]

__all__ = [
    "attach", "shape", "Segment", "SegmentSizeError", "SegmentBusyError",
    "segment_size", "VOXEL_TYPES", "add_canvas_arguments", "attach_args",
    "from_env", "describe", "parse_description", "canvas_from_args", "attach_described",
    "Description", "DescribedSegment", "DescriptionError", "Scaling", "ENV", "SHMID_MAX",
]

#: The environment variable mx::exec sets (docs/mxcanvas-env.md).
ENV = "MXCANVAS"

#: The largest shmid: the kernel's ids are C ints, and ctypes would silently
#: truncate a larger Python int (2**32 + 5 would attach segment 5).
SHMID_MAX = 2**31 - 1

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


def _os_error(call: str, shmid: int) -> OSError:
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.EIDRM) and call != "shmdt":
        message = f"no shared memory segment with id {shmid} (never created, or already freed)"
    else:
        message = f"{call} of shared memory segment {shmid} failed: {os.strerror(err)}"
    return OSError(err, message)


def _stat(shmid: int) -> _ShmidDs:
    ds = _ShmidDs()
    if _libc.shmctl(shmid, _IPC_STAT, ctypes.byref(ds)) == -1:
        raise _os_error("shmctl(IPC_STAT)", shmid)
    return ds


def _check_shmid(shmid: object) -> int:
    if isinstance(shmid, bool) or not isinstance(shmid, (int, np.integer)) or not 0 <= shmid <= SHMID_MAX:
        raise ValueError(f"bad shmid {shmid!r}: expected an integer from 0 to {SHMID_MAX}")
    return int(shmid)


def segment_size(shmid: int) -> int:
    """The size in bytes of segment ``shmid`` (``shmctl(IPC_STAT)``)."""
    return int(_stat(_check_shmid(shmid)).shm_segsz)


def _attachments(shmid: int) -> int:
    """Number of processes attached to ``shmid`` (for tests)."""
    return int(_stat(shmid).shm_nattch)


def _detach(addr: int) -> None:
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


def _voxel_dtype(dtype: DTypeLike) -> "np.dtype[Any]":
    dt = np.dtype(dtype)
    if dt.name not in VOXEL_TYPES or not dt.isnative:
        raise ValueError(f"bad voxel type {dtype!r}: expected one of {', '.join(VOXEL_TYPES)} "
                         "(native byte order)")
    return dt


def _count_identical(values: Any, obj: object) -> int:
    # A plain loop: a generator expression would capture `obj` in a closure
    # cell, one more referrer to explain.
    n = 0
    for v in list(values):
        if v is obj:
            n += 1
    return n


def _only_variables(obj: object, frame: Optional[types.FrameType], own: int) -> bool:
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
            for key in [k for k, v in snapshot.items() if isinstance(v, (np.ndarray, memoryview))]:
                del snapshot[key]
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
        self.shmid = _check_shmid(shmid)
        self.dtype: "np.dtype[Any]" = _voxel_dtype(dtype)
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
        self._root: Optional[npt.NDArray[Any]] = root
        self._array: Optional[npt.NDArray[Any]] = root.view()
        # [x, y, z(, t)]: the transpose of the C-ordered root, a Fortran-order
        # view (its base is root, as for every view).
        self._xyz: Optional[npt.NDArray[Any]] = root.T

    @property
    def attached(self) -> bool:
        """True until the segment has been detached."""
        return self._finalizer.alive

    @property
    def array(self) -> npt.NDArray[Any]:
        """The numpy array over the segment, C order: ``array[z, y, x]`` or
        ``array[t, z, y, x]`` (raises after ``close``)."""
        if self._array is None:
            raise ValueError(f"segment {self.shmid} is closed")
        return self._array

    @property
    def xyz(self) -> npt.NDArray[Any]:
        """The same voxels indexed ``[x, y, z]`` (``[x, y, z, t]`` for a
        series), as nibabel's ``img.dataobj``: a writable (unless readonly)
        Fortran-order view, so ``seg.xyz[1, 2, 3] = 777`` sets voxel (1, 2, 3).
        Closed with the segment, under the same lifetime rule as ``array``."""
        if self._xyz is None:
            raise ValueError(f"segment {self.shmid} is closed")
        return self._xyz

    def close(self, _raising: bool = False, _frame: Optional[types.FrameType] = None) -> None:
        """Detach: empty the handed-out array when only variables refer to it,
        drop this object's references, and detach once no view is left.
        Raises SegmentBusyError if views still keep the segment attached."""
        frame = _frame if _frame is not None else sys._getframe(1)
        for name in ("_array", "_xyz"):
            array = getattr(self, name)
            setattr(self, name, None)
            if array is not None and _only_variables(array, frame, own=1):
                # Empty and read-only: the `as` variable no longer reaches the mapping.
                array.__setstate__((1, (0,), self.dtype, False, b""))
                array.flags.writeable = False
            del array
        del frame
        self._root = None
        if self._finalizer.alive:
            message = (f"views of segment {self.shmid} are still alive after the with block: "
                       "it stays attached until they are deleted (del them inside the block, "
                       "or .copy() what must outlive it)")
            if _raising:
                warnings.warn(message, ResourceWarning, stacklevel=3)
            else:
                raise SegmentBusyError(message)

    def __enter__(self) -> npt.NDArray[Any]:
        return self.array

    def __exit__(self, exc_type: Optional[type], exc: Optional[BaseException],
                 tb: Optional[types.TracebackType]) -> None:
        # Returns None: an exception from the body is never swallowed.
        self.close(_raising=exc_type is not None, _frame=sys._getframe(1))

    def __repr__(self) -> str:
        state = "attached" if self.attached else "detached"
        return f"<mxcanvas_client.Segment {self.shmid} {self.shape} {self.dtype.name} {state}>"


def attach(shmid: int, shape: Sequence[int], dtype: DTypeLike, *, readonly: bool = False) -> Segment:
    """Attach segment ``shmid`` as a ``shape`` array of ``dtype`` (one of
    VOXEL_TYPES), size-checked; use it as a context manager."""
    return Segment(shmid, shape, dtype, readonly=readonly)


# ---- MXCANVAS: the canvases mx::exec hands over, described ----

_SPACE_UNITS = ("unknown", "meter", "mm", "micron")
_TIME_UNITS = ("unknown", "sec", "msec", "usec", "hz", "ppm", "rads")
_KEYS = (
    ("shmid", f"an integer from 0 to {SHMID_MAX}"),
    ("width", "an integer >= 1"), ("height", "an integer >= 1"), ("depth", "an integer >= 1"),
    ("frames", "an integer >= 1"),
    ("type", "one of " + " ".join(VOXEL_TYPES)),
    ("bytes", "an integer"),
    ("spacing", "three numbers dx,dy,dz"),
    ("tstep", "a number"),
    ("units", "SPACE,TIME: " + " ".join(_SPACE_UNITS) + ", then " + " ".join(_TIME_UNITS)),
    ("slope", "a number"), ("inter", "a number"),
    ("affine", "16 numbers, the 4x4 matrix row by row"),
)
_REAL_CHARS = frozenset("0123456789+-.eE")


class DescriptionError(ValueError):
    """MXCANVAS is not set, is malformed, or has no canvas of that index."""


class Scaling(NamedTuple):
    """The header's value scaling: real value = stored * slope + inter."""
    slope: float
    inter: float


@dataclasses.dataclass(frozen=True)
class Description:
    """One canvas as MXCANVAS describes it (or as the six canvas arguments
    give it: then unit spacing, unknown units, no scaling, identity affine)."""
    index: int
    shmid: int
    width: int
    height: int
    depth: int
    frames: int
    type: str
    nbytes: int
    spacing: Tuple[float, float, float]
    tstep: float
    units: Tuple[str, str]
    scaling: Scaling
    affine: Tuple[float, ...]  # 16 numbers, row by row
    from_env: bool

    @property
    def shape(self) -> Tuple[int, ...]:
        """The numpy (C order) shape: ``shape(width, height, depth, frames)``."""
        return shape(self.width, self.height, self.depth, self.frames)

    @property
    def zooms(self) -> Tuple[float, ...]:
        """nibabel's ``header.get_zooms()``: the spacing, and the time step
        when there is more than one frame."""
        return self.spacing + ((self.tstep,) if self.frames > 1 else ())


def _unsigned(text: str, low: int, high: Optional[int] = None) -> Optional[int]:
    # At most 20 digits (2**64 has 20): Python refuses to convert strings of
    # over 4300 digits with a ValueError of its own, and no size needs more.
    if not text or len(text) > 20 or not text.isascii() or not text.isdigit():
        return None
    value = int(text, 10)
    return value if value >= low and (high is None or value <= high) else None


def _real(text: str) -> Optional[float]:
    lower = text.lower()
    word = lower[1:] if lower[:1] in ("+", "-") else lower
    if word not in ("nan", "inf"):
        if not text or not set(text) <= _REAL_CHARS:
            return None
    try:
        value = float(lower)
    except ValueError:
        return None
    return value if word in ("nan", "inf") or math.isfinite(value) else None


def _reals(text: str, n: int) -> Optional[Tuple[float, ...]]:
    parts = [_real(p) for p in text.split(",")]
    if len(parts) != n or any(p is None for p in parts):
        return None
    return tuple(float(p) for p in parts if p is not None)


def _cut(text: str) -> str:
    return text[:60]


def _bad(reason: str) -> DescriptionError:
    return DescriptionError(f"MXCANVAS: {reason}")


def _parse_line(words: str, n: int) -> Description:
    values: List[str] = []
    rest: Optional[str] = words
    for k, (key, _) in enumerate(_KEYS):
        if rest is None:
            raise _bad(f"canvas {n}: the line ends after {_KEYS[k - 1][0]}: expected {key}= next")
        word, sep, after = rest.partition(" ")
        rest = after if sep and k < len(_KEYS) - 1 else None
        if not word.startswith(key + "="):
            raise _bad(f"canvas {n}: expected key {key}= where \"{_cut(word)}\" is")
        values.append(word[len(key) + 1:])

    def bad(k: int) -> DescriptionError:
        key, expected = _KEYS[k]
        return _bad(f"canvas {n}: bad {key} \"{_cut(values[k])}\": expected {expected}")

    ints = [_unsigned(values[0], 0, SHMID_MAX)] + [_unsigned(v, 1) for v in values[1:5]]
    for k, v in enumerate(ints):
        if v is None:
            raise bad(k)
    shmid, width, height, depth, frames = (int(v) for v in ints if v is not None)
    if values[5] not in VOXEL_TYPES:
        raise bad(5)
    nbytes = _unsigned(values[6], 1)
    if nbytes is None:
        raise bad(6)
    spacing = _reals(values[7], 3)
    if spacing is None:
        raise bad(7)
    reals = {k: _real(values[k]) for k in (8, 10, 11)}
    for k, real in reals.items():
        if real is None:
            raise bad(k)
    space, comma, time = values[9].partition(",")
    if not comma or space not in _SPACE_UNITS or time not in _TIME_UNITS:
        raise bad(9)
    affine = _reals(values[12], 16)
    if affine is None:
        raise bad(12)
    expected = width * height * depth * frames * np.dtype(values[5]).itemsize
    if expected != nbytes:
        raise _bad(f"canvas {n}: bytes={nbytes}, but a {width}x{height}x{depth}x{frames} "
                               f"{values[5]} canvas is {expected} bytes")
    return Description(
        index=n, shmid=shmid, width=width, height=height, depth=depth, frames=frames, type=values[5],
        nbytes=nbytes, spacing=(spacing[0], spacing[1], spacing[2]), tstep=float(reals[8] or 0.0),
        units=(space, time), scaling=Scaling(float(reals[10] or 0.0), float(reals[11] or 0.0)),
        affine=affine, from_env=True)


def parse_description(text: str, index: int = 0) -> Description:
    """Canvas ``index`` of a description (MXCANVAS's value, version 1).
    Every line is checked, not only the one asked for; keys a later version
    appends after ``affine`` are ignored. Raises DescriptionError."""
    head = "mxcanvas 1\n"
    if not text.startswith(head):
        first = text.split("\n", 1)[0]
        if text == "mxcanvas 1":
            raise _bad('the first line "mxcanvas 1" does not end with a newline: '
                                   "expected one after every line")
        raise _bad(f'the first line "{_cut(first)}" is not "mxcanvas 1": '
                               "expected version 1 of the format")
    lines = text[len(head):].split("\n")
    if lines[-1] != "":
        raise _bad(f"line {len(lines) + 1} does not end with a newline: "
                               f'expected "canvas {len(lines) - 1} ...\\n"')
    found = None
    for n, line in enumerate(lines[:-1]):
        prefix = f"canvas {n} "
        if not line.startswith(prefix):
            raise _bad(f'line {n + 2}: expected "canvas {n} ..." where "{_cut(line)}" is')
        description = _parse_line(line[len(prefix):], n)
        if n == index:
            found = description
    if found is None:
        n = len(lines) - 1
        described = {0: "no canvas", 1: "1 canvas (0)"}.get(n, f"{n} canvases (0 to {n - 1})")
        raise _bad(f"no canvas {index}: MXCANVAS describes {described}")
    return found


def describe(index: int = 0) -> Description:
    """Canvas ``index`` of the environment's MXCANVAS (the N of mx::exec's
    ``%idN``), without attaching it. Raises DescriptionError."""
    text = os.environ.get(ENV)
    if text is None:
        raise _bad("not set: expected a description of the canvases (mx::exec sets it)")
    return parse_description(text, index)


class DescribedSegment(Segment):
    """A Segment with what MXCANVAS says its voxels mean."""

    def __init__(self, description: Description, *, readonly: bool = False) -> None:
        try:
            super().__init__(description.shmid, description.shape, description.type, readonly=readonly)
        except SegmentSizeError as e:
            if not description.from_env:
                raise
            actual = segment_size(description.shmid)
            raise SegmentSizeError(
                errno.EINVAL,
                f"MXCANVAS: canvas {description.index}: segment {description.shmid} is {actual} bytes, but "
                f"MXCANVAS describes a {description.width}x{description.height}x{description.depth}x"
                f"{description.frames} {description.type} canvas of {description.nbytes} bytes") from e
        self.description = description

    @property
    def affine(self) -> npt.NDArray[np.float64]:
        """The 4x4 voxel-to-world matrix (mm, RAS+): nibabel's ``img.affine``
        (a new array each time)."""
        return np.array(self.description.affine, dtype=np.float64).reshape(4, 4)

    @property
    def zooms(self) -> Tuple[float, ...]:
        """nibabel's ``header.get_zooms()``: (dx, dy, dz), and the time step
        when there is more than one frame."""
        return self.description.zooms

    @property
    def scaling(self) -> Scaling:
        """(slope, inter): real value = stored * slope + inter."""
        return self.description.scaling

    @property
    def units(self) -> Tuple[str, str]:
        """(space, time) unit names, nibabel's ``header.get_xyzt_units()``."""
        return self.description.units


def attach_described(description: Description, *, readonly: bool = False) -> DescribedSegment:
    """Attach the canvas a Description names (from MXCANVAS or from
    ``canvas_from_args``), size-checked."""
    return DescribedSegment(description, readonly=readonly)


def from_env(index: int = 0, readonly: bool = False) -> DescribedSegment:
    """Attach canvas ``index`` of MXCANVAS: the same context-managed Segment
    as ``attach``, plus ``.affine``, ``.zooms``, ``.scaling``, ``.units`` and
    ``.xyz``. Raises DescriptionError (no MXCANVAS, malformed, no such
    index) or SegmentSizeError (the segment is not the described size)."""
    return DescribedSegment(describe(index), readonly=readonly)


def canvas_from_args(argv: Sequence[str]) -> Tuple[Description, List[str]]:
    """The kit's argument convention: ``SHMID WIDTH HEIGHT DEPTH FRAMES TYPE``
    first when given (at least six arguments, the first five unsigned
    decimal integers), else canvas 0 of MXCANVAS. Returns the description
    and the remaining arguments (the tool's own options). Raises
    DescriptionError with a message for the user."""
    argv = list(argv)
    if len(argv) >= 6 and all(a.isascii() and a.isdigit() for a in argv[:5]):
        shmid = _unsigned(argv[0], 0, SHMID_MAX)
        if shmid is None:
            raise DescriptionError(f"bad shmid \"{argv[0]}\": expected an integer from 0 to {SHMID_MAX}")
        dims = [_unsigned(a, 1) for a in argv[1:5]]
        for name, text, value in zip(("width", "height", "depth", "frames"), argv[1:5], dims):
            if value is None:
                raise DescriptionError(f"bad {name} \"{text}\": expected an integer >= 1")
        if argv[5] not in VOXEL_TYPES:
            raise DescriptionError(f"bad voxel type \"{argv[5]}\": expected one of {', '.join(VOXEL_TYPES)}")
        width, height, depth, frames = (int(d or 1) for d in dims)
        identity = tuple(float(r == c) for r in range(4) for c in range(4))
        return Description(
            index=0, shmid=shmid, width=width, height=height, depth=depth, frames=frames, type=argv[5],
            nbytes=width * height * depth * frames * np.dtype(argv[5]).itemsize, spacing=(1.0, 1.0, 1.0),
            tstep=1.0, units=("unknown", "unknown"), scaling=Scaling(1.0, 0.0), affine=identity,
            from_env=False), argv[6:]
    try:
        return describe(0), argv
    except DescriptionError as e:
        raise DescriptionError(f"{e} (or give SHMID WIDTH HEIGHT DEPTH FRAMES TYPE as the first arguments)") from None


# ---- command-line helpers: the kit's argument convention ----

def add_canvas_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the kit's positional arguments ``SHMID WIDTH HEIGHT DEPTH FRAMES
    TYPE`` (what ``mx::geometry`` gives in Tcl) to an argparse parser, with
    checked conversions: a bad value is argparse's usage error (exit 2)."""
    import argparse

    def nonnegative(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            value = -1
        if not 0 <= value <= SHMID_MAX:
            raise argparse.ArgumentTypeError(f"bad shmid {text!r}: expected an integer from 0 to {SHMID_MAX}")
        return value

    def dimension(text: str) -> int:
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
