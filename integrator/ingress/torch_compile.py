"""``torch.compile(model, backend="integrator")``: Dynamo's graphs through the project's own
import, pipelines, tuning specs and ``iree-compile``, run by ``iree.runtime``.

Registered as a ``torch_dynamo_backends`` entry point (``pyproject.toml``), so the name works
after ``pip install`` with no import. Each FX graph Dynamo hands over is

* **frozen**: the module's parameters and buffers (the inputs Dynamo marks static) are baked
  into the compiled module as constants, as for ``bench:``; the other inputs stay arguments.
  A model whose weights change afterwards (training) needs a new ``torch.compile``;
* **imported** as a model file is (``torch.export``, the project's decomposition table with the
  convolution rewrites, IREE's FX importer, depthwise convolutions made channels-last);
* **compiled** with the project's default IREE pipeline (or ``options={"pipeline": name}``),
  its tuning-spec library and the host CPU, into ``<cache>/torch_compile/<key>.vmfb``. The key
  hashes the graph's code, the frozen tensors' bytes, the argument shapes and dtypes, the
  flags, the CPU and the tool versions: a second process with the same model compiles nothing.

Shapes are static: a graph is compiled for the shapes it is called with, and Dynamo's
recompilation on a new shape compiles again (``torch.compile(..., dynamic=False)`` keeps Dynamo
from generalizing to symbolic shapes; a graph that arrives with them runs eagerly). A graph the
backend cannot take (an op IREE cannot lower, an in-place update of an input, a non-tensor
result) runs eagerly, with one warning naming why: the result is still correct.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

NAME = "integrator"


@dataclass
class Statistics:
    """What the backend did in this process (tests and the benchmark read it)."""
    compiled: int = 0  # graphs compiled by iree-compile
    cache_hits: int = 0  # graphs whose module was already in the cache
    eager: list[str] = field(default_factory=list)  # why each eager graph runs eagerly


STATISTICS = Statistics()


class Unsupported(Exception):
    """This graph runs eagerly; the message says why."""


def _project():
    from ..core.project import load_project

    # The package's own project: its schedules/ hold the pipelines and shipped tuning specs
    # (an editable install, as the quick start makes).
    return load_project(Path(__file__).resolve().parent.parent.parent)


def _static(tensor) -> bool:
    """Dynamo marks the parameters and buffers of the modules it inlines as static inputs."""
    return getattr(tensor, "_dynamo_static_input_type", None) is not None


def _check_inputs(example_inputs) -> None:
    import torch

    for value in example_inputs:
        if not isinstance(value, torch.Tensor):
            raise Unsupported(f"a non-tensor graph input ({type(value).__name__}): dynamic shapes "
                              "are not compiled; torch.compile(..., dynamic=False) keeps them static")
        if any(not isinstance(size, int) for size in value.shape):
            raise Unsupported("a tensor with symbolic sizes: dynamic shapes are not compiled; "
                              "torch.compile(..., dynamic=False) keeps them static")
        if value.device.type != "cpu":
            raise Unsupported(f"a tensor on {value.device}: this backend compiles for the host CPU")


def _frozen(gm, example_inputs):
    """(a module taking only the non-static inputs with the static ones as its buffers,
    the positions of the non-static inputs)."""
    import torch

    static = [_static(value) for value in example_inputs]

    class Frozen(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.graph_module = gm
            for i, value in enumerate(example_inputs):
                if static[i]:
                    self.register_buffer(f"constant_{i}", value.detach())

        def forward(self, *arguments):
            rest = iter(arguments)
            values = [getattr(self, f"constant_{i}") if static[i] else next(rest)
                      for i in range(len(static))]
            return self.graph_module(*values)

    return Frozen(), [i for i, is_static in enumerate(static) if not is_static]


def _tensor_bytes(value) -> bytes:
    """A tensor's contents (bfloat16, which numpy lacks, as its 16-bit patterns)."""
    import torch

    value = value.detach().contiguous().cpu()
    return (value.view(torch.int16) if value.dtype == torch.bfloat16 else value).numpy().tobytes()


def _digest(gm, example_inputs, flags: list[str], cpu: str) -> str:
    """The cache key: everything the compiled module depends on, computed without importing."""
    from ..core.versions import tool_versions

    h = hashlib.sha256()
    h.update(gm.code.encode())
    for name, value in [*gm.named_parameters(), *gm.named_buffers()]:  # get_attr constants
        h.update(name.encode() + _tensor_bytes(value))
    for value in example_inputs:
        h.update(f"{tuple(value.shape)} {value.dtype} static={_static(value)}".encode())
        if _static(value):
            h.update(_tensor_bytes(value))
    h.update(json.dumps([flags, cpu, tool_versions()]).encode())
    return h.hexdigest()[:24]


def _import(frozen, arguments) -> bytes:
    """The frozen graph as torch-dialect MLIR bytecode, as ``import:`` makes it."""
    import io

    import torch
    from torch.export.graph_signature import OutputKind

    from .from_torch import _decomposition_table, to_mlir

    try:
        exported = torch.export.export(frozen, tuple(arguments))
        exported = exported.run_decompositions(_decomposition_table(True))
    except Exception as error:
        raise Unsupported(f"torch.export failed: {str(error).splitlines()[0]}") from error
    kinds = {spec.kind for spec in exported.graph_signature.output_specs}
    if kinds - {OutputKind.USER_OUTPUT}:
        raise Unsupported("the graph updates an input or a buffer in place")
    try:
        module, _ = to_mlir(exported, conv_rewrites=True)
    except Exception as error:
        raise Unsupported(f"the FX importer failed: {str(error).splitlines()[0]}") from error
    buffer = io.BytesIO()
    module.operation.write_bytecode(buffer)
    return buffer.getvalue()


