"""The bench stage: time the compiled model and its baselines at one thread count, in one run.

Systems (see ``baselines.py``) are prepared first (compiling, exporting; failures are recorded,
not raised), then timed in interleaved rounds (iree, eager, compile, ort, iree, eager, ...)
so slow drift of a shared machine affects all of them alike. Each round starts with untimed
warm-up calls in the measuring process. The sample count adapts to the model: the first
round takes a few samples, and the later rounds take as many as fit the time budget, within
[min_samples, max_samples]. A system whose warm call (the second) shows that even min_samples
would not fit the budget takes one sample per round after a single warm-up call, and is marked
low-sample; the expected timing time is said before the rounds start. The warm-up is kept
because an IREE build is timed in a fresh iree-benchmark-module process each round, whose
first call pays for loading the module and first-touching its buffers (a 64-image 11x11
convolution: ~320 ms cold against ~120 ms warm, znver3).

A CUDA build is timed on the GPU (IREE's ``cuda`` device, inside iree-benchmark-module) beside
torch eager and torch.compile on the same GPU, with the same inputs and statistics; without a
CUDA device the stage is skipped (it says so, and writes nothing), and without a CUDA-enabled
torch the baselines are (``bench.json`` says why, under ``skipped_baselines``).
"""

from __future__ import annotations

import math
import re
import tempfile
import time
from pathlib import Path

import numpy as np

from ..core import progress
from .check import compare
from ..core.project import BenchSettings
from .stats import summarize
from .baselines import Prepared, Subject, prepare


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
        return _bench(subject, expected, settings, systems, compiled, baseline, bar, label)


def _bench(subject, expected, settings, systems, compiled, baseline, bar, label) -> dict:
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
        by_round = {name: [] for name in prepared}
        counts = {name: math.ceil(settings.min_samples / settings.rounds) for name in prepared}
        # One warm call of each first (after one untimed call: a cold first call says more
        # about loading than about the model): a system too slow for min_samples in the time
        # budget gets one sample per round after one warm-up (a 10 s call would otherwise take
        # (warmup + samples) x rounds = 3 minutes per system), and is marked.
        probes = {}
        for name, system in list(prepared.items()):
            bar.set_postfix_str(f"first call: {name}")
            try:
                probes[name] = system.time(1, 1)[0] / 1e3
            except Exception as error:
                results[name] = {"error": _error_text(error), "stage": "timing"}
                del prepared[name]
        slow = {n for n in prepared if probes[n] > settings.seconds / settings.min_samples}
        counts |= {n: 1 for n in slow}
        warmups = {n: min(1, settings.warmup) if n in slow else settings.warmup for n in prepared}
        expected_s = sum(probes[n] * settings.rounds * (warmups[n] + counts[n]) for n in prepared)
        progress.note(f"{label}: timing {len(prepared)} systems, about {expected_s:.0f} s"
                      + (f" (slow, fewer samples: {', '.join(sorted(slow))})" if slow else ""))
        for round_index in range(settings.rounds):
            for name, system in list(prepared.items()):
                bar.set_postfix_str(f"round {round_index + 1}: {name}")
                bar.update()
                # The previous system's thread pool may still be spinning for work (onnxruntime's
                # and OpenMP's do, by design); a compiled model in its own process would share
                # the cores with it. Let it go idle first.
                time.sleep(settings.settle_seconds)
                try:
                    times = system.time(warmups[name], counts[name])
                except Exception as error:
                    results[name] = {"error": _error_text(error), "stage": "timing"}
                    del prepared[name]
                    continue
                timings[name] += times
                by_round[name].append(list(times))
            if round_index == 0:
                counts = {n: 1 if n in slow else samples_per_round(settings, timings[n])
                          for n in prepared}

    for name, system in prepared.items():
        result = summarize(timings[name], noisy_spread=settings.noisy_spread, rounds=by_round[name])
        result["setup_seconds"] = round(system.setup_seconds, 3)
        result["threads"] = system.threads
        if result["samples"] < settings.min_samples:  # too slow for more in the time budget
            result["low_samples"] = True
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


def bench_subject(b):
    """What every system of a bench runs: (subject, expected user-visible outputs, import info)."""
    import os

    from ..core.artifacts import read_json
    from ..ingress.sizing import ensure_recorded_fits
    from .check import load_reference

    a = b.artifacts
    info = read_json(a.import_info)
    ensure_recorded_fits(b.model, "bench", info)
    arrays, expected = load_reference(a.reference)
    format = b.model.format
    subject = Subject(format, arrays)
    if format == "torch":
        from ..ingress.models import build

        # torch.compile's own cache belongs to the build cache: `doit clean` empties it too, so
        # a cold build is really cold, and a re-bench after an IREE recompile reuses its work.
        os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", str(a.inductor_cache))
        # The full forward arguments, Python scalars included: the compiled module has them
        # baked in, the torch baselines must be called with them.
        subject.torch_model, subject.torch_inputs = build(b.model, "bench")
    elif format == "onnx":
        subject.onnx_path = b.model.path
        subject.input_names = [i["name"] for i in info["inputs"]]
    elif format == "jax":
        from ..ingress.from_jax import jitted

        # XLA sizes its thread pool from the CPUs the process may use, once, when JAX starts:
        # the bench's thread count is set as the process's CPU set before that.
        cpus = sorted(os.sched_getaffinity(0))[:b.project.bench.threads]
        os.sched_setaffinity(0, cpus)
        subject.jax_function = jitted(b.model, "bench")
    # Baselines compute the user-visible outputs, not the inputs a model modified in place.
    roles = [o.get("role", "output") for o in info["outputs"]]
    expected = [x for x, role in zip(expected, roles) if role == "output"]
    return subject, expected, info


