"""Winograd where it pays: an IREE preprocessing schedule that marks 3x3 NCHW convolutions on
feature maps of at least ``min_size`` x ``min_size`` (padded input) with ``__winograd_conv``.

IREE's ``iree-linalg-ext-convert-conv2d-to-winograd`` (run after it, see the ``cpu-winograd``
pipeline) then rewrites the marked ones that are eligible (stride 1, dilation 1) as Winograd
F(6,3): 2.25x fewer multiplications, no im2col. Small maps stay on im2col and data-tiled
matmuls: at 7x7 (ResNet-50's last stage) Winograd's 2x2 tiles of 8x8 make its batch matmuls
inefficient (measured 1.5x slower there). The rule is generic: nothing here names a model.
Convolutions whose accumulator does not start from a fill (a bias folded into it) are left
alone: IREE 3.13's rewrite ignores that initial value and computes wrong numbers.
"""


def schedule(*, min_size: int = 16) -> str:
    return f"""
module attributes {{transform.with_named_sequence}} {{
  transform.named_sequence @match_large_3x3(%op: !transform.any_op {{transform.readonly}}) -> !transform.any_op {{
    transform.match.operation_name %op ["linalg.conv_2d_nchw_fchw"] : !transform.any_op
    %input = transform.get_operand %op[0] : (!transform.any_op) -> !transform.any_value
    %filter = transform.get_operand %op[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.dim_bounds %filter[2], umin = 3, umax = 3 : !transform.any_value
    transform.iree.match.dim_bounds %filter[3], umin = 3, umax = 3 : !transform.any_value
    transform.iree.match.dim_bounds %input[2], umin = {min_size}, none : !transform.any_value
    transform.iree.match.dim_bounds %input[3], umin = {min_size}, none : !transform.any_value
    // IREE 3.13's Winograd rewrite drops what the accumulator starts from (a conv's bias,
    // broadcast into it by the torch lowering): only convolutions that start from a fill.
    %init = transform.get_producer_of_operand %op[2] : (!transform.any_op) -> !transform.any_op
    transform.match.operation_name %init ["linalg.fill"] : !transform.any_op
    transform.yield %op : !transform.any_op
  }}
  transform.named_sequence @mark(%op: !transform.any_op {{transform.readonly}}) {{
    %unit = transform.param.constant unit -> !transform.any_param
    transform.annotate %op "__winograd_conv" = %unit : !transform.any_op, !transform.any_param
    transform.yield
  }}
  transform.named_sequence @__transform_main(%module: !transform.any_op {{transform.consumed}}) {{
    transform.foreach_match in %module @match_large_3x3 -> @mark : (!transform.any_op) -> !transform.any_op
    transform.yield
  }}
}}
"""
