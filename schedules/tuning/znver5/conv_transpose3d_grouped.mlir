// Shipped spec for benchmarks/models/conv_transpose3d_grouped.py on znver5 (AMD Zen 5,
// full-width AVX-512), under cpu-default (znver5/conv_transpose3d_grouped.toml): the tuner's
// winner (`doit run tune:conv_transpose3d_grouped minutes=6`, 2 threads, 2026-12-02). What it
// changes: its matmul keeps the x86_64 spec's 8 x 32 register tile with 1 instead of 16 of its
// second dimension per workgroup, and two of the reshaping transposes get tiles of their own.
// Whole model against the build with the family defaults, one run: 6.36 -> 4.92 ms median, 10
// alternating rounds, faster in 10. Each matcher is one dispatch's root op (op name and operand
// types).
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // matmul_like_64x16x1024x64_f32: {"distribution": [64, 1, 64, 0], "vector_common_parallel": [8, 1, 32, 0], "vector_reduction": [0, 0, 0, 1]}
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
      lowering_config = #iree_cpu.lowering_config<distribution = [64, 1, 64, 0], vector_common_parallel = [8, 1, 32, 0], vector_reduction = [0, 0, 0, 1]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv_transpose3d_grouped.mlir:matmul_like_64x16x1024x64_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // elementwise_transpose_4x2x2x2x8x2x8x32x32_f32: {"distribution": [1, 1, 2, 2, 8, 2, 8, 32, 32], "vector_common_parallel": [1, 1, 1, 1, 1, 1, 1, 1, 16]}
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
      lowering_config = #iree_cpu.lowering_config<distribution = [1, 1, 2, 2, 8, 2, 8, 32, 32], vector_common_parallel = [1, 1, 1, 1, 1, 1, 1, 1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv_transpose3d_grouped.mlir:elementwise_transpose_4x2x2x2x8x2x8x32x32_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // generic_16x16x2x2x32x32_f32: {"distribution": [8, 16, 2, 2, 32, 32], "vector_common_parallel": [1, 1, 1, 1, 1, 16]}
  transform.named_sequence @match_2_conv_transpose3d_grouped_mlir_generic_16x16x2x2x32x32_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<16x16x33x33xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<16x16x2x2x32x32xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [8, 16, 2, 2, 32, 32], vector_common_parallel = [1, 1, 1, 1, 1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv_transpose3d_grouped.mlir:generic_16x16x2x2x32x32_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // transpose_2x2x4x8x8x1089_f32: {"distribution": [1, 2, 4, 8, 8, 33], "vector_common_parallel": [1, 1, 1, 1, 1, 16]}
  transform.named_sequence @match_3_conv_transpose3d_grouped_mlir_transpose_2x2x4x8x8x1089_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<2x2x4x8x8x1089xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<2x8x4x2x8x1089xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [1, 2, 4, 8, 8, 33], vector_common_parallel = [1, 1, 1, 1, 1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv_transpose3d_grouped.mlir:transpose_2x2x4x8x8x1089_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  transform.named_sequence @__kernel_config(%variant: !transform.any_op {transform.consumed})
      -> !transform.any_op attributes {iree_codegen.tuning_spec_entrypoint} {
    %result = transform.foreach_match in %variant
        @match_0_conv_transpose3d_grouped_mlir_matmul_like_64x16x1024x64_f32 -> @apply_op_config,
        @match_1_conv_transpose3d_grouped_mlir_elementwise_transpose_4x2x2x2x8x2x8x32x32_f32 -> @apply_op_config,
        @match_2_conv_transpose3d_grouped_mlir_generic_16x16x2x2x32x32_f32 -> @apply_op_config,
        @match_3_conv_transpose3d_grouped_mlir_transpose_2x2x4x8x8x1089_f32 -> @apply_op_config
      : (!transform.any_op) -> !transform.any_op
    transform.yield %result : !transform.any_op
  }
}
