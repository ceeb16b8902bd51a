// Shipped spec for benchmarks/models/conv1d_long.py on x86-64: the tuner's winner
// (`doit run tune:conv1d_long`, znver4, 2 threads, 2026-11-30) for the one-dimensional
// channels-last convolution IREE 3.13 makes of it under cpu-channels-last. IREE's own
// configuration (1 x 8 register tile, 16-wide reduction) runs it at 30 GFLOP/s; this one
// (8 x 16, from the tuner's register-tile candidates) at 210: 139 -> 19.6 ms on znver4, and
// 139 -> 40 ms compiled for haswell (AVX2) and run on the same machine, so it ships for the
// family. It matches this convolution's exact operand types only.
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // conv_8x4096x64x31x32_f32: {"distribution": [8, 32, 32, 0, 0], "vector_common_parallel": [1, 8, 16, 0, 0], "vector_reduction": [0, 0, 0, 1, 16]}
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
      lowering_config = #iree_cpu.lowering_config<distribution = [8, 32, 32, 0, 0], vector_common_parallel = [1, 8, 16, 0, 0], vector_reduction = [0, 0, 0, 1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "x86_64/conv1d_long.mlir:conv_8x4096x64x31x32_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  transform.named_sequence @__kernel_config(%variant: !transform.any_op {transform.consumed})
      -> !transform.any_op attributes {iree_codegen.tuning_spec_entrypoint} {
    %result = transform.foreach_match in %variant
        @match_0_conv1d_long_mlir_conv_8x4096x64x31x32_f32 -> @apply_op_config
      : (!transform.any_op) -> !transform.any_op
    transform.yield %result : !transform.any_op
  }
}
