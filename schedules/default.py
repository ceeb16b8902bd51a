"""The upstream engine's default schedule, usable by any model.

Plain ``linalg.matmul`` ops get the matmul strategy; everything else (batched and
transposed-B matmuls included) is left to the lowering pipeline, which turns it into loops that
LLVM vectorizes where it can. Correct for any model; fast where plain matmuls dominate.
"""

from integrator.scheduling import transforms


def schedule(*, cache_tile: list[int] = (64, 256, 128), register_tile: list[int] = (8, 32, 1)):
    with transforms.named_sequence() as (module, root):
        transforms.tile_and_vectorize_contractions(root, ["linalg.matmul"], cache_tile, register_tile)
        transforms.canonicalize(root)
        transforms.lower_vectors(root)
    return module
