"""The transport cycle in Python, reference (c) of `make bench`: what a user
would write instead, with numpy and multiprocessing.shared_memory.

    python bench/cycle.py BYTES SAMPLES INNER

One cycle: a new shared memory block, the "canvas" (a resident float32
array) copied into it and back out, then close and unlink. Prints SAMPLES
lines, each the mean of INNER cycles in nanoseconds, after one untimed
warm-up cycle (which also starts multiprocessing's resource tracker).
"""
import sys
import time
from multiprocessing import shared_memory

import numpy as np


def cycle(canvas):
    shm = shared_memory.SharedMemory(create=True, size=canvas.nbytes)
    try:
        view = np.ndarray(canvas.shape, dtype=canvas.dtype, buffer=shm.buf)
        view[:] = canvas  # copy in
        canvas[:] = view  # copy out
        del view
    finally:
        shm.close()
        shm.unlink()


def main():
    nbytes, samples, inner = (int(a) for a in sys.argv[1:4])
    canvas = np.full(nbytes // 4, 1.5, dtype=np.float32)
    cycle(canvas)
    for _ in range(samples):
        t0 = time.perf_counter_ns()
        for _ in range(inner):
            cycle(canvas)
        print((time.perf_counter_ns() - t0) // inner, flush=True)


if __name__ == "__main__":
    main()
