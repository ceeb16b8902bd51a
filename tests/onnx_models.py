"""ONNX test models, built with the onnx package's helper API (written into a test project)."""

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _save(graph, path: Path, opset: int, sidecar: str | None = None) -> Path:
    # An IR version of the opset's era: the newest one is refused by slightly older runtimes.
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              ir_version=helper.find_min_ir_version_for([helper.make_opsetid("", opset)]))
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)
    if sidecar is not None:
        path.with_suffix(".toml").write_text(sidecar)
    return path


def embed_matmul(path: Path) -> Path:
    """Two inputs, one int64 (token ids, two symbolic dims), embedding + matmul + ReLU."""
    rng = np.random.default_rng(1)
    table = numpy_helper.from_array(rng.standard_normal((20, 16)).astype(np.float32), "table")
    weight = numpy_helper.from_array(rng.standard_normal((16, 8)).astype(np.float32), "weight")
    nodes = [
        helper.make_node("Gather", ["table", "ids"], ["embedded"]),
        helper.make_node("Add", ["embedded", "x"], ["summed"]),
        helper.make_node("MatMul", ["summed", "weight"], ["projected"]),
        helper.make_node("Relu", ["projected"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "embed_matmul",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "seq", 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "seq", 8])],
        [table, weight],
    )
    return _save(graph, path, 17, "int-range = [0, 20]\n\n[dims]\nbatch = 2\nseq = 5\n")


def where_two_outputs(path: Path) -> Path:
    """Opset 13 (upgraded at import), a bool input, an unnamed dynamic dim, two outputs."""
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, [None, 4])  # no name, no size
    axes = numpy_helper.from_array(np.array([1], dtype=np.int64), "axes")
    nodes = [
        helper.make_node("Where", ["cond", "a", "b"], ["picked"]),
        helper.make_node("ReduceSum", ["a", "axes"], ["row_sums"], keepdims=0),
    ]
    graph = helper.make_graph(
        nodes, "where_two_outputs",
        [helper.make_tensor_value_info("cond", TensorProto.BOOL, [3, 4]), a,
         helper.make_tensor_value_info("b", TensorProto.FLOAT, [3, 4])],
        [helper.make_tensor_value_info("picked", TensorProto.FLOAT, [3, 4]),
         helper.make_tensor_value_info("row_sums", TensorProto.FLOAT, [None])],
        [axes],
    )
    return _save(graph, path, 13, "seed = 3\n\n[shapes]\na = [3, 4]\n")


def unset_dims(path: Path) -> Path:
    """A symbolic batch dimension and no settings to fix it: the import must say how."""
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])], "unset_dims",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 8])],
    )
    return _save(graph, path, 17)


def corrupt(path: Path, source: Path) -> Path:
    """The first half of a valid .onnx file (a truncated download)."""
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path
