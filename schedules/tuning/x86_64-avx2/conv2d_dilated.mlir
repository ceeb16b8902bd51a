// Shipped spec for benchmarks/models/conv2d_dilated.py on x86-64 with AVX2, under the pipeline
// cpu-channels-last-phases (the .toml beside it), which imports the dilated convolution as an
// undilated one over its 4 dilation phases (a batch of 4). Found by `doit run tune:conv2d_dilated
// iree_pipeline=cpu-channels-last-phases minutes=8` on znver3 (AVX2, no AVX-512; 2 threads,
// 2026-12-02): the convolution with a 2 x 16 register tile and 8-channel reductions, 0.38x of
// IREE's default time; its two transposes 0.86x and 0.52x. The whole model, timed interleaved
// with torch eager in one run: 3.23 ms, against 7.36 ms for cpu-channels-last without phases
// (the shipped choice before) and 3.77 ms for eager. Not measured on an AVX-512 machine.
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // conv_4x28x28x64x3x3x64_f32: {"distribution": [4, 7, 448, 64, 0, 0, 0], "vector_common_parallel": [1, 1, 2, 16, 0, 0, 0], "vector_reduction": [0, 0, 0, 0, 1, 1, 8]}
  transform.named_sequence @match_0_conv2d_dilated_mlir_conv_4x28x28x64x3x3x64_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<4x30x30x64xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<3x3x64x64xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<4x28x28x64xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [4, 7, 448, 64, 0, 0, 0], vector_common_parallel = [1, 1, 2, 16, 0, 0, 0], vector_reduction = [0, 0, 0, 0, 1, 1, 8]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<ConvTileAndDecomposeExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv2d_dilated.mlir:conv_4x28x28x64x3x3x64_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // transpose_64x30x2x30x2_f32: {"distribution": [16, 15, 2, 30, 8], "vector_common_parallel": [8, 1, 1, 1, 8]}
  transform.named_sequence @match_1_conv2d_dilated_mlir_transpose_64x30x2x30x2_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<64x30x2x30x2xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<2x2x30x30x64xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [16, 15, 2, 30, 8], vector_common_parallel = [8, 1, 1, 1, 8]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv2d_dilated.mlir:transpose_64x30x2x30x2_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // elementwise_transpose_2x2x28x28x64_f32: {"distribution": [2, 1, 7, 28, 128], "vector_common_parallel": [1, 1, 1, 1, 8]}
  transform.named_sequence @match_2_conv2d_dilated_mlir_elementwise_transpose_2x2x28x28x64_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<2x2x28x28x64xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<64xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<64x28x2x28x2xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [2, 1, 7, 28, 128], vector_common_parallel = [1, 1, 1, 1, 8]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv2d_dilated.mlir:elementwise_transpose_2x2x28x28x64_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  transform.named_sequence @__kernel_config(%variant: !transform.any_op {transform.consumed})
      -> !transform.any_op attributes {iree_codegen.tuning_spec_entrypoint} {
    %result = transform.foreach_match in %variant
        @match_0_conv2d_dilated_mlir_conv_4x28x28x64x3x3x64_f32 -> @apply_op_config,
        @match_1_conv2d_dilated_mlir_transpose_64x30x2x30x2_f32 -> @apply_op_config,
        @match_2_conv2d_dilated_mlir_elementwise_transpose_2x2x28x28x64_f32 -> @apply_op_config
      : (!transform.any_op) -> !transform.any_op
    transform.yield %result : !transform.any_op
  }
}
