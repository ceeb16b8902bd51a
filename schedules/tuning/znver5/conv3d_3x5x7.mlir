// Shipped spec for benchmarks/models/conv3d_3x5x7.py on znver5 (AMD Zen 5, full-width AVX-512),
// under cpu-channels-last (znver5/conv3d_3x5x7.toml): the tuner's winner (`doit run
// tune:conv3d_3x5x7 minutes=6`, 2 threads, 2026-12-02). What it changes: the folded convolution
// keeps the x86_64-avx512 29 x 16 register tile with 4x the rows per workgroup; its two
// transposes get square 16 x 16 tiles. Whole model against the build with the family defaults,
// one run: 14.21 -> 12.65 ms median, 10 alternating rounds, faster in 8. Each matcher is one
// dispatch's root op (op name and operand types).
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // conv_28x60x58x64x5x7x9_f32: {"distribution": [2, 240, 58, 64, 0, 0, 0], "vector_common_parallel": [1, 1, 29, 16, 0, 0, 0], "vector_reduction": [0, 0, 0, 0, 1, 1, 3]}
  transform.named_sequence @match_0_conv3d_3x5x7_mlir_conv_28x60x58x64x5x7x9_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<28x64x64x9xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<5x7x9x64xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<28x60x58x64xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [2, 240, 58, 64, 0, 0, 0], vector_common_parallel = [1, 1, 29, 16, 0, 0, 0], vector_reduction = [0, 0, 0, 0, 1, 1, 3]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<ConvTileAndDecomposeExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv3d_3x5x7.mlir:conv_28x60x58x64x5x7x9_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // elementwise_transpose_2x48720x64_f32: {"distribution": [2, 96, 32], "vector_common_parallel": [1, 16, 16]}
  transform.named_sequence @match_1_conv3d_3x5x7_mlir_elementwise_transpose_2x48720x64_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<2x48720x64xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<64xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<2x64x48720xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [2, 96, 32], vector_common_parallel = [1, 16, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv3d_3x5x7.mlir:elementwise_transpose_2x48720x64_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // transpose_3x2x3x57344_f32: {"distribution": [3, 2, 3, 256], "vector_common_parallel": [1, 1, 16, 16]}
  transform.named_sequence @match_2_conv3d_3x5x7_mlir_transpose_3x2x3x57344_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<3x2x3x57344xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<2x57344x3x3xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [3, 2, 3, 256], vector_common_parallel = [1, 1, 16, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv3d_3x5x7.mlir:transpose_3x2x3x57344_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  transform.named_sequence @__kernel_config(%variant: !transform.any_op {transform.consumed})
      -> !transform.any_op attributes {iree_codegen.tuning_spec_entrypoint} {
    %result = transform.foreach_match in %variant
        @match_0_conv3d_3x5x7_mlir_conv_28x60x58x64x5x7x9_f32 -> @apply_op_config,
        @match_1_conv3d_3x5x7_mlir_elementwise_transpose_2x48720x64_f32 -> @apply_op_config,
        @match_2_conv3d_3x5x7_mlir_transpose_3x2x3x57344_f32 -> @apply_op_config
      : (!transform.any_op) -> !transform.any_op
    transform.yield %result : !transform.any_op
  }
}
