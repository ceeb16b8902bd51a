"""doit tasks: one group per stage with one subtask per model (``<stage>:<model>``), plus the
project-level ``peak`` and ``report``.

Actions are module-level functions so that ``doit -n N`` can pickle them. Each action runs
``python -m integrator ...`` in a fresh process (see ``integrator/cli.py`` for why). A model
whose requirement is not installed gets tasks that only say it is skipped; ``models`` prints
the catalogue.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from functools import cache
from pathlib import Path

from doit.exceptions import TaskFailed
from doit.tools import config_changed

from integrator import stages
from integrator.cli import EXIT_STAGE_ERROR
from integrator.models import discover, missing_dirs
from integrator.project import load_project

# Tasks whose one-line summary should reach the terminal at doit's default verbosity.
_SHOW_OUTPUT = {"check", "bench"}


@cache
def project():
    return load_project(Path(__file__).parent.parent)


@cache
def models():
    for directory in missing_dirs(project().model_dirs):
        print(f"warning: models directory {directory} does not exist", file=sys.stderr)
    return discover(project().model_dirs)


def buildable():
    return [m for m in models() if not m.missing]


def run_integrator(
    arguments: list[str], label: str, root: str, error_file: str | None = None, stale=()
):
    """Run ``python -m integrator <arguments>``; turn its failure into one clear doit message.

    On a terminal the process's stderr (progress) is shown live; it is always kept for errors.
    A failure's message is also kept in ``error_file`` (removed on success) for the catalogue,
    and the targets of an earlier success are removed: they no longer match the inputs.
    """
    failure = _run(arguments, label, root)
    if error_file:
        path = Path(error_file)
        if failure is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(failure.message + "\n")
    if failure is not None:
        for target in stale:
            Path(target).unlink(missing_ok=True)
    return failure


def skipped(label: str, reason: str):
    """The action of a model that cannot be built here (a requirement is not installed)."""
    print(f"{label}: skipped: {reason}")


def _run(arguments: list[str], label: str, root: str):
    live = sys.__stderr__.isatty()
    env = dict(os.environ, INTEGRATOR_PROGRESS="1" if live else "0")
    proc = subprocess.Popen(
        [sys.executable, "-W", "ignore::FutureWarning", "-m", "integrator", *arguments,
         "--root", root],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=root, env=env,
    )
    errors = bytearray()

    def pump():
        while chunk := os.read(proc.stderr.fileno(), 4096):
            errors.extend(chunk)
            if live:
                sys.__stderr__.write(chunk.decode(errors="replace"))
                sys.__stderr__.flush()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    out = proc.stdout.read().decode(errors="replace")
    proc.wait()
    reader.join()
    stderr = errors.decode(errors="replace")
    sys.stdout.write(out)
    if proc.returncode == 0:
        return None
    if proc.returncode == EXIT_STAGE_ERROR:
        # The stage error is the last thing the process printed; warnings may precede it.
        marker = stderr.rfind(f"{label}: ")
        return TaskFailed(stderr[max(marker, 0):].strip())
    if proc.returncode < 0:
        reason = f"killed by {signal.Signals(-proc.returncode).name}"
    else:
        reason = f"exit code {proc.returncode}"
    tail = "\n".join(stderr.strip().splitlines()[-30:])
    return TaskFailed(f"{label}: the stage process crashed ({reason})\n{tail}")


def clean_outputs(paths: list[str]):
    """Remove a stage's files, temporaries left by a kill, and the directory once empty."""
    for path in map(Path, paths):
        if path.is_dir():
            shutil.rmtree(path)
        path.unlink(missing_ok=True)
        for leftover in path.parent.glob(f".{path.name}.tmp*"):
            leftover.unlink(missing_ok=True)
    try:
        Path(paths[0]).parent.rmdir()
    except OSError:
        pass  # other stages' files are still there


