"""The engine interface: compile a build's scheduled module, then run and time the artifact."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from ..core.build import Build

Timer = Callable[[int, int], list]  # (warmup, samples) -> latencies in ms


class Compiled(ABC):
    """A compiled artifact, loaded: call it on numpy arrays, or time it."""

    @abstractmethod
    def run(self, inputs: list) -> list:
        """One call; the outputs as numpy arrays, in order."""

    @abstractmethod
    def timer(self, arrays: list, input_files: list[Path], threads: int) -> tuple[Timer, int | None]:
        """A timer of single calls on these inputs, and the threads the artifact really uses."""


class Engine(ABC):
    name: str
    # The schedule stage lowers to linalg and applies transform schedules only for engines
    # that take linalg; the others get the import as it is.
    applies_schedules: bool = False

    def code(self) -> list[Path]:
        """Source files besides Python modules (e.g. C) whose content shapes the artifact."""
        return []

    def flags(self, build: "Build", **overrides) -> list[str]:
        """The compiler's command-line options for ``build`` (engines without any: [])."""
        return []

    def inputs(self, build: "Build") -> list[Path]:
        """Files besides the scheduled module whose content changes the artifact."""
        return []

    @abstractmethod
    def key(self, build: "Build") -> dict:
        """Everything else that changes the artifact (versions, names of flag sets, ...)."""

    def extra_outputs(self, build: "Build") -> list[Path]:
        """Files the compile stage writes besides the artifact and its record."""
        return []

    @abstractmethod
    def compile(self, build: "Build", source: Path, output: Path, extra: list[Path]) -> dict:
        """Compile ``source`` into ``output`` (and ``extra``: temporaries for
        ``extra_outputs``); return what the compile record keeps. Raises ``StageError``."""

    @abstractmethod
    def load(self, artifact: Path, record: dict, *, entry: str, n_outputs: int) -> Compiled:
        """The artifact, ready to run; ``record`` is the compile record."""
