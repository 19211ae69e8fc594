"""Tests of mxcanvas_client against the real kernel (run with the project
venv: .venv/bin/python -m unittest discover -s python). Each test makes its
own private segments and removes them."""

import argparse
import ctypes
import errno
import gc
import os
import subprocess
import sys
import unittest
import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mxcanvas_client as mxc  # noqa: E402

_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmctl.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
IPC_PRIVATE, IPC_CREAT, IPC_EXCL, IPC_RMID = 0, 0o1000, 0o2000, 0


class SegmentTest(unittest.TestCase):
    def segment(self, nbytes):
        shmid = _libc.shmget(IPC_PRIVATE, nbytes, IPC_CREAT | IPC_EXCL | 0o600)
        if shmid == -1:
            raise OSError(ctypes.get_errno(), "shmget")
        self.addCleanup(_libc.shmctl, shmid, IPC_RMID, None)
        return shmid

    def assertDetached(self, shmid):
        self.assertEqual(mxc._attachments(shmid), 0)


class LayoutTest(SegmentTest):
    def test_shmid_ds_layout_agrees_with_the_kernel(self):
        # /proc/sysvipc/shm lists every segment's size: the hand-written
        # struct must read the same number.
        shmid = self.segment(12345)
        with open("/proc/sysvipc/shm") as f:
            rows = [line.split() for line in f][1:]
        size = {int(r[1]): int(r[3]) for r in rows}[shmid]
        self.assertEqual(size, 12345)
        self.assertEqual(mxc.segment_size(shmid), 12345)

    def test_shape(self):
        self.assertEqual(mxc.shape(4, 3), (1, 3, 4))
        self.assertEqual(mxc.shape(4, 3, 2), (2, 3, 4))
        self.assertEqual(mxc.shape(4, 3, 2, 5), (5, 2, 3, 4))
        for bad in [(0, 3), (4, -1), (4, 3, 2.0), (True, 3)]:
            with self.assertRaises(ValueError):
                mxc.shape(*bad)


class AttachTest(SegmentTest):
    def test_wrong_size_is_einval_and_attaches_nothing(self):
        shmid = self.segment(96)
        with self.assertRaises(mxc.SegmentSizeError) as cm:
            mxc.attach(shmid, (2, 3, 4), "float64")
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertIsInstance(cm.exception, OSError)
        self.assertIn(f"segment {shmid} is 96 bytes, but a 4x3x2x1 float64 canvas is 192 bytes",
                      str(cm.exception))
        self.assertDetached(shmid)

    def test_bad_and_removed_ids(self):
        with self.assertRaises(ValueError):
            mxc.attach(-1, (1,), "uint8")
        shmid = self.segment(8)
        _libc.shmctl(shmid, IPC_RMID, None)
        with self.assertRaises(OSError) as cm:
            mxc.attach(shmid, (8,), "uint8")
        self.assertIn(cm.exception.errno, (errno.EINVAL, errno.EIDRM))
        self.assertIn("no shared memory segment", str(cm.exception))

    def test_only_contract_types(self):
        shmid = self.segment(64)
        for bad in ("float16", "object", "complex64", ">f4" if sys.byteorder == "little" else "<f4", "bool"):
            with self.assertRaises(ValueError, msg=bad):
                mxc.attach(shmid, (8,), bad)

    def test_zero_copy_and_detach_on_exit(self):
        shmid = self.segment(4 * 3 * 2 * 4)
        with mxc.attach(shmid, mxc.shape(4, 3, 2), "float32") as vol:
            self.assertEqual(vol.shape, (2, 3, 4))
            self.assertEqual(mxc._attachments(shmid), 1)
            vol[1, 2, 3] = 7.5  # voxel (3, 2, 1): offset (1*3 + 2)*4 + 3 = 23
            with mxc.attach(shmid, (24,), "float32") as flat:
                self.assertEqual(flat[23], 7.5)
                flat[0] = -1
            self.assertEqual(vol[0, 0, 0], -1)
        self.assertDetached(shmid)
        # the `as` variable can no longer reach the memory
        self.assertEqual(vol.shape, (0,))
        self.assertFalse(vol.flags.writeable)

    def test_every_voxel_type(self):
        for name in mxc.VOXEL_TYPES:
            dt = np.dtype(name)
            shmid = self.segment(5 * dt.itemsize)
            with mxc.attach(shmid, (5,), name) as v:
                self.assertEqual(v.dtype, dt)
                v[:] = np.arange(5)
            with mxc.attach(shmid, (5,), name, readonly=True) as v:
                self.assertEqual(v.tolist(), [0, 1, 2, 3, 4])
            self.assertDetached(shmid)

    def test_readonly_refuses_writes(self):
        shmid = self.segment(16)
        with mxc.attach(shmid, (4,), "int32", readonly=True) as v:
            with self.assertRaises(ValueError):
                v[0] = 1
            self.assertFalse(v[1:].flags.writeable)
        self.assertDetached(shmid)

    def test_explicit_close(self):
        shmid = self.segment(8)
        seg = mxc.attach(shmid, (8,), "uint8")
        seg.array[:] = 3
        seg.close()
        self.assertFalse(seg.attached)
        self.assertDetached(shmid)
        with self.assertRaises(ValueError):
            seg.array


