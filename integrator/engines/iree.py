"""The IREE engine: compile for the host CPU or a CUDA GPU with ``iree-compile``, run and time
with ``iree.runtime`` (its ``local-task``/``local-sync`` devices, or ``cuda``).

The one place where an IREE build's flags are assembled (``IreeEngine.flags``): the compile
stage, the tuner, the dispatches view and ``benchmarks/`` all call it, so they build the same
binary. Running uses ``iree.runtime``; timing runs inside ``iree-benchmark-module`` (through
``iree.runtime.benchmark_module``), so Python's overhead is not in the numbers.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from .base import Compiled, Engine
from .tools import tool

# IREE 3.13 can deadlock when a tuning spec is loaded by parallel passes (seen in
# IREECodegenDialect::getOrLoadTransformLibraryModule under const-eval's JIT, on 2 cores).
# Compiling single-threaded avoids it; on ResNet-50 it costs ~1 s of 13 and the binary is
# byte-identical.
SPEC_SAFE_FLAGS = ("--mlir-disable-threading",)

_CURRENT = object()  # flags(spec_library=...) default: the project's linked library, if any


def target_flags(cpu: str) -> list[str]:
    """Flags that pin the target: local device, llvm-cpu backend, an explicit CPU name."""
    return [
        "--iree-hal-target-device=local",
        "--iree-hal-local-target-device-backends=llvm-cpu",
        f"--iree-llvmcpu-target-cpu={cpu}",
    ]


def cuda_target_flags(arch: str) -> list[str]:
    """Flags that pin a CUDA target: the cuda HAL device and its architecture (``sm_80``).
    Compiling needs no GPU: the PTX is embedded in the module and finalized by the driver."""
    return ["--iree-hal-target-device=cuda", f"--iree-cuda-target={arch}"]


def build_target_flags(build, cpu: str | None = None) -> list[str]:
    """The target flags of ``build``'s selected target (``cpu``: another host CPU name)."""
    from ..core.host import host_cpu

    target = build.selection.target
    if target.is_cuda:
        return cuda_target_flags(target.arch)
    return target_flags(cpu or host_cpu(build.project.cache))


def spec_flags(library: Path | None) -> list[str]:
    """The flags that apply a tuning-spec library (linked or a single spec file)."""
    return [f"--iree-codegen-tuning-spec-path={library}", *SPEC_SAFE_FLAGS] if library else []


class IreeCompileError(RuntimeError):
    """iree-compile failed; the message is its diagnostics."""


