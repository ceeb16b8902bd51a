"""The auto-tuner: ``doit run tune:<model>`` (or ``python -m integrator tune <model>``).

Two levels, each measured against a baseline re-measured in the same batch (so the machine's
drift cancels out of the ratio):

1. **Pipeline**: every candidate IREE flag set (``[tool.integrator.tuning] pipelines``, or all
   of ``schedules/pipelines.toml``) compiles the whole model; each is checked against the
   reference, then all are timed in alternating rounds. The current pipeline is the baseline.
2. **Dispatches**: with the chosen pipeline, the model's dispatches are dumped and timed one by
   one; the slowest tunable ones (by share of the model's time) get candidate tile sizes,
   each expressed as a tuning spec and applied to the dispatch's own benchmark module, timed
   against IREE's default for that dispatch.

Candidates compile in parallel (one per core) and are timed one at a time with nothing else
running. A candidate that fails to compile, crashes, times out or computes wrong numbers is
recorded and never chosen. Every trial goes into the results database (``trials.py``), so a
re-run skips what is known. The winners are validated together on the whole model (numbers
checked, each spec seen to apply), then written as a user tuning spec and pipeline choice:
``<first user spec library>/<cpu>/<model>.mlir`` and ``.toml``, which the normal compile and
bench stages pick up.
"""

from __future__ import annotations

import concurrent.futures as futures
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import progress
from .artifacts import file_sha256, read_json, write_json, write_text
from .dispatches import Dispatch, compile_command, find_dispatches, time_dispatch
from .errors import StageError
from .host import host_cpu
from .iree_engine import INPUT_TYPES, target_flags
from .models import ModelFile
from .pipelines import get_pipeline, iree_pipeline_names
from .project import Project
from .stages import Build, tuning_specs
from .trials import OK, Trial, TrialDB
from .tuning_specs import SpecEntry, SpecError, link_specs, matched_specs, render_spec
from .versions import tool_versions


MAX_DRIFT = 1.10  # a batch whose baseline moved more than this between its two timings is redone


@dataclass
class Budget:
    minutes: float
    trials: int  # 0: no limit
    started: float = field(default_factory=time.monotonic)
    used: int = 0

    def left(self) -> bool:
        if self.trials and self.used >= self.trials:
            return False
        return time.monotonic() - self.started < self.minutes * 60

    def spend(self, n: int = 1) -> None:
        self.used += n

    def describe(self) -> str:
        return (f"{self.used} trials in {(time.monotonic() - self.started) / 60:.1f} min "
                f"(budget {self.minutes:g} min" + (f", {self.trials} trials)" if self.trials else ")"))


def log(message: str) -> None:
    """Progress for a person: on stderr, so doit shows it live and stdout stays the summary."""
    print(f"  {message}", file=sys.stderr, flush=True)


