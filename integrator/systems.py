"""The baselines a benchmark compares the compiled model with: what users already have.

(The compiled model itself is timed through its engine, see ``engines.timer``.)

* ``torch_eager``: the model in ``torch.inference_mode``.
* ``torch_compile``: inductor in its best CPU inference configuration: frozen weights
  (``freezing=True`` must be patched around the first, compiling call; passing it in
  ``torch.compile(options=...)`` silently does nothing in torch 2.13).
* ``onnxruntime``: the model exported with ``torch.onnx.export`` (dynamo exporter, opset 20),
  CPU provider, all graph optimizations.

Every Python-called system gets the same inputs and thread count. Preparing a baseline can
fail (an export error, an inductor error): that is recorded as the system's result, and the
other systems still report.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import timeit
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np


BASELINES = ("torch_eager", "torch_compile", "onnxruntime")
BASELINE = "torch_eager"  # ratios are reported against this one


@dataclass
class Prepared:
    """A system ready to time: ``time(warmup, samples)`` returns latencies in ms."""

    name: str
    time: Callable[[int, int], list[float]]
    outputs: list[np.ndarray] | None = None  # one call's outputs, to cross-check the baseline
    setup_seconds: float = 0.0
    threads: int | None = None  # None: the process-wide setting (torch, onnxruntime options)


def python_timer(fn: Callable[[], object]) -> Callable[[int, int], list[float]]:
    """Per-call latencies with the stdlib's timeit (garbage collection off while timing)."""

    def time_calls(warmup: int, samples: int) -> list[float]:
        timer = timeit.Timer(fn)
        if warmup:
            timer.repeat(repeat=warmup, number=1)
        return [t * 1e3 for t in timer.repeat(repeat=samples, number=1)]

    return time_calls


def _flat_numpy(value) -> list[np.ndarray]:
    import torch
    from torch.utils import _pytree

    leaves, _ = _pytree.tree_flatten(value)
    return [x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x) for x in leaves]


def prepare_torch_eager(model, inputs) -> Prepared:
    import torch

    def call():
        with torch.inference_mode():
            return model(*inputs)

    return Prepared("torch_eager", python_timer(call), _flat_numpy(call()))


def prepare_torch_compile(model, inputs) -> Prepared:
    import torch
    import torch._inductor.config as inductor_config

    compiled = torch.compile(model)
    with torch.inference_mode(), inductor_config.patch(freezing=True):
        first = compiled(*inputs)  # compiles, with frozen weights

    def call():
        with torch.inference_mode():
            return compiled(*inputs)

    return Prepared("torch_compile", python_timer(call), _flat_numpy(first))


def prepare_onnxruntime(model, inputs, threads: int, workdir: Path) -> Prepared:
    import onnxruntime as ort
    import torch

    path = Path(workdir) / "model.onnx"
    # The exporter narrates its progress on stdout; the bench output stays one summary line.
    with contextlib.redirect_stdout(io.StringIO()):
        torch.onnx.export(model, tuple(inputs), str(path), dynamo=True, opset_version=20)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    feeds = dict(zip(names, (x.numpy() for x in inputs)))

    def call():
        return session.run(None, feeds)

    return Prepared("onnxruntime", python_timer(call), [np.asarray(x) for x in call()])


def prepare(name: str, *, model, inputs, threads, workdir) -> Prepared:
    if name == "torch_eager":
        system = prepare_torch_eager(model, inputs)
    elif name == "torch_compile":
        system = prepare_torch_compile(model, inputs)
    elif name == "onnxruntime":
        system = prepare_onnxruntime(model, inputs, threads, workdir)
    else:
        raise ValueError(f"unknown baseline {name!r}; known: {', '.join(BASELINES)}")
    system.threads = threads
    return system
