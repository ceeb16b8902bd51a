// Raw MLIR with several public functions (the entry is main), integer and i1 arguments and
// two results; the private helper is not a candidate.
func.func private @twice(%a: tensor<6xi32>) -> tensor<6xi32> {
  %0 = arith.addi %a, %a : tensor<6xi32>
  return %0 : tensor<6xi32>
}

func.func @other(%a: tensor<2xf32>) -> tensor<2xf32> {
  return %a : tensor<2xf32>
}

func.func @main(%a: tensor<6xi32>, %keep: tensor<6xi1>, %x: tensor<6xf32>)
    -> (tensor<6xi32>, tensor<6xf32>) {
  %doubled = call @twice(%a) : (tensor<6xi32>) -> tensor<6xi32>
  %zero = arith.constant dense<0.0> : tensor<6xf32>
  %kept = arith.select %keep, %x, %zero : tensor<6xi1>, tensor<6xf32>
  return %doubled, %kept : tensor<6xi32>, tensor<6xf32>
}
