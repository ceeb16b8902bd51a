"""The schedule stage: apply the model's transform schedule to the imported module.

Transform schedules arrive in a later step (``schedules/`` and issue #4). Today the stage
exists so that the build graph and the cache layout already have their final shape: with no
schedule selected the module passes through unchanged and the stage records that; a selected
schedule is refused with a clear error rather than silently ignored.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .artifacts import atomic_outputs, to_json
from .errors import StageError
from .models import ModelFile

STAGE = "schedule"


def apply_schedule(model: ModelFile, source: Path, *, output: Path, info: Path) -> dict:
    if model.settings.schedule is not None:
        raise StageError(
            model.name,
            STAGE,
            f"schedule {model.settings.schedule!r} selected, but transform schedules are not "
            "supported yet",
            hint=f"remove SCHEDULE from {model.path}",
        )
    record = {"model": model.name, "schedule": None, "applied": "none: module passed through"}
    with atomic_outputs(output, info) as (module_tmp, info_tmp):
        try:  # a hard link costs nothing; the import stage replaces its file, never edits it
            os.link(source, module_tmp)
        except OSError:
            shutil.copyfile(source, module_tmp)
        info_tmp.write_text(to_json(record))
    return record
