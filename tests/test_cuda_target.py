"""The build target (``integrator/core/target.py``): selection and keys, CUDA builds beside host
builds in the cache and in doit's state, a real CUDA compile without a GPU, check and bench
skipped cleanly without one, and (only where a CUDA device is present) the MLP checked against
torch on the GPU."""

import json
import shutil

import pytest

from integrator.core.build import Build
from integrator.core.errors import StageError
from integrator.core.project import load_project
from integrator.core.stages import STAGES
from integrator.core.target import HOST, Target, cuda_devices, is_cuda_arch, make_target
from integrator.ingress.models import ModelFile, ModelSettings

from conftest import REPO

NO_GPU = not cuda_devices()[0]


def _gpu_for_torch() -> bool:
    import torch

    return torch.cuda.is_available()


needs_gpu = pytest.mark.skipif(NO_GPU or not _gpu_for_torch(),
                               reason="needs a CUDA device for iree.runtime and a CUDA-enabled torch")
needs_no_gpu = pytest.mark.skipif(not NO_GPU, reason="checks what happens where there is no CUDA device")


def _project(tmp_path, text: str = ""):
    (tmp_path / "pyproject.toml").write_text("[tool.integrator]\n" + text)
    (tmp_path / "schedules").mkdir(exist_ok=True)
    shutil.copy(REPO / "schedules" / "pipelines.toml", tmp_path / "schedules" / "pipelines.toml")
    return load_project(tmp_path)


def test_target_is_selected_like_the_engine(tmp_path, monkeypatch):
    project = _project(tmp_path, 'target = "host"\ncuda-arch = "sm_86"\n'
                       '[tool.integrator.overrides.b]\ntarget = "cuda"\ncuda-arch = "sm_90"\n')
    a = ModelFile("a", tmp_path / "a.py", ModelSettings(target="cuda"))
    b = ModelFile("b", tmp_path / "b.py", ModelSettings(target="host"))
    plain = ModelFile("c", tmp_path / "c.py")
    assert Build.of(project, plain).target == HOST  # the project's default
    assert Build.of(project, a).target == Target("cuda", "sm_86")  # the file, the project's arch
    assert Build.of(project, b).target == Target("cuda", "sm_90")  # pyproject beats the file
    monkeypatch.setenv("INTEGRATOR_TARGET", "cuda")
    monkeypatch.setenv("INTEGRATOR_CUDA_ARCH", "sm_80")
    for model in (a, b, plain):  # the environment (doit run target=cuda) beats everything
        assert Build.of(project, model).target == Target("cuda", "sm_80")
    cuda = Build.of(project, plain)
    assert cuda.selection.iree_pipeline == "cuda-default"  # [tool.integrator.iree] cuda-pipeline
    monkeypatch.setenv("INTEGRATOR_TARGET", "host")
    assert Build.of(project, plain).selection.iree_pipeline == "cpu-default"


def test_the_command_line_knows_target_and_cuda_arch():
    from integrator.core.selection import COMMAND_LINE

    assert COMMAND_LINE["target"] == "INTEGRATOR_TARGET"
    assert COMMAND_LINE["cuda_arch"] == "INTEGRATOR_CUDA_ARCH"


def test_model_files_and_sidecars_take_the_target(tmp_path):
    from integrator.ingress.models import read_settings

    model = tmp_path / "m.py"
    model.write_text('TARGET = "cuda"\nCUDA_ARCH = "sm_90"\n')
    assert read_settings(model) == ModelSettings(target="cuda", cuda_arch="sm_90")
    (tmp_path / "m.toml").write_text('cuda-arch = "sm_86"\n')
    assert read_settings(model).cuda_arch == "sm_86"


