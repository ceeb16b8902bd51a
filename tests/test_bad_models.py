"""Broken models fail with one clear message naming model and stage, and break nothing else."""

import json
import re

import onnx_models
from conftest import REPO, chain

from integrator.ingress.models import discover
from integrator.core.project import load_project
from integrator.core.build import Build
from integrator.core.stages import STAGES as TABLE

STAGES = ["import", "schedule", "compile", "check", "bench"]


def _model(project, name):
    return next(m for m in discover([project.root / "models"]) if m.name == name)


def test_bad_models_fail_clearly_and_others_still_build(make_project):
    project = make_project("mlp", "bad_syntax", "bad_export", "bad_mismatch")
    project.only_baselines("torch_eager")
    run = project.doit("run", "--continue", "bench")
    assert run.returncode != 0

    # The good model builds completely.
    assert all(run.results[t] == "success" for t in chain("mlp")), run.results

    errors = run.errors
    assert errors["import:bad_syntax"].startswith("import:bad_syntax: syntax error at ")
    assert "bad_syntax.py:6" in errors["import:bad_syntax"]
    assert errors["import:bad_export"].startswith("import:bad_export: torch.export failed")
    assert errors["check:bad_mismatch"].startswith(
        "check:bad_mismatch: compiled output does not match torch eager"
    )
    assert "ATOL/RTOL" in errors["check:bad_mismatch"]
    # Each error is a message, not a traceback.
    assert not any("Traceback" in e for e in errors.values())

    # Failed stages leave no target behind (only their message); downstream stages never ran.
    cache = project.cache
    assert [p.name for p in (cache / "bad_syntax").iterdir()] == ["import.error"]
    assert [p.name for p in (cache / "bad_export").iterdir()] == ["import.error"]
    assert not (cache / "bad_mismatch" / "check.json").exists()
    assert (cache / "bad_mismatch" / "check.failed.json").exists()
    assert "bench:bad_mismatch" not in run.executed

    # A second run retries only the failed models; the good one is up to date.
    again = project.doit("run", "--continue", "bench")
    assert not (again.executed & set(chain("mlp")))
    assert "import:bad_syntax" in again.executed and "check:bad_mismatch" in again.executed


def test_bad_input_of_every_format_fails_clearly(make_project):
    """A corrupt .onnx, an ONNX dim without a size, a .mlir that does not parse or has no
    static shapes, a .py without Model, a get_inputs() that raises, an op IREE cannot lower."""
    project = make_project(
        "kb_softmax", "tiny_cnn", "bad_no_model", "bad_get_inputs", "bad_unsupported_op",
        "bad_parse", "bad_dynamic",
    )
    models = project.root / "models"
    onnx_models.corrupt(models / "bad_corrupt.onnx", REPO / "models" / "tiny_cnn.onnx")
    onnx_models.unset_dims(models / "bad_dims.onnx")
    run = project.doit("run", "--continue", "check")
    assert run.returncode != 0
    for good in ("kb_softmax", "tiny_cnn"):
        assert all(run.results[t] == "success" for t in chain(good)[:4]), run.results

    expected = {
        "import:bad_corrupt": "bad_corrupt.onnx is not a valid ONNX model: ",
        "import:bad_dims": "symbolic dimensions need sizes:\n    input 'x': dimension 'batch'",
        "import:bad_parse": "bad_parse.mlir does not parse: ",
        "import:bad_dynamic": "argument 0 of the entry function has type tensor<?x4xf32>",
        "import:bad_no_model": "does not define Model",
        "import:bad_get_inputs": "get_inputs() raised RuntimeError: shape '[3, 5]' is invalid",
        "compile:bad_unsupported_op": "IREE cannot lower torch.aten.histc (bad_unsupported_op.py:9); ",
    }
    for task, text in expected.items():
        stage, model = task.split(":")
        error = run.errors[task]
        assert error.startswith(f"{task}: "), error
        assert text in error, error
        assert "Traceback" not in error
        # No target of the failed stage or after it; the message is kept for the catalogue.
        left = {p.name for p in (project.cache / model).iterdir()}
        assert f"{stage}.error" in left
        index = STAGES.index(stage)
        for later in STAGES[index:]:
            targets = TABLE[later].outputs(Build.of(load_project(project.root), _model(project, model)))
            assert not any(t.exists() for t in targets), (task, later, left)
    assert "bad_parse.mlir\":3:23: use of undeclared SSA value name" in run.errors["import:bad_parse"]
    assert "[dims]\n    batch = 1" in run.errors["import:bad_dims"]  # the hint says how

    # The suite summary: where each model stopped and why, and the pass rate
    assert project.doit("run", "suite").returncode == 0
    summary = (project.cache / "report" / "suite.md").read_text()
    rows = {line.split("|")[1].strip(): line for line in summary.splitlines() if line.startswith("| ")}
    assert "| check | pass |" in rows["kb_softmax"] and "| check | pass |" in rows["tiny_cnn"]
    assert "unsupported op: torch.aten.histc (bad_unsupported_op.py:9)" in rows["bad_unsupported_op"]
    assert "| - | import: model error |" in rows["bad_get_inputs"]
    assert "| models | 9 | 22% | 0% | 0% |" in summary  # 2 of 9 correct; none benched
    assert (project.cache / "report" / "suite.png").read_bytes().startswith(b"\x89PNG")

    listing = project.integrator("models").stdout
    assert "compile:bad_unsupported_op: IREE cannot lower torch.aten.histc (bad_unsupported_op.py:9)" in listing
    assert "import:bad_corrupt: bad_corrupt.onnx is not a valid ONNX model" in listing
    row = next(l for l in listing.splitlines() if l.startswith("bad_unsupported_op "))
    assert re.split(r"\s{2,}", row)[-5:] == ["built", "built", "failed", "not built", "not built"]

    assert project.doit("clean").returncode == 0  # kept messages go with the artifacts
    assert not list(project.cache.glob("*/*.error"))


