"""Baselines, statistics and the report, on small models' real bench results."""

import json

import pytest

from integrator.core.project import BenchSettings
from integrator.measure.bench import samples_per_round
from integrator.measure.stats import summarize

SYSTEMS = ["iree", "torch_eager", "torch_compile", "onnxruntime"]


def test_statistics_on_known_samples():
    steady = summarize([10.0, 10.1, 9.9, 10.0, 10.2, 9.8, 10.0, 50.0])  # one preempted call
    assert steady["median_ms"] == 10.0
    assert steady["iqr_ms"] == pytest.approx(0.15)  # p75 10.125 - p25 9.975
    assert steady["cv"] > 0.5  # the outlier inflates std/mean ...
    assert not steady["noisy"]  # ... but not the spread that the median depends on
    spread = summarize([5.0, 10.0, 15.0, 20.0])
    assert spread["iqr_ms"] == 7.5 and spread["noisy"]
    # A slow period that lasts whole rounds: each round is tight, so the IQR of all samples
    # is small, but the median is that of the slow rounds (seen on ResNet-50 here).
    rounds = [[48.9, 45.5, 49.4, 48.0], [66.2, 66.2, 67.7, 67.8, 68.0, 66.1], [66.3, 66.3, 67.3, 66.0, 66.9, 66.7]]
    shifted = summarize(sum(rounds, []), rounds=rounds)
    assert shifted["iqr_ms"] < 0.1 * shifted["median_ms"]
    assert shifted["rounds_disagree"] and shifted["noisy"]
    assert shifted["round_medians_ms"] == [48.45, 66.95, 66.5]
    steady_rounds = summarize([10.0, 10.1, 9.9, 10.0], rounds=[[10.0, 10.1], [9.9, 10.0]])
    assert not steady_rounds["noisy"] and not steady_rounds["rounds_disagree"]


def test_sample_count_adapts_to_latency_within_bounds():
    settings = BenchSettings(rounds=3, min_samples=10, max_samples=200, seconds=3.0)
    assert samples_per_round(settings, [50.0]) == 20  # 1 s per round at 50 ms
    assert samples_per_round(settings, [0.01]) == 66  # capped: 200 // 3
    assert samples_per_round(settings, [5000.0]) == 4  # floor: ceil(10 / 3)


