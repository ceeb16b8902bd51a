"""The gap, side by side: the compiled models against onnxruntime, torch.compile and torch eager.

    python benchmarks/gap.py                     # every model below, shipped defaults + user tuning
    python benchmarks/gap.py --shipped           # shipped defaults only (user spec libraries off)
    python benchmarks/gap.py --models mlp,conv3d_3x5x7
    python benchmarks/gap.py --cached            # reuse bench results already in .cache

Each model is built and benched by the project's own stages (``doit run bench:<model>``, with
``benchmarks/models/`` added to the model directories): all systems of one model are timed in
one run, interleaved, at the bench thread count, and every compiled build is checked against
the framework first. Each model is benched afresh (builds are reused when up to date), so the
table holds one run of every model, not results cached from earlier. Then the machine's peak
(``doit run peak``), and one table: medians, ratios of the compiled model to each baseline
from the same run, GFLOP/s and % of the arithmetic peak. The table is printed and written to
``.cache/report/gap.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from integrator.measure.report import gflops_cell, peak_share

ROOT = Path(__file__).resolve().parent.parent
MODELS = ["resnet50", "mlp", "tiny_cnn", "transformer_block",
          *sorted(p.stem for p in (ROOT / "benchmarks" / "models").glob("*.py"))]
BASELINES = ("onnxruntime", "torch_compile", "torch_eager")


def doit(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "doit", *args], cwd=ROOT, env=env, text=True,
                          capture_output=True)


def _noisy(result: dict) -> str:
    """A mark on a median the bench flagged: spread out, or rounds that disagree."""
    if result.get("rounds_disagree"):
        return " (noisy: rounds " + "/".join(f"{m:.3g}" for m in result["round_medians_ms"]) + ")"
    return " (noisy)" if result.get("noisy") else ""


def row(name: str, bench: dict | None, failure: str | None, peak: float | None) -> list[str]:
    if bench is None:
        return [name, f"failed: {failure}", *[""] * 8]
    engine = bench["engine"]
    systems = bench["systems"]
    compiled = systems[engine]
    if "error" in compiled:
        return [name, f"failed: {compiled['error'][:60]}", *[""] * 8]
    ms = compiled["median_ms"]
    cells = [name, f"{ms:.3f}{_noisy(compiled)} ({bench['compile'].get('pipeline') or engine}"
             + (", 1 thread" if compiled.get("threads") == 1 else "") + ")"]
    for baseline in BASELINES:
        result = systems.get(baseline, {})
        cells.append(f"{result['median_ms']:.3f}{_noisy(result)}" if "median_ms" in result else "-")
    for baseline in BASELINES:
        result = systems.get(baseline, {})
        cells.append(f"{ms / result['median_ms']:.2f}x" if "median_ms" in result else "-")
    cells.append(gflops_cell(compiled) or "-")
    cells.append(peak_share(compiled, peak) or "-")
    return cells


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--shipped", action="store_true", help="leave user tuning-spec libraries out")
    parser.add_argument("--cached", action="store_true",
                        help="reuse bench results already in .cache (by default every model is benched afresh)")
    args = parser.parse_args(argv)
    env = dict(os.environ, INTEGRATOR_MODELS=os.pathsep.join(["models", "benchmarks/models"]))
    if args.shipped:
        env["INTEGRATOR_TUNING_SPECS"] = ""
    names = [m for m in args.models.split(",") if m]
    results = {}
    for name in names:
        print(f"bench:{name} ...", file=sys.stderr, flush=True)
        if not args.cached:
            # An up-to-date bench would be reused as it is, timed perhaps hours earlier in
            # another state of the machine: the table would mix runs.
            doit("forget", f"bench:{name}", env=env)
        run = doit("run", f"bench:{name}", env=env)
        bench_file = ROOT / ".cache" / name / "bench.json"
        if run.returncode == 0 and bench_file.exists():
            results[name] = (json.loads(bench_file.read_text()), None)
        else:
            lines = (run.stdout + run.stderr).strip().splitlines()
            results[name] = (None, next((l for l in lines if f":{name}: " in l), lines[-1] if lines else "?"))
    doit("run", "peak", env=env)
    peak_files = sorted((ROOT / ".cache" / "host").glob("peak-*threads.json"))
    peak_info = json.loads(peak_files[-1].read_text()) if peak_files else None
    peak = peak_info["gflops_per_s"] if peak_info else None
    header = ["model", "compiled ms (pipeline)", *(f"{b} ms" for b in BASELINES),
              *(f"vs {b}" for b in BASELINES), "GFLOP/s", "% peak"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row(n, *results[n], peak)) + " |" for n in names]
    cpus = sorted({b["host_cpu"] for b, _ in results.values() if b})
    threads = sorted({b["threads"] for b, _ in results.values() if b})
    lines += ["", f"CPU {', '.join(cpus)}, {', '.join(map(str, threads))} threads; medians of one run per "
              "model; (noisy): the bench flagged that median (IQR over 10 % of it, or round medians that "
              "disagree by as much); `vs X`: compiled / X (below 1: the compiled model is faster); % peak of "
              + (f"{peak:.1f} GFLOP/s (arithmetic, {peak_info['arithmetic']['vector_bits']}-bit FMAs)"
                 if peak_info and "arithmetic" in peak_info else "the peak (not measured)")]
    table = "\n".join(lines)
    out = ROOT / ".cache" / "report" / "gap.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table + "\n")
    print(table)
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
