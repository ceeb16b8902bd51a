"""The upstream MLIR engine, transform schedules and external runners, with the real tools."""

import json

from conftest import chain, specs_task

SMALL_MATMUL = '''
import torch
ENGINE = "mlir"
SCHEDULE = "{schedule}"
class Model(torch.nn.Module):
    def forward(self, a, b):
        return a @ b
def get_init_inputs():
    return []
def get_inputs():
    return [torch.randn({m}, 32), torch.randn(32, 64)]
'''


def matmul_model(schedule: str, m: int = 16) -> str:
    return SMALL_MATMUL.format(schedule=schedule, m=m)


def test_mlp_on_both_engines(make_project):
    project = make_project("mlp").only_baselines("torch_eager")
    upstream = project.doit("run", "bench:mlp", "engine=mlir")
    assert upstream.returncode == 0, upstream.stderr
    cache = project.cache / "mlp"
    check = json.loads((cache / "check.json").read_text())
    assert check["passed"] and check["engine"] == "mlir" and check["max_abs_error"] < 1e-4
    bench = json.loads((cache / "bench.json").read_text())
    assert list(bench["systems"]) == ["mlir", "torch_eager"]
    assert bench["systems"]["mlir"]["threads"] == 1  # said plainly: no runtime, one thread
    schedule = json.loads((cache / "schedule.json").read_text())
    assert schedule["schedule"] == "default"
    assert schedule["params"] == {"cache_tile": [64, 256, 128], "register_tile": [8, 32, 1]}
    assert (cache / "module.so").exists() and (cache / "transform.mlirbc").exists()

    shown = project.doit("run", "ir:mlp", "engine=mlir")  # what the schedule did, as text
    assert shown.executed == {"ir:mlp"}, shown.results
    text = shown.outputs["ir:mlp"]
    for marker in ("torch.aten.linear", "transform.structured.tile_using_for",
                   "vector.transfer_read", "llvm.func @main"):
        assert marker in text, marker

    iree = project.doit("run", "bench:mlp")  # back to the project's default engine
    assert iree.returncode == 0, iree.stderr
    # the import is shared by both engines
    assert iree.executed == set(specs_task(project) + chain("mlp")[1:])
    bench = json.loads((cache / "bench.json").read_text())
    assert list(bench["systems"]) == ["iree", "torch_eager"]


def test_conv_net_on_upstream_default_schedule(make_project):
    project = make_project("tiny_conv")
    run = project.doit("run", "check:tiny_conv", "engine=mlir")
    assert run.returncode == 0, run.stderr
    assert json.loads((project.cache / "tiny_conv" / "check.json").read_text())["passed"]


def test_schedule_edit_rebuilds_exactly_its_dependents(make_project):
    project = make_project("mlp", "tiny_conv").only_baselines("torch_eager")
    project.edit_pyproject('engine = "iree"', 'engine = "iree"\n[tool.integrator.overrides.mlp]\nengine = "mlir"')
    first = project.doit("run", "bench")
    assert first.returncode == 0, first.stderr
    schedule = project.root / "schedules" / "default.py"
    schedule.write_text(schedule.read_text().replace("register_tile: list[int] = (8, 32, 1)",
                                                     "register_tile: list[int] = (8, 16, 1)"))
    second = project.doit("run", "bench")
    assert second.returncode == 0, second.stderr
    # mlp (upstream engine, default schedule) rebuilds from the schedule on; tiny_conv (IREE)
    # does not depend on the schedule at all.
    assert second.executed == set(chain("mlp")[1:])
    params = json.loads((project.cache / "mlp" / "schedule.json").read_text())["params"]
    assert params["register_tile"] == [8, 16, 1]


def test_schedule_parameters_from_the_model_are_validated(make_project):
    project = make_project()
    project.write_model("mm", matmul_model("matmul") + "SCHEDULE_PARAMS = {'register_tile': [4, 16, 1]}\n")
    run = project.doit("run", "check:mm")
    assert run.returncode == 0, run.stderr
    assert json.loads((project.cache / "mm" / "schedule.json").read_text())["params"]["register_tile"] == [4, 16, 1]

    project.write_model("mm", matmul_model("matmul") + "SCHEDULE_PARAMS = {'tile': 4}\n")
    bad = project.doit("run", "check:mm")
    assert "schedule:mm: schedule 'matmul'" in bad.errors["schedule:mm"]
    assert "unknown schedule parameters tile" in bad.errors["schedule:mm"]


