"""Transform schedules: find, build, verify, store and apply them (upstream MLIR engine).

A schedule in ``schedules/`` is either a transform-dialect script (``<name>.mlir`` with a
``transform.named_sequence @__transform_main``) or a Python builder (``<name>.py`` defining
``schedule(**params)`` that returns a transform module; see ``transforms.py``). Either way it
is parsed and verified first (errors point at ``file:line``), stored as bytecode in the cache,
and applied in a child process under a time limit: some pattern sets make the transform
interpreter loop forever, and a build must not hang with them.

The IREE engine takes transform libraries at compile time instead (``transform-library`` in
``pipelines.toml``), so for IREE and external engines this stage passes the module through.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import re
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path

from ..core.artifacts import atomic_outputs, file_sha256, to_json
from ..core.errors import StageError
from .transforms import ENTRY

STAGE = "schedule"


class ScheduleError(Exception):
    """A schedule that cannot be used; the message names the file (and line where known)."""


def find_schedule(schedules: Path, name: str) -> Path:
    for suffix in (".mlir", ".py"):
        path = Path(schedules) / f"{name}{suffix}"
        if path.is_file():
            return path.resolve()
    known = sorted(
        p.stem for p in Path(schedules).glob("*") if p.suffix in (".mlir", ".py")
        and not p.name.startswith("_")
    )
    raise ScheduleError(
        f"unknown schedule {name!r}: no {name}.mlir or {name}.py in {schedules} "
        f"(known: {', '.join(known) or 'none'})"
    )


def _location(diagnostic) -> str:
    """``loc("file.mlir":3:7)`` -> ``file.mlir:3:7`` (the bindings expose no fields for it)."""
    text = str(diagnostic.location)
    if text.startswith("loc(") and text.endswith(")"):
        text = text[4:-1].replace('"', "")
    return text


def _mlir_error(error, path: Path) -> ScheduleError:
    diagnostics = getattr(error, "error_diagnostics", None) or []
    lines = [f"{_location(d)}: {d.message}".replace('-:', f"{path}:", 1) for d in diagnostics]
    return ScheduleError("\n".join(lines) or f"{path}: {error}")


def _builder_parameters(function, params: dict, path: Path) -> dict:
    """The builder's keyword defaults updated with ``params``; unknown or mistyped ones fail."""
    defaults = {
        name: p.default
        for name, p in inspect.signature(function).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise ScheduleError(
            f"{path}: unknown schedule parameters {', '.join(unknown)}; "
            f"schedule() takes: {', '.join(defaults) or 'none'}"
        )
    merged = dict(defaults)
    for name, value in params.items():
        default = defaults[name]
        sequence = (list, tuple)
        same_kind = (
            isinstance(value, sequence) if isinstance(default, sequence)
            else isinstance(value, type(default)) or (isinstance(default, float) and isinstance(value, int))
        )
        if default is not None and not same_kind:
            raise ScheduleError(
                f"{path}: schedule parameter {name}={value!r} should be like the default {default!r}"
            )
        merged[name] = value
    # Plain JSON-able values: they are recorded in the artifact's metadata.
    return {k: list(v) if isinstance(v, tuple) else v for k, v in merged.items()}


def build_transform(path: Path, params: dict):
    """(verified transform module, parameters used). Call inside an active MLIR context."""
    from torch_mlir import ir

    if path.suffix == ".mlir":
        if params:
            raise ScheduleError(f"{path}: a .mlir schedule takes no parameters (got {sorted(params)})")
        try:
            module = ir.Module.parseFile(str(path))
        except ir.MLIRError as error:
            raise _mlir_error(error, path) from None
        used = {}
    else:
        spec = importlib.util.spec_from_file_location(f"integrator_schedule_{path.stem}", path)
        source = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(source)
            function = getattr(source, "schedule", None)
            if function is None:
                raise ScheduleError(f"{path}: defines no schedule(**params) function")
            used = _builder_parameters(function, params, path)
            with ir.Location.unknown():
                module = function(**used)
            if isinstance(module, str):
                module = ir.Module.parse(module)
        except ScheduleError:
            raise
        except ir.MLIRError as error:
            raise _mlir_error(error, path) from None
        except Exception as error:
            frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == str(path)]
            where = f"{path}:{frames[-1].lineno}" if frames else str(path)
            raise ScheduleError(f"{where}: building the schedule failed: {type(error).__name__}: {error}") from None
    try:
        module.operation.verify()
    except ir.MLIRError as error:
        raise _mlir_error(error, path) from None
    names = [
        ir.StringAttr(op.attributes["sym_name"]).value
        for op in module.body.operations
        if op.operation.name == "transform.named_sequence"
    ]
    if ENTRY not in names:
        raise ScheduleError(f"{path}: no transform.named_sequence @{ENTRY} (found: {names or 'none'})")
    return module, used


