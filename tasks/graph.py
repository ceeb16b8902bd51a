"""doit tasks from the stage table (``integrator/core/stages.py``): one group per model stage
with one subtask per model (``<stage>:<model>``), one task per project stage (``specs``,
``peak``, ``report``), and the views asked for by name (``tune``, ``dispatches``, ``ir``,
``models``).

Actions are module-level functions so that ``doit -n N`` can pickle them. Each action runs
``python -m integrator ...`` in a fresh process (see ``integrator/cli.py`` for why). A model
whose requirement is not installed gets tasks that only say it is skipped; ``models`` prints
the catalogue.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from functools import cache
from pathlib import Path

from doit.exceptions import TaskFailed
from doit.tools import config_changed

from integrator.core.build import Build
from integrator.core.cli import EXIT_STAGE_ERROR
from integrator.core.crash import available_memory, describe_exit, oom_kills
from integrator.core.runner import ON_CLUSTER
from integrator.core.stages import PROJECT_STAGES, STAGES
from integrator.ingress.models import discover, missing_dirs
from integrator.core.project import load_project

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


def _terminate(signum, frame):
    raise KeyboardInterrupt  # SIGTERM stops a build as Ctrl-C does: stages and all


signal.signal(signal.SIGTERM, _terminate)


def run_integrator(
    arguments: list[str], label: str, root: str, error_file: str | None = None, stale=()
):
    """Run ``python -m integrator <arguments>``; turn its failure into one clear doit message.

    On a terminal the process's stderr (progress) is shown live; it is always kept for errors.
    A failure is also kept in ``error_file`` (JSON, removed on success) for the catalogue,
    and the targets of an earlier success are removed: they no longer match the inputs.
    """
    try:
        failure, record = _run(arguments, label, root)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the stage's processes are already gone
        clean_outputs(list(stale), remove_directory=False)  # and their temporaries
        print(f"{label}: interrupted; nothing of it is kept, the next run starts it again",
              file=sys.stderr, flush=True)
        raise SystemExit(130) from None  # doit records what finished, and stops
    if error_file:
        path = Path(error_file)
        if failure is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(record, indent=2) + "\n")
    if failure is not None:
        for target in stale:
            Path(target).unlink(missing_ok=True)
    return failure


def skipped(label: str, reason: str):
    """The action of a model that cannot be built here (a requirement is not installed)."""
    print(f"{label}: skipped: {reason}")


def _run(arguments: list[str], label: str, root: str):
    """(TaskFailed or None, the failure as a record): a stage's own error arrives as data (the
    CLI writes it to ``INTEGRATOR_ERROR_RECORD``); a crash is described from its exit status."""
    live = sys.__stderr__.isatty()
    record_file = Path(tempfile.mkstemp(prefix="integrator-error-", suffix=".json")[1])
    env = dict(os.environ, INTEGRATOR_PROGRESS="1" if live else "0",
               INTEGRATOR_ERROR_RECORD=str(record_file), **_cluster_env(arguments))
    # Its own process group, so that a timeout or an interrupt stops what it started too
    # (iree-compile, benchmark tools).
    proc = subprocess.Popen(
        [sys.executable, "-W", "ignore::FutureWarning", "-m", "integrator", *arguments,
         "--root", root],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=root, env=env, process_group=0,
    )
    timeout = project().stage_timeout if arguments[0] == "run" else 0  # not tuning's own budget
    timed_out = threading.Event()

    def expire():
        timed_out.set()
        _kill_group(proc.pid)

    timer = threading.Timer(timeout, expire) if timeout else None
    errors = bytearray()

    def pump():
        while chunk := os.read(proc.stderr.fileno(), 4096):
            errors.extend(chunk)
            if live:
                sys.__stderr__.write(chunk.decode(errors="replace"))
                sys.__stderr__.flush()

    available, oom_before = available_memory(), oom_kills()
    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    if timer:
        timer.start()
    try:
        out = proc.stdout.read().decode(errors="replace")
        # wait4, not wait: the child's peak memory says whether a SIGKILL was the OOM killer's
        _, status, usage = os.wait4(proc.pid, 0)
    except BaseException:  # Ctrl-C: stop the stage and what it started, leave nothing running
        _kill_group(proc.pid)
        os.waitpid(proc.pid, 0)
        proc.returncode = -signal.SIGKILL
        raise
    finally:
        if timer:
            timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    stderr = errors.decode(errors="replace")
    sys.stdout.write(out)
    try:
        record = json.loads(record_file.read_text() or "null")
    finally:
        record_file.unlink(missing_ok=True)
    if proc.returncode == 0:
        return None, None
    if proc.returncode == EXIT_STAGE_ERROR and record:
        return TaskFailed(record["text"]), record
    reason, line = describe_exit(proc.returncode, stage=label.split(":")[0],
                                 peak_rss=usage.ru_maxrss * 1024, available=available,
                                 oom_before=oom_before, oom_after=oom_kills(),
                                 timeout=timeout if timed_out.is_set() else None)
    tail = "\n".join(stderr.strip().splitlines()[-30:])
    text = f"{label}: {line}\n{tail}"
    return TaskFailed(text), {"stage": label.split(":")[0], "message": text, "text": text,
                              "crashed": reason, "peak_rss_bytes": usage.ru_maxrss * 1024}


def _cluster_env(arguments: list[str]) -> dict:
    """A stage that runs on ``cluster = "local"`` gets the address of one cluster started for
    this doit process (not one of its own per stage)."""
    settings = project().cluster
    if settings.address == "local" and arguments[0] == "run" and arguments[1] in ON_CLUSTER:
        from integrator.cluster import shared_address

        return {"INTEGRATOR_CLUSTER": shared_address(settings)}
    return {}


def clean_orphans():
    """``doit clean`` also removes the cache of models whose files are gone (no task builds
    them any more, so none would clean them), and says so."""
    from integrator.core.catalogue import orphans

    for directory in orphans(project(), models()):
        shutil.rmtree(directory)
        print(f"removed {directory}: its model file is gone")


def clean_torch_compile():
    """``doit clean`` also empties the torch.compile backend's module cache (no task builds
    it: the backend fills it from user processes)."""
    directory = project().cache / "torch_compile"
    if directory.is_dir():
        shutil.rmtree(directory)
        print(f"removed {directory}: the torch.compile backend's compiled graphs")


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def clean_outputs(paths: list[str], remove_directory: bool = True):
    """Remove a stage's files, temporaries left by a kill, and the directory once empty."""
    for path in map(Path, paths):
        if path.is_dir():
            shutil.rmtree(path)
        path.unlink(missing_ok=True)
        for leftover in path.parent.glob(f".{path.name}.tmp*"):
            leftover.unlink(missing_ok=True)
    if not remove_directory or not paths:
        return
    try:
        Path(paths[0]).parent.rmdir()
    except OSError:
        pass  # other stages' files are still there


