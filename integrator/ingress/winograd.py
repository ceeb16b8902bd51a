"""Winograd F(4,3) and F(2,3) for 3x3 convolutions on small feature maps, done at import.

Why: on maps smaller than 16x16 (ResNet-50's last two stages) IREE has no fast path. Its own
Winograd (the ``cpu-winograd`` pipeline) is F(6,3) only: 8x8 tiles, so a 7x7 map is 2x2 tiles
and its batch matmuls are 1.5x slower than im2col; a 14x14 map is 3x3 = 9 tiles, which the
data-tiled matmul pads to 16, and its transformed filters are 7x the weights, streamed from
memory on every call. im2col pays a gather and pads 49 pixels to 64. Smaller tiles fit: F(4,3)
makes 14x14 exactly 16 tiles of 4x4 outputs, F(2,3) makes 7x7 (padded to 8x8) 16 tiles of 2x2;
4x and 2.25x fewer multiplications than the direct convolution, and transformed filters
4x and 1.8x the weights. ResNet-50 under ``cpu-winograd``, znver4, 2 threads, interleaved
runs: 48.5 -> 44.8 ms, and under ``cpu-default`` 57 -> 53 ms.

How: after ``torch.export``, each ``aten.conv2d`` this covers (3x3, stride 1, dilation 1, one
group, f32, weight a parameter, buffer or constant of the program) is replaced by a call of
``winograd_conv2d``, which the decomposition pass then traces into plain aten ops: strided
slices of the padded input combined by the rows of B^T (input transform), one batch matmul
per tile position, the rows of A^T (output transform), and a reshape back to NCHW. The
filter transform G w G^T is computed here, in float64 from the real weight, and enters the
program as a constant: nothing transforms it at run time. (Left in the graph, IREE folds it
only under a raised ``--iree-opt-const-expr-max-size-increase-threshold``; without, ResNet-50
took 93 ms instead of 53.)

Not exact: Winograd reassociates the sums. On ResNet-50 the compiled output stays within
1.4e-6 relative of torch's direct convolution. ``WINOGRAD = False`` in a model file (or
``winograd = false``) imports its convolutions as they are.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

# B^T (input transform), G (filter transform), A^T (output transform) of F(m, 3), from Lavin
# and Gray, "Fast Algorithms for Convolutional Neural Networks" (2015); the input tile is m + 2.
MATRICES = {
    2: ([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
        [[1, 0, 0], [1 / 2, 1 / 2, 1 / 2], [1 / 2, -1 / 2, 1 / 2], [0, 0, 1]],
        [[1, 1, 1, 0], [0, 1, -1, -1]]),
    4: ([[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
         [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]],
        [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6],
         [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]],
        [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]),
}
LARGEST_MAP = 15  # from 16x16 on, the cpu-winograd pipeline's F(6,3) or im2col serve better
MIN_CHANNELS = 32  # measured down to 32 (one conv, 14x14: 0.114 -> 0.092 ms); fewer untried
MIN_TILES = 16  # the data-tiled batch matmul's tile: fewer tiles are padded up to it


def tile_size(batch: int, out_h: int, out_w: int, in_channels: int, out_channels: int) -> int | None:
    """The output tile m of F(m, 3) for a convolution with this output, or None to leave it
    alone: the largest m (4, then 2) that still makes at least ``MIN_TILES`` tiles."""
    if max(out_h, out_w) > LARGEST_MAP or min(in_channels, out_channels) < MIN_CHANNELS:
        return None
    for m in (4, 2):
        if batch * math.ceil(out_h / m) * math.ceil(out_w / m) >= MIN_TILES:
            return m
    return None


def filter_transform(weight, m: int):
    """G w G^T of a (K, C, 3, 3) weight, as (tile positions, K, C): the batch matmul's LHS."""
    import torch

    g = torch.tensor(MATRICES[m][1], dtype=torch.float64)
    a = m + 2
    k, c = weight.shape[:2]
    u = g @ weight.detach().double() @ g.T  # (K, C, a, a)
    return u.permute(2, 3, 0, 1).reshape(a * a, k, c).to(weight.dtype).contiguous()


def _combination(coefficients, terms):
    """sum(c * t) without the zero terms and the multiplications by +-1."""
    total = None
    for c, t in zip(coefficients, terms):
        if c == 0:
            continue
        term = t if c == 1 else -t if c == -1 else t * c
        total = term if total is None else total + term
    return total


def winograd_conv2d(x, u, bias, m: int, padding: tuple[int, int]):
    """The 3x3, stride-1 convolution of x (N, C, H, W) whose filter transform is u, in aten ops."""
    import torch

    bt, _, at = MATRICES[m]
    a = m + 2
    n, c, h, w = x.shape
    k = u.shape[1]
    ph, pw = padding
    out_h, out_w = h + 2 * ph - 2, w + 2 * pw - 2
    th, tw = math.ceil(out_h / m), math.ceil(out_w / m)
    # Pad so the tiles (a x a inputs every m pixels) cover the output; the extra is cropped.
    xp = torch.nn.functional.pad(x, (pw, m * tw + 2 - w - pw, ph, m * th + 2 - h - ph))
    rows = [xp[:, :, i:i + m * (th - 1) + 1:m, :] for i in range(a)]  # (N, C, th, W') each
    combined = [_combination(bt[i], rows) for i in range(a)]
    # Each column slice of a combined row once, not once per tile position (36 slices instead
    # of 216 for F(4,3)): the same program after CSE, and a quicker trace.
    columns = [[r[:, :, :, s:s + m * (tw - 1) + 1:m] for s in range(a)] for r in combined]
    v = [_combination(bt[j], cols) for cols in columns for j in range(a)]  # (N, C, th, tw) per tile position
    v = torch.stack(v).permute(0, 2, 1, 3, 4).reshape(a * a, c, n * th * tw)
    products = torch.bmm(u, v)  # (a*a, K, tiles)
    by_position = [products[i] for i in range(a * a)]
    partial = [[_combination(at[p], [by_position[i * a + j] for i in range(a)]) for j in range(a)]
               for p in range(m)]
    y = torch.stack([_combination(at[q], partial[p]) for p in range(m) for q in range(m)])
    y = y.reshape(m, m, k, n, th, tw).permute(3, 2, 4, 0, 5, 1).reshape(n, k, th * m, tw * m)
    y = y[:, :, :out_h, :out_w]
    return y if bias is None else y + bias.reshape(1, k, 1, 1)


