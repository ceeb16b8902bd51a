"""JAX ingress: a ``.py`` model file that imports ``jax`` and defines

    def get_params(): ...        # a pytree of arrays (the weights), seeded
    def get_inputs(): ...        # a list of arrays: the arguments after params
    def forward(params, *inputs): ...

(found by reading the file, ``models.is_jax_source``; no registry). The parameters are
closed over, so they are constants of the compiled module, like a PyTorch model's weights. The function is
exported with ``jax.export`` (``jax.jit`` traced for the inputs' shapes) as StableHLO, which
``iree-compile --iree-input-type=stablehlo`` takes. The reference is the same ``jax.jit``
function on JAX's CPU backend; the FLOPs are XLA's own cost analysis of it.

Before ``get_params()`` and ``get_inputs()`` run, NumPy's global generator is seeded with the
model's seed, so files that draw from ``np.random`` are reproducible (``jax.random`` keys are
explicit anyway). JAX is an optional extra: ``pip install -e '.[jax]'``.
"""

from __future__ import annotations

from ..core.errors import StageError
from .importer import STAGE, Imported, first_line, signature
from .models import ModelFile, load_module


def _call(model: ModelFile, what: str, function, *args, stage: str = STAGE):
    try:
        return function(*args)
    except Exception as error:
        raise StageError(model.name, stage, f"{what} failed: {first_line(error)}") from error


def jitted(model: ModelFile, stage: str, *, with_inputs: bool = False):
    """``jax.jit`` of the model's forward with its (seeded) parameters bound; and its inputs."""
    import jax
    import numpy as np

    module = load_module(model, stage)
    np.random.seed(model.settings.seed)
    params = _call(model, "get_params()", module.get_params, stage=stage)
    function = jax.jit(lambda *xs: module.forward(params, *xs))
    if not with_inputs:
        return function
    inputs = _call(model, "get_inputs()", module.get_inputs, stage=stage)
    return function, params, [np.asarray(x) for x in inputs]


def import_file(model: ModelFile) -> Imported:
    import jax
    import numpy as np
    from iree.compiler import ir

    function, params, inputs = jitted(model, STAGE, with_inputs=True)
    with jax.default_device(jax.devices("cpu")[0]):
        try:
            exported = jax.export.export(function)(*inputs)
            lowered = function.lower(*inputs)
        except Exception as error:
            raise StageError(model.name, STAGE, f"jax.export failed: {first_line(error)}",
                             hint="forward must be traceable by jax.jit for the inputs' shapes",
                             kind="export") from error
        outputs = [np.asarray(x) for x in jax.tree_util.tree_leaves(
            _call(model, "forward()", function, *inputs))]
    try:
        imported = ir.Module.parse(exported.mlir_module(), ir.Context())
    except ir.MLIRError as error:
        raise StageError(model.name, STAGE, f"IREE cannot read the exported StableHLO: {error}") from None
    cost = lowered.cost_analysis() or {}  # XLA's estimate of the compiled function
    leaves = jax.tree_util.tree_leaves(params)
    return Imported(
        module=imported,
        inputs=inputs,
        outputs=outputs,
        record={
            "entry": "main",
            "reference": "jax.jit (CPU)",
            "inputs": signature(inputs),
            "outputs": signature(outputs),
            "parameters": int(sum(np.size(x) for x in leaves)),
            "flops": int(cost["flops"]) if cost.get("flops") else None,
        },
    )
