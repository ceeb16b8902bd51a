// Shipped spec for benchmarks/models/conv2d_1x1_batch.py on x86-64 with AVX-512, under its
// cpu-default (x86_64/conv2d_1x1_batch.toml). im2col makes the pointwise convolution a matmul
// (out channels x pixels per image, k = 256) that IREE leaves undata-tiled, with distribution
// tiles 16 x 64 x 56; 4 images x 64 channels x 112 pixels per workgroup (8 x 16 register tile,
// 16-wide reductions as IREE chose) took the model 30.0 -> 19.2 ms (znver4, 2 threads,
// 2026-11-30). The bench, alternating with the channels-last build and its tuned 16 x 16 tile,
// twice each: 18.8 and 18.5 ms (1.06x, 1.07x torch eager) against 22.4 and 22.4 ms (1.18x,
// 1.16x), which was also bimodal within a run. Checked against torch by check:conv2d_1x1_batch.
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // matmul_like_16x512x784x256_f32: {"distribution": [4, 64, 112, 0], "vector_common_parallel": [1, 8, 16, 0], "vector_reduction": [0, 0, 0, 16]}
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
      lowering_config = #iree_cpu.lowering_config<distribution = [4, 64, 112, 0], vector_common_parallel = [1, 8, 16, 0], vector_reduction = [0, 0, 0, 16]>,
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
