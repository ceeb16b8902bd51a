"""The machine's peak at the bench thread count, measured two ways (the ``peak`` stage):

* **arithmetic peak**: ``fma_peak.c``, independent FMA chains in registers on the widest
  vectors the CPU has (built here with ``cc -march=native``), on every bench thread. No library
  or compiled model can beat it, so "% of peak" is never above 100 %.
* **practical GEMM peak**: the best of numpy's BLAS and torch's sgemm on a large square
  matrix: what a tuned library reaches on the densest real kernel.

The report shows each model's GFLOP/s as a share of the arithmetic peak, and names both.

For CUDA builds (``peak@cuda``), the GPU's peak, per GPU model: the best of a large fp32
matmul through torch with TF32 off and on (``gpu_peak``). A compiled fp32 model on the GPU
cannot beat both (TF32 tensor cores are the fastest arithmetic an fp32 model may use), so its
"% of peak" stays at or below 100 %; one that does is shown as ``> peak``, as on the CPU.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

KERNEL = Path(__file__).parent / "fma_peak.c"


def _build(directory: Path, defines: dict[str, int]) -> Path:
    binary = directory / ("fma_peak" + "".join(f"-{k}{v}" for k, v in defines.items()))
    build = subprocess.run(["cc", "-O2", "-march=native", "-ffp-contract=fast", "-pthread",
                            *(f"-D{k}={v}" for k, v in defines.items()), "-o", str(binary),
                            str(KERNEL)], capture_output=True, text=True)
    if build.returncode:
        raise RuntimeError(f"the C compiler could not build {KERNEL.name}:\n{build.stderr}")
    return binary


def _rates(binary: Path, threads: int, repeats: int, seconds: float) -> tuple[list[float], int, int]:
    """GFLOP/s of ``repeats`` runs of about ``seconds`` each, the vector bits and the CPUs used."""
    def run(iterations: int) -> tuple[float, float, int, int]:
        out = subprocess.run([str(binary), str(threads), str(iterations)], capture_output=True,
                             text=True, check=True).stdout.split()
        return float(out[0]), float(out[1]), int(out[2]), int(out[3])

    iterations = 1_000_000
    elapsed, *_ = run(iterations)  # calibrate
    iterations = max(iterations, int(iterations * seconds / max(elapsed, 1e-6)))
    rates, bits, cpus = [], 0, 0
    for _ in range(repeats):
        elapsed, flops, bits, cpus = run(iterations)
        rates.append(flops / elapsed / 1e9)
    return rates, bits, cpus


def fma_peak(threads: int, *, repeats: int = 3, seconds: float = 0.3,
             final_repeats: int = 12, final_seconds: float = 0.1) -> dict:
    """GFLOP/s of the FMA kernel on ``threads`` threads: the best variant's best run.

    Variants: the CPU's widest vectors and, where that is 512 bits, 256-bit ones too (some
    CPUs clock lower on 512-bit code); 12 and, with AVX-512's 32 registers, 24 chains. The
    best variant is run again at the end, in ``final_repeats`` short runs on all threads and as
    many on one thread, so that a moment's load elsewhere does not set the peak: on a shared
    virtual machine the rate a thread gets swings by up to 2x within seconds (an Emerald
    Rapids guest: three 0.3 s runs gave 284 GFLOP/s on 2 threads, and torch's sgemm then ran
    at 296), and many short runs catch the fast moments that long ones average away. The peak
    is the larger of the threads' rate together and ``threads`` times one thread's.
    """
    with tempfile.TemporaryDirectory() as tmp:
        native = _build(Path(tmp), {})
        rates, bits, cpus = _rates(native, threads, 1, seconds / 3)
        variants = [{"BYTES": 32, "CHAINS": 12}]
        if bits == 512:
            variants = [{"BYTES": 64, "CHAINS": 12}, {"BYTES": 64, "CHAINS": 24},
                        {"BYTES": 32, "CHAINS": 12}, {"BYTES": 32, "CHAINS": 24}]
        measured, binaries = [], []
        for defines in variants:
            binaries.append(_build(Path(tmp), defines))
            rates, bits, cpus = _rates(binaries[-1], threads, repeats, seconds)
            measured.append({"vector_bits": bits, "chains": defines["CHAINS"], "cpus": cpus,
                             "samples_gflops_per_s": [round(r, 2) for r in rates]})
        index = max(range(len(measured)), key=lambda i: max(measured[i]["samples_gflops_per_s"]))
        best, binary = measured[index], binaries[index]
        again, _, _ = _rates(binary, threads, final_repeats, final_seconds)
        best["samples_gflops_per_s"] += [round(r, 2) for r in again]
        one, _, _ = _rates(binary, 1, final_repeats, final_seconds)
    together = max(best["samples_gflops_per_s"])
    # N threads cannot do more than N times what one does (one core alone also runs at the
    # highest clock): an upper bound that holds even if the threads were made to share a core
    # while they ran (a binding, or a busy SMT sibling), which halved the peak on a CI machine.
    alone = threads * max(one)
    return {"gflops_per_s": max(together, alone), "vector_bits": best["vector_bits"],
            "chains": best["chains"], "cpus": best["cpus"],
            "basis": f"{threads} threads together" if together >= alone else f"{threads} x one thread",
            "threads_together_gflops_per_s": together, "one_thread_gflops_per_s": max(one),
            "samples_gflops_per_s": best["samples_gflops_per_s"], "variants": measured}


def gemm_peak(threads: int, *, size: int = 2048, repeats: int = 7) -> dict:
    """GFLOP/s of single-precision GEMM through numpy's BLAS and torch, the best of each."""
    import torch
    from threadpoolctl import threadpool_info, threadpool_limits

    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)

    def best(matmul) -> float:
        matmul()  # warm-up: thread pool start, page faults
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            matmul()
            seconds.append(time.perf_counter() - started)
        return 2 * size**3 / min(seconds) / 1e9

    with threadpool_limits(limits=threads, user_api="blas"):
        blas = [{k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
                for info in threadpool_info() if info.get("user_api") == "blas"]
        numpy_rate = best(lambda: a @ b)
    torch.set_num_threads(threads)
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    torch_rate = best(lambda: torch.mm(ta, tb))
    return {"gflops_per_s": max(numpy_rate, torch_rate), "size": size,
            "numpy_gflops_per_s": numpy_rate, "torch_gflops_per_s": torch_rate, "blas": blas}


def _machine() -> dict:
    """What explains a surprising peak: the CPU's model name, the CPUs this process may use,
    and whether they share cores (SMT siblings share one core's FMA units)."""
    import os

    from ..core.host import cpu_model_name

    allowed = sorted(os.sched_getaffinity(0))
    siblings = set()
    for cpu in allowed:
        try:
            siblings.add(Path(f"/sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings_list")
                         .read_text().strip())
        except OSError:
            pass
    return {"cpu_model": cpu_model_name(), "cpus_allowed": len(allowed), "cpu_count": os.cpu_count(),
            "physical_cores_allowed": len(siblings) or None}


def measure_peak(threads: int) -> dict:
    arithmetic = fma_peak(threads)
    gemm = gemm_peak(threads)
    result = {"threads": threads, "gflops_per_s": arithmetic["gflops_per_s"],
              "arithmetic": arithmetic, "gemm": gemm, "machine": _machine()}
    if gemm["gflops_per_s"] > arithmetic["gflops_per_s"]:
        # Only noise can do this (the machine was busy while the kernel ran): the peak stays
        # an upper bound, and the record says what happened.
        result["gflops_per_s"] = gemm["gflops_per_s"]
        result["note"] = "sgemm beat the FMA kernel (a busy machine?): the peak is sgemm's"
    return result


def gpu_peak(*, size: int = 8192, repeats: int = 10) -> dict:
    """GFLOP/s of an fp32 ``size``³ matmul on the first CUDA device through torch (cuBLAS),
    with TF32 off and on, each the best of ``repeats`` calls timed with CUDA events after a
    warm-up; the peak is the larger."""
    import torch

    if not torch.cuda.is_available():
        raise RuntimeError(f"torch {torch.__version__} has no CUDA device (a CPU-only build, or "
                           "no driver)")
    device = torch.device("cuda")
    generator = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(size, size, device=device, generator=generator)
    b = torch.randn(size, size, device=device, generator=generator)
    out = torch.empty(size, size, device=device)
    saved = torch.backends.cuda.matmul.allow_tf32

    def rate(tf32: bool) -> float:
        torch.backends.cuda.matmul.allow_tf32 = tf32
        for _ in range(3):  # warm-up: cuBLAS picks its kernel, clocks ramp up
            torch.mm(a, b, out=out)
        torch.cuda.synchronize()
        seconds = []
        for _ in range(repeats):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            torch.mm(a, b, out=out)
            end.record()
            end.synchronize()
            seconds.append(start.elapsed_time(end) / 1e3)
        return 2 * size**3 / min(seconds) / 1e9

    try:
        fp32, tf32 = rate(False), rate(True)
    finally:
        torch.backends.cuda.matmul.allow_tf32 = saved
    return {"gflops_per_s": max(fp32, tf32), "fp32_gflops_per_s": fp32, "tf32_gflops_per_s": tf32,
            "size": size, "device": torch.cuda.get_device_name(device),
            "basis": "fp32 matmul, TF32 " + ("on" if tf32 >= fp32 else "off")}


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def peak_file(project, target=None) -> Path | None:
    """The host's peak at the bench thread count, or a GPU's (per GPU model, for a CUDA
    target; None where there is no GPU)."""
    if target is None or target.is_host:
        return project.cache / "host" / f"peak-{project.bench.threads}threads.json"
    from ..core.target import cuda_device_name

    name = cuda_device_name()
    return project.cache / "host" / f"peak-cuda-{_slug(name)}.json" if name else None


def run_peak(project, target=None) -> str:
    from ..core.artifacts import write_json
    from ..core.host import host_cpu

    if target is not None and not target.is_host:
        return _run_gpu_peak(project, target)
    result = measure_peak(project.bench.threads)
    result["host_cpu"] = host_cpu(project.cache)
    write_json(peak_file(project), result)
    a, g = result["arithmetic"], result["gemm"]
    return (f"peak at {result['threads']} threads: arithmetic {a['gflops_per_s']:.1f} GFLOP/s "
            f"({a['vector_bits']}-bit FMAs, {a['chains']} chains); practical sgemm {g['gflops_per_s']:.1f} GFLOP/s "
            f"(numpy {g['numpy_gflops_per_s']:.1f}, torch {g['torch_gflops_per_s']:.1f}, {g['size']}^3)")


def _run_gpu_peak(project, target) -> str:
    from ..core.artifacts import write_json
    from ..core.target import cuda_device_name, no_gpu_reason

    reason = no_gpu_reason(target)
    if reason:
        return f"peak@{target.kind}: skipped: {reason}"
    try:
        result = gpu_peak()
    except RuntimeError as error:  # a GPU for IREE, but torch cannot use it: no peak, said why
        result = {"gflops_per_s": None, "note": f"not measured: {error}"}
    result |= {"target": target.kind, "iree_device": cuda_device_name()}
    write_json(peak_file(project, target), result)
    if result["gflops_per_s"] is None:
        return f"peak@{target.kind} ({result['iree_device']}): {result['note']}"
    return (f"peak@{target.kind} ({result['device']}): {result['gflops_per_s']:.0f} GFLOP/s "
            f"(fp32 {result['fp32_gflops_per_s']:.0f}, TF32 {result['tf32_gflops_per_s']:.0f}, "
            f"{result['size']}^3 matmul through torch)")
