"""The compile stage: the build's engine compiles the scheduled module into one artifact, for
the build's target (the host CPU, or a CUDA GPU: IREE only)."""

from __future__ import annotations

import time

from ..core import progress
from ..core.artifacts import atomic_outputs, to_json, write_json
from ..core.host import host_cpu


def run_compile(b) -> str:
    """Compile ``b`` (a ``core.build.Build``); the artifact and its record appear together or
    not at all."""
    engine = b.engine  # an unknown engine fails here, with the names it could have been
    b.ensure_target("compile")  # an unknown target, or one the engine cannot build for
    target = b.target
    # A CUDA build's record names the target and architecture instead of the host CPU (its
    # module holds no host code); the host's record is as it always was.
    where = {"cpu": host_cpu(b.project.cache)} if target.is_host else target.key()
    started = time.perf_counter()
    with atomic_outputs(*b.compile_outputs()) as temps, progress.elapsed(b.task("compile")):
        record = {"engine": b.selection.engine, **where}
        record |= engine.compile(b, b.artifacts.scheduled, temps[0], list(temps[2:]))
        temps[1].write_text(to_json(record))  # check and bench depend on it: no timings here
    seconds = round(time.perf_counter() - started, 3)
    write_json(b.artifacts.stats("compile"), {"seconds": seconds})
    return (f"compiled {b.name} with {b.selection.engine} for "
            f"{where.get('cpu') or target.label} in {seconds:.1f} s")
