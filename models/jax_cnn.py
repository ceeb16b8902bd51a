"""A small JAX convolutional network: two 3x3 convolutions (NCHW) with ReLU, global average
pooling and a dense head; batch 4 of 3x32x32 images."""

import jax
import jax.numpy as jnp
import numpy as np


def get_params():
    rng = np.random.default_rng(0)
    normal = lambda *shape: rng.standard_normal(shape, dtype=np.float32)
    return {"conv1": (normal(16, 3, 3, 3) * 0.2, normal(16) * 0.1),
            "conv2": (normal(32, 16, 3, 3) * 0.08, normal(32) * 0.1),
            "head": (normal(32, 10) * 0.2, normal(10) * 0.1)}


def get_inputs():
    return [np.random.default_rng(1).standard_normal((4, 3, 32, 32), dtype=np.float32)]


def _conv(x, w, b, stride):
    y = jax.lax.conv_general_dilated(x, w, (stride, stride), "SAME",
                                     dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return jax.nn.relu(y + b[None, :, None, None])


def forward(params, x):
    x = _conv(x, *params["conv1"], 1)
    x = _conv(x, *params["conv2"], 2)
    w, b = params["head"]
    return jnp.mean(x, axis=(2, 3)) @ w + b
