// Shipped spec for benchmarks/models/conv2d_11x11_s4_batch.py on znver5 (AMD Zen 5, full-width
// AVX-512), under cpu-channels-last (znver5/conv2d_11x11_s4_batch.toml): the tuner's winner
// (`doit run tune:conv2d_11x11_s4_batch minutes=6`, 2 threads, 2026-12-02). What it changes:
// the direct convolution gets an 11 x 32 register tile (11 output columns, 2 vectors of
// channels: 22 accumulators) instead of IREE's default. Whole model against the build with the
// family defaults, one run: 46.06 -> 32.20 ms median, 8 alternating rounds, faster in 8. Each
// matcher is one dispatch's root op (op name and operand types).
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // conv_64x55x55x64x11x11x3_f32: {"distribution": [8, 11, 55, 64, 0, 0, 0], "vector_common_parallel": [1, 1, 11, 32, 0, 0, 0], "vector_reduction": [0, 0, 0, 0, 1, 1, 3]}
  transform.named_sequence @match_0_conv2d_11x11_s4_batch_mlir_conv_64x55x55x64x11x11x3_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<64x228x228x3xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<11x11x3x64xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<64x55x55x64xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [8, 11, 55, 64, 0, 0, 0], vector_common_parallel = [1, 1, 11, 32, 0, 0, 0], vector_reduction = [0, 0, 0, 0, 1, 1, 3]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<ConvTileAndDecomposeExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv2d_11x11_s4_batch.mlir:conv_64x55x55x64x11x11x3_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  transform.named_sequence @__kernel_config(%variant: !transform.any_op {transform.consumed})
      -> !transform.any_op attributes {iree_codegen.tuning_spec_entrypoint} {
    %result = transform.foreach_match in %variant
        @match_0_conv2d_11x11_s4_batch_mlir_conv_64x55x55x64x11x11x3_f32 -> @apply_op_config
      : (!transform.any_op) -> !transform.any_op
    transform.yield %result : !transform.any_op
  }
}
