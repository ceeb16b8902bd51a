"""The bench stage: time the compiled model and its baselines at one thread count, in one run.

Systems (see ``systems.py``) are prepared first (compiling, exporting; failures are recorded,
not raised), then timed in interleaved rounds (iree, eager, compile, ort, iree, eager, ...)
so slow drift of a shared machine affects all of them alike. Each round starts with untimed
warm-up calls in the measuring process. The sample count adapts to the model: the first
round takes a few samples, and the later rounds take as many as fit the time budget, within
[min_samples, max_samples].
"""

from __future__ import annotations

import math
import re
import tempfile
import time
from pathlib import Path

import numpy as np

from . import progress
from .check import compare
from .project import BenchSettings
from .stats import summarize
from .systems import Prepared, Subject, prepare


def samples_per_round(settings: BenchSettings, first_round_ms: list[float]) -> int:
    """How many samples each later round takes, from the first round's latencies."""
    low = math.ceil(settings.min_samples / settings.rounds)
    high = max(low, settings.max_samples // settings.rounds)
    estimate_s = float(np.median(first_round_ms)) / 1e3
    wanted = settings.seconds / settings.rounds / max(estimate_s, 1e-9)
    return int(min(high, max(low, round(wanted))))


def _error_text(error: BaseException) -> str:
    """The error's first line, and its root cause's when there is one (that is what says why)."""
    def first_line(e):
        lines = re.sub(r"\x1b\[[0-9;]*m", "", str(e)).strip().splitlines()  # no terminal colours
        return f"{type(e).__name__}: {lines[0] if lines else ''}".strip()

    root = error
    while root.__cause__ is not None:
        root = root.__cause__
    text = first_line(error)
    return text if root is error else f"{text} (cause: {first_line(root)})"


def bench_model(
    subject: Subject, expected: list, settings: BenchSettings, *, compiled: dict,
    baselines, baseline, label="bench",
) -> dict:
    """{system: result} for the compiled model(s) and ``baselines``; a result holds
    statistics, or ``error`` when the system failed.

    ``compiled``: ``{system name: prepare(arrays, input_files)}`` (the bench stage has one,
    named after its engine; ``benchmarks/tuning.py`` several builds), where ``prepare``
    returns the timer and its thread count. ``expected``: the reference's user-visible
    outputs, which baselines' own outputs are compared with; ratios are taken against
    ``baseline`` (when it ran).
    """
    systems = [*compiled, *baselines]
    steps = len(systems) * (1 + settings.rounds)
    with progress.bar(steps, label) as bar:
        return _bench(subject, expected, settings, systems, compiled, baseline, bar)


def _bench(subject, expected, settings, systems, compiled, baseline, bar) -> dict:
    import torch

    torch.set_num_threads(settings.threads)
    results, prepared = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        subject.input_files = [Path(tmp, f"input_{i}.npy") for i in range(len(subject.arrays))]
        for path, array in zip(subject.input_files, subject.arrays):
            np.save(path, array)

        for name in systems:
            bar.set_postfix_str(f"preparing {name}")
            bar.update()
            started = time.perf_counter()
            try:
                if name in compiled:
                    timer, threads = compiled[name](subject.arrays, subject.input_files)
                    system = Prepared(name, timer, threads=threads)
                else:
                    system = prepare(name, subject, threads=settings.threads, workdir=Path(tmp))
            except Exception as error:  # a system that cannot be built is a result
                results[name] = {"error": _error_text(error), "stage": "prepare"}
                continue
            system.setup_seconds = time.perf_counter() - started
            prepared[name] = system

        timings = {name: [] for name in prepared}
        counts = {name: math.ceil(settings.min_samples / settings.rounds) for name in prepared}
        for round_index in range(settings.rounds):
            for name, system in list(prepared.items()):
                bar.set_postfix_str(f"round {round_index + 1}: {name}")
                bar.update()
                try:
                    times = system.time(settings.warmup, counts[name])
                except Exception as error:
                    results[name] = {"error": _error_text(error), "stage": "timing"}
                    del prepared[name]
                    continue
                timings[name] += times
            if round_index == 0:
                counts = {n: samples_per_round(settings, timings[n]) for n in prepared}

    for name, system in prepared.items():
        result = summarize(timings[name], noisy_spread=settings.noisy_spread)
        result["setup_seconds"] = round(system.setup_seconds, 3)
        result["threads"] = system.threads
        if system.outputs is not None:  # a baseline that computes something else is no baseline
            agreement = compare(system.outputs, expected, atol=1e-3, rtol=1e-3)
            result["max_abs_error_vs_reference"] = agreement["max_abs_error"]
        results[name] = result
    results = {name: results[name] for name in systems}  # the configured order
    reference_ms = results.get(baseline, {}).get("median_ms") if baseline else None
    for result in results.values():
        if reference_ms and "median_ms" in result:
            result["ratio_to_baseline"] = result["median_ms"] / reference_ms
    return results
