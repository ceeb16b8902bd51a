"""``report``: every model's bench and check results as one table (markdown) and one chart (PNG)."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

from ..core.artifacts import atomic_outputs, read_json
from ..core.host import cpu_model_name

COLUMNS = ("model", "system", "target", "median ms", "p90 ms", "IQR ms", "n", "vs baseline", "GFLOP/s",
           "% peak", "check", "measured")


def _commit(root: Path) -> str:
    """The commit, and whether the work tree differs from it (results of uncommitted code)."""
    try:
        def git(*args):
            return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                                  check=True).stdout.strip()

        return git("rev-parse", "--short", "HEAD") + (" (dirty tree)" if git("status", "--porcelain") else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def peak_share(result: dict, peak: float | None) -> str:
    """A system's GFLOP/s as a share of the arithmetic peak; blank for an effective rate (a
    build that executes fewer FLOPs than counted); ``> peak`` where the peak is wrong."""
    gflops = result.get("gflops_per_s")
    if not gflops or not peak or result.get("effective_gflops"):
        return ""
    return f"{100 * gflops / peak:.0f}%" if gflops <= peak else "> peak"


def gflops_cell(result: dict) -> str:
    gflops = result.get("gflops_per_s")
    if not gflops:
        return ""
    return f"{gflops:.1f}" + (" (effective)" if result.get("effective_gflops") else "")


def bench_peak(bench: dict, peak: float | None, gpu_peaks: dict | None) -> float | None:
    """The peak a bench's rates are held against: the host's, or for a build on a GPU that
    GPU's (``gpu_peaks``: device name -> GFLOP/s)."""
    if bench.get("target", "host") == "host":
        return peak
    return (gpu_peaks or {}).get(bench.get("device"))


def beaten_peak(benches: list[dict], peak: float | None, gpu_peaks: dict | None = None) -> list[str]:
    """Systems measured above the peak: the peak is wrong (the machine was busy while it ran)."""
    beaten = []
    for b in benches:
        limit = bench_peak(b, peak, gpu_peaks)
        if limit:
            beaten += [f"{b['model']}/{name} {r['gflops_per_s']:.1f}"
                       for name, r in b["systems"].items()
                       if r.get("gflops_per_s", 0) > limit and not r.get("effective_gflops")]
    return beaten


def rows(benches: list[dict], checks: dict[str, dict], peak: float | None,
         gpu_peaks: dict | None = None) -> list[list[str]]:
    table = []
    for bench in benches:
        model = bench["model"]
        check = checks.get(model, {})
        target = bench.get("target", "host")  # records of older versions: the host
        limit = bench_peak(bench, peak, gpu_peaks)
        for name, r in bench["systems"].items():
            if "error" in r:
                table.append([model, name, target, "failed", "", "", "", "", "", "", r["error"][:60],
                              bench.get("measured_at", "")])
                continue
            compiled = name == bench.get("engine", "iree")  # the compiled system bears its engine's name
            if compiled and check.get("verdict") == "no-reference":
                verdict = "no reference"
            elif compiled:
                verdict = "pass" if check.get("passed") else "FAIL"
                verdict += f" (max rel err {check.get('max_rel_error', float('nan')):.1e})"
            else:
                verdict = f"ref err {r.get('max_abs_error_vs_reference', float('nan')):.1e}"
            table.append([
                model,
                name + (" (noisy)" if r.get("noisy") else ""),
                target,
                f"{r['median_ms']:.3f}",
                f"{r['p90_ms']:.3f}",
                f"{r['iqr_ms']:.3f}",
                str(r["samples"]),
                f"{r['ratio_to_baseline']:.2f}x {bench['baseline']}" if "ratio_to_baseline" in r
                else "",
                gflops_cell(r),
                peak_share(r, limit),
                verdict,
                bench.get("measured_at", ""),  # models of one report may be benched at different times
            ])
    return table


def markdown_table(table: list[list[str]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row) + " |" for row in table]
    return "\n".join(lines)


def _has_ratio(bench: dict) -> bool:
    return bool(bench.get("baseline")) and "median_ms" in bench["systems"].get(bench["baseline"], {})


