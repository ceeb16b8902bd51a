"""doit tasks from the stage table (``integrator/core/stages.py``): one group per model stage
with one subtask per model (``<stage>:<model>``), one task per project stage (``specs``,
``peak``, ``report``), and the views asked for by name (``tune``, ``dispatches``, ``ir``,
``models``).

Actions are module-level functions so that ``doit -n N`` can pickle them. Each action runs
``python -m integrator ...`` in a fresh process (see ``integrator/cli.py`` for why). A model
whose requirement is not installed gets tasks that only say it is skipped; ``models`` prints
the catalogue.

Targets (``integrator/core/target.py``): doit keeps one state record per task name, so a build
for a target other than the host gets its own tasks for the target-dependent stages
(``compile:mlp@cuda-sm_80``, with its artifacts in ``.cache/mlp/cuda-sm_80/``), and the plain
name (``bench:mlp``, what people type with ``target=cuda``) becomes an alias that is always up
to date and depends on it. The host build's tasks and state are never touched by a CUDA run,
so switching target rebuilds nothing built for the other, and switching back runs nothing.
Import and schedule are shared. Where there is no CUDA device, check and bench of a CUDA build
(and ``peak@cuda``) only say so, once: their state is keyed on why, so they run for real when a
GPU appears.
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

from doit.dependency import UptodateCalculator
from doit.exceptions import TaskFailed
from doit.tools import config_changed

from integrator.core.build import Build
from integrator.core.cli import EXIT_STAGE_ERROR
from integrator.core.crash import available_memory, describe_exit, oom_kills
from integrator.core.runner import ON_CLUSTER
from integrator.core.stages import PROJECT_STAGES, STAGES
from integrator.core.target import HOST, no_gpu_reason
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


@cache
def builds() -> dict:
    """Every buildable model's ``Build`` (its selection, target included), by model name."""
    return {m.name: Build.of(project(), m) for m in buildable()}


def other_targets(per: str) -> list:
    """The valid targets other than the host that the models select, one per architecture
    (``per="arch"``) or per kind (``"kind"``), for the project stages that are per target."""
    found = {}
    for build in builds().values():
        target = build.target
        if not target.is_host and target.problem() is None:
            key = target.label if per == "arch" else target.kind
            found.setdefault(key, target)
    return list(found.values())


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


def skipped(label: str, reason: str, stale=()):
    """The action of a stage that cannot run here (a requirement is not installed, no GPU).
    What an earlier run left (``stale``) goes: it was not made for what is built now."""
    for path in stale:
        Path(path).unlink(missing_ok=True)
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
        yield _project_task(stage, HOST, root)
        if stage.per_target:
            for target in other_targets(stage.per_target):
                yield _project_task(stage, stage.targets_of(target), root)
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
        build = builds()[model.name]
        task = build.task(name)
        if task != label:  # another target's build: the plain name is an alias of its task
            yield {
                "basename": name,
                "name": model.name,
                "doc": f"{name} {model.name}: its {build.target.label} build ({task})",
                "actions": [],
                "task_dep": [task],
                "uptodate": [AliasUptodate()],  # runs nothing, keeps the host's state
            }
        outputs = [str(p) for p in stage.outputs(build)]
        error_file = str(build.artifacts.error(name))
        cleaned = outputs + [str(p) for p in stage.leftovers(build)] + [
            error_file, str(build.artifacts.stats(name))]
        reason = no_gpu_reason(build.target) if name in ("check", "bench") else None
        if reason:  # nothing to run it on here: said once, rerun for real when a GPU appears
            yield {
                "basename": name,
                "name": task.split(":", 1)[1],
                "doc": f"{name} {model.name} for {build.target.label} (skipped: {reason})",
                "actions": [(skipped, [task, reason, cleaned])],
                "task_dep": [build.task(_PREVIOUS[name])],  # the compile still builds
                "uptodate": [config_changed({"skipped": reason})],
                "clean": [(clean_outputs, [cleaned])],
                "verbosity": 2,
            }
            continue
        yield {
            "basename": name,
            "name": task.split(":", 1)[1],
            "doc": f"{name} {model.name} ({model.path.name})"
            + ("" if build.target.is_host else f" for {build.target.label}"),
            # on failure, the earlier success's targets and statistics go: they no longer hold
            "actions": [(run_integrator, [["run", name, model.name], task, root, error_file,
                                          outputs + [str(build.artifacts.stats(name))]])],
            "file_dep": [str(p) for p in stage.all_inputs(build)],
            "targets": outputs,
            "uptodate": [config_changed(stage.key(build))],
            "clean": [(clean_outputs, [cleaned])],
            "verbosity": 2 if name in _SHOW_OUTPUT else 1,
        }


class AliasUptodate(UptodateCalculator):
    """Keeps the plain-named alias of another target's task (``bench:mlp`` for
    ``bench:mlp@cuda-sm_80``) up to date without touching the state doit keeps under that name,
    which is the host build's.

    doit finds a task stale when its file dependencies differ from the ones recorded under its
    name, and a stale task's success overwrites the record. So the alias takes, at status
    time, the dependencies recorded for the name (those of the host's task, that still
    exist): while they are unchanged it is up to date and nothing is saved. If one changed,
    the host task was stale anyway: the alias then "runs" (no actions) and its empty record
    replaces the host's, whose task therefore runs again when the host is selected, as it had
    to.
    """

    def __call__(self, task, values):
        recorded = self.get_val(task.name, "deps:") or ()
        task.file_dep = {path for path in recorded if os.path.exists(path)}
        return True


# What a skipped stage of a CUDA build still needs built (compile works without a GPU).
_PREVIOUS = {"check": "compile", "bench": "check"}


def _project_task(stage, target, root: str) -> dict:
    """The task of a project stage for the host, or for another target (``specs@cuda-sm_80``,
    ``peak@cuda``)."""
    task = stage.task(target)
    reason = None if target.is_host or stage.name != "peak" else no_gpu_reason(target)
    if reason:
        return {
            "basename": task,
            "doc": f"{stage.doc} (skipped: {reason})",
            "actions": [(skipped, [task, reason])],
            "uptodate": [config_changed({"skipped": reason})],
            "verbosity": 2,
        }
    targets = [str(p) for p in stage.task_outputs(project(), target)]
    arguments = ["run", stage.name] + ([] if target.is_host else ["--target", target.label])
    return {
        "basename": task,
        "doc": stage.doc if target.is_host else f"{stage.name} for {target.label}",
        "actions": [(run_integrator, [arguments, task, root, None, targets])],
        "file_dep": [str(p) for p in stage.all_inputs(project(), target)],
        "targets": targets,
        "uptodate": [config_changed(stage.task_key(project(), target))],
        "clean": ([(clean_outputs, [targets])] if targets else [])
        + ([clean_orphans, clean_torch_compile] if task == "report" else []),
        "verbosity": 2,
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
            "task_dep": [d.format(model=model.name, specs=_specs_task(builds()[model.name]))
                         for d in task_dep],
            "uptodate": [False],
            "verbosity": 2,
        }


def _specs_task(build) -> str:
    """The tuning-spec library task of the build's target (``specs@cuda-sm_80``); the host's
    for a target that does not exist (its compile says so)."""
    target = build.target
    return PROJECT_STAGES["specs"].task(target if target.problem() is None else HOST)


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
        "dispatches of {model} and the tuning spec that configured each", ["schedule:{model}", "{specs}"])


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
