"""The engine driver: one interface over IREE, the upstream MLIR engine and external runners.

Each engine compiles the schedule stage's module into one artifact, runs it on numpy inputs,
and gives the bench a timer. Everything engine-specific (libraries to load, environments,
calling conventions) stays behind these three functions.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .project import Project

ARTIFACT_SUFFIX = {"iree": ".vmfb", "mlir": ".so"}  # the built-in engines; others are external


def artifact_suffix(engine: str) -> str:
    return ARTIFACT_SUFFIX.get(engine, ".bin")


def runner(project: Project, engine: str):
    if engine not in project.external:
        known = ", ".join([*ARTIFACT_SUFFIX, *project.external])
        raise KeyError(f"unknown engine {engine!r}; known: {known}")
    return project.external[engine]


def run(project: Project, engine: str, artifact: Path, compile_info: dict, inputs: list,
        n_outputs: int, entry: str = "main") -> list:
    if engine == "iree":
        from . import iree_engine

        return iree_engine.run(artifact, inputs, entry=entry)
    if engine == "mlir":
        from .mlir_engine import Library

        return Library(artifact, compile_info["signature"])(*inputs)
    from . import external_engine

    return external_engine.run(runner(project, engine), artifact, inputs, n_outputs)


def timer(project: Project, engine: str, artifact: Path, compile_info: dict,
          inputs: list, input_files: list[Path], threads: int, n_outputs: int,
          entry: str = "main"):
    """``time(warmup, samples) -> [ms]`` for the compiled artifact, and the threads it uses."""
    if engine == "iree":
        from . import iree_engine

        def time_iree(warmup, samples):
            return iree_engine.benchmark(artifact, input_files, threads=threads, warmup=warmup,
                                         samples=samples, entry=entry)

        return time_iree, threads
    if engine == "mlir":
        from .mlir_engine import Library
        from .systems import python_timer

        call, _ = Library(artifact, compile_info["signature"]).bind(inputs)
        return python_timer(call), 1  # no runtime, no threads: single-threaded code
    from . import external_engine
    from .systems import python_timer

    config = runner(project, engine)
    # Outputs go beside the inputs (the bench's temporary directory); a model without inputs
    # has none, so then a directory of our own.
    where = Path(input_files[0]).parent if input_files else Path(tempfile.mkdtemp(prefix="integrator-"))
    outputs = [where / f"output_{i}.npy" for i in range(n_outputs)]
    command = external_engine.run_command(config, artifact, input_files, outputs)

    def call():  # a whole process per call: start-up and loading are part of the number
        external_engine.execute(config, command, "run")

    return python_timer(call), None
