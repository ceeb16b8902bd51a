"""Ingress: a model file of any format -> MLIR bytecode + reference data + a record.

Each format (``formats.py``) has its importer module (``from_torch``, ``from_onnx``,
``from_mlir``) that returns an ``Imported``; this module writes the three artifacts of the import stage:

* ``import.mlirbc``: the module as bytecode (text is twice the size for weight-heavy models);
* ``reference.npz``: ``input_<i>`` (the compiled entry function's arguments, in order) and
  ``output_<i>`` (what the reference computed for its results; absent when there is none);
* ``import.json``: format, entry function, what the reference is, input/output signature,
  parameter count and FLOPs where they can be counted, the sizes (``sizing.py``). How long
  the import took and its peak memory go to ``import.stats.json``, which nothing depends on.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from pathlib import Path

from ..core.artifacts import atomic_outputs, to_json
from .formats import FORMATS
from .models import ModelFile, check_settings

STAGE = "import"


@dataclass
class Imported:
    module: object  # an iree.compiler.ir.Module
    inputs: list  # numpy arrays: the entry function's arguments, in order
    outputs: list | None  # numpy arrays: the reference's results, in order; None: no reference
    record: dict  # entry, reference, inputs, outputs, parameters, flops (see import_model)


def signature(arrays, names=None) -> list[dict]:
    names = names or [None] * len(arrays)
    return [
        {**({"name": n} if n else {}), "shape": list(a.shape), "dtype": str(a.dtype)}
        for a, n in zip(arrays, names)
    ]


def import_model(model: ModelFile, *, output: Path, reference: Path, info: Path) -> tuple[dict, dict]:
    """Import ``model``; write its bytecode to ``output``, arrays to ``reference``, record to
    ``info`` (only what determines the outputs: a re-import with the same results leaves it
    byte-identical); return it and the run's statistics (seconds, peak memory)."""
    import numpy as np

    from ..core.crash import peak_rss

    check_settings(model, STAGE)
    started = time.perf_counter()
    importer = importlib.import_module(f".{FORMATS[model.format].importer}", __package__)
    imported: Imported = importer.import_file(model)

    arrays = {f"input_{i}": a for i, a in enumerate(imported.inputs)}
    arrays |= {f"output_{i}": a for i, a in enumerate(imported.outputs or [])}
    record = {"model": model.name, "source": str(model.path), "format": model.format,
              **imported.record}
    with atomic_outputs(output, reference, info) as (module_tmp, reference_tmp, info_tmp):
        with open(module_tmp, "wb") as f:
            imported.module.operation.write_bytecode(f)
        with open(reference_tmp, "wb") as f:  # a file object: np.savez would add ".npz"
            np.savez(f, **arrays)
        info_tmp.write_text(to_json(record))
    return record, {"seconds": round(time.perf_counter() - started, 3), "peak_rss_bytes": peak_rss()}


def run_import(b) -> str:
    """The import stage for one ``core.build.Build``."""
    from ..core import progress
    from ..core.artifacts import write_json

    a = b.artifacts
    with progress.elapsed(f"import:{b.name}"):
        record, stats = import_model(b.imported_model, output=a.imported, reference=a.reference,
                                     info=a.import_info)
    write_json(a.stats("import"), stats)
    parameters = record["parameters"]
    return (
        f"imported {b.name} ({b.model.format}): "
        + (f"{parameters:,} parameters, " if parameters is not None else "")
        + f"{len(record['inputs'])} inputs in {stats['seconds']:.1f} s"
    )


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}".rstrip(": ")
