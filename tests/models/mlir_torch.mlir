// Raw MLIR in torch dialect (as torch-mlir writes it): inputs from !torch.vtensor types.
func.func @forward(%x: !torch.vtensor<[4,8],f32>, %w: !torch.vtensor<[8,3],f32>)
    -> !torch.vtensor<[4,3],f32> {
  %0 = torch.aten.mm %x, %w : !torch.vtensor<[4,8],f32>, !torch.vtensor<[8,3],f32> -> !torch.vtensor<[4,3],f32>
  %1 = torch.aten.tanh %0 : !torch.vtensor<[4,3],f32> -> !torch.vtensor<[4,3],f32>
  return %1 : !torch.vtensor<[4,3],f32>
}
