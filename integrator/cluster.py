"""Work fanned out over a Dask cluster (``[tool.integrator.cluster] address``): the tuner's
candidate compiles, checks and timed rounds, and a build's import, compile and bench stages.

Without a cluster nothing here is imported and everything runs in local processes, as it
always did. With one:

* Every job carries the client's tool versions and a digest of this library's code; a worker
  with others refuses it (``WorkerMismatch``), so a compile may run anywhere, but only with
  the same compiler. The workers are also checked when the client connects.
* Timing jobs (the bench stage, the tuner's timed rounds) need the worker resource ``bench``
  (``dask worker ADDR --resources bench=1 --nthreads 1``): a worker runs one of them at a
  time, and only workers whose CPU (LLVM name and feature flags) is the build's target are
  eligible; the result says which host and CPU timed it. A cluster without such a worker is
  refused before anything is submitted, not waited on.
* A worker that dies under a job (a compiler crash that takes the process down, the OOM
  killer) loses that job only: the scheduler runs it once more elsewhere (``allowed-failures``,
  1 for a ``local`` cluster; set it on your scheduler), and a second death is that job's
  failure (``Failure("worker-died")``).
* A scheduler that goes away is a ``ClusterError`` naming its address, within seconds.

Files: with ``shared_filesystem`` (always for ``local``) jobs get paths. Otherwise the tuner's
jobs ship their files by content (each distinct file once per worker, ``Client.scatter``)
and bring their outputs back; build stages need the shared filesystem (they read the
checkout), and say so.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from functools import cache
from pathlib import Path

from .core.errors import ClusterError
from .core.host import cpu_features, detected_cpu
from .core.versions import tool_versions
from .tuning.trials import Failure

LOCAL = "local"
POLL_SECONDS = 2.0  # how often a wait checks that the scheduler is still there
RECONNECT_SECONDS = 10.0  # how long a lost connection may take to come back
BENCH_GONE_SECONDS = 60.0  # how long a timing job waits for a bench worker to come back


class WorkerMismatch(RuntimeError):
    """A worker's tools or library code differ from the client's: it refuses the job."""


# --- what a machine is -----------------------------------------------------------------------


@cache
def code_digest() -> str:
    """This library's code, as a digest: a worker running other code would build otherwise."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.c")]):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def tool_identity() -> dict:
    """What must agree between client and worker for a job's output to be the same."""
    return {**tool_versions(), "python": platform.python_version(), "integrator": code_digest()}


def _worker_cache() -> Path:
    return Path(tempfile.gettempdir()) / f"integrator-host-{os.getuid()}"


def machine_facts() -> dict:
    """Host name, CPU (LLVM name, feature digest) and tools of the machine it runs on."""
    return {"host": socket.gethostname(), "cpu": detected_cpu(_worker_cache()),
            "features": cpu_features(), "tools": tool_identity()}


def _mismatch(expected: dict, actual: dict) -> list[str]:
    return [f"{name} {actual.get(name, 'missing')} there, {value} here"
            for name, value in expected.items() if actual.get(name) != value]


# --- what runs on a worker -------------------------------------------------------------------


def _placeholder(token: str) -> str:
    return f"<<integrator-file:{token}>>"


def _substitute(value, paths: dict):
    """``value`` with every file placeholder replaced by the worker's local path."""
    if isinstance(value, str):
        for token, path in paths.items():
            value = value.replace(_placeholder(token), str(path))
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_substitute(v, paths) for v in value)
    if isinstance(value, dict):
        return {k: _substitute(v, paths) for k, v in value.items()}
    return value


def _job(expected: dict, function, args: tuple, files: dict, returned: tuple):
    """Run ``function(*args)`` on a worker: refuse other tools; write shipped ``files``
    (token -> bytes) to a scratch directory; bring back the contents of ``returned`` (names
    of outputs written there)."""
    if problems := _mismatch(expected, tool_identity()):
        raise WorkerMismatch(f"worker {socket.gethostname()} refuses the job: "
                             + "; ".join(problems))
    with tempfile.TemporaryDirectory(prefix="integrator-job-") as scratch:
        paths = {}
        for token, data in files.items():
            paths[token] = Path(scratch, token)
            paths[token].write_bytes(data)
        for name in returned:
            paths[name] = Path(scratch, "out", name)
            paths[name].parent.mkdir(exist_ok=True)
        result = function(*_substitute(args, paths))
        back = {name: paths[name].read_bytes() for name in returned if paths[name].exists()}
        return result, back


