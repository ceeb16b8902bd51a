"""Ingress: a KernelBench-style torch model -> torch-dialect MLIR bytecode + reference data.

torch.export -> decompositions -> torch-mlir's FX importer (the copy bundled with
iree-base-compiler). That importer freezes parameters and buffers into the module, and is
~50x faster than ``torch_mlir.fx.export_and_import``, which converts weights through Python
lists and leaves batch-norm statistics as function arguments.
"""

from __future__ import annotations

import time
from pathlib import Path

from .artifacts import atomic_outputs, to_json
from .errors import StageError
from .models import ModelFile, build

STAGE = "import"


def _decomposition_table():
    # torch's default table leaves _native_batch_norm_legit_no_training, which IREE cannot
    # legalize; torch-mlir's list decomposes it.
    from torch_mlir.extras.fx_decomp_util import get_decomposition_table

    return get_decomposition_table()


def _flatten(value, what: str, model: ModelFile) -> list:
    import torch
    from torch.utils import _pytree

    leaves, _ = _pytree.tree_flatten(value)
    for leaf in leaves:
        if not isinstance(leaf, torch.Tensor):
            raise StageError(
                model.name,
                STAGE,
                f"{what} contain a {type(leaf).__name__}; only tensors are supported here",
            )
    return leaves


def _signature(tensors) -> list[dict]:
    return [{"shape": list(t.shape), "dtype": str(t.dtype).removeprefix("torch.")} for t in tensors]


def import_model(model: ModelFile, *, output: Path, reference: Path, info: Path) -> dict:
    """Export ``model``, write its MLIR bytecode to ``output`` and its reference to ``reference``."""
    import numpy as np
    import torch

    started = time.perf_counter()
    instance, inputs = build(model, STAGE)
    flat_inputs = _flatten(inputs, "get_inputs() results", model)

    # The reference runs on copies: a model may modify its inputs in place. The FLOP counter
    # rides along (it counts matmuls and convolutions, which dominate; not elementwise ops).
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with torch.no_grad():
        try:
            with counter:
                expected = instance(*[x.clone() for x in inputs])
        except Exception as error:
            raise StageError(
                model.name, STAGE, f"running the model in torch eager failed: {error}"
            ) from error
    flat_expected = _flatten(expected, "forward() outputs", model)

    try:
        exported = torch.export.export(instance, tuple(inputs))
        exported = exported.run_decompositions(_decomposition_table())
    except Exception as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise StageError(
            model.name,
            STAGE,
            f"torch.export failed: {type(error).__name__}: {first_line}",
            hint="forward() must be traceable by torch.export (no data-dependent Python "
            "control flow, no unsupported Python objects)",
        ) from error

    from iree.compiler import ir
    from iree.compiler.extras.fx_importer import FxImporter

    try:
        importer = FxImporter(context=ir.Context())
        importer.import_frozen_program(exported, func_name="main")
        importer.module.operation.verify()
    except Exception as error:
        raise StageError(
            model.name, STAGE, f"the FX importer failed: {type(error).__name__}: {error}"
        ) from error

    arrays = {f"input_{i}": t.detach().numpy() for i, t in enumerate(flat_inputs)}
    arrays |= {f"output_{i}": t.detach().numpy() for i, t in enumerate(flat_expected)}
    record = {
        "model": model.name,
        "source": str(model.path),
        "inputs": _signature(flat_inputs),
        "outputs": _signature(flat_expected),
        "parameters": sum(p.numel() for p in instance.parameters()),
        "flops": counter.get_total_flops(),
    }
    with atomic_outputs(output, reference, info) as (module_tmp, reference_tmp, info_tmp):
        with open(module_tmp, "wb") as f:
            importer.module.operation.write_bytecode(f)
        with open(reference_tmp, "wb") as f:  # a file object: np.savez would add ".npz"
            np.savez(f, **arrays)
        record["seconds"] = round(time.perf_counter() - started, 3)
        info_tmp.write_text(to_json(record))
    return record
