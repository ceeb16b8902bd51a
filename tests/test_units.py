"""Library pieces on known data: comparison, statistics, settings, atomic writes, pipelines."""

import platform
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from integrator.core.artifacts import atomic_outputs
from integrator.measure.check import compare
from integrator.core.errors import StageError
from integrator.ingress.models import ModelFile, ModelSettings, discover, read_settings
from integrator.scheduling.pipelines import get_pipeline
from integrator.core.project import load_project
from integrator.core.build import Build
from integrator.engines.iree import IreeEngine
from integrator.measure.stats import summarize

REPO = Path(__file__).resolve().parent.parent


def test_compare_passes_within_tolerance():
    want = [np.array([1.0, -2.0, 0.0], dtype=np.float32)]
    got = [want[0] + np.float32(1e-6)]
    result = compare(got, want, atol=1e-5, rtol=1e-5)
    assert result["passed"]
    assert result["max_abs_error"] == pytest.approx(1e-6, rel=0.1)
    assert result["max_rel_error"] == pytest.approx(0.5e-6, rel=0.1)  # relative to max |want| = 2


def test_compare_reports_worst_element():
    want = [np.zeros((2, 3), dtype=np.float32)]
    got = [want[0].copy()]
    got[0][1, 2] = 0.5
    result = compare(got, want, atol=1e-3, rtol=1e-3)
    assert not result["passed"]
    assert result["outputs"][0]["worst"]["index"] == [1, 2]
    assert result["outputs"][0]["mismatched"] == 1
    assert "1 of 6 elements" in result["reason"]


def test_compare_shape_and_count_mismatch():
    want = [np.zeros((2, 3), dtype=np.float32)]
    assert not compare([np.zeros((3, 2))], want, atol=1, rtol=1)["passed"]
    assert not compare([], want, atol=1, rtol=1)["passed"]


def test_summarize_known_samples():
    stats = summarize([float(x) for x in range(1, 11)])  # 1..10
    assert stats["median_ms"] == 5.5
    assert stats["min_ms"] == 1.0
    assert stats["p10_ms"] == pytest.approx(1.9)
    assert stats["p90_ms"] == pytest.approx(9.1)
    assert stats["samples"] == 10 and len(stats["raw_ms"]) == 10