def _compile_job(source: str, output: str, flags: list[str], timeout: float):
    from .tuning.session import compile_candidate

    return compile_candidate(Path(source), Path(output), flags, timeout)


def _check_job(artifact: str, reference: str, entry: str, driver: str, atol: float, rtol: float,
               timeout: float):
    from .tuning.session import check_in_child

    return check_in_child(["--artifact", artifact, reference, entry, driver, repr(atol), repr(rtol)],
                          timeout=timeout, cwd=None)


def _time_rounds_job(vmfbs: dict, drivers: dict, entry: str, input_files: list, threads: int,
                     rounds: int, samples: int, timeout: float):
    import numpy as np

    from .engines.iree import IreeModule
    from .tuning.session import time_rounds

    compiled = {name: IreeModule(Path(v), entry, driver=drivers[name], timeout=timeout)
                for name, v in vmfbs.items()}
    arrays = [np.load(f) for f in input_files]
    results = time_rounds(compiled, arrays, [Path(f) for f in input_files], threads, rounds, samples)
    return results, machine_facts()


def _time_dispatches_job(vmfbs: list, threads: int, batch: int, repetitions: int, timeout: float):
    from .tuning.session import time_dispatches

    return time_dispatches([Path(v) for v in vmfbs], threads, batch, repetitions, timeout), machine_facts()


def _dask_config():
    """dask's configuration with distributed's defaults in it (they join on import)."""
    import dask
    importlib.import_module("distributed")
    return dask.config


def _without_dask_variables(environ) -> dict:
    """``environ`` less what a Dask nanny set in its worker's environment (its
    ``pre-spawn-environ``, where the value is Dask's): a stage process on a worker runs as it
    would here, not with glibc trimming at 64 KiB or one OpenMP thread (see
    ``untouched_environment``)."""
    injected = _dask_config().get("distributed.nanny.pre-spawn-environ", {}) or {}
    return {k: v for k, v in environ.items() if not (k in injected and v == str(injected[k]))}


def _stage_job(root: str, pyproject_digest: str, arguments: list, environment: dict, timeout: float):
    """``python -m integrator <arguments>`` in the checkout at ``root``, as doit would run it
    here: (exit code, stdout, stderr, the error record or None, the host)."""
    pyproject = Path(root, "pyproject.toml")
    if not pyproject.is_file() or hashlib.sha256(pyproject.read_bytes()).hexdigest() != pyproject_digest:
        raise WorkerMismatch(
            f"worker {socket.gethostname()} does not see the checkout {root} (or sees another "
            "one): build stages run on a cluster only where the workers share the checkout's "
            "filesystem at the same path ([tool.integrator.cluster] shared-filesystem)")
    with tempfile.NamedTemporaryFile(prefix="integrator-error-", suffix=".json") as record:
        env = dict(_without_dask_variables(os.environ), **environment,
                   INTEGRATOR_ERROR_RECORD=record.name)
        proc = subprocess.Popen([sys.executable, "-m", "integrator", *arguments, "--root", root],
                                cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, process_group=0)
        try:
            out, err = proc.communicate(timeout=timeout or None)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # and what it started (iree-compile)
            out, err = proc.communicate()
            err += f"\ndid not finish in {timeout:g} s on {socket.gethostname()}"
        text = Path(record.name).read_text()
    return proc.returncode, out, err, text or None, socket.gethostname()


# --- the client side -------------------------------------------------------------------------


@contextlib.contextmanager
def untouched_environment():
    """Start Dask workers here without Dask changing any process's environment.

    A nanny sets its ``pre-spawn-environ`` variables in *this* process's ``os.environ`` before
    it spawns a worker (distributed 2026.8: ``MALLOC_TRIM_THRESHOLD_=65536``,
    ``OMP_NUM_THREADS=1``, ...), so every stage process started afterwards, here or on the
    worker, inherited them. With glibc handing freed memory back at 64 KiB, torch eager's
    ResNet-50 takes ~72,000 page faults per call and runs 3x slower (measured: 60 -> 179 ms):
    a baseline handicapped by the cluster. So the workers get no such variables, and this
    process's environment is put back as it was."""
    saved = dict(os.environ)
    try:
        with _dask_config().set({"distributed.nanny.pre-spawn-environ": {}}):
            yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _start_local(workers: int):
    """A cluster on this machine: ``workers`` compile workers and one bench worker, one
    thread each, in their own processes (a crash takes one worker, never this process)."""
    import logging

    from distributed import Nanny, Scheduler, SpecCluster

    # No memory limit: Dask's would pause or restart a worker whose shipped modules are large,
    # and the compiler's own memory is its child's, not the worker's.
    options = {"nthreads": 1, "host": "127.0.0.1", "dashboard": False, "memory_limit": 0,
               "silence_logs": logging.ERROR}
    spec = {f"compile-{i}": {"cls": Nanny, "options": options} for i in range(workers)}
    spec["bench"] = {"cls": Nanny, "options": {**options, "resources": {"bench": 1}}}
    with untouched_environment():
        return SpecCluster(
            scheduler={"cls": Scheduler, "options": {"dashboard": False, "host": "127.0.0.1",
                                                     "allowed_failures": 1}},
            workers=spec, silence_logs=logging.ERROR)


