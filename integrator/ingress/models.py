"""Model files: discovery, their settings, and building torch models with seeded weights.

A model is one file in a models directory, in one of three formats:

* ``<name>.py``: the KernelBench convention, ``class Model``, ``get_init_inputs()``
  (constructor arguments) and ``get_inputs()`` (forward arguments: tensors, and Python
  scalars or other constants that torch.export bakes into the compiled function).
* ``<name>.onnx``: an ONNX graph, imported with IREE's ONNX importer.
* ``<name>.mlir`` (or ``.mlirbc``, bytecode): an MLIR module with a public entry function.

Settings, each optional, are plain literals read without running anything (so listing the
build graph never imports torch): module-level ``UPPER_CASE`` assignments in a ``.py`` file,
and/or a sidecar ``<name>.toml`` next to the model file (kebab-case keys), which overrides
them. ``ModelSettings`` below lists them; ``README.md`` documents them.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..core.errors import StageError
from .formats import BY_SUFFIX, FORMATS


@dataclass(frozen=True)
class ModelSettings:
    atol: float = 1e-4
    rtol: float = 1e-4
    seed: int = 0
    # What builds the model (see selection.py, which also applies pyproject/env overrides).
    engine: str | None = None
    schedule: str | None = None
    schedule_params: dict = field(default_factory=dict)
    iree_pipeline: str | None = None
    mlir_pipeline: str | None = None
    iree_flags: tuple[str, ...] = ()
    # Where it runs: "host" (this CPU) or "cuda", and the GPU architecture (core/target.py).
    target: str | None = None
    cuda_arch: str | None = None
    # Python modules the model needs beyond the core dependencies (e.g. "transformers"); a
    # model whose requirement is not installed is skipped, not failed.
    requires: tuple[str, ...] = ()
    # ONNX and MLIR only: how inputs are made, and which function is the entry.
    dims: dict = field(default_factory=dict)  # ONNX symbolic dimension name -> size
    shapes: dict = field(default_factory=dict)  # ONNX input name -> full shape
    int_range: tuple[int, int] = (0, 2)  # integer inputs uniform in [low, high)
    entry: str | None = None  # MLIR: the function to run (default: the only public one, or main)
    # PyTorch only: rewrite 1-D, 3-D, grouped and transposed convolutions into the 2-D ones
    # the compiler is fast on (ingress/conv_rewrites.py), and compute depthwise ones
    # channels-last (ingress/depthwise_nhwc.py); False imports them as they are.
    conv_rewrites: bool = True
    # PyTorch only: 3x3 stride-1 convolutions on maps under 16x16 computed by Winograd F(4,3)
    # or F(2,3), the filters transformed at import (ingress/winograd.py); False leaves them.
    winograd: bool = True
    # PyTorch only: stride-1 dilated 2-D convolutions as one undilated convolution over their
    # dilation phases stacked into the batch (ingress/conv_rewrites.py). Faster only where
    # the pipeline tiles it well, so pipelines set it (``import-settings`` in pipelines.toml).
    dilated_as_phases: bool = False
    # PyTorch only: module-level names of the model file set before it builds (e.g. the
    # problem size, ``{batch_size = 16}``), so a problem can be resized without editing it.
    globals: dict = field(default_factory=dict)


# Which settings make sense for which format is the format's (formats.py); anything else is
# refused, not ignored.
_TYPES = {
    "atol": (int, float), "rtol": (int, float), "seed": int, "schedule": (str, type(None)),
    "engine": (str, type(None)), "schedule_params": dict, "mlir_pipeline": (str, type(None)),
    "iree_pipeline": (str, type(None)), "iree_flags": (list, tuple), "requires": (list, tuple),
    "dims": dict, "shapes": dict, "int_range": (list, tuple), "entry": (str, type(None)),
    "conv_rewrites": bool, "winograd": bool, "dilated_as_phases": bool, "globals": dict, "target": (str, type(None)),
    "cuda_arch": (str, type(None)),
}


@dataclass(frozen=True)
class ModelFile:
    name: str
    path: Path
    settings: ModelSettings = field(default_factory=ModelSettings)
    # Why the settings could not be read (e.g. a syntax error); the import stage reports it.
    settings_error: str | None = None
    format: str = "torch"
    missing: tuple[str, ...] = ()  # entries of settings.requires that are not installed

    @property
    def sidecar(self) -> Path:
        return self.path.with_suffix(".toml")

    @property
    def skip_reason(self) -> str | None:
        if not self.missing:
            return None
        extra = (" (pip install -e '.[hf]')" if "transformers" in self.missing else
                 " (pip install -e '.[jax]')" if "jax" in self.missing else "")
        return f"needs {', '.join(self.missing)}, which is not installed{extra}"


def _python_settings(path: Path) -> dict:
    """The literal ``UPPER_CASE`` settings assigned at the top level of a .py model."""
    tree = ast.parse(Path(path).read_text(), filename=str(path))
    values = {}
    known = {f.name.upper(): f.name for f in fields(ModelSettings)}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in known:
                try:
                    values[known[target.id]] = ast.literal_eval(node.value)
                except ValueError:
                    raise ValueError(
                        f"{path}:{node.lineno}: setting {target.id} must be a plain literal"
                    ) from None
    return values


def _sidecar_settings(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            table = tomllib.load(f)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: {error}") from None
    known = {f.name for f in fields(ModelSettings)}
    values = {key.replace("-", "_"): value for key, value in table.items()}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"{path}: unknown settings: {', '.join(unknown)}")
    return values


def read_settings(path: Path, format: str | None = None) -> ModelSettings:
    """The model's settings: its own literals (.py), then its sidecar .toml. Raises ValueError
    (or SyntaxError for a .py that does not parse)."""
    path = Path(path)
    format = format or format_of(path)
    values = _python_settings(path) if path.suffix == ".py" else {}
    sidecar = path.with_suffix(".toml")
    if sidecar.is_file():
        values |= _sidecar_settings(sidecar)
    where = sidecar if sidecar.is_file() else path
    for name, value in values.items():
        if name not in FORMATS[format].settings:
            raise ValueError(f"{where}: setting {name!r} does not apply to {format} models")
        # bool is an int to Python: only a setting that is a bool takes one
        if not isinstance(value, _TYPES[name]) or isinstance(value, bool) != (_TYPES[name] is bool):
            raise ValueError(f"{where}: setting {name!r} has the wrong type ({value!r})")
    for name in ("iree_flags", "requires", "int_range"):
        if name in values:
            values[name] = tuple(values[name])
    if "shapes" in values:
        values["shapes"] = {k: list(v) for k, v in values["shapes"].items()}
    low_high = values.get("int_range", (0, 1))
    if len(low_high) != 2 or not low_high[0] < low_high[1]:
        raise ValueError(f"{where}: int-range must be [low, high] with low < high")
    return ModelSettings(**values)


def discover(model_dirs) -> list[ModelFile]:
    """Every model file in ``model_dirs`` (names starting with ``_`` or ``.`` are not models).

    A model's name is its file stem. Where stems collide, the colliding files are named with
    just enough of their path to be told apart: the directory (``level1.relu``), then the
    extension (``mlp.onnx``), then both.
    """
    paths, seen = [], set()
    for directory in model_dirs:
        directory = Path(directory).resolve()
        if directory in seen or not directory.is_dir():
            continue
        seen.add(directory)
        paths += [
            p for p in sorted(directory.iterdir())
            if p.suffix in BY_SUFFIX and p.is_file() and not p.name.startswith(("_", "."))
        ]
    found = []
    for path, name in zip(paths, _unique_names(paths)):
        format = format_of(path)
        try:
            settings = read_settings(path, format)
        except (SyntaxError, ValueError) as error:
            found.append(ModelFile(name, path, settings_error=_describe(error), format=format))
            continue
        requires = (*settings.requires, *(("jax",) if format == "jax" else ()))
        missing = tuple(r for r in requires if importlib.util.find_spec(r) is None)
        found.append(ModelFile(name, path, settings, None, format, missing))
    return found


def _unique_names(paths: list[Path]) -> list[str]:
    ways = (
        lambda p: p.stem,
        lambda p: f"{p.parent.name}.{p.stem}",
        lambda p: p.name,
        lambda p: f"{p.parent.name}.{p.name}",
        lambda p: ".".join([*p.parent.parts[1:], p.name]),  # the full path: always unique
    )
    names = [p.stem for p in paths]
    for stem in {n for n in names if names.count(n) > 1}:
        group = [i for i, n in enumerate(names) if n == stem]
        for way in ways:
            candidates = [way(paths[i]) for i in group]
            if len(set(candidates)) == len(candidates):
                break
        for i, candidate in zip(group, candidates):
            names[i] = candidate
    return names


def find_model(project, name: str) -> ModelFile:
    """The model called ``name`` in the project's model directories."""
    for model in discover(project.model_dirs):
        if model.name == name:
            return model
    dirs = ", ".join(str(d) for d in project.model_dirs)
    raise StageError(name, "discover", f"no model named {name!r} in {dirs}")


