// Shipped spec for benchmarks/models/conv1d_long.py on emeraldrapids (Intel Xeon, 5th
// generation), under cpu-channels-last (emeraldrapids/conv1d_long.toml): the tuner's winner
// (`doit run tune:conv1d_long minutes=6`, 2 threads, 2026-12-01, dispatches timed on written
// buffers). Its one-dimensional channels-last convolution gets 8 x 32 register tiles with a
// reduction step of 1 (the x86_64 spec's 8 x 16 with a 16-wide reduction was tuned on znver4),
// and its transpose 32 x 32 workgroups. Tuner's alternating rounds: 23.6 -> 18.6 ms; 8
// interleaved rounds against the x86_64 spec: 28.9 -> 19.4 ms median (onnxruntime 27.4).
// Checked against torch by check:conv1d_long.
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // conv_8x4096x64x31x32_f32: {"distribution": [8, 32, 32, 0, 0], "vector_common_parallel": [1, 8, 32, 0, 0], "vector_reduction": [0, 0, 0, 1, 1]}
  transform.named_sequence @match_0_conv1d_long_mlir_conv_8x4096x64x31x32_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<8x4126x32xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<31x32x64xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<8x4096x64xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [8, 32, 32, 0, 0], vector_common_parallel = [1, 8, 32, 0, 0], vector_reduction = [0, 0, 0, 1, 1]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv1d_long.mlir:conv_8x4096x64x31x32_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // transpose_8x32x4096_f32: {"distribution": [8, 32, 32], "vector_common_parallel": [1, 16, 16]}
  transform.named_sequence @match_1_conv1d_long_mlir_transpose_8x32x4096_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<8x32x4096xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<8x4096x32xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [8, 32, 32], vector_common_parallel = [1, 16, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv1d_long.mlir:transpose_8x32x4096_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  transform.named_sequence @__kernel_config(%variant: !transform.any_op {transform.consumed})
      -> !transform.any_op attributes {iree_codegen.tuning_spec_entrypoint} {
    %result = transform.foreach_match in %variant
        @match_0_conv1d_long_mlir_conv_8x4096x64x31x32_f32 -> @apply_op_config,
        @match_1_conv1d_long_mlir_transpose_8x32x4096_f32 -> @apply_op_config
      : (!transform.any_op) -> !transform.any_op
    transform.yield %result : !transform.any_op
  }
}