def _compile(source: bytes, output: Path, flags: list[str]) -> None:
    from ..engines.iree import IreeCompileError, compile_file, unsupported_ops
    from ..core.artifacts import atomic_outputs

    with tempfile.TemporaryDirectory(prefix="integrator-torch-compile-") as work:
        path = Path(work) / "graph.mlirbc"
        path.write_bytes(source)
        with atomic_outputs(output) as temp:
            try:
                compile_file(path, temp, flags)
            except IreeCompileError as error:
                ops = unsupported_ops(str(error))
                raise Unsupported(f"IREE cannot lower {', '.join(ops)}" if ops else
                                  f"iree-compile failed: {str(error).strip().splitlines()[0]}") from error


def _build(project, pipeline: str | None):
    """A ``Build`` for Dynamo graphs: the project's selection, no model file behind it."""
    from ..core.build import Build
    from ..ingress.models import ModelFile

    from dataclasses import replace

    from ..core.target import HOST

    build = Build.of(project, ModelFile(name="torch_compile", path=project.root / "torch_compile"))
    if not build.target.is_host:  # the backend runs graphs on the CPU, in the caller's process
        build = replace(build, selection=replace(build.selection, target=HOST,
                                                 iree_pipeline=project.iree_pipeline))
    if pipeline:
        build = replace(build, selection=replace(build.selection, iree_pipeline=pipeline))
    return build


def _flags(build) -> list[str]:
    from ..engines.iree import IreeEngine
    from ..tuning.library import current_library, run_library

    library = current_library(build.project)
    if library is not None and not library.exists():
        run_library(build.project)  # a fresh checkout: link the shipped specs once
    return IreeEngine().flags(build)


# IREE's task system is sized once per process, before its first device is made: as many
# workers as torch has threads at the first compiled call.
_RUNTIME_THREADS = []
_CONFIGS = {}


def _runner(vmfb: Path, device: str, positions: list[int]):
    import iree.runtime as rt
    import numpy as np
    import torch

    if not _RUNTIME_THREADS:
        threads = torch.get_num_threads()
        rt.flags.parse_flags(f"--task_topology_max_group_count={threads}")
        _RUNTIME_THREADS.append(threads)
    if device not in _CONFIGS:  # one runtime instance and device per driver, shared
        if not _CONFIGS:
            atexit.register(_release)
        _CONFIGS[device] = rt.Config(device)
    config = _CONFIGS[device]
    vm_module = rt.VmModule.mmap(config.vm_instance, str(vmfb))
    context = rt.SystemContext(vm_modules=[vm_module], config=config)
    main = context.modules[vm_module.name]["main"]

    def run(*values):
        arrays = [np.ascontiguousarray(values[i].detach().numpy()) for i in positions]
        result = main(*arrays)
        results = result if isinstance(result, (tuple, list)) else [result]
        # Copied: the host view of a result is a mapping of the runtime's buffer, which must
        # not outlive it (a tensor kept to the end of the process would read freed memory).
        return tuple(torch.from_numpy(np.array(r.to_host() if hasattr(r, "to_host") else r))
                     for r in results)

    return run


def _release() -> None:
    """At exit, drop the compiled graphs and then the runtime instances they use, while the
    runtime's bindings are still alive (otherwise they report every one of them as leaked)."""
    import gc

    import torch._dynamo

    torch._dynamo.reset()
    gc.collect()
    _CONFIGS.clear()
    gc.collect()


def backend(gm, example_inputs, options: dict | None = None):
    """The Dynamo backend: a callable running ``gm``'s graph compiled, or ``gm`` itself."""
    options = dict(options or {})
    pipeline = options.pop("pipeline", None)
    if options:
        raise ValueError(f"torch.compile backend {NAME!r}: unknown options {sorted(options)} "
                         "(it takes {'pipeline': <a name from schedules/pipelines.toml>})")
    try:
        _check_inputs(example_inputs)
        project = _project()
        build = _build(project, pipeline)
        flags = _flags(build)
        from ..core.host import host_cpu

        key = _digest(gm, example_inputs, flags, host_cpu(project.cache))
        vmfb = project.cache / "torch_compile" / f"{key}.vmfb"
        frozen, positions = _frozen(gm, example_inputs)
        if vmfb.exists():
            STATISTICS.cache_hits += 1
        else:
            source = _import(frozen, [example_inputs[i] for i in positions])
            _compile(source, vmfb, flags)
            STATISTICS.compiled += 1
        from ..engines.iree import IreeEngine

        device = IreeEngine().pipeline(build).device  # local-task, or local-sync (one thread)
        return _runner(vmfb, device, positions)
    except Unsupported as reason:
        STATISTICS.eager.append(str(reason))
        warnings.warn(f"torch.compile backend {NAME!r}: running a graph eagerly: {reason}",
                      stacklevel=2)
        return gm.forward

