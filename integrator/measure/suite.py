"""``suite``: what a directory of problems came to, for a user who ran a whole suite with
``doit run --continue check bench``.

Per model: the last stage it reached, why it stopped (a failure class: too large, export,
model error, unsupported op (named), compile error, numerical mismatch (how many elements),
out of memory, crash), and its speedup over torch eager where it was benched. Per model
directory: the pass rate and the share of problems that are correct *and* faster than eager
(more than 1x, more than 1.5x). Read from the files the stages leave in ``.cache/<model>/``
(results, ``<stage>.error`` records, ``check.failed.json``): nothing is rebuilt.
Markdown and a chart, like the report: ``.cache/report/suite.md`` and ``suite.png``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..core.artifacts import atomic_outputs, read_json


@dataclass(frozen=True)
class Outcome:
    model: str
    directory: str
    reached: str  # the last stage that succeeded ("" for none)
    failure: str | None  # the class of the failure that stopped it, with its detail
    correct: bool  # the check passed
    speedup: float | None  # torch eager's median over the compiled model's


def _speedup(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}x" if value >= 0.01 else f"{value:.1g}x"  # 600x slower is not 0.00x


def classify(record: dict) -> str:
    """A failure class from a stage's error record (``<stage>.error``): what killed the stage
    process, else the class the stage's error names (``StageError.kind``), else the stage."""
    if record.get("crashed") in ("out of memory", "timeout"):
        return record["crashed"]
    if record.get("crashed"):
        return f"crash ({record['crashed']})"
    if record.get("kind"):
        return record["kind"]
    if record.get("stage") == "import":  # the file, its get_inputs() or forward() failed
        return "import: model error"
    return f"{record.get('stage', '?')} error"


def outcome(project, model) -> Outcome:
    from ..core.build import Build
    from ..core.stages import STAGES

    build = Build.of(project, model)
    a = build.artifacts
    directory = str(model.path.parent.relative_to(project.root)) if model.path.is_relative_to(project.root) \
        else str(model.path.parent)
    reached, failure = "", None
    for stage in STAGES:  # in order: import, schedule, compile, check, bench
        if a.error(stage).is_file():
            failure = classify({"stage": stage, **read_json(a.error(stage))})
            if stage == "check" and a.check_failed.is_file():
                failed = read_json(a.check_failed)
                mismatched = sum(o.get("mismatched", 0) for o in failed.get("outputs", []))
                size = sum(math.prod(o.get("shape", [])) for o in failed.get("outputs", []))
                failure = f"numerical mismatch ({mismatched} of {size} elements)"
            break
        if not all(p.exists() for p in STAGES[stage].outputs(build)):
            break
        reached = stage
    correct = a.check.is_file() and bool(read_json(a.check).get("passed"))
    speedup = None
    if a.bench.is_file():
        bench = read_json(a.bench)
        compiled = bench["systems"].get(bench.get("engine", "iree"), {})
        eager = bench["systems"].get("torch_eager", {})
        if "median_ms" in compiled and "median_ms" in eager:
            speedup = eager["median_ms"] / compiled["median_ms"]
    return Outcome(model.name, directory, reached, failure, correct, speedup)


def per_directory(outcomes: list[Outcome]) -> list[list[str]]:
    rows = []
    for directory in sorted({o.directory for o in outcomes}):
        group = [o for o in outcomes if o.directory == directory]
        n = len(group)
        faster = [o for o in group if o.correct and o.speedup is not None]

        def share(k):
            return f"{100 * k / n:.0f}%"

        rows.append([directory, str(n), share(sum(o.correct for o in group)),
                     share(sum(o.speedup > 1.0 for o in faster)), share(sum(o.speedup > 1.5 for o in faster))])
    return rows


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def plot(outcomes: list[Outcome], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    benched = [o for o in outcomes if o.speedup is not None]
    fig, ax = plt.subplots(figsize=(max(6, 0.45 * len(outcomes)), 4.5))
    xs = range(len(outcomes))
    heights = [o.speedup or 0.0 for o in outcomes]
    colours = ["tab:green" if o.correct and (o.speedup or 0) > 1 else "tab:orange" if o.correct
               else "tab:red" for o in outcomes]
    ax.bar(xs, heights, color=colours)
    for x, o in zip(xs, outcomes):
        if o.speedup is None:
            ax.text(x, 0.02, (o.failure or "not benched")[:28], rotation=90, fontsize=7, va="bottom",
                    ha="center")
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle="--")
    ax.set_xticks(list(xs), [o.model for o in outcomes], rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("speedup over torch eager (higher is faster)")
    ax.set_title(f"{len(benched)} of {len(outcomes)} problems benched; green: correct and faster")
    fig.tight_layout()
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)


def suite_files(project) -> tuple[Path, Path]:
    return project.cache / "report" / "suite.md", project.cache / "report" / "suite.png"


def run_suite(project) -> str:
    from ..ingress.models import discover

    outcomes = [outcome(project, m) for m in discover(project.model_dirs) if not m.missing]
    rows = [[o.model, o.directory, o.reached or "-", o.failure or ("pass" if o.correct else "-"),
             _speedup(o.speedup)] for o in outcomes]
    models = _table(["model", "directory", "last stage built", "outcome", "speedup over eager"], rows)
    directories = _table(["directory", "problems", "correct", "correct and faster than eager",
                          "correct and > 1.5x faster"], per_directory(outcomes))
    text = "\n".join(["# Suite summary", "", "Built from `.cache/` as the stages left it (run "
                      "`doit run --continue check bench` first).", "", directories, "", models, "",
                      "![speedups](suite.png)", ""])
    markdown, chart = suite_files(project)
    with atomic_outputs(markdown, chart) as (markdown_tmp, chart_tmp):
        markdown_tmp.write_text(text)
        plot(outcomes, chart_tmp)
    return f"{directories}\n\n{models}\n\nsuite: {markdown}\nchart: {chart}"
