"""A JAX multi-layer perceptron: 3 dense layers with GELU, batch 8 (the shape of models/mlp.py).

The JAX model convention (integrator/ingress/from_jax.py): get_params() returns the weights,
get_inputs() the arguments after them, forward(params, *inputs) computes.
"""

import jax
import jax.numpy as jnp
import numpy as np

SIZES = [256, 512, 512, 64]


def get_params():
    rng = np.random.default_rng(0)
    return [(rng.standard_normal((m, n), dtype=np.float32) / np.sqrt(m),
             rng.standard_normal(n, dtype=np.float32) * 0.1)
            for m, n in zip(SIZES[:-1], SIZES[1:])]


def get_inputs():
    return [np.random.default_rng(1).standard_normal((8, SIZES[0]), dtype=np.float32)]


def forward(params, x):
    for i, (w, b) in enumerate(params):
        x = x @ w + b
        if i < len(params) - 1:
            x = jax.nn.gelu(x, approximate=False)
    return x