class Tuner:
    def __init__(self, project: Project, model: ModelFile, *, minutes: float, trials: int):
        self.project, self.model = project, model
        self.build = Build.of(project, model)
        self.settings = project.tuning
        self.budget = Budget(minutes, trials)
        self.cpu = host_cpu(project.cache)
        self.threads = project.bench.threads
        self.jobs = max(1, os.cpu_count() or 1)
        a = self.build.artifacts
        if self.build.selection.engine not in ("iree", "mlir"):
            raise self._error(f"the tuner tunes IREE and upstream-MLIR builds; {model.name} uses "
                              f"the {self.build.selection.engine} engine")
        for needed in (a.scheduled, a.reference, a.import_info):
            if not needed.exists():
                raise self._error(f"{needed} is not built", hint=f"run `doit run check:{model.name}` first")
        if not project.user_specs:
            raise self._error("no user tuning-spec library to write to",
                              hint="set [tool.integrator.tuning] specs = [\"tuning\"] in pyproject.toml")
        self.workdir = project.cache / model.name / "tune"
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)
        self.out_dir = project.user_specs[0] / self.cpu
        self.spec_file = self.out_dir / f"{model.name}.mlir"
        self.choice_file = self.out_dir / f"{model.name}.toml"
        versions = {k: v for k, v in tool_versions().items() if k.startswith("iree")}
        self.db = TrialDB(project.cache / "tuning" / "trials.sqlite3", self.cpu, versions)
        info = read_json(a.import_info)
        self.entry = info["entry"]
        self.inputs = self._write_inputs()
        self.log: list[str] = []
        self.reused = 0  # trials found in the database instead of measured

    def _error(self, message: str, hint: str | None = None) -> StageError:
        return StageError(self.model.name, "tune", message, hint)

    def _write_inputs(self) -> list[Path]:
        from .check import load_reference

        inputs, _ = load_reference(self.build.artifacts.reference)
        files = []
        for i, array in enumerate(inputs):
            path = self.workdir / f"input_{i}.npy"
            np.save(path, array)
            files.append(path)
        return files

    def note(self, message: str) -> None:
        self.log.append(message)
        log(message)
        with open(self.workdir / "tune.log", "a") as f:  # `tail -f` it when doit is not on a terminal
            f.write(message + "\n")

    # --- flags and specs -------------------------------------------------------------------

    def base_flags(self) -> list[str]:
        return [f"--iree-input-type={INPUT_TYPES[self.model.format]}", *target_flags(self.cpu)]

    def pipeline_flags(self, pipeline: str) -> list[str]:
        return [*get_pipeline(self.project.schedules, pipeline).all_flags(),
                *self.build.selection.iree_flags]

    @functools.cached_property
    def current_library_flags(self) -> list[str]:
        """The flag for the library the build uses now (linked once per run)."""
        return self.library_flags(None, "current")

    def library_flags(self, extra_spec: Path | None, name: str) -> list[str]:
        """The flag for a library of ``extra_spec`` (first) and the project's specs.

        Without ``extra_spec`` it is the library the build uses now. With one, this model's
        earlier tuned spec is left out: ``extra_spec`` is what would replace it.
        """
        from .tuning_specs import Spec

        specs = tuning_specs(self.project)
        if extra_spec:
            own = self.spec_file.resolve()
            specs = [Spec(extra_spec, "user", self.cpu)] + [s for s in specs if s.path.resolve() != own]
        if not specs:
            return []
        library = self.workdir / f"{name}.library.mlirbc"
        link_specs(specs, library)
        return [f"--iree-codegen-tuning-spec-path={library}"]

    # --- measuring whole models --------------------------------------------------------------

    def compile_all(self, jobs: dict[str, tuple[Path, Path, list[str]]]) -> dict[str, str | None]:
        """Compile ``{name: (source, output, flags)}`` in parallel; ``{name: error or None}``."""

        def one(item):
            name, (source, output, flags) = item
            try:
                result = subprocess.run(compile_command(source, output, flags), capture_output=True,
                                        text=True, timeout=self.settings.compile_timeout)
            except subprocess.TimeoutExpired:
                return name, f"timeout: compile took over {self.settings.compile_timeout:g} s"
            if result.returncode != 0:
                errors = [l for l in result.stderr.splitlines() if "error" in l]
                return name, "compile-failed: " + " | ".join(errors[:3] or result.stderr.splitlines()[-3:])
            return name, None

        with futures.ThreadPoolExecutor(self.jobs) as pool:
            return dict(pool.map(one, jobs.items()))

    def check_model(self, artifact: Path, compile_info: Path | None = None,
                    engine: str = "iree") -> str | None:
        """Run the model once in a child process and compare with the reference; error or None."""
        settings = self.model.settings
        command = [sys.executable, "-m", "integrator.tuner", "check", engine, str(artifact),
                   str(compile_info or ""), str(self.build.artifacts.reference), self.entry,
                   str(settings.atol), str(settings.rtol)]
        try:
            result = subprocess.run(command, capture_output=True, text=True,
                                    timeout=self.settings.run_timeout)
        except subprocess.TimeoutExpired:
            return f"timeout: the check ran over {self.settings.run_timeout:g} s"
        if result.returncode == 0:
            return None
        if result.returncode == 3:
            return "wrong: " + result.stdout.strip()[-300:]
        return f"crashed (exit {result.returncode}): " + result.stderr.strip()[-300:]

    def time_models(self, vmfbs: dict[str, Path]) -> dict[str, float | str]:
        """ms per model, or an error, for deciding (the bench stage reports medians).

        The candidates alternate in many short rounds; each round counts its fastest call and
        the result is the median over rounds. Load from elsewhere on a shared machine only ever
        adds time: the fastest of a few calls is the least disturbed, and a burst that spoils a
        whole round spoils one round of every candidate, not all of one candidate."""
        from .iree_engine import benchmark

        rounds: dict[str, list[float]] = {name: [] for name in vmfbs}
        errors: dict[str, str] = {}
        for _ in range(self.settings.rounds):
            for name, vmfb in vmfbs.items():
                if name in errors:
                    continue
                try:
                    rounds[name].append(min(benchmark(
                        vmfb, self.inputs, threads=self.threads, warmup=2,
                        samples=self.settings.samples, entry=self.entry,
                        timeout=self.settings.run_timeout)))
                except Exception as error:  # a crash or timeout of iree-benchmark-module
                    errors[name] = f"crashed: {str(error).strip()[-300:]}"
        return {name: errors.get(name) or statistics.median(rounds[name]) for name in vmfbs}

    # --- level 1: the pipeline ------------------------------------------------------------

    def candidate_pipelines(self) -> list[str]:
        names = list(self.settings.pipelines) or iree_pipeline_names(self.project.schedules)
        current = self.build.selection.iree_pipeline
        return [current] + [n for n in names if n != current]

    def tune_pipeline(self) -> list[str]:
        """The fastest pipeline first, then those within ``min_gain`` of it."""
        current = self.build.selection.iree_pipeline
        signature = f"{self.model.name}:{file_sha256(self.build.artifacts.scheduled)[:20]}"
        names = self.candidate_pipelines()
        known = {n: self.db.get("pipeline", signature, {"pipeline": n, "flags": self.pipeline_flags(n)})
                 for n in names}
        todo = [n for n in names if known[n] is None]
        self.reused += len(names) - len(todo)
        if self.budget.trials:
            todo = todo[: max(0, self.budget.trials - self.budget.used)]
        if todo and self.budget.left():
            self.note(f"pipelines: compiling {len(todo)} candidates ({', '.join(todo)}); "
                      f"baseline {current}")
            spec_flags = self.current_library_flags
            compile_jobs = {n: (self.build.artifacts.scheduled, self.workdir / f"pipeline-{n}.vmfb",
                                [*self.base_flags(), *self.pipeline_flags(n), *spec_flags])
                            for n in dict.fromkeys([current, *todo])}
            failures = self.compile_all(compile_jobs)
            for name, (_, vmfb, _) in compile_jobs.items():
                if failures[name] is None:
                    failures[name] = self.check_model(vmfb)
            timed = self.time_models({n: job[1] for n, job in compile_jobs.items() if failures[n] is None})
            baseline = timed.get(current)
            for name in todo:
                candidate = {"pipeline": name, "flags": self.pipeline_flags(name)}
                problem = failures[name] or (timed[name] if isinstance(timed.get(name), str) else None)
                if problem:
                    status = problem.split(":", 1)[0]
                    known[name] = self.db.record("pipeline", signature, candidate, status,
                                                 detail=problem, model=self.model.name)
                elif isinstance(baseline, float):
                    known[name] = self.db.record("pipeline", signature, candidate, OK, ms=timed[name],
                                                 baseline_ms=baseline, model=self.model.name)
                self.budget.spend()
        for name in names:
            trial = known[name]
            if trial is None:
                continue
            shown = (f"{trial.ms:.3f} ms vs {trial.baseline_ms:.3f} ms ({trial.ratio:.2f}x)"
                     if trial.ratio else f"{trial.status}: {(trial.detail or '')[:120]}")
            self.note(f"  pipeline {name}: {shown}")
        ratios = {n: t.ratio for n, t in known.items() if t is not None and t.ratio}
        ratios.setdefault(current, 1.0)
        best = min(ratios, key=ratios.get)
        if ratios[best] >= 1 - self.settings.min_gain:
            best = current  # a win within the noise is not a win
        # Pipelines as fast as the best (within min-gain) are ties: the dispatch level decides.
        ties = [best] + sorted((n for n, r in ratios.items()
                                if n != best and r <= ratios[best] + self.settings.min_gain),
                               key=ratios.get)
        self.note(f"pipeline: {best} ({ratios[best]:.2f}x of {current})"
                  + (f"; as fast within {self.settings.min_gain:.0%}: {', '.join(ties[1:])}" if ties[1:] else ""))
        return ties

    # --- level 2: dispatch configurations -------------------------------------------------

    def dispatches_of(self, pipeline: str) -> list[Dispatch]:
        """The model's dispatches under ``pipeline`` (dumped and counted, not timed)."""
        flags = [*self.base_flags(), *self.pipeline_flags(pipeline), *self.current_library_flags]
        return find_dispatches(self.build.artifacts.scheduled, flags, self.workdir / pipeline,
                               timeout=self.settings.compile_timeout)

    def profile(self, pipeline: str, dispatches: list[Dispatch]) -> list[Dispatch]:
        """Time each dispatch alone; slowest share of the model's time first."""
        workdir = self.workdir / pipeline
        outputs = {d.function: (d.source, workdir / "profile" / f"{i}.vmfb", self.base_flags()[1:])
                   for i, d in enumerate(dispatches)}
        (workdir / "profile").mkdir(exist_ok=True)
        failures = self.compile_all(outputs)
        for d in dispatches:
            if failures[d.function] is None:
                try:
                    d.ms = time_dispatch(outputs[d.function][1], threads=self.threads, batch=10,
                                         repetitions=3, timeout=self.settings.run_timeout)
                except Exception as error:
                    d.errors.append(str(error)[-200:])
            else:
                d.errors.append(failures[d.function])
        dispatches.sort(key=lambda d: d.total_ms, reverse=True)
        total = sum(d.total_ms for d in dispatches) or 1.0
        self.note(f"dispatches under {pipeline}: {len(dispatches)}, {total:.2f} ms in all when "
                  "timed one by one; slowest:")
        for d in dispatches[:10]:
            config = d.root.config.get("distribution") if d.root else None
            self.note(f"  {d.total_ms:7.3f} ms {100 * d.total_ms / total:5.1f}%  {d.count} x {d.short_name}"
                      + (f"  [{d.root.pipeline} distribution={config}"
                         + (f", spec {d.root.marker}" if d.root.marker else "") + "]" if d.root else ""))
        write_json(workdir / "profile.json", {
            "pipeline": pipeline,
            "total_ms": total,
            "dispatches": [{"function": d.function, "count": d.count, "ms": d.ms,
                            "share": d.total_ms / total, "signature": d.signature,
                            "root": d.root.op_name if d.root else None,
                            "pipeline": d.root.pipeline if d.root else None,
                            "config": d.root.config if d.root else None,
                            "spec": d.root.marker if d.root else None, "errors": d.errors}
                           for d in dispatches],
        })
        return dispatches

    def applicable(self, dispatches: list[Dispatch], pipeline: str) -> list[Dispatch]:
        """The dispatches a spec can reach in the whole model (some ops are rewritten after
        specs apply, e.g. data tiling's late materialization turns matmuls into mmt4d)."""
        if not dispatches:
            return []
        probe = self.workdir / pipeline / "probe.mlir"
        probe.write_text(render_spec([self.entry_for(d, d.root.config, f"probe:{d.function}")
                                      for d in dispatches]))
        dump = self.workdir / pipeline / "probe-configurations"
        try:
            flags = [*self.base_flags(), *self.pipeline_flags(pipeline), *self.library_flags(probe, "probe"),
                     "--compile-to=executable-configurations",
                     f"--iree-hal-dump-executable-configurations-to={dump}"]
            subprocess.run(compile_command(self.build.artifacts.scheduled, self.workdir / pipeline / "probe.out", flags),
                           check=True, capture_output=True, timeout=self.settings.compile_timeout)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, SpecError) as error:
            self.note(f"dispatches: the applicability probe failed ({str(error)[:200]}); no dispatch tuning")
            return []
        marks = set(filter(None, matched_specs(dump).values()))
        reachable = [d for d in dispatches if f"probe:{d.function}" in marks]
        unreachable = [d for d in dispatches if d not in reachable]
        if unreachable:
            self.note(f"  under {pipeline}, specs cannot reach {len(unreachable)} of {len(dispatches)} "
                      "tunable dispatches (their root op is rewritten after specs apply, e.g. by "
                      "late data-tiling materialization)")
        return reachable

    def entry_for(self, d: Dispatch, config: dict, name: str) -> SpecEntry:
        return SpecEntry(name=name, op_name=d.root.op_name, operand_types=d.root.operand_types,
                         lowering_config=d.root.lowering_config(config), pipeline=d.root.pipeline,
                         comment=f"{d.short_name}: {json.dumps(config)}")

    def tune_dispatch(self, d: Dispatch) -> tuple[dict, float] | None:
        """The best configuration for one dispatch and its time ratio to IREE's default."""
        directory = self.workdir / "dispatch" / d.signature
        directory.mkdir(parents=True, exist_ok=True)
        candidates = candidate_configs(d.root.config)
        trials = {json.dumps(c, sort_keys=True): self.db.get("dispatch", d.signature, {"config": c})
                  for c in candidates}
        todo = [c for c in candidates if trials[json.dumps(c, sort_keys=True)] is None]
        self.reused += len(candidates) - len(todo)
        if len(todo) < len(candidates):
            self.note(f"  {d.short_name}: {len(candidates) - len(todo)} of {len(candidates)} "
                      "configurations known from earlier runs")
        while todo and self.budget.left():
            batch_size = self.jobs * 4
            if self.budget.trials:
                batch_size = min(batch_size, self.budget.trials - self.budget.used)
            batch, todo = todo[:batch_size], todo[batch_size:]
            jobs = {"default": (d.stripped, directory / "default.vmfb", self.base_flags()[1:])}
            for i, config in enumerate(batch):
                spec = directory / f"candidate{i}.mlir"
                spec.write_text(render_spec([self.entry_for(d, config, f"candidate{i}")]))
                jobs[f"candidate{i}"] = (d.stripped, directory / f"candidate{i}.vmfb",
                                         [*self.base_flags()[1:], f"--iree-codegen-tuning-spec-path={spec}"])
            failures = self.compile_all(jobs)
            if failures["default"]:
                self.note(f"  {d.short_name}: its benchmark module does not compile; skipped")
                return None

            batch_of = [10]

            def timed(name):
                try:
                    return time_dispatch(jobs[name][1], threads=self.threads, batch=batch_of[0],
                                         repetitions=5, timeout=self.settings.run_timeout)
                except Exception as error:
                    return f"crashed: {str(error).strip()[-200:]}"

            first = timed("default")
            if isinstance(first, float) and first > 0:
                # Enough dispatches per timed batch (~5 ms) that microsecond kernels are measurable.
                batch_of[0] = int(min(10000, max(10, 5.0 / first)))
            for attempt in range(3):
                before = timed("default")
                results = {f"candidate{i}": failures[f"candidate{i}"] or timed(f"candidate{i}")
                           for i in range(len(batch))}
                after = timed("default")
                if isinstance(before, str) or isinstance(after, str):
                    self.note(f"  {d.short_name}: the default configuration does not run; skipped")
                    return None
                if 1 / MAX_DRIFT <= after / before <= MAX_DRIFT:
                    break
                self.note(f"  {d.short_name}: the machine drifted {after / before:.2f}x during the "
                          "batch; timing it again")
            else:
                self.note(f"  {d.short_name}: too noisy to measure now; its candidates stay untried")
                return _best(trials) if _best(trials) and _best(trials)[1] < 1 - self.settings.min_gain else None
            baseline = (before + after) / 2
            for i, config in enumerate(batch):
                result = results[f"candidate{i}"]
                key = json.dumps(config, sort_keys=True)
                if isinstance(result, str):
                    trials[key] = self.db.record("dispatch", d.signature, {"config": config},
                                                 result.split(":", 1)[0], detail=result, model=self.model.name)
                else:
                    trials[key] = self.db.record("dispatch", d.signature, {"config": config}, OK,
                                                 ms=result, baseline_ms=baseline, model=self.model.name)
            self.budget.spend(len(batch))
            best = _best(trials)
            self.note(f"  {d.short_name}: {len(batch)} configurations timed (default {baseline:.4f} ms, "
                      f"drift {after / before:.2f}); best so far "
                      + (f"{best[1]:.2f}x" if best else "none") + f"; {self.budget.describe()}")
        best = _best(trials)
        if best and best[1] < 1 - self.settings.min_gain:
            return best
        return None

    # --- the upstream engine: transform-schedule parameters -------------------------------

    def tune_schedule(self) -> str:
        """Search the selected schedule's tile-size parameters (lists of ints) on the upstream
        engine: each candidate is scheduled, compiled, checked and timed in turn (the engine
        JIT-compiles in process, so candidates build one at a time), against the current
        parameters re-timed in the same rounds."""
        from dataclasses import replace

        from .artifacts import read_json
        from .stages import STAGES

        info = read_json(self.build.artifacts.schedule_info)
        current = dict(info.get("params") or {})
        if not current:
            raise self._error(f"schedule {self.build.selection.schedule!r} has no parameters to tune")
        signature = (f"{self.model.name}:{file_sha256(self.build.artifacts.imported)[:20]}:"
                     f"{self.build.selection.schedule}:{self.build.selection.mlir_pipeline}")
        candidates = [current] + schedule_candidates(current)
        os.environ["INTEGRATOR_TARGET_CPU"] = self.cpu  # the temp caches need not probe again
        known = {json.dumps(c, sort_keys=True): self.db.get("schedule", signature, {"params": c})
                 for c in candidates}
        self.reused += sum(t is not None for t in known.values())

        def build(index: int, params: dict):
            project = replace(self.project, cache=self.workdir / f"schedule{index}")
            b = Build(project, self.model, replace(self.build.selection, schedule_params=params))
            b.artifacts.dir.mkdir(parents=True, exist_ok=True)
            source = self.build.artifacts
            for name in ("imported", "reference", "import_info"):
                os.symlink(getattr(source, name), getattr(b.artifacts, name))
            try:
                STAGES["schedule"].run(b)
                STAGES["compile"].run(b)
            except StageError as error:
                return None, f"compile-failed: {error.message[:300]}"
            problem = self.check_model(b.artifacts.compiled, b.artifacts.compile_info, "mlir")
            return b, problem

        baseline, problem = build(0, current)
        if problem:
            raise self._error(f"the current schedule parameters do not build: {problem}")
        todo = [c for c in candidates[1:] if known[json.dumps(c, sort_keys=True)] is None]
        for index, params in enumerate(todo, start=1):
            if not self.budget.left():
                self.note(f"budget spent: {self.budget.describe()}")
                break
            b, problem = build(index, params)
            key = json.dumps(params, sort_keys=True)
            if problem:
                known[key] = self.db.record("schedule", signature, {"params": params},
                                            problem.split(":", 1)[0], detail=problem, model=self.model.name)
            else:
                timed = self.time_upstream({"current": baseline, "candidate": b})
                known[key] = self.db.record("schedule", signature, {"params": params}, OK,
                                            ms=timed["candidate"], baseline_ms=timed["current"],
                                            model=self.model.name)
            self.budget.spend()
            trial = known[key]
            best = min((t.ratio, json.dumps(t.candidate["params"])) for t in known.values()
                       if t is not None and t.ratio) if any(t and t.ratio for t in known.values()) else None
            self.note(f"  {params}: " + (f"{trial.ratio:.2f}x" if trial.ratio else trial.status)
                      + (f"; best so far {best[0]:.2f}x" if best else "") + f"; {self.budget.describe()}")
        ranked = sorted((t.ratio, json.dumps(t.candidate["params"], sort_keys=True))
                        for t in known.values() if t is not None and t.ratio)
        if not ranked or ranked[0][0] >= 1 - self.settings.min_gain:
            return (f"tune:{self.model.name}: no schedule parameters {self.settings.min_gain:.0%} faster "
                    f"than {current}; {self.budget.describe()}, {self.reused} known trials reused. "
                    "Nothing written.")
        ratio, best = ranked[0][0], json.loads(ranked[0][1])
        self.out_dir.mkdir(parents=True, exist_ok=True)
        write_text(self.choice_file, _choice_toml({
            "model": self.model.name, "cpu": self.cpu, "threads": 1, "schedule_params": best,
            "previous": current, "ratio": ratio, "trials": self.budget.used}))
        return (f"tune:{self.model.name}: schedule parameters {best} at {ratio:.2f}x of {current}; "
                f"{self.budget.describe()}, {self.reused} known trials reused. Wrote "
                f"{self.choice_file}; `doit run bench:{self.model.name}` uses it.")

    def time_upstream(self, builds: dict) -> dict[str, float]:
        """Like ``time_models``, for the upstream engine's shared libraries (called in process)."""
        from . import engines
        from .artifacts import read_json
        from .check import load_reference

        arrays, expected = load_reference(self.build.artifacts.reference)
        timers = {name: engines.timer(self.project, "mlir", b.artifacts.compiled,
                                      read_json(b.artifacts.compile_info), arrays, self.inputs,
                                      1, len(expected), entry=self.entry)[0]
                  for name, b in builds.items()}
        rounds = {name: [] for name in builds}
        for _ in range(self.settings.rounds):
            for name, timer in timers.items():
                rounds[name].append(min(timer(2, self.settings.samples)))
        return {name: statistics.median(r) for name, r in rounds.items()}

    # --- validation on the whole model ------------------------------------------------------

    def validate(self, pipeline: str, winners: list[tuple[Dispatch, dict, float]]) -> list:
        """Drop winners that break the model's numbers (that they apply was probed before)."""
        while winners:
            spec = self.workdir / "tuned.mlir"
            spec.write_text(render_spec([self.entry_for(d, c, self.marker(d)) for d, c, _ in winners]))
            flags = [*self.base_flags(), *self.pipeline_flags(pipeline), *self.library_flags(spec, "tuned")]
            vmfb = self.workdir / "tuned.vmfb"
            problem = self.compile_all({"tuned": (self.build.artifacts.scheduled, vmfb, flags)})["tuned"]
            problem = problem or self.check_model(vmfb)
            if problem is None:
                return winners
            self.note(f"validation: the tuned model fails ({problem[:200]}); trying each spec alone")
            kept = []
            for d, c, r in winners:
                spec.write_text(render_spec([self.entry_for(d, c, self.marker(d))]))
                flags = [*self.base_flags(), *self.pipeline_flags(pipeline), *self.library_flags(spec, "one")]
                alone = self.compile_all({"one": (self.build.artifacts.scheduled, vmfb, flags)})["one"]
                alone = alone or self.check_model(vmfb)
                if alone is None:
                    kept.append((d, c, r))
                else:
                    status = alone.split(":", 1)[0]
                    self.db.record("dispatch", d.signature, {"config": c}, status, detail=alone,
                                   model=self.model.name)
                    self.note(f"  {d.short_name}: {status}, discarded")
            if len(kept) == len(winners):
                return []  # each works alone but not together: keep none rather than guess
            winners = kept
        return []

    def marker(self, d: Dispatch) -> str:
        return f"{self.spec_file.name}:{d.short_name}"

    # --- the whole run ------------------------------------------------------------------------

    def run(self) -> str:
        started = time.monotonic()
        current = self.build.selection.iree_pipeline
        self.note(f"tuning {self.model.name} on {self.cpu}, {self.threads} threads; "
                  f"{self.budget.describe()}; trials database {self.db.path}")
        if self.build.selection.engine == "mlir":
            summary = self.tune_schedule()
            self.db.close()
            return summary
        ties = self.tune_pipeline()
        options = []
        for pipeline in ties:
            if options and not self.budget.left():
                break
            try:
                dispatches = self.dispatches_of(pipeline)
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                self.note(f"  under {pipeline}, the dispatches could not be dumped ({str(error)[:200]}); skipped")
                continue
            reachable = self.applicable([d for d in dispatches if d.tunable], pipeline)
            # Untimed yet: the share of dispatch launches, a proxy good enough to rank ties.
            share = sum(d.count for d in reachable) / (sum(d.count for d in dispatches) or 1)
            options.append((share, pipeline, dispatches, reachable))
            self.note(f"  under {pipeline}, specs reach {share:.0%} of the dispatch launches")
        if not options:
            raise self._error("no candidate pipeline's dispatches could be dumped; see " + str(self.workdir / "tune.log"))
        # Among equally fast pipelines, the one whose dispatches specs can reach has the most to gain.
        share, pipeline, dispatches, reachable = max(options, key=lambda o: o[0])
        if len(options) > 1:
            self.note(f"pipeline for dispatch tuning: {pipeline}")
        dispatches = self.profile(pipeline, dispatches)
        reachable = sorted((d for d in reachable if d.ms), key=lambda d: d.total_ms, reverse=True)
        total = sum(d.total_ms for d in dispatches) or 1.0
        tunable = [d for d in reachable if d.total_ms / total >= 0.01]  # worth a search
        if self.settings.dispatches:
            tunable = tunable[: self.settings.dispatches]
        winners = []
        bar = progress.bar(len(tunable), f"tune:{self.model.name} dispatches")
        for d in tunable:
            if not self.budget.left():
                self.note(f"budget spent: {self.budget.describe()}")
                break
            best = self.tune_dispatch(d)
            if best:
                winners.append((d, best[0], best[1]))
                self.note(f"  {d.short_name}: {best[1]:.2f}x of IREE's default with {best[0]}")
            bar.update(1)
        bar.close()
        winners = self.validate(pipeline, winners)
        final = self.finish(current, pipeline, winners, dispatches)
        final["seconds"] = round(time.monotonic() - started, 1)
        write_json(self.workdir / "summary.json", final | {"log": self.log})
        self.db.close()
        return final["summary"]

    def finish(self, current: str, pipeline: str, winners: list, dispatches: list[Dispatch]) -> dict:
        """Time the tuned model against the current build; write the spec and choice if faster."""
        jobs = {"current": (self.build.artifacts.scheduled, self.workdir / "final-current.vmfb",
                            [*self.base_flags(), *self.pipeline_flags(current), *self.current_library_flags])}
        spec = self.workdir / "tuned.mlir"
        header = (f"Written by `doit run tune:{self.model.name}` on {time.strftime('%Y-%m-%d %H:%M')} "
                  f"for {self.cpu} ({self.threads} threads), pipeline {pipeline}.\n"
                  "Each matcher is one dispatch's root op (op name and operand types); the\n"
                  "configuration was timed against IREE's default for that dispatch.")
        spec.write_text(render_spec([self.entry_for(d, c, self.marker(d)) for d, c, _ in winners], header))
        jobs["tuned"] = (self.build.artifacts.scheduled, self.workdir / "final-tuned.vmfb",
                         [*self.base_flags(), *self.pipeline_flags(pipeline),
                          *self.library_flags(spec if winners else None, "final")])
        failures = self.compile_all(jobs)
        if failures["tuned"] or (problem := self.check_model(jobs["tuned"][1])):
            return {"summary": f"tune:{self.model.name}: the tuned build failed "
                               f"({failures['tuned'] or problem}); nothing written"}
        if failures["current"]:
            return {"summary": f"tune:{self.model.name}: the current build does not compile "
                               f"({failures['current']}); nothing written"}
        timed = self.time_models({"current": jobs["current"][1], "tuned": jobs["tuned"][1]})
        before, after = timed["current"], timed["tuned"]
        if isinstance(before, str) or isinstance(after, str):
            return {"summary": f"tune:{self.model.name}: timing failed ({before} / {after}); nothing written"}
        record = {"model": self.model.name, "cpu": self.cpu, "threads": self.threads,
                  "pipeline": pipeline, "previous_pipeline": current, "before_ms": before,
                  "after_ms": after, "trials": self.budget.used,
                  "dispatch_specs": [{"dispatch": d.short_name, "config": c, "ratio": r} for d, c, r in winners]}
        # Only a clear win is written: on a shared machine a few percent is within the noise.
        improved = (pipeline != current or winners) and after < before * (1 - self.settings.min_gain)
        if improved:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            if winners:
                write_text(self.spec_file, spec.read_text())
            else:
                self.spec_file.unlink(missing_ok=True)
            write_text(self.choice_file, _choice_toml(record))
        share = sum(d.total_ms for d in dispatches[:5]) / (sum(d.total_ms for d in dispatches) or 1)
        summary = (f"tune:{self.model.name}: {before:.3f} ms -> {after:.3f} ms "
                   f"({after / before:.2f}x) with pipeline {pipeline} and {len(winners)} dispatch spec(s); "
                   f"{self.budget.describe()}, {self.reused} known trials reused; "
                   f"the 5 slowest dispatches were {share:.0%} of the time. ")
        summary += (f"Wrote {self.choice_file}" + (f" and {self.spec_file}" if winners else "")
                    + f"; `doit run bench:{self.model.name}` uses them."
                    if improved else "Not faster than the current build: nothing written.")
        return record | {"summary": summary, "written": bool(improved)}