def stage_tasks(name: str):
    """The doit tasks of one stage of the table: a group with a subtask per model for a model
    stage, one task for a project stage."""
    root = str(project().root)
    if name in PROJECT_STAGES:
        stage = PROJECT_STAGES[name]
        targets = [str(p) for p in stage.outputs(project())]
        yield {
            "basename": name,
            "doc": stage.doc,
            "actions": [(run_integrator, [["run", name], name, root, None, targets])],
            "file_dep": [str(p) for p in stage.all_inputs(project())],
            "targets": targets,
            "uptodate": [config_changed(stage.key(project()))],
            "clean": ([(clean_outputs, [targets])] if targets else [])
            + ([clean_orphans, clean_torch_compile] if name == "report" else []),
            "verbosity": 2,
        }
        return
    stage = STAGES[name]
    yield {"basename": name, "name": None, "doc": stage.doc}
    for model in models():
        label = f"{name}:{model.name}"
        if model.missing:  # no targets, no deps: nothing downstream waits for it
            yield {
                "basename": name,
                "name": model.name,
                "doc": f"{name} {model.name} (skipped: {model.skip_reason})",
                "actions": [(skipped, [label, model.skip_reason])],
                # Said once, then quiet until what is missing changes (no-op runs stay no-op).
                "uptodate": [config_changed({"missing": list(model.missing)})],
                "verbosity": 2,
            }
            continue
        build = Build.of(project(), model)
        outputs = [str(p) for p in stage.outputs(build)]
        error_file = str(build.artifacts.error(name))
        yield {
            "basename": name,
            "name": model.name,
            "doc": f"{name} {model.name} ({model.path.name})",
            # on failure, the earlier success's targets and statistics go: they no longer hold
            "actions": [(run_integrator, [["run", name, model.name], label, root, error_file,
                                          outputs + [str(build.artifacts.stats(name))]])],
            "file_dep": [str(p) for p in stage.all_inputs(build)],
            "targets": outputs,
            "uptodate": [config_changed(stage.key(build))],
            "clean": [(clean_outputs, [outputs + [str(p) for p in stage.leftovers(build)]
                                       + [error_file, str(build.artifacts.stats(name))]])],
            "verbosity": 2 if name in _SHOW_OUTPUT else 1,
        }


def _task_generator(name: str):
    def generate():
        yield from stage_tasks(name)

    generate.__doc__ = (STAGES.get(name) or PROJECT_STAGES[name]).doc
    return generate


# One doit task generator per stage of the table (doit finds them by their `task_` names).
for _name in (*STAGES, *PROJECT_STAGES):
    globals()[f"task_{_name}"] = _task_generator(_name)


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


def task_ir():
    """print a model's IR after each stage (doit run ir:<model>); builds through compile first"""
    yield from _per_model_command(
        "ir", "print a model's IR after each stage", "ir",
        "IR of {model} after import, schedule (and transform, lowered)", ["compile:{model}"])


def task_suite():
    """what every model came to (stage reached, failure class, speedup over eager) and pass rates per directory"""
    return {
        "actions": [(run_integrator, [["suite"], "suite", str(project().root)])],
        "uptodate": [False],  # a view of whatever the stages left: always made afresh
        "verbosity": 2,
    }


def task_models():
    """the catalogue: every model's format, inputs, parameters, FLOPs and stage states"""
    return {
        "actions": [(run_integrator, [["models"], "models", str(project().root)])],
        "uptodate": [False],  # a view of the current state: always shown afresh
        "verbosity": 2,
    }
