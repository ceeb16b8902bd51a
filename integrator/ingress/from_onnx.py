"""ONNX ingress: IREE's ONNX importer (what ``iree-import-onnx`` runs) -> torch-dialect MLIR.

The reference is onnxruntime (CPU, graph optimizations off: the plain semantics) on seeded
random inputs made from the graph's input types. Symbolic dimensions are fixed from the
model's sidecar ``<name>.toml`` (``[dims]`` by name, or ``[shapes]`` per input) before the
import, so the compiled module has static shapes; onnxruntime runs the original file.
"""

from __future__ import annotations

from ..core.errors import StageError
from .importer import STAGE, Imported, first_line, signature
from .inputs import random_inputs
from .models import ModelFile

# torch-mlir's ONNX conversions target opset 17 and later; older models are upgraded first
# (what iree-import-onnx's --opset-version does).
MIN_OPSET = 17


def _load(model: ModelFile):
    import onnx

    try:
        proto = onnx.load(str(model.path))
        onnx.checker.check_model(proto)
    except Exception as error:
        raise StageError(
            model.name, STAGE, f"{model.path.name} is not a valid ONNX model: {first_line(error)}"
        ) from error
    return proto


def graph_inputs(proto) -> list:
    """The graph's real inputs (old exporters also list initializers as inputs)."""
    initializers = {i.name for i in proto.graph.initializer}
    return [i for i in proto.graph.input if i.name not in initializers]


def _fixed_shapes(model: ModelFile, inputs) -> list[list[int]]:
    """Each input's static shape, with symbolic dimensions taken from the settings."""
    shapes, unresolved = [], []  # unresolved: (input, dimension's name or None, position)
    for value in inputs:
        if value.name in model.settings.shapes:
            shapes.append([int(d) for d in model.settings.shapes[value.name]])
            continue
        if not value.type.tensor_type.HasField("shape"):
            unresolved.append((value.name, None, None))  # not even the rank is known
            continue
        shape = []
        for position, dim in enumerate(value.type.tensor_type.shape.dim):
            if dim.HasField("dim_value"):
                shape.append(dim.dim_value)
            elif dim.dim_param in model.settings.dims:
                shape.append(int(model.settings.dims[dim.dim_param]))
            else:
                unresolved.append((value.name, dim.dim_param or None, position))
        shapes.append(shape)
    if unresolved:
        lines = [
            f"    input '{name}': " + (f"dimension '{dim}'" if dim else
                                       f"unnamed dimension {position}" if position is not None
                                       else "no shape at all")
            for name, dim, position in unresolved
        ]
        named = sorted({dim for _, dim, _ in unresolved if dim})
        unnamed = sorted({name for name, dim, _ in unresolved if not dim})
        fix = [f"add to {model.sidecar}:"]
        fix += ["    [dims]", *(f"    {dim} = 1" for dim in named)] if named else []
        fix += ["    [shapes]", *(f"    {name} = [...]" for name in unnamed)] if unnamed else []
        raise StageError(model.name, STAGE, "symbolic dimensions need sizes:\n" + "\n".join(lines),
                         hint="\n".join(fix))
    return shapes


def _dtype(value):
    import onnx

    return onnx.helper.tensor_dtype_to_np_dtype(value.type.tensor_type.elem_type)


def _reference(model: ModelFile, names, arrays) -> list:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.log_severity_level = 3
    try:
        session = ort.InferenceSession(str(model.path), options, providers=["CPUExecutionProvider"])
        return session.run(None, dict(zip(names, arrays)))
    except Exception as error:
        raise StageError(
            model.name, STAGE, f"onnxruntime (the reference) cannot run it: {first_line(error)}"
        ) from error


def import_file(model: ModelFile) -> Imported:
    import numpy as np
    import onnx
    from iree.compiler import ir
    from iree.compiler.extras import onnx_importer

    proto = _load(model)
    inputs = graph_inputs(proto)
    shapes = _fixed_shapes(model, inputs)
    for value, shape in zip(inputs, shapes):
        dims = value.type.tensor_type.shape.dim
        if len(dims) != len(shape):
            raise StageError(model.name, STAGE, f"input '{value.name}' has rank {len(dims)}, "
                             f"the settings give shape {shape}")
        for dim, size in zip(dims, shape):
            dim.dim_value = size  # replaces dim_param (one of the two)
    try:
        dtypes = [_dtype(v) for v in inputs]
        arrays = random_inputs(zip(shapes, dtypes), seed=model.settings.seed,
                               int_range=model.settings.int_range)
    except (KeyError, TypeError) as error:
        raise StageError(model.name, STAGE, f"cannot make inputs: {first_line(error)}") from error
    names = [v.name for v in inputs]
    expected = [np.asarray(x) for x in _reference(model, names, arrays)]

    try:
        if proto.opset_import[0].version < MIN_OPSET:
            proto = onnx.version_converter.convert_version(proto, MIN_OPSET)
        proto = onnx.shape_inference.infer_shapes(proto, data_prop=True)
        info = onnx_importer.ModelInfo(proto)
        module = info.create_module(context=ir.Context())
        onnx_importer.NodeImporter.define_function(info.main_graph, module.operation).import_all()
        module.operation.verify()
    except Exception as error:
        raise StageError(
            model.name, STAGE, f"IREE's ONNX importer failed: {first_line(error)}"
        ) from error
    from .from_mlir import public_functions

    parameters = sum(int(np.prod(i.dims)) for i in proto.graph.initializer)
    return Imported(
        module=module,
        inputs=arrays,
        outputs=expected,
        record={
            "entry": public_functions(module)[0],
            "reference": "onnxruntime",
            "opset": proto.opset_import[0].version,
            "inputs": signature(arrays, names),
            "outputs": signature(expected, [o.name for o in proto.graph.output]),
            "parameters": parameters,
            "flops": count_flops(proto),
        },
    )


def count_flops(proto) -> int | None:
    """2·MACs of MatMul, Gemm and Conv from the inferred shapes (what torch's counter counts)."""
    import numpy as np

    shapes = {}
    for value in [*proto.graph.input, *proto.graph.value_info, *proto.graph.output]:
        dims = value.type.tensor_type.shape.dim
        if all(d.HasField("dim_value") for d in dims):
            shapes[value.name] = [d.dim_value for d in dims]
    for init in proto.graph.initializer:
        shapes[init.name] = list(init.dims)
    total = 0
    for node in proto.graph.node:
        if node.op_type not in ("MatMul", "Gemm", "Conv"):
            continue
        a, b, out = (shapes.get(n) for n in (node.input[0], node.input[1], node.output[0]))
        if a is None or b is None or out is None:
            return None  # a shape we do not know: better no count than a wrong one
        if node.op_type == "Conv":  # out elements x (in channels / groups x kernel size)
            total += 2 * int(np.prod(out)) * int(np.prod(b[1:]))
        else:  # out elements x the contracted dimension
            transposed = node.op_type == "Gemm" and any(
                attr.name == "transA" and attr.i for attr in node.attribute)
            total += 2 * int(np.prod(out)) * (a[0] if transposed else a[-1])
    return total or None