def test_the_target_is_in_every_key_it_affects_and_host_keys_are_as_before(tmp_path, monkeypatch):
    monkeypatch.setenv("INTEGRATOR_TARGET_CPU", "znver4")
    project = _project(tmp_path)
    model = ModelFile("m", tmp_path / "m.py")
    host = Build.of(project, model)
    monkeypatch.setenv("INTEGRATOR_TARGET", "cuda")
    cuda = Build.of(project, model)
    for stage in ("compile", "check", "bench"):
        host_key, cuda_key = STAGES[stage].key(host), STAGES[stage].key(cuda)
        assert "target" not in host_key and "cuda_arch" not in host_key, stage
        assert cuda_key["target"] == "cuda" and cuda_key["cuda_arch"] == "sm_80", stage
    assert STAGES["compile"].key(host)["cpu"] == "znver4"
    assert "cpu" not in STAGES["compile"].key(cuda)  # a CUDA module has no host code
    for stage in ("import", "schedule"):  # shared by every target
        assert STAGES[stage].key(host) == STAGES[stage].key(cuda)
        assert STAGES[stage].outputs(host) == STAGES[stage].outputs(cuda)
        assert host.task(stage) == cuda.task(stage) == f"{stage}:m"
    assert host.task("bench") == "bench:m" and cuda.task("bench") == "bench:m@cuda-sm_80"
    assert host.artifacts.compiled == tmp_path / ".cache" / "m" / "module.vmfb"
    assert cuda.artifacts.compiled == tmp_path / ".cache" / "m" / "cuda-sm_80" / "module.vmfb"
    assert cuda.artifacts.error("compile").parent == cuda.artifacts.build_dir
    assert cuda.artifacts.error("import") == host.artifacts.error("import")
    monkeypatch.setenv("INTEGRATOR_CUDA_ARCH", "sm_90")
    other = Build.of(project, model)
    assert STAGES["compile"].key(other) != STAGES["compile"].key(cuda)
    assert other.artifacts.build_dir != cuda.artifacts.build_dir


def test_cuda_flags_are_assembled_in_the_iree_engine(tmp_path, monkeypatch):
    from integrator.engines.iree import IreeEngine

    monkeypatch.setenv("INTEGRATOR_TARGET", "cuda")
    monkeypatch.setenv("INTEGRATOR_CUDA_ARCH", "sm_86")
    project = _project(tmp_path, "[tool.integrator.tuning]\nspecs = []\n")
    flags = IreeEngine().flags(Build.of(project, ModelFile("m", tmp_path / "m.py")))
    assert flags[:3] == ["--iree-input-type=torch", "--iree-hal-target-device=cuda",
                         "--iree-cuda-target=sm_86"]
    assert not any("llvmcpu" in f or "local" in f for f in flags)


def test_bad_targets_are_named_with_model_stage_and_what_to_do(tmp_path, monkeypatch):
    from integrator.engines.iree import IreeEngine

    project = _project(tmp_path)
    model = ModelFile("m", tmp_path / "m.py")
    monkeypatch.setenv("INTEGRATOR_TARGET", "tpu")
    with pytest.raises(StageError) as raised:
        Build.of(project, model).ensure_target("compile")
    text = str(raised.value)
    assert text.startswith("compile:m@tpu: unknown target 'tpu'; known: host, cuda") and "hint:" in text

    monkeypatch.setenv("INTEGRATOR_TARGET", "cuda")
    monkeypatch.setenv("INTEGRATOR_CUDA_ARCH", "ampere")
    with pytest.raises(StageError, match="cuda-arch 'ampere' is not a CUDA architecture name"):
        Build.of(project, model).ensure_target("compile")

    monkeypatch.setenv("INTEGRATOR_CUDA_ARCH", "sm_80")
    monkeypatch.setenv("INTEGRATOR_ENGINE", "mlir")
    with pytest.raises(StageError) as raised:
        Build.of(project, model).ensure_target("compile")
    text = str(raised.value)
    assert text.startswith("compile:m@cuda-sm_80: the 'mlir' engine builds for the host CPU only")
    assert 'engine = "iree"' in text and "target=host" in text

    monkeypatch.setenv("INTEGRATOR_ENGINE", "iree")
    monkeypatch.setenv("INTEGRATOR_IREE_PIPELINE", "cpu-sync")  # a CPU pipeline for a CUDA build
    with pytest.raises(StageError) as raised:
        IreeEngine().pipeline(Build.of(project, model))
    text = str(raised.value)
    assert "IREE pipeline 'cpu-sync' (runtime device 'local-sync') is for host builds" in text
    assert "iree_pipeline=cuda-default" in text


def test_cuda_arch_names():
    assert is_cuda_arch("sm_80") and is_cuda_arch("sm_90a") and is_cuda_arch("sm_120")
    assert not is_cuda_arch("ampere") and not is_cuda_arch("sm_") and not is_cuda_arch("znver4")
    assert make_target("CUDA", None) == Target("cuda", "sm_80")
    assert make_target("host", "sm_90") == HOST


