"""Hugging Face architectures built from a config (the optional `hf` extra), and how a model
whose requirement is missing is skipped."""

import importlib.util
import json

import pytest

from conftest import chain


@pytest.mark.skipif(importlib.util.find_spec("transformers") is None,
                    reason="transformers is not installed (pip install -e '.[hf]')")
def test_bert_and_gpt2_pass_their_checks(make_project):
    project = make_project("bert_tiny", "gpt2_tiny")
    run = project.doit("run", "-n", "2", "check")
    assert run.returncode == 0, run.stderr
    for model in ("bert_tiny", "gpt2_tiny"):
        check = json.loads((project.cache / model / "check.json").read_text())
        assert check["verdict"] == "pass", check
    bert = json.loads((project.cache / "bert_tiny" / "import.json").read_text())
    assert [i["dtype"] for i in bert["inputs"]] == ["int64", "int64"]
    assert [o["shape"] for o in bert["outputs"]] == [[1, 64, 128], [1, 128]]
    gpt2 = json.loads((project.cache / "gpt2_tiny" / "import.json").read_text())
    assert gpt2["outputs"][0]["shape"] == [1, 32, 1000]


def test_missing_requirement_skips_the_model_with_a_clear_message(make_project):
    project = make_project("kb_softmax", "needs_missing")
    listing = project.doit("list", "--all").stderr
    assert "(skipped: needs integrator_no_such_package, which is not installed)" in listing
    run = project.doit("run", "check")
    assert run.returncode == 0, run.stderr  # nothing failed; the rest built
    assert all(run.results[t] == "success" for t in chain("kb_softmax")[:4])
    # Its tasks have no dependencies (nothing to wait for): only the one asked for says so.
    assert run.outputs["check:needs_missing"].strip() == (
        "check:needs_missing: skipped: needs integrator_no_such_package, which is not installed")
    assert "import:needs_missing" not in run.results
    assert not (project.cache / "needs_missing").exists()
    rows = {r["model"]: r for r in json.loads(project.integrator("models", "--json").stdout)}
    assert set(rows["needs_missing"]["states"].values()) == {"skipped"}
    assert "skipped:\n  needs_missing: needs integrator_no_such_package" in project.integrator(
        "models").stdout