class LifetimeTest(SegmentTest):
    """No view outlives its attachment."""

    def kept(self, make):
        shmid = self.segment(96)
        seg = mxc.attach(shmid, (2, 3, 4), "float32")
        with self.assertRaises(mxc.SegmentBusyError):
            with seg as vol:
                vol[...] = 5
                view = make(vol)
        # the view still works: the segment is still attached
        self.assertEqual(mxc._attachments(shmid), 1)
        self.assertTrue(seg.attached)
        self.assertEqual(float(np.asarray(view).ravel()[0]), 5.0)
        del view, vol
        gc.collect()
        self.assertDetached(shmid)

    def test_slice_kept(self):
        self.kept(lambda v: v[1])

    def test_reshape_kept(self):
        self.kept(lambda v: v.reshape(-1))

    def test_sliding_window_kept(self):
        self.kept(lambda v: sliding_window_view(v, 2, axis=2))

    def test_as_strided_kept(self):
        self.kept(lambda v: as_strided(v))

    def test_masked_array_kept(self):
        self.kept(lambda v: v.view(np.ma.MaskedArray))

    def test_memoryview_kept(self):
        self.kept(lambda v: memoryview(v))

    def test_alias_variables_are_emptied_too(self):
        shmid = self.segment(8)
        with mxc.attach(shmid, (8,), "uint8") as vol:
            alias = vol
        self.assertDetached(shmid)
        self.assertIs(alias, vol)
        self.assertEqual(alias.size, 0)

    def test_module_level_with_block(self):
        # A script's top level keeps variables in a dict, not a frame's fast
        # locals: the `as` variable is emptied and the segment detached there too.
        shmid = self.segment(24)
        script = (
            "import sys; sys.path.insert(0, sys.argv[2]); import mxcanvas_client as mxc\n"
            "with mxc.attach(int(sys.argv[1]), (2, 3), 'float32') as vol:\n"
            "    vol += 1.5\n"
            "print(mxc._attachments(int(sys.argv[1])), vol.shape)\n")
        out = subprocess.run([sys.executable, "-c", script, str(shmid), os.path.dirname(mxc.__file__)],
                             capture_output=True, text=True, check=True).stdout
        self.assertEqual(out.strip(), "0 (0,)")
        with mxc.attach(shmid, (6,), "float32", readonly=True) as v:
            self.assertEqual(v.tolist(), [1.5] * 6)

    def test_error_in_body_is_not_hidden(self):
        shmid = self.segment(8)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with self.assertRaises(KeyError):
                with mxc.attach(shmid, (8,), "uint8") as vol:
                    view = vol[2:]
                    raise KeyError("from the body")
        self.assertTrue(any(issubclass(w.category, ResourceWarning) for w in caught))
        self.assertEqual(mxc._attachments(shmid), 1)
        del view
        self.assertDetached(shmid)

    def test_error_in_body_without_views_detaches(self):
        shmid = self.segment(8)
        with self.assertRaises(KeyError):
            with mxc.attach(shmid, (8,), "uint8") as vol:
                vol[0] = 1
                raise KeyError("from the body")
        self.assertDetached(shmid)


class ArgumentsTest(SegmentTest):
    def parser(self):
        p = argparse.ArgumentParser(prog="tool")
        return mxc.add_canvas_arguments(p)

    def test_parse_and_attach(self):
        shmid = self.segment(4 * 3 * 2 * 2 * 2)
        args = self.parser().parse_args([str(shmid), "4", "3", "2", "2", "int16"])
        with mxc.attach_args(args) as v:
            self.assertEqual(v.shape, (2, 2, 3, 4))
            self.assertEqual(v.dtype, np.int16)
        self.assertDetached(shmid)

    def test_bad_arguments_exit_2(self):
        for argv in (["-1", "4", "3", "2", "1", "uint8"], ["1", "0", "3", "2", "1", "uint8"],
                     ["1", "4", "3", "2", "1", "int128"], ["1", "4", "3"]):
            with self.assertRaises(SystemExit) as cm, open(os.devnull, "w") as null:
                stderr, sys.stderr = sys.stderr, null
                try:
                    self.parser().parse_args(argv)
                finally:
                    sys.stderr = stderr
            self.assertEqual(cm.exception.code, 2, argv)


if __name__ == "__main__":
    unittest.main()
