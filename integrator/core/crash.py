"""What ended a stage process, in the words a user needs: "ran out of memory while running
the check stage (peak ~X GB of Y GB available)", "did not finish in N s", rather than a bare
SIGKILL.

The kernel's out-of-memory killer sends SIGKILL and says so only in its own log (which a
container cannot read) and in the cgroup's ``memory.events`` (``oom_kill``), where there is
one. So the count is compared before and after, and where there is no such file a SIGKILL
whose process peaked at most of the memory that was available is called what it almost
surely was.
"""

from __future__ import annotations

import signal
from pathlib import Path

_EVENTS = Path("/sys/fs/cgroup/memory.events")
# A SIGKILLed process that peaked above this share of the available memory ran out of it.
_NEAR_LIMIT = 0.8


def available_memory() -> int | None:
    """Bytes available now: /proc/meminfo's MemAvailable, capped by the cgroup's limit."""
    available = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text())
        if limit != "max":
            available = min(available or 1 << 62, int(limit) - used)
    except (OSError, ValueError):
        pass
    return available


def oom_kills() -> int | None:
    """The cgroup's count of out-of-memory kills so far (None where it is not readable)."""
    try:
        for line in _EVENTS.read_text().splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def gigabytes(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"  # binary units, as the kernel and free(1) count


def describe_exit(returncode: int, *, stage: str, peak_rss: int, available: int | None,
                  oom_before: int | None, oom_after: int | None,
                  timeout: float | None = None) -> tuple[str, str]:
    """(the kind: ``timeout``, ``out of memory``, ``killed by SIGxxx`` or ``exit code N``; one
    line for the user) for a stage process that ended with ``returncode`` (negative: a
    signal); ``timeout``: the limit, where the process was stopped for running past it."""
    if timeout is not None:
        return "timeout", (f"did not finish in {timeout:.0f} s (`[tool.integrator] stage-timeout` "
                           f"in pyproject.toml) and was stopped (peak memory ~{gigabytes(peak_rss)})")
    if returncode < 0:
        name = signal.Signals(-returncode).name
        oom = (oom_before is not None and oom_after is not None and oom_after > oom_before) or (
            oom_after is None and name == "SIGKILL" and available
            and peak_rss > _NEAR_LIMIT * available)
        if oom:
            of = f" of {gigabytes(available)} available" if available else ""
            return "out of memory", (
                f"ran out of memory while running the {stage} stage (peak ~{gigabytes(peak_rss)}{of}); "
                "the kernel killed it. Make the problem smaller (its sizes in the model file) "
                "or free memory")
        return f"killed by {name}", f"the stage process was killed by {name} (peak memory ~{gigabytes(peak_rss)})"
    return f"exit code {returncode}", f"the stage process crashed (exit code {returncode})"


def peak_rss() -> int:
    """Bytes: the largest resident set of this process or of any child it waited for (e.g.
    iree-benchmark-module), so far. Stages record it, and the catalogue shows it."""
    import resource

    return 1024 * max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
