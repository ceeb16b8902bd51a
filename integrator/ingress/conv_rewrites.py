"""Convolutions rewritten, at import, into the shapes the compiler is good at.

IREE's CPU code generation is fast on 2-D convolutions (im2col + data-tiled matmuls, or
direct channels-last ones) and slow on the rest. Measured (znver4, 2 threads, one run each,
benchmarks/models/): a 3-D convolution 582 ms -> 35 ms (0.94x torch eager, with the
channels-last pipeline), a strided, grouped 3-D transposed one 290 ms -> 48 ms (2.2x eager),
a long 1-D one 343 ms -> 173 ms under cpu-default (4x eager either way under channels-last).
Depthwise convolutions are not rewritten: a sum of shifted slices times per-channel weights
measured no faster than IREE's own depthwise op. Each rewrite here is exact (same arithmetic, reordered) and
expressed in aten ops, so it is one more entry of the decomposition table that
``torch.export`` runs (``from_torch.py``):

* **1-D** convolutions become 2-D ones of height 1;
* **3-D** convolutions become one 2-D convolution: the depth taps are folded into the input
  channels (a ``kD``-times larger copy of the input, the depth part of im2col) and the output
  depths into the batch;
* **transposed** convolutions (stride ``s``) become ``s^d`` ordinary convolutions, one per
  output phase, each with the kernel taps that reach it (the sub-pixel decomposition): no
  multiplications by inserted zeros; the phases are interleaved (a pixel shuffle). Grouped
  ones become one convolution whose output channels are all the phases, over the window that
  covers every phase's taps, then the pixel shuffle (``transposed_as_one_conv``);
* **grouped** 2-D convolutions (up to 16 groups, not depthwise) become one convolution per
  group, concatenated;
* a **bias** is added after the convolution instead of being its accumulator's initial value.
  torch's lowering broadcasts the bias into the accumulator: a dispatch of its own that writes
  the whole output once more before the convolution reads it back. Added after, it fuses into
  the convolution's dispatch as an epilogue (``conv2d_1x1_batch``, emeraldrapids, 2 threads, 8
  interleaved rounds: 20.0 -> 18.2 ms), and the accumulator starts from a fill, which IREE's
  Winograd rewrite needs (``schedules/winograd.py``).

A convolution none of these covers is left as it is (the rule returns ``NotImplemented``).
Each rewrite calls ``aten.convolution`` again, so they compose (a 3-D transposed convolution
becomes 3-D phases, which become 2-D convolutions).
"""

from __future__ import annotations

import functools
import itertools


def _aten():
    import torch

    return torch.ops.aten


def _conv(x, w, bias, stride, padding, dilation, groups):
    return _aten().convolution.default(x, w, bias, list(stride), list(padding), list(dilation),
                                       False, [0] * len(stride), groups)


def conv1d_as_2d(x, w, bias, stride, padding, dilation, groups):
    y = _conv(x.unsqueeze(2), w.unsqueeze(2), bias, [1, stride[0]], [0, padding[0]],
              [1, dilation[0]], groups)
    return y.squeeze(2)


def conv3d_as_2d(x, w, bias, stride, padding, dilation, groups):
    """Depth taps into channels (per group), output depths into the batch."""
    n, c, d, h, wd = x.shape
    f, cg, kd, kh, kw = w.shape
    sd, pd, dd = stride[0], padding[0], dilation[0]
    if pd:
        x = _aten().constant_pad_nd.default(x, [0, 0, 0, 0, pd, pd])
    do = (d + 2 * pd - dd * (kd - 1) - 1) // sd + 1
    taps = [x[:, :, k * dd: k * dd + sd * (do - 1) + 1: sd] for k in range(kd)]  # (n, c, do, h, w)
    stacked = _aten().stack.default(taps, 2)  # (n, c, kd, do, h, w)
    # channel order (group, tap, channel of the group), as the weight is reshaped below
    stacked = stacked.reshape(n, groups, cg, kd, do, h, wd).permute(0, 4, 1, 3, 2, 5, 6)
    x2 = stacked.reshape(n * do, groups * kd * cg, h, wd)
    w2 = w.permute(0, 2, 1, 3, 4).reshape(f, kd * cg, kh, kw)
    y = _conv(x2, w2, bias, stride[1:], padding[1:], dilation[1:], groups)  # (n*do, f, ho, wo)
    ho, wo = y.shape[2], y.shape[3]
    return y.reshape(n, do, f, ho, wo).permute(0, 2, 1, 3, 4).contiguous()


