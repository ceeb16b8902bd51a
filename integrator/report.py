"""``report``: every model's bench and check results as one table (markdown) and one chart (PNG)."""

from __future__ import annotations

import datetime
import platform
import subprocess
from pathlib import Path

from .artifacts import atomic_outputs, read_json
from .systems import BASELINE

COLUMNS = ("model", "system", "median ms", "p90 ms", "IQR ms", "n", "vs eager", "GFLOP/s",
           "% peak", "check")


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _commit(root: Path) -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def rows(benches: list[dict], checks: dict[str, dict], peak: float | None) -> list[list[str]]:
    table = []
    for bench in benches:
        model = bench["model"]
        check = checks.get(model, {})
        for name, r in bench["systems"].items():
            if "error" in r:
                table.append([model, name, "failed", "", "", "", "", "", "", r["error"][:60]])
                continue
            gflops = r.get("gflops_per_s")
            if name == "iree":
                verdict = "pass" if check.get("passed") else "FAIL"
                verdict += f" (max rel err {check.get('max_rel_error', float('nan')):.1e})"
            else:
                verdict = f"ref err {r.get('max_abs_error_vs_reference', float('nan')):.1e}"
            table.append([
                model,
                name + (" (noisy)" if r.get("noisy") else ""),
                f"{r['median_ms']:.3f}",
                f"{r['p90_ms']:.3f}",
                f"{r['iqr_ms']:.3f}",
                str(r["samples"]),
                f"{r['ratio_to_torch_eager']:.2f}x" if "ratio_to_torch_eager" in r else "",
                f"{gflops:.1f}" if gflops else "",
                f"{100 * gflops / peak:.0f}%" if gflops and peak else "",
                verdict,
            ])
    return table


def markdown_table(table: list[list[str]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row) + " |" for row in table]
    return "\n".join(lines)


def plot(benches: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display here; and a file is what we want
    import matplotlib.pyplot as plt

    models = [b["model"] for b in benches]
    systems = []
    for b in benches:
        systems += [name for name in b["systems"] if name not in systems]
    width = 0.8 / max(1, len(systems))
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(models) * len(systems) / 2), 4.5))
    for i, system in enumerate(systems):
        ratios = [b["systems"].get(system, {}).get("ratio_to_torch_eager", 0.0) for b in benches]
        xs = [m + (i - (len(systems) - 1) / 2) * width for m in range(len(models))]
        bars = ax.bar(xs, ratios, width, label=system)
        ax.bar_label(bars, labels=[f"{r:.2f}" if r else "failed" for r in ratios], fontsize=7)
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle="--")
    ax.set_xticks(range(len(models)), models)
    ax.set_ylabel(f"median latency / {BASELINE} (lower is faster)")
    threads = sorted({b["threads"] for b in benches})
    ax.set_title(f"Latency relative to torch eager, {', '.join(map(str, threads))} threads")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)


def build_report(
    bench_files: list[Path], check_files: list[Path], peak_file: Path | None, *,
    markdown: Path, chart: Path, root: Path,
) -> str:
    """Write the markdown report and the chart; return the markdown."""
    from .versions import tool_versions

    benches = [read_json(p) for p in bench_files]
    checks = {(c := read_json(p))["model"]: c for p in check_files if p.exists()}
    peak_info = read_json(peak_file) if peak_file and peak_file.exists() else None
    peak = peak_info["gflops_per_s"] if peak_info else None
    table = markdown_table(rows(benches, checks, peak))
    cpus = sorted({b["host_cpu"] for b in benches})
    threads = sorted({b["threads"] for b in benches})
    versions = tool_versions()
    environment = [
        f"- CPU: {_cpu_name()} (LLVM name: {', '.join(cpus)})",
        f"- threads: {', '.join(map(str, threads))}",
        f"- practical peak: {peak:.1f} GFLOP/s (numpy sgemm {peak_info['size']}³, "
        f"{peak_info['threads']} threads)" if peak else "- practical peak: not measured",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        f"- commit: {_commit(root)}; written {datetime.datetime.now().isoformat(timespec='seconds')}",
    ]
    text = "\n".join([
        "# Benchmark report",
        "",
        "Median latency per call, batch as in each model's get_inputs(); all systems in one run "
        "per model, same inputs, same thread count, interleaved rounds. `vs eager`: median / "
        "torch eager's median. `% peak`: GFLOP/s (torch.utils.flop_counter FLOPs / median) over "
        "the practical peak. `check`: the compiled model against torch eager; for baselines, "
        "their max abs error against torch eager's reference outputs.",
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
