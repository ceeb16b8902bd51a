// Shipped spec for benchmarks/models/conv2d_1x1_batch.py on x86-64 with AVX-512: the tuner's
// winner (`doit run tune:conv2d_1x1_batch minutes=8`, znver4, 2 threads, 2026-11-30, under the
// model's shipped cpu-channels-last): a 16x16 register tile for the pointwise convolution's
// matmul, which transposes well into the NCHW output. The whole model 25.8 -> 20.5 ms in the
// tuner's run; interleaved with torch eager (5 rounds): 19.7 ms against 18.6 ms (1.06x).
// Compiled for haswell (AVX2) it times the same as IREE's default (36 ms), so it ships only
// for AVX-512. The matcher names the dispatch's exact operand types.
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // matmul_like_16x784x512x256_f32: {"distribution": [16, 16, 64, 0], "vector_common_parallel": [1, 16, 16, 0], "vector_reduction": [0, 0, 0, 1]}
  transform.named_sequence @match_0_conv2d_1x1_batch_mlir_matmul_like_16x784x512x256_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<16x256x784xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<512x256xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<16x784x512xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [16, 16, 64, 0], vector_common_parallel = [1, 16, 16, 0], vector_reduction = [0, 0, 0, 1]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv2d_1x1_batch.mlir:matmul_like_16x784x512x256_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  transform.named_sequence @__kernel_config(%variant: !transform.any_op {transform.consumed})
      -> !transform.any_op attributes {iree_codegen.tuning_spec_entrypoint} {
    %result = transform.foreach_match in %variant
        @match_0_conv2d_1x1_batch_mlir_matmul_like_16x784x512x256_f32 -> @apply_op_config
      : (!transform.any_op) -> !transform.any_op
    transform.yield %result : !transform.any_op
  }
}
