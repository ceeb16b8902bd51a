"""The ``specs`` stage: the tuning specs that apply to this CPU, verified and linked into one
library that every IREE compile gets (``specs.py`` has the format and the linking)."""

from __future__ import annotations

from pathlib import Path

from ..core.artifacts import atomic_outputs, file_sha256, to_json
from ..core.errors import StageError
from ..core.host import host_cpu


def tuning_specs(project) -> list:
    """The specs that apply on this CPU, highest precedence first."""
    from .specs import find_specs

    return find_specs(project.user_specs, project.default_specs, host_cpu(project.cache))


def library_files(project) -> tuple[Path, Path]:
    """The linked library (bytecode) and its record, per CPU: ``.cache/tuning/<cpu>/``."""
    directory = project.cache / "tuning" / host_cpu(project.cache)
    return directory / "library.mlirbc", directory / "library.json"


def current_library(project) -> Path | None:
    """The linked library IREE compiles use, or None where no spec applies to this CPU."""
    return library_files(project)[0] if tuning_specs(project) else None


def run_library(project) -> str:
    from .specs import SpecError, link_specs

    specs = tuning_specs(project)
    cpu = host_cpu(project.cache)
    if not specs:
        return f"specs: no tuning specs apply to {cpu}; IREE's defaults configure every dispatch"
    library, info = library_files(project)
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