def test_a_failed_rebuild_leaves_no_stale_target(make_project):
    project = make_project("kb_softmax")
    assert project.doit("run", "import:kb_softmax").returncode == 0
    model_dir = project.cache / "kb_softmax"
    assert (model_dir / "import.mlirbc").exists()
    path = project.root / "models" / "kb_softmax.py"
    good = path.read_text()
    path.write_text(good.replace("return [torch.randn(16, 1024) * 4]", "raise ValueError('no data')"))
    failed = project.doit("run", "import:kb_softmax")
    assert failed.errors["import:kb_softmax"].startswith(
        "import:kb_softmax: get_inputs() raised ValueError: no data")
    assert sorted(p.name for p in model_dir.iterdir()) == ["import.error"]
    rows = json.loads(project.integrator("models", "--json").stdout)
    assert rows[0]["states"]["import"] == "failed"
    assert rows[0]["errors"]["import"].startswith("import:kb_softmax: get_inputs() raised")

    path.write_text(good)
    assert project.doit("run", "import:kb_softmax").returncode == 0
    assert not (model_dir / "import.error").exists()
    rows = json.loads(project.integrator("models", "--json").stdout)
    assert rows[0]["states"]["import"] == "built" and rows[0]["errors"] == {}
    path.write_text(good + "# an edit\n")
    rows = json.loads(project.integrator("models", "--json").stdout)
    assert rows[0]["states"]["import"] == "stale"


# A model whose get_inputs() is given: how a stage process ends is what these tests vary.
_WITH_INPUTS = '''
{imports}
import torch

class Model(torch.nn.Module):
    def forward(self, x):
        return x + 1

def get_init_inputs():
    return []

def get_inputs():
    {inputs}
'''


def test_a_killed_stage_process_is_named_and_leaves_nothing(make_project):
    project = make_project()
    project.write_model("killed", _WITH_INPUTS.format(
        imports="import os\nimport signal",
        inputs="os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would"))
    run = project.doit("run", "import:killed")
    assert run.returncode != 0
    assert "import:killed: the stage process was killed by SIGKILL (peak memory ~" in run.stderr
    assert not (project.cache / "killed" / "import.mlirbc").exists()


def test_a_stage_past_its_time_limit_is_stopped_and_named(make_project):
    project = make_project()
    project.edit_pyproject("stage-timeout = 3600 ", "stage-timeout = 3 ")
    project.write_model("sleepy", _WITH_INPUTS.format(
        imports="import time", inputs="time.sleep(60)\n    return [torch.ones(2)]"))
    run = project.doit("run", "import:sleepy")
    assert run.returncode != 0 and run.seconds < 40, run.seconds
    assert "import:sleepy: did not finish in 3 s (`[tool.integrator] stage-timeout`" in run.stderr
    assert not (project.cache / "sleepy" / "import.mlirbc").exists()
