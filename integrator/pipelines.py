"""Named IREE flag sets from ``schedules/pipelines.toml`` (plain TOML data, no mini-language)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Pipeline:
    name: str
    doc: str
    flags: tuple[str, ...]


def pipelines_file(schedules: Path) -> Path:
    return Path(schedules) / "pipelines.toml"


def load_pipelines(schedules: Path) -> dict[str, Pipeline]:
    path = pipelines_file(schedules)
    if not path.is_file():
        return {}
    with open(path, "rb") as f:
        data = tomllib.load(f).get("iree", {})
    return {
        name: Pipeline(name, entry.get("doc", ""), tuple(entry.get("flags", [])))
        for name, entry in data.items()
    }


def get_pipeline(schedules: Path, name: str) -> Pipeline:
    known = load_pipelines(schedules)
    if name not in known:
        raise KeyError(
            f"unknown IREE pipeline {name!r}; {pipelines_file(schedules)} defines: "
            + (", ".join(sorted(known)) or "none")
        )
    return known[name]
