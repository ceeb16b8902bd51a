"""One memory-allocator setting for every system a bench or a tuning run times.

glibc's malloc returns large freed blocks to the kernel (``munmap``, or trimming the heap's
top) and decides when by a threshold it moves as the process allocates and frees. A model
whose temporaries are large then page-faults them in again on every call, or not, depending
on what the process did before: torch eager on ``conv_transpose3d_grouped`` took 21-28 ms
with ~8,700 page faults per call, and 8 ms with none, from one process to the next; IREE's
build of suite problem 15 spent ~16 ms of its 99 in faults. Benched that way, a ratio says
more about the allocator's history than about the code.

So the bench and tuning processes keep freed memory, the same for every system, as a
long-running server's allocator would (onnxruntime's arena and jemalloc keep freed memory
too): blocks up to 32 MiB (glibc's largest ``M_MMAP_THRESHOLD``) come from the heap instead of
their own mappings, and ``M_TOP_PAD`` of freed heap stays mapped; glibc then stops moving its
thresholds. Set with ``mallopt`` here and ``MALLOC_*_`` for the benchmark tools started from
here. The top pad alone was not enough inside the bench: torch eager still took ~8,600
faults per call on problem 15 there (44 ms), none with the threshold too (31.5 ms).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_TOP_PAD, M_MMAP_THRESHOLD = -2, -3  # glibc's mallopt parameter numbers (malloc.h)
MMAP_THRESHOLD = 32 * 2**20  # glibc's maximum on 64-bit machines


def keep_freed_memory(top_pad: int) -> str:
    """Make this process and its children keep ``top_pad`` bytes of freed heap; 0 leaves
    glibc's defaults. What was set, for the bench record."""
    if top_pad <= 0:
        return "glibc defaults"
    top_pad = min(top_pad, 2**31 - 1)  # mallopt takes an int
    # Read by child processes at their start.
    os.environ |= {"MALLOC_TOP_PAD_": str(top_pad), "MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD)}
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        for parameter, number, value in (("M_MMAP_THRESHOLD", M_MMAP_THRESHOLD, MMAP_THRESHOLD),
                                         ("M_TOP_PAD", M_TOP_PAD, top_pad)):
            if not libc.mallopt(number, ctypes.c_int(value)):
                return f"mallopt({parameter}) refused by {name}"
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS): nothing to set
        return f"not glibc ({name}): its defaults"
    return f"M_MMAP_THRESHOLD={MMAP_THRESHOLD} M_TOP_PAD={top_pad}"