def test_tuning_specs_and_choices_are_keyed_by_gpu_arch(tmp_path, monkeypatch):
    """``schedules/tuning/sm_80/`` is looked up for sm_80 builds as ``<cpu>/`` is for the host
    (then ``cuda/``, for every CUDA arch); the host's directories never apply to GPU code."""
    from integrator.tuning.library import library_files, tuning_specs
    from integrator.tuning.specs import arch_chain

    assert arch_chain("sm_80") == ["sm_80", "cuda"]
    monkeypatch.setenv("INTEGRATOR_TARGET_CPU", "znver4")
    project = _project(tmp_path, "[tool.integrator.tuning]\nspecs = []\n")
    tuning = tmp_path / "schedules" / "tuning"
    for arch in ("sm_80", "cuda", "znver4"):
        (tuning / arch).mkdir(parents=True)
        (tuning / arch / f"spec_{arch}.mlir").write_text("// a spec\n")
    (tuning / "sm_80" / "m.toml").write_text('iree-pipeline = "cuda-plain"\n')
    (tuning / "znver4" / "m.toml").write_text('iree-pipeline = "cpu-plain"\n')
    sm_80, sm_90 = Target("cuda", "sm_80"), Target("cuda", "sm_90")
    assert [s.arch for s in tuning_specs(project, sm_80)] == ["sm_80", "cuda"]
    assert [s.arch for s in tuning_specs(project, sm_90)] == ["cuda"]
    assert [s.arch for s in tuning_specs(project)] == ["znver4"]
    assert library_files(project, sm_80)[0] == project.cache / "tuning" / "sm_80" / "library.mlirbc"

    model = ModelFile("m", tmp_path / "m.py")
    assert Build.of(project, model).selection.iree_pipeline == "cpu-plain"
    monkeypatch.setenv("INTEGRATOR_TARGET", "cuda")
    assert Build.of(project, model).selection.iree_pipeline == "cuda-plain"
    build = Build.of(project, model)
    assert library_files(project, sm_80)[0] in STAGES["compile"].inputs(build)  # edits rebuild
    monkeypatch.setenv("INTEGRATOR_CUDA_ARCH", "sm_90")
    assert Build.of(project, model).selection.iree_pipeline == "cuda-default"


def test_the_report_covers_only_builds_that_can_run_here(tmp_path, monkeypatch):
    from integrator.core.stages import report_builds

    project = _project(tmp_path)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "m.py").write_text("")
    monkeypatch.setenv("INTEGRATOR_TARGET", "cuda")
    assert [b.name for b in report_builds(project)] == ([] if NO_GPU else ["m"])


# --- through doit, with the real compiler ----------------------------------------------------


def _fast_bench(project, *baselines: str):
    project.only_baselines(*(baselines or ("torch_eager",)))
    project.edit_pyproject("seconds = 2.0 ", "seconds = 0.2 ")
    return project


@needs_no_gpu
def test_switching_target_keeps_both_builds_and_switching_back_runs_nothing(make_project):
    """The MLP for the host, then for CUDA (compiled here; check and bench skipped, once),
    then the host again and CUDA again: nothing re-runs, both binaries stay."""
    project = _fast_bench(make_project("mlp"))
    host = project.doit("run", "bench:mlp")
    assert host.returncode == 0, host.stderr
    host_files = {p: p.read_bytes() for p in (project.cache / "mlp").glob("*.json")
                  if not p.name.endswith("stats.json")}

    cuda = project.doit("run", "bench:mlp", "target=cuda")
    assert cuda.returncode == 0, cuda.stderr
    # import and schedule are shared: only the target-dependent stages run
    assert cuda.executed == {"compile:mlp@cuda-sm_80", "check:mlp@cuda-sm_80", "bench:mlp@cuda-sm_80"}
    assert cuda.results["bench:mlp"] == "up-to-date"  # the plain name: an alias, runs nothing
    for stage in ("check", "bench"):
        said = cuda.outputs[f"{stage}:mlp@cuda-sm_80"]
        assert f"{stage}:mlp@cuda-sm_80: skipped: no CUDA device" in said, said
    build = project.cache / "mlp" / "cuda-sm_80"
    assert (build / "module.vmfb").is_file() and (project.cache / "mlp" / "module.vmfb").is_file()
    assert not (build / "check.json").exists() and not (build / "bench.json").exists()

    back = project.doit("run", "bench:mlp")
    assert back.returncode == 0, back.stderr
    assert back.executed == set(), back.results
    assert {p: p.read_bytes() for p in host_files} == host_files  # the host's results, untouched

    again = project.doit("run", "bench:mlp", env={"INTEGRATOR_TARGET": "cuda"})
    assert again.returncode == 0, again.stderr
    assert again.executed == set(), again.results  # the skip was said once
    assert "skipped" not in again.stderr


