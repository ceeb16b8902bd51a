"""A ``Build``: one model, with what was selected to build it (target, engine, schedule,
pipelines)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from ..ingress.models import ModelFile
from .artifacts import Artifacts
from .errors import StageError
from .project import Project
from .selection import Selection, select


def command_line_globals(model_name: str) -> dict:
    """``INTEGRATOR_GLOBALS`` (the ``doit run`` variable ``globals=``): ``name=value`` pairs
    joined by commas, values in TOML (``batch_size=64,dim=128``, ``mode="fast"``), for every
    model of the run."""
    text = os.environ.get("INTEGRATOR_GLOBALS", "").strip()
    if not text:
        return {}
    try:
        return tomllib.loads(f"globals = {{ {text} }}")["globals"]
    except tomllib.TOMLDecodeError as error:
        raise StageError(model_name, "import", f"globals={text!r} cannot be read: {error}",
                         hint="write name=value pairs joined by commas, e.g. "
                         "globals=batch_size=64,dim=128") from error


def imported_for(project: Project, model: ModelFile, selection: Selection) -> ModelFile:
    """``model`` with the import settings of its IREE pipeline (``import-settings``), those
    its format takes."""
    from ..ingress.formats import FORMATS
    from ..scheduling.pipelines import get_pipeline

    if selection.engine != "iree" or model.settings_error:
        return model
    try:
        wanted = get_pipeline(project.schedules, selection.iree_pipeline).import_settings
    except KeyError:  # an unknown or malformed pipeline: the compile stage reports it
        return model
    applies = {k: v for k, v in wanted.items() if k in FORMATS[model.format].settings
               and getattr(model.settings, k) != v}
    return replace(model, settings=replace(model.settings, **applies)) if applies else model


@dataclass(frozen=True)
class Build:
    project: Project
    model: ModelFile
    selection: Selection

    @classmethod
    def of(cls, project: Project, model: ModelFile) -> "Build":
        # pyproject's [tool.integrator.overrides.<name>] globals, then the run's own
        # (`doit run check:m globals=batch_size=64`), resize a problem: they join the file's
        # (and sidecar's), so every stage and key sees one set.
        extra = {**project.model_overrides.get(model.name, {}).get("globals", {}),
                 **command_line_globals(model.name)}
        if extra:
            merged = replace(model.settings, globals={**model.settings.globals, **extra})
            model = replace(model, settings=merged)
        return cls(project, model, select(project, model))

    @property
    def name(self) -> str:
        return self.model.name

    @cached_property
    def imported_model(self) -> ModelFile:
        """The model as the import stage takes it: with its pipeline's import settings."""
        return imported_for(self.project, self.model, self.selection)

    @property
    def target(self):
        """The selected ``core.target.Target``."""
        return self.selection.target

    @property
    def artifacts(self) -> Artifacts:
        return Artifacts(self.project.cache, self.model.name, self.selection.engine,
                         self.selection.target.label)

    def task(self, stage: str) -> str:
        """The doit task of ``stage`` for this build: ``compile:mlp`` for the host,
        ``compile:mlp@cuda-sm_80`` for another target (import and schedule are shared)."""
        from .artifacts import SHARED_STAGES

        suffix = "" if stage in SHARED_STAGES else self.target.task_suffix
        return f"{stage}:{self.name}{suffix}"

    def ensure_target(self, stage: str) -> None:
        """A target that does not exist, or an engine that cannot build for it, is this
        stage's error, naming the model, the stage and what to do."""
        problem = self.target.problem()
        if problem:
            raise self.error(stage, problem,
                             hint='set target = "host" or "cuda" (and cuda-arch = "sm_80") in the '
                             "model's settings, [tool.integrator.overrides."
                             f"{self.name}] or on the command line (target=cuda cuda_arch=sm_80)")
        if not self.target.is_host and self.selection.engine != "iree":
            raise self.error(
                stage, f"the {self.selection.engine!r} engine builds for the host CPU only; "
                f"target {self.target.kind} ({self.target.label}) needs the IREE engine",
                hint=f"select engine = \"iree\" for {self.name} (engine=iree on the command line, or "
                f"[tool.integrator.overrides.{self.name}] engine = \"iree\"), or target=host")

    @property
    def format(self):
        """The model's ``ingress.formats.Format``."""
        from ..ingress.formats import FORMATS

        return FORMATS[self.model.format]

    @cached_property
    def engine(self):
        """The selected ``engines.Engine``; an unknown name is a compile-stage error."""
        from ..engines import get_engine

        try:
            return get_engine(self.project, self.selection.engine)
        except KeyError as error:
            raise self.error("compile", error.args[0],
                             hint="see [tool.integrator.external.<name>] in pyproject.toml") from None

    def compile_outputs(self) -> list[Path]:
        """The artifact, its record, and what the engine writes beside them (an unknown
        engine writes nothing more: the compile stage reports it)."""
        try:
            extra = self.engine.extra_outputs(self)
        except StageError:
            extra = []
        return [self.artifacts.compiled, self.artifacts.compile_info, *extra]

    def error(self, stage: str, message: str, hint: str | None = None,
              kind: str | None = None) -> StageError:
        # A target-dependent stage's error names its task: `compile:mlp@cuda-sm_80: ...`.
        model = self.task(stage).split(":", 1)[1] if stage in ("compile", "check", "bench") else self.name
        return StageError(model, stage, message, hint, kind)