def test_settings_are_read_without_running_the_file(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("import does_not_exist\nATOL = 1e-2\nIREE_FLAGS = ['--x']\nSEED = 7\n")
    settings = read_settings(path)
    assert settings == ModelSettings(atol=1e-2, seed=7, iree_flags=("--x",))


def test_non_literal_setting_is_an_error(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("import math\nATOL = math.sqrt(2)\n")
    with pytest.raises(ValueError, match="m.py:2: setting ATOL must be a plain literal"):
        read_settings(path)


def test_discover_keeps_broken_files_with_their_error(tmp_path):
    (tmp_path / "good.py").write_text("RTOL = 0.1\n")
    (tmp_path / "broken.py").write_text("class Model(\n")
    (tmp_path / "_helper.py").write_text("")
    found = {m.name: m for m in discover([tmp_path])}
    assert set(found) == {"good", "broken"}
    assert found["good"].settings.rtol == 0.1
    assert "syntax error" in found["broken"].settings_error


def test_atomic_outputs_leave_nothing_on_failure(tmp_path):
    final = tmp_path / "out.bin"
    with pytest.raises(RuntimeError):
        with atomic_outputs(final) as temp:
            temp.write_text("half written")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
    with atomic_outputs(final) as temp:
        temp.write_text("done")
    assert final.read_text() == "done"


def compile_flags(project, model) -> list[str]:
    """The flags of the model's IREE build that shape its code (pipeline, specs, extra flags)."""
    return IreeEngine().code_flags(Build.of(project, model))


def test_unknown_pipeline_names_model_and_stage(tmp_path):
    project = load_project(REPO)
    model = ModelFile("m", tmp_path / "m.py", ModelSettings(iree_pipeline="nope"))
    with pytest.raises(StageError, match=r"compile:m: unknown IREE pipeline 'nope'"):
        compile_flags(project, model)
    assert get_pipeline(project.schedules, "cpu-default").flags


def test_progress_is_silent_unless_on_a_terminal(capsys, monkeypatch):
    from integrator.core import progress

    monkeypatch.setenv("INTEGRATOR_PROGRESS", "0")
    with progress.elapsed("compile:m", every=0.01), progress.bar(3, "bench:m") as bar:
        bar.update(3)
    assert capsys.readouterr().err == ""

    monkeypatch.setenv("INTEGRATOR_PROGRESS", "1")
    with progress.elapsed("compile:m", every=0.01):
        import time

        time.sleep(0.05)
    err = capsys.readouterr().err
    assert "compile:m" in err and "done in" in err


def test_iree_pipeline_with_a_transform_library(tmp_path):
    from integrator.core.stages import STAGES

    (tmp_path / "pyproject.toml").write_text("[tool.integrator]\n")
    schedules = tmp_path / "schedules"
    schedules.mkdir()
    (schedules / "lib.mlir").write_text("module {}\n")
    (schedules / "pipelines.toml").write_text(
        '[iree.with-library]\nflags = ["--iree-opt-level=O2"]\n'
        'transform-library = "lib.mlir"\ntransform-sequence = "codegen"\n'
    )
    project = load_project(tmp_path)
    model = ModelFile("m", tmp_path / "m.py", ModelSettings(iree_pipeline="with-library"))
    library = (schedules / "lib.mlir").resolve()
    assert compile_flags(project, model) == [
        "--iree-opt-level=O2",
        f"--iree-codegen-transform-dialect-library={library}@codegen",
    ]
    assert library in STAGES["compile"].inputs(Build.of(project, model))  # edits rebuild


def test_selection_precedence(tmp_path, monkeypatch):
    from integrator.core.selection import select

    (tmp_path / "pyproject.toml").write_text(
        '[tool.integrator]\nengine = "iree"\n[tool.integrator.overrides.b]\nengine = "mlir"\n'
    )
    project = load_project(tmp_path)
    a = ModelFile("a", tmp_path / "a.py", ModelSettings(engine="mlir", schedule="matmul"))
    b = ModelFile("b", tmp_path / "b.py", ModelSettings(engine="iree"))
    plain = ModelFile("c", tmp_path / "c.py")
    assert select(project, a).engine == "mlir" and select(project, a).schedule == "matmul"
    assert select(project, b).engine == "mlir"  # pyproject overrides the model file
    assert select(project, b).schedule == "default"  # the upstream engine's default schedule
    assert select(project, plain).engine == "iree" and select(project, plain).schedule is None
    monkeypatch.setenv("INTEGRATOR_ENGINE", "iree")
    monkeypatch.setenv("INTEGRATOR_SCHEDULE", "none")
    assert select(project, b).engine == "iree" and select(project, a).schedule is None


def test_sidecar_settings_override_and_are_checked(tmp_path):
    model = tmp_path / "m.py"
    model.write_text("ATOL = 1e-2\nSEED = 7\n")
    (tmp_path / "m.toml").write_text('atol = 0.5\niree-flags = ["--y"]\n')
    assert read_settings(model) == ModelSettings(atol=0.5, seed=7, iree_flags=("--y",))

    graph = tmp_path / "g.onnx"
    graph.write_bytes(b"")
    (tmp_path / "g.toml").write_text("int-range = [0, 20]\n[dims]\nbatch = 4\n")
    settings = read_settings(graph)
    assert settings.dims == {"batch": 4} and settings.int_range == (0, 20)

    (tmp_path / "m.toml").write_text("[dims]\nbatch = 1\n")
    with pytest.raises(ValueError, match="setting 'dims' does not apply to torch models"):
        read_settings(model)
    (tmp_path / "g.toml").write_text("atoll = 1\n")
    with pytest.raises(ValueError, match="unknown settings: atoll"):
        read_settings(graph)
    (tmp_path / "g.toml").write_text("seed = true\n")
    with pytest.raises(ValueError, match="setting 'seed' has the wrong type"):
        read_settings(graph)


def test_random_inputs_are_seeded_and_typed():
    from integrator.ingress.inputs import random_inputs

    specs = [([2, 3], "float32"), ([4], "int64"), ([5], "bool"), ([3], "uint8")]
    first = random_inputs(specs, seed=1, int_range=(-3, 3))
    again = random_inputs(specs, seed=1, int_range=(-3, 3))
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert [a.dtype for a in first] == [np.float32, np.int64, np.bool_, np.uint8]
    assert first[1].min() >= -3 and first[1].max() < 3 and first[3].min() >= 0
    assert not np.array_equal(first[0], random_inputs(specs, seed=2, int_range=(0, 2))[0])


def test_unsupported_ops_are_named_from_compiler_output():
    from integrator.engines.iree import unsupported_ops

    text = (
        "m.py:9:0: error: failed to legalize operation 'torch.operator' that was explicitly "
        'marked illegal: %2 = "torch.operator"(%0) <{name = "torch.aten.median.dim"}> : ...\n'
        "m.py:12:0: error: failed to legalize operation 'torch.aten.foo': ...\n"
    )
    assert unsupported_ops(text) == ["torch.aten.median.dim (m.py:9)", "torch.aten.foo (m.py:12)"]
    assert unsupported_ops("error: something else") == []
    constant = "m.py:4:0: error: failed to legalize operation 'torch.constant.int': ...\n"
    assert unsupported_ops(constant + text) == ["torch.aten.median.dim (m.py:9)", "torch.aten.foo (m.py:12)"]
    assert unsupported_ops(constant) == ["an op taking torch.constant.int (m.py:4) as an argument"]


def test_raw_mlir_bytecode_imports_with_inputs_from_its_signature(tmp_path):
    from iree.compiler import ir

    from integrator.ingress.importer import import_model

    module = ir.Module.parseFile(str(REPO / "tests" / "models" / "mlir_multi.mlir"), ir.Context())
    with open(tmp_path / "multi.mlirbc", "wb") as f:
        module.operation.write_bytecode(f)
    (model,) = discover([tmp_path])
    assert model.format == "mlir"
    out = tmp_path / "out"
    record, _ = import_model(model, output=out / "import.mlirbc", reference=out / "reference.npz",
                             info=out / "import.json")
    assert record["entry"] == "main" and record["reference"] is None
    assert [(i["shape"], i["dtype"]) for i in record["inputs"]] == [
        ([6], "int32"), ([6], "bool"), ([6], "float32")]
    with np.load(out / "reference.npz") as arrays:
        assert sorted(arrays) == ["input_0", "input_1", "input_2"]

    (tmp_path / "multi.toml").write_text('entry = "other"\n')  # the sidecar picks another
    (model,) = discover([tmp_path])
    record, _ = import_model(model, output=out / "import.mlirbc", reference=out / "reference.npz",
                             info=out / "import.json")
    assert record["entry"] == "other" and record["inputs"] == [{"shape": [2], "dtype": "float32"}]
    (tmp_path / "multi.toml").write_text('entry = "twice"\n')  # private: not an entry
    (model,) = discover([tmp_path])
    with pytest.raises(StageError, match="entry 'twice' is not a public function"):
        import_model(model, output=out / "import.mlirbc", reference=out / "reference.npz",
                     info=out / "import.json")


def test_family_defaults_apply_to_a_cpu_name_without_a_directory(tmp_path, monkeypatch):
    """A CPU the shipped library has never seen still gets the defaults for its vector width
    (x86_64-avx512 / x86_64-avx2), then the family's; its own directory would come first."""
    from integrator.core.selection import select
    from integrator.tuning.specs import arch_chain, family

    monkeypatch.setenv("INTEGRATOR_TARGET_CPU", "brand-new-cpu")
    (tmp_path / "pyproject.toml").write_text('[tool.integrator]\n[tool.integrator.tuning]\nspecs = []\n')
    (tmp_path / "schedules").mkdir()
    shutil.copy(REPO / "schedules" / "pipelines.toml", tmp_path / "schedules" / "pipelines.toml")
    project = load_project(tmp_path)
    model = ModelFile("m", tmp_path / "m.py")
    chain = arch_chain("brand-new-cpu")
    assert chain[0] == "brand-new-cpu" and chain[-1] == family()
    assert select(project, model).iree_pipeline == "cpu-default"  # nothing shipped yet
    for arch, pipeline in ((family(), "cpu-plain"), (chain[-2], "cpu-ukernels"),
                           ("brand-new-cpu", "cpu-early-dt")):
        directory = tmp_path / "schedules" / "tuning" / arch
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "m.toml").write_text(f'iree-pipeline = "{pipeline}"\n')
        assert select(project, model).iree_pipeline == pipeline, arch


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="x86-64 vector levels")
def test_vector_level_follows_the_target_cpu_not_the_host(monkeypatch, tmp_path):
    """Cross-compiling for another CPU takes that CPU's vector level from the compiler:
    AVX-512 tiles must not reach haswell code, whatever the host has."""
    from integrator.tuning.specs import arch_chain

    from integrator.core.host import target_features

    monkeypatch.setenv("INTEGRATOR_TARGET_CPU", "haswell")
    assert arch_chain("haswell", tmp_path) == ["haswell", "x86_64-avx2", "x86_64"]
    monkeypatch.setenv("INTEGRATOR_TARGET_CPU", "skylake-avx512")
    assert arch_chain("skylake-avx512") == ["skylake-avx512", "x86_64-avx512", "x86_64"]
    # The answer is kept in the cache: a later process does not run the compiler again.
    assert "haswell@" in (tmp_path / "host" / "cpu-features.json").read_text()
    target_features.cache_clear()
    monkeypatch.setattr("integrator.core.host.probe_target", lambda cpu: pytest.fail("probed again"))
    monkeypatch.setenv("INTEGRATOR_TARGET_CPU", "haswell")
    assert arch_chain("haswell", tmp_path)[1] == "x86_64-avx2"