class Cluster:
    """A connection to a Dask scheduler (and the local cluster, when it started one)."""

    def __init__(self, client, address: str, *, shared_filesystem: bool, owned=None):
        self.client, self.address, self.owned = client, address, owned
        self.shared_filesystem = shared_filesystem
        self.identity = tool_identity()
        self._scattered: dict = {}

    @classmethod
    def connect(cls, settings) -> "Cluster":
        """``settings``: the project's ``ClusterSettings`` (an address, or ``local``)."""
        try:
            from distributed import Client
        except ImportError:
            raise ClusterError("a cluster is configured but dask.distributed is not installed: "
                               "pip install -e '.[cluster]'") from None
        owned, address, shared = None, settings.address, settings.shared_filesystem
        if address == LOCAL:
            owned = _start_local(settings.workers)
            address, shared = owned.scheduler_address, True
        try:
            client = Client(address, timeout=settings.connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as error:
            if owned:
                owned.close()
            raise ClusterError(f"cannot reach the Dask scheduler at {address}: {error}") from None
        cluster = cls(client, address, shared_filesystem=shared, owned=owned)
        try:
            cluster.check_workers()
        except BaseException:
            cluster.close()
            raise
        return cluster

    def close(self) -> None:
        self.client.close()
        if self.owned is not None:
            self.owned.close()

    # --- the workers ---

    def facts(self) -> dict:
        """``{worker address: machine_facts()}`` for every worker now connected."""
        try:
            return self.client.run(machine_facts)
        except (OSError, TimeoutError) as error:
            raise self._lost(error) from None

    def check_workers(self) -> dict:
        """The workers' facts; a worker with other tools is an error that names it."""
        facts = self.facts()
        if not facts:
            raise ClusterError(f"the Dask cluster at {self.address} has no workers")
        problems = [f"{address} ({f['host']}): " + "; ".join(_mismatch(self.identity, f["tools"]))
                    for address, f in facts.items() if _mismatch(self.identity, f["tools"])]
        if problems:
            raise ClusterError("workers with other tools than this client (they would build "
                               "something else): " + " | ".join(problems))
        return facts

    def compile_slots(self) -> int:
        """Threads of the workers that take compiles (all of them)."""
        return max(1, sum(self.client.nthreads().values()))

    def bench_workers(self, cpu: str, features: str | None) -> list[str]:
        """The hosts whose bench workers may time for target ``cpu`` (and feature digest,
        when known): those with a worker that declares the ``bench`` resource and has that
        CPU. Hosts, not worker addresses: a bench worker restarted after a crash comes back
        on another port of the same machine. None is an error now, rather than a timing job
        that waits forever."""
        info = self.client.scheduler_info(n_workers=-1)["workers"]
        declared = [a for a, w in info.items() if w.get("resources", {}).get("bench")]
        if not declared:
            raise ClusterError(
                f"no worker of the cluster at {self.address} declares the bench resource, so "
                "nothing may be timed there; start one on a machine of the target CPU with "
                "`dask worker ADDRESS --resources bench=1 --nthreads 1`")
        facts = self.facts()
        matching = [a for a in declared if a in facts and facts[a]["cpu"] == cpu
                    and features in (None, facts[a]["features"])]
        if not matching:
            seen = ", ".join(f"{facts[a]['host']} {facts[a]['cpu']}" for a in declared if a in facts)
            raise ClusterError(f"no bench worker has the build's CPU {cpu}"
                               + (" with the same feature flags" if features else "")
                               + f" (bench workers: {seen}); timing elsewhere would not say how "
                               "fast the build runs on its target")
        return sorted({info[a]["host"] for a in matching})

    def _bench_worker_on(self, hosts: list[str]) -> bool:
        info = self.client.scheduler_info(n_workers=-1)["workers"]
        return any(w.get("resources", {}).get("bench") and w["host"] in hosts for w in info.values())

    # --- submitting ---

    def ship(self, path: Path, files: dict) -> str:
        """``path`` as a job sees it: itself on a shared filesystem, else a placeholder for
        its content, added to ``files``."""
        if self.shared_filesystem:
            return str(path)
        path = Path(path)
        stat = path.stat()
        marker = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        if marker not in self._scattered:
            data = path.read_bytes()
            token = f"{hashlib.sha256(data).hexdigest()[:16]}-{path.name}"
            self._scattered[marker] = (token, self.client.scatter(data, hash=True))
        token, future = self._scattered[marker]
        files[token] = future
        return _placeholder(token)

    def ship_flags(self, flags: list[str], files: dict) -> list[str]:
        """Flags whose value names a file (``--x=FILE`` or ``--x=FILE@sequence``), shipped."""
        shipped = []
        for flag in flags:
            name, equals, value = flag.partition("=")
            path, at, rest = value.partition("@")
            if equals and path and Path(path).is_file():
                flag = f"{name}={self.ship(Path(path), files)}{at}{rest}"
            shipped.append(flag)
        return shipped

    def run(self, function, jobs: dict, *, files: dict | None = None, returned: dict | None = None,
            workers: list[str] | None = None) -> dict:
        """``{name: function(*args)}`` for ``jobs = {name: args}``, each a job of its own;
        ``workers``: only on bench workers of these hosts (timing jobs: one at a time each,
        by the ``bench`` resource).
        A job whose worker died twice is ``Failure("worker-died")``; outputs named in
        ``returned[name]`` come back as ``{output name: bytes}`` beside the result."""
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker

        timing = {"resources": {"bench": 1}, "workers": workers,
                  "allow_other_workers": False} if workers else {}
        batch = uuid.uuid4().hex[:8]
        futures = {}
        try:
            for name, args in jobs.items():
                futures[name] = self.client.submit(
                    _job, self.identity, function, tuple(args), (files or {}).get(name, {}),
                    tuple((returned or {}).get(name, ())), key=f"{function.__name__}-{name}-{batch}",
                    pure=False, **timing)
            self._wait(list(futures.values()), workers)
        except (OSError, FutureCancelledError) as error:
            raise self._lost(error) from None
        results = {}
        for name, future in futures.items():
            try:
                results[name] = future.result()
            except KilledWorker as error:
                results[name] = (Failure("worker-died", f"the worker running it died, and again "
                                         f"on the retry ({str(error)[:200]})"), {})
            except WorkerMismatch as error:
                raise ClusterError(str(error)) from None
            except (OSError, FutureCancelledError) as error:
                raise self._lost(error) from None
        return results

    def _wait(self, futures: list, bench_hosts: list[str] | None = None) -> None:
        """Until every future is done; a ``ClusterError`` if the scheduler is gone, or the
        bench workers a timing job may run on are (it would wait for them forever).
        Polled: ``distributed.wait`` needs a default client, and this one is not."""
        pending, checked, benchless = futures, time.monotonic(), None
        while pending := [f for f in pending if not f.done()]:
            time.sleep(0.05)
            if time.monotonic() - checked < POLL_SECONDS:
                continue
            checked = time.monotonic()
            if self.client.status != "running":
                deadline = time.monotonic() + RECONNECT_SECONDS
                while self.client.status == "connecting" and time.monotonic() < deadline:
                    time.sleep(0.5)
                if self.client.status != "running":
                    raise self._lost(f"the client is {self.client.status}")
            if bench_hosts:
                if self._bench_worker_on(bench_hosts):
                    benchless = None
                elif benchless is None:
                    benchless = time.monotonic()
                elif time.monotonic() - benchless > BENCH_GONE_SECONDS:
                    raise ClusterError(f"the bench workers on {', '.join(bench_hosts)} left the "
                                       f"cluster at {self.address} while a timing job waited for them")

    def _lost(self, error) -> ClusterError:
        return ClusterError(f"lost the Dask scheduler at {self.address} ({error}); what finished "
                            "is kept (the trials database, the cache); run again once it is back")


# --- a cluster shared by one doit run --------------------------------------------------------


_shared: dict = {}


def shared_address(settings) -> str:
    """The address of a cluster for every stage of this process's doit run: ``local`` is
    started once, on first use, and stopped when the process exits."""
    if settings.address != LOCAL:
        return settings.address
    if "cluster" not in _shared:
        cluster = Cluster.connect(settings)
        _shared["cluster"] = cluster
        atexit.register(cluster.close)
    return _shared["cluster"].address