def test_a_cuda_compile_of_the_mlp_needs_no_gpu(make_project):
    """Real iree-compile for sm_80 on this machine, whether or not it has a GPU."""
    project = make_project("mlp")
    run = project.doit("run", "compile:mlp", "target=cuda", "cuda_arch=sm_80")
    assert run.returncode == 0, run.stderr
    assert run.executed == {"import:mlp", "schedule:mlp", "compile:mlp@cuda-sm_80"}
    build = project.cache / "mlp" / "cuda-sm_80"
    assert (build / "module.vmfb").stat().st_size > 1000
    record = json.loads((build / "compile.json").read_text())
    assert record["target"] == "cuda" and record["cuda_arch"] == "sm_80"
    assert record["device"] == "cuda" and record["pipeline"] == "cuda-default"
    assert "--iree-hal-target-device=cuda" in record["flags"]
    assert "--iree-cuda-target=sm_80" in record["flags"]
    assert not (project.cache / "mlp" / "module.vmfb").exists()  # no host build was asked for
    listing = project.doit("list", "--all", env={"INTEGRATOR_TARGET": "cuda"}).stderr
    assert "compile:mlp@cuda-sm_80" in listing


def test_bad_target_selections_fail_the_compile_with_a_clear_message(make_project):
    project = make_project("mlp")
    run = project.doit("run", "compile:mlp", "target=tpu")
    assert run.returncode != 0
    error = run.errors["compile:mlp@tpu"]
    assert "compile:mlp@tpu: unknown target 'tpu'; known: host, cuda" in error
    run = project.doit("run", "compile:mlp", "target=cuda", "engine=mlir")
    assert run.returncode != 0
    error = run.errors["compile:mlp@cuda-sm_80"]
    assert "the 'mlir' engine builds for the host CPU only" in error and "hint:" in error
    # IREE 3.13 (pinned) has no sm_90 target (H100, H200): the hint names an arch it knows.
    run = project.doit("run", "compile:mlp", "target=cuda", "cuda_arch=sm_90")
    assert run.returncode != 0
    error = run.errors["compile:mlp@cuda-sm_90"]
    assert "missing GPU target" in error and "cuda_arch=sm_89" in error


@needs_gpu
def test_the_mlp_checks_and_benches_against_torch_on_the_gpu(make_project):
    """Only where iree.runtime has a CUDA device and torch has CUDA: the CUDA build of the MLP
    against torch eager on the GPU, and the bench beside torch on the same GPU."""
    project = _fast_bench(make_project("mlp"), "torch_eager", "torch_compile")
    run = project.doit("run", "bench:mlp", "target=cuda")
    assert run.returncode == 0, run.stderr
    build = project.cache / "mlp" / "cuda-sm_80"
    check = json.loads((build / "check.json").read_text())
    assert check["passed"] and check["target"] == "cuda" and check["device"]
    bench = json.loads((build / "bench.json").read_text())
    assert bench["target"] == "cuda-sm_80" and bench["device"] == check["device"]
    for system in ("iree", "torch_eager", "torch_compile"):
        assert bench["systems"][system]["median_ms"] > 0, (system, bench["systems"][system])
    assert bench["systems"]["torch_eager"]["max_abs_error_vs_reference"] < 1e-3


def test_the_report_holds_a_gpu_build_against_its_gpu_peak(tmp_path):
    """A CUDA build's rates are shares of its GPU's peak (per GPU model), never of the CPU's;
    the report names the target and the GPU."""
    from integrator.core.artifacts import write_json
    from integrator.measure.report import build_report

    def system(gflops):
        return {"median_ms": 1.0, "p90_ms": 1.0, "iqr_ms": 0.0, "samples": 10, "gflops_per_s": gflops}

    bench = {"model": "m", "engine": "iree", "threads": 2, "host_cpu": "znver4", "baseline": None,
             "target": "cuda-sm_80", "device": "NVIDIA H200",
             "systems": {"iree": system(500.0), "torch_eager": system(1500.0)}}
    write_json(tmp_path / "bench.json", bench)
    write_json(tmp_path / "peak.json", {"threads": 2, "gflops_per_s": 100.0})
    write_json(tmp_path / "gpu.json", {"gflops_per_s": 1000.0, "fp32_gflops_per_s": 600.0,
                                       "tf32_gflops_per_s": 1000.0, "size": 8192,
                                       "basis": "fp32 matmul, TF32 on", "iree_device": "NVIDIA H200"})
    table = build_report([tmp_path / "bench.json"], [], tmp_path / "peak.json",
                         markdown=tmp_path / "r.md", chart=tmp_path / "r.png", root=tmp_path,
                         gpu_peak_files=[tmp_path / "gpu.json"])
    lines = {line.split("|")[2].strip(): line for line in table.splitlines()[2:]}
    assert "| cuda-sm_80 |" in lines["iree"] and "| 50% |" in lines["iree"]
    assert "> peak" in lines["torch_eager"]
    text = (tmp_path / "r.md").read_text()
    assert "- GPU: NVIDIA H200 (cuda-sm_80); peak 1000 GFLOP/s" in text
