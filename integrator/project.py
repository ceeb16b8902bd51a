"""Project settings: ``[tool.integrator]`` in ``pyproject.toml``, with documented defaults.

Plain data, read once; every value that changes a stage's output ends up in that stage's key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Project:
    root: Path
    cache: Path
    model_dirs: tuple[Path, ...]
    schedules: Path
    threads: int  # thread count for benchmarks, the same for every system measured
    iree_pipeline: str  # a named IREE flag set from schedules/pipelines.toml
    iree_extra_flags: tuple[str, ...]  # appended after the pipeline's flags
    bench_warmup: int  # untimed runs before each round
    bench_samples: int  # timed runs per system, split over the rounds
    bench_rounds: int  # systems alternate round by round, so drift hits all of them alike


def find_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` (default: cwd) holding a pyproject.toml."""
    start = Path(start or Path.cwd()).resolve()
    for directory in (start, *start.parents):
        if (directory / "pyproject.toml").is_file():
            return directory
    raise FileNotFoundError(f"no pyproject.toml at or above {start}")


def load_project(root: Path | None = None) -> Project:
    root = find_root(root)
    with open(root / "pyproject.toml", "rb") as f:
        settings = tomllib.load(f).get("tool", {}).get("integrator", {})
    bench = settings.get("bench", {})
    iree = settings.get("iree", {})
    cache = Path(os.environ.get("INTEGRATOR_CACHE", root / settings.get("cache", ".cache")))
    return Project(
        root=root,
        cache=cache,
        model_dirs=tuple(root / d for d in settings.get("models", ["models"])),
        schedules=root / settings.get("schedules", "schedules"),
        threads=int(os.environ.get("INTEGRATOR_THREADS", bench.get("threads", 2))),
        iree_pipeline=iree.get("pipeline", "cpu-default"),
        iree_extra_flags=tuple(iree.get("extra-flags", [])),
        bench_warmup=int(bench.get("warmup", 3)),
        bench_samples=int(bench.get("samples", 30)),
        bench_rounds=int(bench.get("rounds", 3)),
    )
