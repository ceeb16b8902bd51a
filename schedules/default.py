"""The upstream engine's default schedule, usable by any model.

Matmul-like ops (plain, batched, and the transposed-B form torch produces for nn.Linear) get
the matmul strategy; everything else is left to the lowering pipeline, which turns it into
loops that LLVM vectorizes where it can. Correct for any model; fast where matmuls dominate.
"""

from integrator import transforms


def schedule(*, cache_tile: list[int] = (64, 256, 128), register_tile: list[int] = (8, 32, 1)):
    with transforms.named_sequence() as (module, root):
        transforms.tile_and_vectorize_contractions(root, ["linalg.matmul"], cache_tile, register_tile)
        transforms.canonicalize(root)
        transforms.lower_vectors(root)
    return module