def compiled_timer(compiled, threads: int):
    """``bench_model``'s ``prepare`` for a loaded artifact (``engines.Compiled``)."""
    def prepare(arrays, input_files):
        return compiled.timer(arrays, input_files, threads)

    return prepare


def run_bench(b) -> str:
    """The bench stage for one ``core.build.Build``."""
    import dataclasses
    import datetime
    import socket

    from ..core.artifacts import read_json, write_json
    from ..core.crash import peak_rss
    from ..core.host import cpu_model_name, host_cpu
    from ..core.versions import tool_versions
    from .allocator import keep_freed_memory
    from .check import load_compiled

    from ..core.target import cuda_device_name, no_gpu_reason
    from .baselines import GPU_BASELINES, torch_cuda_problem

    a, target = b.artifacts, b.target
    reason = no_gpu_reason(target)
    if reason:  # nothing to time it on: said, nothing written (the task reruns when a GPU appears)
        return f"{b.task('bench')}: skipped: {reason}"
    settings = b.project.bench
    allocator = keep_freed_memory(settings.malloc_top_pad)  # before any system allocates
    subject, expected, info = bench_subject(b)
    format, engine = b.model.format, b.selection.engine
    baselines = [s for s in settings.baselines if s in b.format.baselines]
    baseline = b.format.ratio_base
    skipped_baselines = {}
    if target.is_cuda:
        subject.device = "cuda"
        skipped_baselines = {s: "runs on the CPU here; not compared with a CUDA build"
                             for s in baselines if s not in GPU_BASELINES}
        baselines = [s for s in baselines if s in GPU_BASELINES]
        problem = torch_cuda_problem() if baselines else None
        if problem:
            skipped_baselines |= {s: problem for s in baselines}
            baselines = []
        baseline = baseline if baseline in baselines else None
    flops = info.get("flops")
    compile_info = read_json(a.compile_info)
    results = bench_model(subject, expected, settings,
                          compiled={engine: compiled_timer(load_compiled(b), settings.threads)},
                          baselines=baselines, baseline=baseline, label=f"bench:{b.name}")
    for result in results.values():
        if flops and "median_ms" in result:
            result["gflops_per_s"] = flops / (result["median_ms"] / 1e3) / 1e9
    fewer_flops = compile_info.get("fewer_flops") or (
        info.get("winograd") and f"{len(info['winograd'])} convolution(s) computed by Winograd "
        "at import (ingress/winograd.py)")
    if fewer_flops and "gflops_per_s" in results[engine]:
        # The FLOPs are the direct algorithm's; this build executes fewer: an effective rate.
        results[engine]["effective_gflops"] = fewer_flops
    result = {
        "model": b.name,
        "format": format,
        "engine": engine,
        "target": target.label,
        # What the compiled model ran on: the CPU's model, or the GPU's.
        "device": cpu_model_name() if target.is_host else cuda_device_name(),
        "threads": settings.threads,
        "host_cpu": host_cpu(b.project.cache),
        "host": socket.gethostname(),  # which machine timed it (a cluster's bench worker, or here)
        "settings": dataclasses.asdict(settings),
        "allocator": allocator,
        "warmup": settings.warmup,
        "flops": flops,
        "versions": tool_versions(),
        "compile": compile_info,
        "baseline": baseline,
        "systems": results,
        "ratio_to_baseline": results[engine].get("ratio_to_baseline"),
        **({"skipped_baselines": skipped_baselines} if skipped_baselines else {}),
        "peak_rss_bytes": peak_rss(),
        "measured_at": datetime.datetime.now().isoformat(timespec="minutes"),
    }
    write_json(a.bench, result)
    skipped = [s for s in settings.baselines if s not in baselines and s not in skipped_baselines]
    where = (f"@{settings.threads} threads" if target.is_host
             else f"on {result['device']} ({target.label})")
    return f"bench {b.name} {where}: " + " | ".join(
        _one_system(name, r, baseline) for name, r in results.items()
    ) + (f" (not applicable to {format} models: {', '.join(skipped)})" if skipped else "") + "".join(
        f" (skipped {name}: {why})" for name, why in skipped_baselines.items())


def _one_system(name: str, r: dict, baseline: str | None) -> str:
    if "error" in r:
        return f"{name} failed ({r['error'][:80]})"
    text = f"{name} {r['median_ms']:.3g} ms [p10 {r['p10_ms']:.3g}, p90 {r['p90_ms']:.3g}, n={r['samples']}]"
    if "ratio_to_baseline" in r and name != baseline:
        text += f" {r['ratio_to_baseline']:.2f}x {baseline}"
    if r.get("threads") == 1:
        text += " (1 thread)"
    if r.get("low_samples"):
        text += " LOW-SAMPLE"
    if r.get("rounds_disagree"):
        text += " NOISY (round medians " + ", ".join(f"{m:.3g}" for m in r["round_medians_ms"]) + " ms)"
    elif r["noisy"]:
        text += f" NOISY (IQR {r['iqr_ms'] / r['median_ms']:.0%} of median)"
    return text
