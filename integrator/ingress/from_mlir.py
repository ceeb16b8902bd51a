"""Raw MLIR ingress: a module with a public entry function, in any dialect IREE takes.

Its inputs are seeded random arrays made from the entry function's signature (statically
shaped tensors: builtin ``tensor<...>`` or torch's ``!torch.vtensor<[...],dtype>``). There
is no framework to compute a reference: ``reference.npz`` holds inputs only and the check
says so.
"""

from __future__ import annotations

import re

from ..core.errors import StageError
from .importer import STAGE, Imported, signature
from .inputs import random_inputs
from .models import ModelFile

_TORCH_DTYPES = {"f16": "float16", "f32": "float32", "f64": "float64", "i1": "bool",
                 "si8": "int8", "si16": "int16", "si32": "int32", "si64": "int64", "ui8": "uint8"}


def _functions(module):
    """(name, op, public) of each function definition in the module."""
    for op in module.body.operations:
        op = op.operation
        if op.name not in ("func.func", "util.func") or len(op.regions[0].blocks) == 0:
            continue  # not a function, or a declaration
        attributes = op.attributes
        visibility = (
            str(attributes["sym_visibility"]).strip('"')
            if "sym_visibility" in attributes else "public"
        )
        yield str(attributes["sym_name"]).strip('"'), op, visibility == "public"


def public_functions(module) -> list[str]:
    return [name for name, _, public in _functions(module) if public]


def _entry(model: ModelFile, module) -> tuple[str, object]:
    names = public_functions(module)
    wanted = model.settings.entry
    if wanted is None:
        if len(names) == 1:
            wanted = names[0]
        elif "main" in names:
            wanted = "main"
        else:
            raise StageError(
                model.name, STAGE,
                f"{'no' if not names else 'several'} public functions "
                f"({', '.join(names) or 'all private or declarations'}): which is the entry?",
                hint=f"set entry = \"<name>\" in {model.sidecar}" if names else
                "an entry function must be public and have a body",
            )
    elif wanted not in names:
        raise StageError(model.name, STAGE, f"entry {wanted!r} is not a public function "
                         f"(public: {', '.join(names) or 'none'})")
    return wanted, next(op for name, op, _ in _functions(module) if name == wanted)


def _argument_spec(model: ModelFile, index: int, type_) -> tuple[list[int], str]:
    """(shape, numpy dtype) of one argument type, or a StageError saying why not."""
    from iree.compiler import ir

    text = str(type_)
    if isinstance(type_, ir.RankedTensorType) and type_.has_static_shape:
        element = str(type_.element_type)
        dtype = {"i1": "bool", "f16": "float16", "f32": "float32", "f64": "float64"}.get(element)
        if dtype is None and (match := re.fullmatch(r"(u?)i(8|16|32|64)", element)):
            dtype = f"{'u' if match[1] else ''}int{match[2]}"  # signless integers: signed
        if dtype:
            return list(type_.shape), dtype
    match = re.fullmatch(r"!torch\.vtensor<\[([\d,]*)\],(\w+)>", text)
    if match and match[2] in _TORCH_DTYPES:
        return [int(d) for d in match[1].split(",") if d], _TORCH_DTYPES[match[2]]
    raise StageError(
        model.name, STAGE, f"argument {index} of the entry function has type {text}: inputs "
        "can be made only for statically shaped tensors of int, float or i1 elements",
    )


def import_file(model: ModelFile) -> Imported:
    from iree.compiler import ir

    context = ir.Context()
    try:
        module = ir.Module.parseFile(str(model.path), context)
        module.operation.verify()
    except ir.MLIRError as error:
        raise StageError(model.name, STAGE, f"{model.path.name} does not parse: {error}",
                         hint="iree-opt FILE shows the same diagnostics") from None
    entry, function = _entry(model, module)
    arguments = ir.TypeAttr(function.attributes["function_type"]).value.inputs
    specs = [_argument_spec(model, i, t) for i, t in enumerate(arguments)]
    arrays = random_inputs(specs, seed=model.settings.seed, int_range=model.settings.int_range)
    results = ir.TypeAttr(function.attributes["function_type"]).value.results
    return Imported(
        module=module,
        inputs=arrays,
        outputs=None,
        record={
            "entry": entry,
            "reference": None,
            "inputs": signature(arrays),
            "outputs": [{"type": str(t)} for t in results],
            "parameters": None,
            "flops": None,
        },
    )
