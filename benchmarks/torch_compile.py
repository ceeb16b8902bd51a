"""torch.compile(backend="integrator") against inductor and eager, and against the bench build.

    python benchmarks/torch_compile.py                      # mlp, resnet50, transformer_block
    python benchmarks/torch_compile.py --models mlp --calls 500

For each model (a file in models/, built as `import:` builds it, at the bench's thread count):

* **first call**, in a fresh process each: the backend with an empty cache (cold: export,
  import, iree-compile) and again with that cache (warm: the module is found by its key);
  inductor's first call for comparison (its own caches in a fresh directory);
* **steady state**, in one process, the three systems' calls interleaved round by round:
  medians and p10-p90 of single calls (Dynamo's guards and the backend's tensor conversions
  included, as a user sees them);
* the model's `bench:` median from `.cache/<m>/bench.json` where one was built (timed inside
  `iree-benchmark-module`, no Python), for the "same binary" comparison. The backend compiles
  with the pipeline the model's build selects, so both are the same flags.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ["mlp", "resnet50", "transformer_block"]


def _load(name: str):
    """(model instance, inputs, the pipeline its build selects, threads) from models/<name>."""
    import torch

    from integrator.core.build import Build
    from integrator.core.project import load_project
    from integrator.ingress.models import build, discover
    from integrator.measure.allocator import keep_freed_memory

    project = load_project(ROOT)
    model = next(m for m in discover(project.model_dirs) if m.name == name)
    instance, inputs = build(model, "bench")
    torch.set_num_threads(project.bench.threads)
    keep_freed_memory(project.bench.malloc_top_pad)  # as the bench stage
    return instance.eval(), inputs, Build.of(project, model).selection.iree_pipeline


def first_call(name: str, system: str) -> None:
    """Child process: time the first call of one system and print it as JSON."""
    import torch

    instance, inputs, pipeline = _load(name)
    compiled = (torch.compile(instance, backend="integrator", dynamic=False, options={"pipeline": pipeline})
                if system == "integrator" else torch.compile(instance, dynamic=False))
    with torch.no_grad():
        start = time.perf_counter()
        compiled(*inputs)
        seconds = time.perf_counter() - start
    from integrator.ingress.torch_compile import STATISTICS

    print(json.dumps({"seconds": seconds, "compiled": STATISTICS.compiled,
                      "cache_hits": STATISTICS.cache_hits, "eager": STATISTICS.eager}))


def steady(name: str, calls: int, rounds: int) -> None:
    """Child process: the three systems interleaved; medians in milliseconds as JSON."""
    import torch

    instance, inputs, pipeline = _load(name)
    systems = {"eager": instance,
               "inductor": torch.compile(instance, dynamic=False),
               "integrator": torch.compile(instance, backend="integrator", dynamic=False,
                                           options={"pipeline": pipeline})}
    samples = {k: [] for k in systems}
    with torch.no_grad():
        for function in systems.values():  # compile and warm up
            for _ in range(3):
                function(*inputs)
        for _ in range(rounds):
            for key, function in systems.items():
                time.sleep(0.5)  # the previous system's spinning thread pools go quiet first
                for _ in range(max(1, calls // rounds)):
                    start = time.perf_counter()
                    function(*inputs)
                    samples[key].append((time.perf_counter() - start) * 1e3)
    out = {}
    for key, values in samples.items():
        q = statistics.quantiles(values, n=10)
        out[key] = {"median_ms": statistics.median(values), "p10_ms": q[0], "p90_ms": q[-1]}
    out["pipeline"] = pipeline
    print(json.dumps(out))


def _child(*args: str, env: dict) -> dict:
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                            env=env, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--calls", type=int, default=200, help="timed calls per system")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, name, *rest = args.child
        (first_call(name, rest[0]) if kind == "first" else steady(name, args.calls, args.rounds))
        return 0
    rows = [["model", "pipeline", "integrator ms", "inductor ms", "eager ms", "bench: ms (same flags)",
             "integrator / bench:", "first call cold s", "warm s", "inductor first call s"]]
    for name in [m for m in args.models.split(",") if m]:
        print(f"{name} ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix="integrator-tc-bench-") as cache:
            env = dict(os.environ, INTEGRATOR_CACHE=cache, TORCHINDUCTOR_CACHE_DIR=f"{cache}/inductor")
            cold = _child("--child", "first", name, "integrator", env=env)
            warm = _child("--child", "first", name, "integrator", env=env)
            inductor = _child("--child", "first", name, "inductor", env=env)
            times = _child("--child", "steady", name, "--calls", str(args.calls),
                           "--rounds", str(args.rounds), env=env)
        bench_file = ROOT / ".cache" / name / "bench.json"
        bench_ms, ratio = "-", "-"
        if bench_file.exists():
            bench = json.loads(bench_file.read_text())
            compiled = bench["systems"].get(bench["engine"], {})
            if "median_ms" in compiled and bench["compile"].get("pipeline") == times["pipeline"]:
                bench_ms = f"{compiled['median_ms']:.3f}"
                ratio = f"{times['integrator']['median_ms'] / compiled['median_ms']:.2f}x"
        cell = lambda k: f"{times[k]['median_ms']:.3f} ({times[k]['p10_ms']:.3f}-{times[k]['p90_ms']:.3f})"
        rows.append([name, times["pipeline"], cell("integrator"), cell("inductor"), cell("eager"),
                     bench_ms, ratio,
                     f"{cold['seconds']:.2f} ({cold['compiled']} compiled)",
                     f"{warm['seconds']:.2f} ({warm['cache_hits']} cached, {warm['compiled']} compiled)",
                     f"{inductor['seconds']:.2f}"])
        if cold["eager"]:
            print(f"{name}: graphs run eagerly: {cold['eager']}", file=sys.stderr)
    table = "\n".join("| " + " | ".join(r) + " |" for r in [rows[0], ["---"] * len(rows[0]), *rows[1:]])
    print(table)
    print("\nmedians (p10-p90) of single calls, in one process per model, systems interleaved; "
          "first calls each in a fresh process")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
