"""One doit task group per stage, one subtask per model: ``<stage>:<model>``.

Actions are module-level functions so that ``doit -n N`` can pickle them. Each action runs
the stage in a fresh ``python -m integrator`` process (see ``integrator/cli.py`` for why).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from functools import cache
from pathlib import Path

from doit.exceptions import TaskFailed
from doit.tools import config_changed

from integrator.artifacts import Artifacts
from integrator.cli import EXIT_STAGE_ERROR
from integrator.models import discover
from integrator.project import load_project
from integrator.stages import STAGES, stage_inputs

# Tasks whose one-line summary should reach the terminal at doit's default verbosity.
_SHOW_OUTPUT = {"check", "bench"}


@cache
def project():
    return load_project(Path(__file__).parent.parent)


@cache
def models():
    return discover(project().model_dirs)


def run_stage(stage: str, model: str, root: str):
    """Run one stage in its own process; turn its failure into one clear doit message."""
    proc = subprocess.run(
        [sys.executable, "-W", "ignore::FutureWarning", "-m", "integrator", "run", stage, model,
         "--root", root],
        capture_output=True,
        text=True,
        cwd=root,
    )
    sys.stdout.write(proc.stdout)
    if proc.returncode == 0:
        return None
    if proc.returncode == EXIT_STAGE_ERROR:
        # The stage error is the last thing the process printed; warnings may precede it.
        marker = proc.stderr.rfind(f"{stage}:{model}: ")
        return TaskFailed(proc.stderr[max(marker, 0):].strip())
    if proc.returncode < 0:
        reason = f"killed by {signal.Signals(-proc.returncode).name}"
    else:
        reason = f"exit code {proc.returncode}"
    tail = "\n".join(proc.stderr.strip().splitlines()[-30:])
    return TaskFailed(f"{stage}:{model}: the stage process crashed ({reason})\n{tail}")


def clean_outputs(paths: list[str]):
    """Remove a stage's files, temporaries left by a kill, and the model's directory once empty."""
    for path in map(Path, paths):
        path.unlink(missing_ok=True)
        for leftover in path.parent.glob(f".{path.name}.tmp*"):
            leftover.unlink(missing_ok=True)
    try:
        Path(paths[0]).parent.rmdir()
    except OSError:
        pass  # other stages' files are still there


def _stage_tasks(stage_name: str):
    stage = STAGES[stage_name]
    yield {"basename": stage_name, "name": None, "doc": stage.doc}
    for model in models():
        artifacts = Artifacts(project().cache, model.name)
        outputs = [str(p) for p in stage.outputs(artifacts)]
        task = {
            "basename": stage_name,
            "name": model.name,
            "doc": f"{stage_name} {model.name} ({model.path.name})",
            "actions": [(run_stage, [stage_name, model.name, str(project().root)])],
            "file_dep": [str(p) for p in stage_inputs(project(), model, stage_name)],
            "targets": outputs,
            "uptodate": [config_changed(stage.key(project(), model))],
            "clean": [(clean_outputs, [outputs + [str(p) for p in stage.leftovers(artifacts)]])],
        }
        if stage_name in _SHOW_OUTPUT:
            task["verbosity"] = 2
        yield task


def task_import():
    yield from _stage_tasks("import")


def task_schedule():
    yield from _stage_tasks("schedule")


def task_compile():
    yield from _stage_tasks("compile")


def task_check():
    yield from _stage_tasks("check")


def task_bench():
    yield from _stage_tasks("bench")
