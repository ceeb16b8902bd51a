"""Project settings: ``[tool.integrator]`` in ``pyproject.toml``, with documented defaults.

Plain data, read once; every value that changes a stage's output ends up in that stage's key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class BenchSettings:
    """``[tool.integrator.bench]``: how the bench stage measures (see ``bench.py``)."""

    threads: int = 2  # the same for every system measured
    systems: tuple[str, ...] = ("iree", "torch_eager", "torch_compile", "onnxruntime")
    warmup: int = 3  # untimed calls at the start of every round
    rounds: int = 3  # systems alternate round by round, so drift hits all of them alike
    min_samples: int = 10  # per system, over all rounds
    max_samples: int = 200
    seconds: float = 2.0  # time budget per system for the timed calls
    noisy_spread: float = 0.10  # flag a system whose IQR exceeds this fraction of its median


@dataclass(frozen=True)
class Project:
    root: Path
    cache: Path
    model_dirs: tuple[Path, ...]
    schedules: Path
    iree_pipeline: str  # a named IREE flag set from schedules/pipelines.toml
    iree_extra_flags: tuple[str, ...]  # appended after the pipeline's flags
    bench: BenchSettings


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
        model_dirs=model_dirs(root, settings.get("models", ["models"])),
        schedules=root / settings.get("schedules", "schedules"),
        iree_pipeline=iree.get("pipeline", "cpu-default"),
        iree_extra_flags=tuple(iree.get("extra-flags", [])),
        bench=_bench_settings(bench),
    )


def model_dirs(root: Path, configured: list[str]) -> tuple[Path, ...]:
    """``[tool.integrator] models``, or ``INTEGRATOR_MODELS`` (``dir1:dir2``, replacing it).

    Relative paths are relative to the project root, wherever the command runs from.
    """
    override = os.environ.get("INTEGRATOR_MODELS")
    dirs = [d for d in override.split(os.pathsep) if d] if override else configured
    return tuple(root / Path(d).expanduser() for d in dirs)


def _bench_settings(table: dict) -> BenchSettings:
    """``[tool.integrator.bench]`` (kebab-case keys) over BenchSettings' defaults."""
    known = {f.name for f in fields(BenchSettings)}
    values = {key.replace("-", "_"): value for key, value in table.items()}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown [tool.integrator.bench] settings: {', '.join(unknown)}")
    if "systems" in values:
        values["systems"] = tuple(values["systems"])
    if "INTEGRATOR_THREADS" in os.environ:
        values["threads"] = int(os.environ["INTEGRATOR_THREADS"])
    return BenchSettings(**values)
