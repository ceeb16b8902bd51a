// Shipped spec for benchmarks/models/conv2d_1x1_batch.py on znver5 (AMD Zen 5, full-width
// AVX-512), under cpu-default (znver5/conv2d_1x1_batch.toml): the tuner's winner (`doit run
// tune:conv2d_1x1_batch minutes=8`, 2 threads, 2026-12-02). What it changes: its batch matmul:
// 2 images x 256 output channels x 112 pixels per workgroup with a 16 x 16 register tile (the
// x86_64-avx512 spec, tuned on znver4: 4 x 64 x 112 with 8 x 16). Whole model against the build
// with the family defaults, one run: 8.76 -> 8.23 ms median, 10 alternating rounds, faster in
// 10. Each matcher is one dispatch's root op (op name and operand types).
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // matmul_like_16x512x784x256_f32: {"distribution": [2, 256, 112, 0], "vector_common_parallel": [1, 16, 16, 0], "vector_reduction": [0, 0, 0, 16]}
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
      lowering_config = #iree_cpu.lowering_config<distribution = [2, 256, 112, 0], vector_common_parallel = [1, 16, 16, 0], vector_reduction = [0, 0, 0, 16]>,
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
