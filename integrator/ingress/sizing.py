"""How much memory a PyTorch model's stages need, known before anything is allocated.

The model is built and run on torch's ``meta`` device (``torch.device("meta")`` as a
context: factory functions make tensors with shapes and no data), so a problem sized for a
GPU (a 6 GB input, a 4 GB output) costs nothing to measure. Each stage holds a known
multiple of those sizes at once (``NEEDS``); a stage that cannot fit in the memory available
fails at once with the sizes and an override that fits (``globals``, see ``models.py``),
found by halving the file's module-level integers on the meta device until one fits.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, fields, replace

from ..core.errors import StageError


@dataclass(frozen=True)
class Sizes:
    """Bytes; ``outputs`` is None where the forward pass cannot run on meta tensors."""
    parameters: int
    inputs: int
    outputs: int | None

    def need(self, stage: str) -> int:
        p, i, o = NEEDS[stage]
        return int(p * self.parameters + i * self.inputs + o * (self.outputs or 0))


# What a stage holds at once, as multiples of (parameters, inputs, outputs):
# import: the module, its frozen copy in the MLIR, the inputs and the copies eager runs on,
#   eager's outputs and the largest intermediate (about an output's size);
# check: the compiled module's constants, the inputs, its outputs and the reference's
#   (compared in chunks: no full-size temporaries);
# bench: the compiled module, the eager and compiled torch models and onnxruntime's copy of
#   the weights, the inputs, and outputs of several systems alive at once (measured: a
#   matmul with a 4 GiB output and small inputs peaked at 20.7 GiB in bench, ~5x its output).
NEEDS = {"import": (2, 2, 2), "check": (1, 1, 2), "bench": (3, 2, 6)}


def _nbytes(value) -> int:
    import torch
    from torch.utils import _pytree

    return sum(t.numel() * t.element_size() for t in _pytree.tree_leaves(value)
               if isinstance(t, torch.Tensor))


def measure(model, stage: str) -> Sizes | None:
    """The model's sizes from a build and a forward pass on the meta device; None where the
    model cannot be built there (e.g. it converts a tensor to a Python number)."""
    import torch

    from .models import load_module

    module = load_module(model, stage)
    try:
        with torch.device("meta"), contextlib.redirect_stdout(io.StringIO()):
            torch.manual_seed(model.settings.seed)
            instance = module.Model(*module.get_init_inputs()).eval()
            inputs = list(module.get_inputs())
    except Exception:
        return None
    parameters = _nbytes([*instance.parameters(), *instance.buffers()])
    outputs = None
    try:
        with torch.device("meta"), torch.no_grad(), contextlib.redirect_stdout(io.StringIO()):
            outputs = _nbytes(instance(*inputs))
    except Exception:
        pass
    return Sizes(parameters, _nbytes(inputs), outputs)


def _integers(model, stage: str) -> dict[str, int]:
    """The model file's module-level integers that are not settings: the problem's sizes."""
    from .models import ModelSettings, load_module

    settings = {f.name.upper() for f in fields(ModelSettings)}
    module = load_module(model, stage)
    return {name: value for name, value in vars(module).items()
            if type(value) is int and value > 1 and not name.startswith("_") and name not in settings}


def suggest(model, stage: str, available: int) -> tuple[dict, Sizes] | None:
    """A ``globals`` override that fits ``stage`` in ``available`` bytes: one integer of the
    file halved until it fits (the one that needs the fewest halvings), or None."""
    best = None
    for name, value in _integers(model, stage).items():
        smaller, halvings = value, 0
        while smaller > 1 and halvings < 12:
            smaller, halvings = smaller // 2, halvings + 1
            trial = replace(model, settings=replace(model.settings, globals={**model.settings.globals,
                                                                             name: smaller}))
            try:
                sizes = measure(trial, stage)
            except StageError:
                break
            if sizes is None:
                break
            if sizes.need(stage) <= available:
                if best is None or halvings < best[0]:
                    best = (halvings, {name: smaller}, sizes)
                break
    return (best[1], best[2]) if best else None


def ensure_fits(model, stage: str, sizes: Sizes | None, *, available: int | None = None) -> None:
    """Raise a ``StageError`` now if ``stage`` cannot fit in the memory available."""
    from ..core.crash import available_memory, gigabytes

    available = available if available is not None else available_memory()
    if sizes is None or available is None or sizes.need(stage) <= available:
        return
    outputs = "unknown" if sizes.outputs is None else gigabytes(sizes.outputs)
    message = (f"needs ~{gigabytes(sizes.need(stage))} to {stage} (inputs {gigabytes(sizes.inputs)}, "
               f"outputs {outputs}, parameters {gigabytes(sizes.parameters)}); "
               f"{gigabytes(available)} of memory is available")
    fix = suggest(model, stage, available)
    if fix:
        override, smaller = fix
        values = ", ".join(f"{k} = {v}" for k, v in override.items())
        hint = (f"make the problem smaller without editing the file: in pyproject.toml "
                f"[tool.integrator.overrides.{model.name}] globals = {{ {values} }} "
                f"(then ~{gigabytes(smaller.need(stage))}), or globals = {{ {values} }} in "
                f"{model.path.with_suffix('.toml').name}")
    else:
        hint = "make the problem smaller (its sizes in the model file, or a globals override)"
    raise StageError(model.name, stage, message, hint=hint, kind="too large for this machine")


def ensure_recorded_fits(model, stage: str, import_info: dict) -> None:
    """``ensure_fits`` with the sizes the import stage recorded (none for ONNX and MLIR)."""
    recorded = import_info.get("sizes")
    ensure_fits(model, stage, Sizes(**recorded) if recorded else None)