def test_report_never_shows_more_than_the_peak(tmp_path):
    """A rate above the peak says the peak is wrong; an effective (Winograd) rate is not
    held against it."""
    from integrator.core.artifacts import write_json
    from integrator.measure.report import build_report

    def system(ms, gflops, **extra):
        return {"median_ms": ms, "p90_ms": ms, "iqr_ms": 0.0, "samples": 10,
                "gflops_per_s": gflops, **extra}

    bench = {"model": "m", "engine": "iree", "threads": 2, "host_cpu": "x86-64", "baseline": None,
             "systems": {"iree": system(1.0, 150.0, effective_gflops="Winograd"),
                         "onnxruntime": system(1.2, 120.0), "torch_eager": system(2.0, 50.0)}}
    write_json(tmp_path / "bench.json", bench)
    write_json(tmp_path / "peak.json", {"threads": 2, "gflops_per_s": 100.0})
    table = build_report([tmp_path / "bench.json"], [], tmp_path / "peak.json",
                         markdown=tmp_path / "r.md", chart=tmp_path / "r.png", root=tmp_path)
    lines = {line.split("|")[2].strip(): line for line in table.splitlines()[2:]}
    assert "150.0 (effective)" in lines["iree"] and "%" not in lines["iree"]
    assert "> peak" in lines["onnxruntime"]
    assert "| 50% |" in lines["torch_eager"]
    assert "the peak is wrong**: measured above it: m/onnxruntime 120.0" in (tmp_path / "r.md").read_text()