def missing_dirs(model_dirs) -> list[Path]:
    return [Path(d) for d in model_dirs if not Path(d).is_dir()]


def _describe(error: Exception) -> str:
    if isinstance(error, SyntaxError):
        return f"syntax error at {error.filename}:{error.lineno}: {error.msg}"
    return str(error)


def check_settings(model: ModelFile, stage: str) -> None:
    if model.settings_error:
        where = model.sidecar if model.sidecar.is_file() else model.path
        raise StageError(model.name, stage, model.settings_error, hint=f"fix {where}")


# What a model file defines, by format (a JAX file: ingress/from_jax.py).
REQUIRED = {
    "torch": (("Model", "get_inputs", "get_init_inputs"),
              "a model file defines class Model, get_init_inputs() and get_inputs()"),
    "jax": (("get_params", "get_inputs", "forward"),
            "a JAX model file defines get_params(), get_inputs() and forward(params, *inputs)"),
}


def is_jax_source(path: Path) -> bool:
    """A ``.py`` model is a JAX one when it imports ``jax`` at the top level and defines
    ``get_params``: decided from the source, without importing anything."""
    try:
        tree = ast.parse(Path(path).read_text(), filename=str(path))
    except (SyntaxError, ValueError, OSError):
        return False  # the torch importer reports the syntax error
    imports_jax = any(
        (isinstance(node, ast.Import) and any(a.name.split(".")[0] == "jax" for a in node.names))
        or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "jax")
        for node in tree.body)
    return imports_jax and any(isinstance(node, ast.FunctionDef) and node.name == "get_params"
                               for node in tree.body)


