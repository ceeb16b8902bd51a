"""CPU matmul schedule: cache tiling, register tiling, vectorization to FMAs.

Parameters are keyword arguments with defaults; a model picks them with
``SCHEDULE_PARAMS = {"cache_tile": [64, 256, 128]}``. The defaults suit AVX-512 (two zmm
registers per row of the 8x32 register tile, 16 accumulators); on AVX2 try ``[8, 16, 1]``.
"""

from integrator.scheduling import transforms


def schedule(
    *,
    cache_tile: list[int] = (64, 256, 128),
    register_tile: list[int] = (8, 32, 1),
    ops: list[str] = ("linalg.matmul",),
):
    with transforms.named_sequence() as (module, root):
        transforms.tile_and_vectorize_contractions(root, ops, cache_tile, register_tile)
        transforms.tile_and_vectorize_fills(root, register_tile[:2])
        transforms.canonicalize(root)
        transforms.lower_vectors(root)
    return module
