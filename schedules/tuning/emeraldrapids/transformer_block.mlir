// Shipped spec for models/transformer_block.py on emeraldrapids (Intel Xeon, 5th generation),
// under cpu-default. The q/k/v projection is a batch of 12 (3 x 4 heads) contractions of the
// 128 x 256 activations with 64 x 256 slices of the weight, whose reduction dimension is the
// contiguous one (torch's Linear weight is out x in), so IREE gives it 16-wide reductions
// (dot products) instead of outer products; 16 x 16 of them instead of 8 x 16 (found by hand,
// 2 threads, 2026-12-01): the dispatch alone, 3 interleaved rounds, 0.343 -> 0.255 ms.
// The whole model, 10 interleaved rounds: 1.695 -> 1.425 ms median, faster in 9 of 10 pairs
// (median pair ratio 0.90). Checked against torch by check:transformer_block.
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // matmul_like_12x128x64x256_f32: {"distribution": [2, 64, 64, 0], "vector_common_parallel": [1, 16, 16, 0], "vector_reduction": [0, 0, 0, 16]}
  transform.named_sequence @match_0_transformer_block_mlir_matmul_like_12x128x64x256_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<128x256xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<12x64x256xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<12x128x64xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [2, 64, 64, 0], vector_common_parallel = [1, 16, 16, 0], vector_reduction = [0, 0, 0, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "transformer_block.mlir:matmul_like_12x128x64x256_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  transform.named_sequence @__kernel_config(%variant: !transform.any_op {transform.consumed})
      -> !transform.any_op attributes {iree_codegen.tuning_spec_entrypoint} {
    %result = transform.foreach_match in %variant
        @match_0_transformer_block_mlir_matmul_like_12x128x64x256_f32 -> @apply_op_config
      : (!transform.any_op) -> !transform.any_op
    transform.yield %result : !transform.any_op
  }
}
