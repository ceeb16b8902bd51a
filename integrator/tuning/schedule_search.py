"""The tuner on the upstream MLIR engine: search the selected schedule's tile-size parameters.

Each candidate is scheduled, compiled, checked and timed in turn (the engine JIT-compiles in
process, so candidates build one at a time), against the current parameters re-timed in the
same rounds. The winner is written as ``schedule-params`` in the model's tuned choice."""

from __future__ import annotations

import json
import os
from dataclasses import replace

from ..core.artifacts import file_sha256, read_json
from ..core.build import Build
from ..core.errors import StageError
from .choices import TunedChoice, write_choice
from .session import Session
from .trials import Failure


def schedule_candidates(params: dict) -> list[dict]:
    """Variations of a schedule's tile-size parameters (lists of ints): each entry above 1
    halved or doubled, one at a time."""
    out, seen = [], {json.dumps(params, sort_keys=True)}
    for name, value in params.items():
        if not (isinstance(value, list) and value and all(isinstance(v, int) for v in value)):
            continue
        for i, size in enumerate(value):
            for new in ((size // 2, size * 2) if size > 1 else ()):
                candidate = dict(params, **{name: [new if j == i else v for j, v in enumerate(value)]})
                if (key := json.dumps(candidate, sort_keys=True)) not in seen:
                    seen.add(key)
                    out.append(candidate)
    return out


def _build(session: Session, index: int, params: dict) -> tuple[Build | None, Failure | None]:
    """Schedule, compile and check one candidate in a cache of its own under the work directory."""
    from ..core.stages import STAGES

    s = session
    project = replace(s.project, cache=s.workdir / f"schedule{index}")
    b = Build(project, s.model, replace(s.build.selection, schedule_params=params))
    b.artifacts.dir.mkdir(parents=True, exist_ok=True)
    for name in ("imported", "reference", "import_info"):
        os.symlink(getattr(s.build.artifacts, name), getattr(b.artifacts, name))
    try:
        STAGES["schedule"].run(b)
        STAGES["compile"].run(b)
    except StageError as error:
        return None, Failure("compile-failed", error.message[:300])
    return b, s.check(b.artifacts.compiled, b.artifacts.compile_info, "mlir")


def _loaded(b: Build, s: Session):
    return b.engine.load(b.artifacts.compiled, read_json(b.artifacts.compile_info),
                         entry=s.entry, n_outputs=s.n_outputs)


def tune_schedule(session: Session) -> str:
    s = session
    current = dict(read_json(s.build.artifacts.schedule_info).get("params") or {})
    if not current:
        raise s.error(f"schedule {s.build.selection.schedule!r} has no parameters to tune")
    signature = (f"{s.model.name}:{file_sha256(s.build.artifacts.imported)[:20]}:"
                 f"{s.build.selection.schedule}:{s.build.selection.mlir_pipeline}")
    candidates = [current] + schedule_candidates(current)
    os.environ["INTEGRATOR_TARGET_CPU"] = s.cpu  # the temporary caches need not probe again
    known = {json.dumps(c, sort_keys=True): s.db.get("schedule", signature, {"params": c}) for c in candidates}
    s.reused += sum(t is not None for t in known.values())
    baseline, problem = _build(s, 0, current)
    if problem:
        raise s.error(f"the current schedule parameters do not build: {problem}")
    todo = [c for c in candidates[1:] if known[json.dumps(c, sort_keys=True)] is None]
    for index, params in enumerate(todo, start=1):
        if not s.budget.left():
            s.note(f"budget spent: {s.budget.describe()}")
            break
        b, problem = _build(s, index, params)
        key = json.dumps(params, sort_keys=True)
        if problem:
            known[key] = s.db.record("schedule", signature, {"params": params}, problem, model=s.model.name)
        else:
            timed = s.time_artifacts({"current": _loaded(baseline, s), "candidate": _loaded(b, s)})
            known[key] = s.db.record("schedule", signature, {"params": params}, timed["candidate"],
                                     baseline_ms=timed["current"], model=s.model.name)
        s.budget.spend()
        trial = known[key]
        s.note(f"  {params}: " + (f"{trial.ratio:.2f}x" if trial.ratio else trial.status)
               + f"; {s.budget.describe()}")
    ranked = sorted((t.ratio, json.dumps(t.candidate["params"], sort_keys=True))
                    for t in known.values() if t is not None and t.ratio)
    if not ranked or ranked[0][0] >= 1 - s.settings.min_gain:
        return (f"tune:{s.model.name}: no schedule parameters {s.settings.min_gain:.0%} faster "
                f"than {current}; {s.budget.describe()}, {s.reused} known trials reused. Nothing written.")
    ratio, best = ranked[0][0], json.loads(ranked[0][1])
    s.out_dir.mkdir(parents=True, exist_ok=True)
    write_choice(s.choice_file, TunedChoice(schedule_params=best, record={
        "cpu": s.cpu, "threads": 1, "previous": json.dumps(current), "ratio": round(ratio, 3),
        "trials": s.budget.used}), s.model.name)
    return (f"tune:{s.model.name}: schedule parameters {best} at {ratio:.2f}x of {current}; "
            f"{s.budget.describe()}, {s.reused} known trials reused. Wrote "
            f"{s.choice_file}; `doit run bench:{s.model.name}` uses it.")