def _whisker(result: dict) -> tuple[float, float]:
    """How far a bar's p10 and p90 lie below and above its median, as ratios to the
    baseline's median (as the bar is); none for a system with no ratio."""
    ratio = result.get("ratio_to_baseline")
    if not ratio:
        return 0.0, 0.0
    scale = ratio / result["median_ms"]
    return (max(0.0, ratio - scale * result.get("p10_ms", result["median_ms"])),
            max(0.0, scale * result.get("p90_ms", result["median_ms"]) - ratio))


def plot(benches: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display here; and a file is what we want
    import matplotlib.pyplot as plt

    # A model with no baseline (raw MLIR) has no ratio to draw: named in the title, no group.
    unrelated = [b["model"] for b in benches if not _has_ratio(b)]
    benches = [b for b in benches if _has_ratio(b)]
    models = [b["model"] for b in benches]
    systems = []
    for b in benches:
        systems += [name for name in b["systems"] if name not in systems]
    width = 0.8 / max(1, len(systems))
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(models) * len(systems) / 2), 4.5))
    for i, system in enumerate(systems):
        results = [b["systems"].get(system, {}) for b in benches]
        ratios = [r.get("ratio_to_baseline", 0.0) for r in results]
        spread = [list(bound) for bound in zip(*map(_whisker, results))]  # [below], [above]
        labels = [f"{x:.2f}" if x else "failed" if "error" in r else "" for x, r in zip(ratios, results)]
        xs = [m + (i - (len(systems) - 1) / 2) * width for m in range(len(models))]
        bars = ax.bar(xs, ratios, width, label=system, yerr=spread, capsize=2,
                      error_kw={"elinewidth": 0.8})
        ax.bar_label(bars, labels=labels, fontsize=7)
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle="--")
    ax.set_ylabel("median latency / baseline's (lower is faster)")
    threads = sorted({b["threads"] for b in benches})
    baselines = {b["model"]: b["baseline"] for b in benches}
    ax.set_xticks(range(len(models)), [f"{m}\nvs {baselines[m] or 'nothing'}" for m in models])
    ax.set_title(f"Latency relative to each model's baseline (p10-p90 whiskers), "
                 f"{', '.join(map(str, threads))} threads"
                 + (f"\nno baseline, not drawn: {', '.join(unrelated)}" if unrelated else ""), fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)


def _peak_line(peak_info: dict | None) -> str:
    if not peak_info:
        return "- peak: not measured"
    if "arithmetic" not in peak_info:  # a record of an older version
        return f"- peak: {peak_info['gflops_per_s']:.1f} GFLOP/s ({peak_info['threads']} threads)"
    a, g = peak_info["arithmetic"], peak_info["gemm"]
    return (f"- arithmetic peak: {peak_info['gflops_per_s']:.1f} GFLOP/s ({a['vector_bits']}-bit FMAs, "
            + (f"{a['basis']}, " if a.get("basis") else "")
            + f"{peak_info['threads']} threads); practical sgemm peak: {g['gflops_per_s']:.1f} GFLOP/s "
            f"(numpy {g['numpy_gflops_per_s']:.1f}, torch {g['torch_gflops_per_s']:.1f}, {g['size']}³)"
            + (f"; {peak_info['note']}" if peak_info.get("note") else ""))


def _gpu_lines(benches: list[dict], gpu_infos: dict) -> list[str]:
    """One line per GPU the builds ran on: its name, the targets, its peak."""
    lines = []
    for device in sorted({b.get("device") for b in benches if b.get("target", "host") != "host"}):
        targets = sorted({b["target"] for b in benches if b.get("device") == device})
        info = gpu_infos.get(device) or {}
        if info.get("gflops_per_s"):
            peak = (f"peak {info['gflops_per_s']:.0f} GFLOP/s ({info.get('basis', '')}: fp32 "
                    f"{info['fp32_gflops_per_s']:.0f}, TF32 {info['tf32_gflops_per_s']:.0f}, "
                    f"{info['size']}³ through torch)")
        else:
            peak = "peak: " + (info.get("note") or "not measured")
        lines.append(f"- GPU: {device} ({', '.join(targets)}); {peak}")
    return lines


