"""Depthwise 2-D convolutions computed channels-last, rewritten in the imported module.

torch-mlir lowers a depthwise convolution (``groups`` = input channels = output channels) of
an NCHW tensor to ``linalg.depthwise_conv_2d_nchw_chw``; IREE 3.13 generalizes that into a
loop nest it vectorizes badly: 4x128x56x56, 3x3, stride 2 takes 1.5 ms in its dispatch,
stride 1 takes 10 ms, under every lowering configuration tried (znver4, 2 threads). The
same convolution channels-last, ``linalg.depthwise_conv_2d_nhwc_hwc``, is vectorized along
the channels: 0.3 ms including the transpose of its output back to NCHW. No aten op
expresses a channels-last convolution, so the rewrite is done on the imported module: each
such ``torch.aten.convolution`` becomes a call of a private function that transposes the
input, convolves channels-last and transposes back (the weight transpose folds at compile
time; between two channels-last convolutions IREE cancels the transposes).

Only what the rewrite covers exactly is rewritten: 4-D f32 tensors, not transposed, channel
multiplier 1, static shapes. It runs when the model's ``conv_rewrites`` setting is on.
"""

from __future__ import annotations

from dataclasses import dataclass

OP = "torch.aten.convolution"


@dataclass(frozen=True)
class Depthwise:
    """One depthwise convolution's shapes and parameters: all the generated function needs."""
    input: tuple[int, ...]  # N, C, H, W
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    bias: bool

    @property
    def output(self) -> tuple[int, ...]:
        n, c, h, w = self.input
        size = [(s + 2 * p - d * (k - 1) - 1) // t + 1 for s, p, d, k, t in
                zip((h, w), self.padding, self.dilation, self.kernel, self.stride)]
        return (n, c, *size)

    @property
    def name(self) -> str:
        parts = [self.input, self.kernel, self.stride, self.padding, self.dilation]
        return "integrator_depthwise_nhwc_" + "_".join("x".join(map(str, p)) for p in parts) \
            + ("_bias" if self.bias else "")


def _tensor(shape) -> str:
    return f"tensor<{'x'.join(map(str, shape))}xf32>"


def function_text(conv: Depthwise) -> str:
    n, c, h, w = conv.input
    (kh, kw), (ph, pw) = conv.kernel, conv.padding
    (sh, sw), (dh, dw) = conv.stride, conv.dilation
    _, _, oh, ow = conv.output
    nhwc, padded = (n, h, w, c), (n, h + 2 * ph, w + 2 * pw, c)
    out_nhwc = (n, oh, ow, c)
    bias_arg = f", %b: {_tensor([c])}" if conv.bias else ""
    init = (f"linalg.broadcast ins(%b : {_tensor([c])}) outs(%e2 : {_tensor(out_nhwc)}) dimensions = [0, 1, 2]"
            if conv.bias else
            f"linalg.fill ins(%zero : f32) outs(%e2 : {_tensor(out_nhwc)}) -> {_tensor(out_nhwc)}")
    return f"""
func.func private @{conv.name}(%x: {_tensor(conv.input)}, %w: {_tensor((c, 1, kh, kw))}{bias_arg}) -> {_tensor(conv.output)} {{
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : {_tensor(nhwc)}
  %xt = linalg.transpose ins(%x : {_tensor(conv.input)}) outs(%e0 : {_tensor(nhwc)}) permutation = [0, 2, 3, 1]
  %xp = tensor.pad %xt low[0, {ph}, {pw}, 0] high[0, {ph}, {pw}, 0] {{
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  }} : {_tensor(nhwc)} to {_tensor(padded)}
  %wc = tensor.collapse_shape %w [[0, 1], [2], [3]] : {_tensor((c, 1, kh, kw))} into {_tensor((c, kh, kw))}
  %e1 = tensor.empty() : {_tensor((kh, kw, c))}
  %wt = linalg.transpose ins(%wc : {_tensor((c, kh, kw))}) outs(%e1 : {_tensor((kh, kw, c))}) permutation = [1, 2, 0]
  %e2 = tensor.empty() : {_tensor(out_nhwc)}
  %init = {init}
  %y = linalg.generic {{indexing_maps = [
      affine_map<(n, oh, ow, c, kh, kw) -> (n, oh * {sh} + kh * {dh}, ow * {sw} + kw * {dw}, c)>,
      affine_map<(n, oh, ow, c, kh, kw) -> (kh, kw, c)>,
      affine_map<(n, oh, ow, c, kh, kw) -> (n, oh, ow, c)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}}
      ins(%xp, %wt : {_tensor(padded)}, {_tensor((kh, kw, c))}) outs(%init : {_tensor(out_nhwc)}) {{
  ^bb0(%in: f32, %weight: f32, %acc: f32):
    %m = arith.mulf %in, %weight : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }} -> {_tensor(out_nhwc)}
  %e3 = tensor.empty() : {_tensor(conv.output)}
  %yt = linalg.transpose ins(%y : {_tensor(out_nhwc)}) outs(%e3 : {_tensor(conv.output)}) permutation = [0, 3, 1, 2]
  return %yt : {_tensor(conv.output)}
}}
"""


