"""Named pipelines from ``schedules/pipelines.toml`` (plain TOML data, no mini-language).

``[iree.<name>]``: an iree-compile flag set, optionally with a transform library
(``transform-library = "file.mlir"``, ``transform-sequence = "name"``) that IREE applies to
every dispatch (``--iree-codegen-transform-dialect-library``), and the runtime device the
build runs on (``device = "local-task"``, IREE's thread pool, or ``"local-sync"``: inline on
the calling thread, no task-system overhead; for sub-millisecond models; or ``"cuda"``: a
pipeline for CUDA builds, whose flags are the GPU's), and a schedule
that steers IREE's preprocessing (``preprocessing-schedule``, ``preprocessing-params``,
``preprocessing-passes``; see ``preprocessing.py``), how the model is imported for it
(``import-settings = { dilated-as-phases = true }``: import settings of ``ModelSettings``,
which then override the model's own; a layout rewrite that pays under one pipeline can cost
under another), and, for a pipeline that changes the
arithmetic (Winograd), why its builds execute fewer FLOPs than the model's count
(``fewer-flops = "..."``): their GFLOP/s is then an effective rate, not held against the peak.
``[mlir.<name>]``: an upstream pass pipeline (``passes``, run in order) and the JIT's LLVM
optimization level (``opt-level``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class IreePipeline:
    name: str
    doc: str
    flags: tuple[str, ...]
    transform_library: Path | None = None
    transform_sequence: str = "__transform_main"
    device: str = "local-task"
    # A schedule run in IREE's preprocessing (``preprocessing.py``), then these passes.
    preprocessing_schedule: str | None = None
    preprocessing_params: dict = field(default_factory=dict)
    preprocessing_passes: tuple[str, ...] = ()
    fewer_flops: str | None = None
    # Import settings (``ingress.models.ModelSettings`` fields) this pipeline's builds use.
    import_settings: dict = field(default_factory=dict)

    @property
    def target(self) -> str:
        """The kind of target its flags are for (``core/target.py``): its runtime device says."""
        return DEVICE_TARGETS[self.device]

    def all_flags(self, preprocessing_spec: Path | None = None) -> list[str]:
        """The flags; ``preprocessing_spec``: the built file of ``preprocessing_schedule``."""
        flags = list(self.flags)
        if self.preprocessing_schedule is not None:
            steps = [f"iree-preprocessing-transform-interpreter{{transform-spec-path={preprocessing_spec}}}",
                     *self.preprocessing_passes]
            flags.append(f"--iree-preprocessing-pass-pipeline=builtin.module({','.join(steps)})")
        if self.transform_library is not None:
            flags.append(
                f"--iree-codegen-transform-dialect-library="
                f"{self.transform_library}@{self.transform_sequence}"
            )
        return flags


@dataclass(frozen=True)
class MlirPipeline:
    name: str
    doc: str
    passes: tuple[str, ...]
    opt_level: int = 3


def pipelines_file(schedules: Path) -> Path:
    return Path(schedules) / "pipelines.toml"


def _load(schedules: Path, kind: str) -> dict:
    path = pipelines_file(schedules)
    if not path.is_file():
        return {}
    with open(path, "rb") as f:
        return tomllib.load(f).get(kind, {})


def _unknown(schedules: Path, kind: str, name: str, known) -> KeyError:
    return KeyError(
        f"unknown {kind} pipeline {name!r}; {pipelines_file(schedules)} defines: "
        + (", ".join(sorted(known)) or "none")
    )


def iree_pipeline_names(schedules: Path, target: str | None = None) -> list[str]:
    """Every ``[iree.<name>]`` in the pipelines file, in file order; ``target``: only those
    for that kind of target (``"host"``, ``"cuda"``), as their runtime device says."""
    entries = _load(schedules, "iree")
    return [name for name, entry in entries.items()
            if target is None or DEVICE_TARGETS.get(entry.get("device", "local-task")) == target]


def get_pipeline(schedules: Path, name: str) -> IreePipeline:
    known = _load(schedules, "iree")
    if name not in known:
        raise _unknown(schedules, "IREE", name, known)
    entry = known[name]
    library = entry.get("transform-library")
    return IreePipeline(
        name,
        entry.get("doc", ""),
        tuple(entry.get("flags", [])),
        transform_library=(Path(schedules) / library).resolve() if library else None,
        transform_sequence=entry.get("transform-sequence", "__transform_main"),
        device=_device(schedules, name, entry.get("device", "local-task")),
        preprocessing_schedule=entry.get("preprocessing-schedule"),
        preprocessing_params=dict(entry.get("preprocessing-params", {})),
        preprocessing_passes=tuple(entry.get("preprocessing-passes", [])),
        fewer_flops=entry.get("fewer-flops"),
        import_settings=_import_settings(schedules, name, entry.get("import-settings", {})),
    )


# The import settings a pipeline may set: those that change how a model's graph is imported.
IMPORT_SETTINGS = ("conv_rewrites", "winograd", "dilated_as_phases")


def _import_settings(schedules: Path, name: str, table: dict) -> dict:
    settings = {key.replace("-", "_"): value for key, value in table.items()}
    for key, value in settings.items():
        if key not in IMPORT_SETTINGS or not isinstance(value, bool):
            raise KeyError(f"[iree.{name}] in {pipelines_file(schedules)}: import-settings takes "
                           f"{', '.join(s.replace('_', '-') for s in IMPORT_SETTINGS)} = true/false; "
                           f"got {key.replace('_', '-')} = {value!r}")
    return settings


DEVICE_TARGETS = {"local-task": "host", "local-sync": "host", "cuda": "cuda"}
DEVICES = tuple(DEVICE_TARGETS)


def _device(schedules: Path, name: str, device: str) -> str:
    if device not in DEVICES:
        raise KeyError(f"[iree.{name}] in {pipelines_file(schedules)}: device {device!r} is not one "
                       f"of {', '.join(DEVICES)}")
    return device


def get_mlir_pipeline(schedules: Path, name: str) -> MlirPipeline:
    known = _load(schedules, "mlir")
    if name not in known:
        raise _unknown(schedules, "MLIR", name, known)
    entry = known[name]
    return MlirPipeline(
        name, entry.get("doc", ""), tuple(entry["passes"]), int(entry.get("opt-level", 3))
    )