def _stage_tasks(stage_name: str):
    stage = stages.STAGES[stage_name]
    root = str(project().root)
    yield {"basename": stage_name, "name": None, "doc": stage.doc}
    for model in models():
        label = f"{stage_name}:{model.name}"
        if model.missing:  # no targets, no deps: nothing downstream waits for it
            yield {
                "basename": stage_name,
                "name": model.name,
                "doc": f"{stage_name} {model.name} (skipped: {model.skip_reason})",
                "actions": [(skipped, [label, model.skip_reason])],
                # Said once, then quiet until what is missing changes (no-op runs stay no-op).
                "uptodate": [config_changed({"missing": list(model.missing)})],
                "verbosity": 2,
            }
            continue
        build = stages.Build.of(project(), model)
        outputs = [str(p) for p in stage.outputs(build)]
        error_file = str(build.artifacts.error(stage_name))
        task = {
            "basename": stage_name,
            "name": model.name,
            "doc": f"{stage_name} {model.name} ({model.path.name})",
            "actions": [(run_integrator, [
                ["run", stage_name, model.name], label, root, error_file, outputs
            ])],
            "file_dep": [str(p) for p in stage.inputs(build)],
            "targets": outputs,
            "uptodate": [config_changed(stage.key(build))],
            "clean": [(clean_outputs, [
                outputs + [str(p) for p in stage.leftovers(build)] + [error_file]
            ])],
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


def task_specs():
    """verify and link the tuning specs for this CPU (user libraries first, then schedules/tuning)"""
    proj = project()
    specs = stages.tuning_specs(proj)
    targets = [str(p) for p in stages.tuning_library_files(proj)] if specs else []
    return {
        "actions": [(run_integrator, [["specs"], "specs", str(proj.root), None, targets])],
        "file_dep": [str(p) for p in stages.tuning_library_inputs(proj)],
        "targets": targets,
        "uptodate": [config_changed(stages.tuning_library_key(proj))],
        "clean": [(clean_outputs, [targets])] if targets else [],
        "verbosity": 2,
    }


def _per_model_command(basename: str, doc: str, command: str, model_doc: str, task_dep):
    """A group of tasks asked for by name, one per model, that run ``python -m integrator
    <command> <model>`` every time (views and tuning: nothing to be up to date with)."""
    yield {"basename": basename, "name": None, "doc": doc}
    for model in buildable():
        yield {
            "name": model.name,
            "doc": model_doc.format(model=model.name),
            "actions": [(run_integrator, [[command, model.name], f"{basename}:{model.name}",
                                          str(project().root)])],
            "task_dep": [d.format(model=model.name) for d in task_dep],
            "uptodate": [False],
            "verbosity": 2,
        }


def task_tune():
    """auto-tune a model (doit run tune:<model> minutes=30 trials=0): writes a user tuning spec"""
    # Tunes a build that exists and is correct; resumes from the trials database.
    yield from _per_model_command(
        "tune", "auto-tune a model's pipeline and dispatches", "tune",
        "tune {model}: pipeline, then its slowest dispatches; see README", ["check:{model}"])


def task_dispatches():
    """a model's dispatches and which tuning spec configured each (doit run dispatches:<model>)"""
    yield from _per_model_command(
        "dispatches", "which tuning spec configured which dispatch", "dispatches",
        "dispatches of {model} and the tuning spec that configured each", ["schedule:{model}", "specs"])


def task_peak():
    """measure this machine's practical peak GFLOP/s (numpy sgemm) at the bench thread count"""
    target = str(stages.peak_file(project()))
    return {
        "actions": [(run_integrator, [["peak"], "peak", str(project().root)])],
        "file_dep": [str(Path(stages.__file__).parent / "peak.py")],
        "targets": [target],
        "uptodate": [config_changed(stages.peak_key(project()))],
        "clean": [(clean_outputs, [[target]])],
        "verbosity": 2,
    }


def task_report():
    """table and chart of every model's bench results: .cache/report/report.{md,png}"""
    targets = [str(p) for p in stages.report_files(project())]
    return {
        "actions": [(run_integrator, [["report"], "report", str(project().root)])],
        "file_dep": [str(p) for p in stages.report_inputs(project(), buildable())],
        "targets": targets,
        "uptodate": [config_changed({"models": [m.name for m in buildable()]})],
        "clean": [(clean_outputs, [targets])],
        "verbosity": 2,
    }


def task_ir():
    """print a model's IR after each stage (doit run ir:<model>); builds through compile first"""
    yield from _per_model_command(
        "ir", "print a model's IR after each stage", "ir",
        "IR of {model} after import, schedule (and transform, lowered)", ["compile:{model}"])


def task_models():
    """the catalogue: every model's format, inputs, parameters, FLOPs and stage states"""
    return {
        "actions": [(run_integrator, [["models"], "models", str(project().root)])],
        "uptodate": [False],  # a view of the current state: always shown afresh
        "verbosity": 2,
    }
