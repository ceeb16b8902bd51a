"""Check and bench prebuilt CUDA builds on a GPU machine that has torch but no IREE compiler.

Compiling for CUDA needs no GPU (``doit run compile:<m> target=cuda``), so the builds are made
here and carried, with the ``iree-base-runtime`` wheel for the GPU machine's Python, to a
machine with a GPU (README: "Verifying on a GPU"). Two steps:

    # here (tiny_conv, a conv net, is a test model: INTEGRATOR_MODELS=models:tests/models):
    doit run compile:mlp compile:tiny_conv compile:transformer_block target=cuda
    python benchmarks/gpu_verify.py pack gpu_carry --models mlp,tiny_conv,transformer_block

    # there (torch with CUDA; `pip install --no-index iree_base_runtime-*.whl` or
    # `pip install --target gpu_carry/site iree_base_runtime-*.whl` and PYTHONPATH=gpu_carry/site):
    python benchmarks/gpu_verify.py verify gpu_carry

``pack`` copies each model's CUDA module, compile record, reference (inputs and expected
outputs), import record and model file into ``<dir>/<model>/`` with the settings the check and
the torch baselines need, and says how large the whole is (a carry may be limited: ResNet-50
with its weights inlined is ~100 MB).

``verify`` uses the project's own code (``integrator`` from this checkout; it needs numpy,
torch and iree.runtime, not the compiler, doit or tqdm): the module runs through
``iree.runtime``'s ``cuda`` driver and is compared with the reference as the check stage does
(``measure/check.py``); then the bench stage's ``bench_model`` times it (inside
``iree-benchmark-module`` on the ``cuda`` device) against torch eager and torch.compile on the
same GPU (``measure/baselines.py``: model and inputs on the GPU, synchronized calls, warm-up,
interleaved rounds, the same statistics), and the GPU's peak (``measure/peak.py``: an fp32
matmul with TF32 off and on, the larger) gives % of peak. It prints one table and writes
``<dir>/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CARRY_LIMIT = 64 * 2**20  # what one carry to the GPU machine may hold in all


def pack(out: Path, models: list[str], cuda_arch: str | None) -> None:
    """Copy each model's CUDA build (built here) and what the check and bench need."""
    from integrator.core.build import Build
    from integrator.core.project import load_project
    from integrator.ingress.models import find_model

    os.environ["INTEGRATOR_TARGET"] = "cuda"
    if cuda_arch:
        os.environ["INTEGRATOR_CUDA_ARCH"] = cuda_arch
    project = load_project(ROOT)
    for name in models:
        build = Build.of(project, find_model(project, name))
        a = build.artifacts
        if build.model.format != "torch":
            raise SystemExit(f"{name}: only PyTorch models are verified against torch on the GPU")
        missing = [p for p in (a.compiled, a.compile_info, a.reference, a.import_info) if not p.exists()]
        if missing:
            raise SystemExit(f"{name}: {missing[0]} is not built; run `doit run "
                             f"{build.task('compile')}` (or `doit run compile:{name} target=cuda`) first")
        directory = out / name
        directory.mkdir(parents=True, exist_ok=True)
        for source in (a.compiled, a.compile_info, a.reference, a.import_info, build.model.path):
            shutil.copy(source, directory / source.name)
        settings = build.model.settings
        meta = {"model": name, "file": build.model.path.name, "target": build.target.label,
                "seed": settings.seed, "globals": settings.globals, "atol": settings.atol,
                "rtol": settings.rtol}
        (directory / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        size = sum(p.stat().st_size for p in directory.iterdir())
        print(f"{name}: {build.target.label}, {size / 2**20:.1f} MiB")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"{out}: {total / 2**20:.1f} MiB in all"
          + (f" -- over the {CARRY_LIMIT // 2**20} MiB a carry may hold" if total > CARRY_LIMIT else ""))


def _system_cells(result: dict) -> str:
    if "error" in result:
        return f"failed: {result['error'][:60]}"
    return f"{result['median_ms']:.4f} [p10 {result['p10_ms']:.4f}, p90 {result['p90_ms']:.4f}]"


