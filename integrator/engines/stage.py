"""The compile stage: the build's engine compiles the scheduled module into one artifact."""

from __future__ import annotations

import time

from ..core import progress
from ..core.artifacts import atomic_outputs, to_json, write_json
from ..core.host import host_cpu


def run_compile(b) -> str:
    """Compile ``b`` (a ``core.build.Build``); the artifact and its record appear together or
    not at all."""
    cpu = host_cpu(b.project.cache)
    engine = b.engine  # an unknown engine fails here, with the names it could have been
    started = time.perf_counter()
    with atomic_outputs(*b.compile_outputs()) as temps, progress.elapsed(f"compile:{b.name}"):
        record = {"engine": b.selection.engine, "cpu": cpu}
        record |= engine.compile(b, b.artifacts.scheduled, temps[0], list(temps[2:]))
        temps[1].write_text(to_json(record))  # check and bench depend on it: no timings here
    seconds = round(time.perf_counter() - started, 3)
    write_json(b.artifacts.stats("compile"), {"seconds": seconds})
    return f"compiled {b.name} with {b.selection.engine} for {cpu} in {seconds:.1f} s"