def test_bad_schedules_fail_clearly_and_leave_nothing(make_project):
    project = make_project("mlp")
    project.edit_pyproject("schedule-timeout = 120", "schedule-timeout = 5")
    for name in ("does_not_parse", "fails_to_apply", "never_converges"):
        project.add_schedule(f"{name}.mlir")
        # A leading unit dimension is what sends never_converges' patterns round in circles.
        project.write_model(name, matmul_model(name, m=1 if name == "never_converges" else 16))
    project.write_model("no_such", matmul_model("no_such_schedule"))
    run = project.doit("run", "--continue", "check")
    assert run.results["check:mlp"] == "success"
    errors = run.errors

    parse = errors["schedule:does_not_parse"]
    assert "does_not_parse.mlir:5:5" in parse and "tile_everything" in parse
    apply = errors["schedule:fails_to_apply"]
    assert "the transform interpreter failed" in apply and "fails_to_apply.mlir:6:5" in apply
    hang = errors["schedule:never_converges"]
    assert "did not finish within 5 s and was stopped" in hang
    missing = errors["schedule:no_such"]
    assert "unknown schedule 'no_such_schedule'" in missing and "matmul" in missing
    for name in ("does_not_parse", "fails_to_apply", "never_converges", "no_such"):
        leftovers = {p.name for p in (project.cache / name).iterdir()}
        # The import, and the failure's message kept for the catalogue; no schedule output.
        assert leftovers == {"import.mlirbc", "reference.npz", "import.json", "import.stats.json",
                         "schedule.error"}, (name, leftovers)


def test_unknown_pipelines_name_model_and_stage(make_project):
    project = make_project()
    project.write_model("up", matmul_model("none") + 'MLIR_PIPELINE = "fastest"\n')
    project.write_model("ir", matmul_model("none").replace('ENGINE = "mlir"', 'IREE_PIPELINE = "fastest"'))
    run = project.doit("run", "--continue", "compile")
    assert run.errors["compile:up"].startswith("compile:up: unknown MLIR pipeline 'fastest'")
    assert run.errors["compile:ir"].startswith("compile:ir: unknown IREE pipeline 'fastest'")
    assert "cpu-default" in run.errors["compile:ir"]
    assert not list((project.cache / "up").glob("module*"))


def test_external_runner_drives_iree_command_line_tools(make_project):
    project = make_project("mlp").only_baselines("torch_eager")
    run = project.doit("run", "bench:mlp", "engine=iree-cli")
    assert run.returncode == 0, run.stderr
    check = json.loads((project.cache / "mlp" / "check.json").read_text())
    assert check["passed"] and check["engine"] == "iree-cli"
    bench = json.loads((project.cache / "mlp" / "bench.json").read_text())
    assert bench["systems"]["iree-cli"]["median_ms"] > 0


def test_external_runner_missing_or_failing(make_project):
    project = make_project("mlp")
    project.edit_pyproject("[tool.integrator.bench]", '''[tool.integrator.external.missing]
compile = ["no-such-compiler-anywhere", "{input}", "-o", "{output}"]
run = ["no-such-runner"]

[tool.integrator.external.failing]
compile = ["sh", "-c", "echo 'cannot lower op foo.bar' >&2; exit 3"]
run = ["true"]

[tool.integrator.bench]''')
    missing = project.doit("run", "compile:mlp", "engine=missing")
    message = missing.errors["compile:mlp"]
    assert message.startswith("compile:mlp: external runner 'missing'")
    assert "'no-such-compiler-anywhere' not found" in message
    failing = project.doit("run", "compile:mlp", "engine=failing")
    message = failing.errors["compile:mlp"]
    assert "exited with 3" in message and "cannot lower op foo.bar" in message
    assert not list((project.cache / "mlp").glob("module*"))