def verify_model(directory: Path, settings, baselines: list[str]) -> dict:
    """Check one packed CUDA build on the GPU, then bench it beside the torch baselines."""
    from integrator.engines.iree import IreeModule
    from integrator.ingress.models import ModelFile, ModelSettings, build
    from integrator.measure.baselines import Subject
    from integrator.measure.bench import bench_model, compiled_timer
    from integrator.measure.check import check_compiled, load_reference

    meta = json.loads((directory / "meta.json").read_text())
    info = json.loads((directory / "import.json").read_text())
    record = json.loads((directory / "compile.json").read_text())
    module = IreeModule(directory / "module.vmfb", info["entry"], driver=record["device"])
    _, check = check_compiled(module, directory / "reference.npz", atol=meta["atol"], rtol=meta["rtol"])
    result = {"model": meta["model"], "target": meta["target"], "compile": record,
              "check": check}
    if not check["passed"]:
        return result | {"systems": {}}

    arrays, expected = load_reference(directory / "reference.npz")
    roles = [o.get("role", "output") for o in info["outputs"]]
    expected = [x for x, role in zip(expected, roles) if role == "output"]
    model = ModelFile(meta["model"], directory / meta["file"],
                      ModelSettings(seed=meta["seed"], globals=meta["globals"]))
    subject = Subject("torch", arrays, device="cuda")
    subject.torch_model, subject.torch_inputs = build(model, "bench")
    systems = bench_model(subject, expected, settings,
                          compiled={"iree": compiled_timer(module, settings.threads)},
                          baselines=baselines, baseline="torch_eager",
                          label=f"bench:{meta['model']}@{meta['target']}")
    flops = info.get("flops")
    for timing in systems.values():
        if flops and "median_ms" in timing:
            timing["gflops_per_s"] = flops / (timing["median_ms"] / 1e3) / 1e9
    return result | {"flops": flops, "systems": systems}


def verify(directory: Path, *, seconds: float, rounds: int, baselines: list[str]) -> None:
    import torch

    from integrator.core.project import BenchSettings
    from integrator.core.target import cuda_device_name, cuda_devices
    from integrator.measure.peak import gpu_peak
    from integrator.measure.report import peak_share

    devices, why = cuda_devices()
    if not devices:
        raise SystemExit(f"nothing to verify on: {why}")
    if not torch.cuda.is_available():
        raise SystemExit(f"torch {torch.__version__} has no CUDA device: the baselines cannot run")
    settings = BenchSettings(threads=1, baselines=tuple(baselines), seconds=seconds, rounds=rounds)
    peak = gpu_peak()
    results = []
    for model_dir in sorted(p.parent for p in directory.glob("*/meta.json")):
        print(f"{model_dir.name}: checking and timing on {cuda_device_name()} ...", flush=True)
        results.append(verify_model(model_dir, settings, baselines))
    lines = [f"GPU: {cuda_device_name()} (torch: {torch.cuda.get_device_name()}); peak "
             f"{peak['gflops_per_s']:.0f} GFLOP/s ({peak['basis']}: fp32 {peak['fp32_gflops_per_s']:.0f}, "
             f"TF32 {peak['tf32_gflops_per_s']:.0f})", "",
             "| model | target | check | system | median ms [p10, p90] | vs torch_eager | GFLOP/s | % peak |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        check = r["check"]
        verdict = (f"pass ({check['max_abs_error']:.1e})" if check["passed"]
                   else f"FAIL: {check['reason'][:60]}")
        if not r["systems"]:
            lines.append(f"| {r['model']} | {r['target']} | {verdict} | | | | | |")
        for name, timing in r["systems"].items():
            ratio = timing.get("ratio_to_baseline")
            lines.append(f"| {r['model']} | {r['target']} | {verdict} | {name} | {_system_cells(timing)} | "
                         f"{f'{ratio:.2f}x' if ratio else ''} | "
                         f"{timing.get('gflops_per_s', 0):.1f} | "
                         f"{peak_share(timing, peak['gflops_per_s']) or ''} |")
    print("\n".join(lines))
    (directory / "results.json").write_text(json.dumps(
        {"device": cuda_device_name(), "peak": peak, "torch": torch.__version__, "models": results},
        indent=2, default=str) + "\n")
    print(f"\nresults: {directory / 'results.json'}")
    if not all(r["check"]["passed"] for r in results):
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    packing = sub.add_parser("pack", help="copy CUDA builds made here into a directory to carry")
    packing.add_argument("out", type=Path)
    packing.add_argument("--models", default="mlp,transformer_block",
                         help="tests/models/tiny_conv (a conv net) with INTEGRATOR_MODELS=models:tests/models")
    packing.add_argument("--cuda-arch", help="the builds' GPU arch (default: the project's)")
    checking = sub.add_parser("verify", help="on the GPU machine: check, then bench against torch")
    checking.add_argument("directory", type=Path)
    checking.add_argument("--seconds", type=float, default=2.0, help="time budget per system and model")
    checking.add_argument("--rounds", type=int, default=3)
    checking.add_argument("--baselines", default="torch_eager,torch_compile")
    args = parser.parse_args()
    if args.command == "pack":
        pack(args.out, [m for m in args.models.split(",") if m], args.cuda_arch)
    else:
        verify(args.directory, seconds=args.seconds, rounds=args.rounds,
               baselines=[b for b in args.baselines.split(",") if b])


if __name__ == "__main__":
    main()
