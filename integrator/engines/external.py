"""External engines: a compiler and a runner given as command lines in pyproject.toml.

Tensors cross the process boundary as .npy files. The binaries are looked up on PATH (or
given by path), run with the configured environment and library paths, and their stderr is
the error message when they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from ..core.project import ExternalRunner
from .base import Compiled, Engine


class ExternalError(Exception):
    pass


def _environment(runner: ExternalRunner) -> dict:
    env = dict(os.environ, **{k: str(v) for k, v in runner.env.items()})
    # Tools installed into this Python environment (a venv's bin/) count as installed, even
    # when the venv is not activated.
    env["PATH"] = os.pathsep.join(filter(None, [env.get("PATH"), os.path.dirname(sys.executable)]))
    if runner.library_paths:
        paths = [*runner.library_paths, *filter(None, [env.get("LD_LIBRARY_PATH")])]
        env["LD_LIBRARY_PATH"] = os.pathsep.join(paths)
    return env


def execute(runner: ExternalRunner, command: list[str], what: str) -> subprocess.CompletedProcess:
    executable = command[0]
    env = _environment(runner)
    if shutil.which(executable, path=env.get("PATH")) is None:
        raise ExternalError(
            f"external runner {runner.name!r}: {what} command {executable!r} not found "
            "(not on PATH and not an executable path)"
        )
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-20:])
        raise ExternalError(
            f"external runner {runner.name!r}: {what} command exited with {result.returncode}:\n{tail}"
        )
    return result


def compile_module(runner: ExternalRunner, source: Path, *, output: Path, cpu: str) -> list[str]:
    command = [arg.format(input=source, output=output, cpu=cpu) for arg in runner.compile]
    execute(runner, command, "compile")
    if not Path(output).exists():
        raise ExternalError(f"external runner {runner.name!r}: compile wrote no {output}")
    return command


def run_command(runner: ExternalRunner, artifact: Path, inputs: list[Path], outputs: list[Path]):
    return (
        [arg.format(artifact=artifact) for arg in runner.run]
        + [runner.input_arg.format(path=p) for p in inputs]
        + [runner.output_arg.format(path=p) for p in outputs]
    )


def run(runner: ExternalRunner, artifact: Path, inputs: list[np.ndarray], n_outputs: int):
    with tempfile.TemporaryDirectory() as tmp:
        in_files = [Path(tmp, f"input_{i}.npy") for i in range(len(inputs))]
        out_files = [Path(tmp, f"output_{i}.npy") for i in range(n_outputs)]
        for path, array in zip(in_files, inputs):
            np.save(path, array)
        execute(runner, run_command(runner, artifact, in_files, out_files), "run")
        missing = [p.name for p in out_files if not p.exists()]
        if missing:
            raise ExternalError(f"external runner {runner.name!r}: run wrote no {', '.join(missing)}")
        return [np.load(p) for p in out_files]


class ExternalEngine(Engine):
    """A runner configured in ``[tool.integrator.external.<name>]``."""

    def __init__(self, config: ExternalRunner):
        self.config = config
        self.name = config.name

    def key(self, build) -> dict:
        import dataclasses

        return {"external": dataclasses.asdict(self.config)}

    def compile(self, build, source: Path, output: Path, extra: list[Path]) -> dict:
        from ..core.host import host_cpu

        try:
            return {"command": compile_module(self.config, source, output=output,
                                              cpu=host_cpu(build.project.cache))}
        except ExternalError as error:
            raise build.error("compile", str(error),
                              hint="see [tool.integrator.external.<name>] in pyproject.toml") from None

    def load(self, artifact: Path, record: dict, *, entry: str, n_outputs: int) -> "ExternalArtifact":
        return ExternalArtifact(self.config, artifact, n_outputs)


class ExternalArtifact(Compiled):
    def __init__(self, config: ExternalRunner, artifact: Path, n_outputs: int):
        self.config, self.artifact, self.n_outputs = config, artifact, n_outputs

    def run(self, inputs: list) -> list:
        return run(self.config, self.artifact, inputs, self.n_outputs)

    def timer(self, arrays: list, input_files: list[Path], threads: int):
        from ..measure.baselines import python_timer

        # Outputs go beside the inputs (the bench's temporary directory); a model without
        # inputs has none, so then a directory of our own.
        where = Path(input_files[0]).parent if input_files else Path(tempfile.mkdtemp(prefix="integrator-"))
        outputs = [where / f"output_{i}.npy" for i in range(self.n_outputs)]
        command = run_command(self.config, self.artifact, input_files, outputs)

        def call():  # a whole process per call: start-up and loading are part of the number
            execute(self.config, command, "run")

        return python_timer(call), None