@dataclass(frozen=True)
class Rewritten:
    """One convolution computed by Winograd: what the import record lists."""
    weight: str  # the parameter (or buffer, constant) name
    tile: int  # m of F(m, 3)
    input: tuple[int, ...]
    output: tuple[int, ...]
    direct_flops: int  # of the convolution: the FLOPs the model is counted with
    matmul_flops: int  # of the batch matmul that replaces it (what a FLOP counter sees)


def _weight_value(exported, node):
    """The real tensor behind a placeholder of the program's parameters, buffers or constants."""
    signature = exported.graph_signature
    for table, store in ((signature.inputs_to_parameters, exported.state_dict),
                         (signature.inputs_to_buffers, exported.state_dict),
                         (signature.inputs_to_lifted_tensor_constants, exported.constants)):
        if node.op == "placeholder" and node.name in table:
            return table[node.name], store[table[node.name]]
    return None, None


def rewrite(exported) -> list[Rewritten]:
    """Replace, in place, the convolutions of ``exported`` (a ``torch.export`` program, before
    decompositions) that ``tile_size`` picks by Winograd; returns them."""
    import torch
    from torch.export.graph_signature import InputKind, InputSpec, TensorArgument

    from .conv_rewrites import expand

    graph, signature = exported.graph, exported.graph_signature
    users = [s for s in signature.input_specs if s.kind == InputKind.USER_INPUT]
    placeholders = {n.name: n for n in graph.nodes if n.op == "placeholder"}
    # New constants go before the user inputs: placeholders and input specs keep one order.
    anchor = placeholders[users[0].arg.name] if users else \
        next(n for n in graph.nodes if n.op != "placeholder")
    position = signature.input_specs.index(users[0]) if users else len(signature.input_specs)
    constants = {}  # target -> its placeholder: a weight shared by convolutions is transformed once
    done = []
    for node in list(graph.nodes):
        if node.op != "call_function" or node.target != torch.ops.aten.conv2d.default:
            continue
        args = node.normalized_arguments(exported.graph_module, normalize_to_only_use_kwargs=True)
        if args is None:
            continue
        kw = args.kwargs
        x, weight_node = kw["input"], kw["weight"]
        name, weight = _weight_value(exported, weight_node)
        padding = kw.get("padding", 0)
        if (weight is None or isinstance(padding, str) or weight.dtype != torch.float32
                or tuple(weight.shape[2:]) != (3, 3) or kw.get("groups", 1) != 1
                or expand(kw.get("stride", 1), 2) != [1, 1] or expand(kw.get("dilation", 1), 2) != [1, 1]):
            continue
        value = x.meta.get("val")
        if value is None or value.dim() != 4 or value.dtype != torch.float32:
            continue
        n, c, h, w = (int(s) for s in value.shape)
        ph, pw = expand(padding, 2)
        out_h, out_w = h + 2 * ph - 2, w + 2 * pw - 2
        k = int(weight.shape[0])
        m = tile_size(n, out_h, out_w, c, k) if out_h >= 1 and out_w >= 1 else None
        if m is None:
            continue
        target = f"winograd_f{m}.{name}"
        if target not in constants:
            exported.constants[target] = filter_transform(weight, m)
            with graph.inserting_before(anchor):
                constant = graph.placeholder("c_" + target.replace(".", "_"))
            # The real tensor: a fake one made here is unknown to the program's unlifting, and
            # the decomposed graph could not run (count_flops would fall back to eager).
            constant.meta["val"] = exported.constants[target]
            signature.input_specs.insert(position, InputSpec(
                InputKind.CONSTANT_TENSOR, TensorArgument(constant.name), target))
            position += 1
            constants[target] = constant
        constant = constants[target]
        with graph.inserting_before(node):
            replacement = graph.call_function(
                winograd_conv2d, (x, constant, kw.get("bias"), m, (ph, pw)))
        replacement.meta = dict(node.meta)
        node.replace_all_uses_with(replacement)
        graph.erase_node(node)
        a, tiles = m + 2, n * math.ceil(out_h / m) * math.ceil(out_w / m)
        done.append(Rewritten(weight=name, tile=m, input=(n, c, h, w), output=(n, k, out_h, out_w),
                              direct_flops=2 * n * k * c * 9 * out_h * out_w,
                              matmul_flops=2 * a * a * k * c * tiles))
    if done:
        exported.graph_module.recompile()
    return done


def record(rewritten: list[Rewritten]) -> list[dict]:
    """The import record's entries, one per convolution."""
    return [asdict(r) for r in rewritten]