def test_a_kill_near_the_memory_limit_is_named_out_of_memory():
    from integrator.core.crash import describe_exit

    gb = 2**30
    kind, line = describe_exit(-9, stage="check", peak_rss=21 * gb, available=23 * gb,
                               oom_before=None, oom_after=None)
    assert kind == "out of memory"
    assert "ran out of memory while running the check stage (peak ~21.0 GiB of 23.0 GiB available)" in line
    # the cgroup's own count wins where there is one
    kind, _ = describe_exit(-9, stage="check", peak_rss=1 * gb, available=23 * gb,
                            oom_before=3, oom_after=4)
    assert kind == "out of memory"
    kind, line = describe_exit(-9, stage="bench", peak_rss=1 * gb, available=23 * gb,
                               oom_before=None, oom_after=None)
    assert kind == "killed by SIGKILL" and "peak memory ~1.0 GiB" in line
    assert describe_exit(3, stage="import", peak_rss=0, available=None, oom_before=None,
                         oom_after=None)[0] == "exit code 3"


def test_chunked_compare_finds_one_wrong_element_in_a_large_output():
    from integrator.measure import check

    want = np.linspace(-1, 1, 17 * (check.CHUNK // 5), dtype=np.float32).reshape(-1, 17)
    got = want.copy()
    got[-2, 5] += 0.5  # in the last chunk
    result = compare([got], [want], atol=1e-4, rtol=1e-4)
    out = result["outputs"][0]
    assert not result["passed"] and out["mismatched"] == 1
    assert out["worst"]["index"] == [want.shape[0] - 2, 5]
    assert abs(out["max_abs_error"] - 0.5) < 1e-6
    got[0, 0] = np.nan  # NaN is a mismatch, and the worst
    out = compare([got], [want], atol=1e-4, rtol=1e-4)["outputs"][0]
    assert out["mismatched"] == 2 and out["worst"]["index"] == [0, 0]


def test_flops_are_counted_on_the_exported_graph_against_analytic_counts():
    """What the compiler gets, on fake tensors: a conv, a matmul, an MLP and multi-head
    attention (whose eval-mode fast path an eager count misses)."""
    import torch

    from integrator.ingress.from_torch import _decomposition_table, count_flops

    def flops(module, *inputs):
        exported = torch.export.export(module.eval(), inputs).run_decompositions(_decomposition_table(True))
        return count_flops(exported, list(inputs))

    class MatMul(torch.nn.Module):
        def forward(self, a, b):
            return a @ b

    class Attention(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.att = torch.nn.MultiheadAttention(256, 4, batch_first=True)

        def forward(self, x):
            return self.att(x, x, x, need_weights=False)[0]

    conv = torch.nn.Conv2d(3, 8, 3, padding=1)
    assert flops(conv, torch.randn(2, 3, 16, 16)) == 2 * 2 * 8 * 16 * 16 * 3 * 9
    assert flops(MatMul(), torch.randn(33, 17), torch.randn(17, 5)) == 2 * 33 * 17 * 5
    mlp = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    assert flops(mlp, torch.randn(4, 64)) == 2 * 4 * (64 * 128 + 128 * 10)
    projections = 4 * 2 * 64 * 256 * 256  # q, k, v and out
    attention = 2 * 2 * 64 * 64 * 256  # scores and weighted values, over the 4 heads
    assert flops(Attention(), torch.randn(1, 64, 256)) == projections + attention


def test_report_says_when_each_result_was_measured(tmp_path):
    from integrator.core.artifacts import write_json
    from integrator.measure.report import build_report

    def system(ms):
        return {"median_ms": ms, "p10_ms": ms * 0.9, "p90_ms": ms * 1.2, "iqr_ms": 0.1, "samples": 10}

    with_baseline = {"model": "a", "engine": "iree", "threads": 2, "host_cpu": "x86-64",
                     "baseline": "torch_eager", "measured_at": "2026-11-30T00:10",
                     "systems": {"iree": {**system(1.0), "ratio_to_baseline": 0.5},
                                 "torch_eager": {**system(2.0), "ratio_to_baseline": 1.0}}}
    without = {"model": "b", "engine": "iree", "threads": 2, "host_cpu": "x86-64", "baseline": None,
               "measured_at": "2026-11-29T23:50", "systems": {"iree": system(3.0)}}
    write_json(tmp_path / "a.json", with_baseline)
    write_json(tmp_path / "b.json", without)
    table = build_report([tmp_path / "a.json", tmp_path / "b.json"], [], None,
                         markdown=tmp_path / "r.md", chart=tmp_path / "r.png", root=tmp_path)
    assert table.splitlines()[0].endswith("| measured |")
    assert "2026-11-30T00:10 |" in table and "2026-11-29T23:50 |" in table
    assert (tmp_path / "r.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("shape,dim", [((7, 9), 1), ((7, 9), 0), ((3, 1, 5), 2), ((2, 16), -1), ((1,), 0)])
def test_bitonic_sort_is_the_stable_sort(shape, dim):
    import torch

    from integrator.ingress.sorting import bitonic_sort

    torch.manual_seed(0)
    for x in (torch.randn(shape), torch.randint(-3, 3, shape)):  # floats, and ints with ties
        values, indices = bitonic_sort(x, dim)
        want = torch.sort(x, dim=dim, stable=True)
        assert torch.equal(values, want.values) and torch.equal(indices, want.indices)


FAULTS_PER_FREED_ARRAY = """
import resource, sys
from integrator.measure.allocator import keep_freed_memory
keep_freed_memory(int(sys.argv[1]))
import numpy as np
for _ in range(3):
    a = np.ones(16 * 2**20, np.float32); del a
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    a = np.ones(16 * 2**20, np.float32); del a  # 64 MB, every page written
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's malloc")
def test_timed_processes_keep_freed_memory_instead_of_faulting_it_in_again():
    """A 64 MB temporary allocated and freed call after call is not page-faulted in again
    (torch eager's conv_transpose3d_grouped: ~8,700 faults per call under glibc's defaults)."""
    def faults(top_pad):
        run = subprocess.run([sys.executable, "-c", FAULTS_PER_FREED_ARRAY, str(top_pad)],
                             capture_output=True, text=True, cwd=Path(__file__).parent.parent)
        assert run.returncode == 0, run.stderr
        return float(run.stdout)

    assert faults(256 * 2**20) < 10  # of 16,384 pages
