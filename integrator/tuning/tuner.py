"""The auto-tuner: ``doit run tune:<model>`` (or ``python -m integrator tune <model>``).

For IREE builds, two levels, each measured against a baseline re-measured in the same batch
(so the machine's drift cancels out of the ratio):

1. **Pipeline** (``pipeline_search.py``): every candidate IREE flag set compiles the whole
   model, is checked, and all are timed in alternating rounds against the current pipeline.
2. **Dispatches** (``dispatch_search.py``): with the chosen pipeline, the slowest dispatches
   that a spec can reach get candidate tile sizes, each a tuning spec timed against IREE's
   default for that dispatch. Pipeline and tiles are also searched jointly: a slower pipeline
   whose code differs and whose dispatches take register tiles (``joint-pipelines``, within
   ``joint-within`` x of the fastest) gets a dispatch search of its own, since IREE's default
   tiles can hide the pipeline that wins once tuned.

Each search's winners are validated together on the whole model; the tuned models are then
timed against the current build in one batch; only a clear win is written
(``<first user spec library>/<cpu>/<model>.mlir`` and ``.toml``, ``choices.py``), which the
compile and bench stages pick up. For the upstream
engine the selected schedule's parameters are searched instead (``schedule_search.py``).
Every trial goes into the results database (``trials.py``): a re-run skips what is known.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field

from ..core import progress
from ..core.artifacts import write_json, write_text
from ..core.build import Build
from ..core.errors import ClusterError
from . import dispatch_search as dispatch
from .choices import TunedChoice, write_choice
from .pipeline_search import tune_pipeline
from .schedule_search import tune_schedule
from .session import Session
from .specs import SpecError, render_spec
from .trials import Failure


def tune(project, model, *, minutes: float | None = None, trials: int | None = None) -> str:
    build = Build.of(project, model)
    if build.selection.engine not in ("iree", "mlir"):
        raise build.error("tune", f"the tuner tunes IREE and upstream-MLIR builds; {model.name} uses "
                          f"the {build.selection.engine} engine")
    if not build.target.is_host:
        # Its dispatch search writes CPU configurations and times on the CPU's task system.
        raise build.error("tune", f"the tuner tunes host-CPU builds; {model.name} targets "
                          f"{build.target.label}",
                          hint="tune the host build (target=host); for a CUDA build pick a "
                          "pipeline (iree_pipeline=cuda-plain) or write a spec in tuning/"
                          f"{build.target.arch}/")
    settings = project.tuning
    session = Session(build, minutes=settings.minutes if minutes is None else minutes,
                      trials=settings.trials if trials is None else trials)
    try:
        session.note(f"tuning {model.name} on {session.cpu}, {session.threads} threads; "
                     f"{session.budget.describe()}; trials database {session.db.path}")
        if build.selection.engine == "mlir":
            return tune_schedule(session)
        return tune_iree(session)
    except (SpecError, ClusterError) as error:
        raise session.error(str(error)) from None
    finally:
        session.close()


def _dispatches(s: Session, pipeline: str, context: str) -> list | None:
    """The model's dispatches under ``pipeline``; None, said in a note that starts with
    ``context``, when they cannot be dumped."""
    try:
        return dispatch.dispatches_of(s, pipeline)
    except (RuntimeError, subprocess.TimeoutExpired) as error:  # IreeCompileError included
        s.note(f"{context}under {pipeline}, the dispatches could not be dumped ({str(error)[:200]}); skipped")
        return None


def _choose_pipeline(s: Session, ties: list[str]):
    """Among equally fast pipelines, the one whose dispatches specs can reach most."""
    options = []
    for pipeline in ties:
        if options and not s.budget.left():
            break
        if (dispatches := _dispatches(s, pipeline, "  ")) is None:
            continue
        reachable = dispatch.reachable(s, [d for d in dispatches if d.tunable], pipeline)
        # Untimed yet: the share of dispatch launches, a proxy good enough to rank ties.
        share = sum(d.count for d in reachable) / (sum(d.count for d in dispatches) or 1)
        options.append((share, pipeline, dispatches, reachable))
        s.note(f"  under {pipeline}, specs reach {share:.0%} of the dispatch launches")
    if not options:
        raise s.error("no candidate pipeline's dispatches could be dumped; see " + str(s.workdir / "tune.log"))
    _, pipeline, dispatches, reachable = max(options, key=lambda o: o[0])
    if len(options) > 1:
        s.note(f"pipeline for dispatch tuning: {pipeline}")
    return pipeline, dispatches, reachable


@dataclass
class Search:
    """One pipeline's dispatch search: what it found and what the model's dispatches were."""

    pipeline: str
    dispatches: list
    winners: list = field(default_factory=list)  # (dispatch, configuration, ratio)


def tune_iree(s: Session) -> str:
    started = time.monotonic()
    current = s.build.selection.iree_pipeline
    ties, ratios = tune_pipeline(s)
    pipeline, dispatches, reachable = _choose_pipeline(s, ties)
    contenders = joint_contenders(ratios, ties, s.settings.joint_within)
    # The fastest pipeline gets the whole time, or 60 % when slower ones may be searched too.
    joint = s.settings.joint_pipelines > 0 and bool(contenders)
    searches = [_search(s, pipeline, dispatches, reachable,
                        _deadline(s, 0.6 if joint else 1.0))]
    if joint:
        searches += _joint(s, contenders, searched=[dispatches])
    final = finish(s, current, searches)
    final["seconds"] = round(time.monotonic() - started, 1)
    final["compile_seconds"] = round(s.compiling, 1)
    s.note(f"candidate compiles: {s.compiled} in {s.compiling:.1f} s of wall time"
           + (f" on the cluster at {s.remote.cluster.address}" if s.remote else ""))
    write_json(s.workdir / "summary.json", final | {"log": s.log})
    return final["summary"]


def joint_contenders(ratios: dict[str, float], ties: list[str], within: float) -> list[str]:
    """Pipelines slower than the ties but within ``within`` x of the fastest, fastest first."""
    fastest = min(ratios[n] for n in ties)
    return [n for n in sorted(ratios, key=ratios.get) if n not in ties and ratios[n] <= fastest * within]


def _deadline(s: Session, share: float) -> float:
    return time.monotonic() + s.budget.seconds_left() * share


def _joint(s: Session, contenders: list[str], searched: list[list]) -> list[Search]:
    """Dispatch searches under slower pipelines whose code differs from what was searched
    (a pipeline that only changes the runtime device has the same dispatches) and whose
    dispatches take register tiles: there tuning can change the code, not only its tiling."""
    found = []
    seen = [{d.signature for d in dispatches} for dispatches in searched]
    for i, name in enumerate(contenders):
        if len(found) >= s.settings.joint_pipelines or not s.budget.left():
            break
        if (dispatches := _dispatches(s, name, "joint search: ")) is None:
            continue
        signatures = {d.signature for d in dispatches}
        if signatures in seen:
            s.note(f"joint search: {name} has the same dispatches as a pipeline searched already")
            continue
        seen.append(signatures)
        reachable = dispatch.reachable(s, [d for d in dispatches if d.tunable], name)
        if not any(dispatch.takes_register_tiles(d) for d in reachable):
            s.note(f"joint search: under {name}, no dispatch a spec reaches takes register tiles")
            continue
        s.note(f"joint search: {name} too, with its own dispatch search")
        left = min(s.settings.joint_pipelines - len(found), len(contenders) - i)
        found.append(_search(s, name, dispatches, reachable, _deadline(s, 1 / left)))
    return found


def _search(s: Session, pipeline: str, dispatches: list, reachable: list, deadline: float) -> Search:
    """Under ``pipeline``, the slowest reachable dispatches' best configurations, found before
    ``deadline`` and validated together on the whole model."""
    dispatches = dispatch.profile(s, pipeline, dispatches)
    reachable = sorted((d for d in reachable if d.ms), key=lambda d: d.total_ms, reverse=True)
    total = sum(d.total_ms for d in dispatches) or 1.0
    tunable = [d for d in reachable if d.total_ms / total >= 0.01]  # worth a search
    if s.settings.dispatches:
        tunable = tunable[: s.settings.dispatches]
    winners = []
    with progress.bar(len(tunable), f"tune:{s.model.name} dispatches ({pipeline})") as bar:
        for i, d in enumerate(tunable):
            if not s.budget.left() or (i and time.monotonic() >= deadline):
                s.note(f"budget for {pipeline} spent: {s.budget.describe()}")
                break
            # The time left is shared by the dispatches still to tune, in proportion to their
            # share of the model's time (TVM's task scheduler does the same): a dispatch that
            # is 30 % of the model gets 30 times the search of one that is 1 %.
            share = d.total_ms / (sum(t.total_ms for t in tunable[i:]) or 1.0)
            seconds = max(0.0, min(deadline - time.monotonic(), s.budget.seconds_left()))
            if best := dispatch.tune_dispatch(s, d, pipeline, deadline=time.monotonic() + seconds * share):
                winners.append((d, *best))
                s.note(f"  {d.short_name}: {best[1]:.2f}x of IREE's default with {best[0]}")
            bar.update(1)
    return Search(pipeline, dispatches, dispatch.validate(s, pipeline, winners))


def finish(s: Session, current: str, searches: list[Search]) -> dict:
    """Time each search's tuned model against the current build, in one batch; write the
    fastest's spec and choice if it is faster."""
    source = s.build.artifacts.scheduled
    jobs = {"current": (source, s.workdir / "final-current.vmfb", dispatch.model_flags(s, current))}
    specs, pipelines = {}, {"current": current}
    for search in searches:
        if search.pipeline == current and not search.winners:
            continue  # the current build itself
        name = f"tuned-{search.pipeline}"
        specs[name] = s.workdir / f"{name}.mlir"
        header = (f"Written by `doit run tune:{s.model.name}` on {time.strftime('%Y-%m-%d %H:%M')} "
                  f"for {s.cpu} ({s.threads} threads), pipeline {search.pipeline}.\n"
                  "Each matcher is one dispatch's root op (op name and operand types); the\n"
                  "configuration was timed against IREE's default for that dispatch.")
        specs[name].write_text(render_spec([dispatch.entry_for(d, c, dispatch.marker(s, d))
                                            for d, c, _ in search.winners], header))
        jobs[name] = (source, s.workdir / f"final-{search.pipeline}.vmfb",
                      dispatch.model_flags(s, search.pipeline, specs[name] if search.winners else None,
                                           f"final-{search.pipeline}"))
        pipelines[name] = search.pipeline
    failures = s.compile_all(jobs)
    if failures["current"]:
        return {"summary": f"tune:{s.model.name}: the current build does not compile "
                           f"({failures['current']}); nothing written"}
    problems = {name: failures[name] or s.check(jobs[name][1]) for name in specs}
    for name, problem in problems.items():
        if problem:
            s.note(f"{name}: the tuned build failed ({problem}); not a candidate")
    candidates = [name for name in specs if not problems[name]]
    if specs and not candidates:
        return {"summary": f"tune:{s.model.name}: the tuned build failed "
                           f"({next(iter(problems.values()))}); nothing written"}
    timed = s.time_vmfbs({name: jobs[name][1] for name in ["current", *candidates]},
                         {name: pipelines[name] for name in ["current", *candidates]})
    before = timed["current"]
    after_of = {name: timed[name] for name in candidates if isinstance(timed[name], float)}
    if isinstance(before, Failure) or len(after_of) < len(candidates):
        return {"summary": f"tune:{s.model.name}: timing failed ({timed}); nothing written"}
    best = min(after_of, key=after_of.get) if after_of else None
    search = next((x for x in searches if best and x.pipeline == pipelines[best]), searches[0])
    pipeline, winners, dispatches = search.pipeline, search.winners, search.dispatches
    after = after_of.get(best, before)
    # What each pipeline's search reached (the current build's time where it found nothing).
    searched = {x.pipeline: after_of.get(f"tuned-{x.pipeline}", before if x.pipeline == current else None)
                for x in searches}
    if len(searches) > 1:
        s.note("joint search, whole model: " + ", ".join(
            f"{name} {ms:.3f} ms" if ms else f"{name} not timed" for name, ms in searched.items())
            + f" (current {before:.3f} ms)")
    record = {"model": s.model.name, "cpu": s.cpu, "threads": s.threads, "pipeline": pipeline,
              "previous_pipeline": current, "before_ms": before, "after_ms": after,
              "trials": s.budget.used,
              "searched": searched,
              "dispatch_specs": [{"dispatch": d.short_name, "config": c, "ratio": r} for d, c, r in winners]}
    # Only a clear win is written: on a shared machine a few percent is within the noise.
    improved = (pipeline != current or winners) and after < before * (1 - s.settings.min_gain)
    if improved:
        s.out_dir.mkdir(parents=True, exist_ok=True)
        if winners:
            write_text(s.spec_file, specs[best].read_text())
        else:
            s.spec_file.unlink(missing_ok=True)
        write_choice(s.choice_file, TunedChoice(iree_pipeline=pipeline, record={
            "cpu": s.cpu, "threads": s.threads, "previous_pipeline": current,
            "before_ms": round(before, 4), "after_ms": round(after, 4), "trials": s.budget.used,
            "dispatch_specs": len(winners)}), s.model.name)
    share = sum(d.total_ms for d in dispatches[:5]) / (sum(d.total_ms for d in dispatches) or 1)
    summary = (f"tune:{s.model.name}: {before:.3f} ms -> {after:.3f} ms ({after / before:.2f}x) with "
               f"pipeline {pipeline} and {len(winners)} dispatch spec(s); {s.budget.describe()}, "
               f"{s.reused} known trials reused; the 5 slowest dispatches were {share:.0%} of the time"
               + (f" of the {sum(d.ms is not None for d in dispatches)} timed alone "
                  f"({sum(d.ms is None for d in dispatches)} could not be)"
                  if any(d.ms is None for d in dispatches) else "") + ". ")
    summary += (f"Wrote {s.choice_file}" + (f" and {s.spec_file}" if winners else "")
                + f"; `doit run bench:{s.model.name}` uses them."
                if improved else "Not faster than the current build: nothing written.")
    return record | {"summary": summary, "written": bool(improved)}