def _interleave(parts: dict, stride: list[int], dims: int):
    """Phase outputs (each (n, f, J...), keyed by their offsets ``q``) as one tensor whose
    position ``j*s + q`` holds ``parts[q][j]``: stack each dimension's phases after it and
    merge the two (a pixel shuffle), from the last dimension to the first."""
    aten = _aten()
    for i in reversed(range(dims)):
        merged = {}
        for key in {q[:i] + q[i + 1:] for q in parts}:
            column = [parts[key[:i] + (r,) + key[i:]] for r in range(stride[i])]
            stacked = aten.stack.default(column, 3 + i)  # (n, f, ..., J_i, s_i, ...)
            shape = list(stacked.shape)
            shape[2 + i: 4 + i] = [shape[2 + i] * shape[3 + i]]
            merged[key] = stacked.reshape(shape)
        parts = merged
    return parts[()]


def _reversed_taps(w, taps: list[slice]):
    """``w[:, :, taps...]`` with every spatial dimension reversed, from static slices and
    concatenations only (IREE 3.13 fails to compile the gather that ``flip`` of a strided
    slice becomes)."""
    aten = _aten()
    for i, selected in enumerate(taps):
        dim = 2 + i
        picks = list(range(w.shape[dim]))[selected][::-1]
        w = aten.cat.default([aten.slice.Tensor(w, dim, k, k + 1) for k in picks], dim)
    return w


