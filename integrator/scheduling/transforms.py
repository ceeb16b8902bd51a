"""Building blocks for transform-dialect schedules (upstream MLIR, torch-mlir's bindings).

A schedule is a Python function that returns a transform module (see ``schedules/*.py``);
these helpers emit the recurring pieces into the named sequence being built, so schedules
read as a list of decisions. Call them inside ``with ir.Context(), ir.Location.unknown()``.
"""

from __future__ import annotations

import contextlib

ENTRY = "__transform_main"


@contextlib.contextmanager
def named_sequence(name: str = ENTRY):
    """Yield (module, root handle) for a new ``transform.named_sequence @name``."""
    from torch_mlir import ir
    from torch_mlir.dialects import transform

    module = ir.Module.create()
    module.operation.attributes["transform.with_named_sequence"] = ir.UnitAttr.get()
    any_op = transform.AnyOpType.get()
    with ir.InsertionPoint(module.body):
        sequence = transform.NamedSequenceOp(
            name, [any_op], [], arg_attrs=[{"transform.readonly": ir.UnitAttr.get()}]
        )
    with ir.InsertionPoint(sequence.body):
        yield module, sequence.bodyTarget
        transform.YieldOp([])


def match(root, *op_names: str):
    from torch_mlir.dialects.transform import structured

    return structured.MatchOp.match_op_names(root, list(op_names)).result


def tile_and_vectorize_contractions(root, op_names, cache_tile, register_tile):
    """Two-level tiling of matmul-like ops, then vectorization of the register tile.

    The cache tile keeps blocks of A, B and C in L1/L2; the register tile (e.g. 8x32x1 on
    AVX-512: 8 rows of two 16-lane vectors) becomes one vector.contract per k step. Masked
    vectorization (``vector_sizes``) keeps it valid where a dimension is not a multiple of
    the tile; with static, divisible shapes the masks fold away. The accumulator is then
    hoisted out of the k loop so it stays in registers.
    """
    from torch_mlir.dialects.transform import loop, structured

    ops = match(root, *op_names)
    outer = structured.TileUsingForOp(ops, sizes=list(cache_tile))
    # Folds single-iteration loops, so a tile larger than its dimension leaves static sizes.
    canonicalize(root)
    inner = structured.TileUsingForOp(outer.tiled_linalg_op, sizes=list(register_tile))
    canonicalize(root)
    structured.VectorizeOp(inner.tiled_linalg_op, vector_sizes=list(register_tile))
    canonicalize(root)
    k_loop = inner.loops[2]
    loop.HoistLoopInvariantSubsetsOp(k_loop)


def tile_and_vectorize_fills(root, tile):
    from torch_mlir.dialects.transform import structured

    fills = match(root, "linalg.fill")
    tiled = structured.TileUsingForOp(fills, sizes=list(tile))
    structured.VectorizeOp(tiled.tiled_linalg_op, vector_sizes=list(tile))


def canonicalize(root):
    from torch_mlir import ir
    from torch_mlir.dialects import transform

    functions = match(root, "func.func")
    patterns = transform.ApplyPatternsOp(functions)
    with ir.InsertionPoint(patterns.patterns):
        transform.ApplyCanonicalizationPatternsOp()
    transform.ApplyCommonSubexpressionEliminationOp(functions)


def lower_vectors(root, contraction: str = "OuterProduct"):
    """Lower vector.contract to FMAs (outer products) and transfers to 1-D loads/stores.

    Kept in separate pattern sets: mixing shape-cast lowering with canonicalization in one
    set has been seen to loop forever.
    """
    from torch_mlir import ir
    from torch_mlir.dialects import transform
    from torch_mlir.dialects.transform import vector

    functions = match(root, "func.func")
    for group in (
        lambda: (
            vector.ApplyLowerContractionPatternsOp(
                lowering_strategy=getattr(vector.VectorContractLowering, contraction)
            ),
            vector.ApplyTransferPermutationPatternsOp(),
        ),
        lambda: (
            vector.ApplyLowerOuterProductPatternsOp(),
            vector.ApplyLowerBroadcastPatternsOp(),
            vector.ApplyLowerTransferPatternsOp(max_transfer_rank=1),
        ),
        lambda: (transform.ApplyCanonicalizationPatternsOp(),),
    ):
        patterns = transform.ApplyPatternsOp(functions)
        with ir.InsertionPoint(patterns.patterns):
            group()

