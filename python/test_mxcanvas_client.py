"""Tests of mxcanvas_client against the real kernel (run with the project
venv: .venv/bin/python -m unittest discover -s python). Each test makes its
own private segments and removes them."""

import argparse
import ctypes
import errno
import gc
import os
import shutil
import subprocess
import sys
import tempfile
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

    def test_shmid_beyond_an_int_is_refused_not_truncated(self):
        # ctypes would pass 2**32 + id to shmat as id: attach segment id.
        shmid = self.segment(8)
        for bad in (2**32 + shmid, 2**31, 2**64 + shmid, -1, True, 1.0):
            with self.assertRaises(ValueError, msg=bad) as cm:
                mxc.attach(bad, (8,), "uint8")  # type: ignore[arg-type]
            self.assertIn("expected an integer from 0 to 2147483647", str(cm.exception))
            with self.assertRaises(ValueError, msg=bad):
                mxc.segment_size(bad)  # type: ignore[arg-type]
        self.assertDetached(shmid)
        with mxc.attach(np.int64(shmid), (8,), "uint8") as v:
            self.assertEqual(v.size, 8)
        with self.assertRaises(SystemExit), open(os.devnull, "w") as null:
            stderr, sys.stderr = sys.stderr, null
            try:
                mxc.add_canvas_arguments(argparse.ArgumentParser()).parse_args(
                    [str(2**32 + shmid), "8", "1", "1", "1", "uint8"])
            finally:
                sys.stderr = stderr

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
        out = subprocess.run([sys.executable, "-c", script, str(shmid), os.path.dirname(os.path.dirname(mxc.__file__))],
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

AFFINE = "affine=-4,0,0,126,0,4,0,-90,0,0,8,-72,0,0,0,1"


def describe(shmid, geometry, extra=""):
    return (f"mxcanvas 1\ncanvas 0 shmid={shmid} {geometry} spacing=4,4.5,8 tstep=3 units=mm,sec "
            f"slope=0.0754 inter=3100.8 {AFFINE}{extra}\n")


class EnvTest(SegmentTest):
    """from_env and the MXCANVAS parser (docs/mxcanvas-env.md)."""

    def setUp(self):
        saved = os.environ.get(mxc.ENV)
        self.addCleanup(lambda: os.environ.__setitem__(mxc.ENV, saved) if saved is not None
                        else os.environ.pop(mxc.ENV, None))
        os.environ.pop(mxc.ENV, None)

    def test_from_env_gives_the_description_and_an_xyz_view(self):
        shmid = self.segment(4 * 3 * 2 * 2)
        os.environ[mxc.ENV] = describe(shmid, "width=4 height=3 depth=2 frames=1 type=int16 bytes=48")
        seg = mxc.from_env()
        self.assertIsInstance(seg, mxc.Segment)
        with seg as vol:
            self.assertEqual(vol.shape, (2, 3, 4))
            self.assertEqual(seg.xyz.shape, (4, 3, 2))
            self.assertTrue(seg.xyz.flags.f_contiguous and seg.xyz.flags.writeable)
            seg.xyz[1, 2, 1] = 777       # voxel (1, 2, 1): offset (1*3 + 2)*4 + 1 = 21
            self.assertEqual(vol[1, 2, 1], 777)
            self.assertEqual(vol.reshape(-1)[21], 777)
            np.testing.assert_array_equal(seg.affine, [[-4, 0, 0, 126], [0, 4, 0, -90], [0, 0, 8, -72], [0, 0, 0, 1]])
            self.assertEqual(seg.affine.dtype, np.float64)
            self.assertEqual(seg.zooms, (4.0, 4.5, 8.0))
            self.assertEqual(seg.scaling, (0.0754, 3100.8))
            self.assertEqual(seg.scaling.slope, 0.0754)
            self.assertEqual(seg.units, ("mm", "sec"))
        self.assertDetached(shmid)
        with self.assertRaises(ValueError):
            seg.xyz
        ro = mxc.from_env(0, readonly=True)
        with ro as vol:
            self.assertEqual((vol[1, 2, 1], ro.xyz[1, 2, 1]), (777, 777))
            self.assertFalse(vol.flags.writeable or ro.xyz.flags.writeable)
            with self.assertRaises(ValueError):
                ro.xyz[0, 0, 0] = 1
        self.assertDetached(shmid)

    def test_a_series_is_x_y_z_t(self):
        shmid = self.segment(4 * 3 * 2 * 5 * 4)
        os.environ[mxc.ENV] = describe(shmid, "width=4 height=3 depth=2 frames=5 type=float32 bytes=480")
        seg = mxc.from_env()
        with seg as vol:
            self.assertEqual((vol.shape, seg.xyz.shape), ((5, 2, 3, 4), (4, 3, 2, 5)))
            seg.xyz[3, 1, 0, 4] = 2.5    # ((4*2 + 0)*3 + 1)*4 + 3 = 103
            self.assertEqual(vol.reshape(-1)[103], 2.5)
            self.assertEqual(seg.zooms, (4.0, 4.5, 8.0, 3.0))

    def test_xyz_in_a_variable_is_emptied_a_kept_slice_keeps_it_attached(self):
        shmid = self.segment(24)
        os.environ[mxc.ENV] = describe(shmid, "width=2 height=3 depth=1 frames=1 type=float32 bytes=24")
        seg = mxc.from_env()
        with seg:
            xyz = seg.xyz
            xyz[...] = 1
        self.assertDetached(shmid)
        self.assertEqual(xyz.shape, (0,))
        seg = mxc.from_env()
        with self.assertRaises(mxc.SegmentBusyError):
            with seg:
                column = seg.xyz[1]
        self.assertEqual(mxc._attachments(shmid), 1)
        self.assertEqual(column.tolist(), [[1.0], [1.0], [1.0]])
        del column
        gc.collect()
        self.assertDetached(shmid)

    def test_two_canvases_and_a_missing_index(self):
        a, b = self.segment(8), self.segment(16)
        text = describe(a, "width=8 height=1 depth=1 frames=1 type=uint8 bytes=8")
        text += (f"canvas 1 shmid={b} width=2 height=1 depth=1 frames=1 type=float64 bytes=16 spacing=1,1,1 "
                 "tstep=1 units=unknown,unknown slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1 later=1\n")
        os.environ[mxc.ENV] = text
        with mxc.from_env(1) as v:
            self.assertEqual((v.dtype.name, v.shape), ("float64", (1, 1, 2)))
        with self.assertRaises(mxc.DescriptionError) as cm:
            mxc.from_env(2)
        self.assertEqual(str(cm.exception), "MXCANVAS: no canvas 2: MXCANVAS describes 2 canvases (0 to 1)")
        self.assertDetached(a)
        self.assertDetached(b)

    def test_unset_and_size_mismatch_are_clear_errors(self):
        with self.assertRaises(mxc.DescriptionError) as cm:
            mxc.from_env()
        self.assertIn("MXCANVAS: not set", str(cm.exception))
        shmid = self.segment(48)
        os.environ[mxc.ENV] = describe(shmid, "width=4 height=3 depth=2 frames=1 type=int32 bytes=96")
        with self.assertRaises(mxc.SegmentSizeError) as cm:
            mxc.from_env()
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertIn(f"MXCANVAS: canvas 0: segment {shmid} is 48 bytes, but MXCANVAS describes a 4x3x2x1 int32 "
                      "canvas of 96 bytes", str(cm.exception))
        self.assertDetached(shmid)
        os.environ[mxc.ENV] = describe(2**32 + shmid, "width=4 height=3 depth=2 frames=1 type=int16 bytes=48")
        with self.assertRaises(mxc.DescriptionError) as cm:
            mxc.from_env()
        self.assertIn(f'bad shmid "{2**32 + shmid}"', str(cm.exception))
        self.assertDetached(shmid)

    def test_malformed_descriptions_are_refused(self):
        good = describe(7, "width=4 height=3 depth=2 frames=1 type=int16 bytes=48")
        self.assertEqual(mxc.parse_description(good).nbytes, 48)
        self.assertEqual(mxc.parse_description(good.replace("tstep=3", "tstep=NaN")).tstep != 0, True)
        cases = [
            ("", 'the first line "" is not "mxcanvas 1"'),
            (good.replace("mxcanvas 1", "mxcanvas 2"), 'the first line "mxcanvas 2"'),
            ("mxcanvas 1", "does not end with a newline"),
            (good[:-1], "line 2 does not end with a newline"),
            (good + "\n", 'line 3: expected "canvas 1 ..."'),
            (good.replace("canvas 0", "canvas 1"), 'line 2: expected "canvas 0 ..."'),
            (good.replace("bytes=48", "bytes=47"), "canvas 0: bytes=47, but a 4x3x2x1 int16 canvas is 48 bytes"),
            (good.replace("width=4", "width=0"), 'canvas 0: bad width "0": expected an integer >= 1'),
            (good.replace("width=4", "width=+4"), 'bad width "+4"'),
            (good.replace("width=4", "width=" + "9" * 5000), 'bad width "999'),
            (good.replace("bytes=48", "bytes=" + "9" * 21), 'bad bytes "999'),
            (good.replace("width=4", "width=٤"), "bad width"),  # a non-ASCII digit
            (good.replace("type=int16", "type=int128"), 'bad type "int128"'),
            (good.replace("width=4 height=3", "height=3 width=4"), 'expected key width= where "height=3" is'),
            (good.replace("width=4 ", "width=4  "), 'expected key height= where "" is'),
            (good.replace("spacing=4,4.5,8", "spacing=4,4.5"), "bad spacing"),
            (good.replace("spacing=4,4.5,8", "spacing=4,,8"), "bad spacing"),
            (good.replace("tstep=3", "tstep=0x10"), "bad tstep"),
            (good.replace("tstep=3", "tstep=1_0"), "bad tstep"),
            (good.replace("tstep=3", "tstep=1e999"), "bad tstep"),
            (good.replace("units=mm,sec", "units=cm,sec"), "bad units"),
            (good.replace("slope=0.0754", "slope=infinity"), "bad slope"),
            (good.replace(",0,0,0,1\n", ",0,0,0\n"), "bad affine"),
            (good.replace(" " + AFFINE, ""), "the line ends after inter: expected affine= next"),
            (good + "canvas 1 shmid=x\n", "canvas 1: "),
            (good + "canvas 1 shmid=x" + good.split("shmid=7", 1)[1], 'canvas 1: bad shmid "x"'),
        ]
        for text, message in cases:
            with self.assertRaises(mxc.DescriptionError, msg=text) as cm:
                mxc.parse_description(text)
            self.assertTrue(str(cm.exception).startswith("MXCANVAS: "), str(cm.exception))
            self.assertIn(message, str(cm.exception), text)

    def test_canvas_from_args_first_else_the_environment(self):
        d, rest = mxc.canvas_from_args(["5", "4", "3", "2", "1", "int16", "--x", "1"])
        self.assertEqual((d.shmid, d.nbytes, d.shape, d.from_env, rest), (5, 48, (2, 3, 4), False, ["--x", "1"]))
        self.assertEqual((d.scaling, d.units, d.affine[:5]), ((1.0, 0.0), ("unknown", "unknown"), (1, 0, 0, 0, 0)))
        for argv, message in ((["5", "4", "3", "2", "1", "int128"], 'bad voxel type "int128"'),
                              (["5", "4", "0", "2", "1", "int16"], 'bad height "0"'),
                              ([str(2**32 + 5), "4", "3", "2", "1", "int16"], "bad shmid"),
                              (["--x", "1"], "MXCANVAS: not set")):
            with self.assertRaises(mxc.DescriptionError) as cm:
                mxc.canvas_from_args(argv)
            self.assertIn(message, str(cm.exception))
        os.environ[mxc.ENV] = describe(9, "width=4 height=3 depth=2 frames=1 type=int16 bytes=48")
        d, rest = mxc.canvas_from_args(["--x", "1"])
        self.assertEqual((d.shmid, d.from_env, rest, d.scaling.slope), (9, True, ["--x", "1"], 0.0754))


class TypedTest(unittest.TestCase):
    """The package says it is typed (py.typed): mypy --strict checks a tool
    that imports it as an installed package, and finds a wrong type."""

    TOOL = """import numpy as np
import mxcanvas_client as mxc

seg: mxc.DescribedSegment = mxc.from_env(0)
with seg as vol:
    seg.xyz[1, 2, 3] = 777
    affine = seg.affine
    world: np.ndarray = affine @ np.array([1.0, 2.0, 3.0, 1.0])
    zooms: tuple[float, ...] = seg.zooms
    slope: float = seg.scaling.slope
description, rest = mxc.canvas_from_args(["--level", "3"])
shape: tuple[int, ...] = description.shape
"""

    def mypy(self, site, text):
        tool = os.path.join(site, "..", "tool.py")
        with open(tool, "w") as f:
            f.write(text)
        env = dict(os.environ, PYTHONPATH=site)
        return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                               "--cache-dir", os.devnull, tool], capture_output=True, text=True, env=env)

    def test_mypy_strict_on_a_tool(self):
        try:
            import mypy  # noqa: F401
        except ImportError:
            self.skipTest("mypy is not installed (make venv installs it)")
        with tempfile.TemporaryDirectory() as tmp:
            # The installed layout: the package folder in a site folder.
            site = os.path.join(tmp, "site")
            shutil.copytree(os.path.dirname(mxc.__file__), os.path.join(site, "mxcanvas_client"),
                            ignore=shutil.ignore_patterns("__pycache__"))
            ok = self.mypy(site, self.TOOL)
            self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
            wrong = self.mypy(site, self.TOOL + "name: str = seg.scaling.inter\n")
            self.assertIn('Incompatible types in assignment (expression has type "float", variable has type "str")',
                          wrong.stdout)
            # Without the marker mypy would not look inside at all.
            os.remove(os.path.join(site, "mxcanvas_client", "py.typed"))
            untyped = self.mypy(site, self.TOOL)
            self.assertIn("missing library stubs or py.typed marker", untyped.stdout)

    def test_the_package_passes_mypy_strict_itself(self):
        try:
            import mypy  # noqa: F401
        except ImportError:
            self.skipTest("mypy is not installed (make venv installs it)")
        out = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir",
                              os.devnull, os.path.dirname(mxc.__file__)], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)



if __name__ == "__main__":
    unittest.main()
