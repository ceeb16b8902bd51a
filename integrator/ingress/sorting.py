"""Sorting along one dimension as a bitonic network of elementwise aten ops.

IREE 3.13 lowers ``sort`` (and ``topk``) on CPU to a loop that is quadratic per row: the
median of each of 256 rows of 4096 took 8 s against torch eager's 13 ms. A bitonic network
does ``log2(n) * (log2(n) + 1) / 2`` compare-exchange steps, each an elementwise select over
the whole tensor that IREE vectorizes and spreads over threads: 88 ms for the same problem
(78 steps; the compile takes ~12 s). Used by the median and kthvalue decompositions
(``from_torch.small_decompositions``) for rows up to ``MAX_LENGTH``.

Ties are broken by the original index, so the order is the stable one and padding (the row
is padded to a power of two with the dtype's largest value, at indices past its end) never
moves ahead of a real element. Rows holding NaN are not ordered as torch orders them.
"""

from __future__ import annotations

# Longer rows keep IREE's sort: the network's step count, and the compile time with it,
# grows with log2(n)^2 (136 steps at 65536).
MAX_LENGTH = 1 << 16


def _largest(dtype):
    import torch

    return float("inf") if dtype.is_floating_point else torch.iinfo(dtype).max


def _exchange(first, second, swap):
    """The pairs ``(first, second)`` as a (…, 2, j) tensor, exchanged where ``swap``."""
    import torch

    return torch.cat([torch.where(swap, second, first).unsqueeze(2),
                      torch.where(swap, first, second).unsqueeze(2)], 2)


def bitonic_sort(x, dim: int):
    """(values, indices) of ``x`` sorted ascending along ``dim``, in aten ops."""
    import torch

    aten = torch.ops.aten
    moved = aten.movedim.int(x, dim, -1)
    shape = list(moved.shape)
    n = shape[-1]
    rows = moved.reshape(-1, n)
    width = 1 << max(n - 1, 0).bit_length()
    values = rows
    if width > n:
        values = aten.constant_pad_nd.default(rows, [0, width - n], _largest(x.dtype))
    indices = aten.arange.default(width).expand(values.shape[0], width)
    batch = values.shape[0]
    k = 2
    while k <= width:
        j = k // 2
        while j >= 1:
            blocks = width // (2 * j)
            # element i meets i ^ j; the pair sorts descending where bit k of i is set
            pairs = values.reshape(batch, blocks, 2, j)
            pair_indices = indices.reshape(batch, blocks, 2, j)
            a, b = pairs[:, :, 0], pairs[:, :, 1]
            ia, ib = pair_indices[:, :, 0], pair_indices[:, :, 1]
            # bit k of i = block * 2j + r is bit k / 2j of the block (from arange: a constant
            # tensor would not be functional in the exported graph)
            descending = (aten.arange.default(blocks) // (k // (2 * j))) % 2 != 0
            descending = descending.reshape(1, blocks, 1)
            out_of_order = (a > b) | ((a == b) & (ia > ib))
            swap = out_of_order != descending
            values = _exchange(a, b, swap).reshape(batch, width)
            indices = _exchange(ia, ib, swap).reshape(batch, width)
            j //= 2
        k *= 2
    values = values[:, :n].reshape(shape)
    indices = indices[:, :n].reshape(shape)
    return aten.movedim.int(values, -1, dim), aten.movedim.int(indices, -1, dim)