def format_of(path: Path) -> str:
    format = BY_SUFFIX[path.suffix]
    return "jax" if format == "torch" and is_jax_source(path) else format


def load_module(model: ModelFile, stage: str):
    """Execute the model file as a fresh module, turning every failure into a StageError."""
    check_settings(model, stage)
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
    for name, value in model.settings.globals.items():
        if not isinstance(getattr(module, name, None), (int, float, bool, str)):
            raise StageError(model.name, stage, f"globals: {name!r} is not a module-level number, "
                             f"bool or string of {model.path}",
                             hint="name a constant the file defines at module level, e.g. batch_size")
        setattr(module, name, value)  # get_inputs() and Model read it when called
    required, hint = REQUIRED[model.format]
    missing = [n for n in required if not hasattr(module, n)]
    if missing:
        raise StageError(model.name, stage, f"{model.path} does not define {', '.join(missing)}",
                         hint=hint)
    return module


def build(model: ModelFile, stage: str):
    """(torch module in eval mode, list of forward arguments), both from the model's seed."""
    import torch

    module = load_module(model, stage)
    torch.manual_seed(model.settings.seed)
    init_inputs = _call(model, stage, module.get_init_inputs, "get_init_inputs()")
    try:
        instance = module.Model(*init_inputs).eval()
    except Exception as error:
        raise StageError(
            model.name, stage, f"Model(*get_init_inputs()) failed: {type(error).__name__}: {error}"
        ) from error
    torch.manual_seed(model.settings.seed)
    inputs = list(_call(model, stage, module.get_inputs, "get_inputs()"))
    return instance, inputs


def _call(model: ModelFile, stage: str, function, what: str):
    try:
        return function()
    except Exception as error:
        raise StageError(
            model.name, stage, f"{what} raised {type(error).__name__}: {error}"
        ) from error