def _best(trials: dict[str, Trial | None]) -> tuple[dict, float] | None:
    ranked = sorted((t.ratio, json.dumps(t.candidate["config"], sort_keys=True))
                    for t in trials.values() if t is not None and t.ratio)
    return (json.loads(ranked[0][1]), ranked[0][0]) if ranked else None


def candidate_configs(config: dict) -> list[dict]:
    """Tile-size variations around a configuration: the distribution (workgroup) tiles of each
    parallel dimension scaled by 1/4..4 or set to 1, pairs of them, the outermost reduction tile
    halved or doubled (or 2 and 4 where it is 1: more unrolling of k), and for the innermost vector
    tile of elementwise-like ops, 8 and 32. Tiles stay multiples of the vector tiles."""
    distribution = config.get("distribution", [])
    vector = config.get("vector_common_parallel", [0] * len(distribution))
    dims = [i for i, t in enumerate(distribution) if t > 0]

    def fit(i, size):
        step = vector[i] if i < len(vector) and vector[i] > 0 else 1
        return max(step, (max(1, int(size)) // step) * step)

    variants = []
    for i in dims:
        for factor in (0.25, 0.5, 2, 4):
            variants.append({i: fit(i, distribution[i] * factor)})
        variants.append({i: fit(i, 1)})
    for a in dims:
        for b in dims:
            if a < b:
                for fa, fb in ((2, 0.5), (0.5, 2), (2, 2), (0.5, 0.5)):
                    variants.append({a: fit(a, distribution[a] * fa), b: fit(b, distribution[b] * fb)})
    seen, out = set(), []

    def add(candidate):
        key = json.dumps(candidate, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(candidate)

    for change in [{}] + variants:  # {} first: the current configuration itself, via a spec
        d = list(distribution)
        for i, size in change.items():
            d[i] = size
        add(dict(config, distribution=d))
    reduction = config.get("vector_reduction", [])
    # Only the outermost reduction dimension: inner ones (mmt4d's k0) are fixed by the layout.
    for i, size in [(i, t) for i, t in enumerate(reduction) if t > 0][:1]:
        for new in ((2, 4) if size == 1 else (size // 2, size * 2)):
            add(dict(config, vector_reduction=[new if j == i else t for j, t in enumerate(reduction)]))
    reduction_free = "vector_reduction" not in config and vector and vector[-1] > 0
    if reduction_free:
        for width in (8, 32):
            if not (distribution[-1] and distribution[-1] % width):
                add(dict(config, vector_common_parallel=[*vector[:-1], width]))
    return out


def _choice_toml(record: dict) -> str:
    lines = [f"# Written by `doit run tune:{record['model']}` on {time.strftime('%Y-%m-%d %H:%M')}.",
             "# The build reads iree-pipeline / schedule-params; [tuning] is the record of the run."]
    if "schedule_params" in record:
        params = ", ".join(f"{k} = {json.dumps(v)}" for k, v in record["schedule_params"].items())
        lines += [f"schedule-params = {{ {params} }}", "", "[tuning]",
                  f'cpu = "{record["cpu"]}"', f"ratio = {record['ratio']:.3f}",
                  f"trials = {record['trials']}"]
        return "\n".join(lines) + "\n"
    lines += [f'iree-pipeline = "{record["pipeline"]}"', "", "[tuning]",
              f'cpu = "{record["cpu"]}"', f"threads = {record['threads']}",
              f'previous-pipeline = "{record["previous_pipeline"]}"',
              f"before-ms = {record['before_ms']:.4f}", f"after-ms = {record['after_ms']:.4f}",
              f"trials = {record['trials']}",
              f"dispatch-specs = {len(record['dispatch_specs'])}"]
    return "\n".join(lines) + "\n"


def schedule_candidates(params: dict) -> list[dict]:
    """Variations of a schedule's tile-size parameters (lists of ints): each entry above 1
    halved or doubled, one at a time."""
    out, seen = [], {json.dumps(params, sort_keys=True)}
    for name, value in params.items():
        if not (isinstance(value, list) and value and all(isinstance(v, int) for v in value)):
            continue
        for i, size in enumerate(value):
            if size <= 1:
                continue
            for new in (size // 2, size * 2):
                candidate = dict(params, **{name: [new if j == i else v for j, v in enumerate(value)]})
                key = json.dumps(candidate, sort_keys=True)
                if key not in seen:
                    seen.add(key)
                    out.append(candidate)
    return out


def tune(project: Project, model: ModelFile, *, minutes: float | None = None,
         trials: int | None = None) -> str:
    settings = project.tuning
    tuner = Tuner(project, model,
                  minutes=settings.minutes if minutes is None else minutes,
                  trials=settings.trials if trials is None else trials)
    try:
        return tuner.run()
    except SpecError as error:
        raise tuner._error(str(error)) from None


# --- child process: check one candidate (a crash here cannot take the tuner down) ---------------


def _check_main(engine: str, artifact: str, compile_info: str, reference: str, entry: str,
                atol: str, rtol: str) -> int:
    from . import engines
    from .check import compare, load_reference

    inputs, expected = load_reference(Path(reference))
    info = read_json(Path(compile_info)) if compile_info else {}
    got = engines.run(None, engine, Path(artifact), info, inputs, len(expected), entry=entry)
    result = compare(got, expected, atol=float(atol), rtol=float(rtol))
    if not result["passed"]:
        print(result["reason"])
        return 3
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["check"]:
        sys.exit(_check_main(*sys.argv[2:9]))
    sys.exit("usage: python -m integrator.tuner check ENGINE ARTIFACT COMPILE_JSON REFERENCE ENTRY ATOL RTOL")
