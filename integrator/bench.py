"""The bench stage: time the compiled model and torch eager at one thread count, in one run.

The systems alternate round by round (IREE, torch, IREE, torch, ...) so that slow drift of a
shared machine affects both alike; each round starts with untimed warm-up calls. IREE is timed
inside ``iree-benchmark-module`` (no Python in the loop); torch eager is timed around each
forward call, which is how eager PyTorch is used.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from . import iree_engine
from .check import load_reference
from .stats import summarize


def time_torch_eager(model, inputs, *, threads: int, warmup: int, samples: int) -> list[float]:
    import torch

    torch.set_num_threads(threads)
    with torch.inference_mode():
        for _ in range(warmup):
            model(*inputs)
        times = []
        for _ in range(samples):
            started = time.perf_counter()
            model(*inputs)
            times.append((time.perf_counter() - started) * 1e3)
    return times


def bench_model(model, inputs, vmfb: Path, reference: Path, *, threads, warmup, samples, rounds):
    """{system: summary} for the compiled module and torch eager; ``model`` is the torch module."""
    import torch

    reference_inputs, _ = load_reference(reference)
    torch_inputs = [torch.from_numpy(x) for x in reference_inputs]
    per_round = max(1, samples // rounds)
    timings = {"iree": [], "torch_eager": []}
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for index, array in enumerate(reference_inputs):
            files.append(Path(tmp, f"input_{index}.npy"))
            np.save(files[-1], array)
        for _ in range(rounds):
            timings["iree"] += iree_engine.benchmark(
                vmfb, files, threads=threads, warmup=warmup, samples=per_round
            )
            timings["torch_eager"] += time_torch_eager(
                model, torch_inputs, threads=threads, warmup=warmup, samples=per_round
            )
    return {system: summarize(times) for system, times in timings.items()}
