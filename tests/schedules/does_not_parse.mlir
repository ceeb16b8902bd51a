// Test schedule with a syntax error on line 5 (an unknown transform op).
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%module: !transform.any_op {transform.readonly}) {
    %mm = transform.structured.match ops{["linalg.matmul"]} in %module : (!transform.any_op) -> !transform.any_op
    transform.structured.tile_everything %mm : !transform.any_op
    transform.yield
  }
}
