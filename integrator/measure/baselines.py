"""The baselines a benchmark compares the compiled model with: what users already have.

(The compiled model itself is timed through its engine: ``engines.Compiled.timer``.)

* ``torch_eager``: the model in ``torch.inference_mode``.
* ``torch_compile``: inductor in its best CPU inference configuration: frozen weights
  (``freezing=True`` must be patched around the first, compiling call; passing it in
  ``torch.compile(options=...)`` silently does nothing in torch 2.13).
* ``onnxruntime``: CPU provider, all graph optimizations, on the model's own .onnx file, or
  for a torch model on its export with ``torch.onnx.export`` (dynamo exporter, opset 20).
* ``jax_jit``: a JAX model's forward under ``jax.jit`` (XLA, CPU), its parameters bound.

For a CUDA build (``core/target.py``) the torch baselines run on the same GPU (``Subject.device
= "cuda"``): model and inputs moved there once, every timed call followed by
``torch.cuda.synchronize()``, so a sample is the latency until the results exist, as the
compiled module's is; onnxruntime and jax.jit (CPU here) are not compared with a GPU build.

Which baselines apply depends on the model's format (``ingress.formats``), and so does the
baseline that ratios are taken against: torch eager for PyTorch models, onnxruntime for ONNX
models, jax.jit for JAX models, none for raw MLIR (nothing else can run it).

Every Python-called system gets the same inputs and thread count; the torch baselines get the
model's full forward arguments (Python scalars included), each system its own copy (a model
may modify its inputs in place). Preparing a baseline can
fail (an export error, an inductor error): that is recorded as the system's result, and the
other systems still report.
"""

from __future__ import annotations

import contextlib
import copy
import io
import timeit
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np


ALL_BASELINES = ("torch_eager", "torch_compile", "onnxruntime", "jax_jit")
# The baselines that run on a CUDA GPU beside a CUDA build.
GPU_BASELINES = ("torch_eager", "torch_compile")


def torch_cuda_problem() -> str | None:
    """Why torch cannot run the baselines on a CUDA GPU here, or None."""
    import torch

    if torch.version.cuda is None:
        return f"torch {torch.__version__} is not built with CUDA"
    if not torch.cuda.is_available():
        return f"torch {torch.__version__} (CUDA {torch.version.cuda}) finds no CUDA device"
    return None


@dataclass
class Subject:
    """What the systems run: one model's compiled module, inputs, and original form."""

    format: str
    arrays: list  # numpy: the compiled function's arguments (the reference inputs)
    input_files: list[Path] = field(default_factory=list)  # the same, as .npy files
    torch_model: object = None  # torch models: the module and its full forward arguments
    torch_inputs: list | None = None
    onnx_path: Path | None = None  # ONNX models: the file and its input names
    input_names: list[str] | None = None
    jax_function: object = None  # JAX models: the jitted forward with its parameters bound
    device: str = "cpu"  # "cuda": the torch baselines run on the GPU (a CUDA build's bench)


@dataclass
class Prepared:
    """A system ready to time: ``time(warmup, samples)`` returns latencies in ms."""

    name: str
    time: Callable[[int, int], list[float]]
    outputs: list[np.ndarray] | None = None  # one call's outputs, to cross-check the baseline
    setup_seconds: float = 0.0
    threads: int | None = None


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
    return [x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
            for x in leaves]


def _on_device(model, inputs, device: str):
    """The model and its forward arguments on ``device`` (moved once, before any timing)."""
    if device == "cpu":
        return model, inputs
    import torch
    from torch.utils import _pytree

    moved = _pytree.tree_map(lambda x: x.to(device) if isinstance(x, torch.Tensor) else x, inputs)
    return model.to(device), moved


def _synchronized(call, device: str):
    """``call`` that returns only when the device has finished it (CUDA runs asynchronously:
    without this, a timed call would measure the launch, not the work)."""
    if device == "cpu":
        return call
    import torch

    def synchronized():
        result = call()
        torch.cuda.synchronize()
        return result

    return synchronized


def prepare_torch_eager(model, inputs, device: str = "cpu") -> Prepared:
    import torch

    model, inputs = _on_device(model, inputs, device)

    def call():
        with torch.inference_mode():
            return model(*inputs)

    timed = _synchronized(call, device)
    return Prepared("torch_eager", python_timer(timed), _flat_numpy(timed()))


def prepare_torch_compile(model, inputs, device: str = "cpu") -> Prepared:
    import torch
    import torch._inductor.config as inductor_config

    model, inputs = _on_device(model, inputs, device)
    compiled = torch.compile(model)
    with torch.inference_mode(), inductor_config.patch(freezing=True):
        first = compiled(*inputs)  # compiles, with frozen weights

    def call():
        with torch.inference_mode():
            return compiled(*inputs)

    return Prepared("torch_compile", python_timer(_synchronized(call, device)), _flat_numpy(first))


def prepare_onnxruntime(subject: Subject, threads: int, workdir: Path) -> Prepared:
    import onnxruntime as ort

    if subject.onnx_path is not None:
        path = subject.onnx_path
    else:
        import torch

        path = Path(workdir) / "model.onnx"
        # The exporter narrates its progress on stdout; the bench output stays one summary line.
        with contextlib.redirect_stdout(io.StringIO()):
            torch.onnx.export(subject.torch_model, tuple(subject.torch_inputs), str(path),
                              dynamo=True, opset_version=20)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    names = subject.input_names or [i.name for i in session.get_inputs()]
    if len(names) != len(subject.arrays):
        raise ValueError(f"the ONNX graph takes {len(names)} inputs, the model {len(subject.arrays)}")
    feeds = dict(zip(names, subject.arrays))

    def call():
        return session.run(None, feeds)

    return Prepared("onnxruntime", python_timer(call), [np.asarray(x) for x in call()])


def prepare_jax_jit(subject: Subject) -> Prepared:
    """XLA on the CPU, inputs already on the device; a call waits for its results. XLA sizes
    its thread pool from the CPUs the process may run on (there is no per-call setting), so
    the bench of a JAX model limits its process to as many CPUs as it has threads, for every
    system (``bench.bench_subject``)."""
    import jax

    device = jax.devices("cpu")[0]
    arrays = [jax.device_put(x, device) for x in subject.arrays]

    def call():
        return jax.block_until_ready(subject.jax_function(*arrays))

    first = call()
    return Prepared("jax_jit", python_timer(call),
                    [np.asarray(x) for x in jax.tree_util.tree_leaves(first)])


def prepare(name: str, subject: Subject, *, threads: int, workdir: Path) -> Prepared:
    from ..ingress.formats import FORMATS

    if name not in FORMATS[subject.format].baselines:
        raise ValueError(f"{name} cannot run {subject.format} models")
    if subject.device != "cpu" and name not in GPU_BASELINES:
        raise ValueError(f"{name} does not run on {subject.device} here")
    if name == "torch_eager":
        system = prepare_torch_eager(subject.torch_model, copy.deepcopy(subject.torch_inputs),
                                     subject.device)
    elif name == "torch_compile":
        system = prepare_torch_compile(subject.torch_model, copy.deepcopy(subject.torch_inputs),
                                       subject.device)
    elif name == "onnxruntime":
        system = prepare_onnxruntime(subject, threads, workdir)
    elif name == "jax_jit":
        system = prepare_jax_jit(subject)
    else:
        raise ValueError(f"unknown baseline {name!r}; known: {', '.join(ALL_BASELINES)}")
    system.threads = threads
    return system
