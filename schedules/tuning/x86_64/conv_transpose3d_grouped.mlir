// Shipped spec for benchmarks/models/conv_transpose3d_grouped.py on x86-64: the tuner's winner
// (`doit run tune:conv_transpose3d_grouped minutes=10`, znver4, 2 threads, 2026-11-30, under
// cpu-default): register tiles (4 x 64) for the phase convolutions' matmuls and distribution
// tiles for the transposes that interleave the phases; the whole model 21.1 -> 15.4 ms on
// znver4, checked against torch. Compiled for haswell (AVX2) and run on the same machine:
// 40-50 -> 24-25 ms, so it ships for the family. Each matcher names one dispatch's exact
// operand types.
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // matmul_like_8x16x1024x32_f32: {"distribution": [8, 16, 64, 0], "vector_common_parallel": [1, 4, 64, 0], "vector_reduction": [0, 0, 0, 1]}
  transform.named_sequence @match_0_conv_transpose3d_grouped_mlir_matmul_like_8x16x1024x32_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<8x32xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<16x32x1024xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<8x16x1024xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [8, 16, 64, 0], vector_common_parallel = [1, 4, 64, 0], vector_reduction = [0, 0, 0, 1]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "x86_64/conv_transpose3d_grouped.mlir:matmul_like_8x16x1024x32_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // matmul_like_8x16x1024x64_f32: {"distribution": [8, 16, 64, 0], "vector_common_parallel": [1, 4, 64, 0], "vector_reduction": [0, 0, 0, 1]}
  transform.named_sequence @match_1_conv_transpose3d_grouped_mlir_matmul_like_8x16x1024x64_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<8x64xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<16x64x1024xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<8x16x1024xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [8, 16, 64, 0], vector_common_parallel = [1, 4, 64, 0], vector_reduction = [0, 0, 0, 1]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "x86_64/conv_transpose3d_grouped.mlir:matmul_like_8x16x1024x64_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // transpose_2x2x4x8x8x1056_f32: {"distribution": [2, 2, 4, 8, 8, 192], "vector_common_parallel": [1, 1, 1, 1, 1, 16]}
  transform.named_sequence @match_2_conv_transpose3d_grouped_mlir_transpose_2x2x4x8x8x1056_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<2x2x4x8x8x1056xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<2x8x4x2x8x1056xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [2, 2, 4, 8, 8, 192], vector_common_parallel = [1, 1, 1, 1, 1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "x86_64/conv_transpose3d_grouped.mlir:transpose_2x2x4x8x8x1056_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // elementwise_transpose_2x2x32x8x4096_f32: {"distribution": [2, 2, 1, 8, 64], "vector_common_parallel": [1, 1, 1, 1, 16]}
  transform.named_sequence @match_3_conv_transpose3d_grouped_mlir_elementwise_transpose_2x2x32x8x4096_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<2x2x32x8x4096xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<32xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<2x32x8x2x4096xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [2, 2, 1, 8, 64], vector_common_parallel = [1, 1, 1, 1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "x86_64/conv_transpose3d_grouped.mlir:elementwise_transpose_2x2x32x8x4096_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // transpose_2x16384x64_f32: {"distribution": [4, 64, 64], "vector_common_parallel": [1, 1, 16]}
  transform.named_sequence @match_4_conv_transpose3d_grouped_mlir_transpose_2x16384x64_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<2x16384x64xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<16384x2x64xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [4, 64, 64], vector_common_parallel = [1, 1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "x86_64/conv_transpose3d_grouped.mlir:transpose_2x16384x64_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // transpose_32x2x8192_f32: {"distribution": [32, 2, 256], "vector_common_parallel": [1, 1, 16]}
  transform.named_sequence @match_5_conv_transpose3d_grouped_mlir_transpose_32x2x8192_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<32x2x8192xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<2x32x8192xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [32, 2, 256], vector_common_parallel = [1, 1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "x86_64/conv_transpose3d_grouped.mlir:transpose_32x2x8192_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // transpose_2x2x4x8x8x1024_f32: {"distribution": [2, 1, 2, 8, 8, 64], "vector_common_parallel": [1, 1, 1, 1, 1, 16]}
  transform.named_sequence @match_6_conv_transpose3d_grouped_mlir_transpose_2x2x4x8x8x1024_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<2x2x4x8x8x1024xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<2x8x4x2x8x1024xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [2, 1, 2, 8, 8, 64], vector_common_parallel = [1, 1, 1, 1, 1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "x86_64/conv_transpose3d_grouped.mlir:transpose_2x2x4x8x8x1024_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // transpose_2x524288_f32: {"distribution": [2, 256], "vector_common_parallel": [16, 16]}
  transform.named_sequence @match_7_conv_transpose3d_grouped_mlir_transpose_2x524288_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<2x524288xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<524288x2xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [2, 256], vector_common_parallel = [16, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "x86_64/conv_transpose3d_grouped.mlir:transpose_2x524288_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // transpose_2x32x8x1056_f32: {"distribution": [2, 32, 8, 192], "vector_common_parallel": [1, 1, 1, 16]}
  transform.named_sequence @match_8_conv_transpose3d_grouped_mlir_transpose_2x32x8x1056_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<2x32x8x1056xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<2x8x32x1056xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [2, 32, 8, 192], vector_common_parallel = [1, 1, 1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "x86_64/conv_transpose3d_grouped.mlir:transpose_2x32x8x1056_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // generic_16x16x2x32x32_f32: {"distribution": [4, 16, 2, 32, 32], "vector_common_parallel": [1, 1, 1, 1, 16]}
  transform.named_sequence @match_9_conv_transpose3d_grouped_mlir_generic_16x16x2x32x32_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<16x16x32x33xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<16x16x2x32x32xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [4, 16, 2, 32, 32], vector_common_parallel = [1, 1, 1, 1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "x86_64/conv_transpose3d_grouped.mlir:generic_16x16x2x32x32_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  transform.named_sequence @__kernel_config(%variant: !transform.any_op {transform.consumed})
      -> !transform.any_op attributes {iree_codegen.tuning_spec_entrypoint} {
    %result = transform.foreach_match in %variant
        @match_0_conv_transpose3d_grouped_mlir_matmul_like_8x16x1024x32_f32 -> @apply_op_config,
        @match_1_conv_transpose3d_grouped_mlir_matmul_like_8x16x1024x64_f32 -> @apply_op_config,
        @match_2_conv_transpose3d_grouped_mlir_transpose_2x2x4x8x8x1056_f32 -> @apply_op_config,
        @match_3_conv_transpose3d_grouped_mlir_elementwise_transpose_2x2x32x8x4096_f32 -> @apply_op_config,
        @match_4_conv_transpose3d_grouped_mlir_transpose_2x16384x64_f32 -> @apply_op_config,
        @match_5_conv_transpose3d_grouped_mlir_transpose_32x2x8192_f32 -> @apply_op_config,
        @match_6_conv_transpose3d_grouped_mlir_transpose_2x2x4x8x8x1024_f32 -> @apply_op_config,
        @match_7_conv_transpose3d_grouped_mlir_transpose_2x524288_f32 -> @apply_op_config,
        @match_8_conv_transpose3d_grouped_mlir_transpose_2x32x8x1056_f32 -> @apply_op_config,
        @match_9_conv_transpose3d_grouped_mlir_generic_16x16x2x32x32_f32 -> @apply_op_config
      : (!transform.any_op) -> !transform.any_op
    transform.yield %result : !transform.any_op
  }
}