def apply_transform(payload: Path, transform: Path, output: Path, *, timeout: float) -> None:
    """Apply ``transform`` (bytecode) to ``payload`` in a child process, killed at ``timeout``."""
    command = [sys.executable, "-m", "integrator.scheduling.schedule", str(payload), str(transform), str(output)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ScheduleError(
            f"applying the schedule did not finish within {timeout:g} s and was stopped "
            "(a pattern set that never converges?)"
        ) from None
    if result.returncode:
        message = result.stderr.strip().splitlines()
        raise ScheduleError("the transform interpreter failed:\n" + "\n".join(message[-20:]))


def _apply_in_this_process(payload: Path, transform: Path, output: Path) -> None:
    from torch_mlir import ir
    from torch_mlir.dialects.transform import interpreter

    with ir.Context():
        module = ir.Module.parseFile(str(payload))
        schedule = ir.Module.parseFile(str(transform))
        entry = next(
            op for op in schedule.body.operations
            if op.operation.name == "transform.named_sequence"
            and ir.StringAttr(op.attributes["sym_name"]).value == ENTRY
        )
        try:
            interpreter.apply_named_sequence(module, entry, schedule)
        except Exception as error:  # the diagnostics say which transform failed on which op
            # loc("file.mlir":6:5) -> file.mlir:6:5, the form editors and terminals link.
            print(re.sub(r'loc\("([^"]+)":(\d+):(\d+)\)', r"\1:\2:\3", str(error)), file=sys.stderr)
            raise SystemExit(1)
        try:  # a transform can leave invalid IR behind without failing itself
            module.operation.verify()
        except ir.MLIRError as error:
            print(f"the schedule produced invalid IR: {error}", file=sys.stderr)
            raise SystemExit(1)
        with open(output, "wb") as f:
            module.operation.write_bytecode(f)


def schedule_module(model: str, selection, schedules: Path, source: Path, *, output: Path,
                    transform: Path, info: Path, timeout: float) -> dict:
    """The schedule stage. For the upstream engine: lower to linalg, then apply the schedule."""
    record = {"model": model, "engine": selection.engine, "schedule": selection.schedule}
    if selection.engine != "mlir":
        if selection.schedule is not None:
            raise StageError(
                model, STAGE,
                f"schedule {selection.schedule!r} selected for engine {selection.engine!r}; "
                "transform schedules drive the upstream engine (ENGINE = \"mlir\")",
                hint="for IREE, name a transform library in an [iree.<name>] pipeline "
                "(transform-library) and select it with IREE_PIPELINE",
            )
        record["applied"] = "none: module passed through"
        with atomic_outputs(output, info) as (module_tmp, info_tmp):
            try:  # a hard link costs nothing; the import stage replaces its file, never edits it
                os.link(source, module_tmp)
            except OSError:
                shutil.copyfile(source, module_tmp)
            info_tmp.write_text(to_json(record))
        return record

    from ..engines.upstream import context, lower_to_linalg

    outputs = (output, info, transform) if selection.schedule else (output, info)
    with atomic_outputs(*outputs) as temps:
        module_tmp, info_tmp = temps[0], temps[1]
        try:
            lower_to_linalg(source, module_tmp)
        except Exception as error:
            raise StageError(model, STAGE, f"torch-mlir's lowering to linalg failed: {error}") from None
        if selection.schedule is None:
            record["applied"] = "none: linalg on tensors, unscheduled"
        else:
            try:
                path = find_schedule(schedules, selection.schedule)
                with context():
                    module, used = build_transform(path, selection.schedule_params)
                    with open(temps[2], "wb") as f:
                        module.operation.write_bytecode(f)
                lowered = module_tmp.with_name(module_tmp.name + ".linalg")
                os.replace(module_tmp, lowered)
                try:
                    apply_transform(lowered, temps[2], module_tmp, timeout=timeout)
                finally:
                    lowered.unlink(missing_ok=True)
            except ScheduleError as error:
                raise StageError(
                    model, STAGE, f"schedule {selection.schedule!r}: {error}",
                    hint="fix the schedule, or select another (SCHEDULE, or SCHEDULE = \"none\")",
                ) from None
            record.update(
                applied=f"{path.name} via the transform interpreter",
                file=str(path),
                params=used,
                sha256=file_sha256(temps[2]),
            )
        info_tmp.write_text(to_json(record))  # no timings: see run_schedule
    return record


def run_schedule(b) -> str:
    """The schedule stage for one ``core.build.Build``."""
    from ..core import progress
    from ..core.artifacts import write_json

    a = b.artifacts
    if b.selection.engine == "mlir" and not b.format.upstream:
        raise b.error("schedule", f"the upstream MLIR engine takes PyTorch models here, not "
                      f"{b.model.format} ones", hint="build this model with ENGINE = \"iree\"")
    started = time.perf_counter()
    with progress.elapsed(f"schedule:{b.name}"):
        record = schedule_module(
            b.name, b.selection, b.project.schedules, a.imported, output=a.scheduled,
            transform=a.transform, info=a.schedule_info, timeout=b.project.schedule_timeout,
        )
    write_json(a.stats("schedule"), {"seconds": round(time.perf_counter() - started, 3)})
    return f"schedule {b.name}: {record['applied']}"


if __name__ == "__main__":  # the child process of apply_transform
    _apply_in_this_process(*map(Path, sys.argv[1:4]))
