"""Model files: discovery, their optional settings, and building them with seeded weights.

A model is ``<models dir>/<name>.py`` in the KernelBench convention: ``class Model``,
``get_init_inputs()`` (constructor arguments) and ``get_inputs()`` (forward inputs).
Optional module-level settings, each a plain literal:

=================  ==========  =====================================================
``ATOL``, ``RTOL``  1e-4, 1e-4  check tolerance: ``|got - want| <= ATOL + RTOL*|want|``
``SEED``            0           torch RNG seed before construction and before inputs
``ENGINE``          project's   ``"iree"``, ``"mlir"`` (upstream MLIR) or an external runner
``SCHEDULE``        engine's    a transform schedule from ``schedules/`` (``.mlir``/``.py``)
``SCHEDULE_PARAMS`` {}          keyword arguments for a Python schedule builder
``IREE_PIPELINE``   project's   a named IREE flag set from ``schedules/pipelines.toml``
``MLIR_PIPELINE``   project's   a named upstream pass pipeline from the same file
``IREE_FLAGS``      []          extra iree-compile flags for this model only
=================  ==========  =====================================================

``pyproject.toml`` can override any of them per model (``[tool.integrator.overrides.<name>]``)
and the environment for all models (``INTEGRATOR_ENGINE``, ...): see ``selection.py``.

Settings are read with ``ast`` without running the file, so listing the build graph never
imports torch; this is why they must be literals.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import StageError


@dataclass(frozen=True)
class ModelSettings:
    atol: float = 1e-4
    rtol: float = 1e-4
    seed: int = 0
    engine: str | None = None
    schedule: str | None = None
    schedule_params: dict = field(default_factory=dict)
    iree_pipeline: str | None = None
    mlir_pipeline: str | None = None
    iree_flags: tuple[str, ...] = ()


_SETTING_NAMES = {
    "ATOL": "atol",
    "RTOL": "rtol",
    "SEED": "seed",
    "ENGINE": "engine",
    "SCHEDULE": "schedule",
    "SCHEDULE_PARAMS": "schedule_params",
    "IREE_PIPELINE": "iree_pipeline",
    "MLIR_PIPELINE": "mlir_pipeline",
    "IREE_FLAGS": "iree_flags",
}


@dataclass(frozen=True)
class ModelFile:
    name: str
    path: Path
    settings: ModelSettings = field(default_factory=ModelSettings)
    # Why the settings could not be read (e.g. a syntax error); the import stage reports it.
    settings_error: str | None = None


def read_settings(path: Path) -> ModelSettings:
    """The literal settings assigned at the top level of ``path``. Raises SyntaxError/ValueError."""
    tree = ast.parse(Path(path).read_text(), filename=str(path))
    values = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in _SETTING_NAMES:
                try:
                    value = ast.literal_eval(node.value)
                except ValueError:
                    raise ValueError(
                        f"{path}:{node.lineno}: setting {target.id} must be a plain literal"
                    ) from None
                values[_SETTING_NAMES[target.id]] = value
    if "iree_flags" in values:
        values["iree_flags"] = tuple(values["iree_flags"])
    return ModelSettings(**values)


def discover(model_dirs) -> list[ModelFile]:
    """Every ``*.py`` model in ``model_dirs`` (files starting with ``_`` are helpers, not models)."""
    found = []
    for directory in model_dirs:
        for path in sorted(Path(directory).glob("*.py")):
            if path.name.startswith("_"):
                continue
            try:
                found.append(ModelFile(path.stem, path.resolve(), read_settings(path)))
            except (SyntaxError, ValueError) as error:
                found.append(ModelFile(path.stem, path.resolve(), settings_error=_describe(error)))
    return found


def _describe(error: Exception) -> str:
    if isinstance(error, SyntaxError):
        return f"syntax error at {error.filename}:{error.lineno}: {error.msg}"
    return str(error)


def load_module(model: ModelFile, stage: str):
    """Execute the model file as a fresh module, turning every failure into a StageError."""
    if model.settings_error:
        raise StageError(model.name, stage, model.settings_error, hint=f"fix {model.path}")
    module_name = f"integrator_model_{model.name}"
    spec = importlib.util.spec_from_file_location(module_name, model.path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up here
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        raise StageError(
            model.name, stage, f"loading {model.path} failed: {type(error).__name__}: {error}"
        ) from error
    missing = [n for n in ("Model", "get_inputs", "get_init_inputs") if not hasattr(module, n)]
    if missing:
        raise StageError(
            model.name,
            stage,
            f"{model.path} does not define {', '.join(missing)}",
            hint="a model file defines class Model, get_init_inputs() and get_inputs()",
        )
    return module


def build(model: ModelFile, stage: str):
    """(torch module in eval mode, list of inputs), both from the model's seed."""
    import torch

    module = load_module(model, stage)
    try:
        torch.manual_seed(model.settings.seed)
        instance = module.Model(*module.get_init_inputs()).eval()
        torch.manual_seed(model.settings.seed)
        inputs = list(module.get_inputs())
    except Exception as error:
        raise StageError(
            model.name, stage, f"building the model failed: {type(error).__name__}: {error}"
        ) from error
    return instance, inputs
