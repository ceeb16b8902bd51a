"""Which target, engine, schedule and pipelines build a model: one resolved answer per model.

Precedence, highest first: the environment (``INTEGRATOR_TARGET``, ``INTEGRATOR_CUDA_ARCH``,
``INTEGRATOR_ENGINE``, ``INTEGRATOR_SCHEDULE``, ``INTEGRATOR_IREE_PIPELINE``,
``INTEGRATOR_MLIR_PIPELINE``; ``doit run target=cuda engine=mlir ...`` sets them),
``[tool.integrator.overrides.<name>]`` in pyproject.toml, a tuned choice for the target's
architecture (``<spec library>/<cpu, family or GPU arch>/<name>.toml``, written by
``tune:<name>`` or shipped in ``schedules/tuning``), the model file's own settings, then the
project's defaults. A tuned choice beats the model file because it was measured on this
architecture after the file was written; a user who wants the file's pipeline anyway says so
in pyproject's overrides. The target is resolved first (a tuned choice lives in its
architecture's directory, so it cannot choose the target). ``SCHEDULE = "none"`` (or the env
value ``none``) selects no schedule explicitly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..ingress.models import ModelFile
from .project import Project
from .target import HOST, Target, arch_name, make_target

ENVIRONMENT = {
    "engine": "INTEGRATOR_ENGINE",
    "schedule": "INTEGRATOR_SCHEDULE",
    "iree_pipeline": "INTEGRATOR_IREE_PIPELINE",
    "mlir_pipeline": "INTEGRATOR_MLIR_PIPELINE",
    "target": "INTEGRATOR_TARGET",
    "cuda_arch": "INTEGRATOR_CUDA_ARCH",
}

# Every setting with an environment override is also a `doit run` variable
# (`doit run bench:mlp engine=mlir threads=1`): dodo.py sets the variable for the run and the
# stage processes it starts. Selections above, then the rest.
COMMAND_LINE = {
    **ENVIRONMENT,
    "threads": "INTEGRATOR_THREADS",
    "models": "INTEGRATOR_MODELS",
    "cache": "INTEGRATOR_CACHE",
    "cpu": "INTEGRATOR_TARGET_CPU",
    "minutes": "INTEGRATOR_TUNE_MINUTES",
    "trials": "INTEGRATOR_TUNE_TRIALS",
    "specs": "INTEGRATOR_TUNING_SPECS",
    "globals": "INTEGRATOR_GLOBALS",
    "cluster": "INTEGRATOR_CLUSTER",
    "store": "INTEGRATOR_STORE",
}

_SELECTABLE = ("engine", "schedule", "schedule_params", "iree_pipeline", "mlir_pipeline", "iree_flags",
               "target", "cuda_arch")


@dataclass(frozen=True)
class Selection:
    engine: str
    schedule: str | None
    schedule_params: dict = field(default_factory=dict)
    iree_pipeline: str = "cpu-default"
    mlir_pipeline: str = "cpu-default"
    iree_flags: tuple[str, ...] = ()
    target: Target = HOST


def tuned_choice(project: Project, model_name: str, target: Target = HOST):
    """The model's tuned choice for the target's architecture (``tuning/choices.py``) from the
    user libraries, then the shipped ones, and its path."""
    from ..tuning.choices import find_choice

    return find_choice([*project.user_specs, project.default_specs], arch_name(target, project.cache),
                       model_name, project.cache)


def select(project: Project, model: ModelFile) -> Selection:
    in_file = {k: getattr(model.settings, k) for k in _SELECTABLE}
    from_file = {k: v for k, v in in_file.items() if v not in (None, (), {})}
    overrides = project.model_overrides.get(model.name, {})
    environment = {k: os.environ[v] for k, v in ENVIRONMENT.items() if os.environ.get(v)}
    placed = {**from_file, **overrides, **environment}
    target = make_target(placed.get("target", project.target),
                         placed.get("cuda_arch", project.cuda_arch))
    chosen = {}
    for source in (from_file, tuned_choice(project, model.name, target)[0].selection(), overrides,
                   environment):
        chosen.update(source)
    engine = chosen.get("engine", project.engine)
    schedule = chosen.get("schedule", project.mlir_schedule if engine == "mlir" else None)
    return Selection(
        engine=engine,
        schedule=None if schedule in (None, "none") else schedule,
        schedule_params=dict(chosen.get("schedule_params", {})),
        iree_pipeline=chosen.get("iree_pipeline", project.iree_cuda_pipeline if target.is_cuda
                                 else project.iree_pipeline),
        mlir_pipeline=chosen.get("mlir_pipeline", project.mlir_pipeline),
        iree_flags=(*project.iree_extra_flags, *chosen.get("iree_flags", ())),
        target=target,
    )
