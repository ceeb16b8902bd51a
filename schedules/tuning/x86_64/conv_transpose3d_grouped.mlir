// Shipped spec for benchmarks/models/conv_transpose3d_grouped.py on x86-64: the tuner's winner
// (`doit run tune:conv_transpose3d_grouped minutes=6`, znver4, 2 threads, 2026-11-30, under
// cpu-default). The import computes all 8 output phases of this grouped, strided transposed
// convolution as one convolution per group (ingress/conv_rewrites.py, transposed_as_one_conv);
// its matmul (out channels x batch x pixels) gets 8 channels x 32 pixels of accumulators instead
// of IREE's 1 x 16, and the pixel shuffle wider distribution tiles: the whole model 25.5 ->
// 7.0 ms on znver4, checked against torch. Compiled for haswell (AVX2) and run on the same
// machine: 58.9 -> 11.1 ms (8 x 16 gave 12.7, 4 x 32 gave 16.0), so it ships for the family.
// Each matcher names one dispatch's exact operand types.
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // matmul_like_64x16x1024x64_f32: {"distribution": [64, 16, 64, 0], "vector_common_parallel": [8, 1, 32, 0], "vector_reduction": [0, 0, 0, 1]}
  transform.named_sequence @match_0_conv_transpose3d_grouped_mlir_matmul_like_64x16x1024x64_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<64x64xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<16x64x1024xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<64x16x1024xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [64, 16, 64, 0], vector_common_parallel = [8, 1, 32, 0], vector_reduction = [0, 0, 0, 1]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv_transpose3d_grouped.mlir:matmul_like_64x16x1024x64_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // elementwise_transpose_4x2x2x2x8x2x8x32x32_f32: {"distribution": [1, 1, 2, 2, 8, 2, 4, 32, 32], "vector_common_parallel": [1, 1, 1, 1, 1, 1, 1, 1, 16]}
  transform.named_sequence @match_1_conv_transpose3d_grouped_mlir_elementwise_transpose_4x2x2x2x8x2x8x32x32_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<4x2x2x2x8x2x8x32x32xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<4x8xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<2x4x8x8x2x32x2x32x2xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [1, 1, 2, 2, 8, 2, 4, 32, 32], vector_common_parallel = [1, 1, 1, 1, 1, 1, 1, 1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv_transpose3d_grouped.mlir:elementwise_transpose_4x2x2x2x8x2x8x32x32_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  transform.named_sequence @__kernel_config(%variant: !transform.any_op {transform.consumed})
      -> !transform.any_op attributes {iree_codegen.tuning_spec_entrypoint} {
    %result = transform.foreach_match in %variant
        @match_0_conv_transpose3d_grouped_mlir_matmul_like_64x16x1024x64_f32 -> @apply_op_config,
        @match_1_conv_transpose3d_grouped_mlir_elementwise_transpose_4x2x2x2x8x2x8x32x32_f32 -> @apply_op_config
      : (!transform.any_op) -> !transform.any_op
    transform.yield %result : !transform.any_op
  }
}
