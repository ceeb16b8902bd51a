"""The ``specs`` stage: the tuning specs that apply to a target's architecture (this CPU, or a
GPU's ``sm_80``), verified and linked into one library that every IREE compile for it gets
(``specs.py`` has the format and the linking)."""

from __future__ import annotations

from pathlib import Path

from ..core.artifacts import atomic_outputs, file_sha256, to_json
from ..core.errors import StageError
from ..core.target import HOST, arch_name


def tuning_specs(project, target=HOST) -> list:
    """The specs that apply to the target's architecture (by default this CPU), highest
    precedence first."""
    from .specs import find_specs

    if target.problem():  # no such target: nothing to link (the compile stage says why)
        return []
    return find_specs(project.user_specs, project.default_specs, arch_name(target, project.cache),
                      project.cache)


def library_files(project, target=HOST) -> tuple[Path, Path]:
    """The linked library (bytecode) and its record, per architecture:
    ``.cache/tuning/<cpu or GPU arch>/``."""
    directory = project.cache / "tuning" / arch_name(target, project.cache)
    return directory / "library.mlirbc", directory / "library.json"


def current_library(project, target=HOST) -> Path | None:
    """The linked library IREE compiles for the target use, or None where no spec applies."""
    return library_files(project, target)[0] if tuning_specs(project, target) else None


def run_library(project, target=HOST) -> str:
    from .specs import SpecError, link_specs

    specs = tuning_specs(project, target)
    cpu = arch_name(target, project.cache)
    if not specs:
        return f"specs: no tuning specs apply to {cpu}; IREE's defaults configure every dispatch"
    library, info = library_files(project, target)
    with atomic_outputs(library, info) as (library_tmp, info_tmp):
        try:
            link_specs(specs, library_tmp)
        except SpecError as error:
            raise StageError(cpu, "specs", str(error),
                             hint="fix or remove that file; schedules/tuning/README.md shows the format") from None
        info_tmp.write_text(to_json({
            "cpu": cpu, "library": str(library), "sha256": file_sha256(library_tmp)[:16],
            "specs": [{"name": s.name, "path": str(s.path), "library": s.library, "arch": s.arch}
                      for s in specs],
        }))
    listing = "\n".join(f"  {i + 1}. {s.path} ({s.library}, {s.arch})" for i, s in enumerate(specs))
    return f"specs: linked {len(specs)} tuning spec(s) for {cpu}, first match wins:\n{listing}"