def _constant(value):
    """The Python value of a ``torch.constant.*`` or ``torch.prim.ListConstruct`` of them;
    None where the value is not such a constant."""
    owner = value.owner
    name = getattr(owner, "name", None)
    if name == "torch.prim.ListConstruct":
        items = [_constant(v) for v in owner.operands]
        return None if any(i is None for i in items) else items
    if name in ("torch.constant.int", "torch.constant.bool"):
        attr = owner.attributes["value"]
        return bool(attr.value) if name == "torch.constant.bool" else int(attr.value)
    if name == "torch.constant.none":
        return "none"
    return None


def _vtensor(type_) -> tuple[tuple[int, ...], str] | None:
    """Shape and element type of a ``!torch.vtensor<[...],dtype>`` with static sizes."""
    text = str(type_)
    if not text.startswith("!torch.vtensor<[") or "?" in text:
        return None
    sizes, dtype = text[len("!torch.vtensor<["):-1].split("],")
    return tuple(int(s) for s in sizes.split(",") if s), dtype


def match(op) -> Depthwise | None:
    """The depthwise convolution ``op`` computes, if the rewrite covers it exactly."""
    if op.name != OP:
        return None
    x, w, bias, stride, padding, dilation, transposed, _, groups = op.operands
    shapes = [_vtensor(v.type) for v in (x, w, op.results[0])]
    if any(s is None for s in shapes) or any(dtype != "f32" for _, dtype in shapes):
        return None
    (xs, _), (ws, _), _ = shapes
    params = [_constant(v) for v in (stride, padding, dilation, transposed, groups)]
    if any(p is None for p in params) or len(xs) != 4:
        return None
    stride, padding, dilation, transposed, groups = params
    if transposed or groups != xs[1] or ws[0] != xs[1] or ws[1] != 1:
        return None
    bias_value = _constant(bias)
    return Depthwise(input=xs, kernel=(ws[2], ws[3]), stride=tuple(stride),
                     padding=tuple(padding), dilation=tuple(dilation), bias=bias_value != "none")


def rewrite(module) -> list[Depthwise]:
    """Replace each depthwise convolution of ``module`` (an ``ir.Module`` of the torch
    dialect, as the FX importer makes it) by a call of its channels-last function. Returns
    the convolutions rewritten."""
    from iree.compiler import ir

    context = module.context
    found = []
    for function in module.body.operations:
        for block in function.regions[0].blocks if function.regions else []:
            for op in block.operations:
                conv = match(op)
                if conv is not None:
                    found.append((op, conv))
    defined = set()
    for op, conv in found:
        if conv.name not in defined:
            defined.add(conv.name)
            parsed = ir.Module.parse(function_text(conv), context)
            function = parsed.body.operations[0]
            function.operation.move_before(module.body.operations[0])
        with ir.Location.unknown(context), ir.InsertionPoint(op):
            args = list(op.operands[:3] if conv.bias else op.operands[:2])
            builtin = [ir.Operation.create("torch_c.to_builtin_tensor",
                                           results=[ir.RankedTensorType.get(
                                               _vtensor(a.type)[0], ir.F32Type.get())],
                                           operands=[a]).result for a in args]
            out_type = ir.RankedTensorType.get(conv.output, ir.F32Type.get())
            call = ir.Operation.create("func.call", results=[out_type], operands=builtin,
                                       attributes={"callee": ir.FlatSymbolRefAttr.get(conv.name)})
            back = ir.Operation.create("torch_c.from_builtin_tensor", results=[op.results[0].type],
                                       operands=[call.result])
        op.results[0].replace_all_uses_with(back.result)
        op.operation.erase()
    return [conv for _, conv in found]
