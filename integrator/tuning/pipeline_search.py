"""Level 1 of the tuner: which IREE flag set (``[iree.*]`` in pipelines.toml) builds the model
fastest. Every candidate compiles the whole model (in parallel), is checked against the
reference, and all are timed in alternating rounds against the current pipeline."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..core.artifacts import file_sha256
from ..engines.iree import IreeEngine
from ..scheduling.pipelines import IMPORT_SETTINGS, iree_pipeline_names
from .library import current_library
from .session import Session
from .trials import Failure


def candidate_pipelines(session: Session) -> list[str]:
    """The current pipeline first, then the others that build from the same import: a
    pipeline with other ``import-settings`` needs another import of the model, which the
    tuner does not make (select it, ``doit run tune:<model> iree_pipeline=<name>``, to tune
    under it)."""
    names = list(session.settings.pipelines) or iree_pipeline_names(
        session.project.schedules, session.build.selection.target.kind)
    current = session.build.selection.iree_pipeline
    imports = {n: _import_of(session, n) for n in dict.fromkeys([current, *names])}
    other = [n for n in names if n != current and imports[n] != imports[current]]
    if other:
        session.note(f"pipelines {', '.join(other)}: imported differently from {current} "
                     "(import-settings); not candidates in this run")
    return [current] + [n for n in names if n != current and n not in other]


def _import_of(session: Session, name: str) -> dict:
    """The model's import settings under pipeline ``name``."""
    from ..core.build import imported_for

    b = session.build
    model = imported_for(b.project, b.model, replace(b.selection, iree_pipeline=name))
    return {k: getattr(model.settings, k) for k in IMPORT_SETTINGS}


def pipeline_flags(session: Session, name: str) -> list[str]:
    """What identifies a pipeline candidate in the trials database: its flags and the model's."""
    return IreeEngine().code_flags(session.build, pipeline=name, spec_library=None)


def same_builds(vmfbs: dict[str, Path], devices: dict[str, str]) -> dict[str, str]:
    """``{name: the first earlier name it duplicates}`` for builds whose binary and runtime
    device are identical (flag sets that change nothing for this model: a depthwise
    convolution compiles the same under five pipelines)."""
    first: dict[tuple[str, str], str] = {}
    same = {}
    for name, vmfb in vmfbs.items():
        key = (file_sha256(vmfb), devices[name])
        if key in first:
            same[name] = first[key]
        else:
            first[key] = name
    return same


def tune_pipeline(session: Session) -> tuple[list[str], dict[str, float]]:
    """The fastest pipeline first, then those within ``min_gain`` of it (the ties); and every
    pipeline that compiled and checked, with its time relative to the current one. A pipeline
    that builds the same binary as one before it is timed once and left out of both."""
    s, engine = session, IreeEngine()
    current = s.build.selection.iree_pipeline
    signature = f"{s.model.name}:{file_sha256(s.build.artifacts.scheduled)[:20]}"
    names = candidate_pipelines(s)

    # The current spec library compiles with every candidate (a spec made for one pipeline can
    # break another), so its content is part of what a trial measured.
    library = current_library(s.project, s.build.selection.target)
    specs = {"specs": file_sha256(library)[:16]} if library else {}

    def candidate(name):
        device = engine.pipeline(s.build, name).device
        return {"pipeline": name, "flags": pipeline_flags(s, name),
                **({"device": device} if device != "local-task" else {}), **specs}

    known = {n: s.db.get("pipeline", signature, candidate(n)) for n in names}
    todo = [n for n in names if known[n] is None]
    s.reused += len(names) - len(todo)
    todo = todo[: s.budget.room(len(todo))]
    same: dict[str, str] = {}
    if todo and s.budget.left():
        s.note(f"pipelines: compiling {len(todo)} candidates ({', '.join(todo)}); baseline {current}")
        jobs = {n: (s.build.artifacts.scheduled, s.workdir / f"pipeline-{n}.vmfb",
                    engine.flags(s.build, pipeline=n, cpu=s.cpu))
                for n in dict.fromkeys([current, *todo])}
        failures = s.compile_all(jobs)
        checked = s.check_all({name: job[1] for name, job in jobs.items() if failures[name] is None})
        failures |= {name: failure for name, failure in checked.items() if failure}
        built = {n: job[1] for n, job in jobs.items() if failures[n] is None}
        same = same_builds(built, {n: engine.pipeline(s.build, n).device for n in built})
        for name, original in same.items():
            s.note(f"  pipeline {name}: the same binary and runtime device as {original}; timed once")
        timed = s.time_vmfbs({n: v for n, v in built.items() if n not in same}, {n: n for n in jobs})
        # A build identical to another is timed once: noise cannot make one copy "win".
        timed |= {name: timed[original] for name, original in same.items() if original in timed}
        baseline = timed.get(current)
        for name in todo:
            outcome = failures[name] or timed[name]
            if isinstance(outcome, Failure) or isinstance(baseline, float):
                known[name] = s.db.record("pipeline", signature, candidate(name), outcome,
                                          baseline_ms=baseline if isinstance(baseline, float) else None,
                                          model=s.model.name)
            s.budget.spend()
    for name in names:
        trial = known[name]
        if trial is None:
            continue
        shown = (f"{trial.ms:.3f} ms vs {trial.baseline_ms:.3f} ms ({trial.ratio:.2f}x)"
                 if trial.ratio else f"{trial.status}: {(trial.detail or '')[:120]}")
        s.note(f"  pipeline {name}: {shown}")
    ratios = {n: t.ratio for n, t in known.items() if t is not None and t.ratio}
    ratios.setdefault(current, 1.0)
    best = min(ratios, key=ratios.get)
    if ratios[best] >= 1 - s.settings.min_gain:
        best = current  # a win within the noise is not a win
    # Pipelines as fast as the best (within min-gain) are ties: the dispatch level decides.
    # A copy of another build adds nothing to search.
    ties = [best] + sorted((n for n, r in ratios.items()
                            if n != best and n not in same and r <= ratios[best] + s.settings.min_gain),
                           key=ratios.get)
    s.note(f"pipeline: {best} ({ratios[best]:.2f}x of {current})"
           + (f"; as fast within {s.settings.min_gain:.0%}: {', '.join(ties[1:])}" if ties[1:] else ""))
    return ties, {n: r for n, r in ratios.items() if n not in same}
