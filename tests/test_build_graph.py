"""The doit build graph on small models, with the real importer, compiler and runtime."""

import json
import time

import numpy as np
import torch

from conftest import chain, specs_task

STAGES = ("import", "schedule", "compile", "check", "bench")


def test_list_shows_every_stage_and_model(make_project):
    project = make_project("mlp", "tiny_conv")
    listing = project.doit("list", "--all").stderr
    for stage in STAGES:
        for name in (stage, f"{stage}:mlp", f"{stage}:tiny_conv"):
            line = next(l for l in listing.splitlines() if l.split()[0] == name)
            assert len(line.split()) > 1, f"{name} has no doc"


def test_chain_builds_checks_benches_then_noop(make_project):
    project = make_project("mlp").only_baselines("torch_eager")
    run = project.doit("run", "bench:mlp")
    assert run.returncode == 0, run.stderr
    # the stages in order (plus the tuning-spec library where specs apply to this CPU)
    assert [t for t in run.results if t != "specs"] == chain("mlp")
    assert ("specs" in run.results) == bool(specs_task(project))
    assert set(run.results.values()) == {"success"}

    check = json.loads((project.cache / "mlp" / "check.json").read_text())
    assert check["passed"] and check["max_abs_error"] < 1e-4
    bench = json.loads((project.cache / "mlp" / "bench.json").read_text())
    assert list(bench["systems"]) == ["iree", "torch_eager"]
    for system in ("iree", "torch_eager"):
        stats = bench["systems"][system]
        assert 10 <= stats["samples"] == len(stats["raw_ms"]) <= 200
        assert stats["min_ms"] <= stats["p10_ms"] <= stats["median_ms"] <= stats["p90_ms"]
    assert bench["threads"] == 2 and bench["warmup"] == 3 and bench["host_cpu"]
    assert bench["flops"] == 2 * 8 * (256 * 512 + 512 * 512 + 512 * 64)  # three linear layers
    assert bench["versions"]["iree-base-compiler"] == "3.13.0"
    assert bench["baseline"] == "torch_eager"
    assert bench["ratio_to_baseline"] == (
        bench["systems"]["iree"]["median_ms"] / bench["systems"]["torch_eager"]["median_ms"]
    )
    assert bench["systems"]["iree"]["gflops_per_s"] > 0
    assert "x torch_eager" in run.outputs["bench:mlp"]  # the one-line summary

    again = project.doit("run", "bench:mlp")
    assert again.returncode == 0
    assert again.executed == set(), again.results
    assert again.seconds < 2.0


def test_compiled_mlp_matches_torch_on_fresh_inputs(make_project):
    """Independent of the check stage: new inputs, the binary via iree.runtime, torch eager."""
    import iree.runtime as rt

    project = make_project("mlp")
    assert project.doit("run", "compile:mlp").returncode == 0
    module = rt.load_vm_flatbuffer_file(str(project.cache / "mlp" / "module.vmfb"), driver="local-task")
    from integrator.ingress.models import ModelFile, build

    model, _ = build(ModelFile("mlp", project.root / "models" / "mlp.py"), "test")
    x = torch.randn(8, 256, generator=torch.Generator().manual_seed(123))
    with torch.no_grad():
        want = model(x).numpy()
    got = module.main(x.numpy()).to_host()
    np.testing.assert_allclose(got, want, atol=1e-5, rtol=1e-5)


def test_editing_a_model_rebuilds_only_its_chain(make_project):
    project = make_project("mlp", "tiny_conv").only_baselines("torch_eager")
    first = project.doit("run", "bench")
    assert first.returncode == 0, first.stderr
    assert first.executed == set(specs_task(project) + chain("mlp") + chain("tiny_conv"))

    path = project.root / "models" / "mlp.py"
    path.write_text(path.read_text().replace("return [256, 512, 64]", "return [256, 384, 64]"))
    second = project.doit("run", "bench")
    assert second.returncode == 0, second.stderr
    assert second.executed == set(chain("mlp"))


def test_a_reimport_with_the_same_results_rebuilds_only_the_bench(make_project):
    """import.json holds only what determines the outputs (its timings are in
    import.stats.json), so an import that re-runs and writes the same files stops there; the
    bench re-runs because it runs the model file itself (the torch baselines)."""
    project = make_project("mlp").only_baselines("torch_eager")
    assert project.doit("run", "bench:mlp").returncode == 0
    path = project.root / "models" / "mlp.py"
    path.write_text(path.read_text() + "\n# a comment: the same model\n")
    run = project.doit("run", "bench:mlp")
    assert run.returncode == 0, run.stderr
    assert run.executed == {"import:mlp", "bench:mlp"}
    assert json.loads((project.cache / "mlp" / "import.stats.json").read_text())["seconds"] > 0


def test_changing_a_compile_flag_rebuilds_compile_check_bench(make_project):
    project = make_project("mlp").only_baselines("torch_eager")
    assert project.doit("run", "bench:mlp").returncode == 0
    binary = project.cache / "mlp" / "module.vmfb"
    before = binary.read_bytes()
    project.edit_pyproject("extra-flags = []", 'extra-flags = ["--iree-opt-data-tiling=false"]')
    run = project.doit("run", "bench:mlp")
    assert run.returncode == 0, run.stderr
    # check re-runs because the binary and the compile record (which names the flags) changed.
    assert binary.read_bytes() != before
    assert run.executed == {"compile:mlp", "check:mlp", "bench:mlp"}
    flags = json.loads((project.cache / "mlp" / "compile.json").read_text())["flags"]
    assert flags[-1] == "--iree-opt-data-tiling=false"