def _transposed_sizes(spatial, kernel, stride, padding, output_padding):
    """A transposed convolution's output sizes, and its outputs per phase (``ceil(out / s)``)."""
    out = [(spatial[i] - 1) * stride[i] - 2 * padding[i] + kernel[i] + output_padding[i]
           for i in range(len(spatial))]
    return out, [-(-o // s) for o, s in zip(out, stride)]


def _pad_or_crop(x, edges: list[tuple[int, int]]):
    """``x`` with (left, right) elements added (zeros) or, where negative, cut off at each end
    of each spatial dimension."""
    for i, (left, right) in enumerate(edges):
        if left < 0:
            x = x.narrow(2 + i, -left, x.shape[2 + i] + left)
        if right < 0:
            x = x.narrow(2 + i, 0, x.shape[2 + i] + right)
    pad = [amount for left, right in reversed(edges) for amount in (max(left, 0), max(right, 0))]
    return _aten().constant_pad_nd.default(x, pad) if any(pad) else x


def _crop_plus_bias(y, out: list[int], bias):
    """``y`` cut to the output sizes ``out``, plus the per-channel ``bias``."""
    for i, size in enumerate(out):
        if y.shape[2 + i] != size:
            y = y.narrow(2 + i, 0, size)
    return y if bias is None else y + bias.reshape(1, -1, *([1] * len(out)))


def transposed_as_phases(x, w, bias, stride, padding, output_padding, groups):
    """A transposed convolution (dilation 1) as one ordinary convolution per output phase.

    Output position ``o`` and input position ``i`` meet through tap ``k`` when
    ``o + p = i*s + k``. For the phase ``r = (o + p) mod s`` only the taps ``k = r + t*s``
    (``t < T``) contribute: ``y[o = r - p + s*m] = sum_t x[m - t] w[r + t*s]``, a correlation
    with those taps reversed, over ``x`` padded so that window ``m`` starts at ``m - T + 1``.
    The phase's outputs are the positions ``o = q + s*j`` (``q = (r - p) mod s``); each
    phase is padded to ``ceil(out / s)`` of them, the phases are interleaved and the result
    cropped to the output size. A phase with no taps is zeros (plus the bias), which is what
    it computes.
    """
    spatial, kernel = x.shape[2:], w.shape[2:]
    dims = len(spatial)
    n, cin = x.shape[:2]
    f = w.shape[1] * groups
    out, per_phase = _transposed_sizes(spatial, kernel, stride, padding, output_padding)
    parts = {}
    for phase in itertools.product(*(range(s) for s in stride)):
        offsets, taps, windows = [], [], []
        for i in range(dims):
            s, p, r = stride[i], padding[i], phase[i]
            m0 = -((r - p) // s)  # ceil((p - r) / s): the first m with o >= 0
            offsets.append(r - p + s * m0)
            taps.append(slice(r, kernel[i], s))
            # outputs m0 .. m0 + per_phase - 1 (the last ones may be cropped off at the end)
            # read x[m0 - T + 1 .. m0 + per_phase - 1]: pad x, or crop it where negative
            count = len(range(r, kernel[i], s))
            windows.append((count, count - 1 - m0, m0 + per_phase[i] - 1 - (spatial[i] - 1)))
        if any(count == 0 for count, _, _ in windows):
            parts[tuple(offsets)] = x.new_zeros((n, f, *per_phase))
            continue
        sub = _reversed_taps(w, taps)
        # (cin, f/g, taps...) per group -> the ordinary layout (f, cin/g, taps...)
        sub = sub.reshape(groups, cin // groups, f // groups, *sub.shape[2:]).transpose(1, 2)
        sub = sub.reshape(f, cin // groups, *sub.shape[3:])
        xp = _pad_or_crop(x, [(left, right) for _, left, right in windows])
        parts[tuple(offsets)] = _conv(xp, sub, None, [1] * dims, [0] * dims, [1] * dims, groups)
    return _crop_plus_bias(_interleave(parts, list(stride), dims), out, bias)


def _phase_windows(kernel: int, s: int, p: int):
    """Per output phase ``q`` (outputs ``q + s*j``) of one dimension: the reversed taps' slice
    and where their window starts (input ``m0 - T + 1`` for output ``j = 0``, ``T`` taps)."""
    phases = []
    for q in range(s):
        r = (q + p) % s  # the taps k = r + t*s reach the outputs o with (o + p) mod s = r
        m0 = -((r - p) // s)
        count = len(range(r, kernel, s))
        phases.append((slice(r, kernel, s), count, m0 - count + 1))
    return phases


def _union_window(phases) -> tuple[int, int] | None:
    """Where the window that covers every phase's taps starts, and its size; None when no
    phase has a tap."""
    used = [(count, start) for _, count, start in phases if count]
    if not used:
        return None
    lo = min(start for _, start in used)
    return lo, max(start + count for count, start in used) - lo


def merged_phase_waste(x, w, stride, padding) -> float:
    """How many more multiplications ``transposed_as_one_conv`` does than the phases need:
    every phase runs over the window that covers all phases' taps."""
    waste = 1.0
    for k, s, p in zip(w.shape[2:], stride, padding):
        phases = _phase_windows(k, s, p)
        window = _union_window(phases)
        if window is None:
            return float("inf")
        waste *= s * window[1] / sum(count for _, count, _ in phases)
    return waste


def transposed_as_one_conv(x, w, bias, stride, padding, output_padding, groups):
    """A transposed convolution (dilation 1) as one ordinary convolution whose output channels
    are every (phase, channel) pair, then a pixel shuffle.

    The phases of ``transposed_as_phases`` read overlapping windows of ``x``; here each phase's
    reversed taps sit at their place in the window that covers all of them (zeros elsewhere),
    so a single convolution computes all phases, and one transpose interleaves them. It does
    ``merged_phase_waste`` times the phases' multiplications, in far fewer and larger
    dispatches: the grouped, strided 3-D transposed convolution of ``conv_transpose3d_grouped``
    went from 59 dispatches to 13 (0.5 GFLOP instead of 0.23).
    """
    aten = _aten()
    spatial, kernel = x.shape[2:], w.shape[2:]
    dims = len(spatial)
    n, cin = x.shape[:2]
    fg = w.shape[1]
    f = fg * groups
    out, per_phase = _transposed_sizes(spatial, kernel, stride, padding, output_padding)
    windows = [_phase_windows(kernel[i], stride[i], padding[i]) for i in range(dims)]
    lo, span = (list(v) for v in zip(*(_union_window(phases) for phases in windows)))
    subs = []
    for phase in itertools.product(*(range(s) for s in stride)):
        picked = [windows[i][q] for i, q in enumerate(phase)]
        if any(count == 0 for _, count, _ in picked):
            sub = w.new_zeros((cin, fg, *span))
        else:
            sub = _reversed_taps(w, [taps for taps, _, _ in picked])
            pad = [amount for i, (_, count, start) in reversed(list(enumerate(picked)))
                   for amount in (start - lo[i], span[i] - count - (start - lo[i]))]
            if any(pad):
                sub = aten.constant_pad_nd.default(sub, pad)
        # (cin, fg, window...) -> (groups, fg, cin/g, window...)
        subs.append(sub.reshape(groups, cin // groups, fg, *span).transpose(1, 2))
    phases = len(subs)
    weight = aten.stack.default(subs, 1).reshape(groups * phases * fg, cin // groups, *span)
    # The window for output j = 0 starts at x[lo]; the last one ends at x[lo + per_phase - 1 + span - 1].
    xp = _pad_or_crop(x, [(-lo[i], lo[i] + per_phase[i] + span[i] - 2 - (spatial[i] - 1)) for i in range(dims)])
    y = _conv(xp, weight, None, [1] * dims, [0] * dims, [1] * dims, groups)
    # (n, groups, phase..., fg, J...) -> (n, groups, fg, J0, s0, J1, s1, ...): a pixel shuffle
    y = y.reshape(n, groups, *stride, fg, *per_phase)
    order = [0, 1, 2 + dims] + [axis for i in range(dims) for axis in (3 + dims + i, 2 + i)]
    y = y.permute(order).reshape(n, f, *(j * s for j, s in zip(per_phase, stride)))
    return _crop_plus_bias(y, out, bias)


# When the phases are merged: for grouped transposed convolutions, which the phase form splits
# into phases x groups small convolutions, if the merged one does at most this many times the
# multiplications (2.37 for a 3x3x3 kernel of stride 2). conv_transpose3d_grouped: 59 dispatches
# and 16 ms as phases (tuned), 13 dispatches and 7 ms merged (tuned; torch eager 8 ms); znver4,
# 2 threads. Not for one group: IREE 3.13 fuses the pixel shuffle into the merged convolution's
# matmul and vectorizes along the 2 phases (suite problem 17, a 2-D one: 90 ms as phases, 212 ms
# merged, cpu-default untuned).
MAX_MERGED_WASTE = 2.5


# Groups split into separate convolutions up to this many (a depthwise convolution, one
# channel per group, is never split: that would be one convolution per channel).
MAX_SPLIT_GROUPS = 16


def grouped_as_convs(x, w, bias, stride, padding, dilation, groups):
    """A grouped convolution as one ordinary convolution per group, concatenated along the
    channels. IREE 3.13 lowers a grouped convolution to a generic loop nest (suite problem
    14, 3x3 stride 2, 4 groups: 66 ms, 6.5x torch eager); split, each group is a plain 2-D
    convolution (6.1 ms with the channels-last pipeline, 0.6x eager)."""
    aten = _aten()
    cg, fg = x.shape[1] // groups, w.shape[0] // groups

    def part(t, dim, size, g):
        return aten.slice.Tensor(t, dim, g * size, (g + 1) * size)

    ys = [_conv(part(x, 1, cg, g), part(w, 0, fg, g), None if bias is None else part(bias, 0, fg, g),
                stride, padding, dilation, 1) for g in range(groups)]
    return aten.cat.default(ys, 1)


def dilated_as_phases(x, w, bias, stride, padding, dilation, groups):
    """A stride-1 dilated 2-D convolution as one undilated convolution over its dilation phases
    stacked into the batch (space-to-batch), then a pixel shuffle.

    With dilation ``d``, the outputs ``o = r + d*j`` of phase ``r`` read only the inputs
    ``r + d*m``: ``y[r + d*j] = sum_t x[r + d*(j + t)] w[t]``, an undilated convolution of
    the phase's subsampled input. Every phase is given ``ceil(out / d)`` outputs (the input
    padded at the end to ``d * (that + k - 1)``), so the ``d_h * d_w`` phases form one batch;
    the outputs past ``out`` are cropped. The same multiplications, in a convolution IREE
    tiles well: ``conv2d_dilated`` on znver3 (AVX2, 2 threads) went from 6.1 ms to 2.6 ms
    under cpu-channels-last with a tuned spec, while under cpu-default the phases measured
    3.9x slower. So it is a choice of the pipeline (``dilated_as_phases`` in the pipeline's
    ``import-settings``), not a default.
    """
    aten = _aten()
    n, c, h, wd = x.shape
    f, kh, kw = w.shape[0], w.shape[2], w.shape[3]
    (ph, pw), (dh, dw) = padding, dilation
    out = [h + 2 * ph - dh * (kh - 1), wd + 2 * pw - dw * (kw - 1)]
    per_phase = [-(-out[0] // dh), -(-out[1] // dw)]
    rows, cols = dh * (per_phase[0] + kh - 1), dw * (per_phase[1] + kw - 1)
    xp = _pad_or_crop(x, [(ph, rows - h - ph), (pw, cols - wd - pw)])
    # (n, c, rows/dh, dh, cols/dw, dw) -> (dh, dw, n, c, rows/dh, cols/dw): the phases in the batch
    xp = xp.reshape(n, c, rows // dh, dh, cols // dw, dw).permute(3, 5, 0, 1, 2, 4)
    xp = xp.reshape(dh * dw * n, c, rows // dh, cols // dw)
    y = _conv(xp, w, None, [1, 1], [0, 0], [1, 1], groups)  # (dh*dw*n, f, J_h, J_w)
    y = y.reshape(dh, dw, n, f, *per_phase).permute(2, 3, 4, 0, 5, 1)
    y = y.reshape(n, f, per_phase[0] * dh, per_phase[1] * dw)
    return _crop_plus_bias(y, out, bias)


def convolution(x, w, bias, stride, padding, dilation, transposed, output_padding, groups, *,
                phases: bool = False):
    """The ``aten.convolution.default`` entry of the decomposition table; ``phases``: dilated
    2-D convolutions as ``dilated_as_phases``."""
    dims = x.dim() - 2
    if bias is not None:
        y = convolution(x, w, None, stride, padding, dilation, transposed, output_padding, groups,
                        phases=phases)
        if y is NotImplemented:
            y = _aten().convolution.default(x, w, None, stride, padding, dilation, transposed,
                                            output_padding, groups)
        return y + bias.reshape(1, -1, *([1] * dims))
    if transposed:
        if any(d != 1 for d in dilation):
            return NotImplemented
        if groups > 1 and merged_phase_waste(x, w, stride, padding) <= MAX_MERGED_WASTE:
            return transposed_as_one_conv(x, w, bias, stride, padding, output_padding, groups)
        return transposed_as_phases(x, w, bias, stride, padding, output_padding, groups)
    if dims == 1:
        return conv1d_as_2d(x, w, bias, stride, padding, dilation, groups)
    if dims == 3:
        return conv3d_as_2d(x, w, bias, stride, padding, dilation, groups)
    if 1 < groups <= MAX_SPLIT_GROUPS and x.shape[1] > groups:
        return grouped_as_convs(x, w, bias, stride, padding, dilation, groups)
    if phases and dims == 2 and any(d > 1 for d in dilation) and all(s == 1 for s in stride):
        return dilated_as_phases(x, w, bias, stride, padding, dilation, groups)
    return NotImplemented


def expand(values, dims: int) -> list[int]:
    values = list(values) if isinstance(values, (list, tuple)) else [values]
    return values * dims if len(values) == 1 else values


def _convnd(dims: int, phases: bool):
    def rule(x, w, bias=None, stride=(1,), padding=(0,), dilation=(1,), groups=1):
        args = [expand(v, dims) for v in (stride, padding, dilation)]
        y = convolution(x, w, bias, *args, False, [0] * dims, groups, phases=phases)
        if y is NotImplemented:  # as the op itself decomposes
            y = _aten().convolution.default(x, w, bias, *args, False, [0] * dims, groups)
        return y
    return rule


def _conv_transposend(dims: int):
    def rule(x, w, bias=None, stride=(1,), padding=(0,), output_padding=(0,), groups=1,
             dilation=(1,)):
        args = [expand(v, dims) for v in (stride, padding, dilation, output_padding)]
        y = convolution(x, w, bias, *args[:3], True, args[3], groups)
        if y is NotImplemented:
            y = _aten().convolution.default(x, w, bias, *args[:3], True, args[3], groups)
        return y
    return rule


def decompositions(*, dilated_as_phases: bool = False) -> dict:
    """Entries for the decomposition table: ``torch.export`` keeps ``conv1d`` ... ``conv3d``
    and ``conv_transpose*d`` as they are, so the rule is attached to each, and to
    ``convolution`` itself."""
    aten = _aten()
    phases = dilated_as_phases
    return {
        aten.convolution.default: functools.partial(convolution, phases=phases),
        aten.conv1d.default: _convnd(1, phases), aten.conv2d.default: _convnd(2, phases),
        aten.conv3d.default: _convnd(3, phases),
        aten.conv_transpose1d.default: _conv_transposend(1),
        aten.conv_transpose2d.input: _conv_transposend(2),
        aten.conv_transpose3d.input: _conv_transposend(3),
    }
