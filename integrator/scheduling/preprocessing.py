"""Schedules that steer IREE's own compilation: a transform spec applied in IREE's preprocessing
(``iree-preprocessing-transform-interpreter``), before the passes that act on what it marked.

An ``[iree.<name>]`` pipeline names one (``preprocessing-schedule = "winograd"``, parameters in
``preprocessing-params``, and the passes after it in ``preprocessing-passes``). The schedule is
a file in ``schedules/``: ``<name>.mlir``, or ``<name>.py`` whose ``schedule(**params)`` returns
the transform module's text (typed keyword parameters, checked as for upstream schedules). It is
verified with ``iree-opt`` (an error names the file and line) and stored by content in
``.cache/schedules/``, so the flags, and the keys built from them, name exactly what ran.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
from pathlib import Path

from .schedule import ScheduleError, _builder_parameters, find_schedule


def schedule_text(path: Path, params: dict) -> str:
    if path.suffix == ".mlir":
        if params:
            raise ScheduleError(f"{path}: a .mlir schedule takes no parameters (got {sorted(params)})")
        return path.read_text()
    spec = importlib.util.spec_from_file_location(f"integrator_preprocessing_{path.stem}", path)
    source = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(source)
    function = getattr(source, "schedule", None)
    if function is None:
        raise ScheduleError(f"{path}: defines no schedule(**params) function")
    text = function(**_builder_parameters(function, params, path))
    if not isinstance(text, str):
        raise ScheduleError(f"{path}: schedule() must return the transform module's text for IREE")
    return text


def preprocessing_spec(cache: Path, schedules: Path, name: str, params: dict) -> Path:
    """The verified transform spec of schedule ``name`` with ``params``, built once per content."""
    path = find_schedule(schedules, name)
    text = schedule_text(path, params)
    out = Path(cache) / "schedules" / f"{name}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.mlir"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        temp = out.with_name(f".{out.name}.tmp{os.getpid()}")
        temp.write_text(text)
        try:
            _verify(temp, f"{path} (built with {params or 'its defaults'})")
            os.replace(temp, out)
        finally:
            temp.unlink(missing_ok=True)
    return out


def _verify(path: Path, what: str) -> None:
    """Parse and verify with IREE's own dialects (``iree-opt``); errors keep line and column."""
    from ..engines.tools import tool

    result = subprocess.run([tool("iree-opt"), str(path), "-o", os.devnull,
                             "--mlir-print-op-on-diagnostic=false"], capture_output=True, text=True,
                            timeout=600)
    if result.returncode != 0:
        errors = [l.replace(str(path), "<built>") for l in result.stderr.splitlines() if "error" in l]
        raise ScheduleError(f"{what} does not verify:\n" + "\n".join(errors[:20]))
    if "@__transform_main" not in path.read_text():
        raise ScheduleError(f"{what}: no transform.named_sequence @__transform_main")