def test_clean_one_task_then_all(make_project):
    project = make_project("mlp").only_baselines("torch_eager")
    assert project.doit("run", "bench:mlp").returncode == 0
    model_dir = project.cache / "mlp"
    assert project.doit("clean", "bench:mlp").returncode == 0
    assert not (model_dir / "bench.json").exists()
    assert (model_dir / "check.json").exists()
    rerun = project.doit("run", "bench:mlp")
    assert rerun.executed == {"bench:mlp"}

    assert project.doit("clean").returncode == 0
    assert not model_dir.exists()
    assert project.doit("run", "check:mlp").executed == set(specs_task(project) + chain("mlp")[:4])


def test_editing_the_compile_flags_in_the_library_makes_compile_stale(make_project):
    """The stages' code inputs are derived from the imports: an edit of the IREE engine's flag
    assembly rebuilds the binary (and what depends on it), not the import."""
    project = make_project("mlp")
    library = project.copy_library()
    assert project.doit("run", "check:mlp").returncode == 0
    assert project.doit("run", "check:mlp").executed == set()
    iree = library / "engines" / "iree.py"
    text = iree.read_text()
    old = '"--iree-hal-local-target-device-backends=llvm-cpu",'
    assert old in text
    iree.write_text(text.replace(old, old + ' "--iree-opt-level=O1",'))
    run = project.doit("run", "check:mlp")
    assert run.returncode == 0, run.stderr
    assert {"compile:mlp"} <= run.executed and not run.executed & {"import:mlp", "schedule:mlp"}
    flags = json.loads((project.cache / "mlp" / "compile.json").read_text())["flags"]
    assert "--iree-opt-level=O1" in flags


def test_settings_typed_on_the_command_line_apply_and_unknown_ones_are_refused(make_project):
    project = make_project("mlp").only_baselines("torch_eager")
    run = project.doit("run", "bench:mlp", "threads=1")
    assert run.returncode == 0, run.stderr
    assert json.loads((project.cache / "mlp" / "bench.json").read_text())["threads"] == 1
    run = project.doit("run", "bench:mlp", "thread=1")
    assert run.returncode != 0
    assert "unknown variable thread; known: engine, schedule" in run.stderr and "threads" in run.stderr


def test_clean_removes_the_cache_of_a_model_whose_file_is_gone(make_project):
    project = make_project("mlp", "tiny_conv")
    assert project.doit("run", "import").returncode == 0
    (project.root / "models" / "tiny_conv.py").unlink()
    listing = project.integrator("models").stdout
    assert "orphaned (cached, but the model file is gone; `doit clean` removes them): tiny_conv" in listing
    clean = project.doit("clean")
    assert clean.returncode == 0, clean.stderr
    assert "tiny_conv: its model file is gone" in clean.stderr
    assert not (project.cache / "tiny_conv").exists()
    assert "orphaned" not in project.integrator("models").stdout


def test_an_interrupt_stops_the_stage_and_everything_it_started(make_project):
    """SIGINT to doit alone (as a script's kill would): the stage process and the compiler it
    runs are stopped, doit says so in one line, and the next run starts that stage again."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    project = make_project("resnet50")
    assert project.doit("run", "schedule:resnet50").returncode == 0

    def stage_processes():
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    continue
                if ("integrator" in command and str(project.root) in command) or (
                        "iree-compile" in command and str(project.root) in command):
                    found.append(command)
        return found

    doit = subprocess.Popen([sys.executable, "-m", "doit", "run", "compile:resnet50"],
                            cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Generous: on a loaded 2-core machine doit's start, the spec link and the stage's own
    # start come before the compiler does.
    deadline = time.monotonic() + 180
    while not any("iree-compile" in c for c in stage_processes()):  # mid-compile
        assert time.monotonic() < deadline and doit.poll() is None, "the compile never started"
        time.sleep(0.2)
    os.kill(doit.pid, signal.SIGINT)
    out, err = doit.communicate(timeout=60)
    assert doit.returncode != 0
    assert "compile:resnet50: interrupted" in err and "Traceback" not in err, err
    deadline = time.monotonic() + 10  # a killed process may take a moment to leave /proc
    while (left := stage_processes()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == []
    assert not (project.cache / "resnet50" / "module.vmfb").exists()
    again = project.doit("run", "compile:resnet50")
    assert again.returncode == 0, again.stderr
    assert again.executed == {"compile:resnet50"} | ({"specs"} & again.executed)


def test_the_default_pipeline_compiles_a_transformer_block_every_time(make_project):
    """The stack-limit failure was intermittent (about one compile in two): ten compiles of
    the same import with the default pipeline's flags all succeed, and the build checks."""
    import tempfile
    from pathlib import Path

    from integrator.engines.iree import compile_file

    project = make_project("mha_block")
    run = project.doit("run", "check:mha_block")
    assert run.returncode == 0, run.stderr
    flags = json.loads((project.cache / "mha_block" / "compile.json").read_text())["flags"]
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(10):
            compile_file(project.cache / "mha_block" / "schedule.mlirbc", Path(tmp, f"{i}.vmfb"), flags)
