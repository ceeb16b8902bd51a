"""The machine's practical peak: single-precision GEMM through numpy's BLAS at a thread count.

Measured once per host and thread count (the ``peak`` task caches it), so that every result
can show its fraction of what this machine actually reaches on the densest kernel there is.
"""

from __future__ import annotations

import time

import numpy as np


def measure_peak(threads: int, *, size: int = 2048, repeats: int = 7) -> dict:
    from threadpoolctl import threadpool_info, threadpool_limits

    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    with threadpool_limits(limits=threads, user_api="blas"):
        blas = [
            {k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for info in threadpool_info()
            if info.get("user_api") == "blas"
        ]
        a @ b  # warm-up: thread pool start, page faults
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            a @ b
            seconds.append(time.perf_counter() - started)
    rates = [2 * size**3 / s / 1e9 for s in seconds]
    return {
        "threads": threads,
        "size": size,
        "gflops_per_s": max(rates),  # the peak is what the machine can reach
        "median_gflops_per_s": float(np.median(rates)),
        "samples_gflops_per_s": [round(r, 2) for r in rates],
        "blas": blas,
    }
