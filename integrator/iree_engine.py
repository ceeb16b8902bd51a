"""The IREE engine: compile torch-dialect MLIR for the host CPU, run it, benchmark it.

Uses ``iree.compiler.tools`` and ``iree.runtime`` (and its ``benchmark_module`` wrapper of
``iree-benchmark-module``) rather than hand-rolled subprocess plumbing.
"""

from __future__ import annotations

from pathlib import Path


def tool(name: str) -> str:
    """The path of an IREE command-line tool (iree-compile, iree-opt, ...) of the installed wheel."""
    from iree.compiler.tools import binaries

    return binaries.find_tool(name)


def target_flags(cpu: str) -> list[str]:
    """Flags that pin the target: local device, llvm-cpu backend, an explicit CPU name."""
    return [
        "--iree-hal-target-device=local",
        "--iree-hal-local-target-device-backends=llvm-cpu",
        f"--iree-llvmcpu-target-cpu={cpu}",
    ]


# What --iree-input-type each model format needs: torch.export and the ONNX importer both give
# torch-dialect MLIR, but ONNX's operators arrive as `torch.operator "onnx.*"`, which only the
# onnx conversion legalizes; raw MLIR may be in any dialect IREE takes, which `auto` detects.
INPUT_TYPES = {"torch": "torch", "onnx": "onnx", "mlir": "auto"}


def compile_module(
    source: Path, *, output: Path, cpu: str, flags=(), input_type: str = "torch"
) -> list[str]:
    """Compile ``source`` (MLIR, text or bytecode) into ``output`` (.vmfb).

    Returns the full flag list used. Raises ``iree.compiler.tools.CompilerToolError`` with the
    compiler's diagnostics on failure.
    """
    from iree.compiler import tools

    all_flags = [*target_flags(cpu), *flags]
    tools.compile_file(
        str(source), output_file=str(output), input_type=input_type, extra_args=all_flags
    )
    return [f"--iree-input-type={input_type}", *all_flags]


def load(vmfb: Path, entry: str = "main", driver: str = "local-task"):
    """The compiled module's ``entry`` function, callable with numpy arrays."""
    import iree.runtime as rt

    module = rt.load_vm_flatbuffer_file(str(vmfb), driver=driver)
    return module[entry]


def run(vmfb: Path, inputs: list, entry: str = "main") -> list:
    """Call ``entry`` once; always returns a list of numpy arrays."""
    result = load(vmfb, entry)(*inputs)
    results = result if isinstance(result, (tuple, list)) else [result]
    return [r.to_host() if hasattr(r, "to_host") else r for r in results]


def benchmark(
    vmfb: Path, input_files: list[Path], *, threads: int, warmup: int, samples: int,
    entry: str = "main", timeout: float | None = None,
):
    """Latencies in ms of ``samples`` single calls of ``entry``, timed inside iree-benchmark-module.

    One iteration per repetition (``benchmark_min_time=1x``) makes each repetition one sample;
    the first ``warmup`` repetitions run in the same process and are dropped, so caches, page
    faults and the worker pool are warm. ``task_topology_max_group_count`` fixes the threads.
    """
    import iree.runtime as rt

    rows = rt.benchmark_module(
        str(vmfb),
        entry_function=entry,
        inputs=[f"@{p}" for p in input_files],
        device="local-task",
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
