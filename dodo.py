"""The build graph: import -> schedule -> compile -> check -> bench per model; peak; report;
and the catalogue of models (``doit models``).

Kept thin on purpose: loading it must not import torch (``doit list`` and no-op runs are fast).
"""

import os

from doit import doit_cmd

from integrator.core.selection import COMMAND_LINE

# `doit run bench:mlp engine=mlir threads=1` sets, for this run and the stage processes it
# starts, what INTEGRATOR_ENGINE=mlir INTEGRATOR_THREADS=1 would (integrator/core/selection.py
# lists them all). doit keeps the variables in a private dict, the only place that has them
# all: an unknown one is an error, not silently ignored.
_variables = doit_cmd._CMDLINE_VARS or {}
_unknown = sorted(set(_variables) - set(COMMAND_LINE))
if _unknown:
    raise SystemExit(f"doit run: unknown variable{'s' * (len(_unknown) > 1)} {', '.join(_unknown)}; "
                     f"known: {', '.join(COMMAND_LINE)}")
for _name, _value in _variables.items():
    os.environ[COMMAND_LINE[_name]] = _value

from tasks.graph import (  # noqa: E402, F401 -- one generator per stage of the table, and the views
    project,
    task_bench,
    task_check,
    task_compile,
    task_dispatches,
    task_import,
    task_ir,
    task_models,
    task_peak,
    task_report,
    task_schedule,
    task_specs,
    task_suite,
    task_tune,
)

project().cache.mkdir(parents=True, exist_ok=True)

from tasks.reporter import StageReporter  # noqa: E402

DOIT_CONFIG = {
    # doit's console output, less the repeated blocks around a failure (tasks/reporter.py).
    "reporter": StageReporter,
    # sqlite3 so that `doit -n 2` (parallel processes) can share the state safely.
    "backend": "sqlite3",
    "dep_file": str(project().cache / "doit.sqlite3"),
    "verbosity": 1,
    # `doit` alone builds everything; the catalogue (`doit models`), the suite summary
    # (`doit run suite`), the IR and dispatch views (`doit run ir:<model>`,
    # `dispatches:<model>`) and tuning (`tune:<model>`) are asked for by name.
    "default_tasks": ["specs", "import", "schedule", "compile", "check", "bench", "peak", "report"],
}
