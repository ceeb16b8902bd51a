"""Matmul benchmark: the upstream engine with the shipped matmul schedule vs IREE vs OpenBLAS.

f32, one thread each, all in one run, same process for the Python-called systems:

    python benchmarks/matmul.py                      # both shapes, default schedule parameters
    python benchmarks/matmul.py --shape 1024x1024x1024 --param register_tile=[8,32,1]

Shapes are MxNxK (C[M,N] = A[M,K] @ B[K,N]). Reports median GFLOP/s with p10/p90 and the
fraction of OpenBLAS. Compiled artifacts go to a temporary directory.
"""

from __future__ import annotations

import argparse
import ast
import json
import tempfile
import timeit
from pathlib import Path

import numpy as np

from integrator.engines import iree as iree_engine
from integrator.core.host import host_cpu
from integrator.engines.upstream import Library, compile_shared_library, context
from integrator.scheduling.pipelines import get_mlir_pipeline
from integrator.scheduling.schedule import apply_transform, build_transform
from integrator.measure.stats import summarize

ROOT = Path(__file__).resolve().parent.parent
SCHEDULES = ROOT / "schedules"


def matmul_mlir(m: int, n: int, k: int) -> str:
    return f"""func.func @main(%a: tensor<{m}x{k}xf32>, %b: tensor<{k}x{n}xf32>) -> tensor<{m}x{n}xf32> {{
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<{m}x{n}xf32>
  %c = linalg.fill ins(%zero : f32) outs(%init : tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32>
  %r = linalg.matmul ins(%a, %b : tensor<{m}x{k}xf32>, tensor<{k}x{n}xf32>) outs(%c : tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32>
  return %r : tensor<{m}x{n}xf32>
}}
"""


def gflops(m, n, k, times_s) -> list[float]:
    return [2 * m * n * k / t / 1e9 for t in times_s]


def time_python(call, repeats: int, warmup: int = 3) -> list[float]:
    timer = timeit.Timer(call)
    timer.repeat(repeat=warmup, number=1)
    return timer.repeat(repeat=repeats, number=1)


def upstream(m, n, k, params, tmp: Path, a, b, repeats):
    source = tmp / "matmul.mlir"
    source.write_text(matmul_mlir(m, n, k))
    with context():
        transform, used = build_transform(SCHEDULES / "matmul.py", params)
        with open(tmp / "transform.mlirbc", "wb") as f:
            transform.operation.write_bytecode(f)
    apply_transform(source, tmp / "transform.mlirbc", tmp / "scheduled.mlirbc", timeout=120)
    pipeline = get_mlir_pipeline(SCHEDULES, "cpu-default")
    signature = compile_shared_library(tmp / "scheduled.mlirbc", output=tmp / "matmul.so",
                                       passes=list(pipeline.passes), opt_level=pipeline.opt_level)
    call, (c,) = Library(tmp / "matmul.so", signature).bind([a, b])
    call()
    error = float(np.abs(c - a @ b).max())
    return time_python(call, repeats), used, error


def iree(m, n, k, flags, tmp: Path, a, b, repeats, label):
    source = tmp / "matmul.mlir"
    source.write_text(matmul_mlir(m, n, k))
    vmfb = tmp / f"{label}.vmfb"
    from iree.compiler import tools

    tools.compile_file(str(source), output_file=str(vmfb), extra_args=[
        *iree_engine.target_flags(host_cpu(ROOT / ".cache")), *flags])
    files = [tmp / "a.npy", tmp / "b.npy"]
    np.save(files[0], a)
    np.save(files[1], b)
    ms = iree_engine.benchmark(vmfb, files, threads=1, warmup=3, samples=repeats)
    return [t / 1e3 for t in ms]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", action="append", help="MxNxK (repeatable)")
    parser.add_argument("--param", action="append", default=[], help="schedule parameter name=literal")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)
    shapes = [tuple(map(int, s.split("x"))) for s in (args.shape or ["1024x1024x1024", "256x512x1024"])]
    params = {}
    for item in args.param:
        name, value = item.split("=", 1)
        params[name] = ast.literal_eval(value)

    from threadpoolctl import threadpool_info, threadpool_limits

    results = []
    for m, n, k in shapes:
        rng = np.random.default_rng(0)
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            systems = {}
            with threadpool_limits(limits=1, user_api="blas"):
                systems["openblas (numpy)"] = time_python(lambda: a @ b, args.repeats)
            upstream_times, used, error = upstream(m, n, k, params, tmp, a, b, args.repeats)
            systems["upstream + matmul schedule"] = upstream_times
            systems["iree default"] = iree(m, n, k, [], tmp, a, b, args.repeats, "default")
            systems["iree data-tiling + ukernels"] = iree(
                m, n, k, ["--iree-opt-data-tiling", "--iree-llvmcpu-enable-ukernels=all"],
                tmp, a, b, args.repeats, "dt")
        blas = summarize(gflops(m, n, k, systems["openblas (numpy)"]))["median_ms"]
        for name, times in systems.items():
            rates = summarize(gflops(m, n, k, times))  # "ms" fields hold GFLOP/s here
            results.append({
                "shape": f"{m}x{n}x{k}", "system": name, "median_gflops": rates["median_ms"],
                "p10_gflops": rates["p10_ms"], "p90_gflops": rates["p90_ms"],
                "fraction_of_openblas": rates["median_ms"] / blas,
            })
        results[-3]["schedule_params"] = used
        results[-3]["max_abs_error"] = error

    blas_info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    print(f"host {host_cpu(ROOT / '.cache')}, 1 thread, f32, {args.repeats} samples; BLAS: "
          + ", ".join(f"{i['internal_api']} {i['version']} ({i.get('architecture')})" for i in blas_info))
    print("| shape MxNxK | system | median GFLOP/s | p10 | p90 | vs OpenBLAS |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['shape']} | {r['system']} | {r['median_gflops']:.1f} | {r['p10_gflops']:.1f} | "
              f"{r['p90_gflops']:.1f} | {100 * r['fraction_of_openblas']:.0f}% |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
