"""JAX models (integrator/ingress/from_jax.py): found by their source, exported as StableHLO,
compiled, checked against jax.jit and benched beside it; a broken JAX file fails alone, with
a clear error; without jax installed, JAX models are skipped, not failed."""

import importlib.util
import json

import pytest

from integrator.ingress import models as model_files

needs_jax = pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                               reason="jax is not installed (pip install -e '.[jax]')")

BROKEN = '''
import jax.numpy as jnp

def get_params():
    return {"w": jnp.ones((4, 3))}

def get_inputs():
    return [jnp.ones((2, 5))]

def forward(params, x):
    return x @ params["w"]  # 5 != 4: fails when traced
'''


@needs_jax
def test_jax_models_build_check_and_bench_beside_jax_jit(make_project):
    project = make_project("jax_mlp", "jax_cnn", "kb_softmax").only_baselines("torch_eager", "jax_jit")
    project.write_model("jax_broken", BROKEN)
    run = project.doit("run", "--continue", "check", "bench:jax_mlp")
    assert run.returncode != 0  # jax_broken
    assert "import:jax_broken" in run.errors
    error = run.errors["import:jax_broken"]
    assert "jax_broken" in error and "jax.export failed" in error, error
    for name in ("jax_mlp", "jax_cnn", "kb_softmax"):
        check = json.loads((project.cache / name / "check.json").read_text())
        assert check["verdict"] == "pass", (name, check)
    record = json.loads((project.cache / "jax_cnn" / "import.json").read_text())
    assert (record["format"], record["reference"]) == ("jax", "jax.jit (CPU)")
    assert record["flops"] and record["parameters"] == 16 * 27 + 16 + 32 * 144 + 32 + 320 + 10
    bench = json.loads((project.cache / "jax_mlp" / "bench.json").read_text())
    assert set(bench["systems"]) == {"iree", "jax_jit"} and bench["baseline"] == "jax_jit"
    assert bench["systems"]["jax_jit"]["median_ms"] > 0


def test_a_py_file_is_a_jax_model_by_its_source(tmp_path):
    jax_file = tmp_path / "a.py"
    jax_file.write_text("import jax\n\ndef get_params():\n    return []\n")
    torch_file = tmp_path / "b.py"
    torch_file.write_text("import torch\nimport jax  # used, but no get_params\n\nclass Model: ...\n")
    assert model_files.format_of(jax_file) == "jax"
    assert model_files.format_of(torch_file) == "torch"


def test_without_jax_a_jax_model_is_skipped_with_the_extra_named(tmp_path, monkeypatch):
    (tmp_path / "m.py").write_text("import jax\n\ndef get_params():\n    return []\n")
    real = importlib.util.find_spec
    monkeypatch.setattr(model_files.importlib.util, "find_spec",
                        lambda name, *a: None if name == "jax" else real(name, *a))
    [model] = model_files.discover([tmp_path])
    assert model.format == "jax" and model.missing == ("jax",)
    assert model.skip_reason == "needs jax, which is not installed (pip install -e '.[jax]')"
