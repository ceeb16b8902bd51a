// Test schedule that parses and verifies but fails on the payload: interchange applies to
// linalg.generic only, so the interpreter refuses it on a named linalg.matmul.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%module: !transform.any_op {transform.readonly}) {
    %mm = transform.structured.match ops{["linalg.matmul"]} in %module : (!transform.any_op) -> !transform.any_op
    transform.structured.interchange %mm iterator_interchange = [1, 0] : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}
