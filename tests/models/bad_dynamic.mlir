// Test model whose entry takes a dynamically shaped tensor: no inputs can be made for it.
func.func @f(%a: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %a : tensor<?x4xf32>
}
