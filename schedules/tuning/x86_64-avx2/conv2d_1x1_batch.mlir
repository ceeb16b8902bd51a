// Shipped spec for benchmarks/models/conv2d_1x1_batch.py on x86-64 with AVX2 (see the AVX-512
// one): 4 x 16 register tile (8 accumulators of 8 lanes). Compiled for haswell and run on a
// znver4 machine (2 threads, 2026-11-30): 26.0 ms with IREE's default, 18.8-24.0 with this
// (two runs), 43.7 with 6 x 16. Not measured on a machine without AVX-512.
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // matmul_like_16x512x784x256_f32: {"distribution": [4, 64, 112, 0], "vector_common_parallel": [1, 4, 16, 0], "vector_reduction": [0, 0, 0, 16]}
  transform.named_sequence @match_0_conv2d_1x1_batch_mlir_matmul_like_16x512x784x256_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<512x256xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<16x256x784xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<16x512x784xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [4, 64, 112, 0], vector_common_parallel = [1, 4, 16, 0], vector_reduction = [0, 0, 0, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv2d_1x1_batch.mlir:matmul_like_16x512x784x256_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  transform.named_sequence @__kernel_config(%variant: !transform.any_op {transform.consumed})
      -> !transform.any_op attributes {iree_codegen.tuning_spec_entrypoint} {
    %result = transform.foreach_match in %variant
        @match_0_conv2d_1x1_batch_mlir_matmul_like_16x512x784x256_f32 -> @apply_op_config
      : (!transform.any_op) -> !transform.any_op
    transform.yield %result : !transform.any_op
  }
}