def test_all_systems_report_and_the_report_renders(make_project):
    project = make_project("mlp")
    run = project.doit("run", "bench:mlp", "report")
    assert run.returncode == 0, run.stderr
    bench = json.loads((project.cache / "mlp" / "bench.json").read_text())
    assert list(bench["systems"]) == SYSTEMS
    assert bench["allocator"] == "M_MMAP_THRESHOLD=33554432 M_TOP_PAD=268435456"  # one for all systems
    for name in SYSTEMS:
        result = bench["systems"][name]
        assert "error" not in result, result
        assert result["median_ms"] > 0 and result["gflops_per_s"] > 0
        if name != "iree":  # a baseline must compute the same thing as the reference
            assert result["max_abs_error_vs_reference"] < 1e-4

    peak = json.loads(next((project.cache / "host").glob("peak-*.json")).read_text())
    assert peak["threads"] == 2 and peak["gflops_per_s"] > 1
    # The peak is an upper bound: no system, and not the best sgemm, is faster.
    assert peak["gflops_per_s"] >= peak["gemm"]["gflops_per_s"]
    for name in SYSTEMS:
        assert bench["systems"][name]["gflops_per_s"] <= peak["gflops_per_s"], name

    markdown = (project.cache / "report" / "report.md").read_text()
    for name in SYSTEMS:
        assert f"| mlp | {name}" in markdown
    assert "arithmetic peak:" in markdown and "practical sgemm peak:" in markdown
    assert "commit:" in markdown
    assert "% peak" in run.outputs["report"]  # the table is printed
    png = (project.cache / "report" / "report.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000

    # Nothing changed: the report is not rebuilt. A new bench result rebuilds it.
    again = project.doit("run", "report")
    assert again.executed == set(), again.results
    project.doit("clean", "bench:mlp")
    rebuilt = project.doit("run", "report")
    assert rebuilt.executed == {"bench:mlp", "report"}


def test_failing_baseline_is_recorded_not_fatal(make_project):
    project = make_project("no_onnx")
    run = project.doit("run", "bench:no_onnx")
    assert run.returncode == 0, run.stderr
    systems = json.loads((project.cache / "no_onnx" / "bench.json").read_text())["systems"]
    assert "ConversionError" in systems["onnxruntime"]["error"]
    assert "\x1b" not in systems["onnxruntime"]["error"]  # no terminal colour codes
    assert all("median_ms" in systems[name] for name in ("iree", "torch_eager", "torch_compile"))
    assert "onnxruntime failed" in run.outputs["bench:no_onnx"]


def test_each_format_is_benched_against_its_own_baseline(make_project):
    """Python scalars reach the torch baselines; ONNX against onnxruntime; MLIR alone."""
    project = make_project("kb_scalars", "tiny_cnn", "matmul_relu")
    project.edit_pyproject("seconds = 2.0", "seconds = 0.3")
    run = project.doit("run", "bench", "report")
    assert run.returncode == 0, run.stderr

    scalars = json.loads((project.cache / "kb_scalars" / "bench.json").read_text())
    assert scalars["baseline"] == "torch_eager" and list(scalars["systems"]) == SYSTEMS
    for name in SYSTEMS[1:]:  # called with (x, 3.0, -1, True, None), they agree with eager
        assert scalars["systems"][name]["max_abs_error_vs_reference"] < 1e-4, scalars["systems"][name]

    cnn = json.loads((project.cache / "tiny_cnn" / "bench.json").read_text())
    assert cnn["baseline"] == "onnxruntime" and list(cnn["systems"]) == ["iree", "onnxruntime"]
    assert cnn["ratio_to_baseline"] == (
        cnn["systems"]["iree"]["median_ms"] / cnn["systems"]["onnxruntime"]["median_ms"])
    assert cnn["systems"]["onnxruntime"]["max_abs_error_vs_reference"] < 1e-5
    assert "x onnxruntime" in run.outputs["bench:tiny_cnn"]
    assert "not applicable to onnx models: torch_eager, torch_compile" in run.outputs["bench:tiny_cnn"]

    mlir = json.loads((project.cache / "matmul_relu" / "bench.json").read_text())
    assert mlir["baseline"] is None and list(mlir["systems"]) == ["iree"]
    assert mlir["ratio_to_baseline"] is None and mlir["systems"]["iree"]["median_ms"] > 0

    markdown = (project.cache / "report" / "report.md").read_text()
    assert "x onnxruntime |" in markdown and "x torch_eager |" in markdown
    assert "| matmul_relu | iree" in markdown and "no reference" in markdown


def test_report_shows_the_check_verdict_for_every_engine():
    """The compiled system is named after its engine: the upstream engine's and an external
    runner's builds get their check verdict, not a baseline's 'ref err'."""
    from integrator.measure.report import COLUMNS, rows

    check = COLUMNS.index("check")
    timing = {"median_ms": 1.0, "p90_ms": 1.1, "iqr_ms": 0.1, "samples": 10}
    for engine in ("iree", "mlir", "iree-cli"):
        bench = {"model": "m", "engine": engine, "baseline": "torch_eager",
                 "systems": {engine: dict(timing), "torch_eager": dict(timing, max_abs_error_vs_reference=0.0)}}
        table = rows([bench], {"m": {"passed": True, "verdict": "pass", "max_rel_error": 1e-7}}, None)
        assert table[0][check].startswith("pass (max rel err"), (engine, table[0])
        assert table[1][check].startswith("ref err"), (engine, table[1])


SLOW = '''
import torch

class Model(torch.nn.Module):
    def forward(self, a, b):
        for _ in range(4):
            a = torch.tanh(a @ b)
        return a

def get_init_inputs():
    return []

def get_inputs():
    return [torch.randn(512, 512), torch.randn(512, 512) / 20]
'''


def test_a_system_too_slow_for_the_budget_benches_in_bounded_time(make_project):
    """With a budget that cannot hold min-samples calls, each system takes one sample per
    round after one warm-up call, and says it is low-sample."""
    project = make_project().only_baselines("torch_eager")
    project.edit_pyproject("seconds = 2.0 ", "seconds = 0.0001 ")
    project.write_model("slow", SLOW)
    run = project.doit("run", "bench:slow")
    assert run.returncode == 0, run.stderr
    bench = json.loads((project.cache / "slow" / "bench.json").read_text())
    for name in ("iree", "torch_eager"):
        result = bench["systems"][name]
        assert result["samples"] == 3 and result["low_samples"], (name, result)
    assert "LOW-SAMPLE" in run.outputs["bench:slow"]
