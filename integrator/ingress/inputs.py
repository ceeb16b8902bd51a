"""Seeded random inputs for models that do not bring their own (ONNX and raw MLIR).

Floats are standard normal; integers uniform in the model's ``int_range`` (default [0, 2):
valid as indices into any dimension and as masks); booleans fair coin flips. The same seed
gives the same arrays on every machine (numpy's PCG64).
"""

from __future__ import annotations

import numpy as np


def random_inputs(specs, *, seed: int, int_range: tuple[int, int]) -> list[np.ndarray]:
    """One array per ``(shape, numpy dtype)`` in ``specs``."""
    rng = np.random.default_rng(seed)
    arrays = []
    for shape, dtype in specs:
        dtype = np.dtype(dtype)
        if dtype == np.bool_:
            arrays.append(rng.random(shape) < 0.5)
        elif np.issubdtype(dtype, np.integer):
            low, high = int_range
            if np.issubdtype(dtype, np.unsignedinteger):
                low = max(low, 0)
            arrays.append(rng.integers(low, high, size=shape, dtype=dtype))
        elif np.issubdtype(dtype, np.floating):
            arrays.append(rng.standard_normal(shape).astype(dtype))
        else:
            raise TypeError(f"cannot make random inputs of type {dtype}")
    return arrays
