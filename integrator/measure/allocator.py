"""One memory-allocator setting for every system a bench or a tuning run times.

glibc's malloc returns large freed blocks to the kernel (``munmap``, or trimming the heap's
top) and decides when by a threshold it moves as the process allocates and frees. A model
whose temporaries are large then page-faults them in again on every call, or not, depending
on what the process did before: torch eager on ``conv_transpose3d_grouped`` took 21-28 ms
with ~8,700 page faults per call, and 8 ms with none, from one process to the next; IREE's
build of suite problem 15 spent ~16 ms of its 99 in faults. Benched that way, a ratio says
more about the allocator's history than about the code.

So the bench and tuning processes keep freed memory (``M_TOP_PAD``; glibc then also stops
moving its thresholds) for themselves (``mallopt``) and for the benchmark tools they start
(``MALLOC_TOP_PAD_``), the same for every system, as a long-running server's allocator would
(onnxruntime's arena and jemalloc keep freed memory too).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_TOP_PAD = -2  # glibc's mallopt parameter numbers (malloc.h)


def keep_freed_memory(top_pad: int) -> str:
    """Make this process and its children keep ``top_pad`` bytes of freed heap; 0 leaves
    glibc's defaults. What was set, for the bench record."""
    if top_pad <= 0:
        return "glibc defaults"
    os.environ["MALLOC_TOP_PAD_"] = str(top_pad)  # read by child processes at their start
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        if not libc.mallopt(M_TOP_PAD, ctypes.c_int(min(top_pad, 2**31 - 1))):
            return f"mallopt(M_TOP_PAD) refused by {name}"
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS): nothing to set
        return f"not glibc ({name}): its defaults"
    return f"M_TOP_PAD={top_pad}"
