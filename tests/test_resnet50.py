"""The main job: ResNet-50 from an empty cache to a checked benchmark (about a minute)."""

import json

import pytest

from conftest import chain, specs_task


@pytest.mark.slow
def test_resnet50_end_to_end(make_project):
    project = make_project("resnet50")
    run = project.doit("run", "bench:resnet50")
    assert run.returncode == 0, run.stderr
    # the stages in order (plus the tuning-spec library where specs apply to this CPU)
    assert [t for t in run.results if t != "specs"] == chain("resnet50")
    assert ("specs" in run.results) == bool(specs_task(project))
    print(f"\ncold build of bench:resnet50: {run.seconds:.1f} s")
    print(run.outputs["bench:resnet50"].strip())

    check = json.loads((project.cache / "resnet50" / "check.json").read_text())
    assert check["passed"]
    assert check["outputs"][0]["shape"] == [1, 1000]
    bench = json.loads((project.cache / "resnet50" / "bench.json").read_text())
    for name in ("iree", "torch_eager", "torch_compile", "onnxruntime"):
        assert bench["systems"][name]["samples"] >= 10, (name, bench["systems"][name])

    again = project.doit("run", "bench:resnet50")
    assert again.executed == set()
    print(f"no-op run: {again.seconds:.2f} s")
    assert again.seconds < 2.0

    # The honest peak holds on a real model: no system, onnxruntime included, exceeds it.
    assert project.doit("run", "peak").returncode == 0
    peak = json.loads(next((project.cache / "host").glob("peak-*.json")).read_text())
    machine = {k: peak[k] for k in ("machine", "host_cpu")} | {"variants": peak["arithmetic"]["variants"]}
    for name, result in bench["systems"].items():
        if result.get("effective_gflops"):  # a Winograd build executes fewer FLOPs than counted
            imported = json.loads((project.cache / "resnet50" / "import.json").read_text())
            assert bench["compile"].get("fewer_flops") or imported["winograd"], bench["compile"]
            continue
        assert result["gflops_per_s"] <= peak["gflops_per_s"], (name, result["gflops_per_s"], machine)
