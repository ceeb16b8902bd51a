"""Every shipped IREE pipeline (flag set, preprocessing, runtime device) builds and computes the
right numbers on convolutions and matmuls of sizes that divide no tile, checked against torch."""

import json
import platform

import pytest

from integrator.core.project import load_project
from integrator.scheduling.pipelines import iree_pipeline_names

from conftest import REPO

MODELS = ("odd_convs", "odd_matmuls", "tiny_conv")
# The host's pipelines (the CUDA ones are compiled in test_cuda_target.py; running them needs a GPU).
PIPELINES = [p for p in iree_pipeline_names(load_project(REPO).schedules, "host") if p != "cpu-plain"]


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_pipeline_builds_and_checks(make_project, pipeline):
    project = make_project(*MODELS)
    run = project.doit("run", *(f"check:{m}" for m in MODELS),
                       env={"INTEGRATOR_IREE_PIPELINE": pipeline})
    assert run.returncode == 0, run.stderr
    for model in MODELS:
        record = json.loads((project.cache / model / "compile.json").read_text())
        assert any(f in record["flags"] for f in ("--iree-opt-level=O3",)), record["flags"]
        check = json.loads((project.cache / model / "check.json").read_text())
        assert check["passed"], (pipeline, model, check)
        device = "local-sync" if pipeline.endswith("sync") else "local-task"
        assert record["device"] == device


def test_runtime_device_is_checked(tmp_path):
    from integrator.scheduling.pipelines import get_pipeline

    (tmp_path / "pipelines.toml").write_text('[iree.bad]\nflags = []\ndevice = "local-gpu"\n')
    with pytest.raises(KeyError, match="device 'local-gpu' is not one of local-task, local-sync"):
        get_pipeline(tmp_path, "bad")


def test_a_misspelled_import_setting_is_refused_naming_the_pipeline(tmp_path):
    from integrator.scheduling.pipelines import get_pipeline

    (tmp_path / "pipelines.toml").write_text(
        '[iree.phases]\nflags = []\nimport-settings = { dilated-as-phase = true }\n')
    with pytest.raises(KeyError, match=r"\[iree.phases\] in .*pipelines.toml: import-settings takes "
                       r"conv-rewrites, winograd, dilated-as-phases = true/false; got dilated-as-phase"):
        get_pipeline(tmp_path, "phases")


def test_a_preprocessing_schedule_that_does_not_verify_names_itself(tmp_path):
    """A schedule that steers IREE is verified before any compile: the error names the model,
    the stage, the pipeline, the schedule file and the line."""
    from integrator.core.build import Build
    from integrator.core.errors import StageError
    from integrator.engines.iree import IreeEngine
    from integrator.ingress.models import ModelFile, ModelSettings

    (tmp_path / "pyproject.toml").write_text("[tool.integrator]\n")
    schedules = tmp_path / "schedules"
    schedules.mkdir()
    (schedules / "broken.py").write_text(
        'def schedule(*, size: int = 4):\n'
        '    return "module attributes {transform.with_named_sequence} {\\n  transform.no_such_op\\n}"\n')
    (schedules / "pipelines.toml").write_text(
        '[iree.steered]\nflags = []\npreprocessing-schedule = "broken"\n'
        'preprocessing-params = { size = 8 }\n')
    project = load_project(tmp_path)
    build = Build.of(project, ModelFile("m", tmp_path / "m.py", ModelSettings(iree_pipeline="steered")))
    with pytest.raises(StageError) as raised:
        IreeEngine().code_flags(build)
    text = str(raised.value)
    assert text.startswith("compile:m: pipeline 'steered': preprocessing schedule 'broken'")
    assert "broken.py (built with {'size': 8}) does not verify" in text and ":2:" in text, text


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="x86-64 CPUs")
def test_the_transformer_block_compiles_for_each_cpu_of_the_machine_kind(make_project):
    """Machines of this kind come with AVX2-only Zen 3, Zen 4 and Zen 5 CPUs. On znver3 IREE 3.13
    gives the packing of a layer norm feeding a matmul a 16 x 256 vector and refused the
    dispatch until the pipelines turned that check off; cross-compiling catches it on any host."""
    project = make_project("transformer_block")
    for cpu in ("znver3", "znver4", "znver5"):
        run = project.doit("run", "compile:transformer_block", env={"INTEGRATOR_TARGET_CPU": cpu})
        assert run.returncode == 0, (cpu, run.stderr[-3000:])
        record = json.loads((project.cache / "transformer_block" / "compile.json").read_text())
        assert f"--iree-llvmcpu-target-cpu={cpu}" in record["flags"]
