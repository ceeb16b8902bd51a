"""Writes tiny_cnn.onnx next to this file: a small image classifier built with onnx's helper API.

conv 3->8 + ReLU, max-pool 2x2, conv 8->16 + ReLU, global average pool, linear 16->10,
softmax; 32x32 RGB images; the batch dimension is symbolic ("batch"), fixed by tiny_cnn.toml.
Weights are seeded (He-scaled normal), so running this again writes the same bytes.

    python models/_make_tiny_cnn.py
"""

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def make_model() -> onnx.ModelProto:
    rng = np.random.default_rng(0)

    def weight(name, *shape):
        scale = (2.0 / np.prod(shape[1:])) ** 0.5
        return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)

    initializers = [
        weight("conv1.weight", 8, 3, 3, 3), weight("conv1.bias", 8),
        weight("conv2.weight", 16, 8, 3, 3), weight("conv2.bias", 16),
        weight("fc.weight", 10, 16), weight("fc.bias", 10),
    ]
    node = helper.make_node
    nodes = [
        node("Conv", ["image", "conv1.weight", "conv1.bias"], ["conv1"], pads=[1, 1, 1, 1]),
        node("Relu", ["conv1"], ["relu1"]),
        node("MaxPool", ["relu1"], ["pool1"], kernel_shape=[2, 2], strides=[2, 2]),
        node("Conv", ["pool1", "conv2.weight", "conv2.bias"], ["conv2"], pads=[1, 1, 1, 1]),
        node("Relu", ["conv2"], ["relu2"]),
        node("GlobalAveragePool", ["relu2"], ["pooled"]),
        node("Flatten", ["pooled"], ["features"]),
        node("Gemm", ["features", "fc.weight", "fc.bias"], ["logits"], transB=1),
        node("Softmax", ["logits"], ["probabilities"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "tiny_cnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, 32, 32])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 10])],
        initializers,
    )
    # IR version 8 goes with opset 17; the newest onnx would write its own newest IR version,
    # which onnxruntime releases a few months older refuse to load.
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="integrator", ir_version=8)
    onnx.checker.check_model(model, full_check=True)
    return model


if __name__ == "__main__":
    path = Path(__file__).with_name("tiny_cnn.onnx")
    onnx.save(make_model(), path)
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")
