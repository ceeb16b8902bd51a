"""Every kind of model through import -> compile -> check in one doit run (real tools).

KernelBench-style problems of every shape (tests/models/kb_*.py), ONNX files (the shipped one
and others built here with the onnx package) and raw MLIR (shipped and tests/models/mlir_*).
"""

import json

import numpy as np
import pytest

import onnx_models
from conftest import TEST_MODELS, TempProject

KERNELBENCH = sorted(p.stem for p in TEST_MODELS.glob("kb_*.py"))
ONNX = ["tiny_cnn", "embed_matmul", "where_two_outputs"]
MLIR = ["matmul_relu", "mlir_multi", "mlir_torch"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One project holding every model, checked with one `doit run -n 2 check`."""
    root = tmp_path_factory.mktemp("ingress") / "project"
    root.mkdir()
    project = TempProject(root, KERNELBENCH + ["tiny_cnn", "matmul_relu", "mlir_multi", "mlir_torch"])
    onnx_models.embed_matmul(root / "models" / "embed_matmul.onnx")
    onnx_models.where_two_outputs(root / "models" / "where_two_outputs.onnx")
    run = project.doit("run", "-n", "2", "--continue", "check")
    return project, run


def _json(project, model, name):
    return json.loads((project.cache / model / name).read_text())


@pytest.mark.parametrize("model", KERNELBENCH + ONNX)
def test_problem_passes_its_check(built, model):
    project, run = built
    assert run.results.get(f"check:{model}") == "success", run.errors
    check = _json(project, model, "check.json")
    assert check["verdict"] == "pass" and check["passed"]
    reference = _json(project, model, "import.json")["reference"]
    assert check["reference"] == reference
    assert f"passed against {reference}" in run.outputs[f"check:{model}"]
    assert project.cache.joinpath(model, "import.mlirbc").read_bytes()[:4] == b"ML\xefR"  # bytecode


@pytest.mark.parametrize("model", MLIR)
def test_raw_mlir_says_it_has_no_reference(built, model):
    project, run = built
    assert run.results.get(f"check:{model}") == "success", run.errors
    check = _json(project, model, "check.json")
    assert check["verdict"] == "no-reference" and check["passed"] is None
    assert "no framework reference" in check["reason"]
    assert all(o["finite"] for o in check["outputs"])
    assert "NO REFERENCE" in run.outputs[f"check:{model}"]
    assert not any(k.startswith("output_") for k in np.load(project.cache / model / "reference.npz"))


def test_non_tensor_arguments_are_baked_in(built):
    project, _ = built
    info = _json(project, "kb_scalars", "import.json")
    assert info["inputs"] == [{"shape": [32, 64], "dtype": "float32"}]
    assert [c["constant"] for c in info["constant_inputs"]] == ["3.0", "-1", "True", "None"]
    # A list argument flattens into the compiled function's inputs, in order.
    assert [i["shape"] for i in _json(project, "kb_list_input", "import.json")["inputs"]] == [
        [3, 4], [3, 2], [3, 5], [3, 11]]


def test_integer_and_boolean_tensors_keep_their_types(built):
    project, _ = built
    index = _json(project, "kb_index", "import.json")
    assert [i["dtype"] for i in index["inputs"]] == ["int64"] * 3
    assert [o["dtype"] for o in index["outputs"]] == ["float32", "float32", "int64"]
    mask = _json(project, "kb_bool_mask", "import.json")
    assert [i["dtype"] for i in mask["inputs"]] == ["float32", "bool"]
    assert _json(project, "kb_bool_mask", "check.json")["outputs"][1]["dtype"] == "bool"
    assert [o["dtype"] for o in _json(project, "kb_int_arith", "check.json")["outputs"]] == [
        "int32", "int32", "int64"]


def test_input_modified_in_place_is_checked_too(built):
    project, _ = built
    outputs = _json(project, "kb_inplace_input", "import.json")["outputs"]
    assert [o["role"] for o in outputs] == ["input 0 after forward()", "output"]
    assert len(_json(project, "kb_inplace_input", "check.json")["outputs"]) == 2


def test_onnx_inputs_follow_the_graph_and_its_settings(built):
    project, _ = built
    tiny = _json(project, "tiny_cnn", "import.json")
    assert tiny["inputs"] == [{"name": "image", "shape": [1, 3, 32, 32], "dtype": "float32"}]
    assert tiny["entry"] == "tiny_cnn" and tiny["parameters"] == 1562
    assert tiny["flops"] == 2 * (8 * 32 * 32 * 27 + 16 * 16 * 16 * 72 + 10 * 16)
    embed = _json(project, "embed_matmul", "import.json")
    assert [(i["name"], i["shape"], i["dtype"]) for i in embed["inputs"]] == [
        ("ids", [2, 5], "int64"), ("x", [2, 5, 16], "float32")]
    ids = np.load(project.cache / "embed_matmul" / "reference.npz")["input_0"]
    assert ids.min() >= 0 and ids.max() < 20 and len(np.unique(ids)) > 2  # int-range = [0, 20]
    where = _json(project, "where_two_outputs", "import.json")
    assert where["opset"] == 17  # upgraded from 13
    assert [i["shape"] for i in where["inputs"]] == [[3, 4], [3, 4], [3, 4]]
    assert [o["name"] for o in where["outputs"]] == ["picked", "row_sums"]


def test_mlir_entry_is_main_among_several_public_functions(built):
    project, _ = built
    info = _json(project, "mlir_multi", "import.json")
    assert info["entry"] == "main"
    assert [i["dtype"] for i in info["inputs"]] == ["int32", "bool", "float32"]
    assert _json(project, "mlir_torch", "import.json")["entry"] == "forward"


def test_catalogue_lists_every_model(built):
    project, _ = built
    listing = project.integrator("models")
    assert listing.returncode == 0, listing.stderr
    lines = {line.split()[0]: line for line in listing.stdout.splitlines()[2:] if line.strip()}
    for model in KERNELBENCH + ONNX + MLIR:
        assert model in lines, listing.stdout
    assert "f32[32,64] 3.0 (baked in)" in lines["kb_scalars"]
    assert "onnx" in lines["tiny_cnn"] and "1,562" in lines["tiny_cnn"]
    assert "built (no reference)" in lines["matmul_relu"]
    rows = {r["model"]: r for r in json.loads(project.integrator("models", "--json").stdout)}
    assert rows["kb_matmul"]["states"] == {
        "import": "built", "schedule": "built", "compile": "built", "check": "built",
        "bench": "not built"}
    assert rows["kb_matmul"]["flops"] == 2 * 64 * 128 * 32
    assert rows["kb_softmax"]["parameters"] == 0
    assert rows["embed_matmul"]["format"] == "onnx" and rows["mlir_torch"]["format"] == "mlir"


def test_the_import_record_names_the_decompositions_that_applied(built):
    project, _ = built
    assert _json(project, "kb_recurrent", "import.json")["decomposed"] == [
        "aten.gru.input", "aten.lstm.input", "aten.rnn_relu.input"]
    assert _json(project, "kb_logsumexp_keepdim", "import.json")["decomposed"] == ["aten.logsumexp.default"]
    assert _json(project, "kb_fft_abs", "import.json")["decomposed"] == ["aten.abs.default"]
    assert _json(project, "kb_matmul", "import.json")["decomposed"] == []
