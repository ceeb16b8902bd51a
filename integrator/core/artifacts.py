"""Where a model's artifacts live in the cache, and how they are written safely.

Every artifact is written to a temporary file next to its final path and renamed into place
only when the stage has succeeded, so an interrupted or failed stage never leaves a file that
doit (or a person) could mistake for a finished result.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path


# Stages whose artifacts are the same for every target (``core/target.py``): they stay in
# the model's directory and are shared by the builds for every target.
SHARED_STAGES = ("import", "schedule")


@dataclass(frozen=True)
class Artifacts:
    """The files of one model under ``<cache>/<model>/``: the import and the schedule there,
    the target-dependent ones (compile, check, bench) in ``build_dir``, which is the same
    directory for the host and ``<cache>/<model>/<target label>/`` for another target, so that
    builds for several targets live side by side."""

    cache: Path
    model: str
    engine: str = "iree"  # the compiled artifact's form depends on it
    target: str = "host"  # the target's label (``core.target.Target.label``)

    @property
    def dir(self) -> Path:
        return self.cache / self.model

    @property
    def build_dir(self) -> Path:
        return self.dir if self.target == "host" else self.dir / self.target

    # import:<m>
    @property
    def imported(self) -> Path:  # torch-dialect MLIR, bytecode, weights inlined
        return self.dir / "import.mlirbc"

    @property
    def reference(self) -> Path:  # inputs and torch-eager outputs
        return self.dir / "reference.npz"

    @property
    def import_info(self) -> Path:
        return self.dir / "import.json"

    # schedule:<m>
    @property
    def scheduled(self) -> Path:
        return self.dir / "schedule.mlirbc"

    @property
    def schedule_info(self) -> Path:
        return self.dir / "schedule.json"

    @property
    def transform(self) -> Path:  # upstream engine: the verified transform schedule, bytecode
        return self.dir / "transform.mlirbc"

    # compile:<m>
    @property
    def compiled(self) -> Path:
        from ..engines import artifact_suffix

        return self.build_dir / f"module{artifact_suffix(self.engine)}"

    @property
    def lowered(self) -> Path:  # upstream engine: the LLVM-dialect module, for inspection
        return self.build_dir / "lowered.mlirbc"

    @property
    def compile_info(self) -> Path:
        return self.build_dir / "compile.json"

    # check:<m>
    @property
    def check(self) -> Path:
        return self.build_dir / "check.json"

    @property
    def check_failed(self) -> Path:  # the report of a failed check: kept for reading, never a target
        return self.build_dir / "check.failed.json"

    # bench:<m>
    @property
    def bench(self) -> Path:
        return self.build_dir / "bench.json"

    @property
    def inductor_cache(self) -> Path:  # torch.compile's cache for the torch_compile baseline
        return self.build_dir / "inductor"

    # any stage
    def stage_dir(self, stage: str) -> Path:
        return self.dir if stage in SHARED_STAGES else self.build_dir

    def error(self, stage: str) -> Path:  # the last failure's message, for the catalogue
        return self.stage_dir(stage) / f"{stage}.error"

    def stats(self, stage: str) -> Path:
        """How the stage's last run went (seconds, peak memory): kept apart from its outputs,
        which later stages depend on, so that a rerun with the same results rebuilds nothing
        downstream."""
        return self.stage_dir(stage) / f"{stage}.stats.json"


@contextlib.contextmanager
def atomic_outputs(*paths: Path):
    """Yield temporary paths for ``paths``; rename them into place only if the block succeeds."""
    temps = [p.with_name(f".{p.name}.tmp{os.getpid()}") for p in paths]
    for p in paths:
        p.parent.mkdir(parents=True, exist_ok=True)
    try:
        yield temps if len(temps) > 1 else temps[0]
        for temp, final in zip(temps, paths):
            os.replace(temp, final)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)


def to_json(data) -> str:
    return json.dumps(data, indent=2) + "\n"  # insertion order: systems stay as configured


def write_text(path: Path, text: str) -> None:
    with atomic_outputs(path) as temp:
        temp.write_text(text)


def write_json(path: Path, data) -> None:
    write_text(path, to_json(data))


def read_json(path: Path):
    return json.loads(Path(path).read_text())


def file_sha256(path: Path) -> str:
    """The file's SHA-256 (hex), read in chunks: model bytecode can be 100 MB."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
