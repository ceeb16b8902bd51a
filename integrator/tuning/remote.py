"""The tuner's jobs on a Dask cluster (``integrator/cluster.py``): what ``Session`` does
locally, as jobs. Candidate compiles and checks go to any worker; timed rounds and dispatch
timings go to one bench worker whose CPU is the target's, one timing job at a time, and the
host and CPU that timed them are noted in the log and in every trial recorded."""

from __future__ import annotations

from pathlib import Path

from ..cluster import (Cluster, ClusterError, _check_job, _compile_job, _time_dispatches_job,
                       _time_rounds_job, machine_facts)
from ..core.artifacts import atomic_outputs
from ..core.host import cpu_features
from .trials import Failure


class Remote:
    def __init__(self, session, cluster: Cluster, timing_hosts: list[str]):
        self.session, self.cluster, self.timing_hosts = session, cluster, timing_hosts
        self.seen: set[str] = set()  # the bench workers that timed something, as noted

    @classmethod
    def start(cls, session) -> "Remote":
        settings = session.project.cluster
        try:
            cluster = Cluster.connect(settings)
        except ClusterError as error:
            raise session.error(str(error)) from None
        try:
            here = machine_facts()
            # The target's feature flags are known when the target is this machine's CPU.
            features = cpu_features() if here["cpu"] == session.cpu else None
            timing = cluster.bench_workers(session.cpu, features)
        except ClusterError as error:
            cluster.close()
            raise session.error(str(error)) from None
        session.jobs = cluster.compile_slots()
        session.note(f"cluster {cluster.address}: {len(cluster.facts())} workers, "
                     f"{session.jobs} compile slots; timing on the bench workers of {', '.join(timing)}"
                     + ("" if cluster.shared_filesystem else "; files are shipped to the workers"))
        return cls(session, cluster, timing)

    def close(self) -> None:
        self.cluster.close()

    def compile_all(self, jobs: dict[str, tuple[Path, Path, list[str]]]) -> dict[str, Failure | None]:
        timeout = self.session.settings.compile_timeout
        files, returned, args = {}, {}, {}
        for name, (source, output, flags) in jobs.items():
            files[name] = {}
            if self.cluster.shared_filesystem:
                target = str(output)
            else:
                target, returned[name] = "<<integrator-file:output>>", ("output",)
            args[name] = (self.cluster.ship(source, files[name]), target,
                          self.cluster.ship_flags(flags, files[name]), timeout)
        results = self.cluster.run(_compile_job, args, files=files, returned=returned)
        failures = {}
        for name, (failure, back) in results.items():
            if failure is None and "output" in back:
                with atomic_outputs(jobs[name][1]) as temp:
                    temp.write_bytes(back["output"])
            failures[name] = failure
        return failures

    def check_all(self, artifacts: dict[str, Path]) -> dict[str, Failure | None]:
        s = self.session
        settings = s.model.settings
        files, args = {}, {}
        for name, artifact in artifacts.items():
            files[name] = {}
            args[name] = (self.cluster.ship(artifact, files[name]),
                          self.cluster.ship(s.build.artifacts.reference, files[name]),
                          s.entry, "local-task", settings.atol, settings.rtol, s.settings.run_timeout)
        return {name: result for name, (result, _) in
                self.cluster.run(_check_job, args, files=files).items()}

    def _timed(self, function, args: tuple, files: dict):
        """One timing job on a bench worker; its result, with the worker noted."""
        (outcome, back) = self.cluster.run(function, {"timing": args}, files={"timing": files},
                                           workers=self.timing_hosts)["timing"]
        if isinstance(outcome, Failure):  # the worker died under it, twice
            return outcome, None
        result, facts = outcome
        where = f"{facts['host']} ({facts['cpu']})"
        if where not in self.seen:
            self.seen.add(where)
            self.session.note(f"  timed by bench worker {where}")
        self.session.db.timed_on = where
        return result, facts

    def time_vmfbs(self, vmfbs: dict[str, Path], drivers: dict[str, str]) -> dict[str, float | Failure]:
        s, files = self.session, {}
        shipped = {name: self.cluster.ship(v, files) for name, v in vmfbs.items()}
        inputs = [self.cluster.ship(p, files) for p in s.inputs]
        result, _ = self._timed(_time_rounds_job, (shipped, drivers, s.entry, inputs, s.threads,
                                                   s.settings.rounds, s.settings.samples,
                                                   s.settings.run_timeout), files)
        if isinstance(result, Failure):
            return {name: result for name in vmfbs}
        return result

    def time_dispatches(self, vmfbs: list[Path], *, batch: int, repetitions: int) -> list[float | Failure]:
        s, files = self.session, {}
        shipped = [self.cluster.ship(v, files) for v in vmfbs]
        result, _ = self._timed(_time_dispatches_job, (shipped, s.threads, batch, repetitions,
                                                       s.settings.run_timeout), files)
        return [result] * len(vmfbs) if isinstance(result, Failure) else result
