// Shipped spec for benchmarks/models/conv3d_3x5x7.py on x86-64 with AVX2 (8-wide vectors; see the
// AVX-512 one for the model). A 2 x 32 register tile (8 accumulators of 8 lanes) with 3-channel
// reductions: compiled for haswell and run on a znver4 machine (2 threads, 2026-11-30), the whole
// model 67.2 -> 23.4 ms against IREE's default tile; 2 x 64 gave 44 ms. Not measured on a
// machine without AVX-512.
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // conv_28x60x58x64x5x7x9_f32: {"distribution": [2, 60, 58, 64, 0, 0, 0], "vector_common_parallel": [1, 1, 2, 32, 0, 0, 0], "vector_reduction": [0, 0, 0, 0, 1, 1, 3]}
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
      lowering_config = #iree_cpu.lowering_config<distribution = [2, 60, 58, 64, 0, 0, 0], vector_common_parallel = [1, 1, 2, 32, 0, 0, 0], vector_reduction = [0, 0, 0, 0, 1, 1, 3]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<ConvTileAndDecomposeExpert>>> -> !transform.any_param
    %name = transform.param.constant "conv3d_3x5x7.mlir:conv_28x60x58x64x5x7x9_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  transform.named_sequence @__kernel_config(%variant: !transform.any_op {transform.consumed})
      -> !transform.any_op attributes {iree_codegen.tuning_spec_entrypoint} {
    %result = transform.foreach_match in %variant
        @match_0_conv3d_3x5x7_mlir_conv_28x60x58x64x5x7x9_f32 -> @apply_op_config
      : (!transform.any_op) -> !transform.any_op
    transform.yield %result : !transform.any_op
  }
}
