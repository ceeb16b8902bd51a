// A raw MLIR workload: y = relu(x @ w + b) on linalg, 64x256 @ 256x128.
// Inputs are made from this signature (seeded); there is no framework reference.
func.func @matmul_relu(%x: tensor<64x256xf32>, %w: tensor<256x128xf32>, %b: tensor<128xf32>)
    -> tensor<64x128xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<64x128xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<64x128xf32>) -> tensor<64x128xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<64x256xf32>, tensor<256x128xf32>)
                      outs(%acc : tensor<64x128xf32>) -> tensor<64x128xf32>
  %y = linalg.generic {
      indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>,
                       affine_map<(i, j) -> (i, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%mm, %b : tensor<64x128xf32>, tensor<128xf32>) outs(%empty : tensor<64x128xf32>) {
    ^bb0(%m: f32, %bias: f32, %out: f32):
      %sum = arith.addf %m, %bias : f32
      %relu = arith.maximumf %sum, %zero : f32
      linalg.yield %relu : f32
  } -> tensor<64x128xf32>
  return %y : tensor<64x128xf32>
}
