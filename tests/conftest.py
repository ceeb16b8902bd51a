"""Test helpers: a throw-away copy of the project in a temp directory, driven by real doit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from integrator.core.stages import STAGES

REPO = Path(__file__).resolve().parent.parent
TEST_MODELS = Path(__file__).resolve().parent / "models"


@dataclass
class DoitRun:
    returncode: int
    seconds: float
    results: dict  # task name -> "success" | "fail" | "up-to-date" | "ignore"
    executed: set  # tasks whose actions ran (not up to date, not stopped by a failed dependency)
    errors: dict  # task name -> error message of a failed task
    outputs: dict  # task name -> stdout of the task
    stderr: str


class TempProject:
    """dodo.py, tasks/, schedules/ and pyproject.toml copied; models chosen per test."""

    def __init__(self, root: Path, models: list[str]):
        self.root = root
        for name in ("dodo.py", "pyproject.toml"):
            shutil.copy(REPO / name, root / name)
        for name in ("tasks", "schedules"):
            shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        (root / "models").mkdir()
        for model in models:
            self.add_model(model)

    def copy_library(self) -> Path:
        """A copy of integrator/ in the project, which its doit and stage processes then import
        (the current directory comes first on their path): for tests that edit the library."""
        return Path(shutil.copytree(REPO / "integrator", self.root / "integrator",
                                    ignore=shutil.ignore_patterns("__pycache__")))

    def edit_pyproject(self, old: str, new: str) -> None:
        path = self.root / "pyproject.toml"
        text = path.read_text()
        assert old in text, f"{old!r} not in pyproject.toml"
        path.write_text(text.replace(old, new))

    def only_baselines(self, *baselines: str) -> "TempProject":
        """Bench fewer baselines: staleness tests need a bench, not every baseline's setup time."""
        self.edit_pyproject(
            'baselines = ["torch_eager", "torch_compile", "onnxruntime", "jax_jit"]',
            "baselines = [" + ", ".join(f'"{s}"' for s in baselines) + "]",
        )
        return self

    @property
    def cache(self) -> Path:
        return self.root / ".cache"

    def add_schedule(self, name: str) -> Path:
        """A test schedule from tests/schedules/ into the project's schedules/."""
        source = Path(__file__).resolve().parent / "schedules" / name
        return Path(shutil.copy(source, self.root / "schedules" / name))

    def add_model(self, name: str, directory: str = "models") -> Path:
        """Copy the model file ``name`` (any format, from models/ or tests/models/) and its
        sidecar settings, if any, into ``directory`` of the project."""
        for folder in (REPO / "models", TEST_MODELS):
            sources = [p for p in folder.glob(f"{name}.*") if p.suffix in (".py", ".onnx", ".mlir")]
            if sources:
                break
        else:
            raise FileNotFoundError(f"no model file {name}.* in models/ or tests/models/")
        (self.root / directory).mkdir(exist_ok=True)
        sidecar = sources[0].with_suffix(".toml")
        if sidecar.exists():
            shutil.copy(sidecar, self.root / directory / sidecar.name)
        return Path(shutil.copy(sources[0], self.root / directory / sources[0].name))

    def write_model(self, name: str, text: str) -> Path:
        path = self.root / "models" / f"{name}.py"
        path.write_text(text)
        return path

    def doit(self, *args: str, env: dict | None = None) -> DoitRun:
        """``doit <args>`` in the project; for ``run``, parse doit's JSON report."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("INTEGRATOR_")} | (env or {})
        command = [sys.executable, "-m", "doit", *args]
        json_report = args and args[0] == "run"
        if json_report:
            command[4:4] = ["--reporter", "json"]
        started = time.perf_counter()
        proc = subprocess.run(command, cwd=self.root, capture_output=True, text=True, env=env)
        seconds = time.perf_counter() - started
        results, errors, outputs, executed = {}, {}, {}, set()
        if json_report and proc.stdout.strip():
            for task in json.loads(proc.stdout)["tasks"]:
                results[task["name"]] = task["result"]
                if task["started"] and task["name"] not in STAGES:  # not the action-less groups
                    executed.add(task["name"])
                outputs[task["name"]] = task["out"]
                if task["error"]:
                    errors[task["name"]] = task["error"]
        return DoitRun(
            proc.returncode, seconds, results, executed, errors, outputs, proc.stdout + proc.stderr
        )


    def integrator(self, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        """``python -m integrator <args>`` in the project (e.g. the catalogue)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("INTEGRATOR_")} | (env or {})
        return subprocess.run([sys.executable, "-m", "integrator", *args], cwd=self.root,
                              capture_output=True, text=True, env=env)


@pytest.fixture
def make_project(tmp_path):
    def make(*models: str) -> TempProject:
        root = tmp_path / "project"
        root.mkdir()
        return TempProject(root, list(models))

    return make


def specs_task(project: TempProject) -> list[str]:
    """``["specs"]`` where tuning specs apply to this CPU in the project (the shipped ones for
    ``schedules/tuning/<this cpu>``): IREE compiles then depend on the linked library, so
    the first IREE build runs the ``specs`` task too. Elsewhere the task has nothing to do."""
    from integrator.core.project import load_project
    from integrator.tuning.library import tuning_specs

    return ["specs"] if tuning_specs(load_project(project.root)) else []


def chain(model: str) -> list[str]:
    return [f"{stage}:{model}" for stage in ("import", "schedule", "compile", "check", "bench")]
