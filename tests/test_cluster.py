"""Beyond one machine: jobs on a Dask cluster (``integrator/cluster.py``) and the shared
artifact store (``integrator/store.py``).

The clusters are real: a scheduler on the loopback address with worker processes (two
compile workers and a bench worker, one thread each), running real ``iree-compile``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from integrator.cluster import Cluster, _compile_job, untouched_environment  # noqa: E402
from integrator.core.errors import ClusterError  # noqa: E402
from integrator.core.host import host_cpu  # noqa: E402
from integrator.core.project import ClusterSettings  # noqa: E402
from integrator.engines.iree import target_flags  # noqa: E402
from integrator.store import Store  # noqa: E402
from integrator.tuning.trials import Failure  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MLIR_MODEL = REPO / "models" / "matmul_relu.mlir"


_DASK_VARIABLES = ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@pytest.fixture(scope="module")
def cluster():
    before = dict(os.environ)
    c = Cluster.connect(ClusterSettings(address="local", workers=2))
    # Dask's nannies would set their pre-spawn variables in this process (and so in every
    # stage process started after it: eager torch 3x slower): the environment is untouched.
    assert dict(os.environ) == before
    yield c
    c.close()


def _environment(names):
    return {name: os.environ.get(name) for name in names}


def test_workers_get_no_variables_from_dask(cluster):
    results = cluster.run(_environment, {"job": (_DASK_VARIABLES,)})
    outcome, _ = results["job"]
    assert outcome == {name: os.environ.get(name) for name in _DASK_VARIABLES}


@pytest.fixture(scope="module")
def cpu(tmp_path_factory):
    return host_cpu(tmp_path_factory.mktemp("host"))


def _die_noting(path: str):
    """A job that takes its worker process down (as a compiler crash in-process would)."""
    with open(path, "a") as f:
        f.write("attempt\n")
    os._exit(1)


def test_candidate_compiles_run_on_workers_with_paths_or_shipped_files(cluster, cpu, tmp_path):
    flags = ["--iree-input-type=auto", *target_flags(cpu)]
    bad = [*flags, "--iree-no-such-flag"]

    def compile_batch(shared: bool) -> dict:
        cluster.shared_filesystem = shared
        files, returned, jobs = {}, {}, {}
        for name, candidate in (("a", flags), ("b", flags), ("bad", bad)):
            files[name] = {}
            if shared:
                output = str(tmp_path / f"{name}.vmfb")
            else:
                output, returned[name] = "<<integrator-file:output>>", ("output",)
            jobs[name] = (cluster.ship(MLIR_MODEL, files[name]), output,
                          cluster.ship_flags(candidate, files[name]), 120)
        return cluster.run(_compile_job, jobs, files=files, returned=returned)

    try:
        shared = compile_batch(True)
        shipped = compile_batch(False)
    finally:
        cluster.shared_filesystem = True
    for results in (shared, shipped):
        assert results["a"][0] is None and results["b"][0] is None
        assert isinstance(results["bad"][0], Failure) and results["bad"][0].status == "compile-failed"
    # The same compiler on the same input: the shipped-back module is the one built in place
    # (but for time stamps and the source's file name inside).
    back, here = shipped["a"][1]["output"], (tmp_path / "a.vmfb").read_bytes()
    assert back[:4] == here[:4] == b"PK\x03\x04" and abs(len(back) - len(here)) < 0.05 * len(here)
    assert "bad" not in {p.stem for p in tmp_path.glob("*.vmfb")}


def test_a_worker_killed_mid_job_is_retried_once_then_recorded_failed(cluster, tmp_path):
    notes = tmp_path / "attempts.txt"
    started = time.monotonic()
    results = cluster.run(_die_noting, {"dies": (str(notes),)})
    outcome, _ = results["dies"]
    assert isinstance(outcome, Failure) and outcome.status == "worker-died"
    assert notes.read_text().count("attempt") == 2  # once, and once more elsewhere
    assert time.monotonic() - started < 60
    # The other workers (and the restarted ones) still take work.
    again = cluster.run(time.sleep, {"one": (0.01,), "two": (0.01,)})
    assert [r for r, _ in again.values()] == [None, None]


def test_timing_is_refused_where_no_bench_worker_fits(cluster, cpu):
    from distributed import LocalCluster

    cluster.client.wait_for_workers(3, timeout=60)  # after the test above, restarted ones too
    assert cluster.bench_workers(cpu, None)  # the local cluster's bench worker
    with pytest.raises(ClusterError, match="no bench worker has the build's CPU"):
        cluster.bench_workers("not-this-cpu", None)
    # A cluster of compile workers only: refused at once, not a timing job that waits forever.
    with untouched_environment(), LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
            host="127.0.0.1") as plain:
        other = Cluster.connect(ClusterSettings(address=plain.scheduler_address))
        try:
            started = time.monotonic()
            with pytest.raises(ClusterError, match="declares the bench resource"):
                other.bench_workers(cpu, None)
            assert time.monotonic() - started < 10
        finally:
            other.close()


def test_a_worker_with_other_tools_refuses_the_job(cluster):
    identity = cluster.identity
    cluster.identity = dict(identity, **{"iree-base-compiler": "0.0.1"})
    try:
        with pytest.raises(ClusterError, match="refuses the job: iree-base-compiler"):
            cluster.run(time.sleep, {"one": (0.01,)})
    finally:
        cluster.identity = identity


def _free_port() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def test_a_lost_scheduler_is_a_clear_error(tmp_path):
    port = _free_port()
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host",
                                  "127.0.0.1", "--port", port, "--no-dashboard"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker",
                               f"tcp://127.0.0.1:{port}", "--nthreads", "1", "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:  # until the worker has registered
            try:
                remote = Cluster.connect(ClusterSettings(address=f"tcp://127.0.0.1:{port}"))
                break
            except ClusterError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        try:
            futures_started = time.monotonic()
            import threading

            threading.Timer(1.0, scheduler.kill).start()
            with pytest.raises(ClusterError, match="lost the Dask scheduler"):
                remote.run(time.sleep, {"long": (60,)})
            assert time.monotonic() - futures_started < 30
        finally:
            remote.close()
    finally:
        for process in (worker, scheduler):
            process.kill()
            process.wait()


# --- the store ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["dir", "memory://integrator-test-store"])
def test_store_round_trip_and_corruption(tmp_path, url):
    store = Store(str(tmp_path / "store") if url == "dir" else url)
    one, two = tmp_path / "one.bin", tmp_path / "two.json"
    one.write_bytes(os.urandom(100_000))
    two.write_text('{"a": 1}')
    store.put("k" * 64, {"one.bin": one, "two.json": two}, {"stage": "test"})

    out = tmp_path / "out"
    targets = {"one.bin": out / "one.bin", "two.json": out / "two.json"}
    assert store.fetch("k" * 64, targets)
    assert targets["one.bin"].read_bytes() == one.read_bytes()
    assert not store.fetch("m" * 64, targets)  # another key: a miss

    # A truncated blob: a miss, nothing half-written in place, the entry gone until rebuilt.
    for target in targets.values():
        target.unlink()
    digest = hashlib.sha256(one.read_bytes()).hexdigest()
    blob = f"{store.root}/blobs/{digest[:2]}/{digest}"
    store.fs.pipe_file(blob, one.read_bytes()[:1000])
    assert not store.fetch("k" * 64, targets)
    assert "corrupt" in store.problem
    assert not any(p.exists() for p in targets.values())
    assert not list(out.glob(".*tmp*"))
    store.put("k" * 64, {"one.bin": one, "two.json": two}, {"stage": "test"})
    assert store.fetch("k" * 64, targets)
    assert targets["one.bin"].read_bytes() == one.read_bytes()


FAKE_COMPILER = """#!/bin/sh
echo "iree-compile ran: $*" >> "$(dirname "$0")/ran.txt"
exit 1
"""


def test_two_checkouts_share_one_store(make_project, tmp_path, cpu):
    """A builds mlp through check with the store; B (another directory) then checks it with
    no import or compile executed (its iree-compile fails, and says so, whenever it runs: only
    the probe of the named CPU's features may, which compiles a 4-element add, not the model);
    a truncated entry is then found, rebuilt and replaced."""
    from conftest import TempProject

    store = tmp_path / "store"
    env = {"INTEGRATOR_STORE": str(store), "INTEGRATOR_TARGET_CPU": cpu}
    a = make_project("mlp")
    run = a.doit("run", "check:mlp", env=env)
    assert run.returncode == 0, run.errors or run.stderr[-3000:]
    for stage in ("import", "schedule", "compile"):
        assert json.loads((a.cache / "mlp" / f"{stage}.stats.json").read_text())["store"] == "stored"

    (tmp_path / "b").mkdir()
    b = TempProject(tmp_path / "b", ["mlp"])
    fake = tmp_path / "fake-tools"
    fake.mkdir()
    (fake / "iree-compile").write_text(FAKE_COMPILER)
    (fake / "iree-compile").chmod(0o755)
    run = b.doit("run", "check:mlp", env=env | {"IREE_TOOL_PATH": str(fake)})
    assert run.returncode == 0, run.errors or run.stderr[-3000:]
    ran = (fake / "ran.txt").read_text().splitlines() if (fake / "ran.txt").exists() else []
    assert all("probe.mlir" in line for line in ran), ran
    for stage in ("import", "schedule", "compile"):
        assert json.loads((b.cache / "mlp" / f"{stage}.stats.json").read_text())["store"] == "hit"
        assert "taken from the store" in run.outputs[f"{stage}:mlp"] + run.stderr
    assert "passed" in run.outputs["check:mlp"]
    vmfb = (a.cache / "mlp" / "module.vmfb").read_bytes()
    assert (b.cache / "mlp" / "module.vmfb").read_bytes() == vmfb

    # Truncate the module's blob: B's next compile finds it corrupt, builds, and replaces it.
    digest = hashlib.sha256(vmfb).hexdigest()
    blob = store / "blobs" / digest[:2] / digest
    blob.write_bytes(vmfb[: len(vmfb) // 2])
    assert b.doit("clean", "compile:mlp").returncode == 0
    run = b.doit("run", "check:mlp", env=env)
    assert run.returncode == 0, run.errors or run.stderr[-3000:]
    assert "was corrupt" in run.outputs["compile:mlp"]
    assert json.loads((b.cache / "mlp" / "compile.stats.json").read_text())["store"] == "stored"
    assert blob.read_bytes() == vmfb
    assert (b.cache / "mlp" / "module.vmfb").read_bytes() == vmfb


def test_build_stages_on_a_local_cluster(make_project):
    """doit run bench:<m> cluster=local: import and compile on a worker, the bench on the
    bench worker (the one cluster of the doit run), each saying where it ran."""
    project = make_project("matmul_relu")
    run = project.doit("run", "bench:matmul_relu", "cluster=local")
    assert run.returncode == 0, run.errors or run.stderr[-3000:]
    for stage in ("import", "compile", "bench"):
        assert "[on " in run.outputs[f"{stage}:matmul_relu"], run.outputs
    assert "[on " not in run.outputs["check:matmul_relu"]  # checks run here
    bench = json.loads((project.cache / "matmul_relu" / "bench.json").read_text())
    assert bench["host"] and bench["host_cpu"]


def test_tuning_on_a_local_cluster(make_project, cpu):
    """tune:<m> cluster=local: candidates compiled and checked on the workers, timed on the
    bench worker, which the trials record."""
    project = make_project("two_matmuls")
    for setting, value in (("pipelines", '["cpu-plain"]'), ("dispatches", "1"), ("samples", "3"),
                           ("rounds", "2")):
        project.edit_pyproject(f"\n{setting} = ", f"\n{setting} = {value}  # test: ")
    assert project.doit("run", "check:two_matmuls").returncode == 0
    run = project.doit("run", "tune:two_matmuls", "trials=8", "cluster=local")
    assert run.returncode == 0, run.errors or run.stderr[-3000:]
    log = (project.cache / "two_matmuls" / "tune" / "tune.log").read_text()
    assert "cluster tcp://127.0.0.1:" in log and "timed by bench worker" in log
    with sqlite3.connect(project.cache / "tuning" / "trials.sqlite3") as db:
        rows = db.execute("SELECT status, timed_on FROM trials").fetchall()
    assert rows and any(status == "ok" for status, _ in rows)
    assert all(timed_on.endswith(f"({cpu})") for status, timed_on in rows if status == "ok")
