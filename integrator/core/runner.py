"""Where a model stage runs, and whether it runs at all: ``python -m integrator run <stage>
<model>`` comes here.

Without ``[tool.integrator.cluster]`` settings this is ``Stage.run`` and nothing else. With a
``store``, the outputs of ``import``, ``schedule`` and ``compile`` are looked up by their
key first (``store_key``: what doit decides staleness on) and downloaded instead of built, and
uploaded after a build. With a cluster ``address``, ``import`` and ``compile`` run on any
worker and ``bench`` on a bench worker of the target CPU (``integrator/cluster.py``); check
and bench are never taken from the store: they measure this build on this machine.

Where a stage ran is not part of any key (the same inputs give the same outputs anywhere the
tools agree, which the cluster checks), so this module is no stage's code input.
"""

from __future__ import annotations

import hashlib
import json
import os
import time

from .artifacts import file_sha256, read_json, write_json
from .build import Build
from .errors import StageError
from .stages import STAGES, Stage

STORED = ("import", "schedule", "compile")  # build products: the same wherever built
ON_CLUSTER = ("import", "compile", "bench")


def store_key(stage: Stage, build: Build) -> str:
    """The digest of what the stage's outputs are a function of: its input files' contents
    (in the stage table's order) and its key, with this checkout's and cache's paths made
    relative, so that two checkouts of the same thing agree."""
    from ..store import FORMAT

    project = build.project
    key = json.dumps(stage.key(build), sort_keys=True, default=str)
    key = key.replace(str(project.cache), "<cache>").replace(str(project.root), "<root>")
    inputs = [file_sha256(p) if p.is_file() else None for p in stage.all_inputs(build)]
    payload = {"store": FORMAT, "stage": stage.name, "model": build.name, "key": key,
               "inputs": inputs, "outputs": [p.name for p in stage.outputs(build)]}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def run_stage(build: Build, name: str) -> str:
    """Run stage ``name`` for ``build`` where the settings say; its one-line summary."""
    stage, project = STAGES[name], build.project
    if not (project.cluster.store and name in STORED):
        return _run(stage, build)
    from ..store import Store

    store = Store(project.cluster.store)
    key = store_key(stage, build)
    outputs = {p.name: p for p in stage.outputs(build)}
    stats = build.artifacts.stats(name)
    started = time.perf_counter()
    if store.fetch(key, outputs):
        seconds = round(time.perf_counter() - started, 3)
        write_json(stats, {"store": "hit", "key": key[:16], "seconds": seconds})
        return f"{name} {build.name}: taken from the store ({key[:12]}) in {seconds:.1f} s"
    summary = _run(stage, build)
    store.put(key, outputs, {"stage": name, "model": build.name})
    recorded = read_json(stats) if stats.exists() else {}
    write_json(stats, recorded | {"store": "stored", "key": key[:16]}
               | ({"store_problem": store.problem} if store.problem else {}))
    return summary + (f" ({store.problem})" if store.problem else "")


def _run(stage: Stage, build: Build) -> str:
    # A GPU build's bench stays here: bench workers are matched by CPU, not by GPU.
    timed_on_gpu = stage.name == "bench" and not build.target.is_host
    if build.project.cluster.address and stage.name in ON_CLUSTER and not timed_on_gpu:
        return run_on_cluster(stage, build)
    return stage.run(build)


def run_on_cluster(stage: Stage, build: Build) -> str:
    """The stage as ``python -m integrator run`` on a worker that shares this checkout; a
    bench only on a bench worker whose CPU is the target."""
    from ..cluster import Cluster, _stage_job
    from .cli import EXIT_STAGE_ERROR
    from .host import cpu_features, detected_cpu, host_cpu

    project = build.project
    target = host_cpu(project.cache)
    # The stage's process on the worker runs there, with this run's selections, for this
    # target, and neither submits again nor uses the store (this process does).
    environment = {k: v for k, v in os.environ.items() if k.startswith("INTEGRATOR_")}
    environment.pop("INTEGRATOR_ERROR_RECORD", None)
    environment |= {"INTEGRATOR_CLUSTER": "none", "INTEGRATOR_STORE": "none",
                    "INTEGRATOR_TARGET_CPU": target, "INTEGRATOR_PROGRESS": "0"}
    pyproject = hashlib.sha256((project.root / "pyproject.toml").read_bytes()).hexdigest()
    try:
        cluster = Cluster.connect(project.cluster)
        try:
            workers = None
            if stage.name == "bench":
                features = cpu_features() if detected_cpu(project.cache) == target else None
                workers = cluster.bench_workers(target, features)
            job = (str(project.root), pyproject, ["run", stage.name, build.name], environment,
                   project.stage_timeout)
            outcome, _ = cluster.run(_stage_job, {stage.name: job}, workers=workers)[stage.name]
        finally:
            cluster.close()
    except RuntimeError as error:  # ClusterError, WorkerMismatch: say it as this stage's error
        raise build.error(stage.name, str(error)) from None
    if not isinstance(outcome, tuple):  # Failure: the worker died under it, twice
        raise build.error(stage.name, f"on the cluster: {outcome}")
    code, out, err, record, host = outcome
    if code == 0:
        return f"{out.strip()} [on {host}]"
    if code == EXIT_STAGE_ERROR and record:
        r = json.loads(record)
        raise StageError(r["model"], r["stage"], f"{r['message']} [on {host}]", r["hint"], r["kind"])
    tail = "\n".join(err.strip().splitlines()[-20:])
    raise build.error(stage.name, f"its process on {host} exited with {code}:\n{tail}")

