"""What every search of the tuner shares: the budget, the work directory and log, the trials
database, and building, checking and timing candidates through the engines' own calls
(``engines.IreeEngine.flags``, ``measure.check``, ``engines.Compiled.timer``), so a candidate
is measured as the bench stage would measure it."""

from __future__ import annotations

import concurrent.futures as futures
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.artifacts import read_json
from ..core.build import Build
from ..core.errors import StageError
from ..core.host import host_cpu
from ..core.versions import tool_versions
from ..measure.allocator import keep_freed_memory
from .trials import Failure, TrialDB


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

    def seconds_left(self) -> float:
        return max(0.0, self.minutes * 60 - (time.monotonic() - self.started))

    def spend(self, n: int = 1) -> None:
        self.used += n

    def room(self, wanted: int) -> int:
        """How many of ``wanted`` trials the trial budget still allows."""
        return min(wanted, max(0, self.trials - self.used)) if self.trials else wanted

    def describe(self) -> str:
        return (f"{self.used} trials in {(time.monotonic() - self.started) / 60:.1f} min "
                f"(budget {self.minutes:g} min" + (f", {self.trials} trials)" if self.trials else ")"))


def compile_candidate(source: Path, output: Path, flags: list[str], timeout: float) -> Failure | None:
    """``iree-compile`` one candidate; its failure as data (here or on a cluster worker)."""
    from ..engines.iree import IreeCompileError, compile_file

    try:
        compile_file(source, output, flags, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Failure("timeout", f"compile took over {timeout:g} s")
    except IreeCompileError as error:
        errors = [l for l in str(error).splitlines() if "error" in l]
        return Failure("compile-failed", " | ".join(errors[:3] or str(error).splitlines()[-3:]))
    return None


def check_in_child(arguments: list[str], *, timeout: float, cwd: Path | None) -> Failure | None:
    """``python -m integrator.measure.check <arguments>`` in a child process (a crash cannot
    take the tuner, or a cluster worker, down): None when the numbers match."""
    from ..measure.check import EXIT_WRONG

    command = [sys.executable, "-m", "integrator.measure.check", *arguments]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        return Failure("timeout", f"the check ran over {timeout:g} s")
    if result.returncode == 0:
        return None
    if result.returncode == EXIT_WRONG:
        return Failure("wrong", result.stdout.strip()[-300:])
    return Failure("crashed", f"exit {result.returncode}: " + result.stderr.strip()[-300:])


def time_rounds(compiled: dict, arrays: list, input_files: list[Path], threads: int, rounds: int,
                samples: int) -> dict[str, float | Failure]:
    """ms per loaded artifact (``engines.Compiled``), or its failure, for deciding (the bench
    stage reports medians).

    The candidates alternate in many short rounds; each round counts its fastest call and
    the result is the median over rounds. Load from elsewhere on a shared machine only ever
    adds time: the fastest of a few calls is the least disturbed, and a burst that spoils a
    whole round spoils one round of every candidate, not all of one candidate."""
    timers = {name: c.timer(arrays, input_files, threads)[0] for name, c in compiled.items()}
    results: dict[str, list[float]] = {name: [] for name in compiled}
    errors: dict[str, Failure] = {}
    for _ in range(rounds):
        for name, timer in timers.items():
            if name in errors:
                continue
            try:
                results[name].append(min(timer(2, samples)))
            except Exception as error:  # a crash or timeout of the runner
                errors[name] = Failure("crashed", str(error).strip()[-300:])
    return {name: errors.get(name) or statistics.median(results[name]) for name in compiled}


def time_dispatches(vmfbs: list[Path], threads: int, batch: int, repetitions: int,
                    timeout: float) -> list[float | Failure]:
    """ms of each dispatch benchmark module, one after the other (``dispatches.time_dispatch``)."""
    from .dispatches import time_dispatch

    times = []
    for vmfb in vmfbs:
        try:
            times.append(time_dispatch(vmfb, threads=threads, batch=batch, repetitions=repetitions,
                                       timeout=timeout))
        except Exception as error:
            times.append(Failure("crashed", str(error).strip()[-200:]))
    return times


class Session:
    """One tuning run of one model."""

    def __init__(self, build: Build, *, minutes: float, trials: int):
        project, model = build.project, build.model
        self.build, self.project, self.model = build, project, model
        self.settings = project.tuning
        self.budget = Budget(minutes, trials)
        self.cpu = host_cpu(project.cache)
        self.threads = project.bench.threads
        self.jobs = max(1, os.cpu_count() or 1)
        a = build.artifacts
        for needed in (a.scheduled, a.reference, a.import_info):
            if not needed.exists():
                raise self.error(f"{needed} is not built", hint=f"run `doit run check:{model.name}` first")
        if not project.user_specs:
            raise self.error("no user tuning-spec library to write to",
                             hint="set [tool.integrator.tuning] specs = [\"tuning\"] in pyproject.toml")
        self.workdir = project.cache / model.name / "tune"
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)
        self.out_dir = project.user_specs[0] / self.cpu
        self.spec_file = self.out_dir / f"{model.name}.mlir"
        self.choice_file = self.out_dir / f"{model.name}.toml"
        versions = {k: v for k, v in tool_versions().items() if k.startswith("iree")}
        # Timed like the bench, with the same allocator setting; trials under another differ.
        versions["allocator"] = keep_freed_memory(project.bench.malloc_top_pad)
        self.db = TrialDB(project.cache / "tuning" / "trials.sqlite3", self.cpu, versions)
        info = read_json(a.import_info)
        self.entry, self.n_outputs = info["entry"], len(info["outputs"])
        self.arrays, self.inputs = self._write_inputs()
        self.log: list[str] = []
        self.reused = 0  # trials found in the database instead of measured
        self.compiling, self.compiled = 0.0, 0  # wall seconds in compile_all, candidates compiled
        self.remote = None  # a ``remote.Remote`` when a cluster is configured
        if project.cluster.address:
            from .remote import Remote

            self.remote = Remote.start(self)

    def error(self, message: str, hint: str | None = None) -> StageError:
        return StageError(self.model.name, "tune", message, hint)

    def _write_inputs(self) -> tuple[list, list[Path]]:
        from ..measure.check import load_reference

        arrays, _ = load_reference(self.build.artifacts.reference)
        files = []
        for i, array in enumerate(arrays):
            path = self.workdir / f"input_{i}.npy"
            np.save(path, array)
            files.append(path)
        return arrays, files

    def note(self, message: str) -> None:
        """Progress for a person: on stderr (doit shows it live; stdout stays the summary) and
        in tune.log (``tail -f`` it when doit is not on a terminal)."""
        self.log.append(message)
        print(f"  {message}", file=sys.stderr, flush=True)
        with open(self.workdir / "tune.log", "a") as f:
            f.write(message + "\n")

    # --- building -------------------------------------------------------------------------

    def compile_all(self, jobs: dict[str, tuple[Path, Path, list[str]]]) -> dict[str, Failure | None]:
        """Compile ``{name: (source, output, iree-compile flags)}`` in parallel."""
        started = time.monotonic()
        try:
            if self.remote:
                return self.remote.compile_all(jobs)
            timeout = self.settings.compile_timeout

            def one(item):
                name, (source, output, flags) = item
                return name, compile_candidate(source, output, flags, timeout)

            with futures.ThreadPoolExecutor(self.jobs) as pool:
                return dict(pool.map(one, jobs.items()))
        finally:
            self.compiling += time.monotonic() - started
            self.compiled += len(jobs)

    def check(self, artifact: Path, compile_info: Path | None = None,
              engine: str | None = None) -> Failure | None:
        """The check stage's comparison, in a child process (a crash cannot take the tuner down)."""
        if self.remote and compile_info is None and engine in (None, "iree"):
            return self.remote.check_all({"one": artifact})["one"]
        return check_in_child([str(self.project.root), self.model.name,
                               engine or self.build.selection.engine, str(artifact),
                               str(compile_info or "")],
                              timeout=self.settings.run_timeout, cwd=self.project.root)

    def check_all(self, artifacts: dict[str, Path]) -> dict[str, Failure | None]:
        """``check`` of IREE candidates, in parallel on a cluster."""
        if self.remote:
            return self.remote.check_all(artifacts)
        return {name: self.check(artifact) for name, artifact in artifacts.items()}

    # --- timing ---------------------------------------------------------------------------

    def time_artifacts(self, compiled: dict) -> dict[str, float | Failure]:
        """``time_rounds`` of loaded artifacts, here."""
        return time_rounds(compiled, self.arrays, self.inputs, self.threads, self.settings.rounds,
                           self.settings.samples)

    def time_vmfbs(self, vmfbs: dict[str, Path], pipelines: dict[str, str]) -> dict[str, float | Failure]:
        """``time_artifacts`` for IREE builds, each on its pipeline's runtime device."""
        from ..engines.iree import IreeEngine, IreeModule

        engine = IreeEngine()
        if self.remote:
            return self.remote.time_vmfbs(vmfbs, {name: engine.pipeline(self.build, pipelines[name]).device
                                                  for name in vmfbs})
        return self.time_artifacts({
            name: IreeModule(v, self.entry, driver=engine.pipeline(self.build, pipelines[name]).device,
                             timeout=self.settings.run_timeout)
            for name, v in vmfbs.items()})

    def time_dispatches(self, vmfbs: list[Path], *, batch: int, repetitions: int) -> list[float | Failure]:
        """ms of each dispatch benchmark module in turn (on one bench worker with a cluster)."""
        if self.remote:
            return self.remote.time_dispatches(vmfbs, batch=batch, repetitions=repetitions)
        return time_dispatches(vmfbs, self.threads, batch, repetitions, self.settings.run_timeout)

    def close(self) -> None:
        self.db.close()
        if self.remote:
            self.remote.close()