def build_report(
    bench_files: list[Path], check_files: list[Path], peak_file: Path | None, *,
    markdown: Path, chart: Path, root: Path, gpu_peak_files: tuple | list = (),
) -> str:
    """Write the markdown report and the chart; return the markdown. ``gpu_peak_files``: the
    peaks of the GPUs that CUDA builds ran on (``peak@cuda``)."""
    from ..core.versions import tool_versions

    benches = [read_json(p) for p in bench_files]
    checks = {(c := read_json(p))["model"]: c for p in check_files if p.exists()}
    peak_info = read_json(peak_file) if peak_file and peak_file.exists() else None
    peak = peak_info["gflops_per_s"] if peak_info else None
    gpu_infos = {info.get("iree_device"): info
                 for info in (read_json(p) for p in gpu_peak_files if p and p.exists())}
    gpu_peaks = {name: info.get("gflops_per_s") for name, info in gpu_infos.items()}
    table = markdown_table(rows(benches, checks, peak, gpu_peaks))
    cpus = sorted({b["host_cpu"] for b in benches})
    threads = sorted({b["threads"] for b in benches})
    versions = tool_versions()
    beaten = beaten_peak(benches, peak, gpu_peaks)
    environment = [
        f"- CPU: {cpu_model_name()} (LLVM name: {', '.join(cpus)})",
        f"- threads: {', '.join(map(str, threads))}",
        _peak_line(peak_info),
        *_gpu_lines(benches, gpu_infos),
        *([f"- **the peak is wrong**: measured above it: {', '.join(beaten)}; the machine was "
           "busy while it ran? Measure it again: `doit forget peak && doit run peak`"] if beaten else []),
        "- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        f"- commit: {_commit(root)}; written {datetime.datetime.now().isoformat(timespec='seconds')}",
    ]
    text = "\n".join([
        "# Benchmark report",
        "",
        "Median latency per call, batch as in each model's get_inputs(); all systems in one run "
        "per model, same inputs, same thread count, interleaved rounds. `vs baseline`: median / "
        "the median of the model's baseline, named in the cell (torch_eager for PyTorch models, "
        "onnxruntime for ONNX models, jax_jit for JAX models; raw MLIR has none). `target`: "
        "where the compiled model ran (`host`, or `cuda-<arch>`: then every system of that model "
        "ran on the GPU named below). `% peak`: GFLOP/s (FLOPs counted at "
        "import / median) over the machine's arithmetic peak (FMAs in registers on its widest "
        "vectors: nothing can exceed it; on a GPU the best of an fp32 matmul with TF32 off and on); "
        "blank for a build marked `(effective)`, which executes "
        "fewer FLOPs than counted (Winograd). `check`: the compiled model against the "
        "reference (torch eager, onnxruntime, jax.jit; `no reference` for raw MLIR); for baselines, their "
        "max abs error against the reference outputs.",
        "",
        table,
        "",
        "## Environment",
        "",
        *environment,
        "",
        f"![ratios]({chart.name})",
        "",
    ])
    with atomic_outputs(markdown, chart) as (markdown_tmp, chart_tmp):
        markdown_tmp.write_text(text)
        plot(benches, chart_tmp)
    return table


def report_files(project) -> tuple[Path, Path]:
    return project.cache / "report" / "report.md", project.cache / "report" / "report.png"


def report_models(project) -> list:
    """The models the report covers: every one whose requirements are installed."""
    from ..ingress.models import discover

    return [m for m in discover(project.model_dirs) if not m.missing]


def run_report(project) -> str:
    from ..core.stages import report_builds
    from .peak import peak_file

    markdown, chart = report_files(project)
    builds = report_builds(project)  # a CUDA build without a GPU here has no results
    artifacts = [b.artifacts for b in builds]
    table = build_report(
        [a.bench for a in artifacts],
        [a.check for a in artifacts],
        peak_file(project),
        markdown=markdown,
        chart=chart,
        root=project.root,
        gpu_peak_files=list(dict.fromkeys(peak_file(project, b.target) for b in builds
                                          if not b.target.is_host)),
    )
    return f"{table}\n\nreport: {markdown}\nchart:  {chart}"