def compile_file(source: Path, output: Path, flags: list[str], *, timeout: float | None = None) -> None:
    """``iree-compile source -o output <flags>``; raises ``IreeCompileError`` (diagnostics) or
    ``subprocess.TimeoutExpired``."""
    result = subprocess.run([tool("iree-compile"), str(source), "-o", str(output), *flags],
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise IreeCompileError(result.stderr or result.stdout)


def unsupported_ops(text: str) -> list[str]:
    """The operations iree-compile says it could not legalize, by their real names, each with
    the model's source line where the diagnostic has one (``torch.aten.histc (m.py:4)``).

    An op with no torch-mlir definition is imported as ``torch.operator "torch.aten.<op>"``
    (or ``"onnx.<Op>"``); the diagnostic quotes that name, so report it, not "torch.operator".
    A leftover ``torch.constant.*`` is the argument of an op whose lowering failed, not the
    culprit: it is named only when nothing else is.
    """
    ops = []
    for line in text.splitlines():
        match = re.search(r"failed to legalize operation '([^']+)'", line)
        if not match:
            continue
        op = match[1]
        if op == "torch.operator" and (name := re.search(r'name = "([^"]+)"', line)):
            op = name[1]
        where = re.match(r"\s*(\S+?):(\d+):\d+: error:", line)
        if where and where[1] != "<unknown>":
            op += f" ({Path(where[1]).name}:{where[2]})"
        if op not in ops:
            ops.append(op)
    real = [op for op in ops if not op.startswith("torch.constant.")]
    return real or [f"an op taking {op} as an argument" for op in ops]


def _first_error(text: str) -> str:
    """The first diagnostic's message, without its location: the line a listing shows."""
    for line in text.splitlines():
        if "error:" in line:
            return line.split("error:", 1)[1].strip()[:200]
    return "no diagnostic"


def compiler_errors(text: str, limit: int = 20) -> str:
    """The diagnostic lines of iree-compile's output (the full command line is noise)."""
    lines = [l for l in text.splitlines() if "error:" in l or "note:" in l]
    return "\n".join(lines[:limit]) or text[-4000:]


def _hint(diagnostics: str) -> str:
    if "exceeded stack allocation limit" in diagnostics:
        return ("IREE's code for one dispatch needs more stack than it allows: raise the limit "
                "(IREE_FLAGS = [\"--iree-llvmcpu-stack-allocation-limit=131072\"]; IREE's worker "
                "threads have 128 KiB stacks), or try another pipeline (`doit run tune:<model>`)")
    if "missing GPU target in #hal.executable.target" in diagnostics:
        # IREE 3.13 knows sm_80, sm_86, sm_89 and sm_120 but not sm_90 (H100, H200) or sm_100.
        return ("this IREE has no code-generation target for that CUDA architecture: build for "
                "an older one it knows (cuda_arch=sm_89, or cuda-arch in pyproject.toml); its "
                "PTX is compiled for the GPU by the driver when the module loads")
    return "the first 'error:' above names the operation IREE could not handle"


class IreeEngine(Engine):
    name = "iree"

    def pipeline(self, build, name: str | None = None):
        """The named pipeline (default: the selected one); one for another target than the
        build's (a CPU pipeline for a CUDA build, or the reverse) is the compile stage's error."""
        from ..scheduling.pipelines import get_pipeline

        try:
            chosen = get_pipeline(build.project.schedules, name or build.selection.iree_pipeline)
        except KeyError as error:
            raise build.error("compile", error.args[0]) from None
        target = build.selection.target
        if chosen.target != target.kind and target.problem() is None:
            default = (build.project.iree_cuda_pipeline if target.is_cuda
                       else build.project.iree_pipeline)
            raise build.error(
                "compile", f"IREE pipeline {chosen.name!r} (runtime device {chosen.device!r}) is "
                f"for {chosen.target} builds; {build.name} targets {target.label}",
                hint=f"select a {target.kind} pipeline (e.g. iree_pipeline={default} on the command "
                f"line, or [tool.integrator.overrides.{build.name}] iree-pipeline = \"{default}\"), "
                "or another target")
        return chosen

    def flags(self, build, *, pipeline: str | None = None, spec_library=_CURRENT,
              cpu: str | None = None) -> list[str]:
        """Everything iree-compile gets besides the source and output: the input type, the
        target (the host CPU, or CUDA and its architecture), then ``code_flags``."""
        return [f"--iree-input-type={build.format.iree_input_type}",
                *build_target_flags(build, cpu),
                *self.code_flags(build, pipeline=pipeline, spec_library=spec_library)]

    def code_flags(self, build, *, pipeline: str | None = None, spec_library=_CURRENT) -> list[str]:
        """The pipeline's flags, the tuning-spec library, the model's extra flags (last, so
        they win). ``pipeline``: another than the selected one; ``spec_library``: a library
        or spec file instead of the project's linked one, or None for no specs."""
        from ..tuning.library import current_library

        if spec_library is _CURRENT:
            spec_library = current_library(build.project, build.selection.target)
        chosen = self.pipeline(build, pipeline)
        return [*chosen.all_flags(self.preprocessing_spec(build, chosen)), *spec_flags(spec_library),
                *build.selection.iree_flags]

    def preprocessing_spec(self, build, pipeline) -> Path | None:
        """The built preprocessing schedule of ``pipeline`` (``scheduling/preprocessing.py``)."""
        from ..scheduling.preprocessing import preprocessing_spec
        from ..scheduling.schedule import ScheduleError

        if pipeline.preprocessing_schedule is None:
            return None
        try:
            return preprocessing_spec(build.project.cache, build.project.schedules,
                                      pipeline.preprocessing_schedule, pipeline.preprocessing_params)
        except ScheduleError as error:
            raise build.error("compile", f"pipeline {pipeline.name!r}: preprocessing schedule "
                              f"{pipeline.preprocessing_schedule!r}: {error}",
                              hint=f"fix the schedule or [iree.{pipeline.name}] in pipelines.toml") from None

    def inputs(self, build) -> list[Path]:
        from ..scheduling.pipelines import get_pipeline, pipelines_file
        from ..tuning.library import current_library

        files = [pipelines_file(build.project.schedules)]
        library = current_library(build.project, build.selection.target)
        files += [library] if library else []
        try:
            chosen = get_pipeline(build.project.schedules, build.selection.iree_pipeline)
        except KeyError:
            return files  # the stage reports the unknown pipeline
        files += [chosen.transform_library] if chosen.transform_library else []
        if chosen.preprocessing_schedule:
            from ..scheduling.schedule import ScheduleError, find_schedule

            try:
                files.append(find_schedule(build.project.schedules, chosen.preprocessing_schedule))
            except ScheduleError:
                pass  # the stage reports the unknown schedule
        return files

    def key(self, build) -> dict:
        from ..core.versions import tool_versions
        from ..tuning.library import tuning_specs

        # The specs' content is in the linked library, a file dependency; their order here.
        return {"pipeline": build.selection.iree_pipeline,
                "extra_flags": list(build.selection.iree_flags),
                "tuning_specs": [s.name for s in tuning_specs(build.project, build.selection.target)],
                "iree-base-compiler": tool_versions()["iree-base-compiler"]}

    def compile(self, build, source: Path, output: Path, extra: list[Path]) -> dict:
        flags = self.flags(build)
        try:
            compile_file(source, output, flags)
        except IreeCompileError as error:
            ops = unsupported_ops(str(error))
            raise build.error(
                "compile",
                (f"IREE cannot lower {', '.join(ops)}; " if ops else f"{_first_error(str(error))}; ")
                + "iree-compile failed:\n" + compiler_errors(str(error)),
                hint="a model that avoids the op, or a decomposition of it, gets past this"
                if ops else _hint(str(error)),
                kind=f"unsupported op: {', '.join(ops)}" if ops else "compile error",
            ) from None
        # The runtime device is the pipeline's choice too: it is in the record, which check
        # and bench depend on.
        chosen = self.pipeline(build)
        record = {"pipeline": chosen.name, "flags": flags, "device": chosen.device}
        if chosen.fewer_flops:
            record["fewer_flops"] = chosen.fewer_flops
        return record

    def load(self, artifact: Path, record: dict, *, entry: str, n_outputs: int) -> "IreeModule":
        return IreeModule(artifact, entry, driver=record.get("device", "local-task"))


class IreeModule(Compiled):
    def __init__(self, vmfb: Path, entry: str = "main", *, driver: str = "local-task",
                 timeout: float | None = None):
        self.vmfb, self.entry, self.driver, self.timeout = Path(vmfb), entry, driver, timeout

    def run(self, inputs: list) -> list:
        import iree.runtime as rt

        module = rt.load_vm_flatbuffer_file(str(self.vmfb), driver=self.driver)
        result = module[self.entry](*inputs)
        results = result if isinstance(result, (tuple, list)) else [result]
        return [r.to_host() if hasattr(r, "to_host") else r for r in results]

    def timer(self, arrays: list, input_files: list[Path], threads: int):
        def time_calls(warmup: int, samples: int) -> list[float]:
            return benchmark(self.vmfb, input_files, threads=threads, warmup=warmup,
                             samples=samples, entry=self.entry, timeout=self.timeout,
                             device=self.driver)

        # local-sync runs every dispatch inline on the calling thread: one thread, whatever
        # the bench allows; on a GPU the host threads do not count (None).
        return time_calls, (1 if self.driver == "local-sync" else None if self.driver == "cuda"
                            else threads)


def benchmark(
    vmfb: Path, input_files: list[Path], *, threads: int, warmup: int, samples: int,
    entry: str = "main", timeout: float | None = None, device: str = "local-task",
):
    """Latencies in ms of ``samples`` single calls of ``entry``, timed inside iree-benchmark-module.

    One iteration per repetition (``benchmark_min_time=1x``) makes each repetition one sample;
    the first ``warmup`` repetitions run in the same process and are dropped, so caches, page
    faults and the worker pool are warm. ``task_topology_max_group_count`` fixes the threads.
    On ``device="cuda"`` the inputs are uploaded once before timing, and a call returns when
    the GPU has finished it (the module's entry waits on its completion), so each sample is
    a synchronized latency, comparable with torch's timed with ``torch.cuda.synchronize``.
    """
    import iree.runtime as rt

    rows = rt.benchmark_module(
        str(vmfb),
        entry_function=entry,
        inputs=[f"@{p}" for p in input_files],
        device=device,
        task_topology_max_group_count=threads,
        benchmark_min_time="1x",
        benchmark_repetitions=warmup + samples,
        timeout=timeout,
    )
    times = [
        row.report["real_time"] * _MS_PER[row.report["time_unit"]]
        for row in rows
        if row.report.get("run_type") == "iteration"
    ]
    return times[warmup:]


_MS_PER = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
