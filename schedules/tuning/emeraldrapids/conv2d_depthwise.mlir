// Shipped spec for benchmarks/models/conv2d_depthwise.py on emeraldrapids (Intel Xeon, 5th
// generation), under cpu-default (emeraldrapids/conv2d_depthwise.toml). From
// `doit run tune:conv2d_depthwise minutes=6` (2 threads, 2026-12-01), the first run whose
// dispatch search climbs past the neighbours of IREE's configuration. The x86_64-avx512 spec's
// transpose (tuned on znver4: 64 channels x all 56 rows per workgroup) took 0.66 ms here, IREE's
// own 0.44; 64 channels x 14 rows with 16 x 16 vector tiles, 0.89x of that. The depthwise
// convolution gets 7 rows x 128 channels per workgroup (0.60x of IREE's). Whole model, timed in
// one batch by the tuner: 1.033 -> 0.804 ms; `doit run bench:conv2d_depthwise` then: 0.98x torch
// eager (was 1.28x). Checked against torch by check:conv2d_depthwise.
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // transpose_4x128x56x56_f32: {"distribution": [1, 64, 14, 56], "vector_common_parallel": [1, 16, 1, 16]}
  transform.named_sequence @match_0_conv2d_depthwise_mlir_transpose_4x128x56x56_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<4x128x56x56xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<4x56x56x128xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [1, 64, 14, 56], vector_common_parallel = [1, 16, 1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv2d_depthwise.mlir:transpose_4x128x56x56_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // conv_4x28x28x128x3x3_f32: {"distribution": [1, 7, 112, 128, 0, 0], "vector_common_parallel": [1, 1, 4, 64, 0, 0], "vector_reduction": [0, 0, 0, 0, 1, 3]}
  transform.named_sequence @match_1_conv2d_depthwise_mlir_conv_4x28x28x128x3x3_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<4x58x58x128xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<3x3x128xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<4x28x28x128xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [1, 7, 112, 128, 0, 0], vector_common_parallel = [1, 1, 4, 64, 0, 0], vector_reduction = [0, 0, 0, 0, 1, 3]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<ConvTileAndDecomposeExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv2d_depthwise.mlir:conv_4x28x28x128x3x3_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  transform.named_sequence @__kernel_config(%variant: !transform.any_op {transform.consumed})
      -> !transform.any_op attributes {iree_codegen.tuning_spec_entrypoint} {
    %result = transform.foreach_match in %variant
        @match_0_conv2d_depthwise_mlir_transpose_4x128x56x56_f32 -> @apply_op_config,
        @match_1_conv2d_depthwise_mlir_conv_4x28x28x128x3x3_f32 -> @apply_op_config
      : (!transform.any_op) -> !transform.any_op
    transform.yield %result : !transform.any_op
  }
}
