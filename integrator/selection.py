"""Which engine, schedule and pipelines build a model: one resolved answer per model.

Precedence, highest first: the environment (``INTEGRATOR_ENGINE``, ``INTEGRATOR_SCHEDULE``,
``INTEGRATOR_IREE_PIPELINE``, ``INTEGRATOR_MLIR_PIPELINE``; ``doit run engine=mlir ...``
sets them), ``[tool.integrator.overrides.<name>]`` in pyproject.toml, the model file's own
settings, then the project's defaults. ``SCHEDULE = "none"`` (or the env value ``none``)
selects no schedule explicitly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .models import ModelFile
from .project import Project

ENVIRONMENT = {
    "engine": "INTEGRATOR_ENGINE",
    "schedule": "INTEGRATOR_SCHEDULE",
    "iree_pipeline": "INTEGRATOR_IREE_PIPELINE",
    "mlir_pipeline": "INTEGRATOR_MLIR_PIPELINE",
}

_SELECTABLE = ("engine", "schedule", "schedule_params", "iree_pipeline", "mlir_pipeline", "iree_flags")


@dataclass(frozen=True)
class Selection:
    engine: str
    schedule: str | None
    schedule_params: dict = field(default_factory=dict)
    iree_pipeline: str = "cpu-default"
    mlir_pipeline: str = "cpu-default"
    iree_flags: tuple[str, ...] = ()


def select(project: Project, model: ModelFile) -> Selection:
    in_file = {k: getattr(model.settings, k) for k in _SELECTABLE}
    chosen = {}
    for source in (
        {k: v for k, v in in_file.items() if v not in (None, (), {})},
        project.model_overrides.get(model.name, {}),
        {k: os.environ[v] for k, v in ENVIRONMENT.items() if os.environ.get(v)},
    ):
        chosen.update(source)
    engine = chosen.get("engine", project.engine)
    schedule = chosen.get("schedule", project.mlir_schedule if engine == "mlir" else None)
    return Selection(
        engine=engine,
        schedule=None if schedule in (None, "none") else schedule,
        schedule_params=dict(chosen.get("schedule_params", {})),
        iree_pipeline=chosen.get("iree_pipeline", project.iree_pipeline),
        mlir_pipeline=chosen.get("mlir_pipeline", project.mlir_pipeline),
        iree_flags=(*project.iree_extra_flags, *chosen.get("iree_flags", ())),
    )
