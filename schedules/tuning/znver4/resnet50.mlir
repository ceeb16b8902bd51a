// Shipped tuning specs for ResNet-50 (models/resnet50.py) on znver4 (AVX-512), 2 threads.
// Found by `doit run tune:resnet50 minutes=25` on 2026-11-22 (379 trials) under the
// cpu-early-dt pipeline (see resnet50.toml), where the data-tiled matmuls are linalg.mmt4d
// when specs apply. Each matcher is one dispatch's root op (op name and operand types); each
// configuration was timed alone against IREE's default for that dispatch (0.65x-0.94x), the
// whole model was checked against PyTorch, and every spec was seen to apply
// (`doit run dispatches:resnet50`). On the whole model the gain is within this machine's
// noise (57.1 -> 56.5 ms, 0.99x, fastest-of-round medians); see the README's Tuning section.
module attributes {transform.with_named_sequence, iree_codegen.tuning_spec_with_default_entrypoint} {
  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},
      %config: !transform.any_param {transform.readonly},
      %name: !transform.any_param {transform.readonly}) {
    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param
    transform.annotate %op "integrator.spec" = %name : !transform.any_op, !transform.any_param
    transform.yield
  }
  // mmt4d_13x16x1024x16x16x1_f32: {"distribution": [2, 1, 0, 0, 0, 0], "vector_common_parallel": [1, 1, 0, 16, 16, 0], "vector_reduction": [0, 0, 1, 0, 0, 1]}
  transform.named_sequence @match_0_resnet50_mlir_mmt4d_13x16x1024x16x16x1_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.mmt4d"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<13x1024x16x1xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<16x1024x16x1xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<13x16x16x16xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [2, 1, 0, 0, 0, 0], vector_common_parallel = [1, 1, 0, 16, 16, 0], vector_reduction = [0, 0, 1, 0, 0, 1]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<Mmt4dTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "resnet50.mlir:mmt4d_13x16x1024x16x16x1_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // generic_64x3x3x56x56_f32: {"distribution": [16, 6, 3, 28, 16], "vector_common_parallel": [1, 1, 1, 1, 16]}
  transform.named_sequence @match_1_resnet50_mlir_generic_64x3x3x56x56_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<64x58x58xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<64x3x3x56x56xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [16, 6, 3, 28, 16], vector_common_parallel = [1, 1, 1, 1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "resnet50.mlir:generic_64x3x3x56x56_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // mmt4d_32x49x128x16x16x1_f32: {"distribution": [16, 7, 0, 0, 0, 0], "vector_common_parallel": [1, 1, 0, 16, 16, 0], "vector_reduction": [0, 0, 1, 0, 0, 1]}
  transform.named_sequence @match_2_resnet50_mlir_mmt4d_32x49x128x16x16x1_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.mmt4d"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<32x128x16x1xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<49x128x16x1xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<32x49x16x16xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [16, 7, 0, 0, 0, 0], vector_common_parallel = [1, 1, 0, 16, 16, 0], vector_reduction = [0, 0, 1, 0, 0, 1]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<Mmt4dTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "resnet50.mlir:mmt4d_32x49x128x16x16x1_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // mmt4d_16x196x64x16x16x1_f32: {"distribution": [16, 14, 0, 0, 0, 0], "vector_common_parallel": [1, 1, 0, 16, 16, 0], "vector_reduction": [0, 0, 1, 0, 0, 1]}
  transform.named_sequence @match_3_resnet50_mlir_mmt4d_16x196x64x16x16x1_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.mmt4d"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<16x64x16x1xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<196x64x16x1xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<16x196x16x16xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [16, 14, 0, 0, 0, 0], vector_common_parallel = [1, 1, 0, 16, 16, 0], vector_reduction = [0, 0, 1, 0, 0, 1]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<Mmt4dTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "resnet50.mlir:mmt4d_16x196x64x16x16x1_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // mmt4d_4x128x512x16x16x1_f32: {"distribution": [4, 1, 0, 0, 0, 0], "vector_common_parallel": [1, 1, 0, 16, 16, 0], "vector_reduction": [0, 0, 1, 0, 0, 1]}
  transform.named_sequence @match_4_resnet50_mlir_mmt4d_4x128x512x16x16x1_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.mmt4d"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<4x512x16x1xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<128x512x16x1xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<4x128x16x16xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [4, 1, 0, 0, 0, 0], vector_common_parallel = [1, 1, 0, 16, 16, 0], vector_reduction = [0, 0, 1, 0, 0, 1]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<Mmt4dTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "resnet50.mlir:mmt4d_4x128x512x16x16x1_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // mmt4d_4x128x1024x16x16x1_f32: {"distribution": [4, 1, 0, 0, 0, 0], "vector_common_parallel": [1, 1, 0, 16, 16, 0], "vector_reduction": [0, 0, 4, 0, 0, 1]}
  transform.named_sequence @match_5_resnet50_mlir_mmt4d_4x128x1024x16x16x1_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.mmt4d"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<4x1024x16x1xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<128x1024x16x1xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<4x128x16x16xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [4, 1, 0, 0, 0, 0], vector_common_parallel = [1, 1, 0, 16, 16, 0], vector_reduction = [0, 0, 4, 0, 0, 1]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<Mmt4dTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "resnet50.mlir:mmt4d_4x128x1024x16x16x1_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // generic_128x3x3x28x28_f32: {"distribution": [16, 2, 3, 28, 16], "vector_common_parallel": [1, 1, 1, 1, 16]}
  transform.named_sequence @match_6_resnet50_mlir_generic_128x3x3x28x28_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<128x30x30xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<128x3x3x28x28xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [16, 2, 3, 28, 16], vector_common_parallel = [1, 1, 1, 1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "resnet50.mlir:generic_128x3x3x28x28_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // mmt4d_4x196x256x16x16x1_f32: {"distribution": [1, 7, 0, 0, 0, 0], "vector_common_parallel": [1, 1, 0, 16, 16, 0], "vector_reduction": [0, 0, 1, 0, 0, 1]}
  transform.named_sequence @match_7_resnet50_mlir_mmt4d_4x196x256x16x16x1_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.mmt4d"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<4x256x16x1xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<196x256x16x1xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<4x196x16x16xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [1, 7, 0, 0, 0, 0], vector_common_parallel = [1, 1, 0, 16, 16, 0], vector_reduction = [0, 0, 1, 0, 0, 1]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<Mmt4dTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "resnet50.mlir:mmt4d_4x196x256x16x16x1_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // mmt4d_8x196x256x16x16x1_f32: {"distribution": [1, 7, 0, 0, 0, 0], "vector_common_parallel": [1, 1, 0, 16, 16, 0], "vector_reduction": [0, 0, 1, 0, 0, 1]}
  transform.named_sequence @match_8_resnet50_mlir_mmt4d_8x196x256x16x16x1_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.mmt4d"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<8x256x16x1xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<196x256x16x1xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<8x196x16x16xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [1, 7, 0, 0, 0, 0], vector_common_parallel = [1, 1, 0, 16, 16, 0], vector_reduction = [0, 0, 1, 0, 0, 1]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<Mmt4dTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "resnet50.mlir:mmt4d_8x196x256x16x16x1_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // mmt4d_32x49x256x16x16x1_f32: {"distribution": [2, 14, 0, 0, 0, 0], "vector_common_parallel": [1, 1, 0, 16, 16, 0], "vector_reduction": [0, 0, 1, 0, 0, 1]}
  transform.named_sequence @match_9_resnet50_mlir_mmt4d_32x49x256x16x16x1_f32(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.mmt4d"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<32x256x16x1xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<49x256x16x1xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<32x49x16x16xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [2, 14, 0, 0, 0, 0], vector_common_parallel = [1, 1, 0, 16, 16, 0], vector_reduction = [0, 0, 1, 0, 0, 1]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<Mmt4dTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "resnet50.mlir:mmt4d_32x49x256x16x16x1_f32" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // unpack_elementwise_256x3136_f32_pack: {"distribution": [256, 64], "vector_common_parallel": [1, 16]}
  transform.named_sequence @match_10_resnet50_mlir_unpack_elementwise_256x3136_f32_pack(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<256x3136xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<256xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<256xf32> : !transform.any_value
    %operand3 = transform.get_operand %root[3] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand3 = tensor<256xf32> : !transform.any_value
    %operand4 = transform.get_operand %root[4] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand4 = tensor<256xf32> : !transform.any_value
    %operand5 = transform.get_operand %root[5] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand5 = tensor<256x3136xf32> : !transform.any_value
    %operand6 = transform.get_operand %root[6] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand6 = tensor<256x3136xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [256, 64], vector_common_parallel = [1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "resnet50.mlir:unpack_elementwise_256x3136_f32_pack" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  // unpack_elementwise_512x784_f32_pack: {"distribution": [1024, 16], "vector_common_parallel": [1, 16]}
  transform.named_sequence @match_11_resnet50_mlir_unpack_elementwise_512x784_f32_pack(%root: !transform.any_op {transform.readonly})
      -> (!transform.any_op, !transform.any_param, !transform.any_param) {
    transform.match.operation_name %root ["linalg.generic"] : !transform.any_op
    %operand0 = transform.get_operand %root[0] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand0 = tensor<512x784xf32> : !transform.any_value
    %operand1 = transform.get_operand %root[1] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand1 = tensor<512xf32> : !transform.any_value
    %operand2 = transform.get_operand %root[2] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand2 = tensor<512xf32> : !transform.any_value
    %operand3 = transform.get_operand %root[3] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand3 = tensor<512xf32> : !transform.any_value
    %operand4 = transform.get_operand %root[4] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand4 = tensor<512xf32> : !transform.any_value
    %operand5 = transform.get_operand %root[5] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand5 = tensor<512x784xf32> : !transform.any_value
    %operand6 = transform.get_operand %root[6] : (!transform.any_op) -> !transform.any_value
    transform.iree.match.cast_compatible_type %operand6 = tensor<512x784xf32> : !transform.any_value
    %config = transform.param.constant #iree_codegen.compilation_info<
      lowering_config = #iree_cpu.lowering_config<distribution = [1024, 16], vector_common_parallel = [1, 16]>,
      translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>> -> !transform.any_param
    %name = transform.param.constant "resnet50.mlir:unpack_elementwise_512x784_f32_pack" -> !transform.any_param
    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param
  }
  transform.named_sequence @__kernel_config(%variant: !transform.any_op {transform.consumed})
      -> !transform.any_op attributes {iree_codegen.tuning_spec_entrypoint} {
    %result = transform.foreach_match in %variant
        @match_0_resnet50_mlir_mmt4d_13x16x1024x16x16x1_f32 -> @apply_op_config,
        @match_1_resnet50_mlir_generic_64x3x3x56x56_f32 -> @apply_op_config,
        @match_2_resnet50_mlir_mmt4d_32x49x128x16x16x1_f32 -> @apply_op_config,
        @match_3_resnet50_mlir_mmt4d_16x196x64x16x16x1_f32 -> @apply_op_config,
        @match_4_resnet50_mlir_mmt4d_4x128x512x16x16x1_f32 -> @apply_op_config,
        @match_5_resnet50_mlir_mmt4d_4x128x1024x16x16x1_f32 -> @apply_op_config,
        @match_6_resnet50_mlir_generic_128x3x3x28x28_f32 -> @apply_op_config,
        @match_7_resnet50_mlir_mmt4d_4x196x256x16x16x1_f32 -> @apply_op_config,
        @match_8_resnet50_mlir_mmt4d_8x196x256x16x16x1_f32 -> @apply_op_config,
        @match_9_resnet50_mlir_mmt4d_32x49x256x16x16x1_f32 -> @apply_op_config,
        @match_10_resnet50_mlir_unpack_elementwise_256x3136_f32_pack -> @apply_op_config,
        @match_11_resnet50_mlir_unpack_elementwise_512x784_f32_pack -> @apply_op_config
      : (!transform.any_op) -> !transform.any_op
    transform.yield %result : !transform.any_op
  }
}
