"""Tuned choices: ``<spec library>/<cpu or family>/<model>.toml``, one schema, read and written here.

The build reads ``iree-pipeline`` (IREE) or ``schedule-params`` (upstream engine); the
``[tuning]`` table is the tuner's record of the run (machine, times, trials) for people.
"""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TunedChoice:
    iree_pipeline: str | None = None
    schedule_params: dict | None = None
    record: dict = field(default_factory=dict)  # [tuning]: how it was found

    def selection(self) -> dict:
        """As selection settings (``core.selection``)."""
        chosen = {"iree_pipeline": self.iree_pipeline, "schedule_params": self.schedule_params}
        return {k: v for k, v in chosen.items() if v is not None}


def read_choice(path: Path) -> TunedChoice:
    with open(path, "rb") as f:
        table = tomllib.load(f)
    return TunedChoice(table.get("iree-pipeline"), table.get("schedule-params"), table.get("tuning", {}))


def write_choice(path: Path, choice: TunedChoice, model: str) -> None:
    import tomli_w

    from ..core.artifacts import write_text

    table = {k: v for k, v in (("iree-pipeline", choice.iree_pipeline),
                                ("schedule-params", choice.schedule_params)) if v is not None}
    table["tuning"] = {k.replace("_", "-"): v for k, v in choice.record.items() if v is not None}
    header = (f"# Written by `doit run tune:{model}` on {time.strftime('%Y-%m-%d %H:%M')}.\n"
              "# The build reads iree-pipeline / schedule-params; [tuning] is the record of the run.\n")
    write_text(path, header + tomli_w.dumps(table))


def find_choice(libraries: list[Path], cpu: str, model_name: str,
                cache: Path | None = None) -> tuple[TunedChoice, Path | None]:
    """The first ``<library>/<arch>/<model>.toml`` for ``cpu`` (libraries in the order given,
    the CPU before its family), and its path."""
    from .specs import arch_chain

    for library in libraries:
        for arch in arch_chain(cpu, cache):
            path = Path(library, arch, f"{model_name}.toml")
            if path.is_file():
                return read_choice(path), path
    return TunedChoice(), None
