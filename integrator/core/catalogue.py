"""The catalogue: every discovered model, what it is, and the state of each of its stages.

Format, source file, input signature, parameter count and FLOPs come from the import
stage's record (so they are shown once a model is imported). The state of each stage:

* ``built``: doit considers it up to date (``doit list --status``);
* ``stale``: its targets exist but doit would rebuild it (an input, setting or tool changed);
* ``not built``: no targets yet;
* ``failed``: its last run failed; the message is kept in ``<cache>/<model>/<stage>.error``;
* ``skipped``: the model needs a package that is not installed (``skipped (no GPU)``: check
  and bench of a CUDA build where there is no CUDA device).

Without a ``dodo.py`` (the library used on its own) ``built`` means "targets exist".
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .artifacts import read_json
from ..ingress.models import ModelFile
from .project import Project
from .build import Build
from .stages import STAGES
from .target import no_gpu_reason

_SHORT_DTYPES = {"float32": "f32", "float16": "f16", "float64": "f64", "int64": "i64",
                 "int32": "i32", "int16": "i16", "int8": "i8", "uint8": "u8", "bool": "bool"}


def doit_status(root: Path) -> dict[str, str] | None:
    """{task name: 'R' (would run) | 'U' (up to date) | 'I' (ignored)}, asked of doit's own
    dependency database with the project's tasks (loaded from its dodo.py, as doit does)."""
    import importlib.util

    from doit.dependency import Dependency, SqliteDB
    from doit.loader import load_doit_config, load_tasks

    if not (root / "dodo.py").is_file():
        return None
    sys.path.insert(0, str(root))  # dodo.py imports tasks/ from the project root
    try:
        spec = importlib.util.spec_from_file_location("dodo", root / "dodo.py")
        dodo = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(dodo)
        members = dict(vars(dodo))
        tasks = load_tasks(members)
        dependencies = Dependency(SqliteDB, load_doit_config(members)["dep_file"])
    except Exception:  # a project whose graph does not load: states from the files alone
        return None
    finally:
        sys.path.remove(str(root))
    by_name = {t.name: t for t in tasks}
    states = {}
    for task in tasks:
        if dependencies.status_is_ignore(task):
            states[task.name] = "I"
        else:
            states[task.name] = "U" if dependencies.get_status(task, by_name).status == "up-to-date" else "R"
    dependencies.close()
    return states


def _state(project: Project, model: ModelFile, stage: str, status: dict | None) -> str:
    if model.missing:
        return "skipped"
    build = Build.of(project, model)
    a = build.artifacts
    if a.error(stage).is_file():
        return "failed"
    if stage in ("check", "bench") and no_gpu_reason(build.target):
        return "skipped (no GPU)"
    built = all(p.exists() for p in STAGES[stage].outputs(build))
    doit = (status or {}).get(build.task(stage))  # compile:<m>@cuda-sm_80 for a CUDA build
    if doit == "U" or (status is None and built):
        state = "built"
        if stage == "check" and a.check.is_file():
            if read_json(a.check).get("verdict") == "no-reference":
                state = "built (no reference)"
        return state
    if doit == "I":
        return "ignored"
    return "stale" if built else "not built"


def _error_text(path: Path) -> str:
    """A failed stage's message from the record its doit task kept (``tasks/graph.py``)."""
    try:
        return json.loads(path.read_text())["text"].strip()
    except (ValueError, KeyError, TypeError):
        return path.read_text().strip()  # a record written by hand or by an older version


def _signature(info: dict) -> str:
    parts = []
    for i in info.get("inputs", []):
        shape = ",".join(map(str, i["shape"]))
        parts.append(f"{_SHORT_DTYPES.get(i['dtype'], i['dtype'])}[{shape}]")
    parts += [f"{c['constant']} (baked in)" for c in info.get("constant_inputs", [])]
    return " ".join(parts) or "(none)"


def _count(value, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit:
        for scale, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
            if value >= scale:
                return f"{value / scale:.3g} {prefix}{unit}"
        return f"{value} {unit}"
    return f"{value:,}"


def _peak_memory(a) -> int | None:
    """The largest peak resident memory the model's import, check and bench recorded."""
    peaks = [read_json(p).get("peak_rss_bytes")
             for p in (a.stats("import"), a.stats("check"), a.bench) if p.is_file()]
    return max((p for p in peaks if p), default=None)


def _memory(n: int | None) -> str:
    return "" if n is None else f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def entries(project: Project, models: list[ModelFile], status: dict | None) -> list[dict]:
    rows = []
    for model in models:
        a = Build.of(project, model).artifacts
        info = read_json(a.import_info) if a.import_info.is_file() else {}
        try:
            source = str(model.path.relative_to(project.root))
        except ValueError:
            source = str(model.path)
        states = {stage: _state(project, model, stage, status) for stage in STAGES}
        errors = {stage: _error_text(a.error(stage)) for stage, state in states.items()
                  if state == "failed"}
        rows.append({
            "model": model.name, "format": model.format, "source": source,
            "inputs": info.get("inputs"), "constant_inputs": info.get("constant_inputs", []),
            "parameters": info.get("parameters"), "flops": info.get("flops"),
            "peak_rss_bytes": _peak_memory(a),
            "states": states, "errors": errors, "skipped": model.skip_reason,
        })
    return rows


def render(rows: list[dict]) -> str:
    header = ["model", "format", "source", "inputs", "params", "FLOPs", "peak mem", *STAGES]
    table = [header]
    for r in rows:
        inputs = _signature(r) if r["inputs"] is not None else "(import first)"
        table.append([r["model"], r["format"], r["source"], inputs, _count(r["parameters"]),
                      _count(r["flops"], "FLOP"), _memory(r["peak_rss_bytes"]),
                      *r["states"].values()])
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    failures = [(r["model"], stage, text) for r in rows for stage, text in r["errors"].items()]
    if failures:
        lines += ["", "failed:"]
        for model, stage, text in failures:
            why = text.splitlines()[0]
            if why.startswith(f"{stage}:{model}"):  # the task's name (compile:m@cuda-sm_80)
                why = why.split(": ", 1)[-1]
            lines.append(f"  {stage}:{model}: {why}")
    skipped = [r for r in rows if r["skipped"]]
    if skipped:
        lines += ["", "skipped:"] + [f"  {r['model']}: {r['skipped']}" for r in skipped]
    if not rows:
        lines.append("(no models)")
    return "\n".join(lines)


# Files only a model's stages write: a cache directory holding one is a model's.
_MODEL_FILES = ("import.json", "import.mlirbc", "import.error", "reference.npz")


def orphans(project: Project, models: list[ModelFile]) -> list[Path]:
    """Cache directories of models whose files are gone (removed or renamed): nothing builds
    them any more, so ``doit clean`` removes them and the catalogue names them."""
    names = {m.name for m in models}
    if not project.cache.is_dir():
        return []
    return sorted(d for d in project.cache.iterdir()
                  if d.is_dir() and d.name not in names and any((d / f).exists() for f in _MODEL_FILES))


def catalogue(project: Project, models: list[ModelFile], *, as_json: bool = False) -> str:
    rows = entries(project, models, doit_status(project.root))
    if as_json:
        return json.dumps(rows, indent=2)
    orphaned = [d.name for d in orphans(project, models)]
    text = render(rows)
    if orphaned:
        text += ("\n\norphaned (cached, but the model file is gone; `doit clean` removes them): "
                 + ", ".join(orphaned))
    return text
